"""Config endpoints: encrypt-config."""

from __future__ import annotations

from flask import Blueprint, Response

from app.api.common import json_body, json_response
from app.errors import BadRequest
from app.services import shade

bp = Blueprint("configs", __name__)


@bp.post("/encrypt-config", strict_slashes=False)
def encrypt_config() -> Response:
    """The config with sensitive source/sink options encoded by env.shade.identifier's shade.
    ---
    post:
      tags: [configs]
      summary: Encode a config's sensitive source/sink options with its env.shade.identifier
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              description: A job config in JSON.
      responses:
        200:
          description: The config with sensitive options encoded.
          content:
            application/json:
              schema:
                type: object
        400:
          $ref: '#/components/responses/BadRequest'
    """
    config = json_body()
    if not isinstance(config, dict):
        raise BadRequest("Invalid JSON format in request body: the config must be a JSON object.")
    for block, name in (("source", "Source"), ("sink", "Sink")):
        if not isinstance(config.get(block), list) or not config[block]:
            raise BadRequest(f"Miss <{name}> config! Please check the config file.")
    return json_response(shade.encrypt_config(config))

"""Config endpoints: encrypt-config, option-rules."""

from __future__ import annotations

from flask import Blueprint, Response, request

from app.api.common import json_body, json_response, state
from app.errors import ApiError, BadRequest
from app.services import shade
from app.services.option_rules import plugin_option_rules

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


@bp.get("/option-rules", strict_slashes=False)
def option_rules() -> Response:
    """The option rules of one registered plugin (SeaTunnel 3.0), for building config forms.
    ---
    get:
      summary: Option rules of a plugin
      description: >
        Each option of the plugin (common options included) with its Java-style type, default,
        description, fallback keys and choices; required, exclusive and bundled groups; numeric
        bounds (lowered to this server's limits) as value constraints. Errors use SeaTunnel's
        upper-case "FAIL" status, as its OptionRulesServlet does.
      parameters:
        - {name: type, in: query, required: true, schema: {type: string, enum: [source, sink, transform]}}
        - {name: plugin, in: query, required: true, schema: {type: string}, description: "plugin name, any case"}
      responses:
        "200":
          description: The rules
          content:
            application/json:
              schema:
                type: object
                properties:
                  engineType: {type: string, example: seatunnel}
                  pluginType: {type: string, example: source}
                  pluginName: {type: string, example: FakeSource}
                  optionRule:
                    type: object
                    properties:
                      optionalOptions: {type: array, items: {type: object}}
                      requiredOptions: {type: array, items: {type: object}}
                      conditionRules: {type: array, items: {type: object}}
                      valueConstraints: {type: array, items: {type: object}}
        "400":
          description: Missing or unsupported type, or missing plugin
          content:
            application/json:
              schema: {type: object, properties: {status: {type: string, example: FAIL}, message: {type: string}}}
        "404":
          description: No such plugin of that type
          content:
            application/json:
              schema: {type: object, properties: {status: {type: string, example: FAIL}, message: {type: string}}}
    """
    try:
        rules = plugin_option_rules(
            request.args.get("type"), request.args.get("plugin"), state().settings.limits
        )
    except ApiError as err:  # SeaTunnel's servlet answers these with status "FAIL"
        return json_response({"status": "FAIL", "message": err.message}, err.status)
    return json_response(rules)

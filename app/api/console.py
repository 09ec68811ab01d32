"""The web console at `/` (SeaTunnel's hash routes), the OpenAPI document and its docs page."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, redirect, render_template

from app.api.common import json_response, state
from app.services import cluster

WEB = Path(__file__).resolve().parent.parent / "web"

bp = Blueprint(
    "console",
    __name__,
    static_folder=str(WEB / "static"),
    static_url_path="/console-static",
    template_folder=str(WEB / "templates"),
)

_VERSION = cluster.project_version()


@bp.get("/")
def index() -> str:
    """The console page; its views are the hash routes #/overview, #/jobs, #/jobs/<id>, #/workers.
    ---
    get:
      tags: [console]
      summary: The web console
      responses:
        200:
          description: The console's HTML page.
          content:
            text/html:
              schema: {type: string}
    """
    settings = state().settings
    return render_template(
        "console.html", base=settings.context_path, version=_VERSION, title="SeaTunnel"
    )


@bp.get("/#/", defaults={"route": ""})
@bp.get("/#/<path:route>")
def encoded_fragment(route: str) -> Response:
    """`/%23/<route>` (a client that encoded the `#`) goes to `<context-path>/#/<route>`.
    ---
    get:
      tags: [console]
      summary: Redirect an encoded console route to the console
      responses:
        302:
          description: To `<context-path>/#/<route>`.
    """
    return redirect(f"{state().settings.context_path}/#/{route}", code=302)


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """This server's OpenAPI 3 document.
    ---
    get:
      tags: [console]
      summary: The OpenAPI document
      responses:
        200:
          description: OpenAPI 3.0 JSON.
          content:
            application/json:
              schema: {type: object}
    """
    cached = current_app.extensions.get("seatunnel-openapi")
    if cached is None:
        from app.api.openapi import build_spec

        cached = build_spec(current_app, _VERSION)
        current_app.extensions["seatunnel-openapi"] = cached
    return json_response(cached)


@bp.get("/docs", strict_slashes=False)
def docs() -> str:
    """A readable page of the OpenAPI document.
    ---
    get:
      tags: [console]
      summary: The API reference page
      responses:
        200:
          description: HTML rendering /openapi.json.
          content:
            text/html:
              schema: {type: string}
    """
    settings = state().settings
    return render_template("docs.html", base=settings.context_path, version=_VERSION)

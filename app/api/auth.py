"""HTTP basic auth for every endpoint when `enable-basic-auth` is on (constant-time comparison)."""

from __future__ import annotations

import base64
import binascii
import hmac

from flask import Flask, Response, request

from app.config import Settings
from app.errors import fail_response

REALM = 'Basic realm="SeaTunnel Web UI"'
# container probes carry no credentials; these tell nothing private (app/api/probes.py)
PUBLIC_BLUEPRINTS = {"health", "ctx_health"}


def _credentials_ok(header: str | None, username: bytes, password: bytes) -> bool:
    if not header or not header.startswith("Basic "):
        return False
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    user, sep, secret = decoded.partition(b":")
    # Compare both parts in full whatever the first result, so timing reveals neither.
    user_ok = hmac.compare_digest(user, username)
    secret_ok = hmac.compare_digest(secret, password)
    return bool(sep) and user_ok and secret_ok


def install_basic_auth(app: Flask, settings: Settings) -> None:
    """Require the configured credentials on every request (401 with WWW-Authenticate otherwise)."""
    if not settings.enable_basic_auth:
        return
    username = settings.basic_auth_username.encode()
    password = settings.basic_auth_password.encode()

    @app.before_request
    def _require_credentials() -> Response | None:
        if request.blueprint in PUBLIC_BLUEPRINTS:
            return None
        if _credentials_ok(request.headers.get("Authorization"), username, password):
            return None
        response = fail_response("Unauthorized", 401)
        response.headers["WWW-Authenticate"] = REALM
        return response

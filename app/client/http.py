"""A small HTTP client for the REST API (standard library only): base URL, basic auth, errors.

Every non-2xx answer becomes ClientError carrying the server's `message`; an unreachable server
becomes ClientError too, so commands print one line and exit non-zero.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

DEFAULT_URL = "http://localhost:8080"
TIMEOUT_S = 30.0


class ClientError(Exception):
    """A request failed: the server's message (or why the server could not be reached)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Response:
    """A 2xx answer: status, raw body and its JSON (None when it is not JSON)."""

    status: int
    body: bytes

    @property
    def data(self) -> Any:
        """The body parsed as JSON, or None."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8", errors="replace")


def default_url(env: dict[str, str] | None = None) -> str:
    """SEATUNNEL_URL, else http://localhost:8080."""
    env = dict(os.environ) if env is None else env
    return env.get("SEATUNNEL_URL") or DEFAULT_URL


class Client:
    """Requests against one server; credentials from SEATUNNEL_USER / SEATUNNEL_PASSWORD."""

    def __init__(self, url: str, user: str | None = None, password: str | None = None) -> None:
        self.url = url.rstrip("/")
        self._auth = None
        if user is not None or password is not None:
            token = base64.b64encode(f"{user or ''}:{password or ''}".encode()).decode()
            self._auth = f"Basic {token}"

    @classmethod
    def from_env(cls, url: str | None = None, env: dict[str, str] | None = None) -> Client:
        """A client for `url` (default: default_url()) with the environment's credentials."""
        env = dict(os.environ) if env is None else env
        return cls(
            url or default_url(env), env.get("SEATUNNEL_USER"), env.get("SEATUNNEL_PASSWORD")
        )

    def request(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> Response:
        """Send one request; ClientError for any non-2xx answer or a network failure."""
        query = {k: v for k, v in (params or {}).items() if v is not None}
        url = self.url + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        request = urllib.request.Request(url, data=body, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        if self._auth:
            request.add_header("Authorization", self._auth)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:  # the user's server
                return Response(answer.status, answer.read())
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            message = raw.decode("utf-8", errors="replace").strip() or exc.reason
            try:
                decoded = json.loads(raw)
                if isinstance(decoded, dict) and decoded.get("message") is not None:
                    message = str(decoded["message"])
            except ValueError:
                pass
            raise ClientError(f"{exc.code}: {message}", exc.code) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ClientError(f"cannot reach {self.url}: {reason}") from exc

    def get(self, path: str, **params: Any) -> Response:
        """GET with query parameters."""
        return self.request("GET", path, params)

    def post_json(self, path: str, payload: Any, **params: Any) -> Response:
        """POST a JSON body."""
        return self.request("POST", path, params, json.dumps(payload).encode(), "application/json")

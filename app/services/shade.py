"""Config shades (SeaTunnel's config encryption): encode sensitive options, decode them to run.

A shade is registered by its `shade.identifier`; a third party adds one with `register_shade`.
Only sources and sinks are touched, as in SeaTunnel; env and transforms stay as they are.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass

from app.errors import BadRequest

SENSITIVE_KEYS = ("password", "username", "auth", "token", "access_key", "secret_key")


@dataclass(frozen=True)
class Shade:
    """A reversible encoding of option values."""

    identifier: str
    encrypt: Callable[[str], str]
    decrypt: Callable[[str], str]


_SHADES: dict[str, Shade] = {}


def register_shade(shade: Shade) -> Shade:
    """Add a shade; identifiers are unique (case-insensitive)."""
    key = shade.identifier.lower()
    if key in _SHADES:
        raise ValueError(f"shade {shade.identifier!r} is already registered")
    _SHADES[key] = shade
    return shade


def _b64_decode(value: str) -> str:
    try:
        return base64.b64decode(value.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(f"not base64: {exc}") from exc


register_shade(Shade("default", lambda v: v, lambda v: v))
register_shade(Shade("base64", lambda v: base64.b64encode(v.encode()).decode(), _b64_decode))


def _env_option(env: dict, key: str):
    """An env option written flat ("shade.identifier") or nested (HOCON)."""
    if key in env:
        return env[key]
    node = env
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _shade_of(config: dict) -> tuple[Shade, tuple[str, ...]]:
    env = config.get("env") if isinstance(config.get("env"), dict) else {}
    identifier = _env_option(env, "shade.identifier") or "default"
    shade = _SHADES.get(str(identifier).lower())
    if shade is None:
        known = ", ".join(sorted(_SHADES))
        raise BadRequest(
            f"env option 'shade.identifier': unknown shade {identifier!r}; known: {known}"
        )
    extra = _env_option(env, "shade.options") or []
    if isinstance(extra, str):
        extra = [extra]
    return shade, SENSITIVE_KEYS + tuple(str(k) for k in extra if isinstance(k, (str, int)))


def _transform(config: dict, apply: Callable[[str], str], keys: tuple[str, ...]) -> dict:
    out = deepcopy(config)
    for block in ("source", "sink"):
        for plugin in out.get(block) or []:
            if not isinstance(plugin, dict):
                continue
            for key in keys:
                if key not in plugin:
                    continue
                value = plugin[key]
                if isinstance(value, list):
                    plugin[key] = [apply(str(v)) for v in value]
                elif value is not None:
                    plugin[key] = apply(str(value))
    return out


def encrypt_config(config: dict) -> dict:
    """The config with every sensitive source/sink option encoded by the config's shade."""
    shade, keys = _shade_of(config)
    return _transform(config, shade.encrypt, keys)


def decrypt_config(config: dict) -> dict:
    """The config as it runs: sensitive options decoded (never store or show the result)."""
    shade, keys = _shade_of(config)
    if shade.identifier == "default":
        return config

    def decode(value: str) -> str:
        try:
            return shade.decrypt(value)
        except ValueError as exc:
            raise BadRequest(
                f"a sensitive option cannot be decoded with shade '{shade.identifier}': {exc}"
            ) from exc

    return _transform(config, decode, keys)


def decoder_of(config: dict) -> Callable[[str], str] | None:
    """The config's shade decoder (None for the default shade, or an unknown one)."""
    try:
        shade, _keys = _shade_of(config)
    except BadRequest:
        return None
    return None if shade.identifier == "default" else shade.decrypt


def sensitive_keys(config: dict) -> tuple[str, ...]:
    """The option names whose values must never be shown (for masking messages and logs)."""
    return _shade_of(config)[1]


def secret_values(config: dict) -> set[str]:
    """The values of every sensitive source/sink option of a (decoded) config."""
    keys = sensitive_keys(config)
    values: set[str] = set()
    for block in ("source", "sink"):
        for plugin in config.get(block) or []:
            if isinstance(plugin, dict):
                for key in keys:
                    value = plugin.get(key)
                    for item in value if isinstance(value, list) else [value]:
                        if item not in (None, ""):
                            values.add(str(item))
    return values


def mask_secrets(text: str, config: dict) -> str:
    """`text` with every secret of `config` (plain, encoded or decoded, at any depth) masked."""
    from app.services.secrets import masker_for

    return masker_for(config).text(text)

"""Masking secrets: option values under sensitive keys never reach a response, an error or a log.

A key is sensitive when, lower-cased, it contains one of SeaTunnel's sensitive keywords
(ConfigShadeUtils' shade and log-mask lists, plus the usual password/secret/credential names) or
one of the config's own `env.shade.options`, at any depth (env included). Values are masked
both as written (plain or shade-encoded) and as decoded by the config's shade, because a runner
and its errors see the decoded value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any

import orjson

from app.services import shade

MASK = "******"

# SeaTunnel's DEFAULT_SENSITIVE_KEYWORDS and DEFAULT_LOG_MASK_ONLY_KEYWORDS, and common spellings
SENSITIVE_KEYWORDS = (
    "password",
    "passwd",
    "pwd",
    "username",
    "auth",
    "token",
    "secret",
    "credential",
    "access_key",
    "accesskey",
    "secret_key",
    "secretkey",
    "private_key",
    "privatekey",
    "api_key",
    "apikey",
    "sasl.jaas.config",
    "community",
    "connection_string",
    "connectionstring",
    "consumer_key",
    "consumer_secret",
)
# `key: value` / `key = value` / `key=value` where key holds a sensitive keyword: the value is
# masked even when the text shows it cut short (an echoed config object ending in "...")
_KEYWORD = "|".join(re.escape(word) for word in SENSITIVE_KEYWORDS)
_KEY_VALUE = re.compile(
    r"""(?P<key>["']?[\w.\-]*(?:"""
    + _KEYWORD
    + r""")[\w.\-]*["']?\s*(?:[:=]|=>)\s*)(?P<value>"(?:[^"\\]|\\.)*"?|'[^']*'?|[^\s,;}\]\)]+)""",
    re.IGNORECASE,
)
# Shorter values are masked by key only: replacing "1" or "ab" everywhere would garble every line.
MIN_VALUE_LENGTH = 3
_MAX_WALK = 200_000  # nodes visited when collecting secrets (configs are size-capped anyway)


def is_sensitive_key(key: object, extra: Iterable[str] = ()) -> bool:
    """Whether an option named `key` (any case; `-` and `_` alike) holds a secret."""
    key = str(key)
    if len(key) <= _CACHED_KEY_LENGTH:
        name, sensitive = _normalized_key(key)
    else:
        name, sensitive = _normalize_key(key)
    return sensitive or any(word and word in name for word in extra)


_CACHED_KEY_LENGTH = 256  # option names are short; an untrusted long key is not kept


def _normalize_key(key: str) -> tuple[str, bool]:
    """The key as keywords are matched (lower case, `_` for `-`), and whether one is in it."""
    name = key.lower().replace("-", "_")
    return name, any(word in name for word in SENSITIVE_KEYWORDS)


# every config's walk asks about the same few option names
_normalized_key = lru_cache(maxsize=4096)(_normalize_key)


def _extra_keys(config: dict) -> tuple[str, ...]:
    env = config.get("env") if isinstance(config, dict) else None
    if not isinstance(env, dict):
        return ()
    extra = env.get("shade.options")
    if extra is None and isinstance(env.get("shade"), dict):
        extra = env["shade"].get("options")
    if isinstance(extra, str):
        extra = [extra]
    if not isinstance(extra, list):
        return ()
    return tuple(str(k).lower().replace("-", "_") for k in extra if isinstance(k, (str, int)))


def _sensitive_values(config: Any, extra: tuple[str, ...]) -> Iterator[Any]:
    """Every leaf value that sits under a sensitive key, at any depth."""
    stack: list[tuple[Any, bool]] = [(config, False)]
    seen = 0
    while stack and seen < _MAX_WALK:
        item, under_secret = stack.pop()
        seen += 1
        if isinstance(item, dict):
            for key, value in item.items():
                stack.append((value, under_secret or is_sensitive_key(key, extra)))
        elif isinstance(item, list):
            stack.extend((value, under_secret) for value in item)
        elif under_secret and item is not None and not isinstance(item, bool):
            yield item


class Masker:
    """Masks the secrets of one job config in text, option maps and JSON documents."""

    def __init__(self, *configs: dict, decode: Callable[[str], str] | None = None) -> None:
        """`configs`: the config as stored and as it runs; `decode(value)` reverses its shade."""
        self.extra: tuple[str, ...] = ()
        secrets: set[str] = set()
        for config in configs:
            if not isinstance(config, dict):
                continue
            self.extra = tuple(sorted(set(self.extra) | set(_extra_keys(config))))
        for config in configs:
            if not isinstance(config, dict):
                continue
            for value in _sensitive_values(config, self.extra):
                text = str(value)
                secrets.add(text)
                if decode is not None:
                    try:
                        decoded = decode(text)
                    except Exception:  # not an encoded value: nothing to add
                        decoded = None
                    if isinstance(decoded, str):
                        secrets.add(decoded)
        forms: set[str] = set()
        for secret in secrets:
            if len(secret) < MIN_VALUE_LENGTH:
                continue
            forms.add(secret)
            try:
                escaped = orjson.dumps(secret).decode()[1:-1]  # as it appears inside JSON text
            except TypeError:
                continue
            forms.add(escaped)
            forms.add(secret.encode("unicode_escape").decode("ascii"))  # as repr() shows it
        self.secrets = sorted(forms, key=len, reverse=True)

    def text(self, text: str) -> str:
        """`text` with every secret value, and the value of every `sensitive-key: value` it
        shows, replaced by ******."""
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return mask_key_values(text)

    def options(self, options: dict) -> dict:
        """A flat option map (env options) with sensitive keys' values, and secrets, masked."""
        masked: dict = {}
        for key, value in options.items():
            if is_sensitive_key(key, self.extra):
                masked[key] = MASK
            elif isinstance(value, str):
                masked[key] = self.text(value)
            else:
                masked[key] = value
        return masked

    def __bool__(self) -> bool:
        return bool(self.secrets)


def masker_for(config: dict) -> Masker:
    """The masker of a stored (possibly shade-encoded) config: its written and decoded secrets."""
    return Masker(config, decode=shade.decoder_of(config))


def _masked_pair(match: re.Match) -> str:
    value = match.group("value")
    if value.startswith(MASK) or value.strip("\"'") == MASK:
        return match.group(0)
    quote = value[0] if value[:1] in "\"'" else ""
    return f"{match.group('key')}{quote}{MASK}{quote}"


def mask_key_values(text: str) -> str:
    """`text` with the value of every `sensitive-key: value` (JSON, HOCON, key=value) masked."""
    if text.isascii():
        # most log lines and jobDags hold no keyword: skip the key-value pattern, whose scan
        # backtracks at every word (substring tests are plain C loops). Only for ASCII text:
        # the pattern's IGNORECASE also folds letters such as 'ſ' and 'ı' that lower() keeps.
        lowered = text.lower()
        if not any(word in lowered for word in SENSITIVE_KEYWORDS):
            return text
    return _KEY_VALUE.sub(_masked_pair, text)

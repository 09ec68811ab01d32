"""HOCON for untrusted text: pyhocon without include, without environment variables, size-capped.

Before pyhocon sees the text, a scan refuses `include` (every kind: pyhocon would read files and
fetch URLs), caps nesting and the number of substitutions, and renames duplicate plugin keys in
the source / transform / sink blocks apart, so `source { FakeSource {..} FakeSource {..} }` gives
two plugins as SeaTunnel's ConfigParser does instead of pyhocon's merge. Resolution runs in a
pyhocon ConfigParser subclass whose lookups never fall back to os.environ and which counts every
byte a substitution copies, refusing the document once it would exceed the limit.
"""

from __future__ import annotations

import re
from typing import Any

from app.engine.errors import ConfigError
from app.engine.limits import Limits

_PREFIX = "Invalid HOCON format in request body: "
_PLUGIN_BLOCKS = ("source", "transform", "sink")
DUPLICATE_MARK = "\u241f"

# `include` as pyhocon's grammar takes it (Keyword: not preceded by an identifier character),
# followed by a quoted name or one of the include functions; conservative on purpose (it also
# matches inside strings), comment-only lines excepted.
_INCLUDE = re.compile(
    r"(?<![A-Za-z0-9_$])include[ \t]*(\"|(url|file|package|classpath|required)[ \t]*\()",
    re.IGNORECASE,
)
_COMMENT_LINE = re.compile(r"[ \t]*(#|//)")

_TOKENS = re.compile(
    r'(?P<s>"""[\s\S]*?"*""")'
    r'|(?P<q>"(?:[^"\\\n]|\\[^\n])*")'
    r"|(?P<c>(?:#|//)[^\n]*)"
    r"|(?P<v>\$\{[^}]*\})"
    r"|(?P<o>[{\[])"
    r"|(?P<x>[}\]])"
    r"|(?P<n>[\n,])"
    r"|(?P<e>[=:])"
    r"|(?P<w>[^\s\"{}\[\]=:,#$]+)"
    r"|(?P<sp>[ \t\r\f\v]+)"
    r"|(?P<other>.)",
    re.DOTALL,
)
_ROOT = object()


def parse_hocon_tree(text: str, limits: Limits) -> dict:
    """Parse untrusted HOCON `text` into plain dicts and lists, or raise ConfigError."""
    if len(text) > limits.config_max_bytes:  # parsing costs ~30 us per byte: refuse first
        raise ConfigError(
            f"{_PREFIX}the document is larger than {limits.config_max_bytes} bytes "
            f"({limits.describe('config_max_bytes')})."
        )
    _refuse_include(text)
    text = _scan(text, limits)
    from pyhocon import ConfigTree
    from pyhocon.exceptions import ConfigException, ConfigSubstitutionException
    from pyparsing import ParseBaseException

    parser = _safe_parser(limits)
    try:
        tree = parser.parse(text)
    except _Exceeded:
        raise ConfigError(
            f"{_PREFIX}the resolved document is larger than {limits.config_max_bytes} bytes "
            f"({limits.describe('config_max_bytes')})."
        ) from None
    except _Unresolved as exc:
        raise ConfigError(_PREFIX + str(exc)) from None
    except RecursionError:
        raise ConfigError(
            f"{_PREFIX}nested too deeply (at most {limits.config_max_depth} levels)."
        ) from None
    except ParseBaseException as exc:
        raise ConfigError(
            f"{_PREFIX}syntax error at line {exc.lineno}, column {exc.col}."
        ) from None
    except ConfigSubstitutionException as exc:
        raise ConfigError(_PREFIX + _one_line(str(exc))) from None
    except ConfigException:
        raise ConfigError(
            f"{_PREFIX}values that cannot be combined (an object or list concatenated "
            "with a string, or a substitution cycle)."
        ) from None
    except Exception:  # pyhocon fails on odd input in many ways; never a 500
        raise ConfigError(f"{_PREFIX}the document cannot be parsed.") from None
    if not isinstance(tree, ConfigTree):
        raise ConfigError(f"{_PREFIX}the config must be an object.")
    budget = [limits.config_max_bytes]
    try:
        return _plain(tree, 0, limits, budget)
    except _Exceeded:
        raise ConfigError(
            f"{_PREFIX}the resolved document is larger than {limits.config_max_bytes} bytes "
            f"({limits.describe('config_max_bytes')})."
        ) from None


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:297] + "..."


def _refuse_include(text: str) -> None:
    for match in _INCLUDE.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if _COMMENT_LINE.match(text, line_start):
            continue
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - line_start + 1
        function = match.group(2)
        form = f"include {function.lower()}(...)" if function else 'include "..."'
        raise ConfigError(
            f"{_PREFIX}{form} at line {line}, column {column} is not allowed: a job config "
            "cannot include files, URLs or classpath resources."
        )


def _scan(text: str, limits: Limits) -> str:
    """Cap nesting and substitutions; rename duplicate plugin keys apart (returns the new text)."""
    depth = 0
    substitutions = 0
    stack: list[Any] = []
    entry_start = True
    pending: tuple[str, int, int] | None = None  # a key token that may open an object
    first = True
    seen: dict[str, dict[str, int]] = {}
    renames: list[tuple[int, int, str]] = []
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup
        if kind in ("sp", "c"):
            continue
        token = match.group()
        if kind == "o":
            depth += 1
            if depth > limits.config_max_depth:
                line = text.count("\n", 0, match.start()) + 1
                raise ConfigError(
                    f"{_PREFIX}nested too deeply at line {line}: at most "
                    f"{limits.config_max_depth} levels ({limits.describe('config_max_depth')})."
                )
            opener: Any = None
            if token == "{":
                opener = _ROOT if first else (pending[0] if pending else None)
                _note_plugin(stack, pending, seen, renames)
            stack.append(opener)
            entry_start, pending, first = True, None, False
            continue
        first = False
        if kind == "x":
            depth = max(0, depth - 1)
            if stack:
                stack.pop()
            entry_start, pending = True, None
        elif kind == "n":
            entry_start, pending = True, None
        elif kind == "e":
            entry_start = False
        elif kind == "v":
            substitutions += 1
            if substitutions > limits.config_max_substitutions:
                raise ConfigError(
                    f"{_PREFIX}more than {limits.config_max_substitutions} substitutions "
                    f"({limits.describe('config_max_substitutions')})."
                )
            entry_start, pending = False, None
        elif kind in ("w", "q") and entry_start:
            pending = (_unquote(token), match.start(), match.end())
            entry_start = False
        else:
            entry_start, pending = False, None
    if not renames:
        return text
    parts, last = [], 0
    for start, end, replacement in renames:
        parts.append(text[last:start])
        parts.append(replacement)
        last = end
    parts.append(text[last:])
    return "".join(parts)


def _note_plugin(
    stack: list[Any],
    pending: tuple[str, int, int] | None,
    seen: dict[str, dict[str, int]],
    renames: list[tuple[int, int, str]],
) -> None:
    """A `{` opened by key `pending`: if it is a plugin block of source/transform/sink, count it."""
    if pending is None:
        return
    path = [s for s in stack if s is not _ROOT] if stack and stack[0] is _ROOT else stack
    if len(path) != 1 or len(stack) - len(path) > 1 or path[0] not in _PLUGIN_BLOCKS:
        return
    name, start, end = pending
    counts = seen.setdefault(path[0], {})
    counts[name] = counts.get(name, 0) + 1
    if counts[name] > 1:
        escaped = name.replace("\\", "\\\\").replace('"', '\\"')
        renames.append((start, end, f'"{escaped}{DUPLICATE_MARK}{counts[name]}"'))


def _unquote(token: str) -> str:
    if len(token) >= 2 and token[0] == token[-1] == '"':
        return token[1:-1]
    return token


class _Exceeded(Exception):
    """The resolved document grew past limits.config_max_bytes."""


class _Unresolved(Exception):
    """A `${path}` that names no path of the document (never looked up in the environment)."""


def _safe_parser(limits: Limits) -> Any:
    """A pyhocon ConfigParser subclass for one parse: no environment, a byte budget."""
    from pyhocon.config_parser import ConfigParser
    from pyhocon.config_tree import ConfigTree, ConfigValues
    from pyhocon.exceptions import ConfigMissingException
    from pyparsing import col, lineno

    budget = [limits.config_max_bytes]

    class SafeParser(ConfigParser):
        @classmethod
        def _resolve_variable(cls, config: Any, substitution: Any) -> tuple[bool, Any]:
            try:
                return True, config.get(substitution.variable)
            except ConfigMissingException:
                if substitution.optional:
                    return False, None
                where = (
                    f"line {lineno(substitution.loc, substitution.instring)}, "
                    f"column {col(substitution.loc, substitution.instring)}"
                )
                raise _Unresolved(
                    f"cannot resolve ${{{_one_line(substitution.variable)[:100]}}} at {where}: "
                    "a substitution may only name a path of the same document "
                    "(environment variables are not read)."
                ) from None

        @classmethod
        def _fixup_self_references(cls, config: Any, accept_unresolved: bool = False) -> None:
            # pyhocon's version looks self-references up in os.environ; ours drops optional ones
            if not (isinstance(config, ConfigTree) and config.root):
                return
            for key in list(config):
                history = config.history[key]
                previous = history[0]
                for current in history[1:]:
                    for sub in cls._find_substitutions(current):
                        path = ConfigTree.parse_key(sub.variable)
                        if len(path) > 1 and config.get(sub.variable, None) is not None:
                            continue
                        if path[0] == key:
                            if isinstance(previous, ConfigValues) and not accept_unresolved:
                                raise _Unresolved(
                                    f"cannot resolve ${{{_one_line(sub.variable)[:100]}}}: "
                                    "check for cycles."
                                )
                            value = previous if len(path) == 1 else previous.get(".".join(path[1:]))
                            _, _, current = cls._do_substitute(sub, value)
                    previous = current
                if len(history) == 1:
                    for sub in cls._find_substitutions(previous):
                        path = ConfigTree.parse_key(sub.variable)
                        if len(path) > 1 and config.get(sub.variable, None) is not None:
                            continue
                        if path[0] == key and sub.optional:
                            cls._do_substitute(sub, None)

        @classmethod
        def _do_substitute(
            cls, substitution: Any, resolved_value: Any, is_optional_resolved: bool = True
        ) -> Any:
            if not isinstance(resolved_value, ConfigValues):
                budget[0] -= _size(resolved_value, budget[0])
                if budget[0] < 0:
                    raise _Exceeded
            return super()._do_substitute(substitution, resolved_value, is_optional_resolved)

    return SafeParser


def _size(value: Any, cap: int) -> int:
    """Bytes `value` adds to the document (strings by length), stopping once past `cap`."""
    total = 0
    stack = [value]
    while stack and total <= cap:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item) + 2
        elif isinstance(item, dict):
            for key, child in item.items():
                total += len(str(key)) + 2
                stack.append(child)
        elif isinstance(item, list):
            total += 2
            stack.extend(item)
        elif hasattr(item, "tokens"):  # a ConfigValues inside a tree: its parts
            stack.extend(item.tokens)
        else:
            total += 8
    return total


def _plain(value: Any, depth: int, limits: Limits, budget: list[int]) -> Any:
    """Plain dicts and lists from pyhocon's trees; depth- and size-checked (substitutions can nest)."""
    from pyhocon.config_tree import NoneValue

    if isinstance(value, (dict, list)) and depth >= limits.config_max_depth:
        raise ConfigError(
            f"The config is nested too deeply: at most {limits.config_max_depth} levels of objects "
            f"and arrays ({limits.describe('config_max_depth')})."
        )
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            name = _unquote(str(key))
            budget[0] -= len(name) + 4
            out[name] = _plain(item, depth + 1, limits, budget)
        return out
    if isinstance(value, list):
        budget[0] -= 2
        return [_plain(v, depth + 1, limits, budget) for v in value]
    if value is None or isinstance(value, NoneValue):
        return None
    if isinstance(value, str):
        budget[0] -= len(value) + 2
        if budget[0] < 0:
            raise _Exceeded
        return str(value)
    if isinstance(value, (int, float, bool)):
        return value
    return str(value)

"""Option rules of the registered plugins (SeaTunnel 3.x `/option-rules`), for dynamic forms."""

from __future__ import annotations

from app import engine
from app.engine.rules import UnknownPlugin, UnknownPluginType, option_rules
from app.errors import BadRequest, NotFound


def plugin_option_rules(
    plugin_type: str | None, plugin: str | None, limits: engine.Limits | None = None
) -> dict:
    """The option rules of one plugin; BadRequest for a bad `type` / empty `plugin`, NotFound for
    a plugin that is not registered."""
    try:
        return option_rules(plugin_type, plugin, limits)
    except UnknownPluginType as exc:
        raise BadRequest(str(exc)) from exc
    except UnknownPlugin as exc:
        raise NotFound(str(exc)) from exc

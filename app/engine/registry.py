"""Plugin registries, one per kind, keyed by SeaTunnel plugin_name (looked up case-insensitively)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T", bound=type)

KINDS = ("source", "transform", "sink")


class Registry:
    """plugin_name -> plugin class for one kind; refuses duplicate names."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._by_key: dict[str, type] = {}

    def add(self, name: str, cls: type) -> None:
        """Register `cls` under `name` (ValueError when the name is taken)."""
        key = name.lower()
        if key in self._by_key:
            raise ValueError(f"{self.kind} plugin {name!r} is already registered")
        cls.plugin_name = name  # type: ignore[attr-defined]
        self._by_key[key] = cls

    def remove(self, name: str) -> None:
        """Unregister `name` (tests and third parties replacing a plugin)."""
        self._by_key.pop(name.lower(), None)

    def get(self, name: str) -> type | None:
        """The class registered as `name` in any case, or None."""
        return self._by_key.get(name.lower())

    def names(self) -> list[str]:
        """Canonical names of all registered plugins, sorted."""
        return sorted(cls.plugin_name for cls in self._by_key.values())  # type: ignore[attr-defined]


REGISTRIES: dict[str, Registry] = {kind: Registry(kind) for kind in KINDS}


def register(kind: str, name: str) -> Callable[[T], T]:
    """Class decorator: `@register("source", "FakeSource")`."""
    if kind not in REGISTRIES:
        raise ValueError(f"unknown plugin kind {kind!r}; expected one of {', '.join(KINDS)}")

    def decorate(cls: T) -> T:
        REGISTRIES[kind].add(name, cls)
        return cls

    return decorate


def register_source(name: str) -> Callable[[T], T]:
    """Class decorator registering a source plugin."""
    return register("source", name)


def register_transform(name: str) -> Callable[[T], T]:
    """Class decorator registering a transform plugin."""
    return register("transform", name)


def register_sink(name: str) -> Callable[[T], T]:
    """Class decorator registering a sink plugin."""
    return register("sink", name)

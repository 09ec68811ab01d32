"""The engine's two exception types: bad configuration (submit time) and plugin failure (run time)."""

from __future__ import annotations


class ConfigError(ValueError):
    """A job config that cannot run; `message` is user-facing and names the plugin and option."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class JobError(RuntimeError):
    """A plugin failed while the job ran; str(e) is a one-line user message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

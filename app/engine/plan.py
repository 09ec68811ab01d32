"""build_plan: validate a parsed config into a JobPlan (env, plugins, wiring) that can render its DAG and run."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from app.engine import plugins as _builtin_plugins  # noqa: F401 - registers the built-in plugins
from app.engine.dag import job_dag
from app.engine.env import Env, read_env
from app.engine.errors import ConfigError
from app.engine.limits import DEFAULT_LIMITS, Limits
from app.engine.options import show, validate
from app.engine.parse import check_tree
from app.engine.plugin import COMMON_OPTIONS, COMMON_UNSUPPORTED
from app.engine.registry import REGISTRIES
from app.engine.wiring import Vertex, wire

if TYPE_CHECKING:
    from app.engine.runner import CheckpointStore, JobRunner

_BLOCKS = (("source", "Source"), ("transform", None), ("sink", "Sink"))
_PLURAL = {"source": "sources", "transform": "transforms", "sink": "sinks"}


class JobPlan:
    """A validated job: env, mode, name and the wired plugin vertices."""

    def __init__(self, env: Env, vertices: list[Vertex], order: list[Vertex]) -> None:
        self.env: dict = env.raw
        self.env_options: dict[str, str] = env.options
        self.mode: str = env.mode
        self.name: str | None = env.name
        self.parallelism: int = env.parallelism
        self.checkpoint_interval_ms: int | None = env.checkpoint_interval_ms
        self.vertices = vertices
        self.order = order

    def dag(self, job_id: str) -> dict:
        """The jobDag JSON object for job `job_id`."""
        return job_dag(str(job_id), self.vertices, self.env_options)

    def runner(
        self,
        log: Callable[[str], None],
        control: Callable[[], str | None] | None = None,
        checkpoints: CheckpointStore | None = None,
        restore: dict | None = None,
        job_id: str = "0",
        fault: Callable[[str, int], None] | None = None,
    ) -> JobRunner:
        """A runner for one execution of this plan (see JobRunner for the arguments)."""
        from app.engine.runner import JobRunner

        return JobRunner(self, log, control, checkpoints, restore, job_id, fault)


def build_plan(config: dict, limits: Limits | None = None) -> JobPlan:
    """Validate `config` against the plugins' options and `limits` (default: Limits()) and build
    its plan; raises ConfigError (only) for bad input."""
    limits = limits or DEFAULT_LIMITS
    try:
        return _build(config, limits)
    except ConfigError:
        raise
    except RecursionError:
        raise ConfigError("The config is nested too deeply.") from None


def _build(config: Any, limits: Limits) -> JobPlan:
    if not isinstance(config, dict):
        raise ConfigError("Invalid JSON format in request body: the config must be a JSON object.")
    check_tree(config, limits)
    blocks = {kind: _plugin_list(config, kind, miss) for kind, miss in _BLOCKS}
    if "env" not in config or config["env"] is None:
        raise ConfigError("Miss <env> config! Please check the config file.")
    if not isinstance(config["env"], dict):
        raise ConfigError(f"'env' must be an object, got {show(config['env'])}")
    env = read_env(config["env"])
    vertices: list[Vertex] = []
    for kind, _ in _BLOCKS:
        for index, item in enumerate(blocks[kind]):
            vertices.append(_vertex(len(vertices) + 1, kind, index, item, env, limits))
    order = wire(vertices)
    return JobPlan(env, vertices, order)


def _plugin_list(config: dict, kind: str, miss: str | None) -> list:
    block = config.get(kind)
    if isinstance(block, dict):  # SeaTunnel's HOCON layout given as JSON: {"FakeSource": {...}}
        block = [{"plugin_name": k, **v} if isinstance(v, dict) else v for k, v in block.items()]
    if block is None:
        block = []
    if not isinstance(block, list):
        raise ConfigError(f"'{kind}' must be a list of plugin objects, got {show(block)}")
    if not block and miss:
        raise ConfigError(f"Miss <{miss}> config! Please check the config file.")
    return block


@cache  # one entry per plugin class
def _declared(kind: str, cls: type) -> tuple[tuple, tuple[str, ...]]:
    """A plugin class's options (the common ones first) and the SeaTunnel options it refuses:
    the same tuples for every job, so what options.validate derives from them is derived once."""
    return COMMON_OPTIONS + tuple(cls.options), COMMON_UNSUPPORTED[kind] + tuple(cls.unsupported)


def _vertex(vid: int, kind: str, index: int, item: Any, env: Env, limits: Limits) -> Vertex:
    where = f"{kind}[{index}]"
    if not isinstance(item, dict):
        raise ConfigError(
            f"Plugin config {where} must be an object with a string 'plugin_name', got {show(item)}"
        )
    name = item.get("plugin_name")
    if not isinstance(name, str) or not name.strip():
        got = "none" if name is None else show(name)
        raise ConfigError(
            f"Plugin config {where} must be an object with a string 'plugin_name', "
            f"got plugin_name {got}"
        )
    registry = REGISTRIES[kind]
    cls = registry.get(name)
    if cls is None:
        known = ", ".join(registry.names()) or "none"
        raise ConfigError(
            f"Plugin '{name}' ({where}): unknown plugin_name; known {_PLURAL[kind]}: {known}"
        )
    canonical = cls.plugin_name
    options, unsupported = _declared(kind, cls)
    values = validate(canonical, where, item, options, limits, unsupported)
    plugin = cls(where, item, values, env.parallelism, limits)
    return Vertex(vid, kind, index, name, plugin)

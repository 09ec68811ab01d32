"""HTTP layer: one blueprint per API group, mounted under the context path and the v1 prefix."""

from __future__ import annotations

from flask import Flask

from app.api import (
    checkpoints,
    cluster,
    configs,
    console,
    jobs,
    jobviews,
    loggers,
    logs,
    metrics,
    nodes,
    probes,
    queue,
    realtime,
    resources,
    stops,
    threads,
    v1,
)

BLUEPRINTS = (
    jobs.bp,
    stops.bp,
    cluster.bp,
    configs.bp,
    logs.bp,
    metrics.bp,
    threads.bp,
    queue.bp,
    checkpoints.bp,
    loggers.bp,
    resources.bp,
    realtime.bp,
)
# ours only: not under the v1 prefix
OWN_BLUEPRINTS = (jobviews.bp, nodes.bp, console.bp)
# Hazelcast's own paths and our probes: at the root, and under the context path when one is set
ROOT_BLUEPRINTS = (probes.health_bp, probes.hazelcast_bp)


def register_blueprints(app: Flask, context_path: str) -> None:
    """Mount every blueprint under `context_path`, and again under `context_path` + the v1 prefix."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint, url_prefix=context_path or None)
        app.register_blueprint(
            blueprint, url_prefix=f"{context_path}{v1.PREFIX}", name=f"v1_{blueprint.name}"
        )
    for blueprint in OWN_BLUEPRINTS:
        app.register_blueprint(blueprint, url_prefix=context_path or None)
    for blueprint in ROOT_BLUEPRINTS:
        app.register_blueprint(blueprint)
        if context_path:
            app.register_blueprint(blueprint, url_prefix=context_path, name=f"ctx_{blueprint.name}")
    v1.accept_put(app)
    for blueprint in BLUEPRINTS:  # only under the v1 names: other requests skip it entirely
        app.after_request_funcs.setdefault(f"v1_{blueprint.name}", []).append(v1.add_v1_fields)

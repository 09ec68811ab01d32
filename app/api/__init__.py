"""HTTP layer: one blueprint per API group, mounted under the context path and the v1 prefix."""

from __future__ import annotations

from flask import Flask

from app.api import cluster, configs, console, jobs, jobviews, logs, metrics, nodes, stops, v1

BLUEPRINTS = (jobs.bp, stops.bp, cluster.bp, configs.bp, logs.bp, metrics.bp)
# ours only: not under the v1 prefix
OWN_BLUEPRINTS = (jobviews.bp, nodes.bp, console.bp)


def register_blueprints(app: Flask, context_path: str) -> None:
    """Mount every blueprint under `context_path`, and again under `context_path` + the v1 prefix."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint, url_prefix=context_path or None)
        app.register_blueprint(
            blueprint, url_prefix=f"{context_path}{v1.PREFIX}", name=f"v1_{blueprint.name}"
        )
    for blueprint in OWN_BLUEPRINTS:
        app.register_blueprint(blueprint, url_prefix=context_path or None)
    app.after_request(v1.add_v1_fields)

"""seatunnel-rest: a job server that speaks Apache SeaTunnel's REST API, with state in SQL."""

from __future__ import annotations

import atexit
import logging

from flask import Flask

from app.config import Settings, load_settings

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app: settings, database, blueprints, error handlers and the job executor.

    Called once per worker process (after gunicorn forks), so the database pool and the executor
    threads are never shared across a fork.
    """
    from app.api import register_blueprints
    from app.api.auth import install_basic_auth
    from app.api.common import AppState
    from app.errors import register_error_handlers
    from app.ids import IdGenerator
    from app.models.db import Database
    from app.services.cluster import register_node
    from app.services.monitoring import install_gc_timer

    settings = settings or load_settings()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = Flask(__name__, static_folder=None)  # the console serves its own files
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False
    db = Database(settings.database_url)
    state = AppState(settings=settings, db=db, ids=IdGenerator(), node_id=settings.node_id)
    app.extensions["seatunnel"] = state
    register_error_handlers(app)
    install_basic_auth(app, settings)
    register_blueprints(app, settings.context_path)
    if not settings.enable_basic_auth:  # with it, every request goes through its check
        from app.api.fast_job_info import install_fast_job_info

        install_fast_job_info(app, db, settings.context_path)
    if settings.telemetry_enabled:
        from app.api.telemetry_hooks import install_request_metrics

        install_request_metrics(app)
    install_gc_timer()
    if settings.start_executor:
        from app.worker.executor import Executor

        register_node(
            db, settings.node_id, settings.advertised_host, settings.port, settings.node_tags
        )
        state.executor = Executor(db, settings, settings.node_id)
        state.executor.start()
        atexit.register(state.executor.stop)
    return app

"""The `seatunnel-rest` command: `serve` (migrate, then gunicorn), `db upgrade`, and the client
commands `job`, `cluster` and `config` (app/client) that talk HTTP to a running server."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import socket
import sys
from pathlib import Path

from app.config import MASTER_PID_ENV, Settings, SettingsError, load_settings
from app.services import request_metrics

log = logging.getLogger("seatunnel-rest")


def listen_socket(settings: Settings) -> socket.socket:
    """Bind the HTTP port: `port`, or with enable-dynamic-port the first free one in the range.

    The socket is bound here, before gunicorn starts, so two servers started at once can never
    both pick the same port (gunicorn inherits it through `fd://`). SO_REUSEADDR lets a node
    restart at once on the port its previous run served (connections it closed linger in
    TIME_WAIT for a minute); it never lets two servers share a port that one listens on.
    """
    candidates = (
        range(settings.port, min(settings.port + settings.port_range, 65536))
        if settings.enable_dynamic_port
        else [settings.port]
    )
    last_error: OSError | None = None
    for port in candidates:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((settings.host, port))
        except OSError as exc:
            sock.close()
            last_error = exc
            continue
        sock.listen(2048)
        sock.set_inheritable(True)
        return sock
    if settings.enable_dynamic_port:
        raise SystemExit("No available port found in the range!")
    raise SystemExit(f"Cannot listen on {settings.host}:{settings.port}: {last_error}")


def _bind(host: str, port: int) -> socket.socket:
    """A listening, inheritable socket on host:port (the HTTPS port has no dynamic range)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SystemExit(f"Cannot listen on {host}:{port}: {exc}") from exc
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(settings: Settings) -> None:
    """Apply migrations, bind the port and run gunicorn with the configured workers."""
    from gunicorn.app.base import BaseApplication

    from app.migrate import upgrade_in_subprocess

    upgrade_in_subprocess(settings.database_url)
    if not settings.enable_http and not settings.enable_https:
        raise SystemExit("seatunnel-rest: enable-http and enable-https are both false")
    sockets = []
    if settings.enable_https:
        from app.tls import HTTPS_PORT_ENV, TlsConfigError, build_context

        try:
            build_context(settings)  # fail now, with the key's name, rather than in each worker
        except TlsConfigError as exc:
            raise SystemExit(f"seatunnel-rest: {exc}") from exc
        https_sock = _bind(settings.host, settings.https_port)
        os.environ[HTTPS_PORT_ENV] = str(https_sock.getsockname()[1])
    if settings.enable_http:
        sock = listen_socket(settings)
        port = sock.getsockname()[1]
        sockets.append(sock)
    else:
        port = https_sock.getsockname()[1]  # the node id names the port that answers
    settings = settings.with_overrides(port=port)
    _prepare_worker_environment(settings)
    if settings.enable_http:
        print(f"SeaTunnel REST service will start on port {port}", flush=True)
    if settings.enable_https:
        sockets.append(https_sock)
        https_port = https_sock.getsockname()[1]
        print(f"SeaTunnel REST service (HTTPS) will start on port {https_port}", flush=True)

    class Server(BaseApplication):
        """gunicorn, configured from Settings; the app is built in each worker after fork."""

        def load_config(self) -> None:
            options = {
                "bind": [f"fd://{listener.fileno()}" for listener in sockets],
                "workers": settings.processes,
                "worker_class": "gthread",
                "threads": settings.threads,
                "keepalive": 5,
                "graceful_timeout": 10,
                "timeout": 60,
                "worker_exit": _worker_exit,
                "loglevel": "warning",
                "proc_name": "seatunnel-rest",
            }
            if settings.enable_https:
                from app.tls import worker_class

                options["worker_class"] = worker_class(settings)
                options["sendfile"] = False  # sendfile() would bypass TLS on HTTPS connections
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from app import create_app
            from app.gc_tuning import tune_for_serving

            app = create_app(settings)
            tune_for_serving()
            return app

    Server().run()


def _prepare_worker_environment(settings: Settings) -> None:
    """What workers inherit: the master's pid (node-wide figures) and the shared metrics dir."""
    os.environ[MASTER_PID_ENV] = str(os.getpid())
    if settings.telemetry_enabled:
        # Request counters of all workers of this node are summed from files in this directory.
        directory = Path(settings.log_dir).parent / f"request-metrics-{settings.port}"
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        os.environ[request_metrics.DIRECTORY_ENV] = str(directory)


def _worker_exit(_server, worker) -> None:
    """Stop the executor of a worker that exits (SIGTERM, max-requests, shutdown)."""
    app = getattr(worker, "wsgi", None)
    executor = app.extensions["seatunnel"].executor if app is not None else None
    if executor is not None:
        executor.stop()
    directory = os.environ.get(request_metrics.DIRECTORY_ENV)
    if directory:  # its last counts, so the node's totals never go back
        with contextlib.suppress(OSError):
            request_metrics.REQUEST_METRICS.flush(Path(directory))


_SERVE_HELP = """Apply pending database migrations, bind the HTTP port and run the server (gunicorn
with worker.processes processes, each running worker.slots job threads). Settings come from
seatunnel.yaml (--config, else $SEATUNNEL_CONFIG, else the one next to the package) and the
SEATUNNEL_* environment overrides listed in it."""

_DB_HELP = """Database maintenance. `upgrade` applies every pending alembic migration to
database.url of the configuration (serve does this too at start)."""


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: server commands and client commands."""
    from app.client import commands

    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="seatunnel-rest",
        description=__doc__,
        formatter_class=formatter,
        epilog=_examples(
            "seatunnel-rest serve",
            "seatunnel-rest job submit examples/streaming.conf --wait",
            "seatunnel-rest job list --state running",
        ),
    )
    parser.add_argument(
        "--config", metavar="FILE", help="seatunnel.yaml to use (default: $SEATUNNEL_CONFIG)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve_cmd = sub.add_parser(
        "serve",
        help="migrate the database and run the server",
        description=_SERVE_HELP,
        formatter_class=formatter,
        epilog=_examples(
            "seatunnel-rest serve",
            "seatunnel-rest serve --config /etc/seatunnel/seatunnel.yaml",
            "SEATUNNEL_HTTP_PORT=9090 seatunnel-rest serve",
        ),
    )
    serve_cmd.add_argument(
        "--config", dest="config_sub", metavar="FILE", help="seatunnel.yaml to use"
    )
    db_cmd = sub.add_parser(
        "db",
        help="database maintenance (upgrade)",
        description=_DB_HELP,
        formatter_class=formatter,
        epilog=_examples(
            "seatunnel-rest db upgrade",
            "SEATUNNEL_DATABASE_URL=postgresql+psycopg://user@db:5432/seatunnel seatunnel-rest db upgrade",
        ),
    )
    db_cmd.add_argument(
        "action",
        choices=["upgrade"],
        metavar="ACTION",
        help="upgrade: apply every pending migration",
    )
    db_cmd.add_argument("--config", dest="config_sub", metavar="FILE", help="seatunnel.yaml to use")
    commands.register(sub)
    return parser


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    if getattr(args, "handler", None) is not None:
        from app.client import commands

        raise SystemExit(commands.run(args))
    try:
        settings = load_settings(args.config_sub or args.config)
    except SettingsError as exc:
        print(f"seatunnel-rest: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    if args.command == "serve":
        serve(settings)
    else:
        from app.migrate import upgrade

        upgrade(settings.database_url)
        print("database is up to date")


if __name__ == "__main__":
    main()

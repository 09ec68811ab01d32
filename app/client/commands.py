"""The client's commands: `job submit|list|info|stop|logs`, `cluster overview`, `config encrypt`.

Each command prints a human summary, or with --json the server's raw answer. A server error
prints the server's message on stderr and exits 1; `job submit --wait` exits 0 only when the
job ends FINISHED.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from app.client.http import Client, ClientError, Response, default_url

FINAL = ("FINISHED", "CANCELED", "FAILED", "SAVEPOINT_DONE", "UNKNOWABLE")
POLL_S = 1.0
EXIT_ERROR = 1
EXIT_NOT_FINISHED = 3


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def _client_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--url",
        metavar="URL",
        help=f"server address, with its context path (default: $SEATUNNEL_URL or {default_url({})})",
    )
    common.add_argument("--json", action="store_true", help="print the server's raw JSON answer")
    return common


def _command(
    group: argparse._SubParsersAction,
    name: str,
    summary: str,
    example: str,
    handler: Callable[[argparse.Namespace, Client, TextIO], int],
    parents: list[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    parser = group.add_parser(
        name,
        help=summary,
        description=summary,
        epilog=f"example:\n  {example}\n\nauth: SEATUNNEL_USER and SEATUNNEL_PASSWORD, when the server has basic auth on.",
        formatter_class=_formatter,
        parents=parents,
    )
    parser.set_defaults(handler=handler)
    return parser


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `job`, `cluster` and `config` command groups to the main parser."""
    common = [_client_options()]

    job = sub.add_parser(
        "job",
        help="submit, list, inspect and stop jobs",
        description="Submit, list, inspect and stop jobs on a running server.",
        epilog="example:\n  seatunnel-rest job submit examples/streaming.conf --wait",
        formatter_class=_formatter,
    )
    jobs = job.add_subparsers(dest="job_command", required=True, metavar="COMMAND")
    submit = _command(
        jobs,
        "submit",
        "submit a job config file (.json as JSON, .conf/.hocon/.config as HOCON)",
        "seatunnel-rest job submit examples/batch.json --name demo --wait",
        _submit,
        common,
    )
    submit.add_argument("file", metavar="FILE", help="the job config")
    submit.add_argument("--name", help="the job name (default: env.job.name or SeaTunnel_Job)")
    submit.add_argument("--id", metavar="ID", help="the job id to use (default: a new one)")
    submit.add_argument(
        "--restore",
        action="store_true",
        help="restart job --id from its last savepoint or checkpoint",
    )
    submit.add_argument(
        "--wait",
        action="store_true",
        help="show live progress until the job ends; exit 0 only if it FINISHED",
    )

    listing = _command(
        jobs,
        "list",
        "list jobs, newest first",
        "seatunnel-rest job list --state running",
        _list,
        common,
    )
    listing.add_argument(
        "--state",
        metavar="S",
        help="running, finished, or one status (FINISHED, FAILED, CANCELED, ...)",
    )
    listing.add_argument("--name", help="only jobs whose name contains this")
    listing.add_argument("--page", type=int, default=1, metavar="P", help="page number (from 1)")
    listing.add_argument("--rows", type=int, default=20, metavar="N", help="jobs per page")

    info = _command(
        jobs, "info", "show one job", "seatunnel-rest job info 912345678901234567", _info, common
    )
    info.add_argument("id", metavar="ID")

    stop = _command(
        jobs,
        "stop",
        "stop a job (gracefully, with a savepoint, or by force)",
        "seatunnel-rest job stop 912345678901234567 --savepoint",
        _stop,
        common,
    )
    stop.add_argument("id", metavar="ID")
    how = stop.add_mutually_exclusive_group()
    how.add_argument("--savepoint", action="store_true", help="take a savepoint, then stop")
    how.add_argument("--force", action="store_true", help="cancel at once")

    logs = _command(
        jobs,
        "logs",
        "print a job's log",
        "seatunnel-rest job logs 912345678901234567 --follow",
        _logs,
        common,
    )
    logs.add_argument("id", metavar="ID")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing while it runs")

    cluster = sub.add_parser(
        "cluster",
        help="look at the cluster",
        description="Look at the cluster a server belongs to.",
        epilog="example:\n  seatunnel-rest cluster overview",
        formatter_class=_formatter,
    )
    clusters = cluster.add_subparsers(dest="cluster_command", required=True, metavar="COMMAND")
    _command(
        clusters,
        "overview",
        "version, slots, workers and job counts",
        "SEATUNNEL_URL=http://node1:8080 seatunnel-rest cluster overview",
        _overview,
        common,
    )

    config = sub.add_parser(
        "config",
        help="work with job config files",
        description="Work with job config files.",
        epilog="example:\n  seatunnel-rest config encrypt examples/encrypt.json > encrypted.json",
        formatter_class=_formatter,
    )
    configs = config.add_subparsers(dest="config_command", required=True, metavar="COMMAND")
    encrypt = _command(
        configs,
        "encrypt",
        "encode the sensitive options of a config with its env.shade.identifier (by the server)",
        "seatunnel-rest config encrypt examples/encrypt.json > encrypted.json",
        _encrypt,
        common,
    )
    encrypt.add_argument("file", metavar="FILE", help="the job config (JSON or HOCON)")


def run(args: argparse.Namespace, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run the chosen client command; the exit status."""
    client = Client.from_env(args.url)
    try:
        return args.handler(args, client, out)
    except ClientError as exc:
        print(f"error: {exc.message}", file=err)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


# ---------- output helpers ----------


def _raw(response: Response, out: TextIO) -> None:
    out.write(response.text.rstrip("\n") + "\n")


def _table(rows: list[list[str]], headers: list[str], out: TextIO) -> None:
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=False)]
    for line in [headers, *rows]:
        out.write(
            "  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=False)).rstrip() + "\n"
        )


def _count(value: Any) -> str:
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


def _rate(value: Any) -> str:
    try:
        return f"{float(value):,.1f}"
    except (TypeError, ValueError):
        return str(value)


def _read(path: str) -> bytes:
    file = Path(path)
    try:
        return file.read_bytes()
    except OSError as exc:
        raise ClientError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _format_of(path: str) -> str:
    return "json" if path.lower().endswith(".json") else "hocon"


# ---------- commands ----------


def _submit(args: argparse.Namespace, client: Client, out: TextIO) -> int:
    if args.restore and not args.id:
        raise ClientError("--restore needs --id (the job to restore)")
    fmt = _format_of(args.file)
    params = {"format": fmt, "jobName": args.name, "jobId": args.id}
    if args.restore:
        params["isStartWithSavePoint"] = "true"
    content_type = "application/json" if fmt == "json" else "text/plain"
    response = client.request("POST", "/submit-job", params, _read(args.file), content_type)
    submitted = response.data
    if args.json:
        _raw(response, out)
    else:
        out.write(f"Submitted job {submitted['jobId']} ({submitted['jobName']})\n")
    if not args.wait:
        return 0
    job = _wait(client, submitted["jobId"], out, quiet=args.json)
    if args.json:
        out.write(json.dumps(job) + "\n")
    return 0 if job.get("jobStatus") == "FINISHED" else EXIT_NOT_FINISHED


def _progress(job: dict) -> str:
    metrics = job.get("metrics") or {}
    return (
        f"{job.get('jobStatus', '?'):<15} read {_count(metrics.get('SourceReceivedCount', 0))} rows "
        f"({_rate(metrics.get('SourceReceivedQPS', 0))} rows/s)  "
        f"written {_count(metrics.get('SinkWriteCount', 0))} rows "
        f"({_rate(metrics.get('SinkWriteQPS', 0))} rows/s)"
    )


def _wait(client: Client, job_id: str, out: TextIO, quiet: bool = False) -> dict:
    """Poll job-info until the job ends, redrawing one progress line (or printing one per
    change when the output is not a terminal)."""
    live = out.isatty()
    last = ""
    while True:
        job = client.get(f"/job-info/{job_id}").data or {}
        if not job.get("jobStatus"):
            raise ClientError(f"job {job_id} not found")
        line = _progress(job)
        if not quiet and line != last:
            out.write(f"\r\033[K{line}" if live else f"{line}\n")
            out.flush()
            last = line
        if job["jobStatus"] in FINAL:
            if not quiet:
                if live:
                    out.write("\n")
                if job.get("errorMsg"):
                    out.write(f"error: {job['errorMsg']}\n")
            return job
        time.sleep(POLL_S)


def _list(args: argparse.Namespace, client: Client, out: TextIO) -> int:
    response = client.get(
        "/job-list", state=args.state, name=args.name, page=args.page, rows=args.rows
    )
    if args.json:
        _raw(response, out)
        return 0
    page = response.data
    rows = [
        [
            j["jobId"],
            j["jobName"],
            j["jobStatus"],
            j.get("createTime") or "",
            j.get("finishTime") or "",
            _count(j["metrics"].get("SourceReceivedCount")),
            _count(j["metrics"].get("SinkWriteCount")),
        ]
        for j in page["data"]
    ]
    _table(rows, ["ID", "NAME", "STATUS", "CREATED", "FINISHED", "READ", "WRITTEN"], out)
    pages = max(1, -(-page["total"] // args.rows))
    out.write(f"page {args.page} of {pages} ({page['total']} jobs)\n")
    return 0


def _info(args: argparse.Namespace, client: Client, out: TextIO) -> int:
    response = client.get(f"/job-info/{args.id}")
    job = response.data or {}
    if args.json:
        _raw(response, out)
        return 0 if job.get("jobStatus") else EXIT_ERROR
    if not job.get("jobStatus"):
        raise ClientError(f"job {args.id} not found")
    metrics = job.get("metrics") or {}
    fields = [
        ("id", job["jobId"]),
        ("name", job.get("jobName")),
        ("status", job["jobStatus"]),
        ("created", job.get("createTime")),
        ("finished", job.get("finishTime")),
        ("rows read", _count(metrics.get("SourceReceivedCount", 0))),
        ("rows written", _count(metrics.get("SinkWriteCount", 0))),
        ("read rows/s", _rate(metrics.get("SourceReceivedQPS", 0))),
        ("write rows/s", _rate(metrics.get("SinkWriteQPS", 0))),
        ("latest checkpoint", (job.get("latestCheckpoint") or {}).get("checkpointId")),
        ("savepoint", job.get("savepointPath")),
        ("error", job.get("errorMsg")),
    ]
    for label, value in fields:
        if value not in (None, ""):
            out.write(f"{label + ':':<19}{value}\n")
    vertices = (job.get("jobDag") or {}).get("vertexInfoMap") or []
    if vertices:
        out.write("dag:\n")
        for vertex in vertices:
            out.write(
                f"  {vertex.get('vertexId')}  {vertex.get('type'):<10} {vertex.get('vertexName')}\n"
            )
    return 0


def _stop(args: argparse.Namespace, client: Client, out: TextIO) -> int:
    payload = {"jobId": args.id, "isStopWithSavePoint": args.savepoint, "force": args.force}
    response = client.post_json("/stop-job", payload)
    if args.json:
        _raw(response, out)
    else:
        how = "with a savepoint" if args.savepoint else "by force" if args.force else ""
        out.write(f"Stop {how} requested for job {args.id}\n".replace("  ", " "))
    return 0


def _logs(args: argparse.Namespace, client: Client, out: TextIO) -> int:
    offset: int | None = 0
    while True:
        response = client.get(f"/jobs/{args.id}/log", offset=offset)
        piece = response.data
        if args.json:
            _raw(response, out)
        else:
            out.write(piece["text"])
            out.flush()
        if piece["size"] > piece["offset"]:
            offset = piece["size"]
            continue  # more may be there already: read on before waiting
        offset = piece["size"]
        if not args.follow:
            return 0
        status = (client.get(f"/job-info/{args.id}").data or {}).get("jobStatus")
        if status in FINAL or status is None:
            final = client.get(f"/jobs/{args.id}/log", offset=offset).data
            if not args.json:
                out.write(final["text"])
            return 0
        time.sleep(POLL_S)


def _overview(args: argparse.Namespace, client: Client, out: TextIO) -> int:
    response = client.get("/overview")
    if args.json:
        _raw(response, out)
        return 0
    for key, value in response.data.items():
        out.write(f"{key + ':':<18}{value}\n")
    return 0


def _encrypt(args: argparse.Namespace, client: Client, out: TextIO) -> int:
    raw = _read(args.file)
    if _format_of(args.file) == "json":
        try:
            config = json.loads(raw)
        except ValueError as exc:
            raise ClientError(f"{args.file}: invalid JSON: {exc}") from exc
    else:
        from pyhocon import ConfigFactory, HOCONConverter
        from pyhocon.exceptions import ConfigException
        from pyparsing import ParseBaseException

        try:
            tree = ConfigFactory.parse_string(raw.decode("utf-8"), resolve=True)
        except (ConfigException, ParseBaseException, UnicodeDecodeError) as exc:
            raise ClientError(f"{args.file}: invalid HOCON: {exc}") from exc
        config = json.loads(HOCONConverter.to_json(tree))
    response = client.post_json("/encrypt-config", config)
    if args.json:
        _raw(response, out)
    else:
        out.write(json.dumps(response.data, indent=2) + "\n")
    return 0

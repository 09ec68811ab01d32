"""LocalFile sink: files under `path`, written exactly once through per-checkpoint transaction
directories under `tmp_path` (reference-connectors §1.6 and §2.3-2.4)."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from app.engine.options import BOOL, INT, STRING, STRING_LIST, Option, show
from app.engine.plugin import RunContext, Sink, SinkCommitter, SinkWriter, TableInfo
from app.engine.registry import register_sink

FORMATS = ("TEXT", "CSV", "JSON", "PARQUET")


@register_sink("LocalFile")
class LocalFile(Sink):
    """SeaTunnel's LocalFile sink (text, csv, json lines and parquet)."""

    options = (
        Option("path", STRING, required=True),
        Option("tmp_path", STRING, "/tmp/seatunnel"),
        Option("file_format_type", STRING, "CSV", choices=FORMATS),
        Option("field_delimiter", STRING, "\x01"),
        Option("row_delimiter", STRING, "\n"),
        Option("custom_filename", BOOL, False),
        Option("file_name_expression", STRING, "${transactionId}"),
        Option("sink_columns", STRING_LIST),
        Option("enable_header_write", BOOL, False),
        Option("batch_size", INT, 1_000_000, min=1),
    )

    def configure(self) -> None:
        """Check the path and the file name expression."""
        if not self.values["path"].strip():
            raise self.error("path", "must not be empty")
        expression = self.values["file_name_expression"]
        if "transactionId" not in expression:
            raise self.error(
                "file_name_expression",
                f"must contain ${{transactionId}} (exactly-once needs it), got {show(expression)}",
            )

    def check_tables(self, tables: list[TableInfo]) -> None:
        """Every sink column must be a field of every incoming table (matched ignoring case)."""
        for table in tables:
            names = {n.lower() for n in table.schema.names}
            for name in self.values["sink_columns"] or ():
                if name.lower() not in names:
                    raise self.unknown_field("sink_columns", name, table.schema)

    def writer(self, tables: list[TableInfo], ctx: RunContext) -> SinkWriter:
        """A transactional writer for the tables that reach this sink."""
        return LocalFileWriter(self.values, ctx)

    def committer(self, ctx: RunContext) -> SinkCommitter:
        """Moves prepared transaction files into `path` once their checkpoint is stored."""
        return LocalFileCommitter(self.values, ctx)


def _job_dir(values: dict[str, Any], job_id: str) -> Path:
    return Path(values["tmp_path"]) / "seatunnel" / job_id


class LocalFileCommitter(SinkCommitter):
    """Renames each prepared transaction's files into `path`; on restore, deletes the job's
    later transactions (their rows are replayed by the sources)."""

    def __init__(self, values: dict[str, Any], ctx: RunContext) -> None:
        self.values = values
        self.job_id = ctx.job_id

    def commit(self, checkpoint_id: int, infos: list[Any]) -> None:
        """Move every transaction's files; a missing temp file was moved already."""
        for prepared in infos:
            if not prepared:
                continue
            for temp, target in prepared["moves"]:
                if os.path.exists(temp):
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    os.replace(temp, target)
            shutil.rmtree(prepared["transaction_dir"], ignore_errors=True)

    def restore(self, checkpoint_id: int, infos: list[Any]) -> None:
        """Commit the restored transactions, then delete every other one of this job.

        Restored writers start under fresh uuid prefixes, so nothing of the new run is here
        yet, and a stale run of the same job can never write into this run's directories.
        """
        self.commit(checkpoint_id, infos)
        leftovers = _job_dir(self.values, self.job_id)
        if leftovers.is_dir():
            shutil.rmtree(leftovers, ignore_errors=True)


class LocalFileWriter(SinkWriter):
    """Writes into transaction N (committed by checkpoint N); prepare_commit closes its files."""

    def __init__(self, values: dict[str, Any], ctx: RunContext) -> None:
        self.values = values
        self.format = values["file_format_type"].lower()
        self.job_id = ctx.job_id
        self.subtask = ctx.subtask_index
        self.uuid = uuid.uuid4().hex[:10]
        self.number = ctx.restored_checkpoint_id + 1
        self.target = Path(values["path"])
        self._files: list[tuple[str, str]] = []  # (temp, target) of the open transaction
        self._handle: Any = None
        self._rows_in_file = 0
        self._part = 0

    # -- layout --------------------------------------------------------------------------
    def _job_tmp(self) -> Path:
        return _job_dir(self.values, self.job_id) / self.uuid

    def _transaction_id(self) -> str:
        return f"T_{self.job_id}_{self.uuid}_{self.subtask}_{self.number}"

    def _transaction_dir(self) -> Path:
        return self._job_tmp() / self._transaction_id()

    def _file_name(self) -> str:
        from app.engine.plugins.file_format import SUFFIXES

        name = self.values["file_name_expression"].replace(
            "${transactionId}", self._transaction_id()
        )
        name = name.replace("${uuid}", uuid.uuid4().hex)
        return f"{name}_{self._part}{SUFFIXES[self.format]}"

    # -- writing -------------------------------------------------------------------------
    def write(self, batch: Any) -> None:
        """Append `batch` to the transaction's current file, rolling to a new part at batch_size."""
        data = self._project(batch.data)
        offset = 0
        while offset < data.num_rows:
            if self._handle is None or self._rows_in_file >= self.values["batch_size"]:
                self._open_file(data.schema)
            room = self.values["batch_size"] - self._rows_in_file
            piece = data.slice(offset, room)
            self._append(piece)
            self._rows_in_file += piece.num_rows
            offset += piece.num_rows

    def _project(self, data: Any) -> Any:
        columns = self.values["sink_columns"]
        if not columns:
            return data
        by_lower = {name.lower(): i for i, name in enumerate(data.schema.names)}
        return data.select([by_lower[c.lower()] for c in columns])

    def _open_file(self, schema: Any) -> None:
        self._close_file()
        if self._files:
            self._part += 1
        temp = self._transaction_dir() / "NON_PARTITION" / self._file_name()
        temp.parent.mkdir(parents=True, exist_ok=True)
        self._files.append((str(temp), str(self.target / temp.name)))
        self._rows_in_file = 0
        if self.format == "parquet":
            import pyarrow.parquet as pq

            self._handle = pq.ParquetWriter(str(temp), schema)
            return
        self._handle = open(temp, "w", encoding="utf-8", newline="")  # noqa: SIM115
        if self.values["enable_header_write"] and self.format in ("text", "csv"):
            from app.engine.plugins.file_format import header

            self._handle.write(header(schema.names, self.format, self.values["field_delimiter"]))
            self._rows_in_file = -1  # the header counts as a line for the delimiter below

    def _append(self, data: Any) -> None:
        if self.format == "parquet":
            self._handle.write_batch(data)
            return
        from app.engine.plugins.file_format import lines

        delimiter = self.values["row_delimiter"]
        text = delimiter.join(lines(data, self.format, self.values["field_delimiter"]))
        if self._rows_in_file != 0:  # rows are separated, never terminated, by row_delimiter
            text = delimiter + text
        self._handle.write(text)
        if self._rows_in_file < 0:
            self._rows_in_file = 0

    def _close_file(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    # -- two-phase commit ----------------------------------------------------------------
    def prepare_commit(self, checkpoint_id: int) -> dict:
        """Close transaction N's files; describe their moves; start transaction N+1."""
        self._close_file()
        prepared = {
            "uuid": self.uuid,
            "checkpoint_id": checkpoint_id,
            "transaction_dir": str(self._transaction_dir()),
            "moves": self._files,
        }
        self.number = checkpoint_id + 1
        self._files, self._part = [], 0
        return prepared

    def abort(self) -> None:
        """Drop the open transaction."""
        self._close_file()
        shutil.rmtree(self._transaction_dir(), ignore_errors=True)
        self._files = []

    def close(self) -> None:
        """Close any open file (an uncommitted transaction stays for restore to discard)."""
        self._close_file()

"""Console sink: logs the row type on open and, unless log.print.data=false, every row in SeaTunnel's format."""

from __future__ import annotations

from typing import Any

from app.engine.batch import ROW_KINDS
from app.engine.options import BOOL, INT, Option
from app.engine.plugin import RunContext, Sink, SinkWriter, TableInfo
from app.engine.registry import register_sink

WRITER_LOGGER = "org.apache.seatunnel.connectors.seatunnel.console.sink.ConsoleSinkWriter"


@register_sink("Console")
class Console(Sink):
    """SeaTunnel's Console sink."""

    options = (
        Option("log.print.data", BOOL, True, description="Log every row; false logs none."),
        Option(
            "log.print.delay.ms",
            INT,
            0,
            min=0,
            limit="delay_ms",
            description="Milliseconds to wait after each printed row.",
        ),
    )

    def writer(self, tables: list[TableInfo], ctx: RunContext) -> SinkWriter:
        """Log `output rowType: ...` for each table and return the row printer."""
        for table in tables:
            ctx.log(f"output rowType: {table.schema.row_type()}", logger=WRITER_LOGGER)
        return ConsoleWriter(self.values, tables, ctx)


class ConsoleWriter(SinkWriter):
    """Prints rows to the job log; a no-op per batch when log.print.data is false."""

    def __init__(self, values: dict[str, Any], tables: list[TableInfo], ctx: RunContext) -> None:
        self.print_data = values["log.print.data"]
        self.delay = values["log.print.delay.ms"] / 1000.0
        self.schemas = {t.path: t.schema for t in tables}
        self.log = ctx.log
        self.ctx = ctx
        self.subtask = ctx.subtask_index
        self.row_index = 0

    def write(self, batch: Any) -> None:
        """Log every row of `batch` (per-row Python only here, where rows are printed)."""
        if not self.print_data:
            return
        from app.engine.plugins.console_format import format_columns

        texts = format_columns(batch.data)
        kinds = batch.kinds.to_pylist() if batch.kinds is not None else None
        prefix = f"SeaTunnelRow#tableId={batch.table} SeaTunnelRow#kind="
        for i, values in enumerate(zip(*texts, strict=True) if texts else ([],) * batch.num_rows):
            self.row_index += 1
            kind = ROW_KINDS[kinds[i]] if kinds is not None else "INSERT"
            self.log(
                f"subtaskIndex={self.subtask}  rowIndex={self.row_index}:  {prefix}{kind} : {', '.join(values)}",
                logger=WRITER_LOGGER,
            )
            if self.delay and self.ctx.wait(self.delay):
                return  # cancelled: stop printing

"""Jdbc sink (reference-connectors §3.3): a user `query`, or generated INSERT/UPSERT/DELETE for
`database`/`table`, bulk flushes, save modes, and exactly-once through the checkpoint contract:
each writer prepares one transaction per checkpoint (PostgreSQL PREPARE TRANSACTION, MySQL/MariaDB
XA), the committer commits it once the checkpoint is stored, and a restored run commits the
stored transactions and rolls back every other prepared transaction of the job.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from app.engine.options import BOOL, INT, STRING, STRING_LIST, Option, show
from app.engine.plugin import RunContext, Sink, SinkCommitter, SinkWriter, TableInfo
from app.engine.plugins.jdbc.common import CONNECTION_OPTIONS, identifier_case, target_of
from app.engine.plugins.jdbc.connect import MYSQL, POSTGRESQL, SQLITE, ConnectError, Target, connect
from app.engine.plugins.jdbc.dialect import dialect_for
from app.engine.registry import register_sink

SCHEMA_SAVE_MODES = (
    "RECREATE_SCHEMA",
    "CREATE_SCHEMA_WHEN_NOT_EXIST",
    "ERROR_WHEN_SCHEMA_NOT_EXIST",
    "IGNORE",
)
DATA_SAVE_MODES = ("DROP_DATA", "APPEND_DATA", "ERROR_WHEN_DATA_EXISTS", "CUSTOM_PROCESSING")


@register_sink("Jdbc")
class JdbcSink(Sink):
    """SeaTunnel's Jdbc sink."""

    # SeaTunnel options known but not implemented here: a clear 400 once the engine checks them
    unsupported = ("kerberos_principal", "kerberos_keytab_path", "krb5_path")

    options = (
        *CONNECTION_OPTIONS,
        Option(
            "query",
            STRING,
            description="INSERT/UPSERT statement with positional ? placeholders, in the upstream field order.",
        ),
        Option(
            "database", STRING, description="Target database for generated SQL (generate_sink_sql)."
        ),
        Option(
            "table",
            STRING,
            description="Target table for generated SQL; may use ${table_name}, ${schema_name}, ${database_name}.",
        ),
        Option(
            "generate_sink_sql",
            BOOL,
            False,
            description="Generate INSERT/UPSERT/DELETE statements for database/table from the upstream schema.",
        ),
        Option("primary_keys", STRING_LIST, description="Key columns: upserts and deletes by key."),
        Option(
            "enable_upsert",
            BOOL,
            True,
            description="Upsert by primary_keys (false: plain inserts).",
        ),
        Option(
            "support_upsert_by_query_primary_key_exist",
            BOOL,
            False,
            description="Accepted for SeaTunnel compatibility; upserts use the database's native form.",
        ),
        Option(
            "is_primary_key_updated",
            BOOL,
            True,
            description="Whether an upsert also updates the key columns.",
        ),
        Option(
            "support_upsert_by_insert_only",
            BOOL,
            False,
            description="Upsert rows by inserting only (no update of existing keys).",
        ),
        Option(
            "batch_size",
            INT,
            1000,
            min=1,
            max=1 << 24,
            description="Rows buffered per writer before a bulk flush.",
        ),
        Option("max_retries", INT, 0, min=0, max=100, description="Retries of a failed flush."),
        Option(
            "is_exactly_once",
            BOOL,
            False,
            description="Two-phase commit through checkpoints (PREPARE TRANSACTION / XA).",
        ),
        Option(
            "xa_data_source_class_name",
            STRING,
            description="Java XA data source class (accepted; XA is chosen from the URL).",
        ),
        Option(
            "max_commit_attempts",
            INT,
            3,
            min=1,
            max=100,
            description="Attempts to commit a prepared transaction after its checkpoint is stored.",
        ),
        Option(
            "transaction_timeout_sec",
            INT,
            -1,
            min=-1,
            description="Accepted for SeaTunnel compatibility; prepared transactions do not time out here.",
        ),
        Option(
            "schema_save_mode",
            STRING,
            "CREATE_SCHEMA_WHEN_NOT_EXIST",
            choices=SCHEMA_SAVE_MODES,
            description="What to do with the target table before writing (create it from the upstream schema, ...).",
        ),
        Option(
            "data_save_mode",
            STRING,
            "APPEND_DATA",
            choices=DATA_SAVE_MODES,
            description="What to do with existing rows: APPEND_DATA, DROP_DATA, ERROR_WHEN_DATA_EXISTS, CUSTOM_PROCESSING.",
        ),
        Option(
            "custom_sql",
            STRING,
            description="Statement run before writing with data_save_mode CUSTOM_PROCESSING.",
        ),
        Option(
            "use_copy_statement",
            BOOL,
            False,
            description="PostgreSQL: write through COPY (inserts always do here).",
        ),
        Option(
            "create_index",
            BOOL,
            True,
            description="Create the primary key / indexes when the table is created.",
        ),
        Option(
            "multi_table_sink_replica",
            INT,
            1,
            min=1,
            max=64,
            description="Accepted for SeaTunnel compatibility; one writer per subtask and table.",
        ),
    )

    def configure(self) -> None:
        """Check option combinations as SeaTunnel's option rules do."""
        values = self.values
        self.target: Target = target_of(self)
        if values["generate_sink_sql"] and not values["database"] and self.target.dialect != SQLITE:
            raise self.error("database", "is required when generate_sink_sql is true")
        if not values["generate_sink_sql"] and not values["query"]:
            raise self.error("query", "is required when generate_sink_sql is false")
        if values["data_save_mode"] == "CUSTOM_PROCESSING" and not values["custom_sql"]:
            raise self.error("custom_sql", "is required when data_save_mode is CUSTOM_PROCESSING")
        if values["use_copy_statement"] and self.target.dialect != POSTGRESQL:
            raise self.error("use_copy_statement", "works with PostgreSQL only")
        if values["is_exactly_once"]:
            self._check_exactly_once()
        self._save_lock = threading.Lock()
        self._saved = False

    def _check_exactly_once(self) -> None:
        values = self.values
        if self.target.dialect == SQLITE:
            raise self.error(
                "is_exactly_once", "needs XA or prepared transactions; SQLite has neither"
            )
        if not values["xa_data_source_class_name"]:
            raise self.error(
                "xa_data_source_class_name", "is required when is_exactly_once is true"
            )
        if values["max_retries"]:
            raise self.error("max_retries", "must be 0 when is_exactly_once is true")
        if self.target.dialect == POSTGRESQL:
            try:
                conn = connect(self.target)
            except ConnectError as exc:
                raise self.error("url", str(exc)) from None
            try:
                cur = conn.execute("SHOW max_prepared_transactions")
                allowed = int(cur.fetchone()[0])
            finally:
                conn.close()
            if allowed <= 0:
                raise self.error(
                    "is_exactly_once",
                    "needs PostgreSQL's max_prepared_transactions > 0 (the server has 0)",
                )

    def check_tables(self, tables: list[TableInfo]) -> None:
        """Primary keys must be fields of every incoming table; target names must resolve."""
        for table in tables:
            names = {n.lower() for n in table.schema.names}
            for key in self.values["primary_keys"] or ():
                if key.lower() not in names:
                    raise self.unknown_field("primary_keys", key, table.schema)
            if not self.values["query"]:
                self.target_path(table.path)

    def target_path(self, upstream: str) -> str:
        """The target table path for an upstream table (`${table_name}` etc. filled in)."""
        parts = upstream.split(".")
        fill = {
            "${table_name}": parts[-1],
            "${schema_name}": parts[-2] if len(parts) == 3 else "",
            "${database_name}": parts[0] if len(parts) >= 2 else "",
        }
        table = self.values["table"] or "${table_name}"
        database = self.values["database"] or "${database_name}"
        for key, value in fill.items():
            table = table.replace(key, value)
            database = database.replace(key, value)
        table = table.strip(".")
        if not table or "${" in table or "${" in database:
            raise self.error("table", f"does not name a table for upstream table {show(upstream)}")
        dialect = self.target.dialect
        if dialect == MYSQL:
            return table if "." in table else f"{database or self.target.database}.{table}"
        if dialect == POSTGRESQL:
            pieces = table.split(".")
            return table if len(pieces) >= 2 else f"public.{table}"
        return table.split(".")[-1]

    def _target_for_database(self) -> Target:
        """PostgreSQL connects to `database` when it names another database than the URL."""
        database = self.values["database"]
        if self.target.dialect == POSTGRESQL and database and "${" not in database:
            return replace(self.target, database=database)
        return self.target

    def writer(self, tables: list[TableInfo], ctx: RunContext) -> SinkWriter:
        """A writer for this subtask; the first writer of a fresh run applies the save modes."""
        if not self.values["query"] and ctx.restored_checkpoint_id == 0:
            with self._save_lock:
                if not self._saved:
                    self._apply_save_modes(tables)
                    self._saved = True
        return JdbcSinkWriter(self, tables, ctx)

    def _apply_save_modes(self, tables: list[TableInfo]) -> None:
        from app.engine.errors import JobError
        from app.engine.plugins.jdbc.write import WriteError, apply_save_modes

        target = self._target_for_database()
        dialect = dialect_for(target.dialect)
        for table in tables:
            schema, keys = self._renamed(table)
            if not self.values["create_index"]:
                keys = []  # create_index = false: the created table gets no primary key
            try:
                apply_save_modes(
                    target, dialect, self.target_path(table.path), schema, keys,
                    self.values["schema_save_mode"], self.values["data_save_mode"],
                    self.values["custom_sql"],
                )  # fmt: skip
            except (WriteError, ConnectError) as exc:
                raise JobError(f"Jdbc sink: {exc}") from None

    def _renamed(self, table: TableInfo) -> tuple[Any, list[str]]:
        from app.engine.types import Field, Schema

        ide = self.values["field_ide"]
        schema = Schema(
            tuple(Field(identifier_case(f.name, ide), f.type) for f in table.schema.fields)
        )
        by_lower = {f.name.lower(): f.name for f in schema.fields}
        keys = [
            by_lower.get(identifier_case(k, ide).lower(), k)
            for k in self.values["primary_keys"] or []
        ]
        return schema, keys

    def committer(self, ctx: RunContext) -> SinkCommitter | None:
        """With is_exactly_once: commits the prepared transactions after each stored checkpoint."""
        if not self.values["is_exactly_once"]:
            return None
        return JdbcCommitter(
            self._target_for_database(), f"st_{ctx.job_id}", self.values["max_commit_attempts"], ctx
        )


class JdbcSinkWriter(SinkWriter):
    """Routes batches by table to one JdbcWriter per target table."""

    def __init__(self, sink: JdbcSink, tables: list[TableInfo], ctx: RunContext) -> None:
        self.sink = sink
        self.ctx = ctx
        self.target = sink._target_for_database()
        self.dialect = dialect_for(self.target.dialect)
        self.tables = {t.path: t for t in tables}
        self.writers: dict[str, Any] = {}

    def _writer_for(self, path: str) -> Any:
        from app.engine.plugins.jdbc.write import JdbcWriter, SinkSpec

        writer = self.writers.get(path)
        if writer is not None:
            return writer
        values = self.sink.values
        schema, keys = self.sink._renamed(self.tables[path])
        table_path = None if values["query"] else self.sink.target_path(path)
        spec = SinkSpec(
            table_ref=self.dialect.table_ref(table_path) if table_path else None,
            table_name=table_path or "query",
            columns=schema.names,
            schema=schema,
            query=values["query"],
            keys=keys,
            enable_upsert=values["enable_upsert"],
            pk_updated=values["is_primary_key_updated"],
            insert_only=values["support_upsert_by_insert_only"],
            batch_size=values["batch_size"],
            use_copy=values["use_copy_statement"],
            exactly_once=values["is_exactly_once"],
            table_path=table_path,
            max_retries=values["max_retries"],
        )
        writer = JdbcWriter(
            self.target, self.dialect, spec, f"st_{self.ctx.job_id}", self.ctx.subtask_index
        )
        self.writers[path] = writer
        return writer

    def write(self, batch: Any) -> None:
        """Buffer (and flush at batch_size) into the batch's table writer."""
        from app.engine.errors import JobError
        from app.engine.plugins.jdbc.connect import ConnectError
        from app.engine.plugins.jdbc.write import WriteError

        data = batch.data
        ide = self.sink.values["field_ide"]
        if ide:
            data = data.rename_columns([identifier_case(n, ide) for n in data.schema.names])
        try:
            self._writer_for(batch.table).write(data, batch.kinds)
        except (WriteError, ConnectError) as exc:
            raise JobError(f"Jdbc sink: {exc}") from None

    def prepare_commit(self, checkpoint_id: int) -> Any:
        """Flush every table; with exactly-once, the prepared transaction ids."""
        from app.engine.errors import JobError
        from app.engine.plugins.jdbc.connect import ConnectError
        from app.engine.plugins.jdbc.write import WriteError

        xids = []
        try:
            for writer in self.writers.values():
                prepared = writer.prepare_commit()
                if prepared:
                    xids.append(prepared["xid"])
        except (WriteError, ConnectError) as exc:
            raise JobError(f"Jdbc sink: {exc}") from None
        return {"xids": xids} if xids else None

    def abort(self) -> None:
        """Drop what is not prepared."""
        for writer in self.writers.values():
            writer.abort()

    def close(self) -> None:
        """Close the connections (an unprepared transaction rolls back)."""
        for writer in self.writers.values():
            writer.close()


class JdbcCommitter(SinkCommitter):
    """Commits prepared transactions (idempotently); on restore rolls back the job's others."""

    def __init__(self, target: Target, prefix: str, attempts: int, ctx: RunContext) -> None:
        self.target = target
        self.prefix = prefix
        self.attempts = attempts  # max_commit_attempts
        self.ctx = ctx

    def commit(self, checkpoint_id: int, infos: list[Any]) -> None:
        """COMMIT PREPARED / XA COMMIT each transaction that is still prepared."""
        from app.engine.plugins.jdbc.write import finish_prepared

        xids = [x for info in infos if info for x in info.get("xids", [])]
        if xids:
            self._run(finish_prepared, xids, None)

    def restore(self, checkpoint_id: int, infos: list[Any]) -> None:
        """Commit the stored transactions, roll back every other prepared one of this job."""
        from app.engine.plugins.jdbc.write import finish_prepared

        xids = [x for info in infos if info for x in info.get("xids", [])]
        self._run(finish_prepared, xids, self.prefix)

    def _run(self, action: Any, xids: list[str], rollback_prefix: str | None) -> None:
        from app.engine.errors import JobError
        from app.engine.plugins.jdbc.write import WriteError

        for attempt in range(1, self.attempts + 1):
            try:
                action(self.target, dialect_for(self.target.dialect), xids, rollback_prefix)
                return
            except (WriteError, ConnectError) as exc:
                if attempt >= self.attempts or self.ctx.wait(float(attempt)):
                    raise JobError(f"Jdbc sink: {exc}") from None

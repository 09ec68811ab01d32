"""LocalFile source: text, csv, json lines, parquet and orc files under `path`, one split per
file (reference-connectors §1.7, §2.1-2.2).

At plan time the path is resolved under security.allowed-paths and listed (as SeaTunnel lists
at parse time), so the table schema (declared, or read from the first parquet/orc file) and the
partition columns are known for the jobDag. At run time each file is one split, read by
file_read in Arrow batches by the reader of the subtask it is dealt to (split i goes to
subtask i mod parallelism); a split's position is the number of rows already emitted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from app.engine.batch import Batch
from app.engine.options import ANY, BOOL, INT, MAP, STRING, STRING_LIST, Option, show
from app.engine.paths import allowed_roots
from app.engine.plugin import RunContext, Source, SourceReader, Split, TableInfo
from app.engine.plugins.declared_schema import declared_schema
from app.engine.plugins.file_listing import ListingError, list_files, partition_values
from app.engine.registry import register_source
from app.engine.types import Field, Schema, parse_type

FORMATS = ("TEXT", "CSV", "JSON", "PARQUET", "ORC")
NOT_YET_FORMATS = ("EXCEL", "XML", "BINARY")
_PATTERN_LETTERS = re.compile(r"[yMdHhmsSaTuEk'.:/\-_ 年月日时分秒]*")
# compress_codec -> pyarrow codec (SeaTunnel's text/csv/json readers know lzo and none)
CODECS = {"NONE": None, "LZO": "lzo", "GZIP": "gzip", "GZ": "gzip", "BZIP2": "bz2", "ZSTD": "zstd"}
ARCHIVE_CODECS = {"NONE": None, "GZ": "gzip", "ZIP": "zip", "TAR": "tar", "TAR_GZ": "tar_gz"}
DEFAULT_TABLE = "default.default.default"
# LocalFile sink options that SeaTunnel's own e2e configs leave in source blocks (it ignores them)
SINK_ONLY = (
    "tmp_path",
    "custom_filename",
    "file_name_expression",
    "filename_time_format",
    "is_enable_transaction",
    "have_partition",
    "partition_by",
    "partition_dir_expression",
    "is_partition_field_write_in_file",
    "sink_columns",
    "batch_size",
    "single_file_mode",
    "create_empty_file_when_no_data",
    "enable_header_write",
    "csv_string_quote_mode",
)


def _option(key: str, kind: str, default: Any = None, text: str = "", **extra: Any) -> Option:
    return Option(key, kind, default, description=text, **extra)


@register_source("LocalFile")
class LocalFileSource(Source):
    """Reads files from the server's disk, under security.allowed-paths."""

    options = (
        _option("path", STRING, text="A file, or a directory listed recursively (required)."),
        _option(
            "file_format_type",
            STRING,
            text="text, csv, json (one object per line), parquet or orc (required).",
        ),
        _option("schema", MAP, text="The table schema: {fields {name = type}} (and table)."),
        _option("schema.fields", MAP, text="Field name -> SeaTunnel type, in file order."),
        _option("schema.table", STRING, text="Table path; default: plugin_output."),
        _option("read_columns", STRING_LIST, text="Only these fields, in this order."),
        _option(
            "field_delimiter",
            STRING,
            "\x01",
            text="Field separator of text files (a Java regex); csv always uses ','.",
            fallback_keys=("delimiter",),
        ),
        _option(
            "parse_partition_from_path",
            BOOL,
            True,
            text="Add a string column k for every k=v directory of the file's path.",
        ),
        _option(
            "skip_header_row_number", INT, 0, text="Lines skipped at the top of each file.", min=0
        ),
        _option("file_filter_pattern", STRING, text="Regex the whole file name must match."),
        _option("filename_extension", STRING, text="Only files whose path ends with this."),
        _option(
            "compress_codec",
            STRING,
            "NONE",
            text="Compression of text, csv and json files: none, lzo (lzop), gzip, bzip2 or zstd.",
        ),
        _option(
            "archive_compress_codec",
            STRING,
            "NONE",
            text="Each file is an archive: none, zip, tar, tar_gz (members with the format's suffix) or gz.",
        ),
        _option("encoding", STRING, "UTF-8", text="Character set of text, csv and json files."),
        _option("null_format", STRING, text="A text/csv field equal to this is null (e.g. \\N)."),
        _option(
            "read_partitions", STRING_LIST, text="Only files whose path contains one of these."
        ),
        _option(
            "date_format", STRING, "yyyy-MM-dd", text="Accepted for compatibility (auto-detected)."
        ),
        _option(
            "datetime_format",
            STRING,
            "yyyy-MM-dd HH:mm:ss",
            text="Accepted for compatibility (auto-detected).",
        ),
        _option("time_format", STRING, "HH:mm:ss", text="Accepted for compatibility."),
        _option(
            "row_delimiter",
            STRING,
            "\n",
            text="Accepted for compatibility: lines end at \\n, \\r or \\r\\n, as in SeaTunnel.",
        ),
        *(
            Option(
                key,
                ANY,
                description="A LocalFile sink option; the source ignores it, as SeaTunnel does.",
            )
            for key in SINK_ONLY
        ),
        Option(
            "tables_configs",
            ANY,
            description="Several tables: a list of whole single-table configs (schema.table each).",
        ),
    )
    unsupported = (
        "sheet_name",
        "excel_engine",
        "xml_row_tag",
        "xml_use_attr_format",
        "schema.columns",
        "schema.primaryKey",
        "schema.constraintKeys",
        "hadoop_conf",
        "hadoop_conf_path",
        "kerberos_principal",
        "kerberos_keytab_path",
    )

    def configure(self) -> None:
        """Check the options, resolve and list the path, settle the table schema; with
        `tables_configs`, each entry is a whole single-table config (one table each)."""
        values = self.values
        self.children: list[LocalFileSource] = [self]
        if values["tables_configs"] is not None:
            self._multi_table()
            return
        for key in ("path", "file_format_type"):
            if values[key] is None:
                raise self.error(key, "is required")
        self.format = self._format()
        self.compression = self._codec()
        self._check_formats()
        self._check_text_options()
        self.root = self.allowed_path("path")
        self.files = self._list()
        declared = self._declared_schema()
        if self.format in ("parquet", "orc"):
            self.schema = declared or self._file_schema()
        elif self.format == "json" and declared is None:
            raise self.error("schema", "is required for json files")
        else:
            self.schema = declared or Schema((Field("content", parse_type("string")),))
        self.declared = declared is not None
        self._check_read_columns()
        self.partition_keys: list[str] = []
        if values["parse_partition_from_path"] and self.files:
            names = set(self.schema.names)
            self.partition_keys = [k for k, _ in partition_values(self.files[0]) if k not in names]
        table = values["schema.table"] or values["plugin_output"]
        self.table_path = table or DEFAULT_TABLE

    def _multi_table(self) -> None:
        from app.engine.options import validate

        entries = self.values["tables_configs"]
        if not isinstance(entries, list) or not entries:
            raise self.error("tables_configs", "must be a non-empty list of table configs")
        if len(entries) > 1000:
            raise self.error("tables_configs", "must hold at most 1000 tables")
        options = tuple(o for o in self.options if o.key != "tables_configs")
        self.children = []
        for i, entry in enumerate(entries):
            where = f"{self.where}.tables_configs[{i}]"
            if not isinstance(entry, dict):
                raise self.error("tables_configs", f"entry {i} must be an object")
            values = validate(
                self.plugin_name, where, entry, options, self.limits, self.unsupported
            )
            values["plugin_output"] = None  # a table is named by its schema.table
            values["tables_configs"] = None
            child = type(self)(where, entry, values, self.parallelism, self.limits)
            if not values["schema.table"]:
                raise child.error("schema.table", "is required for each of tables_configs")
            self.children.append(child)
        paths = [c.table_path for c in self.children]
        duplicate = next((p for p in paths if paths.count(p) > 1), None)
        if duplicate is not None:
            raise self.error("tables_configs", f"names table {show(duplicate)} twice")

    def _format(self) -> str:
        text = self.values["file_format_type"].upper()
        if text in NOT_YET_FORMATS:
            raise self.error(
                "file_format_type", f"{text.lower()} is not supported yet by this server"
            )
        if text not in FORMATS:
            raise self.error(
                "file_format_type",
                f"must be one of {', '.join(f.lower() for f in FORMATS)}, got {show(self.values['file_format_type'])}",
            )
        return text.lower()

    def _codec(self) -> str | None:
        codec = self.values["compress_codec"].upper()
        if codec not in CODECS:
            raise self.error(
                "compress_codec",
                f"must be one of none, lzo, gzip, bzip2, zstd, got {show(self.values['compress_codec'])}",
            )
        archive = self.values["archive_compress_codec"].upper()
        if archive not in ARCHIVE_CODECS:
            raise self.error(
                "archive_compress_codec",
                "must be one of none, zip, tar, tar_gz, gz, got "
                f"{show(self.values['archive_compress_codec'])}",
            )
        self.archive = ARCHIVE_CODECS[archive] if archive not in ("NONE", "GZ") else None
        if self.archive and CODECS[codec]:
            raise self.error(
                "compress_codec", "cannot be combined with a zip or tar archive_compress_codec"
            )
        chosen = CODECS[codec] or (ARCHIVE_CODECS[archive] if archive == "GZ" else None)
        if chosen and self.format in ("parquet", "orc"):
            return None  # columnar files carry their own compression (SeaTunnel ignores it too)
        return chosen

    def _check_formats(self) -> None:
        """Date/time patterns are accepted (values are auto-detected, as SeaTunnel's text and
        csv readers do) if they look like Java patterns."""
        for key in ("date_format", "datetime_format", "time_format"):
            pattern = self.values[key]
            if len(pattern) > 64 or not _PATTERN_LETTERS.fullmatch(pattern):
                raise self.error(key, f"Illegal format [{pattern[:64]}]")

    def _check_text_options(self) -> None:
        import codecs

        from app.engine.plugins.file_read import check_delimiter

        complaint = check_delimiter(self.values["field_delimiter"])
        if complaint:
            raise self.error("field_delimiter", complaint)
        try:
            codecs.lookup(self.values["encoding"])
        except LookupError:
            raise self.error(
                "encoding", f"is not a known character set, got {show(self.values['encoding'])}"
            ) from None
        pattern = self.values["file_filter_pattern"]
        if pattern is not None:
            from app.engine.plugins.file_listing import full_matches

            try:  # RE2 (linear time): no lookaround or backreferences
                full_matches(pattern, [""])
            except ListingError:
                raise self.error(
                    "file_filter_pattern", "is not a supported regular expression (RE2 syntax)"
                ) from None

    def _list(self) -> list[str]:
        roots = allowed_roots(self.limits)

        def allowed(real: str) -> bool:
            return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots)

        try:
            files = list_files(
                self.root,
                self.values["file_filter_pattern"],
                self.values["filename_extension"],
                self.limits.splits,
                allowed,
            )
        except ListingError as exc:
            raise self.error("path", f"{show(self.values['path'])} {exc}") from None
        partitions = self.values["read_partitions"]
        if partitions:
            files = [f for f in files if any(p in f for p in partitions)]
        return files

    def _declared_schema(self) -> Schema | None:
        declared = self.values["schema.fields"]
        if declared is None:
            return None  # (a schema block may name only its table: parquet and orc)
        return declared_schema(self, declared)

    def _file_schema(self) -> Schema:
        if not self.files:
            return Schema(())  # nothing to read: an empty table, as SeaTunnel runs it
        from app.engine.plugins.file_schema import columnar_schema

        try:
            first: Any = self.files[0]
            if self.archive:
                from app.engine.plugins.file_archive import members

                inside = members(first, self.archive, self.format)
                if not inside:
                    raise ValueError(f"holds no {self.format} member")
                with inside[0].open() as stream:
                    import pyarrow as pa

                    first = pa.BufferReader(stream.read())
            return columnar_schema(first, self.format)
        except ValueError as exc:
            raise self.error("path", f"{show(os.path.basename(self.files[0]))}: {exc}") from None

    def _check_read_columns(self) -> None:
        columns = self.values["read_columns"]
        if not columns:
            return
        if self.format in ("text", "csv") and not self.declared:
            raise self.error("read_columns", "needs a schema for text and csv files")
        for name in columns:
            if not self.schema.has(name):
                raise self.unknown_field("read_columns", name, self.schema)

    # -- build time ----------------------------------------------------------------------------
    def spec(self) -> Any:
        """How file_read reads each file (imports pyarrow)."""
        from app.engine.plugins.file_read import ReadSpec

        return ReadSpec(
            format=self.format,
            schema=self.schema,
            declared=self.declared,
            delimiter=self.values["field_delimiter"],
            skip_header=self.values["skip_header_row_number"],
            compression=self.compression,
            archive=self.archive,
            encoding=self.values["encoding"],
            null_format=self.values["null_format"],
            read_columns=self.values["read_columns"] or None,
            partition_keys=self.partition_keys,
        )

    def output_schema(self) -> Schema:
        """Projected data columns, then the partition columns (strings)."""
        fields = list(self.schema.fields)
        if self.values["read_columns"]:
            fields = [self.schema.field(name) for name in self.values["read_columns"]]
        fields += [Field(key, parse_type("string")) for key in self.partition_keys]
        return Schema(tuple(fields))

    def tables(self) -> list[TableInfo]:
        """One table per table config (a single one without tables_configs)."""
        return [TableInfo(c.table_path, c.output_schema()) for c in self.children]

    def split_ids(self) -> list[tuple[str, int, str]]:
        """(split id, table config index, file) per file, sorted by split id as SeaTunnel does."""
        return sorted(
            (f"{child.table_path}_{path}", i, path)
            for i, child in enumerate(self.children)
            for path in child.files
        )

    def splits(self, ctx: RunContext) -> list[Split]:
        """One split per file, in SeaTunnel's order; subtask i reads splits i, i+P, ..."""
        return [
            Split(split_id, {"table": child, "path": path})
            for split_id, child, path in self.split_ids()
        ]

    def reader(self, ctx: RunContext) -> SourceReader:
        """The reader of one subtask: reads the files it is given, one at a time."""
        return FileReader(self)


class FileReader(SourceReader):
    """Reads one file per split in Arrow batches; the position is the rows already emitted."""

    def __init__(self, source: LocalFileSource) -> None:
        self.specs = [child.spec() for child in source.children]
        self.tables = [child.table_path for child in source.children]

    def read(self, split: Split, position: Any) -> Iterator[Any]:
        """The file's batches after the first `position` rows (a restore resumes mid-file)."""
        from app.engine.errors import JobError
        from app.engine.plugins.file_read import read_batches
        from app.engine.plugins.text_values import ValueParseError

        child, path = int(split.info["table"]), str(split.info["path"])
        table = self.tables[child]
        batches = read_batches(self.specs[child], path, int(position or 0))
        while True:
            try:
                data = next(batches, None)
            except (ValueParseError, OSError) as exc:
                raise JobError(f"LocalFile: {path}: {exc}") from None
            except Exception as exc:  # pyarrow's own parse errors
                raise JobError(f"LocalFile: {path}: {' '.join(str(exc).split())}") from None
            if data is None:
                return
            yield Batch(table, data)

"""The unit of data between plugins: one Arrow record batch of one table, with optional row kinds."""

from __future__ import annotations

from typing import Any

ROW_KINDS = ("INSERT", "UPDATE_BEFORE", "UPDATE_AFTER", "DELETE")


class Batch:
    """`data` is a pyarrow RecordBatch of table `table`; `kinds` an int8 array of ROW_KINDS indexes, or None (all INSERT)."""

    __slots__ = ("table", "data", "kinds")

    def __init__(self, table: str, data: Any, kinds: Any = None) -> None:
        self.table = table
        self.data = data
        self.kinds = kinds

    @property
    def num_rows(self) -> int:
        """Rows in this batch."""
        return self.data.num_rows

    def with_data(self, data: Any) -> Batch:
        """The same table and row kinds over new columns (the same rows)."""
        return Batch(self.table, data, self.kinds)

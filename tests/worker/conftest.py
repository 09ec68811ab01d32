"""Fixtures of the worker-side service tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.models.db import Database
from tests.helpers import truncate_all


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A clean database handle, disposed even when the test fails."""
    truncate_all(database_url)
    handle = Database(database_url)
    yield handle
    handle.dispose()

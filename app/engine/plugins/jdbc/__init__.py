"""The Jdbc source and sink (PostgreSQL, MySQL/MariaDB, SQLite); importing this registers both."""

from __future__ import annotations

from app.engine.plugins.jdbc import sink, source  # noqa: F401

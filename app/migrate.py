"""Apply alembic migrations programmatically (the only way the schema changes)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    """An alembic Config pointing at our migrations and the given database."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision`."""
    from alembic import command

    from app.models.db import Database

    db = Database(url)  # creates the SQLite directory on demand
    try:
        with db.engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        db.dispose()


def upgrade_in_subprocess(url: str) -> None:
    """Run `upgrade` in a child process, so the long-lived gunicorn master never loads alembic
    and the ORM (its memory would count once more in every forked worker's RSS)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, _URL_ENV: url}  # not on the command line: it may hold a password
    subprocess.run([sys.executable, "-m", "app.migrate"], env=env, check=True)


_URL_ENV = "SEATUNNEL_MIGRATE_URL"

if __name__ == "__main__":
    import os

    upgrade(os.environ[_URL_ENV])

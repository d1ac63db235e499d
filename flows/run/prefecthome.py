"""Whether the temporary Prefect server a night starts can open its database.

Prefect keeps its database in ``$PREFECT_HOME/prefect.db`` (``~/.prefect`` by default), shared by
every Prefect on the machine. A newer Prefect in another virtual environment migrates it to a
schema this one does not know; the temporary server then fails to start, prints its traceback,
and the night ends "Timed out while attempting to connect to ephemeral Prefect API server", which
says neither what is wrong nor what to do. This is checked before the night starts instead.

Decision: a clear one-line error naming the database and the fix, not a silent switch to another
home: the operator chose that home (its runs, its limits); the fix is theirs to choose.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def _known_revisions() -> set[str]:
    """The alembic revisions of this Prefect's SQLite migrations."""
    import re

    import prefect.server.database as database

    folder = Path(database.__file__).parent / "_migrations" / "versions" / "sqlite"
    found = set()
    for path in folder.glob("*.py"):
        match = re.search(r'^revision\s*=\s*"([0-9a-f]+)"', path.read_text(encoding="utf-8"), re.M)
        if match:
            found.add(match[1])
    return found


def sqlite_database() -> Path | None:
    """The SQLite file the temporary server would open; None for another database (PostgreSQL)."""
    from prefect.settings import get_current_settings

    url = get_current_settings().server.database.connection_url
    text = url.get_secret_value() if url is not None else ""
    prefix = "sqlite+aiosqlite:///"
    return Path(text[len(prefix):]) if text.startswith(prefix) and ":memory:" not in text else None


def prefect_database_problem() -> str | None:
    """One line when the temporary server cannot use its database (migrated by a newer Prefect,
    or not a database at all), naming the file and the fix; None when it can (or will create it)."""
    path = sqlite_database()
    if path is None or not path.exists():
        return None
    fix = (f"run the night with a Prefect home of its own, e.g. PREFECT_HOME={path.parent.parent / 'fazhi-prefect'} "
           f"(or move {path} aside)")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone():
                return None  # a database Prefect has not migrated yet: it will
            versions = {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"{path}: Prefect's database cannot be read ({exc}); {fix}"
    unknown = versions - _known_revisions()
    if unknown:
        import prefect

        return (f"{path}: Prefect's database was migrated by a newer Prefect (schema {', '.join(sorted(unknown))}, unknown to "
                f"Prefect {prefect.__version__} here); {fix}")
    return None

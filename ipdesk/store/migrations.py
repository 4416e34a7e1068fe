"""Schema upgrades: ``db/migrations/NNNN_what.sql`` applied in order, the calibre way.

``PRAGMA user_version`` holds the number of the last step applied. Every pending step runs inside one exclusive
transaction, so a failure leaves the database exactly as it was; a database whose version is newer than the last
step this program knows is refused rather than touched. Steps run with foreign-key enforcement off, so that a step
may rebuild a table others refer to (SQLite's documented way to change a table's constraints); every reference is
checked (``PRAGMA foreign_key_check``) before the transaction commits.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ipdesk.domain.errors import DatabaseTooNew
from ipdesk.paths import migrations_dir

APPLICATION_ID = 0x49504453  # "IPDS": marks a SQLite file as an ipdesk database
_STEP_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Step:
    """One numbered schema upgrade and its SQL."""

    number: int
    name: str
    sql: str


def steps(folder: Path | None = None) -> list[Step]:
    """The migration steps in order; numbering must run 1, 2, 3 … without gaps.

    The program's own steps (``folder`` None) are part of the installed program: they are read once per process
    (opening a workspace asks for them several times). Another folder is read each time it is asked for.
    """
    if folder is None:
        return list(_own_steps())
    return _read_steps(folder)


@functools.cache
def _own_steps() -> tuple[Step, ...]:
    return tuple(_read_steps(migrations_dir()))


def _read_steps(folder: Path) -> list[Step]:
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = _STEP_NAME.match(path.name)
        if not match:
            raise RuntimeError(f"migration file name not of the form NNNN_what.sql: {path.name}")
        found.append(Step(int(match.group(1)), match.group(2), path.read_text(encoding="utf-8")))
    if [s.number for s in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migration steps must be numbered 1..N without gaps: {[s.number for s in found]}")
    return found


def statements(sql: str) -> list[str]:
    """Split a script into statements without ``executescript``, which would commit the open transaction."""
    result, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                result.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not all(ln.strip().startswith("--") or not ln.strip() for ln in buffer.splitlines()):
        raise RuntimeError(f"incomplete SQL statement at end of migration: {buffer.strip()[:80]}")
    return result


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def check_not_newer(version: int, known: int) -> None:
    if version > known:
        raise DatabaseTooNew(
            f"此数据库由较新版本的 ipdesk 创建（数据结构版本 {version}），本程序只认识到版本 {known}。"
            "请安装新版 ipdesk 后再打开；数据库未做任何改动。"
        )


def migrate(conn: sqlite3.Connection, target: int | None = None, folder: Path | None = None) -> list[Step]:
    """Bring the database up to ``target`` (default: the newest step); return the steps applied.

    ``conn`` must be in autocommit mode (``isolation_level=None``) with no transaction open.
    """
    all_steps = steps(folder)
    current = schema_version(conn)
    check_not_newer(current, len(all_steps))
    pending = all_steps[current : target if target is not None else len(all_steps)]
    if not pending:
        return []
    enforced = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")  # only takes effect outside a transaction
    try:
        conn.execute("BEGIN EXCLUSIVE")
        try:
            # Re-read under the lock: another process may have migrated meanwhile.
            if schema_version(conn) != current:
                conn.execute("ROLLBACK")
                return migrate(conn, target, folder)
            for step in pending:
                for statement in statements(step.sql):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {step.number}")
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"schema upgrade left broken references: {broken[:5]}")
            if current == 0:
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute(f"PRAGMA foreign_keys = {'ON' if enforced else 'OFF'}")
    return pending

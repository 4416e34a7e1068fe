"""Opening a workspace database safely.

An existing file is first inspected read-only: it must be a SQLite file, carry ipdesk's application id and not be
newer than this program. Only then is it opened for writing, with the settings that keep a clerk's work through a
crash or power cut: write-ahead log, ``synchronous=FULL`` (each commit reaches the disk before it is
acknowledged), foreign keys enforced and a busy timeout so a brief lock by another reader is waited out.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Callable
from pathlib import Path

from ipdesk.domain.errors import BadDatabasePath, CorruptDatabase, DatabaseError, NotAnIpdeskDatabase
from ipdesk.store import migrations

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


def probe(path: Path) -> int:
    """Check, without writing anything, that ``path`` is an ipdesk database this program can open.

    Returns its schema version. Raises a ``DatabaseError`` subclass with a Chinese message otherwise.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(100)
    except PermissionError as error:
        raise BadDatabasePath(f"没有权限读取数据库文件：{path}") from error
    except OSError as error:
        raise BadDatabasePath(f"无法读取数据库文件：{path}（{error.strerror or error}）") from error
    if size == 0:
        raise NotAnIpdeskDatabase(f"“{path}”是一个空文件，不是 ipdesk 数据库；文件未做改动。")
    if not header.startswith(SQLITE_HEADER):
        raise NotAnIpdeskDatabase(f"“{path}”不是 ipdesk 数据库（不是 SQLite 文件）；文件未做改动。")
    if len(header) < 100:
        raise CorruptDatabase(f"数据库文件“{path}”已损坏（文件头不完整）；文件未做改动。")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change_counter, page_count = struct.unpack(">II", header[24:32])
    version_valid_for = struct.unpack(">I", header[92:96])[0]
    if page_count and version_valid_for == change_counter and size < page_count * page_size:
        raise CorruptDatabase(
            f"数据库文件“{path}”已损坏（文件被截断：应有 {page_count * page_size} 字节，实有 {size} 字节）；"
            "文件未做改动。可以从备份恢复。"
        )
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as error:
        raise BadDatabasePath(f"无法打开数据库文件：{path}（{error}）") from error
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if application_id != migrations.APPLICATION_ID:
            raise NotAnIpdeskDatabase(f"“{path}”是 SQLite 文件，但不是 ipdesk 数据库；文件未做改动。")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        migrations.check_not_newer(version, len(migrations.steps()))
        return version
    except sqlite3.DatabaseError as error:
        raise CorruptDatabase(f"数据库文件“{path}”已损坏（{error}）；文件未做改动。可以从备份恢复。") from error
    finally:
        conn.close()


def connect(
    path: Path,
    read_only: bool = False,
    network: bool = False,
    before_upgrade: Callable[[sqlite3.Connection], object] | None = None,
) -> sqlite3.Connection:
    """Open (creating if need be) the database at ``path`` and bring its schema up to date.

    ``read_only`` opens an existing database without writing anything (it must be up to date); ``network``
    chooses the rollback journal instead of WAL, which needs shared memory that network shares lack;
    ``before_upgrade`` is called (to make a backup) when an existing database is about to be upgraded.
    """
    path = Path(path)
    if path.exists():
        if path.is_dir():
            raise BadDatabasePath(f"“{path}”是一个文件夹，不是数据库文件。请指定一个 .db 文件的路径。")
        version = probe(path)
    elif read_only:
        raise BadDatabasePath(f"数据库文件不存在：{path}")
    elif not path.parent.is_dir():
        raise BadDatabasePath(f"数据库所在的文件夹不存在：{path.parent}")
    else:
        version = 0
    if read_only:
        if version < len(migrations.steps()):
            raise DatabaseError("此数据库需要先升级才能打开，只读方式不能升级；请等正在使用它的程序关闭后再打开。")
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro",
            uri=True,
            isolation_level=None,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA query_only = ON")
        return conn
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    except sqlite3.Error as error:
        raise BadDatabasePath(f"无法创建或打开数据库文件：{path}（{error}）") from error
    try:
        configure(conn, journal="DELETE" if network else "WAL")
        if before_upgrade is not None and 0 < version < len(migrations.steps()):
            before_upgrade(conn)
        migrations.migrate(conn)
    except sqlite3.OperationalError as error:
        conn.close()
        if "readonly" in str(error) or "read-only" in str(error):
            raise BadDatabasePath(f"数据库文件或其所在文件夹是只读的，无法写入：{path}") from error
        raise BadDatabasePath(f"无法打开数据库文件：{path}（{error}）") from error
    except BaseException:
        conn.close()
        raise
    return conn


def connect_memory() -> sqlite3.Connection:
    """A fresh in-memory workspace database, for tests and scratch work."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    configure(conn)
    migrations.migrate(conn)
    return conn


def configure(conn: sqlite3.Connection, journal: str = "WAL") -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute("PRAGMA synchronous = FULL")


def quick_check(conn: sqlite3.Connection) -> str:
    """SQLite's quick integrity check: "ok", or the first problem found."""
    try:
        rows = conn.execute("PRAGMA quick_check(5)").fetchall()
    except sqlite3.DatabaseError as error:
        return str(error)
    return "; ".join(row[0] for row in rows)


def check_file(path: Path) -> str:
    """The quick integrity check on a separate read-only connection (it may run beside the open workspace)."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        return quick_check(conn)
    finally:
        conn.close()

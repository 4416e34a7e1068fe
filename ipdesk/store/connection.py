"""Opening a workspace database safely, and never writing into a damaged one.

An existing file is first inspected without SQLite writing anything: it must be a SQLite file, carry ipdesk's
application id and not be newer than this program. A file of ordinary size is then checked with SQLite's
``quick_check`` *before* it is opened for writing (about 0.1 s for 100 MB); a larger one is opened query-only and
checked before the first write of the session. Only a sound file is written, with the settings that keep a clerk's
work through a crash or power cut: write-ahead log, ``synchronous=FULL`` (each commit reaches the disk before it is
acknowledged), foreign keys enforced and a busy timeout so a brief lock by another reader is waited out.

One writer: a workspace's connection is shared by the GUI thread and background operations, so it carries one
re-entrant lock (``GuardedConnection.lock``) that every statement, cursor step, commit, rollback and backup holds, and
that a transaction (``LazyDatabase.atomic``) holds from BEGIN to COMMIT. A statement from another thread waits until
the transaction is over: a save can never run inside, or become a savepoint of, a background operation's transaction
(sqlite-utils' ``atomic`` nests by ``in_transaction``, which is the connection's, not the thread's).

Every connection is a ``GuardedConnection``: whenever SQLite reports damage (``SQLITE_CORRUPT``, ``SQLITE_NOTADB``)
on any statement, the connection becomes query-only for the rest of the session and the error is raised as
``StoreDamaged``, which carries a Chinese message.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import struct
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ipdesk.domain.errors import (
    BadDatabasePath,
    CorruptDatabase,
    DatabaseError,
    NotAnIpdeskDatabase,
    StorageError,
    os_error_text,
)
from ipdesk.store import migrations

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
CHEAP_CHECK_BYTES = 64 * 1024 * 1024  # files up to this size are checked before they are opened for writing
SQLITE_CORRUPT = 11
SQLITE_NOTADB = 26
SIDE_FILES = ("-wal", "-shm", "-journal")

# SQLite's primary result codes the user may meet, in Chinese; the English text follows in brackets.
_SQLITE_ERRORS = {
    5: "数据库正被其他程序占用，请稍后再试",
    6: "数据库正被其他程序占用，请稍后再试",
    8: "数据库文件或其所在文件夹是只读的，无法写入",
    10: "读写数据库文件时出错（磁盘、U 盘或网络盘可能有故障）",
    13: "磁盘空间已满，无法写入数据库",
    14: "无法打开数据库文件",
    15: "数据库文件被锁定，无法写入",
    23: "没有访问数据库文件的权限",
}
_SQLITE_MESSAGES = (
    ("disk is full", 13),
    ("disk i/o error", 10),
    ("readonly", 8),
    ("read-only", 8),
    ("database is locked", 5),
    ("unable to open", 14),
)


class StoreDamaged(CorruptDatabase, sqlite3.DatabaseError):
    """SQLite found the database damaged while running a statement.

    Also a ``sqlite3.DatabaseError``, so that code handling SQLite's own errors still recognises it.
    """


def is_damage(error: BaseException) -> bool:
    """True when ``error`` says the database file is damaged (or is not a database at all)."""
    if isinstance(error, CorruptDatabase):
        return True
    if not isinstance(error, sqlite3.DatabaseError):
        return False
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (SQLITE_CORRUPT, SQLITE_NOTADB)
    text = str(error).lower()
    return "malformed" in text or "not a database" in text


def damage_message(path: Path | str | None, detail: str) -> str:
    where = f"“{path}”" if path else ""
    return (
        f"数据库文件{where}已损坏（SQLite 报告：{detail}）。为保护已有的数据，程序不再向它写入任何内容，"
        "也不会用它替换已有的备份。请用最近一份完好的备份恢复。"
    )


def storage_error_text(error: sqlite3.Error) -> str:
    """What a SQLite error means for the user, in Chinese (the original text follows in brackets)."""
    if is_damage(error):
        return damage_message(None, str(error))
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    text = str(error)
    if code not in _SQLITE_ERRORS:
        code = next((c for fragment, c in _SQLITE_MESSAGES if fragment in text.lower()), 0)
    meaning = _SQLITE_ERRORS.get(code, "数据库操作失败")
    return f"{meaning}（SQLite：{text}）" if text else meaning


def storage_error(error: sqlite3.Error, path: Path | str | None = None) -> CorruptDatabase | StorageError:
    """The user-facing error for a failed SQLite statement: damage, or a write that may be tried again."""
    if isinstance(error, CorruptDatabase):
        return error
    if is_damage(error):
        return StoreDamaged(damage_message(path, str(error)))
    return StorageError(f"没有保存：{storage_error_text(error)}。可以稍后重试。")


# -- connections that notice damage ------------------------------------------------------------------------------
class _Step:
    """One step of a guarded cursor: holds the connection's lock, and turns damage SQLite reports into
    ``StoreDamaged`` (marking the connection damaged)."""

    __slots__ = ("connection",)

    def __init__(self, connection: GuardedConnection):
        self.connection = connection

    def __enter__(self) -> None:
        self.connection.lock.acquire()

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        try:
            if isinstance(error, sqlite3.DatabaseError) and is_damage(error) and not isinstance(error, StoreDamaged):
                raise self.connection.damaged_error(error) from error
        finally:
            self.connection.lock.release()


ROWS_PER_STEP = 256  # rows a cursor's iteration reads in one step


class GuardedCursor(sqlite3.Cursor):
    """A cursor whose every step holds its connection's lock and reports damage through it (see
    ``GuardedConnection``)."""

    connection: GuardedConnection

    def execute(self, sql: str, parameters: Any = (), /) -> GuardedCursor:
        with _Step(self.connection):
            return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> GuardedCursor:
        with _Step(self.connection):
            return super().executemany(sql, parameters)

    def fetchone(self) -> Any:
        with _Step(self.connection):
            return super().fetchone()

    def fetchmany(self, size: int | None = None) -> list[Any]:
        with _Step(self.connection):
            return super().fetchmany(size if size is not None else self.arraysize)

    def fetchall(self) -> list[Any]:
        with _Step(self.connection):
            return super().fetchall()

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]  # a generator over the cursor, not the cursor
        """The rows, read ``ROWS_PER_STEP`` at a time: each read is a step (the lock held, damage noticed). A step per
        row cost a start's thousand rows of the plan some milliseconds of locking and checking. The rows are read
        ahead, so a cursor is either iterated or fetched from, never both (ipdesk's stores do one or the other)."""
        while True:
            with _Step(self.connection):
                rows = super().fetchmany(ROWS_PER_STEP)
            if not rows:
                return
            yield from rows

    def __next__(self) -> Any:
        with _Step(self.connection):
            return super().__next__()


class GuardedConnection(sqlite3.Connection):
    """A connection that treats damage reported on any statement as damage of the whole database.

    From the first ``SQLITE_CORRUPT`` or ``SQLITE_NOTADB`` on, ``damaged`` holds what SQLite said and the connection
    is query-only: SQLite itself refuses every later write. ``checked`` is False while a large file waits for its
    check before the first write (see ``LazyDatabase``).
    """

    path: Path | None = None
    damaged: str = ""
    checked: bool = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lock = threading.RLock()  # the one writer: see the module's description

    def cursor(self, factory: Any = GuardedCursor, /) -> Any:
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> GuardedCursor:
        with self.lock:
            return self.cursor(GuardedCursor).execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> GuardedCursor:
        with self.lock:
            return self.cursor(GuardedCursor).executemany(sql, parameters)

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        with self.lock:
            return super().executescript(sql_script)

    def commit(self) -> None:
        with self.lock:
            super().commit()

    def rollback(self) -> None:
        with self.lock:
            super().rollback()

    def backup(self, target: sqlite3.Connection, **options: Any) -> None:
        with self.lock:  # a copy never catches another thread's transaction half-way
            super().backup(target, **options)

    def close(self) -> None:
        with self.lock:
            super().close()

    def busy(self) -> bool:
        """True while another thread holds the connection (a background operation's statement or transaction)."""
        if self.lock.acquire(blocking=False):
            self.lock.release()
            return False
        return True

    def damaged_error(self, error: BaseException | str) -> StoreDamaged:
        """Mark the connection damaged (once) and return the error to raise."""
        with self.lock:
            if not self.damaged:
                self.damaged = str(error) or "数据库文件已损坏"
                with contextlib.suppress(sqlite3.Error):
                    sqlite3.Connection.execute(self, "PRAGMA query_only = ON")
        return StoreDamaged(damage_message(self.path, self.damaged))

    def mark_checked(self) -> None:
        """The file passed its check: writing may begin."""
        with self.lock:
            if not self.damaged:
                sqlite3.Connection.execute(self, "PRAGMA query_only = OFF")
                self.checked = True

    def verify_before_writing(self) -> None:
        """Run the deferred check of a large file before its first write; raise ``StoreDamaged`` on damage."""
        if self.damaged:
            raise StoreDamaged(damage_message(self.path, self.damaged))
        if self.checked:
            return
        with self.lock:
            result = quick_check(self)
            if result != "ok":
                raise self.damaged_error(result)
            self.mark_checked()


def _connect(target: str | Path, uri: bool = False, **options: Any) -> GuardedConnection:
    conn = sqlite3.connect(
        target, uri=uri, factory=GuardedConnection, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, **options
    )
    assert isinstance(conn, GuardedConnection)
    return conn


def _read_only_uri(path: Path, immutable: bool = False) -> str:
    return f"{path.resolve().as_uri()}?mode=ro{'&immutable=1' if immutable else ''}"


def _header_says_wal(path: Path) -> bool:
    """True when the file's header marks it as a write-ahead-log database (format versions 2 at offsets 18, 19)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return len(header) == 20 and header[18] == 2


def side_files(path: Path) -> list[Path]:
    """The journal files SQLite keeps beside ``path`` that exist now."""
    return [side for suffix in SIDE_FILES if (side := Path(f"{path}{suffix}")).exists()]


def _has_pending_journal(path: Path) -> bool:
    """True when a write-ahead log or rollback journal beside ``path`` may hold data the file itself lacks."""
    for suffix in ("-wal", "-journal"):
        side = Path(f"{path}{suffix}")
        with contextlib.suppress(OSError):
            if side.stat().st_size > 0:
                return True
    return False


@contextlib.contextmanager
def inspecting(path: Path) -> Iterator[GuardedConnection]:
    """A read-only connection for looking at a file that may be refused, which leaves nothing beside it.

    With no journal beside the file its content is all in the file, so it is opened immutable: SQLite then creates
    no ``-wal``/``-shm`` files. The caller must make sure nobody writes the file meanwhile (the writer lock).
    """
    pending = _has_pending_journal(path)
    conn = _connect(_read_only_uri(path, immutable=not pending), uri=True)
    conn.path = path
    try:
        yield conn
    finally:
        conn.close()


# -- probing and checking ----------------------------------------------------------------------------------------
def probe(path: Path) -> int:
    """Check, without writing anything beside it, that ``path`` is an ipdesk database this program can open.

    Returns its schema version. Raises a ``DatabaseError`` subclass with a Chinese message otherwise.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(100)
    except PermissionError as error:
        raise BadDatabasePath(f"没有权限读取数据库文件：{path}") from error
    except OSError as error:
        raise BadDatabasePath(f"无法读取数据库文件：{path}（{os_error_text(error)}）") from error
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
    if not _has_pending_journal(path):
        # Everything is in the file: its header says what it is, and SQLite need not open it (a read-only SQLite
        # connection to a WAL database would leave -wal and -shm files beside a file that may be refused).
        version, application_id = struct.unpack(">i", header[60:64])[0], struct.unpack(">i", header[68:72])[0]
        if application_id != migrations.APPLICATION_ID:
            raise NotAnIpdeskDatabase(f"“{path}”是 SQLite 文件，但不是 ipdesk 数据库；文件未做改动。")
        migrations.check_not_newer(version, len(migrations.steps()))
        return version
    try:
        conn = _connect(_read_only_uri(path), uri=True)
    except sqlite3.Error as error:
        raise BadDatabasePath(f"无法打开数据库文件：{path}（{storage_error_text(error)}）") from error
    conn.path = path
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if application_id != migrations.APPLICATION_ID:
            raise NotAnIpdeskDatabase(f"“{path}”是 SQLite 文件，但不是 ipdesk 数据库；文件未做改动。")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        migrations.check_not_newer(version, len(migrations.steps()))
        return version
    except StoreDamaged as error:
        raise CorruptDatabase(f"数据库文件“{path}”已损坏（{conn.damaged}）；文件未做改动。可以从备份恢复。") from error
    except sqlite3.DatabaseError as error:
        raise CorruptDatabase(f"数据库文件“{path}”已损坏（{error}）；文件未做改动。可以从备份恢复。") from error
    finally:
        conn.close()


def _findings(rows: list[tuple[str]]) -> str:
    text = "；".join(line.strip() for row in rows for line in str(row[0]).splitlines() if line.strip())
    return text if len(text) <= 300 else text[:299] + "…"


def quick_check(conn: sqlite3.Connection) -> str:
    """SQLite's quick integrity check: "ok", or the first problems found (on one line)."""
    try:
        rows = sqlite3.Connection.execute(conn, "PRAGMA quick_check(5)").fetchall()
    except sqlite3.DatabaseError as error:
        return str(error)
    return _findings(rows)


def integrity_check(conn: sqlite3.Connection) -> str:
    """SQLite's full integrity check (also compares every index with its table): "ok", or the problems found."""
    try:
        rows = sqlite3.Connection.execute(conn, "PRAGMA integrity_check(20)").fetchall()
    except sqlite3.DatabaseError as error:
        return str(error)
    return _findings(rows)


def check_file(path: Path) -> str:
    """The quick integrity check on a separate read-only connection (it may run beside the open workspace)."""
    conn = _connect(_read_only_uri(Path(path)), uri=True)
    try:
        return quick_check(conn)
    finally:
        conn.close()


def check_before_writing(path: Path) -> None:
    """Raise ``CorruptDatabase`` unless the file at ``path`` passes the quick check; nothing is left beside it."""
    try:
        with inspecting(path) as conn:
            result = quick_check(conn)
    except sqlite3.Error as error:
        result = str(error)
    if result != "ok":
        raise CorruptDatabase(damage_message(path, result))


# -- opening --------------------------------------------------------------------------------------------------------
def connect(
    path: Path,
    read_only: bool = False,
    network: bool = False,
    before_upgrade: Callable[[sqlite3.Connection], object] | None = None,
) -> GuardedConnection:
    """Open (creating if need be) the database at ``path`` and bring its schema up to date.

    ``read_only`` opens an existing database without writing anything (it must be up to date); ``network``
    chooses the rollback journal instead of WAL, which needs shared memory that network shares lack;
    ``before_upgrade`` is called (to make a backup) when an existing database is about to be upgraded.
    A writer's file is checked first (see the module's description); a damaged one raises ``CorruptDatabase``.
    """
    path = Path(path)
    existed = path.exists()
    if existed:
        if path.is_dir():
            raise BadDatabasePath(f"“{path}”是一个文件夹，不是数据库文件。请指定一个 .db 文件的路径。")
        version = probe(path)
    elif read_only:
        raise BadDatabasePath(f"数据库文件不存在：{path}")
    elif not path.parent.is_dir():
        raise BadDatabasePath(f"数据库所在的文件夹不存在：{path.parent}")
    else:
        version = 0
    latest = len(migrations.steps())
    if read_only:
        if version < latest:
            raise DatabaseError("此数据库需要先升级才能打开，只读方式不能升级；请等正在使用它的程序关闭后再打开。")
        conn = _connect(_read_only_uri(path), uri=True, isolation_level=None)
        conn.path = path
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA query_only = ON")
        return conn
    checked = True
    if existed:
        try:
            size = path.stat().st_size
        except OSError as error:
            raise BadDatabasePath(f"无法读取数据库文件：{path}（{os_error_text(error)}）") from error
        # An upgrade, a change of journal or a log left by a crash (checkpointed into the file when the connection
        # closes) writes at once: never into a file that has not passed its check.
        writes_at_open = version < latest or _header_says_wal(path) == network or _has_pending_journal(path)
        if size <= CHEAP_CHECK_BYTES or writes_at_open:
            check_before_writing(path)
        else:
            checked = False
    try:
        conn = _connect(path, isolation_level=None)
    except sqlite3.Error as error:
        raise BadDatabasePath(f"无法创建或打开数据库文件：{path}（{storage_error_text(error)}）") from error
    conn.path = path
    try:
        if not checked:
            conn.checked = False
            conn.execute("PRAGMA query_only = ON")  # until the check before the first write has passed
        configure(conn, journal="DELETE" if network else "WAL")
        if before_upgrade is not None and 0 < version < latest:
            before_upgrade(conn)
        migrations.migrate(conn)
    except StoreDamaged as error:
        conn.close()
        raise CorruptDatabase(str(error)) from error
    except sqlite3.OperationalError as error:
        conn.close()
        if "readonly" in str(error) or "read-only" in str(error):
            raise BadDatabasePath(f"数据库文件或其所在文件夹是只读的，无法写入：{path}") from error
        raise BadDatabasePath(f"无法打开数据库文件：{path}（{storage_error_text(error)}）") from error
    except BaseException:
        conn.close()
        raise
    return conn


def connect_memory() -> GuardedConnection:
    """A fresh in-memory workspace database, for tests and scratch work."""
    conn = _connect(":memory:", isolation_level=None)
    configure(conn)
    migrations.migrate(conn)
    return conn


def configure(conn: sqlite3.Connection, journal: str = "WAL") -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != journal.lower():
        conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute("PRAGMA synchronous = FULL")


def tidy_after_reading(path: Path, existed: set[Path]) -> None:
    """Remove the ``-wal``/``-shm`` files a read-only connection had to create beside a WAL database.

    A read-only connection cannot remove them itself. A read-write connection that only reads, and is the last one
    to close, removes them the way SQLite always does; while any other program has the database open they stay.
    Nothing is written to the database.
    """
    if not [side for side in side_files(path) if side not in existed]:
        return
    with contextlib.suppress(sqlite3.Error, OSError):
        conn = sqlite3.connect(path, timeout=0.2)
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        finally:
            conn.close()


def remove_if_new(paths: list[Path], existed: set[Path]) -> None:
    """Remove the files in ``paths`` that did not exist before (a refused file keeps nothing beside it)."""
    for side in paths:
        if side not in existed:
            with contextlib.suppress(OSError):
                os.unlink(side)

"""The workspace's database handle: sqlite-utils for writing, the plain connection for reading.

sqlite-utils (with click, dateutil and pluggy behind it) costs ~0.08 s to import. Reading — opening a workspace,
showing the window, exporting a report — needs only ``execute``, so the ``Database`` of sqlite-utils is made the
first time something writes through it (``atomic``, a table's ``insert``). Every write still goes through it, and
so through the gate here: a damaged database is never written, a large file is checked before its first write, and
a write SQLite refuses (disk full, I/O error) arrives as a ``StorageError`` with a Chinese message.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ipdesk.store.connection import GuardedConnection, StoreDamaged, storage_error

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.db import Table


class LazyDatabase:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self._database: Database | None = None
        # The one writer's lock: the guarded connection's own (every statement holds it), else one of ours.
        self.lock: threading.RLock = getattr(conn, "lock", None) or threading.RLock()

    def busy(self) -> bool:
        """True while another thread holds the database (a background operation writing): a save now would wait
        for it. The window's autosave and retry timers ask this and try again a little later instead."""
        if self.lock.acquire(blocking=False):
            self.lock.release()
            return False
        return True

    @property
    def database(self) -> Database:
        if self._database is None:
            from sqlite_utils import Database

            self._database = Database(self.conn, execute_plugins=False)
        return self._database

    def execute(self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] | None = None) -> sqlite3.Cursor:
        with self.lock:
            return self.conn.execute(sql, parameters if parameters is not None else ())

    def writable(self) -> None:
        """Raise unless writing may go ahead: the file is not damaged and (if it is large) has passed its check."""
        if isinstance(self.conn, GuardedConnection):
            self.conn.verify_before_writing()

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        """A transaction; nested ones (in the same thread) become savepoints (sqlite-utils' ``Database.atomic``).

        The one writer's lock is held throughout: another thread's transaction or statement waits until it ends.

        SQLite's errors leave as ``StoreDamaged`` (damage) or ``StorageError`` (the write may be tried again).
        """
        with self.lock:  # held from BEGIN to COMMIT: no other thread's statement runs inside this transaction
            self.writable()
            path = getattr(self.conn, "path", None)
            try:
                with self.database.atomic() as database:
                    yield database
            except StoreDamaged:
                raise
            except sqlite3.Error as error:
                raise storage_error(error, path) from error

    def __getitem__(self, table: str) -> Table:
        self.writable()
        return self.database.table(table)

    def close(self) -> None:
        self.conn.close()

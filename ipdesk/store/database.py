"""The workspace's database handle: sqlite-utils for writing, the plain connection for reading.

sqlite-utils (with click, dateutil and pluggy behind it) costs ~0.08 s to import. Reading — opening a workspace,
showing the window, exporting a report — needs only ``execute``, so the ``Database`` of sqlite-utils is made the
first time something writes through it (``atomic``, a table's ``insert``). Every write still goes through it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database


class LazyDatabase:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self._database: Database | None = None

    @property
    def database(self) -> Database:
        if self._database is None:
            from sqlite_utils import Database

            self._database = Database(self.conn, execute_plugins=False)
        return self._database

    def execute(self, sql: str, parameters: Iterable[Any] | dict | None = None) -> sqlite3.Cursor:
        return self.conn.execute(sql, parameters if parameters is not None else ())

    def atomic(self):
        """A transaction; nested ones become savepoints (sqlite-utils' ``Database.atomic``)."""
        return self.database.atomic()

    def __getitem__(self, table: str):
        return self.database[table]

    def close(self) -> None:
        self.conn.close()

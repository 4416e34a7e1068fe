"""One writer per database: a lock file held by the program that has the database open for writing.

The lock is an operating-system file lock (``flock`` / ``LockFileEx`` through msvcrt), so it disappears with the
process, even after a crash or a kill: a stale lock never keeps a clerk out. A second copy of the program is told
who holds it, and may open the database read-only.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys
from pathlib import Path


class WriterLock:
    def __init__(self, database: Path):
        self.path = Path(f"{database}.lock")
        self._handle = None

    def acquire(self) -> bool:
        """Take the lock; False when another process holds it."""
        handle = open(self.path, "a+b")
        try:
            if sys.platform == "win32":
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        note = f"{os.getpid()} {socket.gethostname()} {dt.datetime.now().astimezone():%Y-%m-%d %H:%M}"
        handle.write(note.encode("utf-8"))
        handle.flush()
        self._handle = handle
        return True

    def holder(self) -> str:
        """Who holds the lock, as written by them: process id, computer and since when."""
        try:
            return self.path.read_bytes().decode("utf-8", errors="replace").strip()
        except OSError:
            return ""

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the file releases the lock
            self._handle = None

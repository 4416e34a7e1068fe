"""One writer per database: a lock file held by the program that has the database open for writing.

The lock is an operating-system file lock (``flock`` / ``LockFileEx`` through msvcrt), so it disappears with the
process, even after a crash or a kill: a stale lock never keeps a clerk out. A second copy of the program is told
who holds it, and may open the database read-only.

The lock belongs to the file, not to the name it was opened by: it sits beside the file's real path, so a symbolic
link to the database finds the same lock. (A hard link cannot be told apart this way; a database with more than one
hard link is refused for writing before the lock is taken.)
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import BinaryIO

_WINDOWS_LOCKED_BYTE = 1 << 30


def lock_path(database: Path) -> Path:
    """Where the lock of ``database`` is: beside the file its path finally names, symbolic links followed."""
    real = Path(os.path.realpath(database))
    return real.with_name(real.name + ".lock")


class WriterLock:
    def __init__(self, database: Path):
        self.path = lock_path(database)
        self._handle: BinaryIO | None = None
        self._created = False

    def acquire(self, note: bool = True) -> bool:
        """Take the lock; False when another process holds it.

        ``note`` writes who holds it into the file at once; without it the file is left as it was until
        ``write_note`` (so that a database refused after the lock was taken leaves even the lock file untouched).
        """
        self._created = not self.path.exists()
        handle = open(self.path, "a+b")  # held open for as long as the lock is held
        try:
            if sys.platform == "win32":
                import msvcrt

                # Windows' byte-range locks are mandatory: a locked byte cannot even be read by another process.
                # Lock one byte far past the note (locking beyond the end of a file is allowed), so that a second
                # copy of the program can still read who holds the lock.
                handle.seek(_WINDOWS_LOCKED_BYTE)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._handle = handle
        if note or self._created:  # a new lock file is ours alone: say at once who holds it
            self.write_note()
        return True

    def write_note(self) -> None:
        """Write who holds the lock (process, computer, since when) for a second copy of the program to show."""
        if self._handle is None:
            return
        self._handle.seek(0)
        self._handle.truncate()
        # socket.gethostname is _socket.gethostname: the socket module around it (its enums, selectors) would cost
        # the window's start some milliseconds for nothing else.
        import _socket

        note = f"{os.getpid()} {_socket.gethostname()} {dt.datetime.now().astimezone():%Y-%m-%d %H:%M}"
        self._handle.write(note.encode("utf-8"))
        self._handle.flush()

    def holder(self) -> str:
        """Who holds the lock, as written by them: process id, computer and since when."""
        try:
            return self.path.read_bytes().decode("utf-8", errors="replace").strip()
        except OSError:
            return ""

    def release(self, remove_if_created: bool = False) -> None:
        """Let the lock go. ``remove_if_created`` also removes a lock file this lock created: the database turned
        out to be refused, and a refused file keeps nothing beside it."""
        if self._handle is not None:
            self._handle.close()  # closing the file releases the lock
            self._handle = None
            if remove_if_created and self._created:
                self.path.unlink(missing_ok=True)

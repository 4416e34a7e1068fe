"""Backups through SQLite's online backup API: daily on start, before schema upgrades and imports, on request.

Kept beside the database in ``backups/``: ``daily/`` (the newest 14), ``monthly/`` (the first of each month, the
newest 12) and ``before/`` (before an upgrade, a restore or on request, the newest 20; before an import, the newest
5 — the city office imports many times a day, and its database holds every file received). Every copy is written under a
temporary name, checked with SQLite's quick check, and only then renamed into place and older copies rotated out: a
damaged database never becomes a "good" backup, nor pushes a good one out. A restore checks the backup first and
keeps the file it replaces.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ipdesk.domain.errors import CorruptDatabase, DatabaseError, InvalidInput, StorageError
from ipdesk.store import connection

KEEP = {"daily": 14, "monthly": 12, "before": 20}
KEEP_BEFORE = {"import": 5}  # by reason, counted apart: imports never push out the backup made before an upgrade


@dataclass(frozen=True)
class Backup:
    path: Path
    kind: str  # daily, monthly, before, manual
    made_at: dt.datetime


def copy_database(conn: sqlite3.Connection, target: Path) -> Path:
    """A consistent copy of the open database at ``target``: written aside, synced, checked, then renamed.

    A copy that fails its check is removed and nothing is renamed. When the open database itself fails the check it
    is damaged: ``CorruptDatabase`` (and a guarded connection is marked damaged); otherwise the copy was spoilt on
    its way to the disk: ``StorageError``.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(target.name + ".part")
    temp.unlink(missing_ok=True)
    try:
        destination = sqlite3.connect(temp)
        try:
            conn.backup(destination)
            destination.execute("PRAGMA journal_mode = DELETE")
        finally:
            destination.close()
        with temp.open("rb+") as handle:
            os.fsync(handle.fileno())
        result = check_copy(temp)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if result != "ok":
        temp.unlink(missing_ok=True)
        source = connection.quick_check(conn)
        if source != "ok":
            if isinstance(conn, connection.GuardedConnection):
                raise conn.damaged_error(source)
            raise CorruptDatabase(connection.damage_message(None, source))
        raise StorageError(
            f"备份写入后没有通过检查（{result}）：备份所在的磁盘可能有问题。没有生成这份备份，已有的备份保持不变。"
        )
    os.replace(temp, target)
    return target


def check_copy(path: Path) -> str:
    """The quick check of a copy just written: "ok" or what is wrong."""
    try:
        with connection.inspecting(path) as conn:
            return connection.quick_check(conn)
    except sqlite3.Error as error:
        return str(error)


def check(path: Path) -> int:
    """Raise unless ``path`` is a sound ipdesk database this program can open; return its schema version."""
    version = connection.probe(path)
    try:
        with connection.inspecting(path) as conn:
            result = connection.integrity_check(conn)
    except sqlite3.Error as error:
        raise CorruptDatabase(f"备份文件已损坏：{path}（{error}）") from error
    if result != "ok":
        raise CorruptDatabase(f"备份文件未通过完整性检查：{path}（{result}）")
    return version


def _reason(path: Path) -> str:
    """The reason in a "before" copy's name: ``city-2026-11-25-093000-import.db`` → ``import``."""
    return path.stem.rsplit("-", 1)[-1]


class BackupShelf:
    def __init__(self, database: Path):
        self.database = Path(database)
        self.folder = self.database.parent / "backups"

    def _name(self, stamp: str, note: str = "") -> str:
        return f"{self.database.stem}-{stamp}{'-' + note if note else ''}.db"

    def automatic(self, conn: sqlite3.Connection, today: dt.date | None = None) -> Path | None:
        """Today's daily backup, if not made yet, and the month's; old ones are rotated out."""
        today = today or dt.date.today()
        daily = self.folder / "daily" / self._name(today.isoformat())
        if daily.exists():
            return None
        copy_database(conn, daily)
        monthly = self.folder / "monthly" / self._name(today.strftime("%Y-%m"))
        if not monthly.exists():
            monthly.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(daily, monthly)
        self._rotate("daily")
        self._rotate("monthly")
        return daily

    def before(self, conn: sqlite3.Connection, reason: str) -> Path:
        """A backup made just before something that changes much at once (an upgrade, an import, a restore)."""
        stamp = dt.datetime.now().strftime("%Y-%m-%d-%H%M%S")
        target = copy_database(conn, self.folder / "before" / self._name(stamp, reason))
        self._rotate("before", reason)
        return target

    def _rotate(self, kind: str, reason: str = "") -> None:
        """Remove the oldest copies of ``kind`` beyond what is kept. "before" copies with a quota of their own
        (imports) are counted apart from the others."""
        files = sorted((self.folder / kind).glob("*.db"), key=lambda p: p.stat().st_mtime, reverse=True)
        keep = KEEP[kind]
        if kind == "before":
            quota = reason if reason in KEEP_BEFORE else ""
            files = [f for f in files if (_reason(f) if _reason(f) in KEEP_BEFORE else "") == quota]
            keep = KEEP_BEFORE.get(quota, keep)
        for old in files[keep:]:
            old.unlink(missing_ok=True)

    def all(self) -> list[Backup]:
        found = []
        for kind in KEEP:
            for path in (self.folder / kind).glob("*.db"):
                found.append(Backup(path, kind, dt.datetime.fromtimestamp(path.stat().st_mtime)))
        return sorted(found, key=lambda b: b.made_at, reverse=True)

    def newest_good(self) -> Backup | None:
        """The most recent backup that passes the integrity check."""
        for backup in self.all():
            try:
                check(backup.path)
            except DatabaseError:
                continue
            return backup
        return None


def restore(database: Path, backup: Path) -> Path | None:
    """Replace ``database`` with ``backup`` after checking it; returns where the replaced file was kept.

    The database must not be open in ipdesk (the caller holds or checks the writer lock). A symbolic link is
    followed: the file it points to is replaced, and the link keeps pointing at the restored database.
    """
    database, backup = Path(os.path.realpath(database)), Path(backup)
    if not backup.is_file():
        raise InvalidInput(f"找不到备份文件：{backup}")
    check(backup)
    kept = None
    if database.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = database.with_name(f"{database.name}.replaced-{stamp}")
        os.replace(database, kept)
        for suffix in ("-wal", "-shm"):
            side = Path(f"{database}{suffix}")
            if side.exists():
                os.replace(side, Path(f"{kept}{suffix}"))
    temp = database.with_name(database.name + ".restoring")
    shutil.copyfile(backup, temp)
    with temp.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(temp, database)
    return kept

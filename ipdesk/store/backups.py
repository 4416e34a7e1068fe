"""Backups through SQLite's online backup API: daily on start, before schema upgrades and imports, on request.

Each database keeps its own backups beside it, in a folder of its own named after the file: ``backups/<file
name>/`` (``backups/ipdesk.db/``), so that two workspaces in one folder never see, rotate or restore each other's.
In it: ``daily/`` (the newest 14), ``monthly/`` (the first of each month, the newest 12) and ``before/`` (before an
upgrade, a restore or on request, the newest 20; before an import, the newest 5 — the city office imports many times
a day, and its database holds every file received), named ``<stem>-<date and time to the microsecond>-<reason>.db``
(a counter is added should two fall in the same microsecond). Every copy is written under a temporary name, checked
with SQLite's quick check, and only then renamed into place and older copies rotated out: a damaged database never
becomes a "good" backup, nor pushes a good one out.

Every database carries its workspace's identity (``workspace_identity``, migration 9), and so does every backup made
of it. A restore checks the backup first, refuses one of another workspace, and keeps the file it replaces.

Earlier releases kept every database's backups together in ``backups/daily|monthly|before/``. Those are still found
for the database whose name they bear (``<stem>-<date>….db``, matched exactly), and a restore still refuses one whose
audit chain shows it belongs to another workspace; they are never rotated or deleted by this release.
"""

from __future__ import annotations

import datetime as dt
import os
import re
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
    """A backup file of the database: where it is, which kind it is and when it was made."""

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
    """The reason in a "before" copy's name: ``city-2026-11-25-093000-123456-import.db`` → ``import``."""
    return path.stem.rsplit("-", 1)[-1]


def workspace_identity(path: Path) -> str | None:
    """The identity of the workspace the database (or backup) at ``path`` belongs to; None when it cannot be read.

    A database from before migration 9 has none stored: the hash of its first audit entry stands for it, as the
    migration took it (None when its audit log is empty).
    """
    try:
        with connection.inspecting(path) as conn:
            return identity_of(conn)
    except (sqlite3.Error, OSError):
        return None


def identity_of(conn: sqlite3.Connection) -> str | None:
    """The workspace identity of an open database (see ``workspace_identity``)."""
    try:
        row = conn.execute("SELECT id FROM workspace_identity WHERE only_row = 1").fetchone()
    except sqlite3.OperationalError:  # no such table: a database (or backup) from before migration 9
        row = conn.execute("SELECT hash FROM audit_log ORDER BY id LIMIT 1").fetchone()
    return row[0] if row else None


class BackupShelf:
    """The backups of one database: its own folder, and what earlier releases left under its name."""

    STAMP = "%Y-%m-%d-%H%M%S-%f"  # ASCII only (strftime under a Windows code page)

    def __init__(self, database: Path):
        self.database = Path(database)
        self.legacy = self.database.parent / "backups"  # where earlier releases kept every database's backups
        self.folder = self.legacy / self.database.name
        # Earlier releases' names: <stem>-2025-02-09.db, <stem>-2025-02.db, <stem>-2025-02-09-093000-import.db
        # or <stem>-before-restore.db (what ``ipdesk restore`` replaced)
        stem = re.escape(self.database.stem)
        self._legacy_name = re.compile(stem + r"-(\d{4}-\d{2}(-\d{2}(-\d{6}-[a-z_]+)?)?|before-restore)\.db")

    def _name(self, stamp: str, note: str = "") -> str:
        return f"{self.database.stem}-{stamp}{'-' + note if note else ''}.db"

    def automatic(self, conn: sqlite3.Connection, today: dt.date | None = None) -> Path | None:
        """Today's daily backup, if not made yet, and the month's; old ones are rotated out."""
        today = today or dt.date.today()
        daily = self.folder / "daily" / self._name(today.isoformat())
        if daily.exists():
            return None
        copy_database(conn, daily)
        monthly = self.folder / "monthly" / self._name(f"{today.year:04d}-{today.month:02d}")
        if not monthly.exists():
            monthly.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(daily, monthly)
        self._rotate("daily")
        self._rotate("monthly")
        return daily

    def before(self, conn: sqlite3.Connection, reason: str) -> Path:
        """A backup made just before something that changes much at once (an upgrade, an import, a restore)."""
        folder = self.folder / "before"
        stamp = dt.datetime.now().strftime(self.STAMP)
        target, count = folder / self._name(stamp, reason), 1
        while target.exists() or target.with_name(target.name + ".part").exists():
            count += 1
            target = folder / self._name(f"{stamp}.{count}", reason)
        made = copy_database(conn, target)
        self._rotate("before", reason)
        return made

    def _own(self, kind: str) -> list[Path]:
        """This database's copies of ``kind`` in its own folder, newest first."""
        return sorted(
            (p for p in (self.folder / kind).glob("*.db") if p.name.startswith(self.database.stem + "-")),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )

    def _rotate(self, kind: str, reason: str = "") -> None:
        """Remove the oldest copies of ``kind`` beyond what is kept. "before" copies with a quota of their own
        (imports) are counted apart from the others. Only this database's own folder is ever touched."""
        files = self._own(kind)
        keep = KEEP[kind]
        if kind == "before":
            quota = reason if reason in KEEP_BEFORE else ""
            files = [f for f in files if (_reason(f) if _reason(f) in KEEP_BEFORE else "") == quota]
            keep = KEEP_BEFORE.get(quota, keep)
        for old in files[keep:]:
            old.unlink(missing_ok=True)

    def _legacy(self, kind: str) -> list[Path]:
        """Copies an earlier release made of this database (found by its name, exactly)."""
        return [p for p in (self.legacy / kind).glob("*.db") if self._legacy_name.fullmatch(p.name)]

    def all(self) -> list[Backup]:
        """This database's backups, newest first: its own folder's, then what earlier releases left under its name."""
        found = []
        for kind in KEEP:
            for path in [*self._own(kind), *self._legacy(kind)]:
                found.append(Backup(path, kind, dt.datetime.fromtimestamp(path.stat().st_mtime)))
        return sorted(found, key=lambda b: b.made_at, reverse=True)

    def identity(self) -> str | None:
        """The workspace identity of this database: read from the file, else (a damaged file) the one its own
        backups carry (the newest that can be read)."""
        if self.database.exists():
            own = workspace_identity(self.database)
            if own is not None:
                return own
        for backup in self.all():
            found = workspace_identity(backup.path)
            if found is not None:
                return found
        return None

    def newest_good(self) -> Backup | None:
        """The most recent backup of this workspace that passes the integrity check."""
        expected = self.identity()
        for backup in self.all():
            try:
                check(backup.path)
            except DatabaseError:
                continue
            if expected is not None and workspace_identity(backup.path) not in (expected, None):
                continue  # a copy of another workspace that happens to bear this file's name
            return backup
        return None


def restore(database: Path, backup: Path) -> Path | None:
    """Replace ``database`` with ``backup`` after checking it (sound, and a backup of this workspace); returns where
    the replaced file was kept.

    The database must not be open in ipdesk (the caller holds or checks the writer lock). A symbolic link is
    followed: the file it points to is replaced, and the link keeps pointing at the restored database.
    """
    database, backup = Path(os.path.realpath(database)), Path(backup)
    if not backup.is_file():
        raise InvalidInput(f"找不到备份文件：{backup}")
    check(backup)
    refuse_another_workspace(database, backup)
    kept = None
    if database.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        kept, count = database.with_name(f"{database.name}.replaced-{stamp}"), 1
        while kept.exists():
            count += 1
            kept = database.with_name(f"{database.name}.replaced-{stamp}.{count}")
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


def refuse_another_workspace(database: Path, backup: Path) -> None:
    """``InvalidInput`` when ``backup`` is known to belong to another workspace than ``database`` (whose identity is
    read from the file, or from its own backups when the file cannot be read). Unknown on either side: allowed —
    the user chose the file, and a backup from before workspace identities has none to compare."""
    theirs = workspace_identity(backup)
    ours = BackupShelf(database).identity()
    if theirs is not None and ours is not None and theirs != ours:
        raise InvalidInput(
            f"备份文件“{backup.name}”是另一个工作区的备份，不是“{database.name}”的，不能用来恢复它；"
            f"数据库未做任何改动。请选择“{BackupShelf(database).folder}”中的备份。"
        )

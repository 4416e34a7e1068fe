"""``Workspace``: the one way the GUI, the CLI and scripts read and change a workspace's data.

    from ipdesk import Workspace, Period

    with Workspace("ipdesk.db") as ws:
        unit = ws.units.find("碑林区")
        for item in ws.progress.for_unit(unit, Period.parse("2025-11")):
            print(item.task.seq, item.role.label, item.progress.status)

Like Anki's ``Collection``, the facade holds managers as attributes — ``ws.units``, ``ws.tasks``,
``ws.indicators``, ``ws.projects``, ``ws.progress``, ``ws.indicator_values``, ``ws.target_values``,
``ws.evidence``, ``ws.reports``, ``ws.lights``, ``ws.settings``, ``ws.audit``, ``ws.plans`` (the plans in the
workspace: which is current, importing and exporting them) — and every change made through them is written at once
(one durable transaction each) with its audit entries. ``ws.plan`` is the current plan; the managers answer for it.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ipdesk.domain.deadlines import check_in_plan
from ipdesk.domain.errors import (
    BadDatabasePath,
    CorruptDatabase,
    DatabaseError,
    InvalidInput,
    LinkedDatabase,
    StorageError,
    WorkspaceInUse,
    os_error_text,
)
from ipdesk.domain.periods import Period
from ipdesk.domain.plan import Plan
from ipdesk.paths import default_database_path
from ipdesk.plans.embedded import load_embedded_plan
from ipdesk.store import connection, entries_store, plan_store
from ipdesk.store.backups import Backup, BackupShelf
from ipdesk.store.connection import GuardedConnection
from ipdesk.store.database import LazyDatabase
from ipdesk.store.location import is_network_path
from ipdesk.store.writer_lock import WriterLock
from ipdesk.workspace.entries import EvidenceBox, IndicatorValues, ProgressBook, TargetValues
from ipdesk.workspace.plan import Indicators, Projects, Tasks, Units
from ipdesk.workspace.plans import Plans
from ipdesk.workspace.reports import Lights, Reports
from ipdesk.workspace.settings import AuditTrail, Settings

if TYPE_CHECKING:
    from ipdesk.workspace.city import CityOffice, FeedbackInbox
    from ipdesk.workspace.signoff import SignOff
    from ipdesk.workspace.trust import Trust

MEMORY = ":memory:"
SYSTEM_ACTOR = "ipdesk"


@dataclass(frozen=True)
class RowIds:
    """Row ids of the plan's static rows, looked up once: every save needs them."""

    units: dict[str, int]
    tasks: dict[int, int]
    indicators: dict[int, int]
    targets: dict[tuple[int, int], int]


class Workspace:
    """An open workspace database. Create it with a path (``":memory:"`` for a scratch one) or none for the default.

    Opening a new file creates it and loads the embedded plan. An existing file that is not an ipdesk database,
    is damaged, was written by a newer ipdesk, or has more than one hard link (for writing) raises a
    ``DatabaseError`` and is left untouched, with nothing created beside it. ``path`` is the file itself: a
    symbolic link is followed, so the lock, the backups and the evidence files are those of the real file.
    """

    def __init__(
        self, path: str | Path | None = None, *, actor: str | None = None, read_only: bool = False, backups: bool = True
    ):
        if path is None:
            path = default_database_path()
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise BadDatabasePath(f"无法创建数据文件夹：{Path(path).parent}（{os_error_text(error)}）") from error
        self.path: Path | None = None if str(path) == MEMORY else Path(os.path.realpath(path))
        self.read_only = read_only
        self.warnings: list[str] = []
        self._lock: WriterLock | None = None
        self._beside_at_open: set[Path] = set()
        self.backups = BackupShelf(self.path) if self.path is not None else None
        if self.path is None:
            conn = connection.connect_memory()
        else:
            conn = self._open_file(self.path, read_only, backups)
        self.db = LazyDatabase(conn)
        self._actor = actor
        plan_id = plan_store.active_plan_id(self.db)
        if plan_id is None:
            if read_only:
                raise DatabaseError("此数据库还没有载入方案，不能只读打开")
            plan_id = plan_store.save_plan(self.db, load_embedded_plan(), SYSTEM_ACTOR)
        self.load_plan(plan_id)
        self.plans = Plans(self)
        self.settings = Settings(self)
        self.progress = ProgressBook(self)
        self.indicator_values = IndicatorValues(self)
        self.target_values = TargetValues(self)
        self.evidence = EvidenceBox(self)
        self.reports = Reports(self)
        self.lights = Lights(self)
        self.audit = AuditTrail(self)
        # signoff, trust, city and feedback (below) are made, and their code imported, when first used: the
        # clerk's window opens without the city's or the signatures' code.

    @functools.cached_property
    def signoff(self) -> SignOff:
        from ipdesk.workspace.signoff import SignOff

        return SignOff(self)

    @functools.cached_property
    def trust(self) -> Trust:
        from ipdesk.workspace.trust import Trust

        return Trust(self)

    @functools.cached_property
    def city(self) -> CityOffice:
        from ipdesk.workspace.city import CityOffice

        return CityOffice(self)

    @functools.cached_property
    def feedback(self) -> FeedbackInbox:
        from ipdesk.workspace.city import FeedbackInbox

        return FeedbackInbox(self)

    def load_plan(self, plan_id: int) -> None:
        """Make ``plan_id`` the plan this workspace works on (``ws.plans.use`` switches and remembers it)."""
        self.plan_id = plan_id
        self.plan: Plan = plan_store.read_plan(self.db, plan_id)
        self.__dict__.pop("plan_sha256", None)
        self.ids = RowIds(
            units=plan_store.unit_ids(self.db, plan_id),
            tasks=entries_store.task_ids(self.db, plan_id),
            indicators=entries_store.indicator_ids(self.db, plan_id),
            targets=entries_store.target_ids(self.db, plan_id),
        )
        self.units = Units(self)
        self.tasks = Tasks(self)
        self.indicators = Indicators(self)
        self.projects = Projects(self)

    def _open_file(self, path: Path, read_only: bool, backups: bool) -> GuardedConnection:
        existed = path.exists()
        if existed and not read_only:
            if path.is_dir():
                raise BadDatabasePath(f"“{path}”是一个文件夹，不是数据库文件。请指定一个 .db 文件的路径。")
            refuse_hard_links(path)
            connection.probe(path)  # what a file is, judged before anything (a lock file) is put beside it
        if not read_only and path.parent.is_dir():
            self._lock = WriterLock(path)
            if not self._lock.acquire(note=False):
                holder = self._lock.holder()
                self._lock = None
                raise WorkspaceInUse(
                    f"另一个 ipdesk 正在使用这个数据库（{holder or '未知进程'}）。为避免互相覆盖，"
                    "同一时间只能有一个程序修改它；可以以只读方式打开查看。"
                )
        network = is_network_path(path)
        if network and not read_only:
            self.warnings.append(
                "数据库位于网络共享文件夹，已改用更稳妥的日志方式；网络中断可能丢失最近的修改，"
                "建议把数据库放在本机磁盘上。"
            )
        shelf = self.backups
        beside = set(connection.side_files(path))
        self._beside_at_open = beside
        conn: GuardedConnection | None = None
        try:
            conn = connection.connect(
                path,
                read_only=read_only,
                network=network,
                before_upgrade=(lambda c: shelf.before(c, "upgrade")) if shelf and backups else None,
            )
            if existed and backups and not read_only and shelf is not None:
                self._daily_backup(shelf, conn)
            if self._lock is not None:
                self._lock.write_note()
        except BaseException:
            if conn is not None:
                conn.close()
            if not read_only:  # a refused file keeps nothing beside it: no lock file, no journal
                connection.remove_if_new(connection.side_files(path), beside)
                if not existed and path.exists() and path.stat().st_size == 0:
                    path.unlink(missing_ok=True)
            self._release_lock(refused=True)
            raise
        return conn

    def _daily_backup(self, shelf: BackupShelf, conn: GuardedConnection) -> None:
        """Today's backup, checked; a database whose copy fails the check is damaged and refused (CorruptDatabase).

        A copy that passed the check also vouches for a large file whose own check was waiting for its first write.
        """
        try:
            made = shelf.automatic(conn)
        except (OSError, StorageError) as error:
            reason = os_error_text(error) if isinstance(error, OSError) else str(error)
            self.warnings.append(f"今天的自动备份没有成功（{reason}）；数据本身不受影响。")
            return
        if made is not None and not conn.checked:
            conn.mark_checked()

    def _release_lock(self, refused: bool = False) -> None:
        if self._lock is not None:
            self._lock.release(remove_if_created=refused)
            self._lock = None

    def backup_before(self, reason: str) -> Path | None:
        """A backup made now, before an operation that changes much at once (an import, a restore).

        Like every backup it is checked once written; a damaged database is never copied into ``backups/``.
        """
        if self.backups is None:
            return None
        self._refuse_if_damaged()
        return self.backups.before(self.db.conn, reason)

    def backup_to(self, target: Path) -> Path:
        """A checked, consistent copy of the workspace at ``target`` (the database may stay open meanwhile)."""
        from ipdesk.store.backups import copy_database

        self._refuse_if_damaged()
        return copy_database(self.db.conn, Path(target))

    def _refuse_if_damaged(self) -> None:
        conn = self.db.conn
        if isinstance(conn, GuardedConnection) and conn.damaged:
            raise conn.damaged_error(conn.damaged)

    @staticmethod
    def newest_good_backup(path: str | Path | None = None) -> Backup | None:
        """The most recent sound backup of the database at ``path`` (default location if None), whether or not the
        database itself can be opened."""
        return BackupShelf(Path(path) if path else default_database_path()).newest_good()

    @staticmethod
    def restore(path: str | Path | None, backup: Path) -> Path | None:
        """Replace the (closed) database at ``path`` with a checked ``backup``; returns where the old file was kept."""
        from ipdesk.store.backups import restore

        return restore(Path(path) if path else default_database_path(), backup)

    @staticmethod
    def restore_unopened(path: str | Path | None, backup: Path) -> Path | None:
        """``ipdesk restore``: replace the database at ``path`` (default location if None), which no ipdesk may have
        open, with ``backup``. The backup is checked first; while another ipdesk writes the database the restore is
        refused (``WorkspaceInUse``); what is replaced is backed up (reason "restore") when it can still be read,
        and kept beside the database under another name. Returns where the old file was kept."""
        from ipdesk.store.backups import check, refuse_another_workspace, restore

        database = Path(path) if path else default_database_path()
        check(backup)
        refuse_another_workspace(database, backup)
        lock = WriterLock(database)
        if database.parent.is_dir() and not lock.acquire():
            raise WorkspaceInUse(f"数据库正在被使用（{lock.holder() or '未知进程'}），请先关闭 ipdesk 再恢复")
        try:
            if database.exists():
                try:  # one more copy of what is being replaced, when it can still be read
                    conn = connection.connect(database)
                    try:
                        BackupShelf(database).before(conn, "restore")
                    finally:
                        conn.close()
                except Exception:
                    pass
            return restore(database, backup)
        finally:
            lock.release()

    # -- which side this workspace is on ------------------------------------------------------------------------
    CITY = "city"
    UNIT = "unit"

    @property
    def kind(self) -> str:
        """ "city" for the leading group's office (汇总), "unit" for a unit's (填报), "" for a new workspace."""
        chosen = self.settings.get(Settings.WORKSPACE_KIND)
        if chosen:
            return chosen
        return self.UNIT if self.settings.get(Settings.UNIT) else ""

    def set_kind(self, kind: str) -> None:
        """Choose the side of a new workspace; a workspace that is already the other side's is refused."""
        if kind not in (self.CITY, self.UNIT):
            raise ValueError(kind)
        current = self.kind
        if current == kind:
            if not self.settings.get(Settings.WORKSPACE_KIND):
                self.settings.set(Settings.WORKSPACE_KIND, kind)
            return
        if current == self.UNIT:
            unit = self.settings.get(Settings.UNIT)
            raise InvalidInput(
                f"这是{('“' + unit + '”') if unit else '单位'}的填报工作区，不能用作市领导小组办公室的汇总工作区。"
                "请为汇总另建一个数据库（--db 新文件）"
            )
        if current == self.CITY:
            raise InvalidInput(
                "这是市领导小组办公室的汇总工作区，不能用来填报单位的报告。请为填报另建一个数据库（--db 新文件）"
            )
        self.settings.set(Settings.WORKSPACE_KIND, kind)

    @functools.cached_property
    def plan_sha256(self) -> str:
        """SHA-256 of the current plan's canonical document: every return names the exact plan it was filled against."""
        from ipdesk.plans.canonical import plan_sha256

        return plan_sha256(self.plan)

    def integrity(self) -> str:
        """SQLite's quick check of the database: "ok" or what is wrong. A failure marks the workspace damaged."""
        result = connection.quick_check(self.db.conn)
        if result != "ok":
            self.mark_damaged(result)
        return result

    def integrity_full(self) -> str:
        """SQLite's full integrity check (every index compared with its table): "ok" or what is wrong."""
        result = connection.integrity_check(self.db.conn)
        if result != "ok":
            self.mark_damaged(result)
        return result

    def integrity_of_file(self) -> str:
        """The quick check on a connection of its own, so that it can run off the GUI thread ("ok" also means
        writing may go ahead without a check of its own; anything else marks the workspace damaged)."""
        if self.path is None:
            return "ok"
        result = connection.check_file(self.path)
        conn = self.db.conn
        if isinstance(conn, GuardedConnection):
            if result != "ok":
                self.mark_damaged(result)
            elif not conn.checked and not self.read_only:
                conn.mark_checked()
        return result

    @property
    def damaged(self) -> str:
        """What SQLite said when it found this database damaged; "" while it is sound."""
        conn = self.db.conn
        return conn.damaged if isinstance(conn, GuardedConnection) else ""

    def mark_damaged(self, detail: str) -> CorruptDatabase:
        """Treat the database as damaged from now on (no more writes, no backups of it); returns the error to show."""
        conn = self.db.conn
        if isinstance(conn, GuardedConnection):
            return conn.damaged_error(detail)
        return CorruptDatabase(connection.damage_message(self.path, detail))

    def plan_period(self, period: str | Period) -> Period:
        """``period`` (a code such as ``2025-11`` or a ``Period``) if the plan covers it, else ``InvalidInput``.

        The one rule for entering, submitting and exporting, in the window, on the command line and in scripts:
        only the periods of the plan (see ``domain.deadlines.check_in_plan``).
        """
        wanted = period if isinstance(period, Period) else Period.parse(period)
        return check_in_plan(wanted, self.plan.start_date, self.plan.end_date)

    @property
    def actor(self) -> str:
        """Who the audit log names for changes: the name given, else the clerk in 设置, else the OS user."""
        if self._actor:
            return self._actor
        clerk = self.settings.get(Settings.CLERK_NAME)
        if clerk:
            return clerk
        import getpass  # the first change made without a clerk's name

        try:
            return getpass.getuser()
        except Exception:
            return "unknown"

    @actor.setter
    def actor(self, name: str | None) -> None:
        self._actor = name

    def busy(self) -> bool:
        """True while another thread (a background operation) is using the database: every statement and every
        transaction holds one lock (the one writer, ``store/connection.py``), so a save made now would wait for it.
        The window's autosave and retry timers ask this and try again shortly instead of freezing the window."""
        return self.db.busy()

    @contextlib.contextmanager
    def bulk(self) -> Iterator[Workspace]:
        """Group many changes into one transaction: all of them land, or none (imports, 沿用上期 for all tasks)."""
        with self.db.atomic():
            yield self

    def close(self) -> None:
        self.db.close()
        self._release_lock()
        if self.read_only and self.path is not None:  # a viewer leaves the folder as it found it
            connection.tidy_after_reading(self.path, self._beside_at_open)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Workspace {self.path or MEMORY} plan={self.plan.code}>"


def refuse_hard_links(path: Path) -> None:
    """Refuse to write a database file that has more than one name (hard links).

    Two programs may then open the same file by different names, each taking a lock beside its own name, and both
    write: SQLite's documentation lists this as a way to corrupt a database. Reading stays possible.
    """
    try:
        links = path.stat().st_nlink
    except OSError as error:
        raise BadDatabasePath(f"无法读取数据库文件：{path}（{os_error_text(error)}）") from error
    if links > 1:
        raise LinkedDatabase(
            f"数据库文件“{path}”有 {links} 个名字（硬链接）：同一个文件可能经由另一个名字被另一个程序同时修改，"
            "SQLite 说明这样会损坏数据库，因此不能修改它；可以只读打开查看。请把它复制成一个独立的文件"
            "（复制，不要创建链接），或删除多余的链接后再使用。"
        )

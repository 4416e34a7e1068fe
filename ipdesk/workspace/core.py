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
import getpass
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ipdesk.domain.errors import BadDatabasePath, DatabaseError, InvalidInput, WorkspaceInUse
from ipdesk.domain.plan import Plan
from ipdesk.paths import default_database_path
from ipdesk.plans.embedded import load_embedded_plan
from ipdesk.store import connection, entries_store, plan_store
from ipdesk.store.backups import Backup, BackupShelf
from ipdesk.store.database import LazyDatabase
from ipdesk.store.location import is_network_path
from ipdesk.store.writer_lock import WriterLock
from ipdesk.workspace.city import CityOffice, FeedbackInbox
from ipdesk.workspace.entries import EvidenceBox, IndicatorValues, ProgressBook, TargetValues
from ipdesk.workspace.plan import Indicators, Projects, Tasks, Units
from ipdesk.workspace.plans import Plans
from ipdesk.workspace.reports import Lights, Reports
from ipdesk.workspace.settings import AuditTrail, Settings
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
    is damaged, or was written by a newer ipdesk raises a ``DatabaseError`` and is left untouched.
    """

    def __init__(
        self, path: str | Path | None = None, *, actor: str | None = None, read_only: bool = False, backups: bool = True
    ):
        if path is None:
            path = default_database_path()
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise BadDatabasePath(
                    f"无法创建数据文件夹：{Path(path).parent}（{error.strerror or error}）"
                ) from error
        self.path: Path | None = None if str(path) == MEMORY else Path(path)
        self.read_only = read_only
        self.warnings: list[str] = []
        self._lock: WriterLock | None = None
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
        self.signoff = SignOff(self)
        self.audit = AuditTrail(self)
        self.trust = Trust(self)
        self.city = CityOffice(self)
        self.feedback = FeedbackInbox(self)

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

    def _open_file(self, path: Path, read_only: bool, backups: bool):
        existed = path.exists()
        if not read_only:
            if path.parent.is_dir():
                self._lock = WriterLock(path)
                if not self._lock.acquire():
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
        try:
            conn = connection.connect(
                path,
                read_only=read_only,
                network=network,
                before_upgrade=(lambda c: shelf.before(c, "upgrade")) if shelf and backups else None,
            )
            if existed and backups and not read_only and shelf is not None:
                try:
                    shelf.automatic(conn)
                except OSError as error:
                    self.warnings.append(f"今天的自动备份没有成功（{error.strerror or error}）；数据本身不受影响。")
        except BaseException:
            self._release_lock()
            raise
        return conn

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def backup_before(self, reason: str) -> Path | None:
        """A backup made now, before an operation that changes much at once (an import, a restore)."""
        if self.backups is None or self.read_only:
            return None
        return self.backups.before(self.db.conn, reason)

    def backup_to(self, target: Path) -> Path:
        """A consistent copy of the workspace at ``target`` (the database may stay open while it is made)."""
        from ipdesk.store.backups import copy_database

        return copy_database(self.db.conn, Path(target))

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
        """SQLite's quick check of the database: "ok" or what is wrong."""
        return connection.quick_check(self.db.conn)

    def integrity_of_file(self) -> str:
        """The same check on a connection of its own, so that it can run off the GUI thread."""
        return connection.check_file(self.path) if self.path is not None else "ok"

    @property
    def actor(self) -> str:
        """Who the audit log names for changes: the name given, else the clerk in 设置, else the OS user."""
        if self._actor:
            return self._actor
        clerk = self.settings.get(Settings.CLERK_NAME)
        if clerk:
            return clerk
        try:
            return getpass.getuser()
        except Exception:
            return "unknown"

    @actor.setter
    def actor(self, name: str | None) -> None:
        self._actor = name

    @contextlib.contextmanager
    def bulk(self) -> Iterator[Workspace]:
        """Group many changes into one transaction: all of them land, or none (imports, 沿用上期 for all tasks)."""
        with self.db.atomic():
            yield self

    def close(self) -> None:
        self.db.close()
        self._release_lock()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Workspace {self.path or MEMORY} plan={self.plan.code}>"

"""``Workspace``: the one way the GUI, the CLI and scripts read and change a workspace's data.

    from ipdesk import Workspace, Period

    with Workspace("ipdesk.db") as ws:
        unit = ws.units.find("碑林区")
        for item in ws.progress.for_unit(unit, Period.parse("2025-11")):
            print(item.task.seq, item.role.label, item.progress.status)

Like Anki's ``Collection``, the facade holds managers as attributes — ``ws.units``, ``ws.tasks``,
``ws.indicators``, ``ws.projects``, ``ws.progress``, ``ws.indicator_values``, ``ws.settings``, ``ws.audit`` — and
every change made through them is written at once (one durable transaction each) with its audit entries.
"""

from __future__ import annotations

import contextlib
import difflib
import getpass
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from ipdesk.domain.errors import AmbiguousUnit, BadDatabasePath, InvalidInput, UnitNotFound
from ipdesk.domain.indicators import Indicator
from ipdesk.domain.periods import Period
from ipdesk.domain.plan import Plan, Project, Role, Task, Unit, UnitKind
from ipdesk.domain.progress import IndicatorValue, Progress
from ipdesk.paths import default_database_path
from ipdesk.plans.embedded import load_embedded_plan
from ipdesk.store import audit as audit_store
from ipdesk.store import connection, entries_store, plan_store, settings_store

MEMORY = ":memory:"
SYSTEM_ACTOR = "ipdesk"


@dataclass(frozen=True)
class AssignedTask:
    """A task as one unit sees it: the task and the unit's role in it."""

    task: Task
    role: Role


@dataclass(frozen=True)
class TaskProgress:
    """A row of the clerk's table: the task, the unit's role and what has been entered this period."""

    task: Task
    role: Role
    progress: Progress


@dataclass(frozen=True)
class OwnedIndicator:
    indicator: Indicator
    role: Role


class Workspace:
    """An open workspace database. Create it with a path (``":memory:"`` for a scratch one) or none for the default.

    Opening a new file creates it and loads the embedded plan. An existing file that is not an ipdesk database,
    is damaged, or was written by a newer ipdesk raises a ``DatabaseError`` and is left untouched.
    """

    def __init__(self, path: str | Path | None = None, *, actor: str | None = None):
        if path is None:
            path = default_database_path()
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise BadDatabasePath(
                    f"无法创建数据文件夹：{Path(path).parent}（{error.strerror or error}）"
                ) from error
        self.path: Path | None = None if str(path) == MEMORY else Path(path)
        conn = connection.connect_memory() if self.path is None else connection.connect(self.path)
        self.db = Database(conn, execute_plugins=False)
        self._actor = actor
        plan_id = plan_store.active_plan_id(self.db)
        if plan_id is None:
            plan_id = plan_store.save_plan(self.db, load_embedded_plan(), SYSTEM_ACTOR)
        self.plan_id = plan_id
        self.plan: Plan = plan_store.read_plan(self.db, plan_id)
        # Row ids of the plan's static rows, looked up once: every save needs them.
        self._unit_ids = entries_store.unit_ids(self.db)
        self._task_ids = entries_store.task_ids(self.db, plan_id)
        self._indicator_ids = entries_store.indicator_ids(self.db, plan_id)
        self.units = Units(self)
        self.tasks = Tasks(self)
        self.indicators = Indicators(self)
        self.projects = Projects(self)
        self.progress = ProgressBook(self)
        self.indicator_values = IndicatorValues(self)
        self.settings = Settings(self)
        self.audit = AuditTrail(self)

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

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Workspace {self.path or MEMORY} plan={self.plan.code}>"


def _normal(text: str) -> str:
    """Compare names the way a person reads them: full-width and half-width brackets alike, no spaces."""
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "")


class Units:
    """The units of the workspace, and finding one by a name or a part of it."""

    def __init__(self, ws: Workspace):
        self._ws = ws
        self._by_name = {unit.name: unit for unit in ws.plan.units}

    def all(self, kind: UnitKind | None = None) -> list[Unit]:
        return [u for u in self._by_name.values() if kind is None or u.kind is kind]

    def get(self, name: str) -> Unit:
        try:
            return self._by_name[name]
        except KeyError:
            raise UnitNotFound(name, self._suggest(name)) from None

    def find(self, query: str | Unit) -> Unit:
        """The unit named ``query``, or the only unit whose name contains it (``碑林区`` → 碑林区人民政府)."""
        if isinstance(query, Unit):
            return self.get(query.name)
        wanted = _normal(query)
        if not wanted:
            raise UnitNotFound(query, [])
        exact = [u for u in self._by_name.values() if _normal(u.name) == wanted or _normal(u.short_name) == wanted]
        if len(exact) == 1:
            return exact[0]
        partial = [u for u in self._by_name.values() if wanted in _normal(u.name)]
        if len(partial) == 1:
            return partial[0]
        if len(partial) > 1:
            raise AmbiguousUnit(query, [u.name for u in partial])
        raise UnitNotFound(query, self._suggest(query))

    def _suggest(self, query: str) -> list[str]:
        names = list(self._by_name)
        normalised = {_normal(n): n for n in names}
        close = difflib.get_close_matches(_normal(query), list(normalised), n=5, cutoff=0.3)
        return [normalised[c] for c in close]


def _unit_name(ws: Workspace, unit: str | Unit) -> str:
    return ws.units.find(unit).name


def _period(period: str | Period) -> Period:
    return period if isinstance(period, Period) else Period.parse(period)


class Tasks:
    """The plan's task list (all 97 rows, indicators and projects included)."""

    def __init__(self, ws: Workspace):
        self._ws = ws
        self._by_seq = {task.seq: task for task in ws.plan.tasks}

    def all(self) -> list[Task]:
        return list(self._by_seq.values())

    def get(self, seq: int) -> Task:
        try:
            return self._by_seq[seq]
        except KeyError:
            raise InvalidInput(f"任务清单中没有序号为 {seq} 的任务（共 {len(self._by_seq)} 项）") from None

    def for_unit(self, unit: str | Unit, role: Role | str | None = None) -> list[AssignedTask]:
        """The tasks ``unit`` leads or cooperates on, in task-list order; ``role`` keeps only one kind."""
        name = _unit_name(self._ws, unit)
        wanted = Role(role) if role is not None else None
        result = []
        for task in self._by_seq.values():
            task_role = task.role_of(name)
            if task_role is not None and (wanted is None or task_role is wanted):
                result.append(AssignedTask(task, task_role))
        return result


class Indicators:
    """The headline indicators, their owners and expected values."""

    def __init__(self, ws: Workspace):
        self._ws = ws
        self._by_seq = {i.seq: i for i in ws.plan.indicators}
        self._expected = plan_store.read_expected_values(ws.db, ws.plan_id)

    def all(self) -> list[Indicator]:
        return list(self._by_seq.values())

    def get(self, seq: int) -> Indicator:
        try:
            return self._by_seq[seq]
        except KeyError:
            raise InvalidInput(f"没有序号为 {seq} 的主要指标（共 {len(self._by_seq)} 项）") from None

    def expected(self, indicator: Indicator | int, year: int) -> float | None:
        """The value expected by the end of ``year``: the plan's stored yearly value, else the indicator's rule."""
        item = self.get(indicator) if isinstance(indicator, int) else indicator
        stored = self._expected.get((item.seq, year))
        return stored if stored is not None else item.expected(year)

    def for_unit(self, unit: str | Unit) -> list[OwnedIndicator]:
        """The indicators whose task-list row names ``unit`` (as lead or cooperating unit)."""
        name = _unit_name(self._ws, unit)
        result = []
        for indicator in self._by_seq.values():
            role = self._ws.tasks.get(indicator.task_seq).role_of(name)
            if role is not None:
                result.append(OwnedIndicator(indicator, role))
        return result


class Projects:
    """The demonstration projects (工程1–8) and their numeric sub-targets."""

    def __init__(self, ws: Workspace):
        self._ws = ws

    def all(self) -> list[Project]:
        return list(self._ws.plan.projects)

    def get(self, no: int) -> Project:
        for project in self._ws.plan.projects:
            if project.no == no:
                return project
        raise InvalidInput(f"没有“工程{no}”（共 {len(self._ws.plan.projects)} 项示范工程）")


class ProgressBook:
    """Task progress per (task, unit, period)."""

    def __init__(self, ws: Workspace):
        self._ws = ws

    def get(self, task_seq: int, unit: str | Unit, period: str | Period) -> Progress:
        self._ws.tasks.get(task_seq)
        return entries_store.read_progress(
            self._ws.db, self._ws.plan_id, task_seq, _unit_name(self._ws, unit), _period(period)
        )

    def save(self, progress: Progress) -> list[str]:
        """Store ``progress`` durably; returns the fields that changed (empty when nothing did)."""
        task = self._ws.tasks.get(progress.task_seq)
        unit = _unit_name(self._ws, progress.unit)
        if task.role_of(unit) is None:
            raise InvalidInput(f"“{unit}”不是第 {task.seq} 项任务的责任单位或协作单位，不能填报该任务")
        if unit != progress.unit:
            progress = progress.with_changes(unit=unit)
        ws = self._ws
        return entries_store.save_progress(ws.db, ws._unit_ids[unit], ws._task_ids[task.seq], progress, ws.actor)

    def for_unit(self, unit: str | Unit, period: str | Period) -> list[TaskProgress]:
        """Every task of the unit with this period's progress (empty where nothing is entered yet)."""
        rows = entries_store.unit_tasks_with_progress(
            self._ws.db, self._ws.plan_id, _unit_name(self._ws, unit), _period(period)
        )
        return [TaskProgress(self._ws.tasks.get(seq), Role(role), progress) for seq, role, progress in rows]

    def history(self, task_seq: int, unit: str | Unit) -> list[Progress]:
        return entries_store.progress_history(self._ws.db, self._ws.plan_id, task_seq, _unit_name(self._ws, unit))


class IndicatorValues:
    """Indicator values per (indicator, unit, period)."""

    def __init__(self, ws: Workspace):
        self._ws = ws

    def get(self, indicator_seq: int, unit: str | Unit, period: str | Period) -> IndicatorValue:
        self._ws.indicators.get(indicator_seq)
        name, when = _unit_name(self._ws, unit), _period(period)
        values = entries_store.unit_indicator_values(self._ws.db, self._ws.plan_id, name, when)
        return values.get(indicator_seq, IndicatorValue(indicator_seq, name, when))

    def save(self, entry: IndicatorValue) -> list[str]:
        indicator = self._ws.indicators.get(entry.indicator_seq)
        unit = _unit_name(self._ws, entry.unit)
        if self._ws.tasks.get(indicator.task_seq).role_of(unit) is None:
            raise InvalidInput(f"“{unit}”不负责指标“{indicator.name}”，不能填报其数值")
        if unit != entry.unit:
            entry = entry.with_changes(unit=unit)
        ws = self._ws
        indicator_id = ws._indicator_ids[indicator.seq]
        return entries_store.save_indicator_value(ws.db, ws._unit_ids[unit], indicator_id, entry, ws.actor)

    def for_unit(self, unit: str | Unit, period: str | Period) -> dict[int, IndicatorValue]:
        return entries_store.unit_indicator_values(
            self._ws.db, self._ws.plan_id, _unit_name(self._ws, unit), _period(period)
        )

    def history(self, indicator_seq: int, unit: str | Unit | None = None) -> list[IndicatorValue]:
        self._ws.indicators.get(indicator_seq)
        name = _unit_name(self._ws, unit) if unit is not None else None
        return entries_store.indicator_history(self._ws.db, self._ws.plan_id, indicator_seq, name)


class Settings:
    """Named settings of the workspace; every change is audited."""

    UNIT = "unit"
    CLERK_NAME = "clerk_name"
    CLERK_PHONE = "clerk_phone"
    REVIEWER_NAME = "reviewer_name"

    def __init__(self, ws: Workspace):
        self._ws = ws

    def get(self, key: str, default: str = "") -> str:
        return settings_store.read_all(self._ws.db).get(key, default)

    def all(self) -> dict[str, str]:
        return settings_store.read_all(self._ws.db)

    def set(self, key: str, value: str) -> bool:
        return settings_store.write(self._ws.db, key, str(value), self._ws.actor)


class AuditTrail:
    """Reading and checking the audit log."""

    def __init__(self, ws: Workspace):
        self._ws = ws

    def entries(
        self,
        entity: str | None = None,
        entity_key: str | None = None,
        field: str | None = None,
        limit: int | None = None,
    ) -> list[audit_store.AuditEntry]:
        return audit_store.entries(self._ws.db, entity, entity_key, field, limit)

    def for_progress(
        self, task_seq: int, unit: str | Unit, period: str | Period, field: str | None = None
    ) -> list[audit_store.AuditEntry]:
        key = entries_store.progress_key(task_seq, _unit_name(self._ws, unit), _period(period))
        return self.entries("progress", key, field)

    def verify(self) -> int | None:
        """The id of the first broken entry, or None when the chain is intact."""
        return audit_store.verify(self._ws.db)

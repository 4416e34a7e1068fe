"""Read-only views of the plan in a workspace: units, tasks, indicators, projects."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipdesk.domain.errors import AmbiguousUnit, InvalidInput, UnitNotFound
from ipdesk.domain.indicators import Indicator
from ipdesk.domain.periods import Period
from ipdesk.domain.plan import Project, ProjectTarget, Role, Task, TaskKind, Unit, UnitKind
from ipdesk.store import plan_store

if TYPE_CHECKING:
    from ipdesk.workspace.core import Workspace


@dataclass(frozen=True)
class AssignedTask:
    """A task as one unit sees it: the task and the unit's role in it."""

    task: Task
    role: Role


@dataclass(frozen=True)
class OwnedIndicator:
    """An indicator a unit reports, and whether it leads or cooperates on it."""

    indicator: Indicator
    role: Role | None  # None only on the window's row of a former indicator (domain.former_tasks)


@dataclass(frozen=True)
class OwnedTarget:
    """A demonstration project's target a unit reports on."""

    project: Project
    target: ProjectTarget


def normal(text: str) -> str:
    """Compare names the way a person reads them: full-width and half-width brackets alike, no spaces."""
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "")


def as_period(period: str | Period) -> Period:
    return period if isinstance(period, Period) else Period.parse(period)


class Units:
    """The units of the workspace, and finding one by a name or a part of it."""

    def __init__(self, ws: Workspace):
        self._ws = ws
        self._by_name = {unit.name: unit for unit in ws.plan.units}
        self._normalised: list[tuple[str, str, Unit]] | None = None  # (name, short name) as ``normal`` reads them

    def _normal_names(self) -> list[tuple[str, str, Unit]]:
        if self._normalised is None:
            self._normalised = [(normal(u.name), normal(u.short_name), u) for u in self._by_name.values()]
        return self._normalised

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
        wanted = normal(query)
        if not wanted:
            raise UnitNotFound(query, [])
        names = self._normal_names()
        exact = [u for name, short, u in names if name == wanted or short == wanted]
        if len(exact) == 1:
            return exact[0]
        partial = [u for name, _, u in names if wanted in name]
        if len(partial) == 1:
            return partial[0]
        if len(partial) > 1:
            raise AmbiguousUnit(query, [u.name for u in partial])
        raise UnitNotFound(query, self._suggest(query))

    def name_of(self, unit: str | Unit) -> str:
        return self.find(unit).name

    def _suggest(self, query: str) -> list[str]:
        import difflib  # only for a name not found

        normalised = {normal(n): n for n in self._by_name}
        close = difflib.get_close_matches(normal(query), list(normalised), n=5, cutoff=0.3)
        return [normalised[c] for c in close]


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

    def for_unit(
        self, unit: str | Unit, role: Role | str | None = None, include_indicators: bool = True
    ) -> list[AssignedTask]:
        """The tasks ``unit`` leads or cooperates on, in task-list order; ``role`` keeps only one kind.

        The first rows of the task list are the headline indicators; ``include_indicators=False`` leaves them out
        (they are filled as indicator values, not as task progress).
        """
        name = self._ws.units.name_of(unit)
        wanted = Role(role) if role is not None else None
        result = []
        for task in self._by_seq.values():
            if not include_indicators and task.kind is TaskKind.INDICATOR:
                continue
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
        """The indicators whose task-list row (or, without one, the indicator table) names ``unit``."""
        name = self._ws.units.name_of(unit)
        result = []
        for indicator in self._by_seq.values():
            role = self._ws.plan.indicator_role(indicator, name)
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

    def target(self, no: int, seq: int) -> ProjectTarget:
        for target in self.get(no).targets:
            if target.seq == seq:
                return target
        raise InvalidInput(f"工程{no}没有第 {seq} 项目标")

    def targets_for_unit(self, unit: str | Unit) -> list[OwnedTarget]:
        """The sub-targets ``unit`` is responsible for."""
        name = self._ws.units.name_of(unit)
        return [OwnedTarget(p, t) for p in self._ws.plan.projects for t in p.targets if name in t.owners]

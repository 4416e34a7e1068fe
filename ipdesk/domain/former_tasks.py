"""原承担任务: tasks (and headline indicators) a plan update gave to other units, as the unit that lost them still
sees them.

A plan update may take a task from a unit (task 1 moves from 碑林区 to 雁塔区). What the unit entered for it is never
deleted and never silently disappears: wherever the unit reads its own entries (the window's task list, ``ipdesk
tasks``, ``ipdesk show``) the task stays listed, marked 已调整给其他单位, for exactly the periods in which the unit has
entries (progress or evidence) for it — read-only, since the unit no longer answers for it. A period without such
entries (every new period) does not list it, so it is never asked for again and never enters a new report.

One rule, here: the window and the command line only show what it gives them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ipdesk.domain.indicators import Indicator
from ipdesk.domain.periods import Period
from ipdesk.domain.plan import Plan, Role, Task

FORMER_LABEL = "原承担"  # the role column of such a task
FORMER_GROUP = "原承担任务"


def role_or_former_label(role: Role | None) -> str:
    """牵头 / 协作 for a task or indicator the unit answers for, 原承担 for one it no longer does (``role`` None)."""
    return role.label if role is not None else FORMER_LABEL


def moved_mark(now_with: tuple[str, ...]) -> str:
    """已调整给雁塔区人民政府 (or 已调整出本单位 when the plan names no unit for it any more): where a task or an
    indicator went."""
    return f"已调整给{'、'.join(now_with)}" if now_with else "已调整出本单位"


@dataclass(frozen=True)
class FormerTask:
    """A task of the plan the unit no longer leads or cooperates on, and the periods it has entries for."""

    task: Task
    periods: tuple[Period, ...]  # oldest first

    @property
    def now_with(self) -> tuple[str, ...]:
        """The units that answer for the task now: its lead units, then its cooperating units."""
        return (*self.task.lead_units, *self.task.coop_units)

    @property
    def mark(self) -> str:
        return moved_mark(self.now_with)

    def read_only_reason(self, unit: str) -> str:
        """Why the task's entries cannot be changed, in the words the window and the command line show."""
        return (
            f"{FORMER_GROUP}：方案更新后第 {self.task.seq} 项任务{self.mark}，{unit}不再承担。"
            "本单位原来填报的内容保留，只能查看，不能修改，以后各期也不再要求填报。"
        )


@dataclass(frozen=True)
class SeenTask:
    """A row of a unit's task list for one period: a task it answers for (``role``) or a former one (``former``)."""

    task: Task
    role: Role | None
    former: FormerTask | None = None

    @property
    def editable(self) -> bool:
        return self.former is None

    @property
    def role_label(self) -> str:
        return role_or_former_label(self.role)


def could_be_former(plan: Plan, unit: str) -> list[int]:
    """The plan's tasks the unit neither leads nor cooperates on: only its entries for these make former tasks (a
    reader may ask for the entries of these alone; usually there are none to read)."""
    return [task.seq for task in plan.tasks if task.role_of(unit) is None]


def former_tasks(plan: Plan, unit: str, entered: Iterable[tuple[int, Period]]) -> list[FormerTask]:
    """The unit's former tasks, in task-list order: the plan's tasks it no longer answers for among ``entered``,
    the (task seq, period) pairs for which it has entries. Tasks the plan no longer has at all are not listed (a
    plan update cannot drop a task with entries: the comparison refuses it)."""
    periods: dict[int, set[Period]] = {}
    for seq, period in entered:
        periods.setdefault(seq, set()).add(period)
    found = []
    for task in plan.tasks:
        if task.seq in periods and task.role_of(unit) is None:
            ordered = sorted(periods[task.seq], key=lambda p: (p.end, p.kind.months))
            found.append(FormerTask(task, tuple(ordered)))
    return found


def tasks_seen(plan: Plan, unit: str, period: Period, entered: Iterable[tuple[int, Period]]) -> list[SeenTask]:
    """What the unit's task list shows for ``period``: every task it leads or cooperates on, and after them each
    former task it has entries for in this very period (read-only, marked)."""
    seen = [SeenTask(t, role) for t in plan.tasks if (role := t.role_of(unit)) is not None]
    seen += [SeenTask(f.task, None, f) for f in former_tasks(plan, unit, entered) if period in f.periods]
    return seen


@dataclass(frozen=True)
class FormerIndicator:
    """A headline indicator the unit no longer answers for (its task-list row, or the indicator table, now names
    other units) although it entered values for it."""

    indicator: Indicator
    now_with: tuple[str, ...]

    @property
    def mark(self) -> str:
        return moved_mark(self.now_with)

    def read_only_reason(self, unit: str) -> str:
        return (
            f"原承担指标：方案更新后第 {self.indicator.seq} 项主要指标{self.mark}，{unit}不再承担。"
            "本单位原来填报的数值保留，只能查看，不能修改。"
        )


def former_indicators(plan: Plan, unit: str, entered: Iterable[int]) -> list[FormerIndicator]:
    """The indicators among ``entered`` (those the unit has values for, in a period) that it no longer answers for,
    in the plan's order: listed read-only for that period, as former tasks are."""
    wanted = set(entered)
    found = []
    for indicator in plan.indicators:
        if indicator.seq not in wanted or plan.indicator_role(indicator, unit) is not None:
            continue
        if indicator.task_seq is not None:
            task = plan.task(indicator.task_seq)
            now = (*task.lead_units, *task.coop_units)
        else:
            now = (*indicator.lead_units, *indicator.coop_units)
        found.append(FormerIndicator(indicator, now))
    return found

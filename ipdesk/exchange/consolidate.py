"""Consolidating the units' returns for a period (季督导, 年考核, a month's summary, the plan's final evaluation).

**Which return speaks for a unit.** A unit's position at the end of a period P is its newest received version of the
return for P itself when it reported at that rhythm (a quarterly return for a quarter), else of the latest period
inside P it reported (September's monthly return for the third quarter). Returns still waiting for review count;
a version the office returned does not (its correction is awaited), nor does anything not yet received.

**No double counting.** An indicator's city figure is its lead unit's value (where the plan names two lead units, the
one whose figure is from the latest period, the first named on a tie); cooperating units' figures are shown beside it
for reference and never added. A project sub-target delivered by several units in parts is the sum of each owner
unit's own part, each unit counted once.

**One figure, one verdict.** Every light and verdict of an indicator comes from ``domain.lights.judge_indicator``,
judged at the period its figure is from. A project sub-target the plan links to an indicator (the same quantity) is
that indicator's figure and verdict; where lead units, or a linked target's own entries, give another figure for the
quantity, the report keeps the authoritative one and lists the other in the 数据一致性 notes.

**A task's verdict is its lead units'.** A task is 已完成 when its lead unit(s) report it done; cooperating units'
states are listed beside it. A part whose figure is older than the report's period carries its month (8月数据).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ipdesk.domain.indicators import Indicator
from ipdesk.domain.lights import IndicatorJudgement, Thresholds, judge_indicator, task_light
from ipdesk.domain.periods import Period
from ipdesk.domain.plan import Plan, Role, TaskKind, Unit
from ipdesk.domain.progress import Progress
from ipdesk.domain.reports import ReportStatus
from ipdesk.domain.returns import ReceivedReturn
from ipdesk.domain.statuses import TaskStatus
from ipdesk.reports.snapshot import IndicatorLine, ReportSnapshot

# The status words a supervision report counts, in the order offices list them; "" is a part not reported.
STATUS_ORDER = ("done", "in_progress", "ongoing", "lagging", "not_started")
NOT_REPORTED = "not_reported"


def status_word(code: str) -> str:
    if code == NOT_REPORTED:
        return "未报送"
    return TaskStatus(code).label if code else "未填"


@dataclass(frozen=True)
class Position:
    """The return that speaks for a unit at the end of a period."""

    unit: str
    source_period: str  # the period of that return (2025-09 for 2025Q3)
    version: int
    status: ReportStatus
    snapshot: ReportSnapshot


def choose_positions(
    period: Period | tuple[dt.date, dt.date],
    received: list[ReceivedReturn],
    read: Callable[[ReceivedReturn], ReportSnapshot],
) -> dict[str, Position]:
    """For each unit, the return that speaks for it at the end of ``period`` (see the module's rule); ``period``
    may also be a span of days (the plan's whole span, for the final evaluation).

    ``received`` is every received version; ``read(item)`` gives a version's snapshot (read only when chosen).
    """
    start, end = (period.start, period.end) if isinstance(period, Period) else period
    exact = period if isinstance(period, Period) else None
    best: dict[str, ReceivedReturn] = {}
    newest: dict[tuple[str, str], ReceivedReturn] = {}
    for item in received:
        key = (item.unit, item.period)
        if key not in newest or item.version > newest[key].version:
            newest[key] = item
    for (unit, code), item in newest.items():
        if item.status is ReportStatus.RETURNED:
            continue
        source = Period.parse(code)
        if source.start < start or source.end > end:
            continue
        current = best.get(unit)
        if current is None or _better(source, Period.parse(current.period), exact):
            best[unit] = item
    return {unit: Position(unit, item.period, item.version, item.status, read(item)) for unit, item in best.items()}


def _better(candidate: Period, current: Period, exact: Period | None) -> bool:
    """A return for the period itself wins; otherwise the one that ends later, then the longer one."""
    if exact is not None and (candidate == exact or current == exact):
        return candidate == exact
    return (candidate.end, candidate.kind.months) > (current.end, current.kind.months)


# -- tasks -----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TaskPart:
    """One responsible unit's part in a task, as its position reports it (or ``reported`` False)."""

    unit: str
    role: Role
    reported: bool
    status: str = ""  # a TaskStatus code, "" not filled
    percent: float | None = None
    light: str = "none"
    achievements: str = ""
    problems: str = ""
    next_steps: str = ""
    source_period: str = ""

    @property
    def status_code(self) -> str:
        return self.status if self.reported else NOT_REPORTED

    @property
    def needs_attention(self) -> bool:
        return self.reported and (self.light == "red" or self.status == "lagging")

    def data_mark(self, period: Period) -> str:
        """ "8月数据" when this part's figures come from a return older than ``period``; "" when current."""
        return data_mark(self.source_period, period) if self.reported else ""


def data_mark(source_period: str, period: Period | dt.date) -> str:
    """How a report marks a figure from an earlier period than its own: 8月数据 (2024年8月数据 in another year,
    2025年第二季度数据 for a longer period); "" when the figure is the period's own (or there is none)."""
    if not source_period:
        return ""
    source = Period.parse(source_period)
    end = period.end if isinstance(period, Period) else period
    if source.end >= end:
        return ""
    if source.kind.months == 1 and source.year == end.year:
        return f"{source.index}月数据"
    return f"{source.chinese}数据"


@dataclass(frozen=True)
class TaskRollup:
    seq: int
    category: str
    name: str
    content: str
    kind: TaskKind
    parts: tuple[TaskPart, ...]

    @property
    def attention(self) -> bool:
        """A red light or 滞后 somewhere: listed first."""
        return any(p.needs_attention for p in self.parts)

    @property
    def lead_attention(self) -> bool:
        """A lead unit's part is red or 滞后 (a cooperating unit's alone does not count)."""
        return any(p.role is Role.LEAD and p.needs_attention for p in self.parts)

    @property
    def flagged(self) -> bool:
        """【需关注】 in a report a leader reads: a lead unit's part is red, 滞后, or not reported (its return overdue
        or missing). A cooperating unit's red light is shown on its row but does not flag the whole task."""
        return any(p.role is Role.LEAD and (p.needs_attention or not p.reported) for p in self.parts)

    @property
    def missing(self) -> list[str]:
        return [p.unit for p in self.parts if not p.reported]

    @property
    def lead_parts(self) -> list[TaskPart]:
        """The parts that decide the task: its lead units' (every part when the plan names no lead unit)."""
        return [p for p in self.parts if p.role is Role.LEAD] or list(self.parts)

    @property
    def coop_parts(self) -> list[TaskPart]:
        return [p for p in self.parts if p not in self.lead_parts]

    @property
    def overall(self) -> str:
        """The task's status, as its lead units report it: 已完成 when every lead unit reports it done; else the
        lead units' least advanced state (滞后, 未报送, 未启动, 推进中, 持续推进). Cooperating units' states are listed
        beside it, never decide it."""
        codes = [p.status_code for p in self.lead_parts]
        if codes and all(c == "done" for c in codes):
            return "done"
        for code in ("lagging", NOT_REPORTED, "not_started", "in_progress", "ongoing"):
            if code in codes:
                return code
        return ""


@dataclass(frozen=True)
class IndicatorRollup:
    indicator: Indicator
    lead_unit: str
    city_value: float | None  # the lead unit's figure
    expected: float | None
    rate: float | None
    light: str
    reference: tuple[tuple[str, float | None], ...]  # other units' figures, shown beside, never added
    note: str = ""
    source_period: str = ""  # the period of the lead unit's return the figure comes from ("" when none)
    judgement: IndicatorJudgement | None = None  # the one judgement of the figure (at ``source_period``)

    @property
    def verdict(self) -> str:
        """达标 / 未达标 (at the target's end), 达到/略低于/低于序时进度 before, 未报送 without a figure."""
        return self.judgement.verdict if self.judgement is not None else "未报送"


@dataclass(frozen=True)
class TargetRollup:
    project_no: int
    project_name: str
    seq: int
    name: str
    target: float
    op: str
    unit_of_measure: str
    measure: str
    parts: tuple[tuple[str, float | None], ...]  # each owner unit's own part (None: not reported)
    linked: IndicatorRollup | None = None  # the indicator measuring the same quantity: its figure and verdict rule

    @property
    def summable(self) -> bool:
        """Parts add up when they count or amount to something (家, 件, 亿元); shares and levels (%, a rate, a state
        to reach) do not: 50% here and 40% there is not 90%."""
        return self.unit_of_measure.strip() not in ("%", "％") and self.measure != "level"

    @property
    def total(self) -> float | None:
        """The city's figure: the linked indicator's, else the sum of the parts, or the only owner's figure when
        they cannot be added."""
        if self.linked is not None:
            return self.linked.city_value
        reported = [value for _, value in self.parts if value is not None]
        if not reported:
            return None
        if self.summable:
            return sum(reported)
        return reported[0] if len(self.parts) == 1 else None

    @property
    def verdict(self) -> str:
        """In words: the linked indicator's verdict, else 已达到 / 未达到 / — (nothing to judge)."""
        if self.linked is not None:
            return self.linked.verdict
        return {True: "已达到", False: "未达到", None: "—"}[self.reached]

    @property
    def reached(self) -> bool | None:
        """Whether the target is met; for a share or a level held by several units, only when every one of them
        meets it. A target linked to an indicator is reached when the indicator is 达标 (None before its end)."""
        if self.linked is not None:
            return self.linked.judgement.reached if self.linked.judgement is not None else None
        if not self.summable and len(self.parts) > 1:
            values = [value for _, value in self.parts if value is not None]
            if len(values) < len(self.parts):  # an owner has not reported
                return None
            return all((v > self.target if self.op == ">" else v >= self.target) for v in values)
        total = self.total
        if total is None:
            return None
        return total > self.target if self.op == ">" else total >= self.target


@dataclass(frozen=True)
class Consolidation:
    plan: Plan
    period: Period
    units: tuple[Unit, ...]
    positions: dict[str, Position]
    tasks: tuple[TaskRollup, ...]
    indicators: tuple[IndicatorRollup, ...]
    targets: tuple[TargetRollup, ...]
    notes: tuple[str, ...] = field(default=())
    consistency: tuple[str, ...] = field(default=())  # 数据一致性: other figures given for a quantity, not used

    @property
    def reporting_units(self) -> list[str]:
        return [u.name for u in self.units if u.name in self.positions]

    @property
    def silent_units(self) -> list[str]:
        return [u.name for u in self.units if u.name not in self.positions]

    def parts(self) -> list[TaskPart]:
        return [part for task in self.tasks for part in task.parts]

    def status_counts(self, parts: list[TaskPart] | None = None) -> Counter[str]:
        return Counter(p.status_code for p in (self.parts() if parts is None else parts))

    def by_category(self) -> dict[str, Counter[str]]:
        found: dict[str, Counter[str]] = {}
        for task in self.tasks:
            found.setdefault(task.category, Counter()).update(p.status_code for p in task.parts)
        return found

    def by_unit(self) -> dict[str, Counter[str]]:
        found: dict[str, Counter[str]] = {u.name: Counter() for u in self.units}
        for part in self.parts():
            found[part.unit][part.status_code] += 1
        return {unit: counts for unit, counts in found.items() if counts}

    def ordered_tasks(self) -> list[TaskRollup]:
        """The tasks a report marks 【需关注】 first (``flagged``: a lead unit red, 滞后 or silent), then the others
        with a red or 滞后 part (a cooperating unit's), then those with parts not reported, then the rest, each in
        plan order."""
        return sorted(self.tasks, key=lambda t: (not t.flagged, not t.attention, not t.missing, t.seq))


def consolidate(
    plan: Plan, period: Period, positions: dict[str, Position], thresholds: Thresholds | None = None
) -> Consolidation:
    """Every task with each responsible unit's part, the indicators and the project targets, for ``period``.

    With ``thresholds`` (the office's), every light is worked out again from the progress and values the units
    reported, so that a unit's own 设置 never colours the city's report; without, the units' lights are shown."""
    tasks = []
    for task in plan.tasks:
        if task.kind is TaskKind.INDICATOR:
            continue
        parts = []
        for role, names in ((Role.LEAD, task.lead_units), (Role.COOP, task.coop_units)):
            for unit in names:
                position = positions.get(unit)
                line = None
                if position is not None:
                    line = next((t for t in position.snapshot.tasks if t.seq == task.seq), None)
                if position is None or line is None:
                    parts.append(TaskPart(unit, role, False))
                    continue
                light = line.light
                if thresholds is not None:
                    progress = Progress(
                        task.seq,
                        unit,
                        Period.parse(position.source_period),
                        TaskStatus(line.status) if line.status else None,
                        line.percent,
                    )
                    light = task_light(progress, plan.start_date, plan.end_date, thresholds).value
                parts.append(
                    TaskPart(
                        unit,
                        role,
                        True,
                        line.status,
                        line.percent,
                        light,
                        line.achievements,
                        line.problems,
                        line.next_steps,
                        position.source_period,
                    )
                )
        tasks.append(TaskRollup(task.seq, task.category, task.name, task.content, task.kind, tuple(parts)))
    consistency: list[str] = []
    indicators = _indicators(plan, positions, thresholds, consistency)
    return Consolidation(
        plan,
        period,
        plan.units,
        positions,
        tuple(tasks),
        tuple(indicators),
        tuple(_targets(plan, positions, {i.indicator.seq: i for i in indicators}, consistency)),
        consistency=tuple(consistency),
    )


def _figure(value: float | None, unit_of_measure: str) -> str:
    from ipdesk.domain.numbers import number_text

    return "未填" if value is None else f"{number_text(value)}{unit_of_measure}"


def _indicators(
    plan: Plan, positions: dict[str, Position], thresholds: Thresholds | None, consistency: list[str]
) -> list[IndicatorRollup]:
    found = []
    for indicator in plan.indicators:
        if indicator.task_seq is not None:
            task = plan.task(indicator.task_seq)
            leads, coops = task.lead_units, task.coop_units
        else:
            leads, coops = indicator.lead_units, indicator.coop_units
        lines: dict[str, IndicatorLine | None] = {}
        for unit in (*leads, *coops):
            position = positions.get(unit)
            lines[unit] = (
                next((i for i in position.snapshot.indicators if i.seq == indicator.seq), None) if position else None
            )
        # The authoritative figure: the lead unit whose figure is the latest (the first named on a tie).
        lead = leads[0] if leads else ""
        with_value = [u for u in leads if lines.get(u) is not None and lines[u].actual is not None]  # type: ignore[union-attr]
        if with_value:
            lead = max(with_value, key=lambda u: (Period.parse(positions[u].source_period).end, -leads.index(u)))
        line = lines.get(lead)
        value = line.actual if line else None
        judgement = None
        if line is not None:
            source = Period.parse(positions[lead].source_period)
            judgement = judge_indicator(indicator, value, source, thresholds or _thresholds_of(positions[lead]))
        for other in leads:
            other_line = lines.get(other)
            if other == lead or other_line is None or other_line.actual is None or other_line.actual == value:
                continue
            used, unused = (Period.parse(positions[u].source_period).chinese for u in (lead, other))
            measure = indicator.unit_of_measure
            consistency.append(
                f"指标{indicator.seq}“{indicator.name}”：采用{lead}（{used}）填报的{_figure(value, measure)}；"
                f"{other}（{unused}）填报{_figure(other_line.actual, measure)}，未采用。"
            )
        found.append(
            IndicatorRollup(
                indicator,
                lead,
                value,
                judgement.expected if judgement else None,
                judgement.rate if judgement else None,
                judgement.light.value if judgement else "none",
                tuple((unit, item.actual if item else None) for unit, item in lines.items() if unit != lead),
                line.note if line else "",
                positions[lead].source_period if line is not None else "",
                judgement,
            )
        )
    return found


def _thresholds_of(position: Position) -> Thresholds:
    """The thresholds a return was made with (the unit's own), for a consolidation without the office's."""
    header = position.snapshot.header
    try:
        return Thresholds(header.light_green, header.light_yellow)
    except (TypeError, ValueError):
        return Thresholds()


def _targets(
    plan: Plan,
    positions: dict[str, Position],
    indicators: dict[int, IndicatorRollup] | None = None,
    consistency: list[str] | None = None,
) -> list[TargetRollup]:
    indicators = indicators or {}
    consistency = consistency if consistency is not None else []
    found = []
    for project in plan.projects:
        for target in project.targets:
            parts = []
            for unit in dict.fromkeys(target.owners):  # each unit once
                position = positions.get(unit)
                line = None
                if position is not None:
                    line = next(
                        (
                            t
                            for t in position.snapshot.targets
                            if t.project_no == project.no
                            and (t.seq == target.seq or (not t.seq and t.name == target.name))
                        ),
                        None,
                    )
                parts.append((unit, line.value if line else None))
            linked = indicators.get(target.indicator_seq) if target.indicator_seq is not None else None
            if linked is not None:
                indicator = linked.indicator
                for unit, value in parts:
                    if value is not None and value != linked.city_value:
                        consistency.append(
                            f"工程{project.no}“{target.name}”与指标{indicator.seq}为同一数据：采用指标的"
                            f"{_figure(linked.city_value, indicator.unit_of_measure)}（{linked.lead_unit}）；"
                            f"{unit}在工程目标中填报的{_figure(value, target.unit_of_measure)}未采用。"
                        )
            found.append(
                TargetRollup(
                    project.no,
                    project.name,
                    target.seq,
                    target.name,
                    target.value,
                    target.op,
                    target.unit_of_measure,
                    target.measure,
                    tuple(parts),
                    linked,
                )
            )
    return found

"""Building the report snapshot of one unit (or several) for a period from what the workspace holds."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ipdesk.domain.periods import Period, chinese_date
from ipdesk.domain.plan import TaskKind
from ipdesk.domain.reports import ReportStatus
from ipdesk.reports.snapshot import (
    CommentAnswer,
    EvidenceLine,
    IndicatorLine,
    ReportHeader,
    ReportSnapshot,
    TargetLine,
    TaskLine,
)
from ipdesk.store import report_store
from ipdesk.workspace.plan import as_period

if TYPE_CHECKING:
    from ipdesk.workspace.core import Workspace


def build_snapshot(
    ws: Workspace, units: list[str], period: str | Period, today: dt.date | None = None
) -> ReportSnapshot:
    when = as_period(period)
    names = [ws.units.name_of(u) for u in units]
    tasks, indicators, targets, evidence = [], [], [], []
    for unit in names:
        carried = ws.progress.carried(unit, when)
        counts_by_task = {e_seq: ws.evidence.for_task(e_seq, unit, when) for e_seq in ws.evidence.counts(unit, when)}
        rows = [row for row in ws.progress.for_unit(unit, when) if row.task.kind is not TaskKind.INDICATOR]
        expected = ws.lights.expected_percent(when)
        for row, light in zip(rows, ws.lights.for_tasks(row.progress for row in rows), strict=True):
            task, progress = row.task, row.progress
            assert row.role is not None  # for_unit lists only the tasks the unit answers for
            files = counts_by_task.get(task.seq, [])
            tasks.append(
                TaskLine(
                    unit=unit,
                    seq=task.seq,
                    category=task.category,
                    name=task.name if task.project_no is None else task.content,
                    content=task.content,
                    role=row.role.value,
                    status=progress.status.value if progress.status else "",
                    percent=progress.percent,
                    expected_percent=expected,
                    light=light.value,
                    achievements=progress.achievements,
                    problems=progress.problems,
                    next_steps=progress.next_steps,
                    evidence=tuple(f.file_name for f in files),
                    lead_units=task.lead_units,
                    carried=carried.get(task.seq, ()),
                )
            )
            evidence += [EvidenceLine(unit, task.seq, task.name, f.file_name, f.size, f.sha256) for f in files]
        values = ws.indicator_values.for_unit(unit, when)
        for owned in ws.indicators.for_unit(unit):
            indicator = owned.indicator
            entry = values.get(indicator.seq)
            actual = entry.value if entry else None
            indicators.append(
                IndicatorLine(
                    unit=unit,
                    seq=indicator.seq,
                    name=indicator.name,
                    unit_of_measure=indicator.unit_of_measure,
                    role=owned.role.value if owned.role is not None else "",  # indicators.for_unit: never None
                    baseline=indicator.baseline,
                    baseline_year=indicator.baseline_year,
                    target=indicator.target,
                    target_op=indicator.target_op,
                    target_year=indicator.target_year,
                    growth_text=indicator.growth_text,
                    expected=ws.lights.indicator_expected(indicator, when),
                    actual=actual,
                    rate=ws.lights.completion_rate(indicator, actual, when),
                    light=ws.lights.for_indicator(indicator, actual, when).value,
                    note=entry.note if entry else "",
                    data_source=entry.data_source if entry else "",
                    path=_path(ws, indicator, unit, when),
                )
            )
        entered = ws.target_values.for_unit(unit, when)
        for owned_target in ws.projects.targets_for_unit(unit):
            project, target = owned_target.project, owned_target.target
            value = entered.get((project.no, target.seq))
            targets.append(
                TargetLine(
                    unit=unit,
                    project_no=project.no,
                    project_name=project.name,
                    name=target.name,
                    target=target.value,
                    op=target.op,
                    unit_of_measure=target.unit_of_measure,
                    measure=target.measure,
                    value=value.value if value else None,
                    note=value.note if value else "",
                    quote=target.quote,
                    seq=target.seq,
                )
            )
    state = ws.reports.state(names[0], when) if len(names) == 1 else None
    settings = ws.settings
    thresholds = settings.thresholds()
    plan_units = [ws.units.get(name) for name in names]
    header = ReportHeader(
        plan_title=ws.plan.title,
        form_title=ws.plan.form_title(when.chinese),
        units=tuple(names),
        period=when.code,
        period_name=when.chinese,
        cutoff=chinese_date(when.end),
        version=state.version if state else 1,
        status=(state.status.value if state else ReportStatus.DRAFT.value),
        fill_date=chinese_date(today or dt.date.today()),
        clerk=settings.get(settings.CLERK_NAME) if len(names) == 1 else "",
        phone=settings.get(settings.CLERK_PHONE) if len(names) == 1 else "",
        reviewer=settings.get(settings.REVIEWER_NAME) if len(names) == 1 else "",
        sample=any(report_store.is_sample(ws.db, ws.ids.units[u], when.code) for u in names),
        light_green=thresholds.green,
        light_yellow=thresholds.yellow,
        plan_code=ws.plan.code,
        plan_sha256=ws.plan_sha256,
        unit_codes=tuple(u.code for u in plan_units),
        unit_kinds=tuple(u.kind.value for u in plan_units),
        created_at=state.created_at if state else "",
        submitted_at=state.submitted_at if state else "",
        submitted_by=state.submitted_by if state else "",
    )
    answers: tuple[CommentAnswer, ...] = ()
    if state is not None:  # the version that answers a 退回 carries how each of its comments was handled
        returned = [v.version for v in ws.reports.versions(names[0], when) if v.status is ReportStatus.RETURNED]
        if returned and returned[-1] < state.version:
            answers = tuple(
                CommentAnswer(returned[-1], c.task_seq, c.comment, c.answered, c.answer)
                for c in ws.reports.comments(names[0], when, returned[-1])
            )
    return ReportSnapshot(header, tuple(tasks), tuple(indicators), tuple(targets), tuple(evidence), answers)


def _path(ws: Workspace, indicator, unit: str, period: Period) -> tuple[tuple[int, float | None, float | None], ...]:
    """Expected and entered values year by year, from the baseline year to the target year (or this period)."""
    first = indicator.baseline_year or ws.plan.start_year
    last = max(indicator.target_year, period.year)
    actual: dict[int, float] = {}
    for entry in ws.indicator_values.history(indicator.seq, unit):
        if entry.value is not None and entry.period.end <= period.end:
            actual[entry.period.year] = entry.value  # history is oldest first: the year's last value wins
    if indicator.baseline is not None and indicator.baseline_year is not None:
        actual.setdefault(indicator.baseline_year, indicator.baseline)
    return tuple((year, ws.indicators.expected(indicator, year), actual.get(year)) for year in range(first, last + 1))

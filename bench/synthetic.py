"""A realistic synthetic history for benchmarks: every unit of the plan, every month, for N years.

Each unit fills every task it leads or cooperates on each month (status, % done, a few sentences of progress,
problems now and then, next steps) and the value of each indicator it owns; everything goes through the Workspace,
so the audit log grows as it would in real use. Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from collections.abc import Callable
from pathlib import Path

from ipdesk import Period, Workspace
from ipdesk.domain import IndicatorValue, Progress, TaskStatus
from ipdesk.domain.numbers import is_count
from ipdesk.domain.periods import PeriodKind
from ipdesk.plans.plan_builder import PlanOptions
from ipdesk.workspace.sample_data import DONE_WORK, NEXT_STEPS, PROBLEMS
from ipdesk.workspace.sample_data import sentence as _sentence


def spanning_plan(ws: Workspace, first_year: int, years: int) -> str:
    """Make current a plan with the embedded plan's tasks, indicators and units over the history's years: entries are
    taken only within a plan's span, and the embedded plan runs 2022–2025. Read from its task list as a city
    adopting ipdesk would load one; returns its code."""
    last = first_year + years - 1
    code = f"synthetic-{first_year}-{last}"
    with tempfile.TemporaryDirectory() as folder:
        listed = ws.plans.export(Path(folder) / "任务清单.xlsx")
        options = PlanOptions(code=code, start=dt.date(first_year, 1, 1), end=dt.date(last, 12, 31))
        ws.plans.save(ws.plans.read(listed, options), use=True, confirmed=True)
    return code


def months(first_year: int, years: int) -> list[Period]:
    return [Period(y, PeriodKind.MONTH, m) for y in range(first_year, first_year + years) for m in range(1, 13)]


def generate(
    path: Path,
    years: int = 10,
    first_year: int = 2016,
    seed: int = 20221121,
    progress: Callable[[str], None] = print,
    unit_count: int | None = None,
) -> Path:
    """Fill a new workspace at ``path`` with ``years`` years of monthly returns from every unit (or the first
    ``unit_count`` of them)."""
    rng = random.Random(seed)
    periods = months(first_year, years)
    with Workspace(path, actor="基准数据") as ws:
        spanning_plan(ws, first_year, years)
        units = ws.units.all()[:unit_count]
        for number, unit in enumerate(units, 1):
            tasks = ws.tasks.for_unit(unit)
            owned = ws.indicators.for_unit(unit)
            percent = {a.task.seq: rng.uniform(0, 20) for a in tasks}
            level = {
                o.indicator.seq: (o.indicator.baseline or o.indicator.target) * rng.uniform(0.6, 0.9) for o in owned
            }
            for year_start in range(0, len(periods), 12):
                with ws.bulk():
                    for period in periods[year_start : year_start + 12]:
                        for assigned in tasks:
                            seq = assigned.task.seq
                            percent[seq] = min(100.0, percent[seq] + rng.uniform(0, 3))
                            lagging = rng.random() < 0.08
                            status = (
                                TaskStatus.DONE
                                if percent[seq] >= 100
                                else TaskStatus.LAGGING
                                if lagging
                                else rng.choice([TaskStatus.IN_PROGRESS, TaskStatus.ONGOING])
                            )
                            text = "；".join(_sentence(rng, DONE_WORK) for _ in range(rng.randint(2, 4))) + "。"
                            ws.progress.save(
                                Progress(
                                    seq,
                                    unit.name,
                                    period,
                                    status,
                                    round(percent[seq], 1),
                                    text,
                                    _sentence(rng, PROBLEMS) + "。" if lagging or rng.random() < 0.2 else "",
                                    _sentence(rng, NEXT_STEPS) + "。",
                                )
                            )
                        for owned_indicator in owned:
                            seq = owned_indicator.indicator.seq
                            level[seq] *= rng.uniform(1.0, 1.02)
                            indicator = owned_indicator.indicator
                            whole = is_count(indicator.unit_of_measure, indicator.name)  # 件, 家: whole numbers
                            value = round(level[seq]) if whole else round(level[seq], 2)
                            ws.indicator_values.save(IndicatorValue(seq, unit.name, period, value, "", "单位统计台账"))
            progress(f"  {number}/{len(units)} {unit.name}: {len(tasks)} 项任务 × {len(periods)} 个月")
    return path

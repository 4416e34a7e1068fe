"""A realistic synthetic history for benchmarks: every unit of the plan, every month, for N years.

Each unit fills every task it leads or cooperates on each month (status, % done, a few sentences of progress,
problems now and then, next steps) and the value of each indicator it owns; everything goes through the Workspace,
so the audit log grows as it would in real use. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from ipdesk import Period, Workspace
from ipdesk.domain import IndicatorValue, Progress, TaskStatus
from ipdesk.domain.periods import PeriodKind
from ipdesk.workspace.sample_data import DONE_WORK, NEXT_STEPS, PROBLEMS
from ipdesk.workspace.sample_data import sentence as _sentence


def months(first_year: int, years: int) -> list[Period]:
    return [Period(y, PeriodKind.MONTH, m) for y in range(first_year, first_year + years) for m in range(1, 13)]


def generate(
    path: Path, years: int = 10, first_year: int = 2016, seed: int = 20221121, progress: Callable[[str], None] = print
) -> Path:
    """Fill a new workspace at ``path`` with ``years`` years of monthly returns from every unit."""
    rng = random.Random(seed)
    periods = months(first_year, years)
    with Workspace(path, actor="基准数据") as ws:
        units = ws.units.all()
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
                            ws.indicator_values.save(
                                IndicatorValue(seq, unit.name, period, round(level[seq], 2), "", "单位统计台账")
                            )
            progress(f"  {number}/{len(units)} {unit.name}: {len(tasks)} 项任务 × {len(periods)} 个月")
    return path

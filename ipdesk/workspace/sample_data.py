"""示例数据: a period filled with realistic sample entries, for demonstrations, training and tests.

Every report made from such a period says 示例数据 on every page, so it can never pass for a real return.
"""

from __future__ import annotations

import random
import zlib
from typing import TYPE_CHECKING

from ipdesk.domain.periods import Period
from ipdesk.domain.plan import TaskKind, Unit
from ipdesk.domain.progress import IndicatorValue, TargetValue
from ipdesk.domain.statuses import TaskStatus
from ipdesk.workspace.plan import as_period

if TYPE_CHECKING:
    from ipdesk.workspace.core import Workspace

DONE_WORK = [
    "组织召开专题推进会，研究部署年度重点工作",
    "完成辖区企业知识产权状况摸底调查，建立重点企业台账",
    "指导{n}家企业开展知识产权贯标工作",
    "举办知识产权专题培训{n}场次，培训企业管理人员{m}人次",
    "新增发明专利授权{n}件，同比增长{p}%",
    "推荐{n}家企业申报国家知识产权优势示范企业",
    "联合市场监管所开展专项执法检查，出动执法人员{m}人次",
    "完成知识产权质押融资登记{n}笔，融资金额{p}亿元",
    "走访高校院所{n}家，对接专利转化项目{m}项",
    "在“4·26”知识产权宣传周期间开展宣传活动{n}场",
]
PROBLEMS = [
    "专业人员不足，基层知识产权工作力量薄弱",
    "企业参与积极性有待提高",
    "专项资金拨付进度较慢",
    "部分数据需待统计部门核定后报送",
]
NEXT_STEPS = [
    "持续跟踪重点企业专利布局情况",
    "加快推进专项资金拨付，做好项目验收",
    "组织开展下一阶段培训和政策宣讲",
    "配合市局做好季度督导检查准备工作",
]


def sentence(rng: random.Random, bank: list[str]) -> str:
    return rng.choice(bank).format(n=rng.randint(2, 30), m=rng.randint(20, 400), p=rng.randint(3, 40))


def fill_sample(ws: Workspace, unit: str | Unit, period: str | Period, mark: bool = True) -> int:
    """Fill every task, indicator and project target of ``unit`` for ``period``; returns the entries written.

    The period is marked 示例数据 (every report made from it says so) unless ``mark`` is False, which only tests and
    benchmarks use, to stand in for a unit's real entries."""
    name, when = ws.units.name_of(unit), as_period(period)
    rng = random.Random(zlib.crc32(f"{name}|{when.code}".encode()))
    expected = ws.lights.expected_percent(when)
    written = 0
    with ws.bulk():
        for row in ws.progress.for_unit(name, when):
            if row.task.kind is TaskKind.INDICATOR:
                continue
            roll = rng.random()
            percent: float | None
            if roll < 0.1:
                status, percent = TaskStatus.LAGGING, round(expected * rng.uniform(0.5, 0.8))
            elif roll < 0.3:
                status, percent = TaskStatus.ONGOING, None
            elif expected >= 100 and roll > 0.7:
                status, percent = TaskStatus.DONE, 100.0
            else:
                status, percent = TaskStatus.IN_PROGRESS, round(min(100.0, expected * rng.uniform(0.88, 1.1)))
            text = "；".join(sentence(rng, DONE_WORK) for _ in range(rng.randint(2, 3))) + "。"
            problems = sentence(rng, PROBLEMS) + "。" if status is TaskStatus.LAGGING or rng.random() < 0.15 else ""
            ws.progress.save(
                row.progress.with_changes(
                    status=status,
                    percent=percent,
                    achievements=text,
                    problems=problems,
                    next_steps=sentence(rng, NEXT_STEPS) + "。",
                )
            )
            written += 1
        for owned in ws.indicators.for_unit(name):
            indicator = owned.indicator
            goal = ws.indicators.expected(indicator, when.year) or indicator.target
            value = goal * rng.uniform(0.86, 1.05)
            ws.indicator_values.save(
                IndicatorValue(
                    indicator.seq,
                    name,
                    when,
                    float(round(value)) if indicator.counts else round(value, 2),
                    "",
                    "本单位统计台账（示例）",
                )
            )
            written += 1
        for owned_target in ws.projects.targets_for_unit(name):
            target = owned_target.target
            if ws.target_values.linked_indicator(owned_target.project.no, target.seq, name) is not None:
                continue  # the same quantity as an indicator: entered once, as the indicator
            share = 1.0 if target.measure != "cumulative" else max(expected / 100, 0.1)
            ws.target_values.save(
                TargetValue(
                    owned_target.project.no,
                    target.seq,
                    name,
                    when,
                    round(target.value * share * rng.uniform(0.8, 1.05)),
                    "示例",
                )
            )
            written += 1
        if mark:
            ws.reports.mark_sample(name, when)
    return written

"""What a new version of a plan changes under the work already recorded against the old one.

A new version (same code) is matched to the old one by number: task 12 stays task 12, indicator 3 stays indicator 3,
and what a unit entered against them stays with the number. That is right when the office corrects a typo and wrong
when it renumbers: progress written for "培育高价值专利" would then sit under whatever the new task 12 is. The
reader cannot tell the two apart, so the person importing must — these are the changes they are shown and asked to
confirm before saving.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ipdesk.domain.plan import Plan, Task


@dataclass(frozen=True)
class RecordedWork:
    """The parts of a plan that already have entries, signed reports or received returns in a workspace."""

    units: frozenset[str] = frozenset()
    tasks: frozenset[int] = frozenset()
    indicators: frozenset[int] = frozenset()
    targets: frozenset[tuple[int, int]] = frozenset()  # (project no, target seq)
    task_units: frozenset[tuple[int, str]] = frozenset()  # (task seq, unit name) with entries or evidence


@dataclass
class PlanChanges:
    lost: list[str] = field(default_factory=list)  # dropped although work was recorded: never saved
    changed: list[str] = field(default_factory=list)  # same number, other meaning: saved only when confirmed


def _short(text: str, limit: int = 24) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _units(names: list[str]) -> str:
    return "、".join(names)


def responsibility_change(old: Task, new: Task, work: RecordedWork) -> str:
    """The caution for a task whose lead or cooperating units change ("" when they do not): who gains the task,
    who loses it (and whether that unit already entered work for it), who moves between leading and cooperating."""
    before = {**{u: "协作" for u in old.coop_units}, **{u: "牵头" for u in old.lead_units}}
    after = {**{u: "协作" for u in new.coop_units}, **{u: "牵头" for u in new.lead_units}}
    if before == after:
        return ""
    parts = []
    gained = [f"{u}（{role}）" for u, role in after.items() if u not in before]
    lost = [u for u in before if u not in after]
    moved = [f"{u}（{before[u]}→{after[u]}）" for u in after if u in before and before[u] != after[u]]
    if gained:
        parts.append(f"新增{_units(gained)}")
    if lost:
        recorded = [u for u in lost if (old.seq, u) in work.task_units]
        kept = f"，其中{_units(recorded)}已填报的内容保留、可以查阅，但不再要求填报" if recorded else ""
        parts.append(f"不再由{_units(lost)}承担{kept}")
    if moved:
        parts.append(f"改变角色：{_units(moved)}")
    return f"第 {old.seq} 项任务“{_short(old.name)}”的责任单位已改变：" + "；".join(parts)


def compare(old: Plan, new: Plan, work: RecordedWork) -> PlanChanges:
    """What replacing ``old`` by ``new`` does to ``work``."""
    result = PlanChanges()
    names = {u.name for u in new.units}
    result.lost += [f"单位“{u.name}”" for u in old.units if u.name in work.units and u.name not in names]
    new_tasks = {t.seq: t for t in new.tasks}
    for task in old.tasks:
        now = new_tasks.get(task.seq)
        if now is None and task.seq not in work.tasks:
            continue
        if now is None:
            result.lost.append(f"第 {task.seq} 项任务")
            continue
        moved = responsibility_change(task, now, work)
        if moved:
            result.changed.append(moved)
        if task.seq not in work.tasks:
            continue
        if now.name != task.name:
            result.changed.append(
                f"第 {task.seq} 项任务已填报进展，新版本中其名称已改变（原为“{_short(task.name)}”，"
                f"现为“{_short(now.name)}”）"
            )
        elif now.content != task.content:
            result.changed.append(
                f"第 {task.seq} 项任务“{_short(task.name)}”已填报进展，新版本中其内容已改变"
                f"（原为“{_short(task.content)}”，现为“{_short(now.content)}”）"
            )
    new_indicators = {i.seq: i for i in new.indicators}
    for indicator in old.indicators:
        if indicator.seq not in work.indicators:
            continue
        now_indicator = new_indicators.get(indicator.seq)
        if now_indicator is None:
            result.lost.append(f"第 {indicator.seq} 项主要指标")
        elif (now_indicator.name, now_indicator.unit_of_measure) != (indicator.name, indicator.unit_of_measure):
            result.changed.append(
                f"第 {indicator.seq} 项主要指标已填报数值，新版本中其名称或计量单位已改变"
                f"（原为“{_short(indicator.name)}（{indicator.unit_of_measure}）”，"
                f"现为“{_short(now_indicator.name)}（{now_indicator.unit_of_measure}）”）"
            )
    new_targets = {(p.no, t.seq): t for p in new.projects for t in p.targets}
    for project in old.projects:
        for target in project.targets:
            if (project.no, target.seq) not in work.targets:
                continue
            now_target = new_targets.get((project.no, target.seq))
            if now_target is None:
                result.lost.append(f"工程{project.no}的第 {target.seq} 项目标")
            elif (now_target.name, now_target.unit_of_measure) != (target.name, target.unit_of_measure):
                result.changed.append(
                    f"工程{project.no}的第 {target.seq} 项目标已填报数值，新版本中其名称或计量单位已改变"
                    f"（原为“{_short(target.name)}”，现为“{_short(now_target.name)}”）"
                )
    return result

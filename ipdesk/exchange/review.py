"""What changed in a unit's return since its previous period's, task by task, for the office's review."""

from __future__ import annotations

from ipdesk.domain.numbers import number_text
from ipdesk.reports.snapshot import ReportSnapshot, TaskLine


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def task_changes(current: ReportSnapshot, previous: ReportSnapshot | None) -> dict[int, list[str]]:
    """For each task of ``current``, what is different from ``previous`` (empty list: nothing)."""
    before: dict[int, TaskLine] = {t.seq: t for t in previous.tasks} if previous is not None else {}
    changes: dict[int, list[str]] = {}
    for task in current.tasks:
        old = before.get(task.seq)
        found: list[str] = []
        if previous is None:
            found.append("上期无报送，无法比较")
        elif old is None:
            found.append("上期报告中没有此任务")
        else:
            if task.status != old.status:
                found.append(f"状态：{old.status_label or '未填'} → {task.status_label or '未填'}")
            if task.percent != old.percent:
                found.append(f"进度：{_percent(old.percent)} → {_percent(task.percent)}")
            if task.light != old.light:
                found.append(f"预警：{old.light_label} → {task.light_label}")
            for label, new_text, old_text in (
                ("工作进展", task.achievements, old.achievements),
                ("存在问题", task.problems, old.problems),
                ("下步计划", task.next_steps, old.next_steps),
            ):
                if new_text != old_text:
                    found.append(f"{label}已更新" if new_text.strip() else f"{label}已清空")
            if len(task.evidence) != len(old.evidence):
                found.append(f"佐证材料：{len(old.evidence)} → {len(task.evidence)} 份")
            if not found:
                found.append("与上期相同")
        changes[task.seq] = found
    return changes


def indicator_changes(current: ReportSnapshot, previous: ReportSnapshot | None) -> dict[int, str]:
    """For each indicator, the previous period's value and this one's ("" when there is nothing to compare)."""
    before = {i.seq: i for i in previous.indicators} if previous is not None else {}
    found = {}
    for line in current.indicators:
        old = before.get(line.seq)
        if old is None or old.actual == line.actual:
            found[line.seq] = ""
        else:
            found[line.seq] = f"{number_text(old.actual)} → {number_text(line.actual)}"
    return found

"""What changed in a unit's return since its previous period's, task by task, for the office's review."""

from __future__ import annotations

from ipdesk.domain.numbers import number_text
from ipdesk.reports.snapshot import ReportSnapshot, TaskLine


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def task_changes(
    current: ReportSnapshot, previous: ReportSnapshot | None, against: str = "上期"
) -> dict[int, list[str]]:
    """For each task of ``current``, what is different from ``previous`` (empty list: nothing); ``against`` names
    what is compared with: 上期 (the period before) or 上一版 (version n−1 of the same period, after a 退回)."""
    before: dict[int, TaskLine] = {t.seq: t for t in previous.tasks} if previous is not None else {}
    changes: dict[int, list[str]] = {}
    for task in current.tasks:
        old = before.get(task.seq)
        found: list[str] = []
        if previous is None:
            found.append(f"{against}无报送，无法比较")
        elif old is None:
            found.append(f"{against}报告中没有此任务")
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
                found.append(f"与{against}相同")
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


def review_notes(
    snapshot: ReportSnapshot,
    evidence_states: list[str],
    superseded_key: bool,
) -> list[str]:
    """The 提醒 the office should read before accepting a return ([] when there is none); ``city accept
    --all-valid`` accepts only returns without any.

    - signed with a certificate the unit has since replaced;
    - evidence that did not verify against the signed list (missing, altered, or no package at all);
    - comments of the last 退回 the unit did not mark 已处理 (format 2.1's ``answers``).

    The 校验规则 and 数据一致性 notes (``exchange.checks``) are added to these by ``City.reminders_of``.
    """
    notes = []
    if superseded_key:
        notes.append("由该单位已更换的旧证书签署，请与该单位核实")
    unverified = [s for s in evidence_states if s != "verified"]
    if snapshot.evidence and not evidence_states:
        notes.append(f"佐证材料 {len(snapshot.evidence)} 个未核验（导入时没有核对佐证材料包）")
    elif unverified:
        notes.append(f"佐证材料 {len(unverified)} 个未通过核验（缺失或被改动）")
    open_answers = [a for a in snapshot.answers if not a.handled]
    if open_answers:
        notes.append(f"上次退回的意见有 {len(open_answers)} 条该单位未标记已处理")
    return notes

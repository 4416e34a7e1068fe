"""What a unit enters period by period: task progress, indicator values, project sub-target values, evidence.

Every change is one durable transaction with its audit entries. A period whose report is signed is locked; a change
to a period already submitted for review puts its report back to 填报中, so the reviewer never signs something
other than what was submitted.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.former_tasks import (
    FormerIndicator,
    FormerTask,
    could_be_former,
    former_indicators,
    former_tasks,
    tasks_seen,
)
from ipdesk.domain.indicators import Indicator
from ipdesk.domain.numbers import check_whole
from ipdesk.domain.periods import Period
from ipdesk.domain.plan import Role, Task, Unit
from ipdesk.domain.progress import (
    CHANGE_REASON,
    IndicatorValue,
    LargeChange,
    Progress,
    TargetValue,
    large_change,
    same_as_previous,
    typed_texts,
    without_change_reason,
)
from ipdesk.domain.reports import ReportStatus
from ipdesk.store import entries_store, evidence_store
from ipdesk.store.evidence_store import Evidence
from ipdesk.workspace.plan import as_period

if TYPE_CHECKING:
    from ipdesk.workspace.core import Workspace

CARRIED_FIELDS = ("status", "percent", "achievements", "problems", "next_steps")


@dataclass(frozen=True)
class TaskProgress:
    """A row of the clerk's table: the task, the unit's role and what has been entered this period. A task the unit
    no longer answers for (原承担任务, see domain.former_tasks) has no role and says why it is read-only."""

    task: Task
    role: Role | None
    progress: Progress
    former: FormerTask | None = None


@contextlib.contextmanager
def guarded_change(ws: Workspace, unit: str, period: Period) -> Iterator[Callable[[list[str]], None]]:
    """Refuse changes to a locked period; after a real change to a submitted one, put it back to draft."""
    ws.plan_period(period)  # entry only within the plan's span: the one rule of domain.deadlines
    if ws.read_only:
        raise InvalidInput("以只读方式打开，不能修改：另一个 ipdesk 正在修改这个数据库")
    with ws.db.atomic():
        state = ws.reports.state(unit, period)
        if state is not None and state.status.locked:
            raise InvalidInput(
                f"{period.chinese}的报告（v{state.version}）{state.status.label}，数据已锁定，不能修改。"
                "如需更正，请审核人先“修订”生成新版本。"
            )

        def changed(fields: list[str]) -> None:
            if fields and state is not None and state.status is ReportStatus.SUBMITTED:
                ws.reports.withdraw(unit, period)

        yield changed


class ProgressBook:
    """Task progress per (task, unit, period)."""

    def __init__(self, ws: Workspace):
        self._ws = ws

    def get(self, task_seq: int, unit: str | Unit, period: str | Period) -> Progress:
        self._ws.tasks.get(task_seq)
        return entries_store.read_progress(
            self._ws.db, self._ws.plan_id, task_seq, self._ws.units.name_of(unit), as_period(period)
        )

    def save(self, progress: Progress) -> list[str]:
        """Store ``progress`` durably; returns the fields that changed (empty when nothing did)."""
        typed_texts(progress)
        ws = self._ws
        task = ws.tasks.get(progress.task_seq)
        unit = ws.units.name_of(progress.unit)
        if task.role_of(unit) is None:
            raise InvalidInput(f"“{unit}”不是第 {task.seq} 项任务的责任单位或协作单位，不能填报该任务")
        if unit != progress.unit:
            progress = progress.with_changes(unit=unit)
        with guarded_change(ws, unit, progress.period) as changed:
            fields = entries_store.save_progress(
                ws.db, ws.ids.units[unit], ws.ids.tasks[task.seq], progress, ws.actor, ws.plan.code
            )
            changed(fields)
        return fields

    def for_unit(self, unit: str | Unit, period: str | Period) -> list[TaskProgress]:
        """Every task of the unit with this period's progress (empty where nothing is entered yet)."""
        rows = entries_store.unit_tasks_with_progress(
            self._ws.db, self._ws.plan_id, self._ws.units.name_of(unit), as_period(period)
        )
        return [TaskProgress(self._ws.tasks.get(seq), Role(role), progress) for seq, role, progress in rows]

    def seen(self, unit: str | Unit, period: str | Period) -> list[TaskProgress]:
        """The unit's task list of the period as the window and ``ipdesk show`` present it: every task it answers
        for (as ``for_unit``), then each former task it has entries for in this period, read-only (``former``)."""
        name, when = self._ws.units.name_of(unit), as_period(period)
        current = {row.task.seq: row for row in self.for_unit(name, when)}
        rows = []
        for seen in tasks_seen(self._ws.plan, name, when, self._entered(name)):
            if seen.former is None:
                rows.append(current[seen.task.seq])
            else:
                progress = entries_store.read_progress(self._ws.db, self._ws.plan_id, seen.task.seq, name, when)
                rows.append(TaskProgress(seen.task, None, progress, seen.former))
        return rows

    def former(self, unit: str | Unit) -> list[FormerTask]:
        """The tasks a plan update took from the unit while it had entries for them, with those periods."""
        name = self._ws.units.name_of(unit)
        return former_tasks(self._ws.plan, name, self._entered(name))

    def _entered(self, name: str) -> list[tuple[int, Period]]:
        """(task, period) wherever the unit has entries for a task it no longer answers for (the others cannot make
        former tasks, and a unit whose tasks never moved has none to read)."""
        seqs = could_be_former(self._ws.plan, name)
        pairs = entries_store.entered_task_periods(self._ws.db, self._ws.plan_id, name, seqs)
        return [(seq, Period.parse(code)) for seq, code in pairs]

    def history(self, task_seq: int, unit: str | Unit) -> list[Progress]:
        return entries_store.progress_history(self._ws.db, self._ws.plan_id, task_seq, self._ws.units.name_of(unit))

    def carried(self, unit: str | Unit, period: str | Period) -> dict[int, tuple[str, ...]]:
        """Task → the text fields that repeat the previous period's word for word (沿用上期 not yet updated)."""
        name, when = self._ws.units.name_of(unit), as_period(period)
        previous = {row.task.seq: row.progress for row in self.for_unit(name, when.previous())}
        found = {}
        for row in self.for_unit(name, when):
            same = same_as_previous(row.progress, previous.get(row.task.seq))
            if same:
                found[row.task.seq] = same
        return found

    def carry_forward(
        self, unit: str | Unit, period: str | Period, task_seqs: list[int] | None = None, overwrite: bool = False
    ) -> list[int]:
        """沿用上期: copy the previous period's status, % and texts as a starting point.

        Only fields still empty in this period are filled, unless ``overwrite``. Returns the tasks that changed;
        all of them change in one transaction.
        """
        name, when = self._ws.units.name_of(unit), as_period(period)
        previous = {row.task.seq: row.progress for row in self.for_unit(name, when.previous())}
        current = {row.task.seq: row.progress for row in self.for_unit(name, when)}
        wanted = task_seqs if task_seqs is not None else list(current)
        changed_tasks = []
        with self._ws.bulk():
            for seq in wanted:
                if seq not in current:
                    raise InvalidInput(f"第 {seq} 项任务不是本单位的任务")
                source, target = previous.get(seq), current[seq]
                if source is None or source.is_empty:
                    continue
                updates = {
                    field: getattr(source, field)
                    for field in CARRIED_FIELDS
                    if getattr(source, field) not in (None, "") and (overwrite or getattr(target, field) in (None, ""))
                }
                if updates and self.save(target.with_changes(**updates)):
                    changed_tasks.append(seq)
        return changed_tasks


class IndicatorValues:
    """Indicator values per (indicator, unit, period)."""

    def __init__(self, ws: Workspace):
        self._ws = ws

    def get(self, indicator_seq: int, unit: str | Unit, period: str | Period) -> IndicatorValue:
        self._ws.indicators.get(indicator_seq)
        name, when = self._ws.units.name_of(unit), as_period(period)
        values = entries_store.unit_indicator_values(self._ws.db, self._ws.plan_id, name, when)
        return values.get(indicator_seq, IndicatorValue(indicator_seq, name, when))

    def save(self, entry: IndicatorValue) -> list[str]:
        typed_texts(entry)
        ws = self._ws
        indicator = ws.indicators.get(entry.indicator_seq)
        unit = ws.units.name_of(entry.unit)
        if ws.plan.indicator_role(indicator, unit) is None:
            raise InvalidInput(f"“{unit}”不负责指标“{indicator.name}”，不能填报其数值")
        if indicator.counts:
            check_whole(entry.value, indicator.unit_of_measure, f"指标“{indicator.name}”的数值")
        if unit != entry.unit:
            entry = entry.with_changes(unit=unit)
        if CHANGE_REASON in entry.note and self.large_change(entry) is None:  # the value needs no reason any more
            entry = entry.with_changes(note=without_change_reason(entry.note))
        with guarded_change(ws, unit, entry.period) as changed:
            fields = entries_store.save_indicator_value(
                ws.db, ws.ids.units[unit], ws.ids.indicators[indicator.seq], entry, ws.actor, ws.plan.code
            )
            changed(fields)
        return fields

    def for_unit(self, unit: str | Unit, period: str | Period) -> dict[int, IndicatorValue]:
        return entries_store.unit_indicator_values(
            self._ws.db, self._ws.plan_id, self._ws.units.name_of(unit), as_period(period)
        )

    def former(self, unit: str | Unit, period: str | Period) -> list[FormerIndicator]:
        """The indicators a plan update took from the unit for which it has values in ``period``: shown read-only
        there (domain.former_tasks), never asked for again."""
        name = self._ws.units.name_of(unit)
        return former_indicators(self._ws.plan, name, self.for_unit(name, period))

    def large_change(self, entry: IndicatorValue) -> LargeChange | None:
        """The change from the previous period's value when it is large enough to need confirming and a reason
        (``domain.progress.large_change``)."""
        before = self.get(entry.indicator_seq, entry.unit, as_period(entry.period).previous())
        return large_change(before.value, entry.value)

    def history(self, indicator_seq: int, unit: str | Unit | None = None) -> list[IndicatorValue]:
        self._ws.indicators.get(indicator_seq)
        name = self._ws.units.name_of(unit) if unit is not None else None
        return entries_store.indicator_history(self._ws.db, self._ws.plan_id, indicator_seq, name)


class TargetValues:
    """Cumulative values of the projects' sub-targets per (target, unit, period).

    A sub-target the plan links to a headline indicator (the same quantity) is entered once, as the indicator: for
    a unit that reports that indicator, the target shows the indicator's value and cannot be entered on its own.
    """

    def __init__(self, ws: Workspace):
        self._ws = ws

    def get(self, project_no: int, target_seq: int, unit: str | Unit, period: str | Period) -> TargetValue:
        self._ws.projects.target(project_no, target_seq)
        name, when = self._ws.units.name_of(unit), as_period(period)
        return self.for_unit(name, when).get((project_no, target_seq), TargetValue(project_no, target_seq, name, when))

    def linked_indicator(self, project_no: int, target_seq: int, unit: str | Unit) -> Indicator | None:
        """The indicator ``unit`` enters for this sub-target (the same quantity), or None when it enters the target."""
        ws = self._ws
        target = ws.projects.target(project_no, target_seq)
        if target.indicator_seq is None:
            return None
        indicator = ws.indicators.get(target.indicator_seq)
        return indicator if ws.plan.indicator_role(indicator, ws.units.name_of(unit)) is not None else None

    def save(self, entry: TargetValue) -> list[str]:
        typed_texts(entry)
        ws = self._ws
        target = ws.projects.target(entry.project_no, entry.target_seq)
        unit = ws.units.name_of(entry.unit)
        if unit not in target.owners:
            raise InvalidInput(f"“{unit}”不负责工程{entry.project_no}的目标“{target.name}”")
        linked = self.linked_indicator(entry.project_no, entry.target_seq, unit)
        if linked is not None:
            raise InvalidInput(
                f"工程{entry.project_no}的目标“{target.name}”与指标{linked.seq}“{linked.name}”是同一数据："
                f"请在主要指标中填写指标{linked.seq}，这里会显示同一个数值"
            )
        if target.counts:
            check_whole(entry.value, target.unit_of_measure, f"目标“{target.name}”的累计值")
        if unit != entry.unit:
            entry = entry.with_changes(unit=unit)
        if CHANGE_REASON in entry.note and self.large_change(entry) is None:  # the value needs no reason any more
            entry = entry.with_changes(note=without_change_reason(entry.note))
        with guarded_change(ws, unit, entry.period) as changed:
            target_id = ws.ids.targets[(entry.project_no, entry.target_seq)]
            fields = entries_store.save_target_value(
                ws.db, ws.ids.units[unit], target_id, entry, ws.actor, ws.plan.code
            )
            changed(fields)
        return fields

    def large_change(self, entry: TargetValue) -> LargeChange | None:
        """As ``IndicatorValues.large_change``, for a project sub-target's cumulative value."""
        before = self.get(entry.project_no, entry.target_seq, entry.unit, as_period(entry.period).previous())
        return large_change(before.value, entry.value)

    def for_unit(self, unit: str | Unit, period: str | Period) -> dict[tuple[int, int], TargetValue]:
        ws = self._ws
        name, when = ws.units.name_of(unit), as_period(period)
        values = entries_store.unit_target_values(ws.db, ws.plan_id, name, when)
        indicator_values: dict[int, IndicatorValue] | None = None
        for owned in ws.projects.targets_for_unit(name):
            key = (owned.project.no, owned.target.seq)
            linked = self.linked_indicator(*key, name)
            if linked is None:
                continue
            if indicator_values is None:
                indicator_values = ws.indicator_values.for_unit(name, when)
            entry = indicator_values.get(linked.seq)
            values[key] = TargetValue(
                *key,
                name,
                when,
                entry.value if entry else None,
                f"同指标{linked.seq}“{linked.name}”",
                entry.updated_at if entry else "",
                entry.updated_by if entry else "",
            )
        return values


class EvidenceBox:
    """Evidence files (佐证材料) of a task's progress, copied into the workspace and kept by SHA-256."""

    def __init__(self, ws: Workspace):
        self._ws = ws
        if ws.path is None:
            self.folder = Path(tempfile.mkdtemp(prefix="ipdesk-evidence-"))
        else:
            self.folder = ws.path.parent / "evidence"

    def add(self, task_seq: int, unit: str | Unit, period: str | Period, file: str | Path) -> Evidence:
        """Copy ``file`` in and attach it; attaching the same content twice to a task keeps one entry."""
        ws = self._ws
        name, when = ws.units.name_of(unit), as_period(period)
        task = ws.tasks.get(task_seq)
        if task.role_of(name) is None:
            raise InvalidInput(f"“{name}”不是第 {task.seq} 项任务的责任单位或协作单位")
        source = Path(file)
        with guarded_change(ws, name, when) as changed:
            sha, size, extension = evidence_store.copy_in(self.folder, source)
            key = entries_store.progress_key(task_seq, name, when, ws.plan.code)
            added = evidence_store.attach(
                ws.db,
                ws.ids.units[name],
                ws.ids.tasks[task_seq],
                when,
                sha,
                size,
                extension,
                evidence_store.safe_file_name(source.name),
                key,
                ws.actor,
            )
            changed(["evidence"] if added else [])
        return next(e for e in self.for_task(task_seq, name, when) if e.sha256 == sha)

    def remove(self, evidence: Evidence, task_seq: int, unit: str | Unit, period: str | Period) -> None:
        """Detach a file from the task. The stored copy stays: other tasks or signed reports may refer to it."""
        ws = self._ws
        name, when = ws.units.name_of(unit), as_period(period)
        task = ws.tasks.get(task_seq)
        if task.role_of(name) is None:  # a former task's evidence stays as it was (domain.former_tasks)
            raise InvalidInput(f"“{name}”不再是第 {task.seq} 项任务的责任单位或协作单位，其佐证材料只能查看")
        with guarded_change(ws, name, when) as changed:
            removed = evidence_store.detach(
                ws.db, evidence.id, entries_store.progress_key(task_seq, name, when, ws.plan.code), ws.actor
            )
            changed(["evidence"] if removed else [])

    def for_task(self, task_seq: int, unit: str | Unit, period: str | Period) -> list[Evidence]:
        ws = self._ws
        return evidence_store.for_task(
            ws.db, ws.ids.units[ws.units.name_of(unit)], ws.ids.tasks[task_seq], as_period(period).code
        )

    def counts(self, unit: str | Unit, period: str | Period) -> dict[int, int]:
        """Number of evidence files per task seq for a unit's period."""
        ws = self._ws
        by_id = evidence_store.counts_for_unit(ws.db, ws.ids.units[ws.units.name_of(unit)], as_period(period).code)
        seq_of = {task_id: seq for seq, task_id in ws.ids.tasks.items()}
        return {seq_of[task_id]: count for task_id, count in by_id.items()}

    def path(self, evidence: Evidence) -> Path:
        """Where the stored copy is, to open it."""
        extension = evidence_store.extension_of(self._ws.db, evidence.sha256)
        return evidence_store.stored_path(self.folder, evidence.sha256, extension)

    def stored_copy(self, sha256: str, extension: str | None = None) -> Path:
        """The stored copy of the file with this SHA-256 (a signed version's evidence is never deleted); the city
        office's copies of received evidence are kept by hash and the extension of their name (``extension``)."""
        if extension is None:
            extension = evidence_store.extension_of(self._ws.db, sha256)
        path = evidence_store.stored_path(self.folder, sha256, extension)
        if not path.is_file():
            raise InvalidInput(f"佐证材料的存档副本缺失（{sha256[:12]}…），请从备份恢复 evidence 文件夹")
        return path

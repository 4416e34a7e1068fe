"""Report status per unit and period, what is missing before submission, due periods and warning lights."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ipdesk.domain.deadlines import DueItem, default_period, due_periods, sending_state
from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.indicators import Indicator
from ipdesk.domain.lights import IndicatorJudgement, Light, Thresholds, expected_percent, judge_indicator, task_light
from ipdesk.domain.periods import Period, PeriodKind
from ipdesk.domain.plan import Role, TaskKind, Unit
from ipdesk.domain.progress import Progress
from ipdesk.domain.reports import (
    Missing,
    ReportAction,
    ReportOverview,
    ReportState,
    ReportStatus,
    ReturnComment,
    next_status,
)
from ipdesk.domain.statuses import TaskStatus
from ipdesk.domain.validation import Reference, Violation, check_rules
from ipdesk.store import report_store
from ipdesk.workspace.plan import as_period

if TYPE_CHECKING:
    from ipdesk.reports.snapshot import ReportSnapshot  # loaded when a report is first made
    from ipdesk.workspace.core import Workspace


class Lights:
    """序时进度 lights with the thresholds from the settings."""

    def __init__(self, ws: Workspace):
        self._ws = ws

    @property
    def thresholds(self) -> Thresholds:
        return self._ws.settings.thresholds()

    def expected_percent(self, period: str | Period) -> float:
        plan = self._ws.plan
        return expected_percent(as_period(period), plan.start_date, plan.end_date)

    def for_task(self, progress: Progress) -> Light:
        return self.for_tasks((progress,))[0]

    def for_tasks(self, progresses: Iterable[Progress]) -> list[Light]:
        """The lights of several tasks (``domain.lights.task_light``), with the thresholds read once."""
        plan, thresholds = self._ws.plan, self.thresholds
        return [task_light(progress, plan.start_date, plan.end_date, thresholds) for progress in progresses]

    def judge(self, indicator: Indicator, value: float | None, period: str | Period) -> IndicatorJudgement:
        """The indicator's expectation, light and verdict for ``period`` (``domain.lights.judge_indicator``)."""
        return judge_indicator(
            indicator,
            value,
            as_period(period),
            self.thresholds,
            lambda year: self._ws.indicators.expected(indicator, year),
        )

    def indicator_expected(self, indicator: Indicator, period: str | Period) -> float | None:
        """The value expected by the end of the period's year."""
        return self._ws.indicators.expected(indicator, as_period(period).year)

    def completion_rate(self, indicator: Indicator, value: float | None, period: str | Period) -> float | None:
        """The value as a share of the year's expected value."""
        return self.judge(indicator, value, period).year_rate

    def for_indicator(self, indicator: Indicator, value: float | None, period: str | Period) -> Light:
        return self.judge(indicator, value, period).light


MAX_ANSWER = 2000  # characters of a clerk's note on how a comment of the city was handled


class Reports:
    """A unit's report for a period: status, the checks before 提交审核, and which periods are owed."""

    def __init__(self, ws: Workspace):
        self._ws = ws

    def state(self, unit: str | Unit, period: str | Period) -> ReportState | None:
        name = self._ws.units.name_of(unit)
        return report_store.latest(self._ws.db, self._ws.ids.units[name], name, as_period(period).code)

    def status(self, unit: str | Unit, period: str | Period) -> ReportStatus:
        state = self.state(unit, period)
        return state.status if state else ReportStatus.DRAFT

    def versions(self, unit: str | Unit, period: str | Period) -> list[ReportState]:
        """Every version of the report, oldest first."""
        name = self._ws.units.name_of(unit)
        return report_store.versions(self._ws.db, self._ws.ids.units[name], name, as_period(period).code)

    def act(
        self,
        unit: str | Unit,
        period: str | Period,
        action: ReportAction,
        comment: str | None = None,
        task_comments: dict[int, str] | None = None,
    ) -> ReportState:
        """Apply ``action`` to the latest version along the life cycle (``domain.reports.TRANSITIONS``).

        An action the table does not allow raises ``InvalidInput`` and changes nothing. 退回 and 修订 leave the
        version as the table says and open version n+1 as a draft with the same content; 退回 keeps the city's
        comments with the returned version. Returns the state of the latest version afterwards.
        """
        ws = self._ws
        if ws.read_only:
            raise InvalidInput("以只读方式打开，不能修改：另一个 ipdesk 正在修改这个数据库")
        name, when = ws.units.name_of(unit), as_period(period)
        unit_id = ws.ids.units[name]
        with ws.db.atomic():
            state = self.state(name, when)
            current = state.status if state else ReportStatus.DRAFT
            version = state.version if state else 1
            what = f"{when.chinese}的报告（v{version}）"
            new = next_status(current, action, what)
            if state is None:
                report_store.create_version(ws.db, unit_id, name, when, 1, ws.actor, ws.plan.code)
            if new is not current:
                report_store.change_status(
                    ws.db, unit_id, name, when.code, version, current, new, ws.actor, comment=comment, plan=ws.plan.code
                )
            if action is ReportAction.RETURN:
                comments = [ReturnComment(None, comment)] if comment else []
                comments += [ReturnComment(seq, text) for seq, text in sorted((task_comments or {}).items()) if text]
                report_store.add_return_comments(
                    ws.db, unit_id, name, when.code, version, comments, ws.actor, ws.plan.code
                )
            if action.opens_new_version:
                report_store.create_version(ws.db, unit_id, name, when, version + 1, ws.actor, ws.plan.code)
            state = self.state(name, when)
            assert state is not None  # just written
            return state

    def record_return(
        self, unit: str | Unit, period: str | Period, version: int, comment: str, task_comments: dict[int, str]
    ) -> None:
        """退回 of an earlier ``version`` when the unit has already opened a later one: that version becomes 已退回
        with the comments (shown beside the latest version); no new version is opened."""
        ws = self._ws
        name, when = ws.units.name_of(unit), as_period(period)
        unit_id = ws.ids.units[name]
        with ws.db.atomic():
            state = next((v for v in self.versions(name, when) if v.version == version), None)
            if state is None:
                raise InvalidInput(f"{when.chinese}的报告没有第 {version} 版")
            new = next_status(state.status, ReportAction.RETURN, f"{when.chinese}的报告（v{version}）")
            report_store.change_status(
                ws.db,
                unit_id,
                name,
                when.code,
                version,
                state.status,
                new,
                ws.actor,
                comment=comment,
                plan=ws.plan.code,
            )
            comments = [ReturnComment(None, comment)] if comment else []
            comments += [ReturnComment(seq, text) for seq, text in sorted(task_comments.items()) if text]
            report_store.add_return_comments(ws.db, unit_id, name, when.code, version, comments, ws.actor, ws.plan.code)

    def withdraw(self, unit: str | Unit, period: str | Period) -> ReportState:
        """撤回: a submitted report goes back to 填报中 (done for the clerk when a submitted report is changed)."""
        return self.act(unit, period, ReportAction.WITHDRAW)

    def accept(self, unit: str | Unit, period: str | Period) -> ReportState:
        """接收: the city office accepts the signed version."""
        return self.act(unit, period, ReportAction.ACCEPT)

    def return_to_unit(
        self, unit: str | Unit, period: str | Period, comment: str, task_comments: dict[int, str] | None = None
    ) -> ReportState:
        """退回: the signed version is returned with the city's comments; version n+1 opens as a draft."""
        if not comment.strip() and not any(text.strip() for text in (task_comments or {}).values()):
            raise InvalidInput("退回时请写明意见（对整份报告或对具体任务）")
        return self.act(unit, period, ReportAction.RETURN, comment.strip(), task_comments)

    def revise(self, unit: str | Unit, period: str | Period) -> int:
        """修订: version n+1 opens as a draft after a signed one, which stays as it is; returns the new number."""
        return self.act(unit, period, ReportAction.REVISE).version

    def comments(self, unit: str | Unit, period: str | Period, version: int | None = None) -> list[ReturnComment]:
        """The city's comments the report was last returned with (or those on ``version``); ``answered`` once the
        clerk has marked the comment 已处理 (editing the task does not: the comment stays in sight until then)."""
        name, when = self._ws.units.name_of(unit), as_period(period)
        if version is None:
            version = self._last_returned(name, when)
            if version is None:
                return []
        return report_store.return_comments(self._ws.db, self._ws.ids.units[name], when.code, version)

    def _last_returned(self, unit: str, period: Period) -> int | None:
        returned = [v for v in self.versions(unit, period) if v.status is ReportStatus.RETURNED]
        return returned[-1].version if returned else None

    def open_comments(self, unit: str | Unit, period: str | Period) -> list[ReturnComment]:
        """The comments of the last 退回 the clerk has not marked 已处理 yet (listed again at 提交审核)."""
        return [c for c in self.comments(unit, period) if not c.answered]

    def mark_comment(
        self, unit: str | Unit, period: str | Period, comment_id: int, answer: str = "", handled: bool = True
    ) -> ReturnComment:
        """已处理: the clerk marks a comment of the last 退回 handled, with what was done (``answer``, may be empty);
        ``handled=False`` opens it again. Kept in the audit log and, with the answer, in the next signed return."""
        ws = self._ws
        if ws.read_only:
            raise InvalidInput("以只读方式打开，不能修改：另一个 ipdesk 正在修改这个数据库")
        name, when = ws.units.name_of(unit), as_period(period)
        answer = answer.strip()
        if len(answer) > MAX_ANSWER:
            raise InvalidInput(f"处理说明最多 {MAX_ANSWER} 字，现有 {len(answer)} 字")
        version = self._last_returned(name, when)
        found = next((c for c in self.comments(name, when) if c.id == comment_id), None) if version else None
        if version is None or found is None:
            raise InvalidInput(f"{when.chinese}的报告没有这条退回意见（可能已被新的退回取代）")
        state = self.state(name, when)
        if state is not None and state.status.locked:
            raise InvalidInput(f"{when.chinese}的报告已{state.status.label}，不能再改动意见的处理情况")
        with ws.db.atomic():
            report_store.mark_comment(
                ws.db, name, when.code, version, comment_id, handled, answer, ws.actor, ws.plan.code
            )
        return next(c for c in self.comments(name, when) if c.id == comment_id)

    def overview(self, unit: str | Unit, period: str | Period) -> ReportOverview:
        """What the reviewer is about to sign, in figures (the sign dialog shows it)."""
        ws = self._ws
        name, when = ws.units.name_of(unit), as_period(period)
        state = self.state(name, when)
        rows = [r for r in ws.progress.for_unit(name, when) if r.task.kind is not TaskKind.INDICATOR]
        lights = Counter(ws.lights.for_tasks(r.progress for r in rows))
        statuses = Counter(r.progress.status for r in rows)
        by_light = tuple(
            (light.label, lights[light])
            for light in (Light.RED, Light.YELLOW, Light.GREEN, Light.NONE)
            if lights[light]
        )
        by_status = tuple((s.label, statuses[s]) for s in TaskStatus if statuses[s])
        if statuses[None]:
            by_status += (("未填", statuses[None]),)
        return ReportOverview(
            unit=name,
            period_name=when.chinese,
            version=state.version if state else 1,
            status_label=(state.status if state else ReportStatus.DRAFT).label,
            tasks=len(rows),
            by_light=by_light,
            by_status=by_status,
            missing=tuple(m.message for m in self.missing(name, when)),
            open_comments=len(self.open_comments(name, when)),
            evidence_files=sum(ws.evidence.counts(name, when).values()),
        )

    def missing(self, unit: str | Unit, period: str | Period) -> list[Missing]:
        """What stops the period from being submitted, in task-list order."""
        ws = self._ws
        name, when = ws.units.name_of(unit), as_period(period)
        found: list[Missing] = []
        rows = [row for row in ws.progress.for_unit(name, when) if row.task.kind is not TaskKind.INDICATOR]
        for row, light in zip(rows, ws.lights.for_tasks(row.progress for row in rows), strict=True):
            task, progress = row.task, row.progress
            label = f"第{task.seq}项“{task.name}”"
            if progress.status is None:
                found.append(Missing("task", task.seq, f"{label}未选择完成状态"))
            if not progress.achievements.strip():
                found.append(Missing("task", task.seq, f"{label}未填写工作进展及成效"))
            if light is Light.RED and not progress.problems.strip():
                found.append(Missing("task", task.seq, f"{label}为红灯，须在“存在问题”中说明原因"))
        for violation in self.violations(name, when):
            if violation.required:
                indicators = [key[0] for what, key, _ in violation.rule.references if what == "indicator"]
                found.append(Missing("indicator", indicators[0], violation.text) if indicators else
                             Missing("target", 0, violation.text))  # fmt: skip
        values = ws.indicator_values.for_unit(name, when)
        for owned in ws.indicators.for_unit(name):
            if owned.role is not Role.LEAD:
                continue
            entry = values.get(owned.indicator.seq)
            if entry is None or (entry.value is None and not entry.note.strip()):
                found.append(
                    Missing(
                        "indicator",
                        owned.indicator.seq,
                        f"指标{owned.indicator.seq}“{owned.indicator.name}”未填写数值，也未说明原因",
                    )
                )
        return found

    def violations(self, unit: str | Unit, period: str | Period) -> list[Violation]:
        """The plan's 校验规则 that the unit's figures for the period break (``Violation.required``: 必须, which
        stops submission; else 提醒, which the clerk is asked about once). A rule over figures the unit does not
        enter is skipped."""
        ws = self._ws
        name, when = ws.units.name_of(unit), as_period(period)
        indicators: dict[Period, dict[int, float | None]] = {}
        targets: dict[Period, dict[tuple[int, int], float | None]] = {}

        def figures(reference: Reference) -> float | None:
            what, key, which = reference
            at = when if which == "now" else when.previous()
            if which == "previous_same_year" and at.year != when.year:
                return None
            if what == "indicator":
                if at not in indicators:
                    indicators[at] = {s: v.value for s, v in ws.indicator_values.for_unit(name, at).items()}
                return indicators[at].get(key[0])
            if at not in targets:
                targets[at] = {k: v.value for k, v in ws.target_values.for_unit(name, at).items()}
            return targets[at].get((key[0], key[1]))

        return check_rules(ws.plan.rules, figures)

    def rule_warnings(self, unit: str | Unit, period: str | Period) -> list[Violation]:
        """The 提醒 among ``violations``: asked about once before submitting."""
        return [v for v in self.violations(unit, period) if not v.required]

    def submit(self, unit: str | Unit, period: str | Period) -> ReportState:
        """提交审核: mark the period submitted, if nothing is missing."""
        name, when = self._ws.units.name_of(unit), as_period(period)
        state = self.state(name, when)
        next_status(state.status if state else ReportStatus.DRAFT, ReportAction.SUBMIT, f"{when.chinese}的报告")
        missing = self.missing(name, when)
        if missing:
            raise InvalidInput(
                f"还有 {len(missing)} 处未填写完整，不能提交：" + "；".join(m.message for m in missing[:5])
            )
        return self.act(name, when, ReportAction.SUBMIT)

    def submitted_periods(self, unit: str | Unit) -> set[str]:
        name = self._ws.units.name_of(unit)
        done = (ReportStatus.SUBMITTED, ReportStatus.SIGNED, ReportStatus.ACCEPTED)
        return report_store.periods_with_status(self._ws.db, self._ws.ids.units[name], done)

    def due(self, unit: str | Unit, today: dt.date | None = None, kind: PeriodKind | None = None) -> list[DueItem]:
        """The plan's periods the unit still owes (overdue, due, or being filled now), newest first.

        Periods before the one from which the unit reports with ipdesk (设置 → 开始报送的期次) are not owed here.
        """
        ws = self._ws
        first = ws.settings.first_period()
        name = ws.units.name_of(unit)
        in_flight = {}
        for code, (status, folder, sent) in report_store.sending_states(ws.db, ws.ids.units[name]).items():
            state = sending_state(status, folder, sent)
            if state is not None:
                in_flight[code] = (state, folder or "")
        return due_periods(
            kind or ws.settings.report_kind(),
            ws.plan.start_date,
            ws.plan.end_date,
            today or dt.date.today(),
            ws.settings.due_day(),
            self.submitted_periods(unit),
            since=first.start if first else None,
            in_flight=in_flight,
        )

    def mark_sent(self, unit: str | Unit, period: str | Period, how: str = "") -> None:
        """已报送: the clerk says the signed version went to the city office (by mail, USB stick …); 待办 lets it go."""
        ws = self._ws
        if ws.read_only:
            raise InvalidInput("以只读方式打开，不能修改：另一个 ipdesk 正在修改这个数据库")
        name, when = ws.units.name_of(unit), as_period(period)
        state = self.state(name, when)
        if state is None or state.status not in (ReportStatus.SIGNED, ReportStatus.ACCEPTED):
            raise InvalidInput(f"{when.chinese}的报告尚未签署，签署并导出后才能报送")
        with ws.db.atomic():
            report_store.record_sending(
                ws.db, name, ws.ids.units[name], when.code, "sent", how.strip(), ws.actor, ws.plan.code
            )

    def _record_export(self, unit: str | Unit, period: Period, folder: Path) -> None:
        ws = self._ws
        if ws.read_only:
            return
        name = ws.units.name_of(unit)
        with ws.db.atomic():
            report_store.record_sending(
                ws.db, name, ws.ids.units[name], period.code, "exported", str(folder), ws.actor, ws.plan.code
            )

    def default_period(self, today: dt.date | None = None, kind: PeriodKind | None = None) -> Period:
        ws = self._ws
        return default_period(
            kind or ws.settings.report_kind(), ws.plan.start_date, ws.plan.end_date, today or dt.date.today()
        )

    # -- report files -------------------------------------------------------------------------------------------
    def snapshot(
        self, units: str | Unit | list[str | Unit], period: str | Period, today: dt.date | None = None
    ) -> ReportSnapshot:
        """Everything the report of ``units`` for ``period`` says, as plain data for the writers."""
        from ipdesk.workspace.snapshots import build_snapshot

        wanted = units if isinstance(units, list) else [units]
        return build_snapshot(self._ws, [self._ws.units.name_of(u) for u in wanted], period, today)

    @staticmethod
    def parse_formats(text: str) -> tuple[str, ...]:
        """The file formats named in ``text`` ("xlsx", "pdf" or "xlsx,pdf"); ``InvalidInput`` for others."""
        from ipdesk.reports.export import parse_formats

        return parse_formats(text)

    def export(
        self,
        units: str | Unit | list[str | Unit],
        period: str | Period,
        folder: str | Path,
        formats: tuple[str, ...] = ("xlsx", "pdf"),
        today: dt.date | None = None,
        split_evidence: bool = False,
    ) -> list[Path]:
        """Write the report's workbook and/or PDF into ``folder``; returns the paths written.

        A signed version also gets its evidence package beside it (``reports.evidence_package``), split into parts of
        at most the 邮件附件 setting when ``split_evidence``. Only a period of the plan has a report
        (``Workspace.plan_period``).
        """
        from ipdesk.reports.export import export_report, export_signed

        period = self._ws.plan_period(period)

        face = self._ws.settings.get(self._ws.settings.PDF_FONT)
        wanted = units if isinstance(units, list) else [units]
        if len(wanted) == 1:
            signed = self._ws.signoff.signed(wanted[0], period)
            if signed is not None:  # a signed version: the files made when it was signed, byte for byte
                written = export_signed(signed.snapshot, signed.files, Path(folder), formats, face)
                written += self._write_evidence(signed.snapshot, signed.files, Path(folder), split_evidence)
                self._record_export(wanted[0], period, Path(folder))
                return written
        snapshot = self.snapshot(units, period, today)
        return export_report(snapshot, Path(folder), formats, face)

    def evidence_size(self, unit: str | Unit, period: str | Period) -> int:
        """Bytes of evidence the signed version of the period lists (0 when not signed or without evidence)."""
        signed = self._ws.signoff.signed(unit, self._ws.plan_period(period))
        if signed is None:
            return 0
        from ipdesk.reports.evidence_package import package_paths

        return sum(line.size for line in package_paths(signed.snapshot.evidence).values())

    def _write_evidence(self, snapshot, files: dict[str, tuple[str, bytes]], folder: Path, split: bool) -> list[Path]:
        from ipdesk.reports.evidence_package import write_package

        if not snapshot.evidence:
            return []
        stem = Path(files["xlsx"][0]).stem
        source = self._ws.evidence.stored_copy
        limit = self._ws.settings.evidence_mail_bytes() if split else None
        for old in folder.glob(f"{stem}_佐证材料*.zip"):  # an earlier export's parts would mix with these
            old.unlink(missing_ok=True)
        return write_package(folder, stem, snapshot.evidence, lambda line: source(line.sha256), limit)

    def pdf_faces(self) -> dict[str, str]:
        """The official Windows faces present on this machine that the PDF may use (setting value → name)."""
        from ipdesk.reports.fonts import available_faces

        return available_faces()

    def mark_sample(self, unit: str | Unit, period: str | Period) -> None:
        """Record that the period holds sample data: its reports will say 示例数据 on every page."""
        period = self._ws.plan_period(period)
        name = self._ws.units.name_of(unit)
        ws = self._ws
        report_store.mark_sample(ws.db, ws.ids.units[name], name, as_period(period), ws.actor, ws.plan.code)

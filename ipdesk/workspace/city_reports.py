"""``ws.city.reports``: the city office's consolidated reports from the returns received.

One call each: ``report(period, folder)`` writes the report for the period — 季度督导报告 for a quarter, 年度考核 for
a year, 月度汇总 for a month — as Excel and PDF (a main report of a few pages a leader reads, and its 附件 with the
task × unit detail, ``…_附件_任务明细``, which the main report names), with the 通报 draft (.docx) beside it;
``final(folder)`` writes the plan's 终期评估. The scoring rules of the 年度考核 are data kept in the workspace
(``rules`` / ``set_rules``, and as a file with ``export_rules`` / ``import_rules``); ``scores(year)`` recomputes the
table from them at once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.periods import Period, PeriodKind, chinese_date
from ipdesk.domain.reports import ReportStatus
from ipdesk.domain.returns import ReceivedReturn, Timeliness
from ipdesk.store import city_store

if TYPE_CHECKING:
    from ipdesk.domain.accounting import Accounting
    from ipdesk.domain.plan import Plan, Unit
    from ipdesk.exchange.city_files import BarChart, CityReport
    from ipdesk.exchange.city_tables import PhaseRow
    from ipdesk.exchange.consolidate import Consolidation, Position
    from ipdesk.exchange.scoring import Adjustment, ScoreCard, ScoringRules, UnitYear
    from ipdesk.reports.snapshot import IndicatorLine, ReportSnapshot
    from ipdesk.workspace.core import Workspace

RULES_SETTING = "scoring_rules"
ADJUSTMENTS_SETTING = "score_adjustments"
KIND_NAMES = {PeriodKind.QUARTER: "季度督导报告", PeriodKind.YEAR: "年度考核", PeriodKind.MONTH: "月度汇总"}


def consistency_notes(consolidation: Consolidation) -> list[str]:
    """The 数据一致性 notes: a quantity given other figures than the one used (one line each)."""
    return [f"数据一致性：{line}" for line in consolidation.consistency]


def _stem(plan: Plan) -> str:
    """The plan's report title without the form's name: …示范城市工作进展情况表 → …示范城市."""
    return plan.report_title.removesuffix("进展情况表").removesuffix("工作")


class CityReports:
    def __init__(self, ws: Workspace):
        self._ws = ws
        self._snapshots: dict[int, ReportSnapshot] = {}

    # -- the data ------------------------------------------------------------------------------------------------
    def _received(self) -> list[ReceivedReturn]:
        return city_store.all_received(self._ws.db, plan_id=self._ws.plan_id)  # the current plan's returns only

    def _read(self, item: ReceivedReturn) -> ReportSnapshot:
        from ipdesk.reports.return_format import read_return

        if item.id not in self._snapshots:
            self._snapshots[item.id] = read_return(city_store.document(self._ws.db, item.id)).snapshot
        return self._snapshots[item.id]

    def consolidation(self, period: str | Period | tuple[dt.date, dt.date]) -> Consolidation:
        """Every task, indicator and project target with each unit's part, for ``period`` (or a span of days)."""
        from ipdesk.exchange.consolidate import choose_positions, consolidate

        span = period if isinstance(period, tuple) else self._ws.city.plan_period(period)
        positions = choose_positions(span, self._received(), self._read)
        label = span if isinstance(span, Period) else Period(self._ws.plan.end_year, PeriodKind.YEAR)
        return consolidate(self._ws.plan, label, positions, self._ws.settings.thresholds())

    def accounting(self, start: dt.date, end: dt.date, today: dt.date) -> Accounting:
        """The office's accounting of the returns due from ``start`` to ``end`` (``ws.city.accounting``)."""
        return self._ws.city.accounting((start, end), today)

    def timeliness(self, start: dt.date, end: dt.date, today: dt.date) -> dict[str, Timeliness]:
        return self.accounting(start, end, today).timeliness()

    # -- the scoring rules ---------------------------------------------------------------------------------------
    def rules(self) -> ScoringRules:
        from ipdesk.exchange.scoring import ScoringRules

        text = self._ws.settings.get(RULES_SETTING)
        return ScoringRules.from_json(text) if text else ScoringRules()

    def default_rules(self) -> ScoringRules:
        from ipdesk.exchange.scoring import ScoringRules

        return ScoringRules()

    def rule_fields(self) -> list[tuple[str, str]]:
        """Each rule's name and its label, in order (for a form)."""
        from dataclasses import fields

        from ipdesk.exchange.scoring import ScoringRules

        return [(item.name, ScoringRules.LABELS[item.name]) for item in fields(ScoringRules)]

    def read_rules(self, path: str | Path) -> ScoringRules:
        """Rules from a file, not yet used (``set_rules`` uses them)."""
        from ipdesk.exchange.scoring import ScoringRules

        return ScoringRules.read_file(Path(path))

    def set_rules(self, rules: ScoringRules) -> None:
        self._ws.city.claim()
        self._ws.settings.set(RULES_SETTING, rules.to_json())

    def export_rules(self, path: str | Path) -> Path:
        from ipdesk.reports.files import make_folder, write_atomically

        target = Path(path)
        make_folder(target.parent)
        text = self.rules().to_json()
        return write_atomically(target, lambda temp: temp.write_text(text, encoding="utf-8"))

    def import_rules(self, path: str | Path) -> ScoringRules:
        from ipdesk.exchange.scoring import ScoringRules

        rules = ScoringRules.read_file(Path(path))
        self.set_rules(rules)
        return rules

    def scores(self, year: int, today: dt.date | None = None, rules: ScoringRules | None = None) -> list[ScoreCard]:
        """Each unit's score for ``year`` under ``rules`` (default: the workspace's), ranked within its kind."""
        from ipdesk.exchange.scoring import score_year

        today = today or dt.date.today()
        period = self._ws.city.plan_period(Period(year, PeriodKind.YEAR))
        if not self.accounting(period.start, period.end, today).collected:
            return []  # the whole year lies before the office began collecting: nothing is scored
        return score_year(self.unit_years(year, today), rules or self.rules())

    def unit_years(self, year: int, today: dt.date) -> list[UnitYear]:
        """What each unit's ``year`` gives the assessment: returns due and received, the tasks and lights of its
        last return in the year, its lead indicators judged by ``judge_indicator``, versions sent back, the
        office's 加分/扣分."""
        from ipdesk.domain.lights import judge_indicator
        from ipdesk.domain.plan import Role
        from ipdesk.exchange.scoring import TaskMark, UnitYear

        ws = self._ws
        period = ws.city.plan_period(Period(year, PeriodKind.YEAR))
        received = [r for r in self._received() if period.contains(Period.parse(r.period))]
        consolidation = self.consolidation(period)
        thresholds = ws.settings.thresholds()
        reporting = self._reporting(period.start, period.end, today)
        adjustments = self.adjustments(year)
        years = []
        for unit in ws.plan.units:
            position = consolidation.positions.get(unit.name)
            evidence = {t.seq for t in position.snapshot.tasks if t.evidence} if position is not None else set()
            tasks = tuple(
                TaskMark(task.seq, part.role, part.reported, part.status, part.light, task.seq in evidence)
                for task in consolidation.tasks
                for part in task.parts
                if part.unit == unit.name
            )
            indicators = []
            for indicator in ws.plan.indicators:
                if ws.plan.indicator_role(indicator, unit.name) is not Role.LEAD:
                    continue
                line = None
                if position is not None:
                    line = next((i for i in position.snapshot.indicators if i.seq == indicator.seq), None)
                at = Period.parse(position.source_period) if position is not None else period
                judgement = judge_indicator(
                    indicator, line.actual if line else None, at, thresholds, partial(ws.indicators.expected, indicator)
                )
                if judgement.expected is None:
                    continue  # nothing expected of it yet (a target with no baseline, before its year)
                indicators.append((indicator.seq, indicator.name, judgement.rate if line else None))
            due, on_time, late = reporting.get(unit.name, ((), (), ()))
            years.append(
                UnitYear(
                    unit=unit,
                    sent_anything=any(r.unit == unit.name for r in received),
                    due=due,
                    on_time=on_time,
                    late=late,
                    tasks=tasks,
                    indicators=tuple(indicators),
                    returned=tuple(
                        f"{Period.parse(r.period).chinese}v{r.version}"
                        for r in received
                        if r.unit == unit.name and r.status is ReportStatus.RETURNED
                    ),
                    adjustments=tuple(a for a in adjustments if a.unit == unit.name),
                )
            )
        return years

    def _reporting(
        self, start: dt.date, end: dt.date, today: dt.date
    ) -> dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
        """Each unit's (periods due, on time, late) in the days given, from the office's accounting of returns
        (periods before the office began collecting are in none)."""
        found = {}
        for unit, own in self.accounting(start, end, today).accounts.items():
            found[unit] = (
                tuple(r.period.chinese for r in own.owed),
                tuple(r.period.chinese for r in own.owed if r.on_time),
                tuple(r.period.chinese for r in own.owed if r.late),
            )
        return found

    # -- 加分 / 扣分 ----------------------------------------------------------------------------------------------
    def adjustments(self, year: int) -> list[Adjustment]:
        """The office's 加分 / 扣分 for ``year``, as entered."""
        from ipdesk.exchange.scoring import Adjustment

        text = self._ws.settings.get(ADJUSTMENTS_SETTING)
        stored = json.loads(text).get(str(year), []) if text else []
        return [Adjustment(a["unit"], float(a["points"]), a["reason"]) for a in stored]

    def add_adjustment(self, year: int, unit: str | Unit, points: float, reason: str) -> Adjustment:
        """Record a 加分 (positive) or 扣分 (negative) for ``unit`` in ``year``, with its reason."""
        from ipdesk.exchange.scoring import Adjustment

        ws = self._ws
        ws.city.claim()
        adjustment = Adjustment(ws.units.name_of(unit), points, reason.strip())
        text = ws.settings.get(ADJUSTMENTS_SETTING)
        data = json.loads(text) if text else {}
        data.setdefault(str(year), []).append(
            {"unit": adjustment.unit, "points": adjustment.points, "reason": adjustment.reason}
        )
        ws.settings.set(ADJUSTMENTS_SETTING, json.dumps(data, ensure_ascii=False))
        return adjustment

    def remove_adjustment(self, year: int, index: int) -> None:
        """Remove the ``index``-th (0-based, as ``adjustments`` lists them) 加分/扣分 of ``year``."""
        ws = self._ws
        ws.city.claim()
        text = ws.settings.get(ADJUSTMENTS_SETTING)
        data = json.loads(text) if text else {}
        entries = data.get(str(year), [])
        if not 0 <= index < len(entries):
            raise InvalidInput(f"{year}年没有第 {index + 1} 条加分、扣分")
        del entries[index]
        ws.settings.set(ADJUSTMENTS_SETTING, json.dumps(data, ensure_ascii=False))

    # -- the reports -------------------------------------------------------------------------------------------------
    def report(self, period: str | Period, folder: str | Path, today: dt.date | None = None) -> list[Path]:
        """The period's report (季度督导报告, 年度考核 or 月度汇总) as .xlsx and .pdf, its 附件 (任务明细) as .xlsx and
        .pdf, and the 通报 draft (.docx), in that order."""
        from ipdesk.exchange.city_files import write_files
        from ipdesk.reports import fonts

        today = today or dt.date.today()
        when = self._ws.city.plan_period(period)
        if when.kind is PeriodKind.HALF:
            raise InvalidInput("汇总报告按月（月度汇总）、季度（季度督导报告）或年度（年度考核）生成")
        if when.start > today:
            raise InvalidInput(f"{when.chinese}尚未开始，没有可汇总的报送材料")
        consolidation = self.consolidation(when)
        accounting = self.accounting(when.start, when.end, today)
        if not accounting.collected and not accounting.not_collected:
            rhythm = accounting.rules.rhythm
            raise InvalidInput(
                f"报送周期为{rhythm.label}，{when.chinese}没有应报的报送；请按{rhythm.label}所在的期次生成报告"
            )
        if not accounting.collected:
            first = self._ws.city.collecting_from()
            raise InvalidInput(
                f"{when.chinese}在本办公室开始汇总的{first.chinese if first else ''}之前，未纳入汇总，"
                "没有报送情况可统计"
            )
        cards = self.scores(when.year, today) if when.kind is PeriodKind.YEAR else []
        main, annex = self._period_report(when, consolidation, accounting, cards, today)
        face = self._ws.settings.get(self._ws.settings.PDF_FONT)
        # both documents' characters are judged before either is written: never a main report naming an 附件
        # that could not be written (or one left from an earlier run)
        fonts.check_printable(fonts.register(face), main.texts() + annex.texts())
        paths = write_files(main, Path(folder), face)
        paths += write_files(annex, Path(folder), face)
        paths.append(self._write_notice(when, consolidation, accounting.timeliness(), cards, today, Path(folder)))
        return paths

    def _groups(self) -> dict[str, str]:
        return {u.name: u.kind.group for u in self._ws.plan.units}

    def _period_report(
        self,
        period: Period,
        consolidation: Consolidation,
        accounting: Accounting,
        cards: list[ScoreCard],
        today: dt.date,
    ) -> tuple[CityReport, CityReport]:
        """The main report a leader reads (summary, reporting, units, the red and 滞后 tasks, indicators; the
        year's ranking) and its 附件 with the task×unit detail, which the main report names."""
        from ipdesk.exchange import city_tables
        from ipdesk.exchange.city_files import CityReport
        from ipdesk.reports.files import safe_part

        ws = self._ws
        name = KIND_NAMES[period.kind]
        groups = self._groups()
        on_time = accounting.timeliness()
        title = f"{_stem(ws.plan)}工作{name}（{period.chinese}）"
        stem = f"{ws.plan.city or '汇总'}_{period.code}_{name}"
        annex_stem = f"{stem}_附件_任务明细"
        main_name, annex_name = f"{safe_part(stem)}.pdf", f"{safe_part(annex_stem)}.pdf"
        tables = [
            city_tables.reporting_table(on_time, groups),
            city_tables.status_by_category(consolidation),
            city_tables.status_by_unit(consolidation, groups, cards),
            city_tables.attention_table(consolidation),
            city_tables.indicator_table(consolidation, consolidation.period.year),
        ]
        notes = city_tables.supervision_notes(consolidation, ws.settings.due_day(), ws.settings.report_kind().label)
        notes += self._accounting_notes(accounting)
        notes += consistency_notes(consolidation)
        detail = [
            city_tables.task_parts_table(consolidation, "重点任务分单位进展情况（需关注的在前）"),
            city_tables.target_table(consolidation, "示范工程目标完成情况"),
        ]
        if cards:
            detail += [city_tables.ranking_table(cards), city_tables.breakdown_table(cards, "各单位得分明细")]
            notes = [*self.rules().described(), *notes]
        bars = self._bars(consolidation, accounting)
        # a year's month-by-month timeliness chart takes half a page: the main report keeps its table, the annex it
        short = [b for b in bars if len(b.rows) <= 4]
        long = [b for b in bars if len(b.rows) > 4]
        summary = self._summary(consolidation, on_time, cards, groups)
        summary.append(
            "全部重点任务分单位的进展情况（每个责任单位的完成状态、进度、预警、存在问题和下步计划）、示范工程目标"
            + ("、考核排名和各单位得分明细" if cards else "")
            + ("、各期报送及时情况图" if long else "")
            + f"和主要指标走势见附件《{annex_name}》（同名 Excel 文件 {safe_part(annex_stem)}.xlsx）。"
        )
        info = (ws.city.name, f"数据截至{chinese_date(min(today, period.end))}", f"生成日期：{chinese_date(today)}")
        main = CityReport(
            title=title,
            file_stem=stem,
            info=info,
            summary=tuple(summary),
            tables=tuple(city_tables.numbered(tables)),
            notes=tuple(notes),
            bars=tuple(short),
        )
        annex = CityReport(
            title=f"{title}附件：重点任务分单位明细",
            file_stem=annex_stem,
            info=(ws.city.name, f"《{main_name}》的附件", f"生成日期：{chinese_date(today)}"),
            summary=(
                f"本文件是《{main_name}》（{title}）的附件：列出每项重点任务下各责任单位本期的完成状态、进度、预警、"
                "存在问题和下步计划（牵头单位亮红灯、滞后或未报送的任务标【需关注】，排在前面），示范工程目标"
                + ("、考核排名和各单位得分明细" if cards else "")
                + ("、各期报送及时情况图" if long else "")
                + "和主要指标走势。汇总数字、红灯和滞后任务的问题见主报告。",
            ),
            tables=tuple(city_tables.numbered(detail)),
            notes=tuple(notes),
            bars=tuple(long),
            trajectories=tuple(self._trajectories(period, consolidation)),
            trajectory_year=period.year,
            trajectory_caption="虚线为按方案基数和年均预增计算的各年预期值，圆点为全市数值（牵头单位各年最后一次报送的"
            "数值，相邻年份连线），方框为基数。",
        )
        return main, annex

    def _accounting_notes(self, accounting: Accounting) -> list[str]:
        """What the report's figures leave out (months before the office began collecting) and how deadlines were
        set (working days; a year whose holidays the calendar does not know)."""
        from ipdesk.domain.deadlines import calendar_note

        notes = []
        if accounting.not_collected:
            first, last = accounting.not_collected[0], accounting.not_collected[-1]
            which = first.chinese if first == last else f"{first.chinese}至{last.chinese}"
            notes.append(f"{which}在本办公室开始用 ipdesk 汇总之前，未纳入汇总：不计应报、不计未报送、不扣分。")
        note = calendar_note([accounting.rules.deadline(p) for p in accounting.periods])
        if note:
            notes.append(note)
        return notes

    def _summary(
        self,
        consolidation: Consolidation,
        on_time: dict[str, Timeliness],
        cards: list[ScoreCard],
        groups: dict[str, str],
    ) -> list[str]:
        """总体情况: returns by timeliness (the office's accounting), tasks by status and by light (红黄绿灯), the
        units with most red or 滞后 parts in each kind, the indicators' lights, the year's best by kind."""
        from ipdesk.exchange.city_tables import LIGHT_WORDS, worst_units
        from ipdesk.exchange.notice import percent

        on_time = {u: t for u, t in on_time.items() if t is not Timeliness.NOT_COLLECTED}
        expected = len(on_time)
        tally = Counter(on_time.values())
        counts = consolidation.status_counts()
        total = sum(counts.values())
        attention = [p for p in consolidation.parts() if p.needs_attention]
        lines = [
            f"本期应报送单位 {expected} 个：按时报送 {tally[Timeliness.ON_TIME]} 个"
            f"（{percent(tally[Timeliness.ON_TIME], expected)}），"
            f"逾期报送 {tally[Timeliness.LATE]} 个（{percent(tally[Timeliness.LATE], expected)}），"
            f"未报送 {tally[Timeliness.MISSING]} 个（{percent(tally[Timeliness.MISSING], expected)}），"
            f"退回待改 {tally[Timeliness.RETURNED]} 个，未到截止日 {tally[Timeliness.NOT_DUE]} 个。"
            f"有本期材料的单位 {len(consolidation.reporting_units)} 个。",
            f"各单位承担任务共 {total} 项次：已完成 {counts['done']} 项次（{percent(counts['done'], total)}），"
            f"推进中 {counts['in_progress']} 项次（{percent(counts['in_progress'], total)}），"
            f"持续推进 {counts['ongoing']} 项次（{percent(counts['ongoing'], total)}），"
            f"滞后 {counts['lagging']} 项次（{percent(counts['lagging'], total)}），"
            f"未启动 {counts['not_started']} 项次（{percent(counts['not_started'], total)}），"
            f"未报送 {counts['not_reported']} 项次（{percent(counts['not_reported'], total)}）；"
            f"亮红灯或滞后 {len(attention)} 项次，涉及 {len({p.unit for p in attention})} 个单位、"
            f"{sum(1 for t in consolidation.tasks if t.attention)} 项任务（其中牵头单位亮红灯或滞后的 "
            f"{sum(1 for t in consolidation.tasks if t.lead_attention)} 项）。",
        ]
        lit = Counter(p.light for p in consolidation.parts() if p.reported)
        lines.append(
            "任务预警（按序时进度）："
            + "、".join(f"{word} {lit[code]} 项次" for code, word in LIGHT_WORDS.items())
            + f"，无预警（已完成、持续推进或未填进度）{sum(lit.values()) - sum(lit[c] for c in LIGHT_WORDS)} 项次。"
        )
        worst = worst_units(consolidation, groups)
        if any(worst.values()):
            lines.append(
                "亮红灯或滞后项次最多的单位："
                + "；".join(
                    f"{group}　" + "、".join(f"{unit}（{count}项次）" for unit, count in ranked)
                    for group, ranked in worst.items()
                    if ranked
                )
                + "。"
            )
        lights = Counter(i.light for i in consolidation.indicators if i.city_value is not None)
        reported = sum(lights.values())
        reached = sum(1 for t in consolidation.targets if t.reached)
        lines.append(
            f"主要发展指标 {len(consolidation.indicators)} 项，牵头单位已报送数值 {reported} 项，"
            f"其中绿灯 {lights['green']} 项、"
            f"黄灯 {lights['yellow']} 项、红灯 {lights['red']} 项；示范工程量化目标 {len(consolidation.targets)} 项，"
            f"按各责任单位报送的累计数已达到 {reached} 项。"
        )
        if cards:
            for group in dict.fromkeys(c.group for c in cards):
                best = sorted((c for c in cards if c.group == group), key=lambda c: c.rank)[:3]
                lines.append(f"年度考核{group}前三名：" + "、".join(f"{c.unit}（{c.total:g}分）" for c in best) + "。")
        return lines

    def _bars(self, consolidation: Consolidation, accounting: Accounting | None) -> list[BarChart]:
        from ipdesk.exchange.city_files import BarChart
        from ipdesk.exchange.city_tables import GROUPS

        groups = self._groups()
        series = ("已完成", "推进中/持续推进", "未启动", "滞后", "未报送")
        codes = (("done",), ("in_progress", "ongoing"), ("not_started",), ("lagging",), ("not_reported",))
        rows = []
        for group in GROUPS:
            parts = [p for p in consolidation.parts() if groups.get(p.unit) == group]
            if parts:
                counts = consolidation.status_counts(parts)
                rows.append(
                    (f"{group}（{len(parts)}项次）", tuple(sum(counts[c] for c in cs) / len(parts) for cs in codes))
                )
        charts = []
        if any(p.reported for p in consolidation.parts()):  # no chart without data
            charts.append(BarChart("各类单位任务完成情况", series, tuple(rows)))
        if accounting is not None and len(accounting.periods) > 1:
            monthly = []
            for each in accounting.periods:
                due = [r for r in accounting.returns() if r.period == each and r.due]
                if not due:
                    continue
                shares = (
                    sum(1 for r in due if r.on_time) / len(due),
                    sum(1 for r in due if r.late) / len(due),
                    sum(1 for r in due if not r.received) / len(due),
                )
                monthly.append((each.chinese, shares))
            if monthly:
                charts.append(BarChart("各期报送及时情况", ("按时报送", "逾期报送", "未报送"), tuple(monthly)))
        return charts

    def _trajectories(self, period: Period, consolidation: Consolidation) -> list[IndicatorLine]:
        """Each indicator's city figure year by year (the lead unit's year-end value) against the expected path."""
        from ipdesk.exchange.consolidate import choose_positions
        from ipdesk.reports.snapshot import IndicatorLine

        ws = self._ws
        leads = {i.lead_unit for i in consolidation.indicators}
        received = [r for r in self._received() if r.unit in leads]
        by_year: dict[int, dict[str, Position]] = {}
        first = min((i.indicator.baseline_year or ws.plan.start_year) for i in consolidation.indicators)
        for year in range(max(first, ws.plan.start_year), period.year):
            by_year[year] = choose_positions(Period(year, PeriodKind.YEAR), received, self._read)
        lines = []
        for item in consolidation.indicators:
            indicator = item.indicator
            path = []
            for year in range(
                indicator.baseline_year or ws.plan.start_year, max(indicator.target_year, period.year) + 1
            ):
                value = None
                if year == period.year:
                    value = item.city_value
                elif year in by_year and item.lead_unit in by_year[year]:
                    line = next(
                        (i for i in by_year[year][item.lead_unit].snapshot.indicators if i.seq == indicator.seq), None
                    )
                    value = line.actual if line else None
                elif year == indicator.baseline_year:
                    value = indicator.baseline
                path.append((year, ws.indicators.expected(indicator, year), value))
            if item.city_value is None and not any(
                v is not None for year, _, v in path if year != indicator.baseline_year
            ):
                continue  # no figure reported in any year: no chart without data
            lines.append(
                IndicatorLine(
                    unit=item.lead_unit,
                    seq=indicator.seq,
                    name=indicator.name,
                    unit_of_measure=indicator.unit_of_measure,
                    role="lead",
                    baseline=indicator.baseline,
                    baseline_year=indicator.baseline_year,
                    target=indicator.target,
                    target_op=indicator.target_op,
                    target_year=indicator.target_year,
                    growth_text=indicator.growth_text,
                    expected=item.expected,
                    actual=item.city_value,
                    rate=item.rate,
                    light=item.light,
                    note="",
                    data_source="",
                    path=tuple(path),
                )
            )
        return lines

    # -- the 通报 draft ------------------------------------------------------------------------------------------------
    def _write_notice(
        self,
        period: Period,
        consolidation: Consolidation,
        on_time: dict[str, Timeliness],
        cards: list[ScoreCard],
        today: dt.date,
        folder: Path,
    ) -> Path:
        from ipdesk.exchange.notice import document_number, notice_facts, write_notice
        from ipdesk.reports.files import safe_part, write_atomically

        ws = self._ws
        rules = ws.city.collection_rules()
        upcoming = [p for p in rules.rhythm_periods() if rules.deadline(p) >= today]
        next_period = upcoming[0] if upcoming else None
        extra = []
        if cards:
            for group in dict.fromkeys(c.group for c in cards):
                ranked = sorted((c for c in cards if c.group == group), key=lambda c: c.rank)
                extra.append(
                    f"年度考核中，{group}前三名为" + "、".join(f"{c.unit}（{c.total:g}分）" for c in ranked[:3]) + "。"
                )
        settings = ws.settings
        facts = notice_facts(
            consolidation,
            on_time,
            settings.get(settings.NOTICE_OFFICE) or ws.city.name,
            today,
            next_period,
            rules.deadline(next_period) if next_period else None,
            extra,
            number=document_number(settings.get(settings.NOTICE_NUMBER), today.year),
            copy_to=settings.get(settings.NOTICE_COPY_TO),
            cards=cards or None,  # a year's 通报 ranks and praises by the year's scores
        )
        name = f"{safe_part(ws.plan.city or '汇总')}_{period.code}_通报（草稿）.docx"
        return write_atomically(Path(folder) / name, lambda path: write_notice(facts, path))

    # -- the plan's final evaluation ------------------------------------------------------------------------------
    def final(self, folder: str | Path, today: dt.date | None = None) -> list[Path]:
        """终期评估: indicators against their final targets, tasks' final status, project targets reached, per
        phase and per unit, as .xlsx and .pdf, and the evaluation's data sections as a .docx draft."""
        from ipdesk.exchange import city_tables
        from ipdesk.exchange.city_files import CityReport, write_files
        from ipdesk.exchange.notice import write_document
        from ipdesk.reports.files import safe_part, write_atomically

        ws = self._ws
        today = today or dt.date.today()
        plan = ws.plan
        span = (plan.start_date, min(plan.end_date, today))
        consolidation = self.consolidation((plan.start_date, plan.end_date))
        phases = self._phases(today)
        units = self._unit_summary(consolidation, today)
        final_year = Period(plan.end_year, PeriodKind.YEAR)
        tables = [
            city_tables.final_indicator_table(list(consolidation.indicators), plan.end_year),
            city_tables.final_task_table(consolidation),
            city_tables.final_target_table(consolidation),
            city_tables.phase_table(phases),
            city_tables.unit_summary_table(units),
        ]
        summary = self._final_summary(consolidation, phases, units)
        report = CityReport(
            title=f"{_stem(plan)}工作终期评估数据（{plan.start_year}—{plan.end_year}年）",
            file_stem=f"{plan.city or '汇总'}_{plan.code}_终期评估",
            info=(
                ws.city.name,
                f"方案实施期：{chinese_date(plan.start_date)}—{chinese_date(plan.end_date)}",
                f"数据截至{chinese_date(span[1])}",
            ),
            summary=tuple(summary),
            tables=tuple(tables),
            notes=(
                "各单位的终期情况取其在方案实施期内最后一次报送（已被退回的不计）；未报送的单位在其承担的任务下列明"
                "“未报送”。",
                "主要指标的终期数值取牵头单位最后一次报送的数值，与方案目标比较：达到或超过目标为“达标”；差距为终期"
                "数值减目标值，完成程度为终期数值除以目标值。协作单位的数值不计入。终期数值早于方案期末的，注明其所属期，"
                "并按该期的序时要求判断（年度流量按已过时间比例，存量按基数到目标的路径，比率按当年水平）。",
                "示范工程目标的合计为各责任单位本单位完成数之和，每个单位只计一次；与主要指标为同一数据的工程目标"
                "（如技术合同成交额、保护社会满意度），取该指标的数值和结论。",
                "重点任务以牵头单位报送的状态为准：牵头单位均报告已完成的为“已完成”，协作单位的状态列在其后。",
                *consistency_notes(consolidation),
                "阶段的完成情况取各单位在该阶段内最后一次报送；按时率为该阶段各期按时报送的单位期次占应报期次的比例；"
                "本办公室开始用 ipdesk 汇总之前的阶段为“未纳入汇总”，不计应报期次和按时率。",
                *self._accounting_notes(self.accounting(plan.start_date, plan.end_date, today)),
            ),
            bars=tuple(self._bars(consolidation, None)),
            trajectories=tuple(self._trajectories(final_year, consolidation)),
            trajectory_year=plan.end_year,
            trajectory_caption="虚线为按方案基数和年均预增计算的各年预期值，圆点为全市数值（牵头单位各年最后一次报送的"
            "数值），方框为基数。",
        )
        paths = write_files(report, Path(folder), ws.settings.get(ws.settings.PDF_FONT))
        items = self._final_paragraphs(consolidation, phases, units, summary)
        name = f"{safe_part(plan.city or '汇总')}_{safe_part(plan.code)}_终期评估数据部分（草稿）.docx"
        paths.append(
            write_atomically(Path(folder) / name, lambda path: write_document(items, path, report.title, ws.city.name))
        )
        return paths

    def _phases(self, today: dt.date) -> list[PhaseRow]:
        from ipdesk.exchange.city_tables import PhaseRow
        from ipdesk.exchange.consolidate import choose_positions, consolidate

        rows = []
        plan = self._ws.plan
        spans = [(p.name, Period.parse(p.start_month).start, Period.parse(p.end_month).end) for p in plan.phases]
        if spans and spans[-1][2] < plan.end_date:  # the months after the last phase, up to the plan's end
            spans.append(("方案期末", spans[-1][2] + dt.timedelta(days=1), plan.end_date))
        for name, start, end in spans:
            accounting = self.accounting(start, end, today)
            months = f"{start.year}年{start.month}月—{end.year}年{end.month}月"
            # 未纳入汇总 only for a phase wholly before collection began (a phase not yet begun owes nothing yet)
            if not accounting.collected and accounting.not_collected:
                rows.append(PhaseRow(name, months, False, 0, 0, Counter()))  # no figures at all
                continue
            positions = choose_positions((start, end), self._received(), self._read)
            counts = consolidate(
                self._ws.plan, Period(end.year, PeriodKind.YEAR), positions, self._ws.settings.thresholds()
            ).status_counts()
            rows.append(PhaseRow(name, months, True, accounting.due, accounting.on_time, counts))
        return rows

    def _unit_summary(
        self, consolidation: Consolidation, today: dt.date
    ) -> list[tuple[str, str, int, int, int, Counter[str]]]:
        plan = self._ws.plan
        accounting = self.accounting(plan.start_date, plan.end_date, today)
        by_unit = consolidation.by_unit()
        rows = []
        for unit in plan.units:
            own = accounting[unit.name]
            rows.append(
                (unit.name, unit.kind.group, own.due, own.received, own.on_time, by_unit.get(unit.name, Counter()))
            )
        return rows

    def _final_summary(self, consolidation: Consolidation, phases: list, units: list) -> list[str]:
        from ipdesk.exchange.city_tables import final_verdict
        from ipdesk.exchange.consolidate import status_word
        from ipdesk.exchange.notice import percent

        verdicts = Counter(final_verdict(i)[0] for i in consolidation.indicators)
        earlier = len(consolidation.indicators) - verdicts["达标"] - verdicts["未达标"] - verdicts["未报送"]
        overall = Counter(t.overall for t in consolidation.tasks)
        reached = sum(1 for t in consolidation.targets if t.reached)
        expected = sum(row[2] for row in units)
        received = sum(row[3] for row in units)
        on_time = sum(row[4] for row in units)
        return [
            f"主要发展指标 {len(consolidation.indicators)} 项：达标 {verdicts['达标']} 项，"
            f"未达标 {verdicts['未达标']} 项，"
            + (f"终期数值尚未报送、按最近一期序时判断的 {earlier} 项，" if earlier else "")
            + f"牵头单位未报送数值 {verdicts['未报送']} 项。",
            f"重点任务 {len(consolidation.tasks)} 项（以牵头单位报送的最终状态为准）："
            + "，".join(f"{status_word(code)} {overall[code]} 项" for code in overall if code)
            + "。",
            f"示范工程量化目标 {len(consolidation.targets)} 项，已达到 {reached} 项。",
            f"方案实施期内应报送 {expected} 期次，收到 {received} 期次（{percent(received, expected)}），其中按时报送 "
            f"{on_time} 期次（{percent(on_time, expected)}）。",
        ]

    def _final_paragraphs(
        self, consolidation: Consolidation, phases: list, units: list, summary: list[str]
    ) -> list[tuple[str, str]]:
        from ipdesk.domain.numbers import number_text, target_text
        from ipdesk.exchange.city_tables import final_verdict, task_states
        from ipdesk.exchange.consolidate import status_word

        plan = self._ws.plan
        items: list[tuple[str, str]] = [("title", f"{_stem(plan)}工作终期评估（数据部分）")]
        items += [("body", line) for line in summary]
        items.append(("heading", "一、主要发展指标完成情况"))
        for item in consolidation.indicators:
            indicator = item.indicator
            verdict, gap, degree = final_verdict(item)
            target = target_text(indicator.target_op, indicator.target) + indicator.unit_of_measure
            if item.city_value is None:
                text = f"{indicator.name}：{plan.end_year}年目标{target}，牵头单位（{item.lead_unit}）未报送终期数值。"
            else:
                value = number_text(item.city_value) + indicator.unit_of_measure
                source = Period.parse(item.source_period)
                if source.end < plan.end_date:  # the lead unit's last figure is older than the plan's last period
                    value += f"（取自{source.chinese}的报送，{source.chinese}数据）"
                how = f"完成目标的{degree * 100:.1f}%，" if degree is not None else ""
                # a shortfall of a percentage is in 个百分点 (90% against 95% is 5 个百分点 short, not 5%)
                measure = "个百分点" if indicator.unit_of_measure.strip() in ("%", "％") else indicator.unit_of_measure
                short = f"，差{number_text(-gap)}{measure}" if verdict == "未达标" and gap else ""
                light = item.judgement.light.label if item.judgement is not None else "—"
                text = (
                    f"{indicator.name}：{plan.end_year}年目标{target}，终期数值{value}，{how}{verdict}{short}"
                    f"（{light}）。"
                )
            items.append(("body", f"{indicator.seq}. {text}"))
        items.append(("heading", "二、重点任务完成情况"))
        not_done = [t for t in sorted(consolidation.tasks, key=lambda t: t.seq) if t.overall != "done"]
        items.append(
            (
                "body",
                f"重点任务 {len(consolidation.tasks)} 项中，牵头单位报告已完成的 "
                f"{len(consolidation.tasks) - len(not_done)} 项；其余 {len(not_done)} 项的最终状态如下（协作单位的"
                "状态列在后面，不影响结论）：",
            )
        )
        for task in not_done[:40]:
            states = task_states(task, consolidation)
            items.append(("body", f"第{task.seq}项“{task.name}”：{status_word(task.overall)}。{states}。"))
        if len(not_done) > 40:
            items.append(("body", f"另有 {len(not_done) - 40} 项，详见终期评估数据表。"))
        items.append(("heading", "三、示范工程目标完成情况"))
        for rollup in consolidation.targets:
            total = "未报送" if rollup.total is None else number_text(rollup.total) + rollup.unit_of_measure
            reached = rollup.verdict if rollup.verdict != "—" else "无法判断"
            if rollup.linked is not None:
                total += f"（同指标{rollup.linked.indicator.seq}）"
            items.append(
                (
                    "body",
                    f"工程{rollup.project_no}“{rollup.name}”：目标{target_text(rollup.op, rollup.target)}"
                    f"{rollup.unit_of_measure}，合计{total}，{reached}。",
                )
            )
        items.append(("heading", "四、分阶段情况"))
        for phase in phases:
            if not phase.collected:
                items.append(("body", f"{phase.name}（{phase.months}）：在开始用 ipdesk 汇总之前，未纳入汇总。"))
                continue
            total = sum(phase.counts.values())
            rate = phase.rate
            rate_text = f"{rate * 100:.1f}%" if rate is not None else "—"
            items.append(
                (
                    "body",
                    f"{phase.name}（{phase.months}）：应报 {phase.expected} 期次，按时报送 {phase.on_time} 期次"
                    f"（{rate_text}）；阶段末已完成 {phase.counts['done']} 项次（共 {total} 项次）。",
                )
            )
        items.append(("heading", "五、分单位情况"))
        ranked = sorted(
            (row for row in units if sum(row[5].values())),
            key=lambda row: -(row[5]["done"] / sum(row[5].values())),
        )
        if ranked:
            best = "、".join(f"{row[0]}（{row[5]['done']}/{sum(row[5].values())}）" for row in ranked[:5])
            items.append(("body", f"任务完成比例较高的单位：{best}。"))
        silent = [row[0] for row in units if row[3] == 0]
        if silent:
            items.append(("body", f"方案实施期内未报送过的单位：{'、'.join(silent)}。"))
        items += [("signature", self._ws.city.name), ("date", chinese_date(dt.date.today()))]
        return items

"""``ws.city.reports``: the city office's consolidated reports from the returns received.

One call each: ``report(period, folder)`` writes the report for the period — 季度督导报告 for a quarter, 年度考核 for
a year, 月度汇总 for a month — as Excel and PDF, with the 通报 draft (.docx) beside it; ``final(folder)`` writes the
plan's 终期评估. The scoring rules of the 年度考核 are data kept in the workspace (``rules`` / ``set_rules``, and as a
file with ``export_rules`` / ``import_rules``); ``scores(year)`` recomputes the table from them at once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from ipdesk.domain.deadlines import plan_periods
from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.periods import Period, PeriodKind, chinese_date
from ipdesk.domain.reports import ReportStatus
from ipdesk.domain.returns import ReceivedReturn, Submission, Timeliness, timeliness
from ipdesk.store import city_store

if TYPE_CHECKING:
    from ipdesk.exchange.city_files import BarChart, CityReport
    from ipdesk.exchange.consolidate import Consolidation, Position
    from ipdesk.exchange.scoring import ScoreCard, ScoringRules
    from ipdesk.reports.snapshot import IndicatorLine, ReportSnapshot
    from ipdesk.workspace.core import Workspace

RULES_SETTING = "scoring_rules"
KIND_NAMES = {PeriodKind.QUARTER: "季度督导报告", PeriodKind.YEAR: "年度考核", PeriodKind.MONTH: "月度汇总"}


def _stem(title: str) -> str:
    """西安市国家知识产权强市建设示范城市工作方案(2022—2025年) → 西安市国家知识产权强市建设示范城市."""
    return title.split("工作方案", 1)[0]


class CityReports:
    def __init__(self, ws: Workspace):
        self._ws = ws
        self._snapshots: dict[int, ReportSnapshot] = {}

    # -- the data ------------------------------------------------------------------------------------------------
    def _received(self) -> list[ReceivedReturn]:
        return city_store.all_received(self._ws.db)

    def _read(self, item: ReceivedReturn) -> ReportSnapshot:
        from ipdesk.reports.return_format import read_return

        if item.id not in self._snapshots:
            self._snapshots[item.id] = read_return(city_store.document(self._ws.db, item.id)).snapshot
        return self._snapshots[item.id]

    def consolidation(self, period: str | Period | tuple[dt.date, dt.date]) -> Consolidation:
        """Every task, indicator and project target with each unit's part, for ``period`` (or a span of days)."""
        from ipdesk.exchange.consolidate import choose_positions, consolidate

        span = period if isinstance(period, tuple) else self._plan_period(period)
        positions = choose_positions(span, self._received(), self._read)
        label = span if isinstance(span, Period) else Period(self._ws.plan.end_year, PeriodKind.YEAR)
        return consolidate(self._ws.plan, label, positions)

    def _plan_period(self, period: str | Period) -> Period:
        return self._ws.city._plan_period(period)

    def _cells(self, start: dt.date, end: dt.date, today: dt.date) -> dict[str, list[Submission]]:
        """Each unit's matrix cells for the reporting periods (of the workspace's kind) inside the days given."""
        from ipdesk.exchange.completeness import build_matrix

        ws = self._ws
        kind = ws.settings.report_kind()
        periods = [
            p
            for p in plan_periods(kind, ws.plan.start_date, ws.plan.end_date)
            if p.start >= start and p.end <= end and p.start <= today
        ]
        since = ws.settings.get(ws.settings.CITY_FROM)
        if since:
            periods = [p for p in periods if p.end >= Period.parse(since).start]
        matrix = build_matrix(list(ws.plan.units), periods, self._received(), ws.settings.due_day(), today)
        return {u.name: [matrix.cell(u.name, p) for p in periods] for u in ws.plan.units}

    def timeliness(self, start: dt.date, end: dt.date, today: dt.date) -> dict[str, Timeliness]:
        return {unit: timeliness(cells) for unit, cells in self._cells(start, end, today).items()}

    # -- the scoring rules ---------------------------------------------------------------------------------------
    def rules(self) -> ScoringRules:
        from ipdesk.exchange.scoring import ScoringRules

        text = self._ws.settings.get(RULES_SETTING)
        return ScoringRules.from_json(text) if text else ScoringRules()

    def set_rules(self, rules: ScoringRules) -> None:
        self._ws.city._open()
        self._ws.settings.set(RULES_SETTING, rules.to_json())

    def export_rules(self, path: str | Path) -> Path:
        from ipdesk.reports.files import write_atomically

        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = self.rules().to_json()
        return write_atomically(target, lambda temp: temp.write_text(text, encoding="utf-8"))

    def import_rules(self, path: str | Path) -> ScoringRules:
        from ipdesk.exchange.scoring import ScoringRules

        rules = ScoringRules.read_file(Path(path))
        self.set_rules(rules)
        return rules

    def scores(self, year: int, today: dt.date | None = None, rules: ScoringRules | None = None) -> list[ScoreCard]:
        """Each unit's score for ``year`` under ``rules`` (default: the workspace's), ranked within its kind."""
        from ipdesk.exchange.consolidate import choose_positions
        from ipdesk.exchange.scoring import score_year

        today = today or dt.date.today()
        period = self._plan_period(Period(year, PeriodKind.YEAR))
        received = self._received()
        positions = choose_positions(period, received, self._read)
        returned: dict[str, list[ReceivedReturn]] = {}
        for item in received:
            if item.status is ReportStatus.RETURNED and period.contains(Period.parse(item.period)):
                returned.setdefault(item.unit, []).append(item)
        cells = self._cells(period.start, period.end, today)
        return score_year(list(self._ws.plan.units), positions, cells, returned, rules or self.rules(), today)

    # -- the reports -------------------------------------------------------------------------------------------------
    def report(self, period: str | Period, folder: str | Path, today: dt.date | None = None) -> list[Path]:
        """The period's report (季度督导报告, 年度考核 or 月度汇总) as .xlsx and .pdf, and the 通报 draft (.docx)."""
        from ipdesk.exchange.city_files import write_files

        today = today or dt.date.today()
        when = self._plan_period(period)
        if when.kind is PeriodKind.HALF:
            raise InvalidInput("汇总报告按月（月度汇总）、季度（季度督导报告）或年度（年度考核）生成")
        if when.start > today:
            raise InvalidInput(f"{when.chinese}尚未开始，没有可汇总的报送材料")
        consolidation = self.consolidation(when)
        on_time = self.timeliness(when.start, when.end, today)
        cards = self.scores(when.year, today) if when.kind is PeriodKind.YEAR else []
        report = self._period_report(when, consolidation, on_time, cards, today)
        paths = write_files(report, Path(folder), self._ws.settings.get(self._ws.settings.PDF_FONT))
        paths.append(self._write_notice(when, consolidation, on_time, cards, today, Path(folder)))
        return paths

    def _groups(self) -> dict[str, str]:
        return {u.name: u.kind.group for u in self._ws.plan.units}

    def _period_report(
        self,
        period: Period,
        consolidation: Consolidation,
        on_time: dict[str, Timeliness],
        cards: list[ScoreCard],
        today: dt.date,
    ) -> CityReport:
        from ipdesk.exchange import city_tables
        from ipdesk.exchange.city_files import CityReport

        ws = self._ws
        name = KIND_NAMES[period.kind]
        groups = self._groups()
        tables = city_tables.supervision_tables(consolidation, on_time, groups)
        notes = city_tables.supervision_notes(consolidation, ws.settings.due_day(), ws.settings.report_kind().label)
        if cards:
            tables = [city_tables.ranking_table(cards), city_tables.breakdown_table(cards), *tables]
            notes = [*self.rules().described(), *notes]
        trajectories = self._trajectories(period, consolidation)
        return CityReport(
            title=f"{_stem(ws.plan.title)}工作{name}（{period.chinese}）",
            file_stem=f"{ws.plan.city or '汇总'}_{period.code}_{name}",
            info=(ws.city.name, f"数据截至{chinese_date(min(today, period.end))}", f"生成日期：{chinese_date(today)}"),
            summary=tuple(self._summary(consolidation, on_time, cards)),
            tables=tuple(tables),
            notes=tuple(notes),
            bars=tuple(self._bars(consolidation, period, today)),
            trajectories=tuple(trajectories),
            trajectory_year=period.year,
            trajectory_caption="虚线为按方案基数和年均预增计算的各年预期值，圆点为全市数值（牵头单位各年最后一次报送的"
            "数值，相邻年份连线），方框为基数。",
        )

    def _summary(
        self, consolidation: Consolidation, on_time: dict[str, Timeliness], cards: list[ScoreCard]
    ) -> list[str]:
        from ipdesk.exchange.notice import percent

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
            f"亮红灯或滞后 {len(attention)} 项次，涉及 {len({p.unit for p in attention})} 个单位。",
        ]
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

    def _bars(self, consolidation: Consolidation, period: Period, today: dt.date) -> list[BarChart]:
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
        charts = [BarChart("各类单位任务完成情况", series, tuple(rows))]
        cells = self._cells(period.start, period.end, today)
        periods = sorted({c.period for unit_cells in cells.values() for c in unit_cells})
        if len(periods) > 1:
            monthly = []
            for each in periods:
                column = [c for unit_cells in cells.values() for c in unit_cells if c.period == each]
                due = [c for c in column if c.state.value != "not_due" or c.latest is not None] or column
                shares = (
                    sum(1 for c in due if c.on_time) / len(due),
                    sum(1 for c in due if c.on_time is False) / len(due),
                    sum(1 for c in due if c.latest is None) / len(due),
                )
                monthly.append((each.chinese, shares))
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
        from ipdesk.exchange.notice import notice_facts, write_notice
        from ipdesk.reports.files import safe_part, write_atomically

        ws = self._ws
        upcoming = [
            p
            for p in plan_periods(ws.settings.report_kind(), ws.plan.start_date, ws.plan.end_date)
            if p.due_date(ws.settings.due_day()) >= today
        ]
        next_period = upcoming[0] if upcoming else None
        extra = []
        if cards:
            for group in dict.fromkeys(c.group for c in cards):
                ranked = sorted((c for c in cards if c.group == group), key=lambda c: c.rank)
                extra.append(
                    f"年度考核中，{group}前三名为" + "、".join(f"{c.unit}（{c.total:g}分）" for c in ranked[:3]) + "。"
                )
        facts = notice_facts(
            consolidation,
            on_time,
            ws.city.name,
            today,
            next_period,
            next_period.due_date(ws.settings.due_day()) if next_period else None,
            extra,
        )
        name = f"{safe_part(ws.plan.city or '汇总')}_{period.code}_通报（草稿）.docx"
        return write_atomically(Path(folder) / name, lambda path: write_notice(facts, path))

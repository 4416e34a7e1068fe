"""The tables of the city office's reports, on the reports' table engine (``ipdesk.reports.table_model``).

- 季度督导报告 / 月度汇总 (the main report, a few pages): reporting (按时、逾期、未报送) by kind of unit; tasks by
  status per category and per unit (with the year's rank and score in a 年度考核); the red and 滞后 tasks, each
  once with all its lead units and the problems of the units red or 滞后 on it; the indicators (the lead unit's
  figure, others beside it for reference).
- Their 附件: every task with each responsible unit's part (【需关注】 tasks first, units that did not report named
  where their part is missing); the project sub-targets (the sum of the owners' own parts); the year's ranking and
  every unit's breakdown.
- 年度考核: the scores ranked within each kind of unit, and every unit's breakdown.
- 终期评估: indicators against their final targets, tasks' final status, project targets reached, per phase and
  per unit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ipdesk.domain.numbers import is_count, number_text, target_text
from ipdesk.domain.periods import Period
from ipdesk.domain.plan import Role, UnitKind
from ipdesk.domain.returns import Timeliness
from ipdesk.exchange.consolidate import (
    NOT_REPORTED,
    Consolidation,
    IndicatorRollup,
    TargetRollup,
    TaskPart,
    TaskRollup,
    data_mark,
    status_word,
)
from ipdesk.exchange.scoring import ScoreCard
from ipdesk.reports.layout import LIGHT_FILLS
from ipdesk.reports.table_model import Cell, Column, Group, Row, Table, cells, decimals_format

GROUPS = tuple(dict.fromkeys(kind.group for kind in UnitKind))  # 市级部门, 区县, 开发区（新区）
STATUS_COLUMNS = ("done", "in_progress", "ongoing", "lagging", "not_started", NOT_REPORTED)
PERCENT = "0.0%"


def share(part: int, whole: int) -> Cell:
    return Cell(part / whole if whole else None, PERCENT)


def light_cell(code: str, label: str) -> Cell:
    return Cell(label, "", LIGHT_FILLS.get(code, ""))


# -- reporting ------------------------------------------------------------------------------------------------------
def reporting_table(timeliness: dict[str, Timeliness], groups: dict[str, str]) -> Table:
    columns = (
        Column("单位类别", "word"),
        Column("应报|单位", "number"),
        Column("按时|报送", "number"),
        Column("逾期|报送", "number"),
        Column("退回|待改", "number"),
        Column("未报送", "number"),
        Column("按时|报送率", "number"),
        Column("未按时报送的单位", "text", min_chars=12),
    )
    rows: list[Row] = []
    collected = {u: t for u, t in timeliness.items() if t is not Timeliness.NOT_COLLECTED}
    for group in (*GROUPS, "合计"):
        members = [u for u in collected if group == "合计" or groups.get(u) == group]
        if not members:
            continue
        counts = Counter(timeliness[u] for u in members)
        late = [u for u in members if timeliness[u] in (Timeliness.LATE, Timeliness.MISSING, Timeliness.RETURNED)]
        rows.append(
            cells(
                group,
                len(members),
                counts[Timeliness.ON_TIME],
                counts[Timeliness.LATE],
                counts[Timeliness.RETURNED],
                counts[Timeliness.MISSING],
                share(counts[Timeliness.ON_TIME], len(members)),
                "、".join(f"{u}（{timeliness[u].label}）" for u in late) if group != "合计" else "",
            )
        )
    return Table("报送情况", "一、报送情况", columns, tuple(rows))


def _status_columns(first: Column) -> tuple[Column, ...]:
    return (
        first,
        Column("项次", "number"),
        *(Column(status_word(code), "number") for code in STATUS_COLUMNS),
        Column("完成率", "number"),
        Column("滞后率", "number"),
    )


def _status_row(label: str, counts: Counter[str]) -> Row:
    total = sum(counts.values())
    return cells(
        label,
        total,
        *(counts[code] for code in STATUS_COLUMNS),
        share(counts["done"], total),
        share(counts["lagging"], total),
    )


def status_by_category(consolidation: Consolidation) -> Table:
    rows = [_status_row(category, counts) for category, counts in consolidation.by_category().items()]
    rows.append(_status_row("合计", consolidation.status_counts()))
    return Table(
        "任务完成情况（按类别）", "二、任务完成情况（按任务类别）", _status_columns(Column("任务类别")), tuple(rows)
    )


def status_by_unit(consolidation: Consolidation, groups: dict[str, str], cards: Sequence[ScoreCard] = ()) -> Table:
    """Each unit's parts by status, by kind of unit. With the year's ``cards``, each unit's 名次, 总分 and 等次 come
    first and the units go in rank order within their kind (the ranking and the units table in one)."""
    by_unit = consolidation.by_unit()
    scored = {c.unit: c for c in cards}
    items: list[Row | Group] = []
    for group in GROUPS:
        members = [u.name for u in consolidation.units if groups.get(u.name) == group and u.name in by_unit]
        if not members:
            continue
        if scored:
            members.sort(key=lambda u: (scored[u].rank, u) if u in scored else (len(members) + 1, u))
        items.append(Group(f"{group}（{len(members)} 个单位）" if scored else group))
        for unit in members:
            row = _status_row(unit, by_unit[unit])
            if scored:
                card = scored.get(unit)
                row = (
                    Cell(card.rank if card else None),
                    row[0],
                    Cell(card.total if card else None, "0.0"),
                    Cell(card.grade if card else ""),
                    *row[1:],
                )
            items.append(row)
    columns = _status_columns(Column("单位", min_chars=9))
    if scored:
        columns = (
            Column("名次", "seq"),
            columns[0],
            Column("考核|总分", "number"),
            Column("等次", "word"),
            *columns[1:],
        )
    title = "三、各单位考核得分及任务完成情况（分类排名）" if scored else "三、任务完成情况（按责任单位）"
    return Table("任务完成情况（按单位）", title, columns, tuple(items))


# -- tasks ----------------------------------------------------------------------------------------------------------
def task_parts_table(consolidation: Consolidation, title: str = "四、重点任务进展情况（红灯和滞后在前）") -> Table:
    """Every task with each responsible unit's part: the detail a report's 附件 carries."""
    columns = (
        Column("责任单位", "text", min_chars=8),
        Column("角色", "word"),
        Column("完成|状态", "word"),
        Column("完成|进度", "number"),
        Column("预警", "word"),
        Column("工作进展及成效", "text", min_chars=10, clerk=True),
        Column("存在问题", "text", min_chars=8, clerk=True),
        Column("下步计划", "text", min_chars=8, clerk=True),
    )
    items: list[Row | Group] = []
    for task in consolidation.ordered_tasks():
        lead = "、".join(p.unit for p in task.parts if p.role is Role.LEAD)
        heading = f"第{task.seq}项　{task.name}：{task.content}（牵头：{lead}）"
        if task.flagged:  # a lead unit red, 滞后 or silent; not every task with a red part somewhere
            heading = "【需关注】" + heading
        items.append(Group(heading))
        for part in task.parts:
            if not part.reported:
                items.append(cells(part.unit, part.role.label, "未报送", None, "", "本期未报送，无进展情况", "", ""))
                continue
            mark = part.data_mark(consolidation.period)
            items.append(
                (
                    Cell(part.unit),
                    Cell(part.role.label),
                    Cell(status_word(part.status) + (f"（{mark}）" if mark else "")),
                    Cell(part.percent, decimals_format(part.percent, 1, '"%"') if part.percent is not None else ""),
                    light_cell(part.light, {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}.get(part.light, "—")),
                    Cell(part.achievements),
                    Cell(part.problems),
                    Cell(part.next_steps),
                )
            )
    return Table("重点任务进展情况", title, columns, tuple(items), clerk_share=0.5)


LIGHT_WORDS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}


def _part_state(part: TaskPart, period: Period) -> str:
    """滞后，40%，红灯（8月数据）: a part's status, progress and light in words (black-and-white print keeps them)."""
    words = [status_word(part.status)]
    if part.percent is not None:
        words.append(f"{number_text(part.percent)}%")
    if part.light in LIGHT_WORDS:
        words.append(LIGHT_WORDS[part.light])
    mark = part.data_mark(period)
    return "，".join(words) + (f"（{mark}）" if mark else "")


def unit_list(units: list[str], consolidation: Consolidation) -> str:
    """Units named in a cell: every one, except that a whole kind of unit reads 全部区县13个 and so on."""
    named = set(units)
    words, covered = [], set()
    for group in GROUPS:
        members = [u.name for u in consolidation.units if u.kind.group == group]
        if len(members) > 3 and named >= set(members):
            words.append(f"全部{group}{len(members)}个")
            covered |= set(members)
    return "、".join([u for u in units if u not in covered] + words)


def attention_table(consolidation: Consolidation, title: str = "四、红灯和滞后的重点任务") -> Table:
    """The tasks red or 滞后 (a lead unit's part is; the lead units decide a task), each task once: all its lead
    units, every unit red or 滞后 on it with its state, and their problems (one text, the units that wrote it).
    Tasks where only a cooperating unit is red or 滞后 are named in a last line; the annex has their detail."""
    columns = (
        Column("序号", "seq"),
        Column("任务", "text", min_chars=7),
        Column("牵头单位", "text", min_chars=7),
        Column("红灯或滞后的单位|（状态，进度，预警）", "text", min_chars=10),
        Column("存在问题（各单位填报）", "text", min_chars=18, clerk=True),
    )
    items: list[Row | Group] = []
    for task in sorted((t for t in consolidation.tasks if t.lead_attention), key=lambda t: t.seq):
        leads = [p.unit for p in task.lead_parts]
        parts = [p for p in task.parts if p.needs_attention]
        states = "；".join(
            f"{p.unit}{'（协作）' if p.role is not Role.LEAD else ''}：{_part_state(p, consolidation.period)}"
            for p in parts
        )
        by_text: dict[str, list[str]] = {}
        for part in parts:
            by_text.setdefault(part.problems.strip() or "未填写", []).append(part.unit)
        problems = "；".join(
            text + (f"（{'、'.join(units)}）" if len(parts) > 1 else "") for text, units in by_text.items()
        )
        items.append(cells(task.seq, task.name, unit_list(leads, consolidation), states, problems))
    others = [t.seq for t in consolidation.tasks if t.attention and not t.lead_attention]
    if others:
        items.append(
            Group(
                f"另有 {len(others)} 项任务仅协作单位亮红灯或滞后（第" + "、".join(map(str, others)) + "项），"
                "各单位的问题见附件。"
            )
        )
    return Table(
        "红灯和滞后任务", title, columns, tuple(items), empty_text="本期没有亮红灯或滞后的任务", clerk_share=0.35
    )


def worst_units(
    consolidation: Consolidation, groups: dict[str, str], count: int = 3
) -> dict[str, list[tuple[str, int]]]:
    """Per kind of unit, the ``count`` units with the most parts red or 滞后 (at least one), most first, then in the
    plan's order."""
    found: dict[str, list[tuple[str, int]]] = {}
    tally = Counter(p.unit for p in consolidation.parts() if p.needs_attention)
    order = {u.name: n for n, u in enumerate(consolidation.units)}
    for group in GROUPS:
        members = [u for u in tally if groups.get(u) == group]
        ranked = sorted(members, key=lambda u: (-tally[u], order.get(u, 0)))
        found[group] = [(u, tally[u]) for u in ranked[:count]]
    return found


# -- indicators and project targets ---------------------------------------------------------------------------------
def _quantity(value: float | None, unit_of_measure: str, name: str = "") -> Cell:
    if value is None:
        return Cell(None)
    return Cell(value, "0" if is_count(unit_of_measure, name) else decimals_format(value, 2))


def indicator_table(consolidation: Consolidation, year: int) -> Table:
    columns = (
        Column("序号", "seq"),
        Column("指标", "text", min_chars=9),
        Column("单位", "word"),
        Column("目标", "word"),
        Column(f"{year}年|预期值", "number"),
        Column("本期|应达", "number"),
        Column("全市数值|（牵头单位）", "number"),
        Column("牵头单位", "text", min_chars=6),
        Column("序时|完成率", "number"),
        Column("预警", "word"),
        Column("协作单位填报|（仅供参考，不计入）", "text", min_chars=8),
    )
    rows = []
    plan = consolidation.plan
    for item in consolidation.indicators:
        indicator = item.indicator
        task = plan.task(indicator.task_seq) if indicator.task_seq is not None else None
        leads = task.lead_units if task is not None else indicator.lead_units
        figures = dict(item.reference)
        reference = "；".join(  # the cooperating units only: a second lead unit is named as 牵头, beside the first
            f"{unit}：{'未报' if value is None else number_text(value)}"
            for unit, value in item.reference
            if unit not in leads
        )
        co_leads = "".join(
            f"、{unit}（共同牵头，{'未报' if figures.get(unit) is None else number_text(figures[unit])}）"
            for unit in leads
            if unit != item.lead_unit
        )
        judgement = item.judgement
        mark = data_mark(item.source_period, consolidation.period)
        rows.append(
            (
                Cell(indicator.seq),
                Cell(indicator.name),
                Cell(indicator.unit_of_measure),
                Cell(target_text(indicator.target_op, indicator.target)),
                _quantity(judgement.year_expected if judgement else None, indicator.unit_of_measure, indicator.name),
                _quantity(item.expected, indicator.unit_of_measure, indicator.name),
                _quantity(item.city_value, indicator.unit_of_measure, indicator.name),
                Cell(
                    item.lead_unit
                    + ("（未报）" if item.city_value is None else f"（{mark}）" if mark else "")
                    + co_leads
                ),
                Cell(item.rate, PERCENT),
                light_cell(item.light, {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}.get(item.light, "—")),
                Cell(reference),
            )
        )
    return Table("主要指标", "五、主要发展指标", columns, tuple(rows))


def target_table(consolidation: Consolidation, title: str = "六、示范工程目标完成情况") -> Table:
    columns = (
        Column("目标", "text", min_chars=10),
        Column("目标值", "word"),
        Column("各责任单位完成（累计）", "text", min_chars=10),
        Column("合计", "number"),
        Column("是否|达到", "word"),
    )
    items: list[Row | Group] = []
    current = None
    for target in consolidation.targets:
        if target.project_no != current:
            current = target.project_no
            items.append(Group(f"工程{target.project_no}：{target.project_name}"))
        items.append(target_row(target))
    return Table("示范工程目标", title, columns, tuple(items))


def target_row(target: TargetRollup) -> Row:
    per_year = "（每年）" if target.measure == "per_year" else ""
    parts = "；".join(f"{unit}：{'未报' if value is None else number_text(value)}" for unit, value in target.parts)
    if target.linked is not None:  # the same quantity as an indicator: its figure, its verdict
        linked = target.linked
        parts = f"同指标{linked.indicator.seq}（{linked.lead_unit}填报）"
    reached = target.verdict
    return (
        Cell(target.name),
        Cell(target_text(target.op, target.target) + target.unit_of_measure + per_year),
        Cell(parts),
        _quantity(target.total, target.unit_of_measure, target.name),
        Cell(reached),
    )


NUMERALS = "一二三四五六七八九十"


def numbered(tables: list[Table]) -> list[Table]:
    """The tables with their headings numbered 一、二、… in the order given (a heading's own number replaced)."""
    import re
    from dataclasses import replace

    return [
        replace(
            table,
            title=f"{NUMERALS[n] if n < len(NUMERALS) else n + 1}、"
            + re.sub(r"^[一二三四五六七八九十]+、", "", table.title),
        )
        for n, table in enumerate(tables)
    ]


def supervision_notes(consolidation: Consolidation, due_day: int, kind_label: str) -> list[str]:
    return [
        f"各单位的情况取自其在本期内最后一次报送的材料（{kind_label}）：本期有同周期报送的取该期，否则取本期内最近一期；"
        "已被退回、尚未重新报送的材料不计入。未报送的单位在其承担的每项任务下列明“未报送”。",
        f"报送及时性按每期次月 {due_day} 日的截止日计算（遇法定节假日或休息日顺延至下一个工作日，调休上班日为工作日），"
        "以办公室收到第一版的日期为准：本期内各期均按时报送为“按时报送”，有一期逾期为“逾期报送”，有一期未报送为“未报送”。",
        "完成状态：未启动——尚未开展工作；推进中——已开展，按计划序时推进；已完成——已全部完成任务内容；"
        "滞后——进度落后于序时要求；持续推进——常态化工作，长期持续开展。项次为各单位承担任务的次数之和。",
        "不重复计算：主要指标的全市数值取牵头单位填报的数值（方案列有两个牵头单位的，取所属期最新的一位，同期取列第一位"
        "的单位），协作单位填报的数值仅列示供参考，不计入全市数值；示范工程目标由多个单位分别承担的，全市合计为各责任"
        "单位本单位完成数之和，每个单位只计一次；与主要指标为同一数据的工程目标取该指标的数值和结论。",
        "预警：任务按序时进度；主要指标按指标类型计算本期应达值——年度流量（如技术合同成交额）为全年预期值乘以本年已过"
        "时间比例，存量为从基数到目标的增长路径上的本期末位置，比率和保持类为当年预期水平；数值早于本期的，注明所属月份"
        "（如“8月数据”），并按该月的应达值判断。",
    ]


# -- the year's assessment ------------------------------------------------------------------------------------------
def ranking_table(cards: list[ScoreCard]) -> Table:
    columns = (
        Column("名次", "seq"),
        Column("单位", "text", min_chars=10),
        Column("总分", "number"),
        Column("等次", "word"),
        Column("报送", "number"),
        Column("任务|推进", "number"),
        Column("指标|完成", "number"),
        Column("材料|质量", "number"),
        Column("加分|扣分", "number"),
    )
    items: list[Row | Group] = []
    for group in GROUPS:
        members = sorted((c for c in cards if c.group == group), key=lambda c: (c.rank, c.unit))
        if not members:
            continue
        items.append(Group(f"{group}（{len(members)} 个单位）"))
        for card in members:
            items.append(
                (
                    Cell(card.rank),
                    Cell(card.unit),
                    Cell(card.total, "0.0"),
                    Cell(card.grade),
                    *(
                        Cell(card.points(part), "0.0")
                        for part in ("报送", "任务推进", "指标完成", "材料质量", "加分扣分")
                    ),
                )
            )
    return Table("考核排名", "一、年度考核得分及排名（分类排名）", columns, tuple(items))


def breakdown_table(cards: list[ScoreCard], title: str = "二、各单位得分明细") -> Table:
    columns = (
        Column("项目", "text", min_chars=8),
        Column("次数", "number"),
        Column("得分", "number"),
        Column("依据", "text", min_chars=16),
    )
    items: list[Row | Group] = []
    for card in cards:
        items.append(
            Group(f"{card.unit}　总分 {card.total:g}（{card.group}第 {card.rank} 名，共 {card.group_size} 个）")
        )
        for item in card.items:
            items.append((Cell(item.cause), Cell(item.count), Cell(item.points, "0.0"), Cell(item.detail)))
    return Table("得分明细", title, columns, tuple(items))


# -- the plan's final evaluation ------------------------------------------------------------------------------------
def final_indicator_table(indicators: list[IndicatorRollup], final_year: int) -> Table:
    columns = (
        Column("序号", "seq"),
        Column("指标", "text", min_chars=9),
        Column("单位", "word"),
        Column("基数", "number"),
        Column(f"{final_year}年|目标", "word"),
        Column("终期|数值", "number"),
        Column("数值|所属期", "word"),
        Column("差距", "number"),
        Column("完成|程度", "number"),
        Column("结论", "word"),
        Column("牵头单位", "text", min_chars=6),
    )
    rows = []
    for item in indicators:
        indicator = item.indicator
        verdict, gap, degree = final_verdict(item)
        rows.append(
            (
                Cell(indicator.seq),
                Cell(indicator.name),
                Cell(indicator.unit_of_measure),
                _quantity(indicator.baseline, indicator.unit_of_measure, indicator.name),
                Cell(target_text(indicator.target_op, indicator.target)),
                _quantity(item.city_value, indicator.unit_of_measure, indicator.name),
                Cell(Period.parse(item.source_period).chinese if item.source_period else "—"),
                _quantity(gap, indicator.unit_of_measure, indicator.name),
                Cell(degree, PERCENT),
                Cell(verdict),
                Cell(item.lead_unit),
            )
        )
    return Table("主要指标终期", "一、主要发展指标终期完成情况", columns, tuple(rows))


def final_verdict(item: IndicatorRollup) -> tuple[str, float | None, float | None]:
    """(the verdict of ``domain.lights.judge_indicator`` — 达标 / 未达标 at the target's end, the 序时 verdict of an
    earlier figure, 未报送 —, the gap to the target (negative: short of it), value ÷ target)."""
    indicator, value = item.indicator, item.city_value
    if value is None:
        return "未报送", None, None
    target = indicator.target
    gap = round(value - target, 4)
    degree = value / target if target else None
    return item.verdict, gap, degree


def final_task_table(consolidation: Consolidation) -> Table:
    columns = (
        Column("序号", "seq"),
        Column("任务名称", "text", min_chars=8),
        Column("任务类别", "text", min_chars=6),
        Column("整体状态|（以牵头单位为准）", "word"),
        Column("各责任单位的最终状态", "text", min_chars=18),
    )
    rows = []
    for task in sorted(consolidation.tasks, key=lambda t: t.seq):
        rows.append(
            cells(task.seq, task.name, task.category, status_word(task.overall), task_states(task, consolidation))
        )
    return Table("重点任务终期", "二、重点任务终期完成情况", columns, tuple(rows))


def task_states(task: TaskRollup, consolidation: Consolidation) -> str:
    """The lead units' states (which decide the task), then the cooperating units' beside them, each with the month
    of its figure when that is older than the report's period."""

    def state(part: TaskPart) -> str:
        mark = part.data_mark(consolidation.period)
        return f"{part.unit}：{status_word(part.status_code)}" + (f"（{mark}）" if mark else "")

    text = "牵头：" + "；".join(state(p) for p in task.lead_parts)
    if task.coop_parts:
        text += "。协作：" + "；".join(state(p) for p in task.coop_parts)
    return text


def final_target_table(consolidation: Consolidation) -> Table:
    table = target_table(consolidation)
    return Table("示范工程终期", "三、示范工程目标终期完成情况", table.columns, table.items)


@dataclass(frozen=True)
class PhaseRow:
    """One phase of the plan in the final evaluation: the returns due in it (from the office's accounting) and its
    tasks' state at its end. A phase before the office began collecting is 未纳入汇总 (``collected`` False)."""

    name: str
    months: str
    collected: bool
    expected: int  # returns due
    on_time: int  # returns received on time
    counts: Counter[str]  # task parts by status at the phase's end

    @property
    def rate(self) -> float | None:
        return self.on_time / self.expected if self.collected and self.expected else None


def phase_table(rows: list[PhaseRow]) -> Table:
    """Per phase: returns expected, received on time, on-time share, parts by status at its end."""
    columns = (
        Column("阶段", "word"),
        Column("时间", "word"),
        Column("应报|期次", "number"),
        Column("按时|报送", "number"),
        Column("按时率", "number"),
        Column("阶段末|已完成", "number"),
        Column("阶段末|滞后", "number"),
        Column("阶段末|未报送", "number"),
        Column("阶段末|完成率", "number"),
    )
    items = []
    for row in rows:
        if not row.collected:
            items.append(cells(row.name, row.months, *(["未纳入汇总"] * 7)))
            continue
        total = sum(row.counts.values())
        items.append(
            cells(
                row.name,
                row.months,
                row.expected,
                row.on_time,
                Cell(row.rate, PERCENT),
                row.counts["done"],
                row.counts["lagging"],
                row.counts[NOT_REPORTED],
                share(row.counts["done"], total),
            )
        )
    return Table("分阶段", "四、分阶段情况", columns, tuple(items))


def unit_summary_table(rows: list[tuple[str, str, int, int, int, Counter[str]]]) -> Table:
    """Per unit: (unit, group, returns expected, received, on time, final parts by status)."""
    columns = (
        Column("单位", "text", min_chars=10),
        Column("类别", "word"),
        Column("应报|期次", "number"),
        Column("已报|期次", "number"),
        Column("按时|报送", "number"),
        Column("承担|任务", "number"),
        Column("已完成", "number"),
        Column("滞后", "number"),
        Column("完成率", "number"),
    )
    items = []
    for unit, group, expected, received, on_time, counts in rows:
        total = sum(counts.values())
        items.append(
            cells(
                unit,
                group,
                expected,
                received,
                on_time,
                total,
                counts["done"],
                counts["lagging"],
                share(counts["done"], total),
            )
        )
    return Table("分单位", "五、分单位情况", columns, tuple(items))

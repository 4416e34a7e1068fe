"""What each table of a unit's report shows, taken from the snapshot and defined once with the table engine
(``table_model``), so the workbook and the PDF always agree and tests can read either file against the same cells.

The task table is grouped under category heading rows as the plan's 附件 is; a task the unit only cooperates on
names its lead units; evidence is named in the row it supports; counts print as whole numbers; every number carries
the format both files print it with.
"""

from __future__ import annotations

from collections.abc import Callable

from ipdesk.domain.numbers import is_count
from ipdesk.reports.files import DRAFT_MARK
from ipdesk.reports.snapshot import IndicatorLine, ReportSnapshot, TaskLine
from ipdesk.reports.table_model import Cell, Column, Group, Metrics, Row, Table, decimals_format, with_prefix

# The forms' page: A4 landscape with 18 mm side margins (a 261 mm text block), 9 pt table text. The workbook's
# columns take the same proportions, so both files break their rows alike.
MM = 72 / 25.4
TEXT_WIDTH = (297 - 36) * MM
METRICS = Metrics(size=9.0, header_size=9.0, padding=2.5)
LIGHT_FILLS = {"green": "D8F0D8", "yellow": "FFF1C2", "red": "F8D0D0"}
BLANK = "_" * 10  # where a name or number is still to be written
EVIDENCE_NAMED = 3  # evidence files named in a task's row; more are counted and listed in 佐证材料清单
SHORT_CONTENT = 40  # characters of the plan's text the form prints at most (its first sentence, or less)
SENTENCE_ENDS = "。！？；;"
CLAUSE_BREAKS = "，,；;、：:"
CLERK_SHARE = 0.5  # 工作进展及成效, 存在问题 and 下步计划 together: at least half of the task table's width


def quantity_format(value: float | None, counts: bool) -> str:
    """A count is a whole number; any other quantity shows the decimals it has, up to two."""
    return "0" if counts else decimals_format(value, 2)


def quantity(value: float | None, counts: bool, prefix: str = "", suffix: str = "") -> Cell:
    if value is None:
        return Cell("—")
    fmt = with_prefix(quantity_format(value, counts), prefix)
    return Cell(value, fmt + (f'"{suffix}"' if suffix else ""))


def light_cell(code: str, label: str) -> Cell:
    return Cell(label, fill=LIGHT_FILLS.get(code, ""))


def _unit_column(snapshot: ReportSnapshot) -> list[Column]:
    return [Column("单位", min_chars=5)] if snapshot.several_units else []


def _unit_cell(snapshot: ReportSnapshot, unit: str) -> tuple[Cell, ...]:
    return (Cell(unit),) if snapshot.several_units else ()


def first_sentence(text: str, most: int = SHORT_CONTENT) -> str:
    """The plan's text as the form prints it: its first sentence; a sentence longer than ``most`` characters up to
    the last clause break within them. What is left out is marked with ……; the full text is in the workbook's
    任务内容 sheet."""
    text = text.strip()
    ends = [text.find(mark) for mark in SENTENCE_ENDS if 0 <= text.find(mark) < len(text) - 1]
    short = text[: min(ends) + 1] if ends else text
    if len(short) > most:
        breaks = [i for i, ch in enumerate(short[:most]) if ch in CLAUSE_BREAKS and i >= most // 2]
        short = short[: breaks[-1]] if breaks else short[:most]
    if short == text:
        return text
    return short.rstrip("，,；;、：:。") + "……"


def task_content_text(task: TaskLine, short: bool = False) -> str:
    """任务内容 (``short``: its first sentence, as the form prints it); for a task the unit only cooperates on, who
    leads it (on a line of its own)."""
    content = first_sentence(task.content) if short else task.content
    if task.role != "coop":
        return content
    leads = "、".join(task.lead_units)
    return f"{content}\n（本单位协作；牵头单位：{leads}）" if leads else f"{content}\n（本单位协作）"


SAME_AS_BEFORE = "（同上期）"
# What an empty table says: why, in a unit's own report (碑林区 leads no indicator); （无） in a consolidation.
NO_INDICATORS = "（本单位不牵头主要发展指标，本表无需填报）"
NO_TARGETS = "（本单位不负责示范工程的量化目标，本表无需填报）"
EMPTY_TEXTS = ("（无）", NO_INDICATORS, NO_TARGETS)


def carried_text(task: TaskLine, field: str) -> str:
    """A text field as printed: one copied by 沿用上期 and left as it was says so (同上期), never passing for this
    period's own account."""
    text: str = getattr(task, field)
    return f"{SAME_AS_BEFORE}{text}" if text and field in task.carried else text


def progress_text(task: TaskLine) -> str:
    """工作进展及成效, with the evidence supporting it named (a few) or counted."""
    text = carried_text(task, "achievements")
    if task.evidence:
        named = "、".join(task.evidence[:EVIDENCE_NAMED])
        more = "等，见佐证材料清单" if len(task.evidence) > EVIDENCE_NAMED else ""
        evidence = f"佐证材料{len(task.evidence)}份：{named}{more}"
        text = f"{text}\n{evidence}" if text else evidence
    return text


def task_table(snapshot: ReportSnapshot) -> Table:
    cutoff = snapshot.header.cutoff
    month_day = cutoff.split("年", 1)[1] if "年" in cutoff else cutoff
    columns = (
        Column("序号", "seq"),
        *_unit_column(snapshot),
        Column("任务名称", min_chars=5),
        Column("任务内容", min_chars=8),
        Column("完成|状态", "word"),
        Column("完成|进度", "number"),
        Column("预警", "word"),
        Column(f"工作进展及成效|（截至{month_day}）", min_chars=8, clerk=True),
        Column("存在问题", min_chars=8, clerk=True),
        Column("下步计划", min_chars=8, clerk=True),
    )
    tasks = sorted(snapshot.tasks, key=lambda t: (t.seq, snapshot.header.units.index(t.unit)))
    items: list[Row | Group] = []
    category = None
    for task in tasks:
        if task.category != category:
            category = task.category
            items.append(Group(category))
        items.append(
            (
                Cell(task.seq),
                *_unit_cell(snapshot, task.unit),
                Cell(task.name),
                Cell(task_content_text(task, short=True)),
                Cell(task.status_label),
                Cell(task.percent, decimals_format(task.percent, 1, '"%"')) if task.percent is not None else Cell(""),
                light_cell(task.light, task.light_label),
                Cell(progress_text(task)),
                Cell(carried_text(task, "problems")),
                Cell(carried_text(task, "next_steps")),
            )
        )
    return Table("任务进展情况", "一、重点任务进展情况", columns, tuple(items), clerk_share=CLERK_SHARE)


def task_text_table(snapshot: ReportSnapshot) -> Table:
    """The plan's full text of the unit's tasks: the workbook's own sheet, since the form prints the first sentence."""
    columns = (Column("序号", "seq"), Column("任务名称", min_chars=6), Column("任务内容（方案原文）", min_chars=20))
    seen: set[int] = set()
    items: list[Row | Group] = []
    category = None
    for task in sorted(snapshot.tasks, key=lambda t: t.seq):
        if task.seq in seen:
            continue
        seen.add(task.seq)
        if task.category != category:
            category = task.category
            items.append(Group(category))
        items.append((Cell(task.seq), Cell(task.name), Cell(task.content)))
    return Table("任务内容", "附：任务内容（方案原文）", columns, tuple(items))


def _growth_cell(text: str) -> Cell:
    """年均预增 as published: a percentage is stored as a number (9.0% → 0.09 shown 9.0%), words stay words."""
    stripped = text.strip().rstrip("%")
    if text.strip().endswith("%"):
        try:
            value = float(stripped)
        except ValueError:
            return Cell(text)
        places = len(stripped.split(".", 1)[1]) if "." in stripped else 0
        return Cell(round(value / 100, places + 2), "0" + ("." + "0" * places if places else "") + "%")
    return Cell(text or "—")


def indicator_row(snapshot: ReportSnapshot, line: IndicatorLine) -> Row:
    counts = is_count(line.unit_of_measure, line.name)
    prefix = {"≥": "≥", "保持": "保持"}.get(line.target_op, "")
    note = line.note
    if line.data_source:
        note = f"{note}\n数据来源：{line.data_source}" if note else f"数据来源：{line.data_source}"
    return (
        Cell(line.seq),
        *_unit_cell(snapshot, line.unit),
        Cell(line.name),
        Cell(line.unit_of_measure),
        quantity(line.baseline, counts),
        quantity(line.target, counts, prefix),
        _growth_cell(line.growth_text),
        quantity(line.expected, counts),
        quantity(line.actual, counts),
        Cell(line.rate, "0.0%") if line.rate is not None else Cell("—"),
        light_cell(line.light, line.light_label),
        Cell(note),
    )


def indicator_table(snapshot: ReportSnapshot) -> Table:
    first = snapshot.indicators[0] if snapshot.indicators else None
    baseline_year = next((i.baseline_year for i in snapshot.indicators if i.baseline_year), 2020)
    target_year = first.target_year if first else 2025
    year = snapshot.header.period[:4]
    columns = (
        Column("序号", "seq"),
        *_unit_column(snapshot),
        Column("指标", min_chars=7),
        Column("单位", "word"),
        Column(f"{baseline_year}年|基数", "number"),
        Column(f"{target_year}年|目标", "number"),
        Column("年均|预增", min_chars=3),  # a rate, or words: 保持, 高于全国平均水平
        Column(f"{year}年|预期值", "number"),
        Column("本期|实际值", "number"),
        Column("完成率", "number"),
        Column("预警", "word"),
        Column("说明及数据来源", min_chars=6),
    )
    rows = tuple(indicator_row(snapshot, line) for line in snapshot.indicators)
    empty = "（无）" if snapshot.several_units else NO_INDICATORS
    return Table("主要指标完成情况", "二、主要发展指标完成情况", columns, rows, empty)


def target_table(snapshot: ReportSnapshot) -> Table:
    columns = (
        Column("序号", "word"),
        *_unit_column(snapshot),
        Column("目标", min_chars=6),
        Column("目标值", "number"),
        Column("单位", "word"),
        Column("累计|完成", "number"),
        Column("说明", min_chars=4),
        Column("方案原文", min_chars=10),
    )
    per_year = {"per_year": "（每年）"}
    items: list[Row | Group] = []
    project = None
    for t in sorted(snapshot.targets, key=lambda t: (t.project_no, t.seq, t.unit)):
        if t.project_no != project:
            project = t.project_no
            items.append(Group(f"工程{t.project_no}：{t.project_name}"))
        counts = is_count(t.unit_of_measure, t.name)
        prefix = "" if t.op == "=" else t.op
        items.append(
            (
                Cell(f"{t.project_no}-{t.seq}" if t.seq else str(t.project_no)),
                *_unit_cell(snapshot, t.unit),
                Cell(t.name),
                quantity(t.target, counts, prefix, per_year.get(t.measure, "")),
                Cell(t.unit_of_measure),
                quantity(t.value, counts),
                Cell(t.note),
                Cell(t.quote),
            )
        )
    empty = "（无）" if snapshot.several_units else NO_TARGETS
    return Table("示范工程目标", "三、示范工程目标完成情况", columns, tuple(items), empty)


def spaced_hash(text: str) -> str:
    """A SHA-256 in groups of 16, so a spreadsheet can wrap it and a reader can compare it."""
    return " ".join(text[i : i + 16] for i in range(0, len(text), 16))


def evidence_table(snapshot: ReportSnapshot) -> Table:
    columns = (
        Column("序号", "seq"),
        *_unit_column(snapshot),
        Column("任务|序号", "seq"),
        Column("任务名称", min_chars=6),
        Column("文件名", min_chars=10),
        Column("大小|（KB）", "number"),
        Column("SHA-256", "code", min_chars=17),
    )
    rows = tuple(
        (
            Cell(n),
            *_unit_cell(snapshot, e.unit),
            Cell(e.task_seq),
            Cell(e.task_name),
            Cell(e.file_name),
            Cell(round(e.size / 1024, 1), "0.0"),
            Cell(spaced_hash(e.sha256)),
        )
        for n, e in enumerate(snapshot.evidence, 1)
    )
    return Table("佐证材料清单", "附：佐证材料清单", columns, rows)


def tables(snapshot: ReportSnapshot) -> list[Table]:
    """The report's tables in order; the project table only when the unit answers for any sub-target."""
    builders: list[Callable[[ReportSnapshot], Table]] = [task_table, indicator_table]
    if snapshot.targets:
        builders.append(target_table)
    builders.append(evidence_table)
    return [build(snapshot) for build in builders]


def notes(snapshot: ReportSnapshot) -> list[str]:
    """填表说明 printed under the tables."""
    h = snapshot.header
    return [
        "完成状态：未启动——尚未开展工作；推进中——已开展，按计划序时推进；已完成——已全部完成任务内容；"
        "滞后——进度落后于序时要求；持续推进——常态化工作，长期持续开展。",
        f"任务预警按序时进度计算：完成进度达到序时进度的{h.light_green * 100:g}%及以上为绿灯，"
        f"{h.light_yellow * 100:g}%及以上为黄灯，其余为红灯；红灯和滞后任务须在“存在问题”中说明原因。",
        "主要指标的本年预期值按方案基数和年均预增计算，完成率为本期实际值与预期值之比，预警规则同上；"
        "“≥”门槛类和“保持”类指标未达到预期值的不为绿灯：目标年及以后为红灯，此前为黄灯。",
        f"本表数据截至{h.cutoff}。协作任务注明牵头单位；佐证材料在对应任务的工作进展中列出，文件清单附后。"
        "任务内容列方案原文的首句，全文见方案及电子表格的“任务内容”工作表。",
    ]


def report_title(snapshot: ReportSnapshot) -> str:
    """The form's title with what it is not: （示例数据） for sample data, 草稿（未签署） for anything not signed."""
    h = snapshot.header
    mark = draft_mark(snapshot)
    return h.form_title + ("（示例数据）" if h.sample else "") + (f"　{mark}" if mark else "")


def info_parts(snapshot: ReportSnapshot) -> tuple[str, str, str]:
    """The line over the table: unit on the left, who filled it in the middle, date and version on the right."""
    h = snapshot.header
    return (
        f"填报单位（盖章）：{h.unit_line}",
        f"填报人：{h.clerk or BLANK}　　联系电话：{h.phone or BLANK}",
        f"填报日期：{h.fill_date}　　版本：v{h.version}（{h.status_label}）",
    )


def signer_name(snapshot: ReportSnapshot) -> str:
    """Who reviews: the reviewer who signed, once signed; else the reviewer named in the settings."""
    h = snapshot.header
    return h.signed_by or h.reviewer


def draft_mark(snapshot: ReportSnapshot) -> str:
    """草稿（未签署） for anything not signed, "" for a signed report."""
    return "" if snapshot.header.signed else DRAFT_MARK

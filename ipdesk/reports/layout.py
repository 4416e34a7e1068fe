"""What each table of a report shows: its columns and rows, taken from the snapshot.

One definition serves both writers, so the workbook and the PDF always agree, and tests can compare either file with
the same rows. Values keep their type (numbers stay numbers for Excel); ``Column.text`` gives the printed form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ipdesk.reports.snapshot import ReportSnapshot


def number_text(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")


def target_text(op: str, value: float) -> str:
    if op == "保持":
        return f"保持{number_text(value)}"
    return f"{'' if op == '=' else op}{number_text(value)}"


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # in Chinese characters on screen (Excel)
    kind: str = "text"  # text, int, number, points (a percentage as 0–100), ratio (0–1 shown as %), light, hash
    print_width: float = 0  # share of the printed line (the PDF scales these to the text block); 0: like width

    def text(self, value: object) -> str:
        if value is None or value == "":
            return "" if self.kind in ("text", "light") else "—"
        if self.kind == "points":
            return f"{number_text(float(value), 1)}%"  # type: ignore[arg-type]
        if self.kind == "ratio":
            return f"{float(value) * 100:.1f}%"  # type: ignore[arg-type]
        if self.kind in ("number", "int"):
            return number_text(float(value))  # type: ignore[arg-type]
        if self.kind == "hash":
            text = str(value)
            return " ".join(text[i : i + 16] for i in range(0, len(text), 16))
        return str(value)

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "number", "points", "ratio")


@dataclass(frozen=True)
class Table:
    sheet: str  # the workbook sheet's name
    title: str  # the heading over the table in the PDF
    columns: tuple[Column, ...]
    rows: tuple[tuple[object, ...], ...]
    light_column: int | None = None

    def text_rows(self) -> list[list[str]]:
        return [[column.text(value) for column, value in zip(self.columns, row, strict=True)] for row in self.rows]


def _with_unit(snapshot: ReportSnapshot, columns: list[Column], rows: list[tuple], units: list[str]):
    if not snapshot.several_units:
        return tuple(columns), tuple(rows)
    body = tuple((unit, *row) for unit, row in zip(units, rows, strict=True))
    return (Column("单位", 10, print_width=6), *columns), body


def task_table(snapshot: ReportSnapshot) -> Table:
    cutoff = snapshot.header.cutoff
    month_day = cutoff.split("年", 1)[1] if "年" in cutoff else cutoff
    columns = [
        Column("序号", 3, "int", 2.3),
        Column("任务类别", 6, print_width=4.6),
        Column("任务名称", 7, print_width=4.8),
        Column("任务内容", 18, print_width=10.5),
        Column("本单位角色", 4, print_width=3),
        Column("完成状态", 4, print_width=4.3),
        Column("完成进度", 4, "points", 4),
        Column("预警", 3, "light", 3),
        Column(f"工作进展及成效（截至{month_day}）", 18, print_width=11),
        Column("存在问题", 9, print_width=5.6),
        Column("下步计划", 9, print_width=5.6),
        Column("佐证材料", 7, print_width=4.6),
    ]
    rows = [
        (
            t.seq,
            t.category,
            t.name,
            t.content,
            t.role_label,
            t.status_label,
            t.percent,
            t.light_label,
            t.achievements,
            t.problems,
            t.next_steps,
            "\n".join(t.evidence),
        )
        for t in snapshot.tasks
    ]
    cols, body = _with_unit(snapshot, columns, rows, [t.unit for t in snapshot.tasks])
    return Table("任务进展情况", "一、重点任务进展情况", cols, body, light_column=cols.index(columns[7]))


def indicator_table(snapshot: ReportSnapshot) -> Table:
    first = snapshot.indicators[0] if snapshot.indicators else None
    baseline_year = next((i.baseline_year for i in snapshot.indicators if i.baseline_year), 2020)
    target_year = first.target_year if first else 2025
    year = snapshot.header.period[:4]
    columns = [
        Column("序号", 3, "int", 2.3),
        Column("指标", 13, print_width=9.5),
        Column("单位", 4, print_width=2.8),
        Column(f"{baseline_year}年基数", 6, "number", 4.2),
        Column(f"{target_year}年目标", 6, print_width=4.5),
        Column("年均预增", 7, print_width=4.5),
        Column(f"{year}年预期值", 6, "number", 4.5),
        Column("本期实际值", 6, "number", 4.5),
        Column("完成率", 5, "ratio", 4),
        Column("预警", 4, "light", 3),
        Column("说明", 10, print_width=6),
        Column("数据来源", 9, print_width=6),
    ]
    rows = [
        (
            i.seq,
            i.name,
            i.unit_of_measure,
            i.baseline,
            target_text(i.target_op, i.target),
            i.growth_text or "—",
            None if i.expected is None else round(i.expected, 2),
            i.actual,
            i.rate,
            i.light_label,
            i.note,
            i.data_source,
        )
        for i in snapshot.indicators
    ]
    cols, body = _with_unit(snapshot, columns, rows, [i.unit for i in snapshot.indicators])
    return Table("主要指标完成情况", "二、主要发展指标完成情况", cols, body, light_column=cols.index(columns[9]))


def target_table(snapshot: ReportSnapshot) -> Table:
    columns = [
        Column("示范工程", 14, print_width=8),
        Column("目标", 18, print_width=9),
        Column("目标值", 7, print_width=5),
        Column("单位", 4, print_width=2.8),
        Column("累计完成", 6, "number", 4.5),
        Column("说明", 14, print_width=6),
        Column("方案原文", 20, print_width=14),
    ]
    measure = {"per_year": "（每年）", "cumulative": "", "level": ""}
    rows = [
        (
            f"工程{t.project_no}：{t.project_name}",
            t.name,
            target_text(t.op, t.target) + measure[t.measure],
            t.unit_of_measure,
            t.value,
            t.note,
            t.quote,
        )
        for t in snapshot.targets
    ]
    cols, body = _with_unit(snapshot, columns, rows, [t.unit for t in snapshot.targets])
    return Table("示范工程目标", "三、示范工程目标完成情况", cols, body)


def evidence_table(snapshot: ReportSnapshot) -> Table:
    columns = [
        Column("序号", 3, "int", 2.3),
        Column("任务序号", 5, "int", 3),
        Column("任务名称", 10, print_width=6),
        Column("文件名", 22, print_width=12),
        Column("大小（KB）", 6, "number", 4),
        Column("SHA-256", 33, "hash", 18),
    ]
    rows = [
        (n, e.task_seq, e.task_name, e.file_name, round(e.size / 1024, 1), e.sha256)
        for n, e in enumerate(snapshot.evidence, 1)
    ]
    cols, body = _with_unit(snapshot, columns, rows, [e.unit for e in snapshot.evidence])
    return Table("佐证材料清单", "佐证材料清单", cols, body)


def tables(snapshot: ReportSnapshot) -> list[Table]:
    """The report's tables in order; the project table only when the unit answers for any sub-target."""
    builders: list[Callable[[ReportSnapshot], Table]] = [task_table, indicator_table]
    if snapshot.targets:
        builders.append(target_table)
    builders.append(evidence_table)
    return [build(snapshot) for build in builders]


def notes(snapshot: ReportSnapshot) -> list[str]:
    """填表说明 printed under the tables."""
    return [
        "完成状态：未启动——尚未开展工作；推进中——已开展，按计划序时推进；已完成——已全部完成任务内容；"
        "滞后——进度落后于序时要求；持续推进——常态化工作，长期持续开展。",
        f"预警按序时进度计算：完成进度达到序时进度的{snapshot.header.light_green * 100:g}%及以上为绿灯，"
        f"{snapshot.header.light_yellow * 100:g}%及以上为黄灯，其余为红灯；红灯和滞后任务须在“存在问题”中说明原因。",
        f"本表数据截至{snapshot.header.cutoff}。主要指标的本年预期值按方案基数和年均预增计算。",
    ]

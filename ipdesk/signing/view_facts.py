"""The signed view and the signed return are one set of facts (``docs/return-format.md`` § 4.4).

A format-2 workbook carries two signed texts: the return (what the city counts) and the view (what a reader of the
workbook sees). Both are signed by the unit's key, so checking each against its signature says only that neither
changed after signing; a unit's own key can sign a view that shows 已完成 100% beside a return that says 推进中 91%.
This module checks, cell by cell, that the view shows exactly what the return says, by the mapping of § 4.4: each
table sheet (任务进展情况, 主要指标完成情况, 示范工程目标, 佐证材料清单) holds the return's entries in its order, each
column holds one field written as the mapping says, and nothing else is on the sheet but the form's title, the
table's heading, the line of who and when, and (under the task table) the signature lines and 填表说明.

The mapping is what ``ipdesk.reports.layout`` prints for a format-2 return: that module's table definitions are the
contract for format 2.0 (a release that lays the form out differently keeps them for these returns).

Only signed data is read here (the view and the return), so the check does not depend on how the workbook's file is
read; that the file still shows the view is checked separately (``workbook_view.compare``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from openpyxl.utils import get_column_letter, range_boundaries

from ipdesk.reports.excel import closing_lines
from ipdesk.reports.layout import draft_mark, info_parts, report_title, tables
from ipdesk.reports.snapshot import ReportSnapshot
from ipdesk.reports.table_model import Cell, Group, Table, format_value, plain_format_text
from ipdesk.signing.workbook_view import normal_format, shown

FOOTER = "第 &P 页 共 &N 页"  # the page footer every sheet prints


@dataclass(frozen=True)
class Disagreement:
    """One place where the signed view shows something the signed return does not say."""

    sheet: str
    where: str  # a cell ("E6"), or what differs ("工作表", "隐藏的行")
    what: str  # which fact: "序号16 完成进度", "表格以外的文字"
    returned: str  # what the return says should be shown
    shown: str  # what the view shows

    @property
    def text(self) -> str:
        place = f"{self.sheet}!{self.where}" if self.sheet else self.where
        what = f"（{self.what}）" if self.what else ""
        return f"{place}{what}：报送数据为{self.returned}，表中显示{self.shown}"


def disagreements(view: dict, snapshot: ReportSnapshot) -> list[Disagreement]:
    """Every way the signed view differs from what the signed return says, the first (in sheet, row and column
    order) first. Raises ``KeyError``/``TypeError``/``ValueError`` on a view that is not made as § 4.2 says."""
    expected = tables(snapshot)
    described = [sheet for sheet in view["sheets"] if "cells" in sheet]
    found: list[Disagreement] = []
    names, wanted = [s["name"] for s in described], [t.sheet for t in expected]
    if names != wanted:
        found.append(Disagreement("", "工作表", "", "、".join(wanted), "、".join(names) or "（无）"))
    if view.get("objects"):
        found.append(Disagreement("", "其他内容", "", "无", "、".join(view["objects"])))
    by_name = {s["name"]: s for s in described}
    for number, table in enumerate(expected):
        sheet = by_name.get(table.sheet)
        if sheet is not None:
            found += _sheet(sheet, table, snapshot, closing=number == 0)
    return found


def _texts_outside(snapshot: ReportSnapshot, table: Table, closing: bool) -> tuple[list[str], list[str]]:
    """The texts above the table (title, heading, the line of who and when) and under it (signature lines, notes)."""
    above = [report_title(snapshot), table.title, *info_parts(snapshot)]
    below = [part for line in closing_lines(snapshot) for part in line.parts] if closing else []
    return [t for t in above if t], [t for t in below if t]


def _sheet(sheet: dict, table: Table, snapshot: ReportSnapshot, closing: bool) -> list[Disagreement]:
    name = sheet["name"]
    found: list[Disagreement] = []
    if sheet["state"] != "visible":
        found.append(Disagreement(name, "工作表显示", "", "显示", "隐藏"))
    for key, label in (
        ("hidden_rows", "隐藏的行"),
        ("hidden_columns", "隐藏的列"),
        ("conditional_formats", "条件格式"),
    ):
        if sheet.get(key):
            found.append(Disagreement(name, label, "", "无", "、".join(str(v) for v in sheet[key])))
    area = next((p for p in sheet.get("print", []) if p.startswith("area=")), "area=")
    if area != "area=":
        found.append(Disagreement(name, "打印区域", "", "整张表", area.removeprefix("area=")))
    marks = "　".join(mark for mark in (draft_mark(snapshot), "示例数据" if snapshot.header.sample else "") if mark)
    allowed = {FOOTER, marks}
    for part in sheet.get("header_footer", []):
        text = part.split(":", 1)[1].split("|", 1)[0] if ":" in part and not part.startswith("pages:") else None
        if text not in allowed:
            found.append(Disagreement(name, "页眉页脚", "", "页码和标记", f"“{part}”"))

    cells: dict[str, list] = {c[0]: c for c in sheet["cells"]}
    rows: dict[int, dict[int, list]] = {}
    for coordinate, described in cells.items():
        column_number, row_number, *_ = range_boundaries(coordinate)
        rows.setdefault(int(row_number or 0), {})[int(column_number or 0)] = described
    found += _covered(name, sheet.get("merged", []), cells)

    first_title = table.columns[0].title
    header = next((r for r in sorted(rows) if _text(rows[r].get(1)) == first_title), None)
    if header is None:
        return [*found, Disagreement(name, "表头", "", f"“{first_title}”开头的表头", "（找不到）")]
    above, below = _texts_outside(snapshot, table, closing)
    found += _free_texts(
        name, [c for r in sorted(rows) if r < header for c in _ordered(rows[r])], above, "表头以上的文字"
    )
    for number, column in enumerate(table.columns, 1):
        cell = rows[header].get(number)
        if _text(cell) != column.title:
            found.append(
                Disagreement(name, f"{get_column_letter(number)}{header}", "表头", f"“{column.title}”", shown(cell))
            )
    found += [
        Disagreement(name, c[0], "表头", "（空）", shown(c)) for n, c in rows[header].items() if n > len(table.columns)
    ]

    body = [r for r in sorted(rows) if r > header]
    items = list(table.items) or [Group(table.empty_text)]
    for index, item in enumerate(items):
        if index >= len(body):
            found.append(Disagreement(name, f"第{header + 1 + index}行起", _item_name(table, item), "有此行", "（无）"))
            break
        found += _row(name, body[index], rows[body[index]], table, item)
    rest = [c for r in body[len(items) :] for c in _ordered(rows[r])]
    found += _free_texts(name, rest, below, "表格以下的文字")
    return found


def _ordered(row: dict[int, list]) -> list[list]:
    return [row[column] for column in sorted(row)]


def _text(cell: list | None) -> str | None:
    """A text cell's text as a reader reads a header (line breaks are where the column wraps it)."""
    if cell is None or cell[1] != "s":
        return None
    return str(cell[2]).replace("\n", "")


def _item_name(table: Table, item) -> str:
    if isinstance(item, Group):
        return f"分组“{item.text}”"
    return f"{table.columns[0].title}{item[0].text}"


def _row(sheet: str, row: int, cells: dict[int, list], table: Table, item) -> list[Disagreement]:
    if isinstance(item, Group):
        cell = cells.get(1)
        found = []
        if cell is None or cell[1] != "s" or cell[2] != item.text:
            found.append(Disagreement(sheet, f"A{row}", "分组标题", f"“{item.text}”", shown(cell)))
        found += [Disagreement(sheet, c[0], "分组标题行", "（空）", shown(c)) for n, c in cells.items() if n > 1]
        return found
    found = []
    key = item[0].text
    for number, (column, wanted) in enumerate(zip(table.columns, item, strict=True), 1):
        cell = cells.get(number)
        if not same(wanted, cell):
            where = f"{get_column_letter(number)}{row}"
            what = f"{table.columns[0].title}{key} {column.title}"
            found.append(Disagreement(sheet, where, what, shown(_as_view(wanted)), shown(cell)))
    found += [
        Disagreement(sheet, c[0], f"{table.columns[0].title}{key}", "（空）", shown(c))
        for n, c in cells.items()
        if n > len(table.columns)
    ]
    return found


def _as_view(cell: Cell) -> list | None:
    """A cell of the mapping as the view would describe it."""
    if cell.value is None or cell.value == "":
        return None
    look = f"fill={cell.fill}" if cell.fill else ""
    if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
        value = int(cell.value) if float(cell.value).is_integer() else cell.value
        return ["", "n", value, normal_format(cell.format), look]
    return ["", "s", str(cell.value), "General", look]


def same(wanted: Cell, cell: list | None) -> bool:
    """Whether a described cell shows what the mapping says: the same text; or the same number (within 1e-9
    relative), in a plain number format that shows it as the mapping's format does; and the light's fill."""
    expected = _as_view(wanted)
    if expected is None or cell is None:
        return expected is cell
    _, kind, value, fmt, look = cell
    if kind != expected[1] or look != expected[4]:
        return False
    if kind == "s":
        return value == expected[2]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
        return False
    a, b = float(expected[2]), float(value)
    if abs(a - b) > 1e-9 * max(1.0, abs(a)):
        return False
    return plain_format_text(b, fmt) == format_value(wanted.value, wanted.format)


def _free_texts(sheet: str, cells: list[list], wanted: list[str], what: str) -> list[Disagreement]:
    """Texts outside the table: exactly the expected ones, wherever the layout put them."""
    missing = Counter(wanted)
    found = []
    for cell in cells:
        if cell[1] == "s" and missing[cell[2]] > 0:
            missing[cell[2]] -= 1
        else:
            found.append(Disagreement(sheet, cell[0], what, "（无此内容）", shown(cell)))
    found += [Disagreement(sheet, "", what, f"“{text}”", "（无）") for text, n in missing.items() for _ in range(n)]
    return found


_CELL = re.compile(r"^[A-Z]{1,3}[0-9]{1,7}$")


def _covered(sheet: str, merged: list[str], cells: dict[str, list]) -> list[Disagreement]:
    """Cells with content hidden under a merged range (only a range's first cell is shown)."""
    found: list[Disagreement] = []
    ranges = []
    for text in merged:
        low_column, low_row, high_column, high_row = range_boundaries(text)
        ranges.append((text, low_column or 1, low_row or 1, high_column or 16384, high_row or 1048576))
    if not ranges:
        return found
    for coordinate in cells:
        if not _CELL.match(coordinate):
            continue
        column, row, *_ = range_boundaries(coordinate)
        for text, c1, r1, c2, r2 in ranges:
            if c1 <= (column or 0) <= c2 and r1 <= (row or 0) <= r2 and ((column, row) != (c1, r1)):
                found.append(
                    Disagreement(sheet, coordinate, f"被合并单元格{text}遮住", "可以看见", shown(cells[coordinate]))
                )
                break
    return found

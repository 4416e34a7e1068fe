"""Reading the sheets of a workbook someone else made (a task list, a unit roster) as plain text grids.

Merged cells are filled with their top-left value, and every cell remembers the merged range it belongs to, so a
reader can carry a merged category down, or tell a heading spanning the whole row from a row of data. Cells are
text as a person reads them: numbers without a trailing ``.0``, percentages as formatted (``9.0%``), dates as ISO
dates, line breaks kept. A file that is not a workbook, is damaged, or would unpack to something huge is refused
with a Chinese message before anything is read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ipdesk.domain.errors import InvalidInput, os_error_text
from ipdesk.domain.limits import control_character
from ipdesk.plans.workbook_bounds import TASK_LIST, sheet_problem

MAX_FILE = TASK_LIST.max_file  # a task list is tens of KB
MAX_ROWS = TASK_LIST.max_rows
MAX_COLUMNS = TASK_LIST.max_columns


@dataclass(frozen=True)
class Cell:
    text: str
    value: object = None
    merged_top: int = 0  # the first row of the merged range the cell lies in (0: not merged)
    merged_width: int = 1  # how many columns that range spans

    @property
    def empty(self) -> bool:
        return not self.text


@dataclass
class Grid:
    """One sheet: its name and its rows as (row number, cells), empty rows left out."""

    name: str
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)

    def width(self) -> int:
        return max((len(cells) for _, cells in self.rows), default=0)


def read_workbook(path: Path) -> list[Grid]:
    """Every sheet of the workbook (or the one table of a CSV file) at ``path``."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InvalidInput(f"“{path}”是文件夹，不是工作簿")
    except FileNotFoundError:
        raise InvalidInput(f"找不到文件：{path}") from None
    except OSError as error:
        raise InvalidInput(f"无法读取文件：{path}（{os_error_text(error)}）") from error
    if size > MAX_FILE:
        raise InvalidInput(f"“{path.name}”过大（{size // 1024 // 1024} MB），不是任务清单")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [_read_csv(path)]
    if suffix in (".xls", ".et", ".wps"):
        raise InvalidInput(f"“{path.name}”是旧格式的表格：请在 Excel 或 WPS 中“另存为”.xlsx 工作簿后再导入")
    problem = sheet_problem(path, TASK_LIST, "Excel 工作簿")
    if problem:
        raise InvalidInput(problem)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged package
        raise InvalidInput(f"“{path.name}”已损坏或不是 Excel 工作簿，无法打开（{type(error).__name__}）") from None
    try:
        return [_grid(sheet) for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
    finally:
        workbook.close()


def _grid(sheet) -> Grid:
    merged: dict[tuple[int, int], tuple[int, int, int]] = {}
    for cell_range in sheet.merged_cells.ranges:
        top, left = cell_range.min_row, cell_range.min_col
        width = cell_range.max_col - cell_range.min_col + 1
        for row in range(cell_range.min_row, min(cell_range.max_row, MAX_ROWS) + 1):
            for column in range(cell_range.min_col, min(cell_range.max_col, MAX_COLUMNS) + 1):
                merged[(row, column)] = (top, left, width)
    grid = Grid(sheet.title)
    values: dict[tuple[int, int], tuple[object, str]] = {}
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, MAX_ROWS), max_col=MAX_COLUMNS):
        for cell in row:
            if isinstance(cell.value, str):
                _refuse_control(cell.value, f"工作表“{sheet.title}”单元格 {cell.coordinate}")
            if cell.value is not None:
                values[(cell.row, cell.column)] = (cell.value, cell.number_format or "General")
                widths[cell.row] = max(widths.get(cell.row, 0), cell.column)
    for row_number, column in merged:
        widths[row_number] = max(widths.get(row_number, 0), column)
    for row_number in sorted(widths):
        cells = []
        for column in range(1, widths[row_number] + 1):
            top_left = merged.get((row_number, column))
            source = (top_left[0], top_left[1]) if top_left else (row_number, column)
            value, number_format = values.get(source, (None, "General"))
            cells.append(
                Cell(
                    cell_text(value, number_format),
                    value,
                    top_left[0] if top_left else 0,
                    top_left[2] if top_left else 1,
                )
            )
        while cells and cells[-1].empty:
            cells.pop()
        if cells:
            grid.rows.append((row_number, cells))
    return grid


def _read_csv(path: Path) -> Grid:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput(f"“{path.name}”的文字编码无法识别（应为 UTF-8 或 GBK）")
    found = control_character(text)
    if found is not None:
        before = text[: found[0] - 1]
        line, column = before.count("\n") + 1, found[0] - 1 - (before.rfind("\n") + 1) + 1
        raise InvalidInput(f"“{path.name}”第 {line} 行第 {column} 个字符是控制字符（{found[1]}），不能导入")
    grid = Grid(path.stem)
    rows = csv.reader(io.StringIO(text))
    for number, row in enumerate(rows, 1):
        if number > MAX_ROWS:  # refused, never dropped: the rest is read only to find a row with content
            if row and "".join(row).strip():
                raise InvalidInput(f"“{path.name}”第 {number} 行有内容，超过上限 {MAX_ROWS} 行：未导入任何内容")
            continue
        if any(value.strip() for value in row[MAX_COLUMNS:]):
            raise InvalidInput(f"“{path.name}”第 {number} 行超出上限 {MAX_COLUMNS} 列：未导入任何内容")
        cells = [Cell(cell_text(value), value) for value in row[:MAX_COLUMNS]]
        while cells and cells[-1].empty:
            cells.pop()
        if cells:
            grid.rows.append((number, cells))
    return grid


def _refuse_control(text: str, where: str) -> None:
    found = control_character(text)
    if found is not None:
        raise InvalidInput(f"{where}的第 {found[0]} 个字符是控制字符（{found[1]}），不能导入")


def cell_text(value: object, number_format: str = "General") -> str:
    """A cell as a person reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        try:
            if "%" in number_format:
                match = re.search(r"0(?:\.(0+))?[^0#?;]*%", number_format)  # 0%, 0.00%, 0.0 %, 0.00"%"
                decimals = len(match.group(1) or "") if match else 0
                return f"{value * 100:.{decimals}f}%"
            return number_text(float(value))
        except OverflowError:  # an integer of hundreds of digits (a hostile cell): its digits, for the checks to judge
            return str(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def number_text(value: float) -> str:
    """13.0 → "13", 2.02 → "2.02"."""
    if value != value or value in (float("inf"), float("-inf")):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return repr(round(value, 10))


def header_key(text: str) -> str:
    """A header as it is compared: full-width and half-width alike, no spaces, line breaks or marks."""
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    return key.strip("*※:：")


def one_line(text: str) -> str:
    """A name or category written on one line: the breaks and spaces a cell's wrapping left removed."""
    return re.sub(r"\s+", "", text or "")

"""Bounds on a workbook from outside, checked on the package itself before openpyxl loads it.

openpyxl loads a whole workbook into memory and expands what it reads: a 1.8 KB file with one merged range
``A10:XFD1048576`` becomes seventeen thousand million merged cells (1.5 GB after 30 s), and a sheet of a million rows
takes a minute and 600 MB before any row limit of ours could apply. So every workbook from outside (a task list, a unit
roster, a signed return) is read here first, streaming, from its XML: the archive (its size, its unpacked size and
ratio: the one archive-safety check of ipdesk), then each worksheet part (its rows, cells, merged ranges, and formula
cells that carry no computed value). Anything beyond the limits is refused with the limit named; nothing is loaded.
The scan itself stops at the first limit passed, so a hostile file costs a few seconds at most.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from ipdesk.reports.cell_names import range_bounds as range_boundaries


@dataclass(frozen=True)
class Limits:
    """What a workbook of one kind may hold."""

    max_file: int  # bytes of the file
    max_unpacked: int  # bytes of all parts unpacked
    max_ratio: int  # unpacked ÷ packed, for packages above ``ratio_floor`` unpacked
    max_rows: int  # the last row with a value, in any sheet
    max_columns: int  # the last column with a value
    max_cells: int  # cells (with or without a value) in all sheets together
    max_merged_cells: int  # cells covered by merged ranges in all sheets together
    max_sheets: int = 50
    ratio_floor: int = 20 * 1024 * 1024
    formulas_need_values: bool = False  # a formula cell must carry the value it computed


# A task list or a roster: a few hundred rows of text.
TASK_LIST = Limits(
    max_file=20 * 1024 * 1024,
    max_unpacked=100 * 1024 * 1024,
    max_ratio=200,
    max_rows=5000,
    max_columns=60,
    max_cells=300_000,
    max_merged_cells=200_000,
    formulas_need_values=True,
)
# A signed return: a few hundred KB; openpyxl needs about ten times its unpacked size in memory.
RETURN = Limits(
    max_file=100 * 1024 * 1024,
    max_unpacked=64 * 1024 * 1024,
    max_ratio=200,
    max_rows=20_000,
    max_columns=200,
    max_cells=1_000_000,
    max_merged_cells=500_000,
)

MB = 1024 * 1024
_NS_TAG = re.compile(r"^\{[^}]*\}")


def archive_problem(path: Path, limits: Limits, what: str = "工作簿") -> str:
    """Why the package at ``path`` must not be unpacked ("" when it may be): not a zip archive, too large, or a
    decompression bomb (unpacked size, or ratio for a large one)."""
    what = f" {what}" if what[:1].isascii() else what  # 不是 Excel 工作簿, 不是工作簿
    try:
        size = path.stat().st_size
        if size > limits.max_file:
            return f"“{path.name}”过大（{size // MB} MB，上限 {limits.max_file // MB} MB），不是{what}"
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        return f"“{path.name}”不是{what}（.xlsx），或文件已损坏（{type(error).__name__}）"
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if unpacked > limits.max_unpacked:
        return (
            f"“{path.name}”解压后达 {unpacked // MB} MB（上限 {limits.max_unpacked // MB} MB），"
            "疑似恶意构造的压缩文件，未打开"
        )
    if unpacked > limits.ratio_floor and unpacked / packed > limits.max_ratio:
        return (
            f"“{path.name}”的压缩比为 {unpacked // packed}:1（上限 {limits.max_ratio}:1），"
            "疑似恶意构造的压缩文件，未打开"
        )
    return ""


def _local(tag: str) -> str:
    return _NS_TAG.sub("", tag)


def _sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part name) of every worksheet, in workbook order, from workbook.xml and its relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for relation in relations:
        target = relation.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[relation.get("Id", "")] = part
    found = []
    for element in workbook.iter():
        if _local(element.tag) == "sheet":
            identifier = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
            found.append((element.get("name", ""), targets.get(identifier, "")))
    return found


class _Refused(Exception):
    pass


def sheet_problem(path: Path, limits: Limits, what: str = "工作簿") -> str:
    """Why the workbook at ``path`` must not be loaded ("" when it may be): the archive (``archive_problem``), then
    every worksheet part streamed: more rows, columns, cells or merged cells than ``limits`` allow, or (for
    ``formulas_need_values``) a formula cell without its computed value, named by sheet and cell."""
    problem = archive_problem(path, limits, what)
    if problem:
        return problem
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                sheets = _sheet_parts(archive)
            except (KeyError, ElementTree.ParseError, ValueError):
                return ""  # no readable workbook part: openpyxl decides, and says it is damaged
            if len(sheets) > limits.max_sheets:
                return f"“{path.name}”有 {len(sheets)} 张工作表，超过上限 {limits.max_sheets} 张，未打开"
            budget = _Budget(limits)
            names = set(archive.namelist())
            for name, part in sheets:
                if part in names:
                    with archive.open(part) as stream:
                        _scan(stream, name, limits, budget)
    except _Refused as refusal:
        return f"“{path.name}”{refusal}，未打开"
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, ElementTree.ParseError) as error:
        return f"“{path.name}”已损坏，无法读取（{type(error).__name__}）"
    return ""


class _Budget:
    def __init__(self, limits: Limits) -> None:
        self.cells = 0
        self.merged = 0
        self.limits = limits


def _scan(stream, sheet: str, limits: Limits, budget: _Budget) -> None:
    data = None  # sheetData, emptied row by row so that memory stays flat
    cell_ref = ""
    has_formula = has_value = False
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "sheetData":
                data = element
            elif tag == "c":
                cell_ref = element.get("r", "")
                has_formula = has_value = False
                budget.cells += 1
                if budget.cells > limits.max_cells:
                    raise _Refused(f"的单元格超过上限 {limits.max_cells} 个（工作表“{sheet}”）")
            elif tag == "mergeCell":
                _merged(element.get("ref", ""), sheet, limits, budget)
            continue
        if tag in ("v", "is"):
            has_value = has_value or bool((element.text or "").strip()) or tag == "is"
        elif tag == "f":
            has_formula = True
        elif tag == "c":
            if has_value or has_formula:
                _check_cell(cell_ref, sheet, limits)
            if has_formula and not has_value and limits.formulas_need_values:
                raise _Refused(
                    f"的工作表“{sheet}”单元格 {cell_ref} 是公式，文件中没有它的计算结果："
                    "请在 Excel 或 WPS 中打开并保存（或把公式改为数值）后再导入"
                )
        elif tag == "row" and data is not None:
            data.clear()


def _check_cell(reference: str, sheet: str, limits: Limits) -> None:
    if not reference:
        return
    try:
        column, row, *_ = range_boundaries(reference)
    except ValueError:
        return
    if row and row > limits.max_rows:
        raise _Refused(f"的工作表“{sheet}”在第 {row} 行有内容，超过上限 {limits.max_rows} 行")
    if column and column > limits.max_columns:
        raise _Refused(f"的工作表“{sheet}”单元格 {reference} 超出上限 {limits.max_columns} 列")


def _merged(reference: str, sheet: str, limits: Limits, budget: _Budget) -> None:
    try:
        low_column, low_row, high_column, high_row = range_boundaries(reference)
    except ValueError:
        raise _Refused(f"的工作表“{sheet}”有无法识别的合并单元格“{reference[:40]}”") from None
    width = (high_column or 16384) - (low_column or 1) + 1
    height = (high_row or 1048576) - (low_row or 1) + 1
    budget.merged += width * height
    if budget.merged > limits.max_merged_cells:
        raise _Refused(
            f"的工作表“{sheet}”有合并单元格 {reference}（{width * height} 个单元格），"
            f"合并的单元格超过上限 {limits.max_merged_cells} 个"
        )

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
    try:
        with zipfile.ZipFile(path) as archive:
            ambiguous = package_ambiguity(archive)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        return f"“{path.name}”不是{what}（.xlsx），或文件已损坏（{type(error).__name__}）"
    if ambiguous:
        return f"“{path.name}”的文件结构不合规范（{ambiguous}），不同的程序会读出不同的内容，未打开"
    return ""


# -- one package, read one way ------------------------------------------------------------------------------------
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
}
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
STYLES_PART = "xl/styles.xml"  # where openpyxl reads the styles, whatever the relationships say


def package_ambiguity(archive: zipfile.ZipFile) -> str:
    """Where the package can be read two ways, "" when it cannot. openpyxl finds the workbook and the shared
    strings by the content types and the styles at ``xl/styles.xml``; Excel, WPS and LibreOffice follow the
    relationships. A package where the two lead to different parts (a second workbook, a second list of strings or
    of styles, two relationships of one Id, an entry of the content types outside their namespace, two parts of one
    name) shows a reader other content than openpyxl — and so ipdesk's checks — read. No program writes one."""
    names = archive.namelist()
    if len({name.lower() for name in names}) != len(names):
        return "两个部件同名"
    present = set(names)
    try:
        types = _package_xml(archive, "[Content_Types].xml")
        if types.tag != f"{{{CONTENT_TYPES}}}Types":
            return "内容类型清单"
        overrides: dict[str, str] = {}
        for entry in types:
            tag = entry.tag
            if tag == f"{{{CONTENT_TYPES}}}Default":
                if entry.get("ContentType") in WORKBOOK_TYPES | {SHARED_STRINGS_TYPE}:
                    return "按扩展名指定的工作簿部件"
            elif tag == f"{{{CONTENT_TYPES}}}Override":
                overrides[entry.get("PartName", "").lstrip("/")] = entry.get("ContentType", "")
            elif isinstance(tag, str):
                return "内容类型清单中的不明条目"
        workbooks = [part for part, kind in overrides.items() if kind in WORKBOOK_TYPES]
        strings = [part for part, kind in overrides.items() if kind == SHARED_STRINGS_TYPE]
        relations = {}
        for name in names:
            if name.endswith(".rels"):
                relations[name] = relationships(archive, name)
                if relations[name] is None:
                    return f"关系清单 {name}"
    except (KeyError, ElementTree.ParseError):
        return ""  # no readable package: openpyxl decides, and says it is damaged
    documents = [t for kind, t in (relations.get("_rels/.rels") or {}).values() if kind.endswith("/officeDocument")]
    if len(workbooks) != 1 or documents != workbooks:
        return "工作簿部件"
    workbook = workbooks[0]
    own = posixpath.join(posixpath.dirname(workbook), "_rels", posixpath.basename(workbook) + ".rels")
    linked = relations.get(own) or {}
    styles = [t for kind, t in linked.values() if kind.endswith("/styles")]
    if styles != ([STYLES_PART] if STYLES_PART in present else []):
        return "样式部件"
    if [t for kind, t in linked.values() if kind.endswith("/sharedStrings")] != strings:
        return "共享字符串部件"
    return ""


def _package_xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    """A part of the package parsed, refusing a document type declaration (entities)."""
    data = archive.read(name)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ElementTree.ParseError(f"{name}: a document type declaration")
    return ElementTree.fromstring(data)


def relationships(archive: zipfile.ZipFile, name: str) -> dict[str, tuple[str, str]] | None:
    """Id → (type, target part) of the relationships part ``name`` (an external target as written); None when an Id
    repeats or an entry is not a relationship (a reader may take either of two, or skip what it does not know).
    Raises KeyError or ``ElementTree.ParseError`` for a missing or unreadable part."""
    root = _package_xml(archive, name)
    source = posixpath.dirname(posixpath.dirname(name))  # xl/_rels/workbook.xml.rels → xl
    found: dict[str, tuple[str, str]] = {}
    for relation in root:
        if not isinstance(relation.tag, str):
            continue
        identifier = relation.get("Id", "")
        if relation.tag != f"{{{PACKAGE_RELATIONSHIPS}}}Relationship" or identifier in found:
            return None
        target = relation.get("Target", "")
        if relation.get("TargetMode") == "External":
            part = target
        elif target.startswith("/"):
            part = target[1:]
        else:
            part = posixpath.normpath(posixpath.join(source, target))
        found[identifier] = (relation.get("Type", ""), part)
    return found


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


# Row elements, with or without cells, in all sheets together, for each row with content a limit allows: a row
# element costs openpyxl memory and time even empty (two million hidden empty rows: a minute and a gigabyte).
ROW_ELEMENTS_PER_ROW = 4


class _Budget:
    def __init__(self, limits: Limits) -> None:
        self.cells = 0
        self.merged = 0
        self.rows = 0
        self.limits = limits


# Columns that ``<col>`` ranges of one sheet may cover together: every column once, twice over for a program that
# writes a range again. Overlapping ranges beyond that only make a reader walk the same columns again and again.
MAX_COLUMN_SPANS = 2 * 16384


def _scan(stream, sheet: str, limits: Limits, budget: _Budget) -> None:
    data = None  # sheetData, emptied row by row so that memory stays flat
    cell_ref = ""
    has_formula = has_value = False
    values = 0  # <v> of the cell being read
    inline: set[str] = set()  # how the inline string being read holds its text: plain (t), in runs (r)
    parents: list[str] = []
    spans = 0  # columns the <col> ranges cover, counted with repeats
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            parent = parents[-1] if parents else ""
            parents.append(tag)
            if tag == "sheetData":
                data = element
            elif tag == "row":
                if parent != "sheetData":
                    raise _Refused(f"的工作表“{sheet}”在表格数据之外另有一行，不同的程序会显示不同的内容")
                budget.rows += 1
                if budget.rows > limits.max_rows * ROW_ELEMENTS_PER_ROW:
                    raise _Refused(
                        f"的行（含空行）超过上限 {limits.max_rows * ROW_ELEMENTS_PER_ROW} 行（工作表“{sheet}”）"
                    )
            elif tag == "c":
                cell_ref = element.get("r", "")
                has_formula = has_value = False
                values = 0
                budget.cells += 1
                if budget.cells > limits.max_cells:
                    raise _Refused(f"的单元格超过上限 {limits.max_cells} 个（工作表“{sheet}”）")
            elif tag == "v" and parent == "c":
                values += 1
                if values > 1:
                    raise _Refused(f"的工作表“{sheet}”单元格 {cell_ref} 有两个值，不同的程序会显示不同的内容")
            elif tag == "is":
                inline = set()
            elif tag in ("t", "r") and parent == "is":
                inline.add(tag)
                if len(inline) > 1:
                    raise _Refused(f"的工作表“{sheet}”单元格 {cell_ref} 的文字有两种写法，不同的程序会显示不同的内容")
            elif tag == "col":
                spans += column_span(element.get("min"), element.get("max"))
                if spans > MAX_COLUMN_SPANS:
                    raise _Refused(f"的工作表“{sheet}”的列宽设置重叠过多")
            elif tag == "mergeCell":
                _merged(element.get("ref", ""), sheet, limits, budget)
            continue
        parents.pop()
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


def column_span(low: str | None, high: str | None) -> int:
    """The columns a ``<col min max>`` range covers, 1 when it names none rightly (each such range is still one)."""
    first, last = _number(low), _number(high)
    return last - first + 1 if 0 < first <= last else 1


def _number(text: str | None) -> int:
    """A whole number attribute, 0 when missing or not one."""
    try:
        return int(text or 0)
    except ValueError:
        return 0


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

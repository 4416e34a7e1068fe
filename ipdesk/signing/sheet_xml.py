"""A signed return's workbook read from its sheet XML, for the checks of ``workbook_view`` (no openpyxl load).

Checking a return compares the workbook as it is now with the view signed with it (``workbook_view.describe``).
openpyxl builds a whole object model for that, styles and all, and importing it alone costs more than reading a
return; so the package's XML is read here into the few things the view is made of: each sheet's cells
(value, kind, number format, fill, font colour, strike-through, size), merged ranges, row heights and column widths,
hidden rows and columns, headers and footers, print titles. The result answers what ``describe``,
``invisible_cells`` and ``read_signature_sheet`` ask of an openpyxl workbook, so the view is made by the same code
either way; a test runs both readers over every workbook the suite makes or keeps (exports, tampered files,
LibreOffice re-saves) and requires identical views.

Each value is read as openpyxl 3.1 reads it (``openpyxl/worksheet/_reader.py``, ``styles``, ``header_footer``).
Wherever this reader meets something it does not read exactly as openpyxl does — a formula, a date or time format
on a number, a hyperlink, conditional formats, data validations, a chart sheet, a style it cannot place,
relationships of a sheet, any part it cannot parse — it says so (``None``), and the caller loads the workbook with
openpyxl as before: never a weaker comparison, only a slower one. The archive's bounds
(``workbook_bounds.archive_problem``) are checked before this reader runs; the sheets' bounds (rows, columns, cells,
merged cells, sheets) are counted as it reads, at least as strictly as ``workbook_bounds.sheet_problem`` counts them,
and a bound passed ends the reading: the caller then runs that scan, which names the limit, before openpyxl. A sheet
part is parsed whole (a return's are some tens of KB; one above ``LARGEST_SHEET_PART`` is left to openpyxl), without
document type declarations (a part with one is left to openpyxl).
"""

from __future__ import annotations

import functools
import math
import posixpath
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

from ipdesk.plans import workbook_bounds as bounds
from ipdesk.plans.workbook_bounds import MAX_COLUMN_SPANS, ROW_ELEMENTS_PER_ROW, Limits
from ipdesk.reports.cell_names import MAX_COLUMN, MAX_ROW, column_letter, column_number

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
CONTENT_TYPES = f"{{{bounds.CONTENT_TYPES}}}"
WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"

# openpyxl.styles.numbers.BUILTIN_FORMATS and openpyxl.styles.colors.COLOR_INDEX (a test keeps them equal)
BUILTIN_FORMATS = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    5: '"$"#,##0_);("$"#,##0)',
    6: '"$"#,##0_);[Red]("$"#,##0)',
    7: '"$"#,##0.00_);("$"#,##0.00)',
    8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "mm-dd-yy",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "m/d/yy h:mm",
    37: "#,##0_);(#,##0)",
    38: "#,##0_);[Red](#,##0)",
    39: "#,##0.00_);(#,##0.00)",
    40: "#,##0.00_);[Red](#,##0.00)",
    41: '_(* #,##0_);_(* \\(#,##0\\);_(* "-"_);_(@_)',
    42: '_("$"* #,##0_);_("$"* \\(#,##0\\);_("$"* "-"_);_(@_)',
    43: '_(* #,##0.00_);_(* \\(#,##0.00\\);_(* "-"??_);_(@_)',
    44: '_("$"* #,##0.00_)_("$"* \\(#,##0.00\\)_("$"* "-"??_)_(@_)',
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
    48: "##0.0E+0",
    49: "@",
}
FIRST_CUSTOM_FORMAT = 164
PATTERNS = {
    "solid",
    "darkDown",
    "darkGray",
    "darkGrid",
    "darkHorizontal",
    "darkTrellis",
    "darkUp",
    "darkVertical",
    "gray0625",
    "gray125",
    "lightDown",
    "lightGray",
    "lightGrid",
    "lightHorizontal",
    "lightTrellis",
    "lightUp",
    "lightVertical",
    "mediumGray",
}
_RGB = re.compile(r"^([A-Fa-f0-9]{8}|[A-Fa-f0-9]{6})$")
_COORDINATE = re.compile(r"^([A-Z]{1,3})([1-9]\d{0,6})$")
_MERGED = re.compile(r"^([A-Z]{1,3})([1-9]\d{0,6})(?::([A-Z]{1,3})([1-9]\d{0,6}))?$")
_DATE_LETTERS = re.compile(r"[dmhysDMHYS]")  # a number format with none of these is no date or time (any section)
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\\*?:/\[\]]")
# openpyxl.worksheet.print_settings.TITLES_REGEX, from openpyxl.utils.cell.SHEET_TITLE
_TITLES = re.compile(
    r"""(('(?P<quoted>([^']|'')*)')|(?P<notquoted>[^'^ ^!]*))!"""
    r"""(?P<rows>[$]?(?P<min_row>\d+):[$]?(?P<max_row>\d+))?,?"""
    r"""(?P<cols>[$]?(?P<min_col>[a-zA-Z]{1,3}):[$]?(?P<max_col>[a-zA-Z]{1,3}))?,?"""
)
_ROW_RANGE = re.compile(r"[$]?(?P<min_row>\d+):[$]?(?P<max_row>\d+)")
_COLUMN_RANGE = re.compile(r"[$]?(?P<min_col>[a-zA-Z]{1,3}):[$]?(?P<max_col>[a-zA-Z]{1,3})")
# openpyxl.worksheet.header_footer
_HEADER_FORMAT = re.compile(r'&"(?P<font>.+)"|&K(?P<color>[A-F0-9]{6})|&(?P<size>\d+\s?)')
_HEADER_ITEMS = re.compile(r"(&L(?P<left>.+?))?(&C(?P<center>.+?))?(&R(?P<right>.+?))?$", re.DOTALL)
_ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")
_RESERVED_NAME = re.compile(
    r"^_xlnm\.(?P<name>Print_Area|Print_Titles|Criteria|_FilterDatabase|Extract|Consolidate_Area|Sheet_Title)"
)
_DEFINED_NAME_KEYS = {
    "name",
    "comment",
    "customMenu",
    "description",
    "help",
    "statusBar",
    "localSheetId",
    "hidden",
    "function",
    "vbProcedure",
    "xlm",
    "functionGroupId",
    "shortcutKey",
    "publishToServer",
    "workbookParameter",
}
_COLUMN_KEYS = {"min", "max", "width", "style", "hidden", "bestFit", "customWidth", "outlineLevel", "collapsed"}
_FONT_TAGS = {
    "name",
    "charset",
    "family",
    "b",
    "i",
    "strike",
    "outline",
    "shadow",
    "condense",
    "extend",
    "color",
    "sz",
    "u",
    "vertAlign",
    "scheme",
}
# sheet parts this reader does not read, and that change what a reader sees: openpyxl reads them
_NOT_READ_HERE = {f"{MAIN}{tag}" for tag in ("conditionalFormatting", "dataValidations", "hyperlinks")}
_ONCE = {f"{MAIN}{tag}" for tag in ("mergeCells", "headerFooter", "sheetData")}
_ROW, _COL, _C, _V, _IS, _F = (f"{MAIN}{tag}" for tag in ("row", "col", "c", "v", "is", "f"))
# A return's sheet part is some tens of KB (its bounds allow 64 MB unpacked in all): one above this is left to openpyxl,
# so that the reader may hold a whole part's tree.
LARGEST_SHEET_PART = 8 * 1024 * 1024


class Unsupported(Exception):
    """The workbook holds something this reader does not read exactly as openpyxl does."""


def _bool(value: object) -> bool:
    """openpyxl's ``Bool`` descriptor: ``"false"``, ``"f"``, ``"0"`` are false, any other text is true."""
    if isinstance(value, str) and value in ("false", "f", "0"):
        return False
    return bool(value)


@functools.lru_cache(maxsize=256)  # asked for every element: a sheet has a handful of different tags
def _local(tag: str) -> str:
    """A tag without its namespace (as ``workbook_bounds`` matches them)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _count_by_name(root: ElementTree.Element) -> Counter[str]:
    """How many elements of each name (namespace left out) ``root`` holds, at any depth, itself included."""
    found: Counter[str] = Counter()
    for tag, count in Counter(element.tag for element in root.iter()).items():
        found[_local(tag)] += count
    return found


def _unescape(value: str) -> str:
    """openpyxl.utils.escape.unescape: ``_x000a_`` → a line break."""
    if "_x" in value:
        value = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value)
    return value


# -- the pieces openpyxl's objects are asked for -------------------------------------------------------------
# (plain classes with slots: a dataclass costs milliseconds to create, and this module loads with every import)
class Colour:
    __slots__ = ("indexed", "rgb", "theme", "tint", "type")

    def __init__(
        self, type: str, rgb: str | None = None, theme: int | None = None, indexed: int | None = None, tint: float = 0.0
    ) -> None:
        self.type = type  # rgb, theme, indexed, auto (openpyxl's names, read by ``workbook_view._rgb``)
        self.rgb, self.theme, self.indexed, self.tint = rgb, theme, indexed, tint


class Font:
    __slots__ = ("color", "strike", "sz")

    def __init__(self, color: Colour | None = None, strike: bool | None = None, sz: float | None = None) -> None:
        self.color, self.strike, self.sz = color, strike, sz


class Fill:
    __slots__ = ("fgColor", "fill_type")

    def __init__(self, fill_type: str | None, fgColor: Colour) -> None:
        self.fill_type, self.fgColor = fill_type, fgColor


class Style:
    __slots__ = ("fill", "font", "maybe_date", "number_format")

    def __init__(self, number_format: str, font: Font | None, fill: Fill | None, maybe_date: bool) -> None:
        self.number_format, self.font, self.fill, self.maybe_date = number_format, font, fill, maybe_date


class Cell:
    __slots__ = ("coordinate", "data_type", "style", "value")
    hyperlink = None

    def __init__(self, coordinate: str, value: object, data_type: str, style: Style) -> None:
        self.coordinate, self.value, self.data_type, self.style = coordinate, value, data_type, style

    @property
    def number_format(self) -> str:
        return self.style.number_format

    @property
    def font(self) -> Font | None:
        return self.style.font

    @property
    def fill(self) -> Fill | None:
        return self.style.fill


class RowDimension:
    __slots__ = ("height", "hidden")

    def __init__(self, hidden: bool, height: float | None) -> None:
        self.hidden, self.height = hidden, height


class ColumnDimension:
    __slots__ = ("hidden", "max", "min", "width")

    def __init__(self, width: float, low: int | None, high: int | None, hidden: bool) -> None:
        self.width, self.min, self.max, self.hidden = width, low, high, hidden

    @property
    def customWidth(self) -> bool:
        return bool(self.width)


class HeaderFooterPart:
    __slots__ = ("color", "size", "text")

    def __init__(self, text: str | None = None, size: int | None = None, color: str | None = None) -> None:
        self.text, self.size, self.color = text, size, color


class HeaderFooterItem:
    __slots__ = ("center", "left", "right")

    def __init__(
        self,
        left: HeaderFooterPart | None = None,
        center: HeaderFooterPart | None = None,
        right: HeaderFooterPart | None = None,
    ) -> None:
        self.left = left or HeaderFooterPart()
        self.center = center or HeaderFooterPart()
        self.right = right or HeaderFooterPart()


class HeaderFooter:
    __slots__ = ("differentFirst", "differentOddEven", "items")

    def __init__(self, differentFirst: bool | None = None, differentOddEven: bool | None = None) -> None:
        self.differentFirst, self.differentOddEven = differentFirst, differentOddEven
        self.items: dict[str, HeaderFooterItem] = {}


class _Ranges:
    __slots__ = ("ranges",)

    def __init__(self, ranges: list[str]) -> None:
        self.ranges = ranges


class _Validations:
    dataValidation: tuple = ()


class Sheet:
    """A worksheet as ``describe`` and ``invisible_cells`` read it."""

    conditional_formatting: tuple = ()
    data_validations = _Validations()
    print_area: str | None = None

    def __init__(self, title: str, sheet_state: str) -> None:
        self.title, self.sheet_state = title, sheet_state
        self.cells: dict[tuple[int, int], Cell] = {}
        self.merged: list[str] = []
        self.row_dimensions: dict[int, RowDimension] = {}
        self.column_dimensions: dict[str, ColumnDimension] = {}
        self.HeaderFooter = HeaderFooter()
        self.print_title_rows: str | None = None
        self.print_title_cols: str | None = None

    @property
    def merged_cells(self) -> _Ranges:
        return _Ranges(self.merged)

    def __getattr__(self, name: str) -> HeaderFooterItem:
        if name in ("oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter"):
            return self.HeaderFooter.items.get(name, HeaderFooterItem())
        raise AttributeError(name)

    def iter_rows(
        self, min_col: int | None = None, max_col: int | None = None, values_only: bool = False
    ) -> Iterator[tuple]:
        """The cells row by row (only cells that are there: the checks read no empty cell)."""
        rows: dict[int, dict[int, Cell]] = {}
        for (row, column), cell in sorted(self.cells.items()):
            if (min_col is None or column >= min_col) and (max_col is None or column <= max_col):
                rows.setdefault(row, {})[column] = cell
        for cells in rows.values():
            if min_col is not None and max_col is not None:
                found = [cells.get(number) for number in range(min_col, max_col + 1)]
            else:
                found = list(cells.values())
            yield tuple((c.value if c is not None else None) if values_only else c for c in found)


class Book:
    """The workbook: its worksheets in order."""

    def __init__(self, worksheets: list[Sheet]) -> None:
        self.worksheets = worksheets

    @property
    def sheetnames(self) -> list[str]:
        return [s.title for s in self.worksheets]

    def __getitem__(self, name: str) -> Sheet:
        return next(s for s in self.worksheets if s.title == name)


# -- reading -------------------------------------------------------------------------------------------------
def read_book(path: Path, limits: Limits) -> Book | None:
    """The workbook at ``path`` as ``describe`` reads it, or None when it must be loaded with openpyxl (something
    here is not read exactly as openpyxl reads it) or refused: the sheets are held to ``limits`` as they are read,
    and the first limit passed ends the reading (the caller then runs ``workbook_bounds.sheet_problem``, which names
    it). Call only after ``workbook_bounds.archive_problem`` let the package through."""
    try:
        with zipfile.ZipFile(path) as archive:
            return _read(archive, _Budget(limits))
    except (Unsupported, KeyError, ValueError, IndexError, TypeError, AttributeError, OverflowError):
        return None
    except (zipfile.BadZipFile, OSError, EOFError, ElementTree.ParseError, RecursionError):
        return None


def _xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    data = archive.read(name)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise Unsupported(f"{name}: a document type declaration")
    return ElementTree.fromstring(data)


class _Budget:
    """What the sheets read so far hold, against the limits (as ``workbook_bounds`` counts them)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.cells = 0
        self.merged = 0
        self.rows = 0

    def cell(self, row: int, column: int, shows: bool) -> None:
        self.cells += 1
        limits = self.limits
        if self.cells > limits.max_cells or (shows and (row > limits.max_rows or column > limits.max_columns)):
            raise Unsupported("beyond the bounds")

    def merge(self, width: int, height: int) -> None:
        self.merged += width * height
        if self.merged > self.limits.max_merged_cells:
            raise Unsupported("beyond the bounds")


def _read(archive: zipfile.ZipFile, budget: _Budget) -> Book:
    names = set(archive.namelist())
    _check_workbook_part(archive)
    workbook = _xml(archive, "xl/workbook.xml")
    relations = bounds.relationships(archive, "xl/_rels/workbook.xml.rels")
    if relations is None:
        raise Unsupported("relationships")  # the package's check refuses them
    for element in workbook.iter(f"{MAIN}workbookPr"):
        if _bool(element.get("date1904", False)):
            raise Unsupported("1904 date system")  # dates fall back anyway; keep the reader simple
    sheets_found = []
    for element in _children(workbook, "sheets", "sheet"):  # as openpyxl's WorkbookPackage: the list's own
        identifier = element.get(f"{RELATIONSHIPS}id")
        if not identifier:
            raise Unsupported("a sheet without relationship")
        kind, part = relations[identifier]
        if kind != WORKSHEET_TYPE or part not in names:
            raise Unsupported("a chart sheet or a missing sheet part")
        if posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels") in names:
            raise Unsupported("a sheet with relationships (drawings, comments, links)")
        title = element.get("name", "")
        state = element.get("state", "visible")
        if state not in ("visible", "hidden", "veryHidden"):
            raise Unsupported("sheet state")
        if not title or _SHEET_TITLE_FORBIDDEN.search(title):
            raise Unsupported("sheet title")
        sheets_found.append((title, state, part))
    if len(sheets_found) != sum(1 for e in workbook.iter() if _local(e.tag) == "sheet"):
        raise Unsupported("sheets the bounds' scan counts otherwise")
    if len(sheets_found) > budget.limits.max_sheets:
        raise Unsupported("beyond the bounds")
    titles = [t.lower() for t, _, _ in sheets_found]
    if len(set(titles)) != len(titles) or not sheets_found:
        raise Unsupported("sheet titles repeated")
    styles = _styles(archive) if "xl/styles.xml" in names else None
    if not styles:
        raise Unsupported("no cell styles")
    strings = _shared_strings(archive)
    book = Book([Sheet(title, state) for title, state, _ in sheets_found])
    for sheet, (_, _, part) in zip(book.worksheets, sheets_found, strict=True):
        if archive.getinfo(part).file_size > LARGEST_SHEET_PART:
            raise Unsupported("a large sheet")
        _read_sheet(_xml(archive, part), sheet, styles, strings, budget)
    _print_titles(workbook, book)
    return book


def _check_workbook_part(archive: zipfile.ZipFile) -> None:
    """openpyxl reads the workbook part the content types name; this reader only ``xl/workbook.xml``."""
    types = _xml(archive, "[Content_Types].xml")
    overrides = types.iter(f"{CONTENT_TYPES}Override")
    parts = [o.get("PartName") for o in overrides if o.get("ContentType") in bounds.WORKBOOK_TYPES]
    if parts != ["/xl/workbook.xml"]:
        raise Unsupported("workbook part")


def _shared_strings(archive: zipfile.ZipFile) -> list[str | RichText]:
    types = _xml(archive, "[Content_Types].xml")
    override = next(
        (o for o in types.iter(f"{CONTENT_TYPES}Override") if o.get("ContentType") == bounds.SHARED_STRINGS_TYPE), None
    )
    if override is None:
        return []
    strings = []
    with archive.open(override.get("PartName", "")[1:]) as stream:
        for _, element in ElementTree.iterparse(stream):
            if element.tag == f"{MAIN}si":
                strings.append(_text(element))
                element.clear()
    return strings


class RichText:
    """Text in runs, each with its own font or the cell's (``None``), as openpyxl's ``CellRichText`` (LibreOffice
    writes Chinese so). It reads as its plain text; ``invisible_cells`` checks each run's colour and size."""

    def __init__(self, runs: list[tuple[Font | None, str]]) -> None:
        self.runs = runs

    def __str__(self) -> str:
        return "".join(text for _, text in self.runs)

    def __repr__(self) -> str:
        return f"RichText({self.runs!r})"


def _text(element: ElementTree.Element) -> str | RichText:
    """A string item (``<si>``, or a cell's ``<is>``) as openpyxl reads it with ``rich_text=True``: plain text, or
    ``RichText`` when it is in runs."""
    plain: str | None = None
    runs: list[tuple[Font | None, str]] = []
    for child in element:
        if child.tag == f"{MAIN}t":
            plain = child.text
        elif child.tag == f"{MAIN}r":
            runs.append(_run(child))
        else:
            raise Unsupported("phonetic text")
    if plain:
        return plain.replace("x005F_", "")
    if len(runs) == 1 and runs[0][0] is None:
        return runs[0][1]
    return RichText(runs) if runs else ""


def _run(element: ElementTree.Element) -> tuple[Font | None, str]:
    font: Font | None = None
    text: str | None = None
    tags = [child.tag for child in element]
    if len(set(tags)) != len(tags):
        raise Unsupported("a run with two fonts or texts")
    for child in element:
        if child.tag == f"{MAIN}rPr":
            if child.attrib:
                raise Unsupported("run font attributes")
            font = _font(child)
        elif child.tag == f"{MAIN}t":
            text = child.text
        else:
            raise Unsupported("run content")
    return font, text.replace("x005F_", "") if text else ""


# -- styles -----------------------------------------------------------------------------------------------------
def _styles(archive: zipfile.ZipFile) -> list[Style]:
    root = _xml(archive, "xl/styles.xml")
    custom = {}
    for element in _children(root, "numFmts", "numFmt"):  # not the differential styles' own
        custom[int(element.get("numFmtId", ""))] = element.get("formatCode", "")
    fonts = [_font(f) for f in _children(root, "fonts", "font")]
    fills = [_fill(f) for f in _children(root, "fills", "fill")]
    styles = []
    for xf in _children(root, "cellXfs", "xf"):
        number = int(xf.get("numFmtId") or 0)
        if number in custom:
            number_format = custom[number]
        elif number < FIRST_CUSTOM_FORMAT:
            number_format = BUILTIN_FORMATS.get(number, "General")
        else:
            raise Unsupported("a number format that is not there")
        font_id, fill_id = int(xf.get("fontId") or 0), int(xf.get("fillId") or 0)
        if not (0 <= font_id < len(fonts) and 0 <= fill_id < len(fills)):
            raise Unsupported("a style without its font or fill")
        if fills[fill_id] is None:
            raise Unsupported("a style with an empty fill")  # openpyxl fails on it when the view is made
        date_like = bool(_DATE_LETTERS.search(number_format))  # a superset of openpyxl's is_date_format
        styles.append(Style(number_format, fonts[font_id], fills[fill_id], date_like))
    return styles


def _children(root: ElementTree.Element, group: str, tag: str) -> list[ElementTree.Element]:
    groups = root.findall(f"{MAIN}{group}")
    if len(groups) > 1:
        raise Unsupported(f"{group} twice")
    return groups[0].findall(f"{MAIN}{tag}") if groups else []


def _colour(element: ElementTree.Element | None) -> Colour | None:
    if element is None:
        return None
    attributes = {k: v for k, v in element.attrib.items() if not k.startswith("{")}
    if set(attributes) - {"rgb", "indexed", "theme", "tint", "auto"}:
        raise Unsupported("colour attributes")
    tint = float(attributes.get("tint", 0.0))
    if not -1 <= tint <= 1:
        raise Unsupported("tint")
    if "rgb" in attributes and not _RGB.match(attributes["rgb"]):
        raise Unsupported("rgb")
    if "indexed" in attributes:
        return Colour("indexed", indexed=int(attributes["indexed"]), tint=tint)
    if "theme" in attributes:
        return Colour("theme", theme=int(attributes["theme"]), tint=tint)
    if "auto" in attributes:
        return Colour("auto", tint=tint)
    rgb = attributes.get("rgb", "00000000")
    return Colour("rgb", rgb=("00" + rgb) if len(rgb) == 6 else rgb, tint=tint)


def _font(element: ElementTree.Element) -> Font:
    colour: Colour | None = None
    strike: bool | None = None
    size: float | None = None
    for child in element:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag not in _FONT_TAGS:
            continue  # openpyxl skips what it does not know
        value = child.get("val")
        if tag == "color":
            colour = _colour(child)
        elif tag == "strike":
            strike = _bool(child.get("val", True))
        elif tag == "sz":
            size = float(value) if value is not None else None
        elif tag == "family" and value is not None and not 0 <= float(value) <= 14:
            raise Unsupported("font family")
        elif tag == "charset" and value is not None:
            int(value)
        elif tag == "u" and value not in (None, "single", "double", "singleAccounting", "doubleAccounting", "none"):
            raise Unsupported("underline")
        elif tag == "vertAlign" and value not in (None, "superscript", "subscript", "baseline", "none"):
            raise Unsupported("vertical alignment")
        elif tag == "scheme" and value not in (None, "major", "minor", "none"):
            raise Unsupported("font scheme")
    return Font(colour, strike, size)


def _fill(element: ElementTree.Element) -> Fill | None:
    children = list(element)
    if not children:
        return None
    child = children[0]
    if "patternFill" not in child.tag:
        raise Unsupported("gradient fill")
    attributes = dict(child.attrib)  # openpyxl passes them all on, and fails on any other
    if set(attributes) - {"patternType"}:
        raise Unsupported("pattern fill attributes")
    pattern = attributes.get("patternType")
    if pattern == "none":
        pattern = None
    elif pattern is not None and pattern not in PATTERNS:
        raise Unsupported("pattern")
    foreground = Colour("rgb", rgb="00000000")
    for colour in child:
        tag = colour.tag.rsplit("}", 1)[-1]
        if tag not in ("fgColor", "bgColor"):
            raise Unsupported("pattern fill content")
        found = _colour(colour)
        if tag == "fgColor" and found is not None:
            foreground = found
    return Fill(pattern, foreground)


# -- a sheet ----------------------------------------------------------------------------------------------------
def _read_sheet(
    root: ElementTree.Element, sheet: Sheet, styles: list[Style], strings: list[str | RichText], budget: _Budget
) -> None:
    """The parts of a worksheet the view is made of. openpyxl reads each of these tags wherever it stands in the
    part (the last of several wins); here a tag that counts may stand once, and no formula anywhere."""
    for tag in _NOT_READ_HERE:
        if next(root.iter(tag), None) is not None:
            raise Unsupported(tag)
    if next(root.iter(_F), None) is not None:
        raise Unsupported("formula")
    once = {tag: list(root.iter(tag)) for tag in _ONCE}
    if any(len(found) > 1 for found in once.values()):
        raise Unsupported("a part of the sheet twice")
    cells_before = budget.cells
    row_counter = 0
    rows = [row for data in once[f"{MAIN}sheetData"] for row in data if row.tag == _ROW]
    names = _count_by_name(root)
    if len(rows) != names["row"]:
        raise Unsupported("a row outside the sheet's data")  # the bounds' scan refuses it
    budget.rows += len(rows)
    if budget.rows > budget.limits.max_rows * ROW_ELEMENTS_PER_ROW:
        raise Unsupported("beyond the bounds")
    for row in rows:
        row_counter = _row(row, row_counter, sheet, styles, strings, budget)
    if names["c"] != budget.cells - cells_before:
        raise Unsupported("cells outside rows")  # counted by the bounds' scan, not read here: let it count them
    columns = list(root.iter(_COL))
    if sum(bounds.column_span(c.get("min"), c.get("max")) for c in columns) > MAX_COLUMN_SPANS:
        raise Unsupported("column ranges overlapping")  # the bounds' scan refuses them
    for column in columns:
        _column(column, sheet, styles)
    for element in once[f"{MAIN}headerFooter"]:
        sheet.HeaderFooter = _header_footer(element)
    merged = [m.get("ref", "") for e in once[f"{MAIN}mergeCells"] for m in e if m.tag == f"{MAIN}mergeCell"]
    if len(merged) != names["mergeCell"]:
        raise Unsupported("merged ranges outside their list")
    _merge(sheet, merged, budget)


def _row(
    element: ElementTree.Element,
    counter: int,
    sheet: Sheet,
    styles: list[Style],
    strings: list[str | RichText],
    budget: _Budget,
) -> int:
    attributes = element.attrib
    if "r" in attributes:
        counter = int(attributes["r"])  # openpyxl reads "3.0" here, then fails on it as the row's number
    else:
        counter += 1
    if {k for k in attributes if not k.startswith("{")} - {"r", "spans"}:
        if "s" in attributes and not 0 <= int(attributes["s"]) < len(styles):
            raise Unsupported("row style")
        height = float(attributes["ht"]) if attributes.get("ht") is not None else None
        if height is not None and not math.isfinite(height):
            raise Unsupported("row height")
        if "outlineLevel" in attributes:
            int(attributes["outlineLevel"])
        sheet.row_dimensions[counter] = RowDimension(_bool(attributes.get("hidden", False)), height)
    for child in element:
        if child.tag != _C:
            raise Unsupported("row content")
        _cell(child, sheet, styles, strings, budget)
    return counter


def _cell(
    element: ElementTree.Element, sheet: Sheet, styles: list[Style], strings: list[str | RichText], budget: _Budget
) -> None:
    coordinate = element.get("r")
    match = _COORDINATE.match(coordinate or "")
    if match is None:
        raise Unsupported("cell reference")
    column, row = column_number(match.group(1)), int(match.group(2))
    if column > MAX_COLUMN or row > MAX_ROW:
        raise Unsupported("cell reference")
    first_value: ElementTree.Element | None = None
    inline: ElementTree.Element | None = None
    values = 0
    for child in element:
        if child.tag == _V:
            first_value = child if first_value is None else first_value
        elif child.tag == _IS:
            inline = child if inline is None else inline
        values += _local(child.tag) == "v"
    if values > 1:
        raise Unsupported("two values in a cell")  # the bounds' scan refuses it
    if inline is not None and {_local(e.tag) for e in inline} >= {"t", "r"}:
        raise Unsupported("an inline string both plain and in runs")  # the bounds' scan refuses it
    # as ``workbook_bounds`` counts a cell with a value: a non-blank <v>, or an <is>, of any namespace, at any depth
    shows = any(_local(e.tag) == "is" or (_local(e.tag) == "v" and (e.text or "").strip()) for e in element.iter())
    budget.cell(row, column, shows)
    kind = element.get("t", "n")
    style_text = element.get("s", 0)
    style_id = int(style_text) if style_text else 0
    if style_text == "" or not 0 <= style_id < len(styles):
        raise Unsupported("cell style")
    style = styles[style_id]
    value: object = None
    if kind != "inlineStr" and first_value is not None:
        value = first_value.text or None
    if value is not None:  # as openpyxl's WorkSheetParser.parse_cell
        text = str(value)
        if kind == "n":
            value = float(text) if "." in text or "E" in text or "e" in text else int(text)
            if style.maybe_date:
                raise Unsupported("a number that may be a date")
        elif kind == "s":
            value = strings[int(text)]
        elif kind == "b":
            value = bool(int(text))
        elif kind == "str":
            kind = "s"
        elif kind != "e":
            raise Unsupported(f"cell type {kind}")
    elif kind == "inlineStr" and inline is not None:
        kind = "s"
        value = _text(inline)
    sheet.cells[(row, column)] = Cell(f"{column_letter(column)}{row}", value, kind, style)


def _column(element: ElementTree.Element, sheet: Sheet, styles: list[Style]) -> None:
    attributes = dict(element.attrib)
    if set(attributes) - _COLUMN_KEYS:
        raise Unsupported("column attributes")
    low = int(attributes["min"])
    letter = column_letter(low)
    high = int(attributes["max"]) if "max" in attributes else None
    if "style" in attributes and not 0 <= int(attributes["style"]) < len(styles):
        raise Unsupported("column style")
    if "outlineLevel" in attributes:
        int(attributes["outlineLevel"])
    width = float(attributes["width"]) if "width" in attributes else 13.0  # openpyxl's default width
    if not math.isfinite(width):
        raise Unsupported("column width")
    if low and high and (high > MAX_COLUMN or high < low):
        raise Unsupported("column range")
    sheet.column_dimensions[letter] = ColumnDimension(width, low, high, _bool(attributes.get("hidden", False)))


def _merge(sheet: Sheet, references: list[str], budget: _Budget) -> None:
    """Merged ranges as openpyxl names them; the cells a range covers (all but its first) show nothing."""
    bounds = []
    for reference in references:
        match = _MERGED.match(reference)
        if match is None:
            raise Unsupported("merged range")
        low_column, low_row = column_number(match.group(1)), int(match.group(2))
        high_column = column_number(match.group(3)) if match.group(3) else low_column
        high_row = int(match.group(4)) if match.group(4) else low_row
        if high_column < low_column or high_row < low_row or high_column > MAX_COLUMN or high_row > MAX_ROW:
            raise Unsupported("merged range")
        budget.merge(high_column - low_column + 1, high_row - low_row + 1)
        bounds.append((low_column, low_row, high_column, high_row))
    if len(set(bounds)) != len(bounds):
        raise Unsupported("merged range twice")
    for low_column, low_row, high_column, high_row in bounds:
        single = (low_column, low_row) == (high_column, high_row)
        name = f"{column_letter(low_column)}{low_row}"
        sheet.merged.append(name if single else f"{name}:{column_letter(high_column)}{high_row}")
        area = (high_column - low_column + 1) * (high_row - low_row + 1)
        if area <= len(sheet.cells):  # the cheaper way round (the bounds cap merged cells in all)
            covered = [(r, c) for r in range(low_row, high_row + 1) for c in range(low_column, high_column + 1)]
        else:
            covered = [(r, c) for r, c in sheet.cells if low_row <= r <= high_row and low_column <= c <= high_column]
        for place in covered:
            if place != (low_row, low_column):
                sheet.cells.pop(place, None)


def _header_footer(element: ElementTree.Element) -> HeaderFooter:
    attributes = {k: v for k, v in element.attrib.items() if not k.startswith("{")}
    if set(attributes) - {"differentOddEven", "differentFirst", "scaleWithDoc", "alignWithMargins"}:
        raise Unsupported("header and footer attributes")
    found = HeaderFooter(
        _bool(attributes["differentFirst"]) if "differentFirst" in attributes else None,
        _bool(attributes["differentOddEven"]) if "differentOddEven" in attributes else None,
    )
    for child in element:
        tag = child.tag.rsplit("}", 1)[-1]
        if tag not in ("oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter"):
            continue
        if tag in found.items:
            raise Unsupported("header or footer twice")
        found.items[tag] = _header_footer_item(child.text)
    return found


def _header_footer_item(text: str | None) -> HeaderFooterItem:
    if not text:
        return HeaderFooterItem()
    match = _HEADER_ITEMS.match(_unescape(text))
    if match is None:
        return HeaderFooterItem(HeaderFooterPart(""), HeaderFooterPart(""), HeaderFooterPart(""))
    parts = {}
    for place, part in match.groupdict().items():
        parts[place] = _header_footer_part(part) if part is not None else HeaderFooterPart()
    return HeaderFooterItem(**parts)


def _header_footer_part(text: str) -> HeaderFooterPart:
    found: dict[str, str] = {}
    for match in _HEADER_FORMAT.finditer(text):
        found.update({k: v for k, v in match.groupdict().items() if v})
    return HeaderFooterPart(
        _HEADER_FORMAT.sub("", text),
        int(found["size"]) if "size" in found else None,
        found.get("color"),
    )


def _print_titles(workbook: ElementTree.Element, book: Book) -> None:
    """The rows and columns printed on every page (``_xlnm.Print_Titles``, a sheet's own name); a print area
    (``_xlnm.Print_Area``) is left to openpyxl."""
    by_sheet: dict[int, dict[str, str]] = {}
    for element in _children(workbook, "definedNames", "definedName"):
        attributes = {k: v for k, v in element.attrib.items() if not k.startswith("{")}
        if set(attributes) - _DEFINED_NAME_KEYS:
            raise Unsupported("defined name attributes")
        name = attributes.get("name", "")
        if "localSheetId" not in attributes:
            continue  # a name of the whole workbook shows nothing on a sheet
        by_sheet.setdefault(int(attributes["localSheetId"]), {})[name] = element.text or ""
    for index, names in by_sheet.items():
        if not 0 <= index < len(book.worksheets):
            if index < 0:
                raise Unsupported("defined name of a sheet before the first")
            continue
        sheet = book.worksheets[index]
        for name, value in names.items():
            reserved = _RESERVED_NAME.match(name)
            kind = reserved.group("name") if reserved else None
            if kind == "Print_Area":
                raise Unsupported("print area")
            if kind != "Print_Titles":
                continue
            found = {k: v for m in _TITLES.finditer(value) for k, v in m.groupdict().items() if v}
            if not found:
                raise Unsupported("print titles")
            rows = _ROW_RANGE.match(found["rows"]) if "rows" in found else None
            columns = _COLUMN_RANGE.match(found["cols"]) if "cols" in found else None
            sheet.print_title_rows = f"${int(rows['min_row'])}:${int(rows['max_row'])}" if rows else None
            sheet.print_title_cols = f"${columns['min_col']}:${columns['max_col']}" if columns else None

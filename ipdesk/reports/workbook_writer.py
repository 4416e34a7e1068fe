"""ipdesk's workbooks written as a SpreadsheetML package directly, without openpyxl.

Importing openpyxl and building its object model took most of an export's time; a report's workbook uses a few
things of the format, and they are written here as text: cells (inline strings, numbers, booleans, error codes as
openpyxl stores texts like ``#N/A``), looks (font, solid fill, thin black borders, alignment, number format, quote
prefix), merged ranges, row heights, column widths, frozen header rows, print titles, page setup (paper, orientation,
fit to width), print options, margins, page header and footer, row breaks, document properties and sheet states.

A reader gets from these files what it got from openpyxl's: the same values and types (a text is cut at 32,767
characters and one with control characters is refused, as openpyxl does; a number is written with 16 significant
digits as openpyxl writes it), the same looks, sizes and print setup (``tests/test_workbook_writer.py`` holds the
files to the workbooks openpyxl wrote, read back by openpyxl and by ``signing.sheet_xml``). Merged ranges give
their cells the borders openpyxl gives them (``Sheet.merge``). The parts follow the order ECMA-376 sets for them
(Excel refuses a worksheet whose elements are out of order), and the styles part holds what Excel requires of one
(the two reserved fills, a default font, border and cell style).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

from ipdesk.reports.cell_names import column_letter

# openpyxl.cell.cell: ILLEGAL_CHARACTERS_RE, ERROR_CODES and the longest text a cell holds
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")  # no XML document can hold these (lxml refused them)
ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
MAX_TEXT = 32_767

DEFAULT_FONT = "宋体"  # 11 pt, in the theme's dark text colour: what column widths are counted in
BLACK = "00000000"
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10, "@": 49}
FIRST_CUSTOM_FORMAT = 164


class IllegalCharacterError(ValueError):
    """A text a worksheet cannot hold (control characters), as openpyxl refuses it."""


def cell_text(value: str) -> str:
    """``value`` as a cell holds it: at most 32,767 characters; refused with characters no worksheet holds."""
    value = value[:MAX_TEXT]
    if ILLEGAL_CHARACTERS.search(value) or NOT_XML.search(value):
        raise IllegalCharacterError(f"{value} cannot be used in worksheets.")
    return value


NO_BORDER = (False, False, False, False)
ALL_BORDERS = (True, True, True, True)  # left, right, top, bottom: thin black lines


@dataclass(frozen=True)
class Look:
    """What a cell looks like beyond its value. ``font`` None: the workbook's default font."""

    font: tuple[str, float, bool] | None = None  # name, size, bold
    fill: str = ""  # RRGGBB of a solid fill
    border: tuple[bool, bool, bool, bool] = NO_BORDER  # left, right, top, bottom
    align: tuple[str, str, bool] | None = None  # horizontal, vertical, wrap text
    number_format: str = "General"
    quote_prefix: bool = False


PLAIN = Look()


@dataclass
class Cell:
    value: object  # str, int, float, bool or None
    kind: str  # "s" text, "n" number (or nothing), "b" boolean, "e" error code
    look: Look = PLAIN
    merged: bool = False  # covered by a merged range (not its first cell): holds no value


@dataclass(frozen=True)
class Printing:
    """How a sheet prints. Margins in inches; header and footer parts as (text, font, size)."""

    landscape: bool = True
    paper_size: int = 9  # A4
    fit_width: int = 1
    fit_height: int = 0
    centered: bool = True
    margins: tuple[float, float, float, float, float, float] = (0.75, 0.75, 1, 1, 0.5, 0.5)  # l r t b header footer
    header_right: tuple[str, str, float] | None = None
    footer_center: tuple[str, str, float] | None = None


@dataclass
class Sheet:
    """A worksheet as it will be written. Rows and columns count from 1."""

    name: str
    state: str = "visible"  # or "hidden", "veryHidden"
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)  # in characters, as spreadsheet programs count them
    heights: dict[int, float] = field(default_factory=dict)  # points
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # first row, column, last row, column
    frozen_rows: int = 0  # rows kept in view above the scrolling part
    title_rows: tuple[int, int] | None = None  # printed at the top of every page
    printing: Printing | None = None  # None: the program's defaults
    row_breaks: list[int] = field(default_factory=list)  # a page ends after each of these rows

    def put(self, row: int, column: int, value: object, look: Look = PLAIN) -> Cell:
        """Set a cell's value (a text is checked as openpyxl checks it) and look; returns the cell."""
        if value is None:
            kind = "n"
        elif isinstance(value, bool):
            kind = "b"
        elif isinstance(value, (int, float)):
            kind = "n"
        elif isinstance(value, str):
            value = cell_text(value)
            kind = "e" if value in ERROR_CODES else "s"
        else:
            raise ValueError(f"Cannot convert {value!r} to Excel")
        cell = Cell(value, kind, look)
        self.cells[row, column] = cell
        return cell

    def cell(self, row: int, column: int) -> Cell:
        """The cell at a place, made empty when there is none (as openpyxl's ``Worksheet.cell``)."""
        found = self.cells.get((row, column))
        if found is None:
            found = self.cells[row, column] = Cell(None, "n")
        return found

    def merge(self, first_row: int, first_column: int, last_row: int, last_column: int) -> None:
        """Merge a range as openpyxl does: the first cell takes the right and bottom borders of the last one; every
        other cell is emptied and keeps of the first cell's borders those on the range's edges it lies on."""
        start = self.cell(first_row, first_column)
        end = self.cells.get((last_row, last_column))
        if end is not None and end is not start:
            left, right, top, bottom = start.look.border
            _, end_right, _, end_bottom = end.look.border
            start.look = replace(start.look, border=(left, right or end_right, top, bottom or end_bottom))
        left, right, top, bottom = start.look.border
        for row in range(first_row, last_row + 1):
            for column in range(first_column, last_column + 1):
                if (row, column) == (first_row, first_column):
                    continue
                sides = (
                    left and column == first_column,
                    right and column == last_column,
                    top and row == first_row,
                    bottom and row == last_row,
                )
                look = Look(border=sides) if any(sides) else PLAIN
                self.cells[row, column] = Cell(None, "n", look, merged=True)
        self.merged.append((first_row, first_column, last_row, last_column))


@dataclass
class Book:
    sheets: list[Sheet] = field(default_factory=list)
    title: str = ""
    creator: str = "ipdesk"
    subject: str = ""


# -- writing ----------------------------------------------------------------------------------------------------
def save(book: Book, target: Path | IO[bytes]) -> None:
    """Write ``book`` as an .xlsx package to ``target`` (a path or a binary file)."""
    styles = _Styles()
    sheets = [_sheet_xml(sheet, styles) for sheet in book.sheets]
    parts = [
        ("[Content_Types].xml", _content_types(len(book.sheets))),
        ("_rels/.rels", _PACKAGE_RELATIONSHIPS),
        ("docProps/app.xml", _APP),
        ("docProps/core.xml", _core(book)),
        ("xl/workbook.xml", _workbook_xml(book)),
        ("xl/_rels/workbook.xml.rels", _workbook_relationships(len(book.sheets))),
        ("xl/styles.xml", styles.xml()),
        ("xl/theme/theme1.xml", _theme()),
        *((f"xl/worksheets/sheet{n}.xml", text) for n, text in enumerate(sheets, 1)),
    ]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts:
            archive.writestr(name, text.encode("utf-8"))


def number(value: float) -> str:
    """A number as openpyxl writes it (``"%.16g"``); not-a-number and infinity as nothing."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return ""
    return format(value, ".16g")


def text(value: str) -> str:
    """Element text, escaped (a carriage return as a reference, or XML would read it as a line feed)."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r", "&#13;") if "\r" in value else value


def attribute(value: str) -> str:
    value = text(value).replace('"', "&quot;")
    return value.replace("\n", "&#10;").replace("\t", "&#9;")


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_OFFICE = "application/vnd.openxmlformats-officedocument"

# relationships with their attributes in openpyxl's order (the tests that forge hostile packages edit these bytes)
_PACKAGE_RELATIONSHIPS = (
    f'{_XML}<Relationships xmlns="{_RELS}">'
    f'<Relationship Type="{_R}/officeDocument" Target="xl/workbook.xml" Id="rId1"/>'
    f'<Relationship Type="{_RELS}/metadata/core-properties" Target="docProps/core.xml" Id="rId2"/>'
    f'<Relationship Type="{_R}/extended-properties" Target="docProps/app.xml" Id="rId3"/>'
    "</Relationships>"
)
# LibreOffice lays out the rows of a workbook that says it is Excel-compatible as Excel does (openpyxl's files say
# so): the heights ipdesk plans its pages with. With another application name every row prints a little taller.
_APP = (
    f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Microsoft Excel Compatible / ipdesk</Application></Properties>"
)


def _content_types(sheets: int) -> str:
    overrides = [
        ("/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
        ("/xl/styles.xml", f"{_OFFICE}.spreadsheetml.styles+xml"),
        ("/xl/theme/theme1.xml", f"{_OFFICE}.theme+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", f"{_OFFICE}.extended-properties+xml"),
        *((f"/xl/worksheets/sheet{n}.xml", f"{_OFFICE}.spreadsheetml.worksheet+xml") for n in range(1, sheets + 1)),
    ]
    return (
        f'{_XML}<Types xmlns="{_TYPES}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides)
        + "</Types>"
    )


def _core(book: Book) -> str:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
    fields = [("dc:creator", book.creator), ("dc:title", book.title), ("dc:subject", book.subject)]
    return (
        f"{_XML}<cp:coreProperties"
        ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        + "".join(f"<{tag}>{text(value)}</{tag}>" for tag, value in fields if value)
        + f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _workbook_xml(book: Book) -> str:
    sheets = "".join(
        f'<sheet name="{attribute(s.name)}" sheetId="{n}" state="{s.state}" r:id="rId{n}"/>'
        for n, s in enumerate(book.sheets, 1)
    )
    names = "".join(
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{n}">'
        f"{text(_quoted(s.name))}!${s.title_rows[0]}:${s.title_rows[1]}</definedName>"
        for n, s in enumerate(book.sheets)
        if s.title_rows
    )
    return (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_R}"><workbookPr/>'
        '<bookViews><workbookView visibility="visible" minimized="0" showHorizontalScroll="1"'
        ' showVerticalScroll="1" showSheetTabs="1" tabRatio="600" firstSheet="0" activeTab="0"'
        ' autoFilterDateGrouping="1"/></bookViews>'
        f"<sheets>{sheets}</sheets>"
        + (f"<definedNames>{names}</definedNames>" if names else "")
        + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _workbook_relationships(sheets: int) -> str:
    kinds = [(f"{_R}/worksheet", f"/xl/worksheets/sheet{n}.xml") for n in range(1, sheets + 1)]
    kinds += [(f"{_R}/styles", "styles.xml"), (f"{_R}/theme", "theme/theme1.xml")]
    return (
        f'{_XML}<Relationships xmlns="{_RELS}">'
        + "".join(
            f'<Relationship Type="{kind}" Target="{target}" Id="rId{n}"/>' for n, (kind, target) in enumerate(kinds, 1)
        )
        + "</Relationships>"
    )


def _theme() -> str:
    from ipdesk.reports.office_theme import THEME

    return THEME


# -- styles -----------------------------------------------------------------------------------------------------
class _Styles:
    """The style tables, filled as the sheets are written: each look gets one cell format (``xf``)."""

    def __init__(self) -> None:
        self.xfs: dict[Look, int] = {PLAIN: 0}
        self.fonts: dict[tuple[str, float, bool] | None, int] = {None: 0}
        self.fills: dict[str, int] = {"": 0}  # 1 is the reserved gray125
        self.borders: dict[tuple[bool, bool, bool, bool], int] = {NO_BORDER: 0}
        self.formats: dict[str, int] = {}

    def index(self, look: Look) -> int:
        found = self.xfs.get(look)
        if found is None:
            found = self.xfs[look] = len(self.xfs)
            self.fonts.setdefault(look.font, len(self.fonts))
            if look.fill:
                self.fills.setdefault(look.fill, len(self.fills) + 1)
            self.borders.setdefault(look.border, len(self.borders))
            if look.number_format not in BUILTIN_FORMATS:
                self.formats.setdefault(look.number_format, FIRST_CUSTOM_FORMAT + len(self.formats))
        return found

    def xml(self) -> str:
        formats = "".join(
            f'<numFmt numFmtId="{n}" formatCode="{attribute(code)}"/>' for code, n in self.formats.items()
        )
        fonts = "".join(_font(font) for font in self.fonts)
        fills = '<fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill>' + "".join(
            f'<fill><patternFill patternType="solid"><fgColor rgb="{_rgb(rgb)}"/></patternFill></fill>'
            for rgb in list(self.fills)[1:]
        )
        borders = "".join(_border(sides) for sides in self.borders)
        xfs = "".join(self._xf(look) for look in self.xfs)
        return (
            f'{_XML}<styleSheet xmlns="{_MAIN}">'
            + (f'<numFmts count="{len(self.formats)}">{formats}</numFmts>' if self.formats else "")
            + f'<fonts count="{len(self.fonts)}">{fonts}</fonts>'
            f'<fills count="{len(self.fills) + 1}">{fills}</fills>'
            f'<borders count="{len(self.borders)}">{borders}</borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(self.xfs)}">{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            '<dxfs count="0"/>'
            '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>'
            "</styleSheet>"
        )

    def _xf(self, look: Look) -> str:
        fmt = BUILTIN_FORMATS.get(look.number_format)
        if fmt is None:
            fmt = self.formats[look.number_format]
        font, fill, border = self.fonts[look.font], self.fills[look.fill], self.borders[look.border]
        applied = "".join(
            f' apply{name}="1"'
            for name, used in (("NumberFormat", fmt), ("Font", font), ("Fill", fill), ("Border", border))
            if used
        )
        quote = ' quotePrefix="1"' if look.quote_prefix else ""
        head = f'<xf numFmtId="{fmt}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"{applied}{quote}'
        if look.align is None:
            return head + "/>"
        horizontal, vertical, wrap = look.align
        parts = (f' horizontal="{horizontal}"' if horizontal else "") + (f' vertical="{vertical}"' if vertical else "")
        wrapped = ' wrapText="1"' if wrap else ""
        return head + f' applyAlignment="1"><alignment{parts}{wrapped}/></xf>'


def _rgb(rgb: str) -> str:
    return rgb.upper() if len(rgb) == 8 else "00" + rgb.upper()


def _font(font: tuple[str, float, bool] | None) -> str:
    if font is None:
        return f'<font><name val="{DEFAULT_FONT}"/><color theme="1"/><sz val="11"/></font>'
    name, size, bold = font
    weight = '<b val="1"/>' if bold else ""
    return f'<font><name val="{attribute(name)}"/>{weight}<sz val="{number(size)}"/></font>'


def _border(sides: tuple[bool, bool, bool, bool]) -> str:
    line = f'style="thin"><color rgb="{BLACK}"/>'
    parts = "".join(
        f"<{name} {line}</{name}>" if side else f"<{name}/>"
        for name, side in zip(("left", "right", "top", "bottom"), sides, strict=True)
    )
    return f"<border>{parts}<diagonal/></border>"


# -- a worksheet ------------------------------------------------------------------------------------------------
def _sheet_xml(sheet: Sheet, styles: _Styles) -> str:
    out: list[str] = [f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_R}">']
    fit = sheet.printing is not None and sheet.printing.fit_width > 0
    out.append(
        '<sheetPr><outlinePr summaryBelow="1" summaryRight="1"/>'
        + ('<pageSetUpPr fitToPage="1"/>' if fit else "<pageSetUpPr/>")
        + "</sheetPr>"
    )
    places = sheet.cells.keys()
    if places:
        rows, columns = [r for r, _ in places], [c for _, c in places]
        out.append(
            f'<dimension ref="{column_letter(min(columns))}{min(rows)}:{column_letter(max(columns))}{max(rows)}"/>'
        )
    else:
        out.append('<dimension ref="A1:A1"/>')
    if sheet.frozen_rows:
        below = sheet.frozen_rows + 1
        out.append(
            '<sheetViews><sheetView workbookViewId="0">'
            f'<pane ySplit="{sheet.frozen_rows}" topLeftCell="A{below}" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A1" sqref="A1"/></sheetView></sheetViews>'
        )
    else:
        out.append('<sheetViews><sheetView workbookViewId="0"><selection activeCell="A1" sqref="A1"/>'
                   "</sheetView></sheetViews>")  # fmt: skip
    out.append('<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>')
    if sheet.widths:
        out.append("<cols>")
        out += [
            f'<col min="{n}" max="{n}" width="{number(w)}" customWidth="1"/>' for n, w in sorted(sheet.widths.items())
        ]
        out.append("</cols>")
    out.append("<sheetData>")
    by_row: dict[int, list[tuple[int, Cell]]] = {row: [] for row in sheet.heights}
    for (row, column), cell in sheet.cells.items():
        by_row.setdefault(row, []).append((column, cell))
    for row in sorted(by_row):
        height = sheet.heights.get(row)
        head = f'<row r="{row}"' + (f' ht="{number(height)}" customHeight="1"' if height is not None else "")
        cells = [_cell(row, column, cell, styles) for column, cell in sorted(by_row[row], key=lambda item: item[0])]
        cells = [c for c in cells if c]
        out.append(f"{head}>{''.join(cells)}</row>" if cells else f"{head}/>")
    out.append("</sheetData>")
    if sheet.merged:
        out.append(f'<mergeCells count="{len(sheet.merged)}">')
        out += [
            f'<mergeCell ref="{column_letter(c1)}{r1}:{column_letter(c2)}{r2}"/>' for r1, c1, r2, c2 in sheet.merged
        ]
        out.append("</mergeCells>")
    printing = sheet.printing
    if printing is None:
        out.append('<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>')
    else:
        if printing.centered:
            out.append('<printOptions horizontalCentered="1"/>')
        left, right, top, bottom, header, footer = (number(m) for m in printing.margins)
        out.append(
            f'<pageMargins left="{left}" right="{right}" top="{top}" bottom="{bottom}" header="{header}"'
            f' footer="{footer}"/>'
        )
        orientation = "landscape" if printing.landscape else "portrait"
        out.append(
            f'<pageSetup paperSize="{printing.paper_size}" fitToWidth="{printing.fit_width}"'
            f' fitToHeight="{printing.fit_height}" orientation="{orientation}"/>'
        )
        parts = []
        if printing.header_right:
            parts.append(f"<oddHeader>{text('&R' + _header_part(*printing.header_right))}</oddHeader>")
        if printing.footer_center:
            parts.append(f"<oddFooter>{text('&C' + _header_part(*printing.footer_center))}</oddFooter>")
        if parts:
            out.append(f"<headerFooter>{''.join(parts)}</headerFooter>")
    if sheet.row_breaks:
        count = len(sheet.row_breaks)
        out.append(f'<rowBreaks count="{count}" manualBreakCount="{count}">')
        out += [f'<brk id="{row}" min="0" max="16383" man="1"/>' for row in sheet.row_breaks]
        out.append("</rowBreaks>")
    out.append("</worksheet>")
    return "".join(out)


def _header_part(value: str, font: str, size: float) -> str:
    """A part of a page header or footer with its font and size codes, as openpyxl writes it."""
    return f'&"{font}"&{number(size)} {value}'


def _cell(row: int, column: int, cell: Cell, styles: _Styles) -> str:
    look = cell.look
    style = f' s="{styles.index(look)}"' if look != PLAIN else ""
    value = cell.value
    if value is None and not style:
        return ""  # openpyxl writes an empty cell only when it has a look
    if value is None or value == "":
        kind = "inlineStr" if cell.kind == "s" else cell.kind
        return f'<c r="{column_letter(column)}{row}"{style} t="{kind}"/>'
    place = f'<c r="{column_letter(column)}{row}"{style}'
    if cell.kind == "s":
        assert isinstance(value, str)
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'{place} t="inlineStr"><is><t{space}>{text(value)}</t></is></c>'
    if cell.kind == "e":
        return f'{place} t="e"><v>{text(str(value))}</v></c>'
    if cell.kind == "b":
        return f'{place} t="b"><v>{1 if value else 0}</v></c>'
    assert isinstance(value, (int, float))
    return f'{place} t="n"><v>{number(value)}</v></c>'

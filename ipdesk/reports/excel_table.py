"""A table of the table engine (``table_model.Table``) as a workbook sheet, laid out to read on screen and to print
like the PDF.

The sheet: the title merged across the table, a line spread over the width (left, middle, right parts), the header
row (frozen, repeated on every printed page), group heading rows merged across, bordered and wrapped cells, numbers
stored as numbers with the number format the PDF prints them with, cell backgrounds from the cells' hints; A4
landscape, fit to the page width, margins printers keep, 第 &P 页 共 &N 页. Rows get the height their wrapped text
needs (spreadsheets do not grow them on opening), and page breaks are set by ipdesk so that a heading row never ends
a page and the closing lines (notes, signatures) stay with the last rows. An empty table says so.

The sheet is laid out as a ``workbook_writer.Sheet`` (``table_sheet``), which ``workbook_writer`` writes as a file
(the tests put the same sheet into an openpyxl workbook to compare: ``tests/openpyxl_sheets.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ipdesk.reports.linebreak import break_lines, estimate, estimator
from ipdesk.reports.table_model import Group, Metrics, Table, cell_align, fit_widths
from ipdesk.reports.workbook_writer import ALL_BORDERS, Look, Printing, Sheet

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
SIZE = 10.0  # the sheet's type; printed at the PDF's 9 pt once the page is fitted to the width
LINE = 13.0  # points per line of 10 pt text
PADDING = 3.0  # points of a cell's width that text does not use
FIXED_EXTRA = 6.0  # points more for a column that must not wrap: programs pad cells differently
FORMULA_STARTS = ("=", "+", "-", "@")
HEADER_FILL = "E7E6E6"
GROUP_FILL = "F2F2F2"

# A4 landscape and its margins, in inches as the file stores them: 15 mm at the sides, 17 mm top and bottom with
# the page header and footer 7 mm from the edge, so neither touches the body and no printer cuts them.
PAGE_WIDTH_IN, PAGE_HEIGHT_IN = 11.69, 8.27
MARGIN_SIDE_IN, MARGIN_TOP_IN, MARGIN_BOTTOM_IN, HEADER_FOOTER_IN = 0.59, 0.67, 0.67, 0.27
SAFETY = 0.97  # of a page's height used, for the difference between programs' row heights
LINE_SLACK = 1.25  # a part of the line over the table is given this much more room than its text measures
SPREAD = 4  # sheet columns a one-column table is spread over


@dataclass(frozen=True)
class SheetLine:
    """A line outside the table: one text across the width, or two or three parts spread over it."""

    parts: tuple[str, ...]
    bold: bool = False
    height: float = 0  # points; 0 = as the text needs


@dataclass(frozen=True)
class SheetHeading:
    title: str  # merged across the first row
    subtitle: str = ""  # the table's heading, second row
    info: SheetLine | None = None  # third row: who and when
    page_header: str = ""  # printed at the top right of every page (草稿（未签署）, 示例数据)
    closing: tuple[SheetLine, ...] = ()  # after the table, on the same printed page as its last rows


def excel_width(points: float) -> float:
    """A column's width in Excel's units (the width of a digit of the default font, 7 px) for ``points``."""
    pixels = points * 96 / 72
    return round(max(pixels - 5, 7) / 7, 2)


def excel_points(width: float) -> float:
    return (width * 7 + 5) * 72 / 96


def set_value(sheet: Sheet, row: int, column: int, value: object, look: Look) -> None:
    """Store ``value``; strings that a spreadsheet would read as a formula are kept as plain text (quote prefix)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        look = replace(look, quote_prefix=True)
    sheet.put(row, column, value, look)


_MEASURE = estimator(SIZE)


def _lines(text: str, points: float) -> int:
    if not text:
        return 1
    return len(break_lines(text, points - 2 * PADDING, _MEASURE))


def _rough_lines(text: str, points: float) -> int:
    return sum(max(1, math.ceil(estimate(part, SIZE) / max(points - 2 * PADDING, 1))) for part in text.split("\n"))


def _height(lines: int) -> float:
    return round(lines * LINE + 5, 1)


def _spans(widths: list[float], texts: tuple[str, ...]) -> list[tuple[int, int]]:
    """Column ranges (1-based, inclusive) for parts of a line spread over the width: the split at column edges
    that wraps the parts least (then the most even one)."""
    from itertools import combinations

    count, parts = len(widths), max(1, min(len(texts), len(widths)))
    points = [excel_points(w) for w in widths]
    best: tuple[tuple[int, float], list[tuple[int, int]]] | None = None
    for cuts in combinations(range(1, count), parts - 1):
        edges = [0, *cuts, count]
        spans = [(edges[i] + 1, edges[i + 1]) for i in range(parts)]
        rooms = [sum(points[a - 1 : b]) for a, b in spans]
        # planned with room to spare: programs measure text differently, and a name must not break ("碑/林区")
        lines = [_rough_lines(text, room / LINE_SLACK) for text, room in zip(texts, rooms, strict=False)]
        key = (max(lines) * 100 + sum(lines), -min(rooms))
        if best is None or key < best[0]:
            best = (key, spans)
    assert best is not None
    return best[1]


def _write_line(sheet: Sheet, row: int, line: SheetLine, widths: list[float], size: float = SIZE) -> float:
    points = [excel_points(w) for w in widths]

    def fits(parts: tuple[str, ...], spans: list[tuple[int, int]]) -> bool:
        rooms = [sum(points[a - 1 : b]) / LINE_SLACK for a, b in spans]
        return len(spans) == len(parts) and all(_rough_lines(t, r) == 1 for t, r in zip(parts, rooms, strict=True))

    parts = line.parts
    spans = _spans(widths, parts)
    if len(parts) > 1 and not fits(parts, spans):
        # a table of few or narrow columns has no split that keeps each part on a line ("碑/林区人民政府" under a
        # 序号 column): two of three parts share a place (the unit and its seal stay at the right of the signature
        # lines), or failing that the parts go on one line across the whole width, a wide gap between them
        gap = "　　"
        pairs = []
        if len(parts) == 3:
            pairs = [(parts[0] + gap + parts[1], parts[2]), (parts[0], parts[1] + gap + parts[2])]
        placed = [(two, _spans(widths, two)) for two in pairs]
        parts, spans = next(((t, s) for t, s in placed if fits(t, s)), ((gap.join(parts),), [(1, len(widths))]))
    aligns = ["left", "center", "right"] if len(spans) == 3 else ["left", "right"] if len(spans) == 2 else ["left"]
    font = (HEADING_FONT if line.bold else BODY_FONT, size, line.bold)
    lines = 1
    for (first, last), text, align in zip(spans, parts, aligns, strict=False):
        set_value(sheet, row, first, text, Look(font=font, align=(align, "top", True)))
        if last > first:
            sheet.merge(row, first, row, last)
        lines = max(lines, _lines(text, sum(excel_points(w) for w in widths[first - 1 : last])))
    height = max(line.height, _height(lines))
    sheet.heights[row] = height
    return height


def table_sheet(table: Table, heading: SheetHeading, metrics: Metrics, width: float) -> Sheet:
    """``table`` as a sheet: columns in the proportions ``fit_widths(table, width, metrics)`` gives the PDF."""
    sheet = Sheet(table.sheet)
    scale = SIZE / metrics.size
    widths = [
        excel_width(w * scale + (FIXED_EXTRA if column.fixed else 0))
        for w, column in zip(fit_widths(table, width, metrics), table.columns, strict=True)
    ]
    # A table of one column (paragraphs) is spread over a few sheet columns merged on every row: a spreadsheet
    # program counts the pages of a sheet's width by columns, and one column wider than the paper is not shrunk
    # to fit it, it is cut (LibreOffice).
    spread = SPREAD if len(table.columns) == 1 else 1
    if spread > 1:
        widths = [excel_width(excel_points(widths[0]) / spread)] * spread
    count = len(widths)
    sheet.widths = dict(enumerate(widths, 1))

    title = Look(font=(HEADING_FONT, 16, True), align=("center", "center", True))
    set_value(sheet, 1, 1, heading.title, title)
    sheet.merge(1, 1, 1, count)
    sheet.heights[1] = 30 if _lines(heading.title, sum(map(excel_points, widths))) == 1 else 50
    row = 2
    if heading.subtitle:
        set_value(sheet, row, 1, heading.subtitle, Look(font=(HEADING_FONT, 12, True)))
        sheet.merge(row, 1, row, count)
        sheet.heights[row] = 20
        row += 1
    if heading.info is not None:
        _write_line(sheet, row, heading.info, widths)
        row += 1
    header_row = row
    bold = (HEADING_FONT, SIZE, True)
    header = Look(font=bold, fill=HEADER_FILL, border=ALL_BORDERS, align=("center", "center", True))
    bordered = Look(border=ALL_BORDERS)
    header_lines = 1
    if spread > 1:
        for number in range(2, count + 1):
            sheet.put(header_row, number, None, bordered)
        sheet.merge(header_row, 1, header_row, count)
    for number, column in enumerate(table.columns, 1):
        room = (sum(map(excel_points, widths)) if spread > 1 else excel_points(widths[number - 1])) - 2 * PADDING
        words = break_lines(column.title, room, _MEASURE, words=column.header_words)
        set_value(sheet, header_row, number, "\n".join(words), header)
        header_lines = max(header_lines, len(words))
    sheet.heights[header_row] = _height(header_lines)

    heights: list[tuple[int, float, bool]] = []  # (row, height, is a group heading)
    body_font = (BODY_FONT, SIZE, False)
    group_title = Look(font=bold, fill=GROUP_FILL, border=ALL_BORDERS, align=("left", "center", True))
    looks: dict[tuple, Look] = {}
    points = [excel_points(w) for w in widths]
    if spread > 1:
        points = [sum(points)]  # what the one column's text has, across the merged cells
    items = list(table.items) or [Group(table.empty_text)]
    for item in items:
        row += 1
        if isinstance(item, Group):
            for number in range(2, count + 1):
                sheet.put(row, number, None, bordered)
            set_value(sheet, row, 1, item.text, group_title)
            sheet.merge(row, 1, row, count)
            height = _height(_lines(item.text, sum(points)))
            heights.append((row, height, bool(table.items)))
            sheet.heights[row] = height
            continue
        lines = 1
        for number, (column, value) in enumerate(zip(table.columns, item, strict=True), 1):
            align = cell_align(column, value)
            key = (align, value.format, value.fill)
            look = looks.get(key)
            if look is None:
                look = looks[key] = Look(
                    font=body_font,
                    fill=value.fill or "",
                    border=ALL_BORDERS,
                    align=(align, "top", True),
                    number_format=value.format or "General",
                )
            set_value(sheet, row, number, value.value, look)
            text = value.text
            cell_lines = len(text.split("\n")) if column.fixed else _lines(text, points[number - 1])
            lines = max(lines, cell_lines)
        if spread > 1:
            for number in range(2, count + 1):
                sheet.put(row, number, None, bordered)
            sheet.merge(row, 1, row, count)
        height = _height(lines)
        sheet.heights[row] = height
        heights.append((row, height, False))

    closing_rows = []
    if heading.closing:
        row += 1
        sheet.heights[row] = 8
        closing_rows.append((row, 8.0))
        for line in heading.closing:
            row += 1
            closing_rows.append((row, _write_line(sheet, row, line, widths)))

    sheet.frozen_rows = header_row
    sheet.title_rows = (header_row, header_row)
    sheet.printing = Printing(
        landscape=True,
        paper_size=9,  # A4
        fit_width=1,
        fit_height=0,
        centered=True,
        margins=(MARGIN_SIDE_IN, MARGIN_SIDE_IN, MARGIN_TOP_IN, MARGIN_BOTTOM_IN, HEADER_FOOTER_IN, HEADER_FOOTER_IN),
        # plain 10 pt, no colour, which every spreadsheet program writes back the same way
        header_right=(heading.page_header, BODY_FONT, 10) if heading.page_header else None,
        footer_center=("第 &P 页 共 &N 页", BODY_FONT, 10),
    )
    sheet.row_breaks = _page_breaks(sheet, header_row, heights, closing_rows, sum(points))
    return sheet


def print_scale(table_points: float) -> float:
    """The share of its size a sheet prints at once fitted to the page width."""
    printable = (PAGE_WIDTH_IN - 2 * MARGIN_SIDE_IN) * 72
    return min(1.0, printable / table_points) if table_points else 1.0


def _page_breaks(
    sheet: Sheet,
    header_row: int,
    rows: list[tuple[int, float, bool]],
    closing: list[tuple[int, float]],
    table_points: float,
) -> list[int]:
    """Manual page breaks: pages as full as they can be, no heading row at the foot of a page, and the closing lines
    on the page of the last rows. Row heights are the ones set above; the page is what the print scale leaves."""
    page = (PAGE_HEIGHT_IN - MARGIN_TOP_IN - MARGIN_BOTTOM_IN) * 72 / print_scale(table_points) * SAFETY
    header = sheet.heights.get(header_row) or LINE
    above = sum(sheet.heights.get(r) or 15 for r in range(1, header_row))
    used = above + header
    closing_height = sum(height for _, height in closing)
    breaks: list[int] = []
    index = start = 0  # start: the first row of the page being filled
    while index < len(rows):
        _, height, group = rows[index]
        last = index == len(rows) - 1
        need = height + (closing_height if last else 0)
        if group and not last:
            need += rows[index + 1][1]  # a heading needs its first row beside it
        if used + need <= page or index == start:
            used += height
            index += 1
            continue
        if last and used + height <= page and index - 1 > start:
            index -= 1  # the last row fits but the closing lines do not: the row before it starts the next page
        while index - 1 > start and rows[index - 1][2]:
            index -= 1  # and a heading row goes over with the rows under it
        breaks.append(rows[index - 1][0] if index > 0 else header_row)
        used, start = header, index
    return breaks

"""The sheets ipdesk writes (``workbook_writer.Sheet``), put into openpyxl workbooks: what the workbook writer is
compared with (``tests/test_workbook_writer.py`` requires openpyxl's save of these to hold the cells and looks
ipdesk's own file holds, and LibreOffice to print both alike), and a way for tests to look at a sheet with openpyxl.

openpyxl wrote ipdesk's workbooks until ipdesk wrote them itself; this is what it was given then, kept for tests.
"""

from __future__ import annotations

from copy import copy
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ipdesk.reports.cell_names import column_letter
from ipdesk.reports.excel import report_book
from ipdesk.reports.excel_table import BODY_FONT, SheetHeading, table_sheet
from ipdesk.reports.snapshot import ReportSnapshot
from ipdesk.reports.table_model import Metrics, Table
from ipdesk.reports.workbook_writer import NO_BORDER, PLAIN, Look, Printing, Sheet


def new_workbook() -> Workbook:
    """An empty openpyxl workbook for sheets of tables (``write_table_sheet``), its default font 宋体 11 as Chinese
    spreadsheet programs have it (and ``workbook_writer``): a column's width is counted in digits of that font, so
    a program that has it lays the columns out as ipdesk did."""
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the one sheet a new workbook comes with
    fonts = workbook._fonts  # type: ignore[attr-defined]  # the style table; its first font is the default
    default = copy(fonts[0])
    default.name, default.family, default.scheme = BODY_FONT, None, None
    workbook._fonts = IndexedList([default, *list(fonts)[1:]])  # type: ignore[attr-defined]
    return workbook


def write_table_sheet(workbook, table: Table, heading: SheetHeading, metrics: Metrics, width: float) -> Worksheet:
    """Add ``table`` to an openpyxl workbook as the sheet ``table_sheet`` lays out."""
    return add_to_workbook(workbook, table_sheet(table, heading, metrics, width))


def build_workbook(snapshot: ReportSnapshot) -> Workbook:
    """The report's workbook (``excel.report_book``) as an openpyxl workbook."""
    book = report_book(snapshot)
    workbook = new_workbook()
    for sheet in book.sheets:
        add_to_workbook(workbook, sheet)
    workbook.properties.title = book.title
    workbook.properties.creator = book.creator
    workbook.properties.subject = book.subject
    return workbook


def add_to_workbook(workbook: Workbook, model: Sheet) -> Worksheet:
    """``model`` as a sheet of an openpyxl workbook: the same cells, looks, merged ranges, sizes and print setup
    ``workbook_writer`` writes (a look's style objects are made once and copied, as openpyxl copies a style)."""
    sheet = workbook.create_sheet(model.name)
    sheet.sheet_state = model.state
    for number, width in model.widths.items():
        sheet.column_dimensions[column_letter(number)].width = width
    thin = Side(style="thin", color="000000")
    styles: dict[Look, Any] = {}  # a look's style array (``_style``, openpyxl's own, as each cell has one)
    cells: dict[tuple[int, int], Any] = sheet._cells
    for (row, column), found in sorted(model.cells.items()):
        cell: Any
        if found.merged:
            cell = cells[row, column] = MergedCell(sheet, row, column)
        else:
            cell = sheet.cell(row, column)
            cell.value = found.value
            if found.kind == "s":
                cell.data_type = "s"  # a text, never a formula
        look = found.look
        if look == PLAIN:
            continue
        style = styles.get(look)
        if style is not None:
            cell._style = copy(style)
            continue
        if look.font is not None:
            name, size, bold = look.font
            cell.font = Font(name=name, size=size, bold=bold)
        if look.fill:
            cell.fill = PatternFill("solid", fgColor=look.fill)
        if look.border != NO_BORDER:
            left, right, top, bottom = (thin if side else None for side in look.border)
            cell.border = Border(left=left, right=right, top=top, bottom=bottom)
        if look.align is not None:
            horizontal, vertical, wrap = look.align
            cell.alignment = Alignment(horizontal=horizontal or None, vertical=vertical or None, wrap_text=wrap)
        if look.number_format != "General":
            cell.number_format = look.number_format
        if look.quote_prefix:
            cell.quotePrefix = True
        styles[look] = copy(cell._style)
    for first_row, first_column, last_row, last_column in model.merged:
        reference = f"{column_letter(first_column)}{first_row}:{column_letter(last_column)}{last_row}"
        start = cells[first_row, first_column]._style
        merged = MergedCellRange(sheet, reference)  # (its first cell already has the borders this would give it)
        cells[first_row, first_column]._style = start
        sheet.merged_cells.add(merged)
    for row, height in model.heights.items():
        sheet.row_dimensions[row].height = height
    if model.frozen_rows:
        sheet.freeze_panes = f"A{model.frozen_rows + 1}"
    if model.title_rows:
        sheet.print_title_rows = f"{model.title_rows[0]}:{model.title_rows[1]}"
    printing = model.printing
    if printing is not None:
        _page_setup(sheet, printing)
    for row in model.row_breaks:
        sheet.row_breaks.append(Break(id=row))
    return sheet


def _page_setup(sheet: Worksheet, printing: Printing) -> None:
    setup = sheet.page_setup
    setup.orientation = "landscape" if printing.landscape else "portrait"
    setup.paperSize = printing.paper_size
    setup.fitToWidth = printing.fit_width
    setup.fitToHeight = printing.fit_height
    fit, footer, header = sheet.sheet_properties.pageSetUpPr, sheet.oddFooter, sheet.oddHeader
    assert fit is not None and footer is not None and header is not None  # openpyxl makes them with every sheet
    fit.fitToPage = printing.fit_width > 0
    sheet.print_options.horizontalCentered = printing.centered
    margins = sheet.page_margins
    margins.left, margins.right, margins.top, margins.bottom, margins.header, margins.footer = printing.margins
    for part, given in ((header.right, printing.header_right), (footer.center, printing.footer_center)):
        if given is not None:
            part.text, part.font, part.size = given

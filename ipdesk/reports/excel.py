"""The official workbook (openpyxl): one sheet per table, laid out to be read on screen and printed.

Each sheet: the form's title merged across the table, a line with 填报单位/填报人/联系电话/填报日期, the header row
(frozen, repeated on every printed page), bordered and wrapped cells, lights as cell colours next to their words;
A4 landscape, fit to the page width, footer 第 &P 页 共 &N 页. Text that begins with = + - @ is stored as text.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ipdesk.console import display_width
from ipdesk.reports.layout import Table, notes, tables
from ipdesk.reports.snapshot import ReportSnapshot

FONT = "宋体"
HEADER_ROW = 4
LIGHT_FILLS = {"绿灯": "D8F0D8", "黄灯": "FFF1C2", "红灯": "F8D0D0"}
NUMBER_FORMATS = {"points": '0.0"%"', "ratio": "0.0%", "number": "General", "int": "0"}
_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
FORMULA_STARTS = ("=", "+", "-", "@")


LINE_HEIGHT = 14.0  # points per wrapped line of 10.5 pt text


def excel_width(chars: float) -> float:
    """Column width in Excel's units (about one digit) for ``chars`` Chinese characters."""
    return round(chars * 1.9 + 1.5, 1)


def row_height(texts: list[str], table: Table) -> float:
    """Spreadsheets do not grow rows for wrapped text on their own when a file is opened: set the height."""
    lines = 1
    for text, column in zip(texts, table.columns, strict=True):
        capacity = max(int(column.width * 2), 2)  # display columns per line; a hanzi takes two
        count = sum(max(1, -(-display_width(part) // capacity)) for part in str(text).split("\n"))
        lines = max(lines, count)
    return round(lines * LINE_HEIGHT + 4, 1)


def info_line(snapshot: ReportSnapshot) -> str:
    h = snapshot.header
    return (
        f"填报单位（盖章）：{h.unit_line}　　填报人：{h.clerk}　　联系电话：{h.phone}　　"
        f"填报日期：{h.fill_date}　　版本：v{h.version}（{h.status_label}）"
    )


def set_text(cell, value: object) -> None:
    """Store ``value``; strings that a spreadsheet would read as a formula are kept as plain text."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True


def _write_table(sheet: Worksheet, table: Table, snapshot: ReportSnapshot) -> int:
    width = len(table.columns)
    last = get_column_letter(width)
    title = snapshot.header.form_title + ("（示例数据）" if snapshot.header.sample else "")
    sheet["A1"] = title
    sheet["A1"].font = Font(name="黑体", size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.merge_cells(f"A1:{last}1")
    sheet.row_dimensions[1].height = 36
    sheet["A2"] = table.title
    sheet["A2"].font = Font(name="黑体", size=12)
    sheet.merge_cells(f"A2:{last}2")
    sheet["A3"] = info_line(snapshot)
    sheet["A3"].font = Font(name=FONT, size=11)
    sheet["A3"].alignment = Alignment(wrap_text=True, vertical="center")
    sheet.merge_cells(f"A3:{last}3")
    sheet.row_dimensions[3].height = 30

    header_font = Font(name="黑体", size=11, bold=True)
    header_fill = PatternFill("solid", fgColor="E7E6E6")
    for number, column in enumerate(table.columns, 1):
        cell = sheet.cell(HEADER_ROW, number, column.header)
        cell.font, cell.fill, cell.border = header_font, header_fill, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(number)].width = excel_width(column.width)
    sheet.row_dimensions[HEADER_ROW].height = row_height([c.header for c in table.columns], table)
    body_font = Font(name=FONT, size=10.5)
    for offset, row in enumerate(table.rows, 1):
        sheet.row_dimensions[HEADER_ROW + offset].height = row_height(table.text_rows()[offset - 1], table)
        for number, (column, value) in enumerate(zip(table.columns, row, strict=True), 1):
            cell = sheet.cell(HEADER_ROW + offset, number)
            set_text(cell, value)
            cell.font, cell.border = body_font, BORDER
            horizontal = "right" if column.numeric else "center" if column.kind == "light" else "left"
            cell.alignment = Alignment(horizontal=horizontal, vertical="top", wrap_text=True)
            if column.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.kind]
            if column.kind == "light" and value in LIGHT_FILLS:
                cell.fill = PatternFill("solid", fgColor=LIGHT_FILLS[str(value)])
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = "第 &P 页 共 &N 页"
    sheet.oddFooter.center.font = FONT
    if snapshot.header.sample:
        sheet.oddHeader.right.text = "示例数据"
    return HEADER_ROW + len(table.rows)


def _write_closing(sheet: Worksheet, last_row: int, width: int, snapshot: ReportSnapshot) -> None:
    """填表说明 and the signature lines under the task table."""
    h = snapshot.header
    row = last_row + 2
    lines = [("填表说明：", True)] + [(f"{n}. {text}", False) for n, text in enumerate(notes(snapshot), 1)]
    blank = "　" * 6
    signature = (
        f"单位负责人（签字）：{blank}　　审核人：{h.reviewer or blank}　　填报人：{h.clerk or blank}"
        f"　　联系电话：{h.phone or blank}　　日期：{h.fill_date}"
    )
    lines += [("", False), (signature, False)]
    for text, bold in lines:
        sheet.cell(row, 1, text).font = Font(name="黑体" if bold else FONT, size=10.5, bold=bold)
        sheet.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        sheet.row_dimensions[row].height = 28 if text else 14
        row += 1


def build_workbook(snapshot: ReportSnapshot) -> Workbook:
    """The report's workbook, in memory (the signed return adds its signature sheet before saving it)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for number, table in enumerate(tables(snapshot)):
        sheet = workbook.create_sheet(table.sheet)
        last_row = _write_table(sheet, table, snapshot)
        if number == 0:
            _write_closing(sheet, last_row, len(table.columns), snapshot)
    workbook.properties.title = snapshot.header.form_title
    workbook.properties.creator = "ipdesk"
    workbook.properties.subject = f"{snapshot.header.unit_line} {snapshot.header.period_name}"
    return workbook


def write_workbook(snapshot: ReportSnapshot, path: Path) -> None:
    build_workbook(snapshot).save(path)

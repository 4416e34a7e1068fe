"""The official workbook (written by ``workbook_writer``): one sheet per table of the report, laid out like the PDF.

Each sheet (``excel_table.table_sheet``): the form's title, the table's heading, the line 填报单位 (left) ·
填报人 and 联系电话 (middle) · 填报日期 and 版本 (right), the header row repeated on every printed page, category
heading rows, numbers as numbers with the PDF's formats, lights as cell colours beside their words. The task sheet
prints the first sentence of each task's text; the last sheet, 任务内容, holds the plan's full text. As in the PDF,
the signature lines and 填表说明 follow the last table of figures (主要指标完成情况, or 示范工程目标 when the unit
has targets), kept on the printed page of its last rows. A report not signed says
草稿（未签署） in its title and at the top of every printed page.
"""

from __future__ import annotations

from pathlib import Path

from ipdesk.reports import workbook_writer
from ipdesk.reports.excel_table import SheetHeading, SheetLine, table_sheet
from ipdesk.reports.layout import (
    BLANK,
    METRICS,
    TEXT_WIDTH,
    draft_mark,
    info_parts,
    notes,
    report_title,
    signer_name,
    tables,
    task_text_table,
)
from ipdesk.reports.snapshot import ReportSnapshot

HEADER_ROW = 4  # title, table heading, the line of who and when, then the header row


def closing_lines(snapshot: ReportSnapshot) -> tuple[SheetLine, ...]:
    """The signature lines and 填表说明 under the last table of figures."""
    h = snapshot.header
    lines = [
        SheetLine((f"填报人：{h.clerk or BLANK}", f"联系电话：{h.phone or BLANK}", f"填报单位（盖章）：{h.unit_line}")),
        SheetLine(
            (f"审核人：{signer_name(snapshot) or BLANK}", f"单位负责人（签字）：{BLANK}", f"日期：{h.fill_date}"),
            height=34,
        ),
        SheetLine(("填表说明：",), bold=True),
    ]
    lines += [SheetLine((f"{n}. {text}",)) for n, text in enumerate(notes(snapshot), 1)]
    return tuple(lines)


def report_book(snapshot: ReportSnapshot) -> workbook_writer.Book:
    """The report's workbook, in memory (the signed return adds its signature sheet before writing it)."""
    h = snapshot.header
    marks = "　".join(mark for mark in (draft_mark(snapshot), "示例数据" if h.sample else "") if mark)
    sections = tables(snapshot)
    # the signature lines and notes close the form where the PDF prints them: under its last table of figures
    # (二、 or 三、), before the lists annexed to it (附：佐证材料清单, 附：任务内容)
    last = [t.sheet for t in sections if t.sheet != "佐证材料清单"][-1]
    subject = f"{h.unit_line} {h.period_name}"
    book = workbook_writer.Book(title=report_title(snapshot), creator="ipdesk", subject=subject)
    for table in sections:
        heading = SheetHeading(
            title=report_title(snapshot),
            subtitle=table.title,
            info=SheetLine(info_parts(snapshot)),
            page_header=marks,
            closing=closing_lines(snapshot) if table.sheet == last else (),
        )
        book.sheets.append(table_sheet(table, heading, METRICS, TEXT_WIDTH))
    full_text = task_text_table(snapshot)
    heading = SheetHeading(report_title(snapshot), full_text.title, SheetLine(info_parts(snapshot)), marks)
    book.sheets.append(table_sheet(full_text, heading, METRICS, TEXT_WIDTH))
    return book


def write_workbook(snapshot: ReportSnapshot, path: Path) -> None:
    workbook_writer.save(report_book(snapshot), path)

"""The city office's reports as files: the workbook and the print-ready PDF, from the same tables.

A report (``CityReport``) is a title, a line of who and when, a few paragraphs in words (总体情况), charts, the
tables, and 填表说明. The workbook has a sheet 总体情况 (the paragraphs and the notes) and one sheet per table; the
PDF (A4 landscape, the bundled CJK font embedded) prints the same in that order, charts after the summary, the
indicators' trajectories at the end. Both are written to a temporary name and renamed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ipdesk.reports import workbook_writer
from ipdesk.reports.excel_table import SheetHeading, SheetLine, table_sheet
from ipdesk.reports.files import make_folder, safe_part, write_atomically
from ipdesk.reports.layout import METRICS, MM, TEXT_WIDTH
from ipdesk.reports.pdf_pages import Block, DocumentInfo, Space, Text, Together, draw_text, font_measure
from ipdesk.reports.snapshot import IndicatorLine
from ipdesk.reports.table_model import Cell, Column, Table

# Grey levels a black-and-white printer keeps apart, darkest for the most important share.
SERIES_FILLS = ((0.25, 0.45, 0.25), (0.55, 0.7, 0.85), (0.85, 0.85, 0.85), (0.75, 0.2, 0.2), (1.0, 0.95, 0.7))


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, each split into shares (0–1) of the series; every share is also printed in words."""

    title: str
    series: tuple[str, ...]
    rows: tuple[tuple[str, tuple[float, ...]], ...]


@dataclass(frozen=True)
class CityReport:
    title: str
    file_stem: str  # without extension: 西安市_2025Q3_季度督导报告
    info: tuple[str, str, str]  # left, middle and right of the line under the title
    summary: tuple[str, ...]
    tables: tuple[Table, ...]
    notes: tuple[str, ...]
    bars: tuple[BarChart, ...] = ()
    trajectories: tuple[IndicatorLine, ...] = ()
    trajectory_year: int = 0
    trajectory_caption: str = ""
    extra_texts: tuple[str, ...] = field(default=())  # more strings printed (for the glyph check)

    def texts(self) -> list[tuple[str, str]]:
        found = [("标题", self.title), *(("说明", t) for t in (*self.info, *self.summary, *self.notes))]
        for table in self.tables:
            found += [(table.sheet, c.title) for c in table.columns]
            found += [(table.sheet, text) for row in table.text_rows() for text in row]
            found += [(table.sheet, g.text) for g in table.groups]
        return found


def write_files(report: CityReport, folder: Path, face: str = "") -> list[Path]:
    """The workbook and the PDF of ``report`` in ``folder`` (made if need be); returns their paths."""
    from ipdesk.reports import fonts

    folder = make_folder(Path(folder))
    font = fonts.register(face)
    fonts.check_printable(font, report.texts())
    stem = safe_part(report.file_stem)
    workbook = write_atomically(folder / f"{stem}.xlsx", lambda path: write_workbook(report, path))
    pdf = write_atomically(folder / f"{stem}.pdf", lambda path: write_pdf(report, path, font))
    return [workbook, pdf]


# -- the workbook ---------------------------------------------------------------------------------------------------
def write_workbook(report: CityReport, path: Path) -> None:
    book = workbook_writer.Book(title=report.title, creator="ipdesk")
    summary = Table(
        "总体情况",
        "总体情况",
        (Column("说明", "text", min_chars=40),),
        tuple((Cell(text),) for text in report.summary),
    )
    info = SheetLine(report.info)
    closing = (
        SheetLine(("填表说明：",), bold=True),
        *(SheetLine((f"{n}. {t}",)) for n, t in enumerate(report.notes, 1)),
    )
    heading = SheetHeading(report.title, "总体情况", info, closing=closing)
    book.sheets.append(table_sheet(summary, heading, METRICS, TEXT_WIDTH))
    for table in report.tables:
        book.sheets.append(table_sheet(table, SheetHeading(report.title, table.title, info), METRICS, TEXT_WIDTH))
    workbook_writer.save(book, path)


# -- the PDF ----------------------------------------------------------------------------------------------------------
class BarBlock(Block):
    """A ``BarChart`` drawn with the report's font: legend, then one bar per row with its shares in words."""

    ROW = 15.0
    LABEL = 120.0

    def __init__(self, chart: BarChart, font: str):
        self.chart, self.font = chart, font

    def height(self, width: float) -> float:
        return 18 + 16 + len(self.chart.rows) * self.ROW + 6

    def draw(self, canvas, x: float, top: float, width: float) -> None:
        measure = font_measure(self.font, 8.5)
        draw_text(canvas, self.font, 10, x, top - 12, self.chart.title, bold=True)
        legend_x = x
        for number, label in enumerate(self.chart.series):
            canvas.setFillColorRGB(*SERIES_FILLS[number % len(SERIES_FILLS)])
            canvas.rect(legend_x, top - 29, 10, 8, stroke=1, fill=1)
            canvas.setFillColorRGB(0, 0, 0)
            draw_text(canvas, self.font, 8.5, legend_x + 13, top - 28, label)
            legend_x += 13 + measure(label) + 14
        bar_left, bar_width = x + self.LABEL, width - self.LABEL - 4
        y = top - 34 - self.ROW
        for label, shares in self.chart.rows:
            draw_text(canvas, self.font, 8.5, x, y + 3, label)
            left = bar_left
            for number, value in enumerate(shares):
                span = bar_width * max(min(value, 1.0), 0.0)
                if span <= 0:
                    continue
                fill = SERIES_FILLS[number % len(SERIES_FILLS)]
                canvas.setFillColorRGB(*fill)
                canvas.setStrokeColorRGB(0.3, 0.3, 0.3)
                canvas.setLineWidth(0.3)
                canvas.rect(left, y, span, self.ROW - 4, stroke=1, fill=1)
                text = f"{value * 100:.1f}%"
                if measure(text) + 4 < span:
                    dark = sum(fill) / 3 < 0.5
                    canvas.setFillColorRGB(*((1, 1, 1) if dark else (0, 0, 0)))
                    draw_text(canvas, self.font, 8.5, left + (span - measure(text)) / 2, y + 3, text)
                left += span
            canvas.setFillColorRGB(0, 0, 0)
            y -= self.ROW


def story(report: CityReport, font: str) -> list[Block]:
    from ipdesk.reports.pdf import InfoLine, ReportStyles, printable
    from ipdesk.reports.pdf_table import TableBlock

    styles = ReportStyles(font)
    body = styles.note
    blocks: list[Block] = [Text(printable(report.title), styles.title), Space(2 * MM)]
    left, middle, right = report.info
    blocks.append(InfoLine((printable(left), printable(middle), printable(right)), styles.info))
    blocks.append(Text("总体情况", styles.heading, keep_with_next=True))
    blocks += [Text(printable(text), body) for text in report.summary]
    for chart in report.bars:
        blocks += [Space(2 * MM), BarBlock(chart, font)]
    for table in report.tables:
        blocks.append(Text(table.title, styles.heading, keep_with_next=True))
        blocks.append(TableBlock(_printable(table), styles.table))
    explained = [Text("填表说明：", styles.heading)]
    explained += [Text(f"{n}. {printable(text)}", styles.note) for n, text in enumerate(report.notes, 1)]
    blocks.append(Together(explained))
    if report.trajectories:
        from ipdesk.reports.pdf_charts import ChartGrid

        blocks.append(Text("附：主要指标走势（全市数值）", styles.heading, keep_with_next=True))
        blocks.append(Text(report.trajectory_caption, styles.caption, keep_with_next=True))
        blocks.append(ChartGrid(list(report.trajectories), font, report.trajectory_year))
    return blocks


def _printable(table: Table) -> Table:
    from ipdesk.reports.pdf import _clean

    return _clean(table)


def write_pdf(report: CityReport, path: Path, font: str) -> None:
    from ipdesk.reports.pdf import PAGE
    from ipdesk.reports.pdf_pages import paginate, render

    pages = paginate(story(report, font), PAGE)

    def decorate(canvas, number: int, total: int) -> None:
        footer = f"第 {number} 页 共 {total} 页"
        canvas.setFillColorRGB(0, 0, 0)
        draw_text(canvas, font, 10.5, (PAGE.size[0] - font_measure(font, 10.5)(footer)) / 2, 7 * MM, footer)

    render(Path(path), pages, PAGE, font, DocumentInfo(title=report.title, author=report.info[0]), decorate)

"""The print-ready PDF (reportlab): A4 landscape form with the embedded CJK font.

Title, the 填报单位 line, the tables (header row repeated on every page, Chinese line breaking, rows split across
pages when they must), a small chart per indicator (expected path to the target against what was entered), 填表说明,
and the signature block with room for the unit's seal; 第 X 页 共 Y 页 under every page. Any character the font
cannot draw is refused by name and position before anything is written.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import LayoutError

from ipdesk.domain.periods import chinese_datetime
from ipdesk.reports import fonts
from ipdesk.reports.layout import Table as LayoutTable
from ipdesk.reports.layout import notes, number_text, tables
from ipdesk.reports.snapshot import IndicatorLine, ReportSnapshot

PAGE = landscape(A4)
# A landscape attachment keeps the 公文 text block (156 × 225 mm), turned.
MARGIN_X = (PAGE[0] - 225 * mm) / 2
MARGIN_Y = (PAGE[1] - 156 * mm) / 2
LIGHT_COLOURS = {
    "绿灯": colors.HexColor("#d8f0d8"),
    "黄灯": colors.HexColor("#fff1c2"),
    "红灯": colors.HexColor("#f8d0d0"),
}


def printable(text: str) -> str:
    """Without invisible format characters (zero-width spaces, direction marks, BOM): nothing to print, and a
    direction override pasted in from elsewhere must not reorder the printed text."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _escape(text: str) -> str:
    return printable(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


class _Styles:
    def __init__(self, font: str):
        base = {"fontName": font, "bulletFontName": font, "wordWrap": "CJK"}
        self.title = ParagraphStyle("title", fontSize=18, leading=26, alignment=TA_CENTER, **base)
        self.sample = ParagraphStyle(
            "sample", fontSize=12, leading=16, alignment=TA_CENTER, textColor=colors.HexColor("#b00020"), **base
        )
        self.info = ParagraphStyle("info", fontSize=11, leading=16, **base)
        self.heading = ParagraphStyle("heading", fontSize=14, leading=20, spaceBefore=8, spaceAfter=4, **base)
        self.cell = ParagraphStyle("cell", fontSize=10.5, leading=13.5, alignment=TA_LEFT, **base)
        self.cell_right = ParagraphStyle("cellr", parent=self.cell, alignment=TA_RIGHT)
        self.cell_centre = ParagraphStyle("cellc", parent=self.cell, alignment=TA_CENTER)
        self.header = ParagraphStyle("header", fontSize=10.5, leading=13.5, alignment=TA_CENTER, **base)
        self.note = ParagraphStyle("note", fontSize=10.5, leading=15, **base)
        self.sign = ParagraphStyle("sign", fontSize=12, leading=22, **base)
        self.stamp = ParagraphStyle("stamp", fontSize=9, leading=12.5, textColor=colors.HexColor("#b00020"), **base)


def _numbered_canvas(font: str, sample: bool):
    class NumberedCanvas(pdfcanvas.Canvas):
        """Draws 第 X 页 共 Y 页 once the page count is known (two passes over the saved pages)."""

        def __init__(self, *args, **kwargs):
            kwargs["initialFontName"] = font  # no unused, unembedded Helvetica in the file
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(font, 12)
                self.drawCentredString(PAGE[0] / 2, MARGIN_Y / 2, f"第 {self._pageNumber} 页 共 {total} 页")
                if sample:
                    self.saveState()
                    self.setFont(font, 72)
                    self.setFillColor(colors.Color(0.8, 0.1, 0.1, alpha=0.12))
                    self.translate(PAGE[0] / 2, PAGE[1] / 2)
                    self.rotate(25)
                    self.drawCentredString(0, 0, "示例数据")
                    self.restoreState()
                super().showPage()
            super().save()

    return NumberedCanvas


def _table_flowable(table: LayoutTable, styles: _Styles, split_rows: bool) -> LongTable:
    shares = [c.print_width or c.width for c in table.columns]
    widths = [225 * mm * share / sum(shares) for share in shares]
    header = [Paragraph(_escape(c.header), styles.header) for c in table.columns]
    widths_pt = dict(enumerate(widths))
    body = []
    for row in table.text_rows():
        cells: list = []
        for number, (column, text) in enumerate(zip(table.columns, row, strict=True)):
            short = column.numeric or column.kind == "light"
            room = widths_pt[number] - 8
            if short and "\n" not in text and stringWidth(text, styles.cell.fontName, styles.cell.fontSize) < room:
                cells.append(text)  # a number or a light needs no line breaking: a plain string draws faster
                continue
            style = (
                styles.cell_right if column.numeric else styles.cell_centre if column.kind == "light" else styles.cell
            )
            cells.append(Paragraph(_escape(text), style))
        body.append(cells)
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), styles.cell.fontName),  # plain-string cells would default to Helvetica
        ("FONTSIZE", (0, 0), (-1, -1), styles.cell.fontSize),
        ("LEADING", (0, 0), (-1, -1), styles.cell.leading),
        ("TOPPADDING", (0, 1), (-1, -1), 3),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e7e6e6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for number, column in enumerate(table.columns):
        align = "RIGHT" if column.numeric else "CENTER" if column.kind == "light" else "LEFT"
        commands.append(("ALIGN", (number, 1), (number, -1), align))
    if table.light_column is not None:
        for number, row in enumerate(table.text_rows(), 1):
            colour = LIGHT_COLOURS.get(row[table.light_column])
            if colour is not None:
                commands.append(("BACKGROUND", (table.light_column, number), (table.light_column, number), colour))
    if not body:
        body = [[Paragraph("（无）", styles.cell)] + [""] * (len(widths) - 1)]
        commands.append(("SPAN", (0, 1), (-1, 1)))
    return LongTable(
        [header, *body], colWidths=widths, repeatRows=1, splitInRow=1 if split_rows else 0, style=TableStyle(commands)
    )


def _chart(line: IndicatorLine, font: str):
    # Imported here: the charting package costs ~0.08 s to import and most units own no indicator.
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.shapes import Drawing, String

    width, height = 72 * mm, 46 * mm
    drawing = Drawing(width, height)
    expected = [(year, value) for year, value, _ in line.path if value is not None]
    actual = [(year, value) for year, _, value in line.path if value is not None]
    title = f"{line.seq}. {line.name}（{line.unit_of_measure}）"
    drawing.add(String(4, height - 11, title if len(title) <= 22 else title[:21] + "…", fontName=font, fontSize=8.5))
    series = [s for s in (expected, actual) if s]
    if not series:
        drawing.add(String(width / 2, height / 2, "暂无数据", fontName=font, fontSize=9, textAnchor="middle"))
        return drawing
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 30, 14, width - 40, height - 34
    plot.data = series
    years = [year for year, *_ in line.path]
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = min(years), max(years)
    plot.xValueAxis.valueSteps = years
    plot.xValueAxis.labelTextFormat = lambda v: f"{int(v)}"
    plot.xValueAxis.labels.fontName = font
    plot.xValueAxis.labels.fontSize = 7
    values = [v for s in series for _, v in s]
    low, high = min(values), max(values)
    pad = (high - low) * 0.15 or max(abs(high) * 0.1, 1)
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = max(0, low - pad), high + pad
    plot.yValueAxis.labels.fontName = font
    plot.yValueAxis.labels.fontSize = 7
    plot.yValueAxis.labelTextFormat = lambda v: number_text(v, 1)
    plot.lines[0].strokeColor = colors.HexColor("#888888")
    plot.lines[0].strokeDashArray = [3, 2]
    if len(series) > 1:
        plot.lines[1].strokeColor = colors.HexColor("#1f4e79")
        plot.lines[1].strokeWidth = 1.5
        from reportlab.graphics.widgets.markers import makeMarker

        plot.lines[1].symbol = makeMarker("FilledCircle", size=3)
    drawing.add(plot)
    return drawing


def _charts(snapshot: ReportSnapshot, font: str, styles: _Styles) -> list:
    if not snapshot.indicators:
        return []
    drawings = [_chart(line, font) for line in snapshot.indicators]
    rows = [drawings[i : i + 3] for i in range(0, len(drawings), 3)]
    rows[-1] += [""] * (3 - len(rows[-1]))
    grid = Table(rows, colWidths=[75 * mm] * 3)
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), font)]))
    return [
        CondPageBreak(50 * mm),
        Paragraph("主要指标走势（虚线为按年均预增计算的预期路径，实线为本单位填报值）", styles.note),
        grid,
    ]


class SealSpot(Flowable):
    """The empty place for the unit's round seal (about 42 mm); remembers where it landed on which page, so that a
    signature field for an electronic seal can be put exactly there."""

    SIZE = 44 * mm

    def __init__(self, found: dict):
        super().__init__()
        self.width = self.height = self.SIZE
        self.found = found

    def draw(self) -> None:
        x, y = self.canv.absolutePosition(0, 0)
        self.found.update(page=self.canv.getPageNumber() - 1, box=(x, y, x + self.SIZE, y + self.SIZE))


def qr_text(snapshot: ReportSnapshot) -> str:
    """What the printout's QR code says: enough to match a paper copy to its file."""
    h = snapshot.header
    return f"ipdesk|{h.unit_line}|{h.period}|v{h.version}|{snapshot.sha256()}"


def _stamp(snapshot: ReportSnapshot, styles: _Styles) -> list:
    """The visible record of the electronic signature, with the QR code of the signed snapshot."""
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    h = snapshot.header
    widget = QrCodeWidget(qr_text(snapshot))
    x1, y1, x2, y2 = widget.getBounds()
    size = 30 * mm
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    when = chinese_datetime(h.signed_at)
    text = Paragraph(
        f"本报告已由{_escape(h.signed_by)}代表{_escape(h.unit_line)}电子签署<br/>签署时间：{when}<br/>"
        f"证书指纹（SHA-256）：{h.fingerprint[:47]}<br/>{h.fingerprint[48:]}<br/>"
        f"报告摘要：{snapshot.sha256()[:32]}<br/>{snapshot.sha256()[32:]}",
        styles.stamp,
    )
    box = Table([[text, drawing]], colWidths=[115 * mm, 34 * mm])
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, colors.HexColor("#b00020")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("FONTNAME", (0, 0), (-1, -1), styles.stamp.fontName),
            ]
        )
    )
    return [Spacer(1, 2 * mm), box]


def _signature_block(snapshot: ReportSnapshot, styles: _Styles, seal: dict) -> list:
    h = snapshot.header
    gap = "　" * 6
    lines = [
        f"填报单位（盖章）：{_escape(h.unit_line)}",
        f"填报人：{_escape(h.clerk) or gap}　　联系电话：{_escape(h.phone) or gap}",
        f"审核人：{_escape(h.reviewer) or gap}　　单位负责人（签字）：{gap}",
        f"日期：{h.fill_date}",
    ]
    block: list = [Paragraph(line, styles.sign) for line in lines]
    if h.signed_at:
        block += _stamp(snapshot, styles)
    # Room on the right for a round seal of about 42 mm over the unit name and date.
    frame = Table([[block, SealSpot(seal)]], colWidths=[160 * mm, 65 * mm])
    frame.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), styles.sign.fontName)])
    )
    return [Spacer(1, 6 * mm), frame]


def all_texts(snapshot: ReportSnapshot) -> list[tuple[str, str]]:
    """Every string the PDF prints, with where it comes from, for the glyph check."""
    h = snapshot.header
    found = [
        ("标题", h.form_title),
        ("填报单位", h.unit_line),
        ("填报人", h.clerk),
        ("联系电话", h.phone),
        ("审核人", h.reviewer),
    ]
    for table in tables(snapshot):
        for column_number, column in enumerate(table.columns):
            for row_number, row in enumerate(table.text_rows(), 1):
                found.append((f"{table.sheet}第{row_number}行“{column.header}”", row[column_number]))
    found += [(f"填表说明第{n}条", text) for n, text in enumerate(notes(snapshot), 1)]
    return [(where, printable(text)) for where, text in found]


def write_pdf(snapshot: ReportSnapshot, path: Path, face: str = "") -> dict:
    """Write the PDF; returns where the seal's place landed: {"page": index, "box": (x1, y1, x2, y2)}."""
    font = fonts.register(face)
    fonts.check_printable(font, all_texts(snapshot))
    styles = _Styles(font)
    seal: dict = {}
    try:
        _build(snapshot, path, font, styles, split_rows=False, seal=seal)
    except LayoutError:
        # A row taller than a page (a very long text): only then let rows break across pages.
        _build(snapshot, path, font, styles, split_rows=True, seal=seal)
    return seal


def keywords(snapshot: ReportSnapshot) -> str:
    """The document's Keywords: who, which period and version, and (once signed) the snapshot's SHA-256."""
    h = snapshot.header
    parts = ["ipdesk", f"unit={h.unit_line}", f"period={h.period}", f"version={h.version}"]
    if h.signed_at:
        parts.append(f"sha256={snapshot.sha256()}")
    return ";".join(parts)


def _build(snapshot: ReportSnapshot, path: Path, font: str, styles: _Styles, split_rows: bool, seal: dict) -> None:
    h = snapshot.header
    story: list = [Paragraph(_escape(h.form_title), styles.title)]
    if h.sample:
        story.append(Paragraph("（示例数据，仅供演示，不作为正式报送材料）", styles.sample))
    story.append(Spacer(1, 3 * mm))
    story.append(
        Paragraph(
            f"填报单位（盖章）：{_escape(h.unit_line)}　　填报人：{_escape(h.clerk)}　　"
            f"联系电话：{_escape(h.phone)}　　填报日期：{h.fill_date}　　版本：v{h.version}（{h.status_label}）",
            styles.info,
        )
    )
    for table in tables(snapshot):
        story += [Paragraph(table.title, styles.heading), _table_flowable(table, styles, split_rows)]
        if table.sheet == "主要指标完成情况":
            story += _charts(snapshot, font, styles)
    closing = [Paragraph("填表说明：", styles.heading)]
    closing += [Paragraph(f"{n}. {_escape(text)}", styles.note) for n, text in enumerate(notes(snapshot), 1)]
    story.append(KeepTogether(closing + _signature_block(snapshot, styles, seal)))
    document = SimpleDocTemplate(
        str(path),
        pagesize=PAGE,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_Y,
        bottomMargin=MARGIN_Y,
        title=h.form_title,
        author=h.unit_line,
        subject=h.period_name,
        keywords=keywords(snapshot),
        creator="ipdesk",
    )
    document.build(story, canvasmaker=_numbered_canvas(font, h.sample))

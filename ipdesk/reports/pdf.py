"""The print-ready PDF: the A4 landscape form with the embedded CJK font, laid out by ``pdf_pages``.

The title (with 草稿（未签署） for anything not signed); the line 填报单位 · 填报人/联系电话 · 填报日期/版本 spread
across the width; the tables (``pdf_table``: header repeated on every page, category heading rows, rows that continue
on the next page); the signature block right after the last table (two columns with room to write; the unit and the
date at the right under a 42 mm seal area, where an electronic seal is later placed); 填表说明; then, as
attachments, a chart per indicator, the list of evidence files and the plan's full text of the unit's tasks (the
form prints each task's first sentence). 第 X 页 共 Y 页 under every page. Any character
the font cannot draw is refused by name and position before anything is written.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from ipdesk.domain.periods import chinese_datetime
from ipdesk.reports import fonts
from ipdesk.reports.layout import (
    METRICS,
    MM,
    draft_mark,
    info_parts,
    notes,
    report_title,
    signer_name,
    tables,
    task_text_table,
)
from ipdesk.reports.linebreak import break_lines
from ipdesk.reports.pdf_pages import (
    Block,
    DocumentInfo,
    Page,
    Space,
    Text,
    TextStyle,
    Together,
    aligned_x,
    draw_text,
    font_measure,
    paginate,
    render,
)
from ipdesk.reports.pdf_table import TableBlock, TableStyle
from ipdesk.reports.snapshot import ReportSnapshot

PAGE = Page(size=(297 * MM, 210 * MM), left=18 * MM, right=18 * MM, top=14 * MM, bottom=16 * MM)
RED = (0.69, 0.0, 0.13)
SEAL = 42 * MM  # a round unit seal


def printable(text: str) -> str:
    """Without invisible format characters (zero-width spaces, direction marks, BOM): nothing to print, and a
    direction override pasted in from elsewhere must not reorder the printed text."""
    if text.isprintable():  # no format character (category Cf is not printable): most texts, checked in C
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


class ReportStyles:
    def __init__(self, font: str):
        self.font = font
        self.title = TextStyle(font, 16, 22, align="center", bold=True)
        self.mark = TextStyle(font, 13, 18, align="center", colour=RED, bold=True)
        self.sample = TextStyle(font, 11, 15, align="center", colour=RED)
        self.info = TextStyle(font, 10.5, 14)
        self.heading = TextStyle(font, 12, 16, bold=True, space_before=6, space_after=3)
        self.note = TextStyle(font, 10, 14, indent=10 * 1.4)
        self.caption = TextStyle(font, 9, 12, space_before=4, space_after=2)
        self.sign = TextStyle(font, 11.5, 16)
        self.stamp = TextStyle(font, 8.5, 11.5, colour=RED)
        self.table = TableStyle(font, size=METRICS.size, header_size=METRICS.header_size, padding_x=METRICS.padding)


class InfoLine(Block):
    """Three parts across the width: the first at the left, the second centred, the third at the right; when they do
    not fit on one line, each wraps within its third."""

    GAP = 12 * MM

    def __init__(self, parts: tuple[str, str, str], style: TextStyle):
        self.parts, self.style = parts, style

    def _placed(self, width: float) -> list[tuple[float, list[str]]]:
        """(left offset, lines) of each part."""
        measure = font_measure(self.style.font, self.style.size)
        widths = [measure(part) for part in self.parts]
        if sum(widths) + 2 * self.GAP <= width:
            middle = min(max((width - widths[1]) / 2, widths[0] + self.GAP), width - widths[2] - self.GAP - widths[1])
            return [(0, [self.parts[0]]), (middle, [self.parts[1]]), (width - widths[2], [self.parts[2]])]
        third = width / 3
        placed = []
        for number, part in enumerate(self.parts):
            lines = break_lines(part, third - 4, measure)
            align = ("left", "center", "right")[number]
            placed.append((aligned_x(align, number * third, third, max(measure(line) for line in lines)), lines))
        return placed

    def height(self, width: float) -> float:
        return max(len(lines) for _, lines in self._placed(width)) * self.style.leading + 4

    def draw(self, canvas, x: float, top: float, width: float) -> None:
        s = self.style
        for left, lines in self._placed(width):
            baseline = top - s.size
            for line in lines:
                draw_text(canvas, s.font, s.size, x + left, baseline, line)
                baseline -= s.leading


class SignatureBlock(Block):
    """填报人/联系电话 and 审核人/单位负责人（签字） in two columns with room to write; 填报单位（盖章） and the date at
    the right, under a 42 mm square left for the seal. Remembers where that square landed (page and box), so that a
    signature field for an electronic seal can be placed exactly over the unit name and date."""

    RIGHT = 100 * MM  # the right part: unit, date and the seal over them
    ROW = 16 * MM  # from one signature line to the next: room for a handwritten name

    def __init__(self, snapshot: ReportSnapshot, styles: ReportStyles, found: dict):
        self.snapshot, self.styles, self.found = snapshot, styles, found

    def _stamp_height(self) -> float:
        return 34 * MM if self.snapshot.header.signed else 0

    def height(self, width: float) -> float:
        return max(8 * MM + SEAL, 6 * MM + 2 * self.ROW + self._stamp_height()) + 4 * MM

    def draw(self, canvas, x: float, top: float, width: float) -> None:
        h, s = self.snapshot.header, self.styles.sign
        measure = font_measure(s.font, s.size)
        blank = 28 * MM
        column = (width - self.RIGHT) / 2
        first = top - 6 * MM - s.size
        rows = [
            ((f"填报人：{printable(h.clerk)}", bool(h.clerk)), (f"联系电话：{printable(h.phone)}", bool(h.phone))),
            (
                (f"审核人：{printable(signer_name(self.snapshot))}", bool(signer_name(self.snapshot))),
                ("单位负责人（签字）：", False),
            ),
        ]
        canvas.setLineWidth(0.5)
        for number, row in enumerate(rows):
            baseline = first - number * self.ROW
            for part, ((text, filled), left) in enumerate(zip(row, (x, x + column), strict=True)):
                draw_text(canvas, s.font, s.size, left, baseline, text)
                if not filled:  # a line to write on
                    start = left + measure(text)
                    end = min(start + blank, x + (part + 1) * column - 6 * MM)
                    canvas.line(start, baseline - 2, end, baseline - 2)
        # the unit and the date at the right, the seal's square over them
        right_left = x + width - self.RIGHT
        unit_lines = break_lines(f"填报单位（盖章）：{printable(h.unit_line)}", self.RIGHT - 6 * MM, measure)
        date = h.fill_date
        text_width = max(measure(line) for line in [*unit_lines, date])
        text_left = x + width - 4 * MM - text_width
        baseline = first
        for line in unit_lines:
            draw_text(canvas, s.font, s.size, text_left, baseline, line)
            baseline -= s.leading
        baseline -= 4
        draw_text(canvas, s.font, s.size, text_left + text_width - measure(date), baseline, date)
        centre = max(right_left + SEAL / 2, min(text_left + text_width / 2, x + width - SEAL / 2))
        seal_top = first + s.size + s.leading  # its top within one line above the unit name
        x1, y1 = canvas.absolutePosition(centre - SEAL / 2, seal_top - SEAL)
        x2, y2 = canvas.absolutePosition(centre + SEAL / 2, seal_top)
        self.found.update(page=canvas.getPageNumber() - 1, box=(x1, y1, x2, y2))
        if h.signed:
            _draw_stamp(
                canvas, self.snapshot, self.styles, x, first - 2 * self.ROW + 4 * MM, width - self.RIGHT - 6 * MM
            )


def qr_text(snapshot: ReportSnapshot) -> str:
    """What the printout's QR code says: enough to match a paper copy to its file."""
    h = snapshot.header
    return f"ipdesk|{h.unit_line}|{h.period}|v{h.version}|{snapshot.sha256()}"


def _draw_qr(canvas, text: str, x: float, y: float, size: float) -> None:
    from ipdesk.reports import qr

    grid = qr.modules(text)
    border = 2
    module = size / (len(grid) + 2 * border)
    canvas.setFillColorRGB(0, 0, 0)
    for row, column, length in qr.dark_runs(grid):  # a row's adjacent dark modules as one rectangle
        canvas.rect(
            x + (column + border) * module, y + size - (row + border + 1) * module, length * module, module, 0, 1
        )


def _draw_stamp(canvas, snapshot: ReportSnapshot, styles: ReportStyles, x: float, top: float, width: float) -> None:
    """The visible record of the electronic signature, with the QR code of the signed snapshot."""
    h, s = snapshot.header, styles.stamp
    width = min(width, 150 * MM)
    height = 32 * MM
    digest = snapshot.sha256()
    lines = [
        f"本报告已由{printable(h.signed_by)}代表{printable(h.unit_line)}电子签署",
        f"签署时间：{chinese_datetime(h.signed_at)}",
        f"证书指纹（SHA-256）：{h.fingerprint[:47]}",
        h.fingerprint[48:],
        f"报告摘要：{digest[:32]}",
        digest[32:],
    ]
    canvas.setStrokeColorRGB(*RED)
    canvas.setLineWidth(0.8)
    canvas.rect(x, top - height, width, height, stroke=1, fill=0)
    canvas.setFillColorRGB(*RED)
    measure = font_measure(s.font, s.size)
    baseline = top - 4 - s.size
    for line in lines:
        for part in break_lines(line, width - 34 * MM, measure):
            draw_text(canvas, s.font, s.size, x + 4, baseline, part)
            baseline -= s.leading
    canvas.setStrokeColorRGB(0, 0, 0)
    _draw_qr(canvas, qr_text(snapshot), x + width - 31 * MM, top - height + 1 * MM, 30 * MM)


def all_texts(snapshot: ReportSnapshot) -> list[tuple[str, str]]:
    """Every string the PDF prints, with where it comes from, for the glyph check."""
    h = snapshot.header
    found = [
        ("标题", h.form_title),
        ("填报单位", h.unit_line),
        ("填报人", h.clerk),
        ("联系电话", h.phone),
        ("审核人", h.reviewer),
        ("签署人", h.signed_by),
    ]
    for table in [*tables(snapshot), task_text_table(snapshot)]:
        for column_number, column in enumerate(table.columns):
            for row_number, row in enumerate(table.text_rows(), 1):
                found.append((f"{table.sheet}第{row_number}行“{column.title}”", row[column_number]))
    found += [(f"填表说明第{n}条", text) for n, text in enumerate(notes(snapshot), 1)]
    return [(where, printable(text)) for where, text in found]


def keywords(snapshot: ReportSnapshot) -> str:
    """The document's Keywords: who, which period and version, and (once signed) the snapshot's SHA-256."""
    h = snapshot.header
    parts = ["ipdesk", f"unit={h.unit_line}", f"period={h.period}", f"version={h.version}"]
    if h.signed_at:
        parts.append(f"sha256={snapshot.sha256()}")
    return ";".join(parts)


def _clean(table):
    """The table with every text made printable (no invisible format characters)."""
    from dataclasses import replace

    from ipdesk.reports.table_model import Cell, Group, Row

    items: list[Row | Group] = []
    for item in table.items:
        if isinstance(item, Group):
            items.append(Group(printable(item.text)))
        else:
            items.append(
                tuple(Cell(printable(c.value), c.format, c.fill) if isinstance(c.value, str) else c for c in item)
            )
    return replace(table, items=tuple(items))


def story(snapshot: ReportSnapshot, styles: ReportStyles, seal: dict) -> list[Block]:
    """The report's blocks, top to bottom."""
    h = snapshot.header
    blocks: list[Block] = [Text(printable(h.form_title), styles.title)]
    mark = draft_mark(snapshot)
    if mark:
        blocks.append(Text(mark, styles.mark))
    if h.sample:
        blocks.append(Text("（示例数据，仅供演示，不作为正式报送材料）", styles.sample))
    left, middle, right = info_parts(snapshot)
    blocks += [Space(2 * MM), InfoLine((printable(left), printable(middle), printable(right)), styles.info)]
    sections = tables(snapshot)
    data = [t for t in sections if t.sheet != "佐证材料清单"]
    for number, table in enumerate(data):
        tail = SignatureBlock(snapshot, styles, seal) if number == len(data) - 1 else None
        blocks.append(Text(table.title, styles.heading, keep_with_next=True))
        blocks.append(TableBlock(_clean(table), styles.table, tail=tail))
    explained = [Text("填表说明：", styles.heading)]
    explained += [Text(f"{n}. {printable(text)}", styles.note) for n, text in enumerate(notes(snapshot), 1)]
    blocks.append(Together(explained))  # the notes are read together: never one line of them on a page
    if snapshot.indicators:
        from ipdesk.reports.pdf_charts import ChartGrid

        blocks.append(Text("附：主要指标走势", styles.heading, keep_with_next=True))
        blocks.append(
            Text(
                "虚线为按方案基数和年均预增计算的各年预期值，圆点为本单位各年填报值（相邻年份连线），方框为基数；"
                "只有一年填报值的指标以文字列出。",
                styles.caption,
                keep_with_next=True,
            )
        )
        blocks.append(ChartGrid(list(snapshot.indicators), styles.font, int(h.period[:4])))
    evidence = next((t for t in sections if t.sheet == "佐证材料清单"), None)
    if evidence is not None and evidence.items:
        blocks.append(Text(evidence.title, styles.heading, keep_with_next=True))
        blocks.append(TableBlock(_clean(evidence), styles.table))
    full_text = task_text_table(snapshot)  # the form prints each task's first sentence; here is the plan's text
    if full_text.items:
        blocks.append(Text(full_text.title, styles.heading, keep_with_next=True))
        blocks.append(TableBlock(_clean(full_text), styles.table))
    return blocks


def lay_out(
    snapshot: ReportSnapshot, face: str = "", checked: bool = False
) -> tuple[str, list[list[tuple[Block, float]]], dict]:
    """The font, the blocks placed on pages (what ``write_pdf`` draws, and tests read), and the dict that receives
    the seal's place when the pages are drawn. Characters the font cannot draw are refused here, unless the caller
    has ``checked`` them already (an export checks before it writes anything)."""
    font = fonts.register(face)
    if not checked:
        fonts.check_printable(font, all_texts(snapshot))
    seal: dict = {}
    return font, paginate(story(snapshot, ReportStyles(font), seal), PAGE), seal


def write_pdf(snapshot: ReportSnapshot, path: Path, face: str = "", checked: bool = False) -> dict:
    """Write the PDF; returns where the seal's place landed: {"page": index, "box": (x1, y1, x2, y2)}, a 42 mm
    square over the unit name and date of the signature block. ``checked``: as for ``lay_out``."""
    font, pages, seal = lay_out(snapshot, face, checked)
    h = snapshot.header
    info = DocumentInfo(
        title=report_title(snapshot), author=h.unit_line, subject=h.period_name, keywords=keywords(snapshot)
    )
    render(Path(path), pages, PAGE, font, info, _decorate(font, draft_mark(snapshot), h.sample))
    return seal


def _decorate(font: str, mark: str, sample: bool):
    def decorate(canvas, number: int, total: int) -> None:
        canvas.setFillColorRGB(0, 0, 0)
        footer = f"第 {number} 页 共 {total} 页"
        draw_text(canvas, font, 10.5, (PAGE.size[0] - font_measure(font, 10.5)(footer)) / 2, 7 * MM, footer)
        if mark:  # at the top right of every page, in a box
            size = 11
            width = font_measure(font, size)(mark)
            x = PAGE.size[0] - PAGE.right - width - 4
            y = PAGE.size[1] - 9.5 * MM
            canvas.setStrokeColorRGB(*RED)
            canvas.setFillColorRGB(*RED)
            canvas.setLineWidth(0.8)
            canvas.rect(x - 3, y - 3, width + 6, size + 5, stroke=1, fill=0)
            draw_text(canvas, font, size, x, y, mark, bold=True)
        if sample:
            canvas.saveState()
            canvas.setFillColorRGB(0.8, 0.1, 0.1, alpha=0.12)
            canvas.translate(PAGE.size[0] / 2, PAGE.size[1] / 2)
            canvas.rotate(25)
            draw_text(canvas, font, 72, -font_measure(font, 72)("示例数据") / 2, 0, "示例数据")
            canvas.restoreState()
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setStrokeColorRGB(0, 0, 0)

    return decorate

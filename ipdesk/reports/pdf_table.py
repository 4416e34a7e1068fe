"""A table of the table engine (``table_model.Table``) as a PDF block: header row repeated on every page, group
heading rows across the table, cell backgrounds, Chinese line breaking in every cell, and rows that continue on the
next page when they must (a row is split between its lines, never a heading left alone at the foot of a page).

``TableBlock(table, style)`` is all another report needs; ``tail`` keeps a block (the signature) right after the
table's last rows, on the same page as at least the last row.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipdesk.reports.linebreak import break_lines
from ipdesk.reports.pdf_pages import Block, aligned_x, draw_text, font_measure
from ipdesk.reports.table_model import Column, Group, Metrics, Table, cell_align, fit_widths


@dataclass(frozen=True)
class TableStyle:
    font: str
    size: float = 9.0  # body text: never smaller than 9 pt
    leading: float = 11.2
    header_size: float = 9.0
    padding_x: float = 2.5
    padding_y: float = 2.0
    header_fill: str = "E7E6E6"
    group_fill: str = "F2F2F2"
    rule: float = 0.5

    @property
    def metrics(self) -> Metrics:
        return Metrics(size=self.size, header_size=self.header_size, padding=self.padding_x)


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    red, green, blue = (int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return red, green, blue


@dataclass
class _Line:
    """A row (or a group heading) ready to draw: each cell's lines."""

    cells: list[list[str]]  # one list of lines per column; a group heading has one cell
    fills: list[str]
    group: bool = False
    aligns: list[str] | None = None  # per cell: left, center, right

    def __post_init__(self) -> None:
        # Asked for on every layout pass (heights, splits, page after page): counted once, cells never change.
        self.count: int = max((len(lines) for lines in self.cells), default=1) or 1

    def part(self, start: int, stop: int | None) -> _Line:
        return _Line([lines[start:stop] for lines in self.cells], self.fills, self.group, self.aligns)


class TableBlock(Block):
    def __init__(
        self,
        table: Table,
        style: TableStyle,
        widths: list[float] | None = None,
        tail: Block | None = None,
        _lines: list[_Line] | None = None,
        _header: list[list[str]] | None = None,
    ):
        self.table, self.style, self.tail = table, style, tail
        self.widths = widths
        self._items = _lines
        self._header = _header

    # -- preparing ----------------------------------------------------------------------------------------------
    def _prepare(self, width: float) -> None:
        if self._items is not None and self.widths is not None and abs(sum(self.widths) - width) < 0.5:
            return
        s = self.style
        if self.widths is None or abs(sum(self.widths) - width) >= 0.5:
            self.widths = list(fit_widths(self.table, width, s.metrics))
        body = font_measure(s.font, s.size)
        header = font_measure(s.font, s.header_size)
        room = [w - 2 * s.padding_x for w in self.widths]
        self._header = [
            break_lines(c.title, r, header, words=c.header_words) for c, r in zip(self.table.columns, room, strict=True)
        ]
        items: list[_Line] = []
        for item in self.table.items:
            if isinstance(item, Group):
                items.append(_Line([break_lines(item.text, width - 2 * s.padding_x, body)], [""], group=True))
                continue
            cells = []
            for column, cell, space in zip(self.table.columns, item, room, strict=True):
                text = cell.text
                cells.append(_cell_lines(column, text, space, body) if text else [])
            items.append(
                _Line(
                    cells,
                    [cell.fill for cell in item],
                    aligns=[cell_align(c, v) for c, v in zip(self.table.columns, item, strict=True)],
                )
            )
        if not items:
            items.append(_Line([break_lines(self.table.empty_text, width - 2 * s.padding_x, body)], [""], group=True))
        self._items = items

    def _row_height(self, lines: int) -> float:
        return lines * self.style.leading + 2 * self.style.padding_y

    def _header_height(self) -> float:
        assert self._header is not None
        lines = max(len(h) for h in self._header)
        return lines * self.style.leading + 2 * self.style.padding_y

    # -- layout -------------------------------------------------------------------------------------------------
    def height(self, width: float) -> float:
        self._prepare(width)
        assert self._items is not None
        rows = sum(self._row_height(item.count) for item in self._items)
        return self._header_height() + rows + (self.tail.height(width) if self.tail else 0)

    def min_height(self, width: float) -> float:
        self._prepare(width)
        assert self._items is not None
        if len(self._items) < 2:
            return self.height(width)  # nothing to split: all of it, with its tail
        need = self._header_height()
        for item in self._items:
            if item.group:
                need += self._row_height(item.count)
                continue
            return need + self._row_height(min(item.count, 2))
        return need

    def split(self, width: float, available: float) -> tuple[Block, Block] | None:
        self._prepare(width)
        assert self._items is not None
        items = list(self._items)
        used = self._header_height()
        count = 0
        while count < len(items) and used + self._row_height(items[count].count) <= available + 0.01:
            used += self._row_height(items[count].count)
            count += 1
        first, rest = items[:count], items[count:]
        if not rest:
            # All rows fit but the tail does not: the last row goes over with it, so the tail is never alone.
            if len(first) < 2:
                return None
            rest = [first.pop()]
        elif not rest[0].group:
            # The row that does not fit continues on the next page if a few of its lines fit here and there.
            lines_here = int((available - used - 2 * self.style.padding_y + 0.01) // self.style.leading)
            total = rest[0].count
            rest_lines = total - lines_here
            if lines_here >= 2 and rest_lines >= 1 and (rest_lines >= 2 or lines_here >= 3):
                row = rest.pop(0)
                first.append(row.part(0, lines_here))
                rest.insert(0, row.part(lines_here, None))
        while first and first[-1].group:  # a heading goes with its rows
            rest.insert(0, first.pop())
        if not first:
            return None
        head = TableBlock(self.table, self.style, self.widths, None, first, self._header)
        tail = TableBlock(self.table, self.style, self.widths, self.tail, rest, self._header)
        return head, tail

    # -- drawing ------------------------------------------------------------------------------------------------
    def draw(self, canvas, x: float, top: float, width: float) -> None:
        self._prepare(width)
        assert self._items is not None and self.widths is not None and self._header is not None
        s = self.style
        lefts = [x]
        for w in self.widths:
            lefts.append(lefts[-1] + w)
        right = lefts[-1]
        header_height = self._header_height()
        canvas.setFillColorRGB(*_rgb(s.header_fill))
        canvas.rect(x, top - header_height, right - x, header_height, stroke=0, fill=1)
        y = top - header_height
        spans = []
        for item in self._items:
            height = self._row_height(item.count)
            if item.group:
                canvas.setFillColorRGB(*_rgb(s.group_fill))
                canvas.rect(x, y - height, right - x, height, stroke=0, fill=1)
            else:
                for number, fill in enumerate(item.fills):
                    if fill:
                        canvas.setFillColorRGB(*_rgb(fill))
                        canvas.rect(lefts[number], y - height, self.widths[number], height, stroke=0, fill=1)
            spans.append((y, height, item))
            y -= height
        bottom = y
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setStrokeColorRGB(0, 0, 0)
        # header text, centred both ways
        header_measure = font_measure(s.font, s.header_size)
        for number, lines in enumerate(self._header):
            block = len(lines) * s.leading
            baseline = top - (header_height - block) / 2 - _ascent(s.leading, s.header_size)
            for line in lines:
                left = aligned_x("center", lefts[number] + s.padding_x, self.widths[number] - 2 * s.padding_x, 0)
                draw_text(canvas, s.font, s.header_size, left - header_measure(line) / 2, baseline, line, bold=True)
                baseline -= s.leading
        body = font_measure(s.font, s.size)
        # The cells' lines go into one text object (one font setting, each line placed by its origin) instead of
        # one object per line; the headings' bold lines keep their own (they set the outline's width).
        cells = canvas.beginText()
        cells.setFont(s.font, s.size)
        for row_top, _, item in spans:
            baseline = row_top - s.padding_y - _ascent(s.leading, s.size)
            if item.group:
                for line in item.cells[0]:
                    draw_text(canvas, s.font, s.size, x + s.padding_x, baseline, line, bold=True)
                    baseline -= s.leading
                continue
            for number, (align, lines) in enumerate(zip(item.aligns or [], item.cells, strict=True)):
                line_y = baseline
                for line in lines:
                    if line:
                        left = aligned_x(
                            align, lefts[number] + s.padding_x, self.widths[number] - 2 * s.padding_x, body(line)
                        )
                        cells.setTextOrigin(left, line_y)
                        cells.textOut(line)
                    line_y -= s.leading
        canvas.drawText(cells)
        # the grid
        canvas.setLineWidth(s.rule)
        canvas.rect(x, bottom, right - x, top - bottom, stroke=1, fill=0)
        canvas.line(x, top - header_height, right, top - header_height)
        for row_top, height, _ in spans:
            canvas.line(x, row_top - height, right, row_top - height)
        for left in lefts[1:-1]:
            canvas.line(left, top, left, top - header_height)
            for row_top, height, item in spans:
                if not item.group:
                    canvas.line(left, row_top, left, row_top - height)
        if self.tail is not None:
            self.tail.draw(canvas, x, bottom, width)


def _ascent(leading: float, size: float) -> float:
    """From the top of a line's box to its baseline: half the extra leading, then the face's ascent."""
    return (leading - size) / 2 + 0.84 * size


def _cell_lines(column: Column, text: str, room: float, measure) -> list[str]:
    if column.fixed:
        return text.split("\n")  # sized to fit: a status or a number is never broken
    return break_lines(text, room, measure)

"""A small page layout engine for the PDF, drawn straight on reportlab's canvas.

A document is a list of blocks laid out top to bottom; a block that does not fit either splits (a table, a long
text) or moves to the next page. Every line of text is broken by ``linebreak`` (避头尾), with the one embedded font.
Platypus is not used: its paragraphs break Chinese without the rules and cost more to import than the whole layout.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import cast

from ipdesk.reports.linebreak import Measure, break_lines


@lru_cache(maxsize=64)
def font_measure(font: str, size: float) -> Measure:
    """Width in points of a text in the registered font ``font`` at ``size``."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    # The stubs type getFont as returning a Type 1 Font; every font ipdesk registers is a TrueType one.
    face = cast(TTFont, pdfmetrics.getFont(font)).face
    widths, default, scale = face.charWidths, face.defaultWidth, size / 1000.0
    known: dict[str, float] = {}

    def measure(text: str) -> float:
        width = known.get(text)
        if width is None:
            if len(known) > 50_000:
                known.clear()
            width = known[text] = sum(widths.get(ord(char), default) for char in text) * scale
        return width

    return measure


def draw_text(canvas, font: str, size: float, x: float, y: float, text: str, bold: bool = False) -> None:
    """One line at baseline ``y``; ``bold`` strokes the outline too (the embedded face has no bold)."""
    if not text:
        return
    obj = canvas.beginText(x, y)
    obj.setFont(font, size)
    if bold:
        canvas.setLineWidth(size * 0.03)
        obj.setTextRenderMode(2)
    obj.textOut(text)
    if bold:
        obj.setTextRenderMode(0)  # the mode outlives the text object: put it back
    canvas.drawText(obj)


def aligned_x(align: str, left: float, width: float, line_width: float) -> float:
    if align == "center":
        return left + (width - line_width) / 2
    if align == "right":
        return left + width - line_width
    return left


class Block(ABC):
    """Something laid out on the page: it knows its height at a width, maybe how to split, and how to draw."""

    keep_with_next = False  # a heading: on the same page as the start of what follows

    @abstractmethod
    def height(self, width: float) -> float: ...

    def min_height(self, width: float) -> float:
        """The smallest first piece of this block (what a heading before it needs beside it)."""
        return self.height(width)

    def split(self, width: float, available: float) -> tuple[Block, Block] | None:
        """A first part that fits in ``available`` and the rest, or None when nothing useful fits."""
        return None

    @abstractmethod
    def draw(self, canvas, x: float, top: float, width: float) -> None: ...


class Space(Block):
    def __init__(self, points: float):
        self.points = points

    def height(self, width: float) -> float:
        return self.points

    def draw(self, canvas, x: float, top: float, width: float) -> None:
        return None


@dataclass(frozen=True)
class TextStyle:
    font: str
    size: float
    leading: float
    align: str = "left"
    colour: tuple[float, float, float] = (0, 0, 0)
    bold: bool = False
    space_before: float = 0
    space_after: float = 0
    indent: float = 0  # lines after the first start this far in (a numbered note's hanging indent)


class Text(Block):
    """A paragraph: broken into lines with Chinese rules, split between lines across pages."""

    def __init__(
        self,
        text: str,
        style: TextStyle,
        keep_with_next: bool = False,
        lines: list[str] | None = None,
        continued: bool = False,
    ):
        self.text, self.style, self.keep_with_next = text, style, keep_with_next
        self._lines = lines
        self._width: float | None = None
        self.continued = continued  # the rest of a split paragraph: no space before, every line indented

    def lines(self, width: float) -> list[str]:
        if self._lines is None or (self._width is not None and self._width != width):
            s = self.style
            self._lines = break_lines(self.text, width - s.indent, font_measure(s.font, s.size))
            self._width = width
        return self._lines

    def _before(self) -> float:
        return 0 if self.continued else self.style.space_before

    def height(self, width: float) -> float:
        return self._before() + len(self.lines(width)) * self.style.leading + self.style.space_after

    def min_height(self, width: float) -> float:
        return self._before() + min(2, len(self.lines(width))) * self.style.leading

    def split(self, width: float, available: float) -> tuple[Block, Block] | None:
        lines = self.lines(width)
        fit = int((available - self._before()) // self.style.leading)
        if fit < 1 or fit >= len(lines):
            return None
        first = Text(self.text, self.style, lines=lines[:fit], continued=self.continued)
        first.style = TextStyle(**{**self.style.__dict__, "space_after": 0})
        rest = Text(self.text, self.style, lines=lines[fit:], continued=True)
        first._width = rest._width = width
        return first, rest

    def draw(self, canvas, x: float, top: float, width: float) -> None:
        s = self.style
        measure = font_measure(s.font, s.size)
        canvas.setFillColorRGB(*s.colour)
        canvas.setStrokeColorRGB(*s.colour)
        baseline = top - self._before() - s.size * 0.93
        for number, line in enumerate(self.lines(width)):
            indent = s.indent if (number or self.continued) else 0
            left = aligned_x(s.align, x + indent, width - indent, measure(line))
            draw_text(canvas, s.font, s.size, left, baseline, line, s.bold)
            baseline -= s.leading
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setStrokeColorRGB(0, 0, 0)


class Together(Block):
    """Blocks kept on one page."""

    def __init__(self, blocks: Sequence[Block]):
        self.blocks = blocks

    def height(self, width: float) -> float:
        return sum(block.height(width) for block in self.blocks)

    def draw(self, canvas, x: float, top: float, width: float) -> None:
        for block in self.blocks:
            block.draw(canvas, x, top, width)
            top -= block.height(width)


@dataclass(frozen=True)
class Page:
    size: tuple[float, float]
    left: float
    right: float
    top: float
    bottom: float

    @property
    def width(self) -> float:
        return self.size[0] - self.left - self.right

    @property
    def height(self) -> float:
        return self.size[1] - self.top - self.bottom


def paginate(blocks: list[Block], page: Page) -> list[list[tuple[Block, float]]]:
    """The blocks placed on pages: per page, (block, its top's distance below the text area's top)."""
    width, height = page.width, page.height
    pages: list[list[tuple[Block, float]]] = [[]]
    used = 0.0
    queue = list(blocks)
    while queue:
        block = queue.pop(0)
        need = block.height(width)
        need_here = need
        for following in queue if block.keep_with_next else ():
            # a heading, and its caption, on the same page as the start of what they introduce
            if not following.keep_with_next:
                need_here += following.min_height(width)
                break
            need_here += following.height(width)
        if need_here <= height - used + 0.01:
            pages[-1].append((block, used))
            used += need
            continue
        parts = None if block.keep_with_next else block.split(width, height - used)
        if parts is not None:
            pages[-1].append((parts[0], used))
            pages.append([])
            used = 0.0
            queue.insert(0, parts[1])
            continue
        if used == 0:
            if isinstance(block, Space):
                continue
            # taller than a whole page and unsplittable: it goes on a page of its own, cut off at the bottom
            pages[-1].append((block, used))
            used += need
            continue
        pages.append([])
        used = 0.0
        if not isinstance(block, Space):  # no space at the top of a page
            queue.insert(0, block)
    return [placed for placed in pages if placed] or [[]]


@dataclass(frozen=True)
class DocumentInfo:
    title: str
    author: str = ""
    subject: str = ""
    keywords: str = ""
    creator: str = "ipdesk"


def render(
    path: Path,
    pages: list[list[tuple[Block, float]]],
    page: Page,
    font: str,
    info: DocumentInfo,
    decorate: Callable[[object, int, int], None] | None = None,
) -> None:
    """Draw the laid-out pages; ``decorate(canvas, page_number, total)`` adds what every page carries."""
    from reportlab.pdfgen.canvas import Canvas

    # initialFontName is a font's name; the stubs type it as a float
    canvas = Canvas(str(path), pagesize=page.size, initialFontName=font, initialFontSize=10)  # type: ignore[arg-type]
    canvas.setTitle(info.title)
    canvas.setAuthor(info.author)
    canvas.setSubject(info.subject)
    canvas.setKeywords(info.keywords)
    canvas.setCreator(info.creator)
    total = len(pages)
    top = page.size[1] - page.top
    for number, placed in enumerate(pages, 1):
        for block, offset in placed:
            block.draw(canvas, page.left, top - offset, page.width)
        if decorate is not None:
            decorate(canvas, number, total)
        canvas.showPage()
    canvas.save()

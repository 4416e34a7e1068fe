"""Chinese line breaking (避头尾) for every line the PDF prints and every row height the workbook sets.

A line never starts with closing punctuation (，。、；：？！）》」』”’% and their ASCII kin) and never ends with an
opening one (（《「『“‘); a run of Latin letters and digits ("2025", "029-88886666", "91%", a file name) stays on one
line unless it is longer than the line; a phrase given as *words* (a column header, a status) breaks only between
its words. Widths come from a ``measure`` function (text → width in points), so the same rules serve the PDF's real
font metrics and the workbook's estimate.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

# May not begin a line.
NO_START = frozenset("，。、；：？！）》」』”’%〕】〉｝］…—·～,.;:?!)]}％")
# May not end a line.
NO_END = frozenset("（《「『“‘〔【〈｛［([{")
# Characters that belong to the Latin run before them, so "2025", "v1", "a.pdf" and "029-88886666" stay whole.
_LATIN_RUN = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_+/@#&%:'")

Measure = Callable[[str], float]
_BROAD = frozenset("%MWmw@")  # Latin characters wider than most


def is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F") or char in "“”‘’…—·"


# East Asian wide and fullwidth characters (and the quotes and dashes Chinese fonts draw full width), as a class
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd“”‘’…—·]"
)


def estimate(text: str, size: float) -> float:
    """A font-independent estimate of the width of ``text`` at ``size`` points: a hanzi is one em, most others 0.6 em.

    Used to size columns and rows the same way for the PDF and the workbook whatever font either ends up with."""
    narrow = _WIDE.sub("", text)
    broad = sum(narrow.count(char) for char in _BROAD) if narrow else 0
    return (len(text) - len(narrow) + 0.9 * broad + 0.6 * (len(narrow) - broad)) * size


def estimator(size: float) -> Measure:
    """``estimate`` at one size, remembering the pieces it has measured (a line breaker measures the same hanzi
    again and again)."""
    known: dict[str, float] = {}

    def measure(text: str) -> float:
        width = known.get(text)
        if width is None:
            if len(known) > 50_000:
                known.clear()  # a long-running program measures many file names and codes: start afresh
            width = known[text] = estimate(text, size)
        return width

    return measure


def units(text: str) -> list[str]:
    """``text`` cut into the pieces a line may break between: single hanzi and punctuation, Latin runs, spaces."""
    found: list[str] = []
    run = ""
    for char in text:
        if char in _LATIN_RUN and not is_wide(char):
            run += char
            continue
        if run:
            found.append(run)
            run = ""
        found.append(char)
    if run:
        found.append(run)
    return found


def break_lines(text: str, width: float, measure: Measure, words: Sequence[str] | None = None) -> list[str]:
    """The lines ``text`` takes in ``width`` points, with Chinese line-breaking rules; explicit newlines are kept.

    ``words``: break only between these pieces (they join to ``text``); a piece wider than the line still breaks.
    """
    if words is not None:
        return _break_pieces(list(words), width, measure)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph:
            lines.append("")
        elif measure(paragraph) <= width:
            # The whole paragraph fits (most cells of a table): its pieces' widths add up to no more than this, so
            # the breaker would keep them on one line. Measured whole, a paragraph costs one look-up next time.
            lines.append(paragraph.rstrip(" "))
        else:
            lines += _break_pieces(units(paragraph), width, measure)
    return lines


def _break_pieces(pieces: list[str], width: float, measure: Measure) -> list[str]:
    widths = [measure(piece) for piece in pieces]
    lines: list[str] = []
    start = 0
    count = len(pieces)
    while start < count:
        used, end = 0.0, start
        while end < count and (used + widths[end] <= width + 0.01 or end == start):
            used += widths[end]
            end += 1
        if end == start + 1 and widths[start] > width + 0.01 and len(pieces[start]) > 1:
            # One piece longer than the line (a long file name, a hash): cut it by characters.
            head, tail = _cut(pieces[start], width, measure)
            pieces[start : start + 1] = [head, tail]
            widths[start : start + 1] = [measure(head), measure(tail)]
            count += 1
            end = start + 1
        elif end < count:
            end = _kinsoku(pieces, start, end)
        lines.append("".join(pieces[start:end]).rstrip(" "))
        start = end
        while start < count and pieces[start] == " ":
            start += 1  # a space at a break is not printed at the start of the next line
    return lines or [""]


def _kinsoku(pieces: list[str], start: int, end: int) -> int:
    """Move the break at ``end`` earlier until the next line does not start with closing punctuation and this one
    does not end with opening punctuation (spaces at the break do not count); keep at least one piece on the line."""

    def bad(at: int) -> bool:
        after = next((p for p in pieces[at:] if p != " "), "")
        before = next((p for p in reversed(pieces[start:at]) if p != " "), "")
        return after[:1] in NO_START or before[-1:] in NO_END

    best = end
    while best - 1 > start and bad(best):
        best -= 1
    return end if bad(best) else best  # a line of nothing but punctuation: nothing better exists


def _cut(piece: str, width: float, measure: Measure) -> tuple[str, str]:
    keep = 1
    while keep < len(piece) and measure(piece[: keep + 1]) <= width:
        keep += 1
    while keep > 1 and piece[keep] in NO_START:
        keep -= 1  # "91%" cut as "9" and "1%", never leaving "%" to start a line
    return piece[:keep], piece[keep:]


def line_violations(lines: Sequence[str]) -> list[str]:
    """Lines that break the rules (for tests): a line after the first starting with closing punctuation, or a line
    before the last ending with opening punctuation."""
    found = []
    for number, line in enumerate(lines):
        if number > 0 and line[:1] in NO_START:
            found.append(line)
        if number < len(lines) - 1 and line[-1:] in NO_END:
            found.append(line)
    return found

"""The table engine's data: a table is columns, rows of cells, optional group heading rows and per-cell hints.

Any report defines its tables with these (``ipdesk.reports.layout`` does it for a unit's return; the city's
consolidated reports do it for theirs) and gets both a workbook sheet (``excel_table.table_sheet``) and a PDF
section (``pdf_table.TableBlock``) from the same definition, laid out with the same column proportions:

- ``Column``: its header (``|`` marks where a header may break: ``完成|进度``) and its kind — ``text`` wraps and
  takes the spare width, ``word`` (a status, a light, a unit) and ``number`` never break and get exactly the width
  they need, ``seq`` is a centred number, ``code`` is a long code that may break anywhere (a hash).
- ``Cell``: a value (text or number), its number format (an Excel format code, the one both writers print with, so
  the workbook and the PDF read the same: ``0``, ``0.0%``, ``"≥"0``), an optional background (a light's colour).
- ``Group``: a heading row across the table (a task category, a project) under which the following rows belong.

``fit_widths`` shares the page width among the columns: fixed columns get what their longest word needs and the
text columns share the rest so that the rows come out as short as possible — except that the columns a clerk writes
in (``Column.clerk``) together keep at least the table's ``clerk_share`` of the width, whatever the other columns
hold: a form is there for the clerk's words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from ipdesk.reports.linebreak import break_lines, estimate

SLACK = 0.5  # characters of a text column's width that moving width between columns (``_exchange``) leaves spare
KINDS = ("text", "word", "number", "seq", "code")


@dataclass(frozen=True)
class Column:
    header: str  # "|" marks where the header may break: "完成|进度", "工作进展及成效|（截至9月30日）"
    kind: str = "text"
    min_chars: float = 4  # a text column's narrowest width, in hanzi
    clerk: bool = False  # the clerk's own words (进展, 问题, 计划): these share at least ``Table.clerk_share``

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    @property
    def title(self) -> str:
        return self.header.replace("|", "")

    @property
    def header_words(self) -> tuple[str, ...]:
        return tuple(word for word in self.header.split("|") if word)

    @property
    def align(self) -> str:
        return {"number": "right", "seq": "center", "word": "center"}.get(self.kind, "left")

    @property
    def fixed(self) -> bool:
        """Sized to its content (never broken) rather than given a share of the spare width."""
        return self.kind in ("word", "number", "seq")


@dataclass(frozen=True)
class Cell:
    value: object = None  # str, int, float or None
    format: str = ""  # an Excel number format code for a number ("" = General)
    fill: str = ""  # background colour as RRGGBB (a light), "" for none
    # What the cell shows (``format_value``): made once, since every layout pass of both writers asks for it.
    text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", format_value(self.value, self.format))


@dataclass(frozen=True)
class Group:
    """A heading row across the whole table; the rows after it belong to it."""

    text: str


Row = tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    sheet: str  # the workbook sheet's name
    title: str  # the section heading in the PDF and over the sheet
    columns: tuple[Column, ...]
    items: tuple[Row | Group, ...] = ()
    empty_text: str = "（无）"  # what an empty table says, in the sheet and in the PDF
    clerk_share: float = 0.0  # the least share of the width the ``clerk`` columns get together

    def __post_init__(self) -> None:
        for item in self.items:
            if not isinstance(item, Group) and len(item) != len(self.columns):
                raise ValueError(f"a row of {len(item)} cells in a table of {len(self.columns)} columns")

    @property
    def rows(self) -> list[Row]:
        """The data rows, without the group headings."""
        return [item for item in self.items if not isinstance(item, Group)]

    @property
    def groups(self) -> list[Group]:
        return [item for item in self.items if isinstance(item, Group)]

    def text_rows(self) -> list[list[str]]:
        """Every data row as the words both files print."""
        return [[cell.text for cell in row] for row in self.rows]


def cell_align(column: Column, cell: Cell) -> str:
    """Where a cell's text sits: a number to the right even in a column of words, else as its column says."""
    numeric = isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)
    return "right" if numeric and column.kind == "text" else column.align


def cells(*values: object) -> Row:
    """A row of plain cells (text or General numbers)."""
    return tuple(value if isinstance(value, Cell) else Cell(value) for value in values)


# -- number formats ------------------------------------------------------------------------------------------------
def decimals_format(value: float | None, digits: int = 2, suffix: str = "") -> str:
    """The format that shows ``value`` with as many decimals as it has (up to ``digits``): 1648 → 0, 2.5 → 0.0."""
    places = 0
    if value is not None:
        rounded = round(float(value), digits)
        while places < digits and not math.isclose(rounded, round(rounded, places), abs_tol=1e-9):
            places += 1
    return ("0" if places == 0 else "0." + "0" * places) + suffix


def with_prefix(fmt: str, prefix: str) -> str:
    """``fmt`` printed after literal text: ("0", "≥") → "≥"0."""
    return f'"{prefix}"{fmt}' if prefix else fmt


def _excel_round(value: float, places: int) -> str:
    """Round half away from zero on the decimal digits, as spreadsheets do (Python rounds half to even)."""
    quantum = Decimal(1).scaleb(-places)
    text = format(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP), "f")
    return "0" if text in ("-0", "-0.0", "-0.00") else text


def _parse_format(fmt: str) -> tuple[str, str, int, bool, str] | None:
    """(prefix, integer part, decimals, percent, suffix) of the simple formats ipdesk writes; None otherwise."""
    prefix, rest = _literal(fmt)
    number = ""
    while rest[:1] in ("0", "#", ","):
        number += rest[0]
        rest = rest[1:]
    if "0" not in number:
        return None
    places = 0
    if rest.startswith("."):
        rest = rest[1:]
        while rest[:1] == "0":
            places += 1
            rest = rest[1:]
    percent = rest.startswith("%")
    if percent:
        rest = rest[1:]
    suffix, rest = _literal(rest)
    return (prefix, number, places, percent, suffix) if not rest else None


def _literal(text: str) -> tuple[str, str]:
    """Leading quoted literals ("…") and backslash escapes of a format code, and what follows them."""
    found = ""
    while text:
        if text.startswith('"') and '"' in text[1:]:
            end = text.index('"', 1)
            found += text[1:end]
            text = text[end + 1 :]
        elif text.startswith("\\") and len(text) > 1:
            found += text[1]
            text = text[2:]
        else:
            break
    return found, text


def format_value(value: object, fmt: str = "") -> str:
    """What a cell shows: the text itself, or the number as its format prints it (both writers use this)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    parsed = _parse_format(fmt) if fmt and fmt != "General" else None
    if parsed is None:
        return general(value)
    prefix, number, places, percent, suffix = parsed
    shown = _excel_round(value * 100 if percent else value, places)
    if "," in number:
        whole, _, fraction = shown.partition(".")
        sign = "-" if whole.startswith("-") else ""
        whole = f"{int(whole.lstrip('-')):,}"
        shown = sign + whole + (f".{fraction}" if fraction else "")
    return f"{prefix}{shown}{'%' if percent else ''}{suffix}"


def plain_format_text(value: float, fmt: str) -> str | None:
    """What a number shows in ``fmt`` when ``fmt`` is General or one of the plain formats ipdesk writes (digits,
    decimals, a percent sign, literal text before and after); None for any other format, whose rendering is not
    known here (sections, conditions, colours, dates)."""
    if fmt in ("", "General"):
        return general(value)
    return format_value(value, fmt) if _parse_format(fmt) is not None else None


def general(value: float) -> str:
    """A number as the General format shows it: no trailing zeros, up to 10 significant digits."""
    if float(value).is_integer():
        return str(int(value))
    return f"{float(value):.10g}"


# -- widths ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Metrics:
    """Sizes in points that fix how a table's columns are shared: body and header type, cell padding."""

    size: float = 9.0
    header_size: float = 9.0
    padding: float = 2.5  # left and right, each
    sample_rows: int = 240  # at most this many rows are looked at to share the width (a city-wide table is big)
    steps: int = 160  # the spare width is handed out in this many pieces


def _lines(paragraphs: list[float], room: float) -> int:
    room = max(room, 1.0)
    return sum(max(1, math.ceil(w / room - 1e-6)) for w in paragraphs) or 1


def _lines_until(paragraphs: list[float], room: float) -> tuple[int, float]:
    """``_lines(paragraphs, room)``, and a room below which (for any room from ``room`` up) that count stays: a
    paragraph of k > 1 lines loses one once ``room`` reaches w / (k - 1); a hair early, so that nothing is missed."""
    drop = math.inf
    for w in paragraphs:
        k = max(1, math.ceil(w / max(room, 1.0) - 1e-6))
        if k > 1:
            drop = min(drop, w / (k - 1 + 1e-6) * (1 - 1e-9))
    return _lines(paragraphs, room), drop


def fit_widths(table: Table, total: float, metrics: Metrics = Metrics()) -> tuple[float, ...]:
    """Column widths in points that add up to ``total``: fixed columns as wide as their longest word, text columns
    sharing the rest so that the sum of the row heights is as small as a greedy search, then moves of width between
    two columns (``_exchange``), find. Remembered for the
    last few tables: the workbook and the PDF of one report ask for the same widths — for the same width counted
    two ways (the page less its margins, the text width in millimetres), which may differ in the last bit."""
    return _fit_widths(table, round(total, 6), metrics)


@lru_cache(maxsize=16)
def _fit_widths(table: Table, total: float, metrics: Metrics) -> tuple[float, ...]:
    size, pad = metrics.size, metrics.padding * 2
    rows = table.rows
    if len(rows) > metrics.sample_rows:
        step = len(rows) / metrics.sample_rows
        rows = [rows[int(i * step)] for i in range(metrics.sample_rows)]
    widths: list[float] = []
    text_columns: list[int] = []
    header_widths: dict[int, float] = {}
    for index, column in enumerate(table.columns):
        header = max((estimate(word, metrics.header_size) for word in column.header_words), default=0) + pad
        header_widths[index] = header
        if column.fixed:
            longest = max((estimate(line, size) for row in rows for line in row[index].text.split("\n")), default=0)
            widths.append(max(header, longest + pad))
        else:
            widths.append(max(header, column.min_chars * size + pad))
            text_columns.append(index)
    spare = total - sum(widths)
    if spare < 0 or not text_columns:
        scale = total / sum(widths)  # too many columns for the page: everything narrower, proportionally
        return tuple(w * scale for w in widths)
    fixed_lines = [
        max([len(row[i].text.split("\n")) for i, c in enumerate(table.columns) if c.fixed], default=1) for row in rows
    ]
    paragraphs = {c: [[estimate(p, size) for p in row[c].text.split("\n")] for row in rows] for c in text_columns}
    lines = {c: [_lines(p, widths[c] - pad) for p in paragraphs[c]] for c in text_columns}
    piece = spare / metrics.steps
    clerks = any(c.clerk for c in table.columns)
    others = sum(w for w, c in zip(widths, table.columns, strict=True) if not c.clerk)
    others_limit = total * (1 - table.clerk_share) if clerks else total
    wider: dict[int, list[int]] = {}
    stays_below: dict[int, list[float]] = {}  # per column and row: the room up to which wider's count holds
    for c in text_columns:
        counted = [_lines_until(p, widths[c] + piece - pad) for p in paragraphs[c]]
        wider[c], stays_below[c] = [n for n, _ in counted], [d for _, d in counted]
    weight = {c: sum(sum(p) for p in paragraphs[c]) for c in text_columns}  # ties: the column with more text
    count = len(rows)

    def tallest(r: int) -> tuple[int, int, int]:
        """Row ``r``'s tallest cell, the tallest but one (so "the row without column c" costs nothing to find),
        and the column of the tallest (-1 for a fixed one)."""
        top, runner, who = fixed_lines[r], 0, -1
        for c in text_columns:
            value = lines[c][r]
            if value > top:
                top, runner, who = value, top, c
            elif value > runner:
                runner = value
        return top, max(runner, fixed_lines[r]), who

    def saving(c: int, r: int) -> int:
        """Lines row ``r`` loses if column ``c`` gets one more piece of the spare width."""
        first, second, owner = rows_now[r]
        return first - max(second if owner == c else first, wider[c][r])

    # Each step gives a piece to the column that saves the most lines. Only the rows whose cells in that column
    # changed are measured again, so a step costs the rows it changes, not the whole table.
    rows_now = [tallest(r) for r in range(count)]
    gains = {c: [saving(c, r) for r in range(count)] for c in text_columns}
    totals = {c: sum(gains[c]) for c in text_columns}
    for _ in range(metrics.steps):
        best, best_gain = -1, None
        for c in text_columns:
            if not table.columns[c].clerk and others + piece > others_limit + 1e-6:
                continue  # the plan's words may not take the clerk's share
            key = (totals[c], weight[c] / widths[c])
            if best_gain is None or key > best_gain:
                best, best_gain = c, key
        if best < 0:
            break
        widths[best] += piece
        if not table.columns[best].clerk:
            others += piece
        before, lines[best] = lines[best], wider[best]
        room = widths[best] + piece - pad
        wider[best] = list(lines[best])
        for r in range(count):
            if room >= stays_below[best][r]:  # only these rows' counts can change at the new width
                wider[best][r], stays_below[best][r] = _lines_until(paragraphs[best][r], room)
        for r in range(count):
            if lines[best][r] != before[r]:
                rows_now[r] = tallest(r)
                for c in text_columns:
                    new = saving(c, r)
                    totals[c] += new - gains[c][r]
                    gains[c][r] = new
            else:
                new = saving(best, r)
                totals[best] += new - gains[best][r]
                gains[best][r] = new
    minimum = {c: max(header_widths[c], table.columns[c].min_chars * size + pad) for c in text_columns}
    clerk = {c: table.columns[c].clerk for c in text_columns}
    room_left = others_limit - others if clerks else None
    _exchange(widths, paragraphs, fixed_lines, minimum, clerk, piece, pad + SLACK * size, room_left)
    return tuple(widths)


def _exchange(
    widths: list[float],
    paragraphs: dict[int, list[list[float]]],
    fixed_lines: list[int],
    minimum: dict[int, float],
    clerk: dict[int, bool],
    piece: float,
    unused: float,
    others_room: float | None,
    reach: int = 8,
    rounds: int = 8,
) -> None:
    """After the hand-out, move width from one text column to another while that makes the rows shorter. The
    hand-out gives each piece to the column where one piece saves lines now, so it misses a column that needs a few
    pieces at once to save many: names a character or two too long for their column, each wrapping onto a second
    line beside a one-line text. Lines are counted here with ``unused`` points of each column's width left out,
    padding and ``SLACK`` characters: widths tuned to the last character would save lines only as long as every
    program breaks the lines exactly as estimated. ``others_room``: how much more the columns that are not the
    clerk's may take (None: the table has no clerk's columns)."""
    columns = list(paragraphs)
    if len(columns) < 2:
        return
    known: dict[tuple[int, int], list[int]] = {}

    def lines_at(c: int, steps: int) -> list[int]:
        found = known.get((c, steps))
        if found is None:
            room = max(widths[c] + steps * piece - unused, 1.0)
            ceil = math.ceil  # as ``_lines``, written out: this is most of the time the search takes
            found = known[c, steps] = [
                max(1, ceil(p[0] / room - 1e-6)) if len(p) == 1 else _lines(p, room) for p in paragraphs[c]
            ]
        return found

    for _ in range(rounds):
        best: tuple[int, int, int, int] | None = None  # (lines saved, -pieces moved, to, from)
        for to in columns:
            now_to = lines_at(to, 0)
            others = [lines_at(c, 0) for c in columns if c != to]
            if not any(map(int.__gt__, now_to, map(max, fixed_lines, *others))):
                continue  # nowhere the tallest cell: a wider column saves no line
            for away in columns:
                if to == away:
                    continue
                uses = 0.0 if clerk[to] == clerk[away] else piece if not clerk[to] else -piece
                rest = [lines_at(c, 0) for c in columns if c not in (to, away)]
                base = list(map(max, fixed_lines, *rest)) if rest else fixed_lines
                now = sum(map(max, base, now_to, lines_at(away, 0)))
                for k in range(1, reach + 1):
                    if widths[away] - k * piece < minimum[away] - 1e-6:
                        break
                    if others_room is not None and k * uses > others_room + 1e-6:
                        break
                    saved = now - sum(map(max, base, lines_at(to, k), lines_at(away, -k)))
                    if saved > 0 and (best is None or (saved, -k) > best[:2]):
                        best = (saved, -k, to, away)
        if best is None:
            return
        _, back, to, away = best
        widths[to] -= back * piece
        widths[away] += back * piece
        if others_room is not None and clerk[to] != clerk[away]:
            others_room += back * piece if not clerk[to] else -back * piece
        known = {key: value for key, value in known.items() if key[0] not in (to, away)}


def line_counts(table: Table, widths: Sequence[float], metrics: Metrics, size: float | None = None) -> list[int]:
    """The estimated number of lines of each item (rows and group headings) at these widths, for row heights."""
    size = size or metrics.size
    measure = lambda text: estimate(text, size)  # noqa: E731
    total = sum(widths)
    counts = []
    for item in table.items:
        if isinstance(item, Group):
            counts.append(len(break_lines(item.text, total - 2 * metrics.padding, measure)))
            continue
        counts.append(
            max(
                len(break_lines(cell.text, width - 2 * metrics.padding, measure)) if cell.text else 1
                for cell, width in zip(item, widths, strict=True)
            )
        )
    return counts

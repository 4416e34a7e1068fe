"""What a reader of a workbook sees, as data that can be signed, and the comparison of a file with it.

A signed workbook (format 2) carries a *view* of itself as exported: its sheets in order with their visibility,
every non-empty cell with its value and number format, merged ranges, hidden rows and columns, the printed header
and footer, and which kinds of objects (pictures, comments, charts …) it holds. Verification describes the file as it
is now and compares: anything a reader would see differently — a changed value or number format, a cell written
beside the table, a row hidden, a picture laid over a cell — is a difference, named by sheet and cell with what the
signed file held and what the file shows now.

Because the view describes the rendered workbook and not the code that rendered it, a later release that lays the
workbook out differently still verifies every return an earlier release signed. Normalisation covers what a
spreadsheet program changes on a plain re-save without changing what is seen (LibreOffice writes ``0.0"%"`` as
``0.0\\%``, whole floats as integers, very hidden sheets as hidden).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ipdesk.reports.cell_names import column_letter as get_column_letter
from ipdesk.reports.cell_names import column_number as column_index_from_string
from ipdesk.reports.cell_names import range_bounds as range_boundaries

if TYPE_CHECKING:  # the view is made of an openpyxl workbook or of ``sheet_xml.Book``, which answers alike
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from ipdesk.signing.sheet_xml import Book, Sheet

VIEW_VERSION = 1

# Parts of the package that show something besides cells, by what they are called for the user.
OBJECT_PARTS = {
    "xl/drawings/": "图形或图片",
    "xl/media/": "图片",
    "xl/charts/": "图表",
    "xl/comments": "批注",
    "xl/threadedComments/": "批注",
    "xl/embeddings/": "嵌入对象",
    "xl/activeX/": "控件",
    "xl/ctrlProps/": "控件",
    "xl/vbaProject.bin": "宏",
    "xl/externalLinks/": "外部链接",
}


# The same by the relationships that lead to them (the last part of the relationship's type), wherever the parts are
# stored and however their names are spelled: a reader finds a picture by its relationship, not by its part's name.
OBJECT_RELATIONSHIPS = {
    "drawing": "图形或图片",
    "vmlDrawing": "图形或图片",
    "image": "图片",
    "chart": "图表",
    "chartsheet": "图表",
    "comments": "批注",
    "threadedComment": "批注",
    "oleObject": "嵌入对象",
    "package": "嵌入对象",
    "control": "控件",
    "ctrlProp": "控件",
    "vbaProject": "宏",
    "externalLink": "外部链接",
}
_OBJECT_PREFIXES = {prefix.lower(): label for prefix, label in OBJECT_PARTS.items()}


def object_kinds(names: list[str]) -> list[str]:
    """The kinds of non-cell content a package holds, from its part names (in any case: a zip's names are compared
    as written, a part's name is not) and the types of its relationships (``package_parts``: ``rel:TYPE``)."""
    kinds = set()
    for name in names:
        if name.startswith("rel:"):
            label = OBJECT_RELATIONSHIPS.get(name.rsplit("/", 1)[-1])
            kinds.update([label] if label else [])
            continue
        lowered = name.lower()
        kinds.update(label for prefix, label in _OBJECT_PREFIXES.items() if lowered.startswith(prefix))
    return sorted(kinds)


def package_parts(path: Path) -> list[str]:
    """The package's part names, and ``rel:TYPE`` for each relationship of any part (``object_kinds``)."""
    from xml.etree import ElementTree

    from ipdesk.plans.workbook_bounds import relationships

    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        found = list(names)
        for name in names:
            if name.endswith(".rels"):
                try:
                    linked = relationships(archive, name)
                except (KeyError, ElementTree.ParseError):
                    continue  # the package's check (``workbook_bounds.package_ambiguity``) has read every one
                found.extend(f"rel:{kind}" for kind, _ in (linked or {}).values() if kind)
    return found


# -- describing ----------------------------------------------------------------------------------------------------
# Below these a row or a column shows nothing a reader could read: a line of table text needs about 13 pt.
MIN_ROW_HEIGHT = 5.0  # points
MIN_COLUMN_WIDTH = 1.5  # characters


def describe(workbook: Workbook | Book, skip: str, parts: list[str] | None = None) -> dict:
    """The view of ``workbook`` (sheet ``skip``, the signature's own, is listed but not described)."""
    sheets: list[dict[str, object]] = []
    for sheet in workbook.worksheets:
        if sheet.title == skip:
            sheets.append({"name": sheet.title, "state": _state(sheet.sheet_state)})
            continue
        sheets.append(
            {
                "name": sheet.title,
                "state": _state(sheet.sheet_state),
                "merged": sorted(str(r) for r in sheet.merged_cells.ranges),
                "hidden_rows": _hidden_rows(sheet),
                "hidden_columns": _hidden_columns(sheet),
                "sizes": _sizes(sheet),
                "header_footer": _header_footer(sheet),
                "print": _print_setup(sheet),
                "conditional_formats": sorted(str(r.sqref) for r in sheet.conditional_formatting),
                "validations": len(sheet.data_validations.dataValidation),
                "cells": [_cell(c) for row in sheet.iter_rows() for c in row if _shows(c.value)],
            }
        )
    return {"view": VIEW_VERSION, "sheets": sheets, "objects": object_kinds(parts or [])}


def _state(state: str) -> str:
    # LibreOffice saves a very hidden sheet as hidden; either way no reader sees it.
    return "hidden" if state in ("hidden", "veryHidden") else "visible"


def _shows(value: object) -> bool:
    return value is not None and value != ""


def _cell(cell) -> list:
    return [cell.coordinate, *_typed(cell.value, cell.data_type), normal_format(cell.number_format), _look(cell)]


def _typed(value: object, data_type: str) -> tuple[str, object]:
    if isinstance(value, bool):
        return "b", value
    if isinstance(value, (int, float)):
        return "n", int(value) if float(value).is_integer() else float(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return "d", value.isoformat()
    # Rich text (text in runs of their own fonts, as LibreOffice writes Chinese) reads as its plain text; its runs'
    # visibility is checked by ``invisible_cells``.
    return ("f" if data_type == "f" else "e" if data_type == "e" else "s"), str(value)


def _look(cell) -> str:
    """What a cell looks like beyond its value, where it differs from plain black text on no fill: the fill colour,
    the text colour, struck-through text, a link."""
    parts = []
    fill = cell.fill
    if fill is not None and fill.fill_type == "solid":
        parts.append(f"fill={_rgb(fill.fgColor) or '?'}")
    elif fill is not None and fill.fill_type not in (None, "none"):
        parts.append(f"fill={fill.fill_type}")
    colour = _rgb(cell.font.color) if cell.font is not None else None
    if colour not in (None, BLACK):
        parts.append(f"color={colour}")
    if cell.font is not None and cell.font.strike:
        parts.append("strike")
    if cell.hyperlink is not None:
        parts.append(f"link={cell.hyperlink.target or cell.hyperlink.location or '?'}")
    return ";".join(parts)


def _hidden_rows(sheet: Worksheet | Sheet) -> list[int]:
    return sorted(
        number
        for number, dims in sheet.row_dimensions.items()
        if dims.hidden or (dims.height is not None and dims.height < MIN_ROW_HEIGHT)
    )


DEFAULT_ROW_HEIGHT, DEFAULT_COLUMN_WIDTH = 15.0, 8.43
SHRINK = 0.6  # a row or a column now narrower than this share of its signed size hides what it showed


def _sizes(sheet: Worksheet | Sheet) -> dict[str, dict[str, float]]:
    """The heights of the rows and the widths of the columns that were set (a re-save moves them a little)."""
    rows = {
        str(number): round(float(dims.height), 1)
        for number, dims in sheet.row_dimensions.items()
        if dims.height is not None
    }
    columns = {}
    for key, dims in sheet.column_dimensions.items():
        if dims.width is None or not dims.customWidth:
            continue
        if dims.min and dims.max:
            low, high = dims.min, dims.max
        else:
            low = high = column_index_from_string(key)
        for number in range(low, high + 1):
            columns[get_column_letter(number)] = round(float(dims.width), 2)
    return {"rows": rows, "columns": columns}


def _shrunk(before: dict | None, after: dict | None) -> list[tuple[str, str, str]]:
    """Rows and columns squeezed well below their signed size: (place, signed size, size now)."""
    before = before or {"rows": {}, "columns": {}}
    after = after or {"rows": {}, "columns": {}}
    found = []
    for kind, default, unit, word in (
        ("rows", DEFAULT_ROW_HEIGHT, "磅", "第{}行行高"),
        ("columns", DEFAULT_COLUMN_WIDTH, "", "{}列列宽"),
    ):
        signed, now = before.get(kind, {}), after.get(kind, {})
        for key in sorted(set(signed) | set(now), key=lambda k: (len(k), k)):
            was, shown = signed.get(key, default), now.get(key, default)
            if shown < was * SHRINK:
                found.append((word.format(key), f"{was:g}{unit}", f"{shown:g}{unit}"))
    return found


def _hidden_columns(sheet: Worksheet | Sheet) -> list[int]:
    hidden: set[int] = set()
    for key, dims in sheet.column_dimensions.items():
        if dims.hidden or (dims.customWidth and dims.width is not None and dims.width < MIN_COLUMN_WIDTH):
            if dims.min and dims.max:
                low, high = dims.min, dims.max
            else:
                low = high = column_index_from_string(key)
            hidden.update(range(low, high + 1))
    return sorted(hidden)


_HEADER_CODES = re.compile(r'&"[^"]*"|&\d+|&[KkBbIiUuSsXxYyEeOoHh]')


def _header_footer(sheet: Worksheet | Sheet) -> list[str]:
    """The printed header and footer: each part's text with its size and colour where set, and which pages they
    are printed on (a first page or even pages of their own)."""
    found = []
    flags = sheet.HeaderFooter
    if flags is not None and (flags.differentFirst or flags.differentOddEven):
        found.append(f"pages:first={bool(flags.differentFirst)},odd_even={bool(flags.differentOddEven)}")
    for kind in ("oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter"):
        item = getattr(sheet, kind)
        for place in ("left", "center", "right"):
            part = getattr(item, place)
            text = _HEADER_CODES.sub("", part.text or "").strip()
            if text:
                size = f"|size={float(part.size):g}" if part.size else ""
                colour = f"|color={part.color.upper()[-6:]}" if part.color and part.color.upper()[-6:] != BLACK else ""
                found.append(f"{kind}.{place}:{text}{size}{colour}")
    return sorted(set(found))


def _print_setup(sheet: Worksheet | Sheet) -> list[str]:
    """What decides which cells reach paper: the print area and the repeated rows and columns."""
    return [
        f"area={str(sheet.print_area or '').replace('$', '')}",
        f"rows={str(sheet.print_title_rows or '').replace('$', '')}",
        f"columns={str(sheet.print_title_cols or '').replace('$', '')}",
    ]


_QUOTED = re.compile(r'"([^"]*)"')


def normal_format(fmt: str | None) -> str:
    """A number format in one spelling: quoted literals as backslash escapes, ``General`` in one case."""
    fmt = fmt or "General"
    if fmt.lower() == "general":
        return "General"
    return _QUOTED.sub(lambda m: "".join("\\" + ch for ch in m.group(1)), fmt)


# -- what a cell shows --------------------------------------------------------------------------------------------
_PLAIN = re.compile(r"^(?P<pre>(?:\\.)*)(?P<int>[#0,]*0)(?:\.(?P<dec>0+))?(?P<post>(?:\\.|%)*)$")


def displayed(kind: str, value: object, fmt: str) -> str:
    """The text a cell shows, for the formats spreadsheets use for numbers; else the value and its format."""
    if kind != "n" or not isinstance(value, int | float):  # a number ("n") is stored as one
        text = str(value)
        return text if fmt in ("General", "@") else f"{text}（格式 {fmt}）"
    number = float(value)
    if fmt == "General":
        return f"{number:.10g}"
    match = _PLAIN.match(fmt)
    if not match:
        return f"{number:.10g}（格式 {fmt}）"
    post = match.group("post")
    if "%" in post.replace("\\%", ""):
        number *= 100
    decimals = len(match.group("dec") or "")
    body = f"{number:,.{decimals}f}" if "," in match.group("int") else f"{number:.{decimals}f}"
    unescape = lambda text: re.sub(r"\\(.)", r"\1", text)  # noqa: E731
    return unescape(match.group("pre")) + body + unescape(post)


def shown(cell: list | None) -> str:
    """A described cell as the reader sees it ("（空）" when empty)."""
    if cell is None:
        return "（空）"
    _, kind, value, fmt, look = cell
    return f"“{displayed(kind, value, fmt)}”" + (f"（{_look_words(look)}）" if look else "")


_LOOK_WORDS = {"fill": "底色", "color": "文字颜色", "link": "链接"}


def _look_words(look: str) -> str:
    words = []
    for part in look.split(";"):
        key, _, value = part.partition("=")
        words.append("删除线" if key == "strike" else f"{_LOOK_WORDS.get(key, key)} {value}")
    return "，".join(words)


# -- comparing -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Difference:
    sheet: str
    where: str  # a cell ("G7"), or what changed ("合并单元格")
    signed: str  # what the signed file held
    now: str  # what the file shows now

    @property
    def text(self) -> str:
        place = f"{self.sheet}!{self.where}" if self.sheet else self.where
        return f"{place}：签署时为{self.signed}，现在为{self.now}"


def compare(signed: dict, current: dict) -> list[Difference]:
    """Every way the workbook as it is now shows something other than the signed view."""
    found: list[Difference] = []
    names_signed = [s["name"] for s in signed["sheets"]]
    names_now = [s["name"] for s in current["sheets"]]
    if names_signed != names_now:
        found.append(Difference("", "工作表", "、".join(names_signed), "、".join(names_now)))
    if signed.get("objects", []) != current.get("objects", []):
        found.append(
            Difference(
                "",
                "其他内容",
                "、".join(signed.get("objects", [])) or "无",
                "、".join(current.get("objects", [])) or "无",
            )
        )
    by_name = {s["name"]: s for s in current["sheets"]}
    for before in signed["sheets"]:
        after = by_name.get(before["name"])
        if after is None:
            continue
        name = before["name"]
        if before["state"] != after["state"]:
            found.append(Difference(name, "工作表显示", _visibility(before["state"]), _visibility(after["state"])))
        if "cells" not in before:
            continue  # the signature's own sheet: its content is checked by the signature itself
        found += _compare_sheet(name, before, after)
    return found


def _visibility(state: str) -> str:
    return "隐藏" if state == "hidden" else "显示"


def _compare_sheet(name: str, before: dict, after: dict) -> list[Difference]:
    found: list[Difference] = []
    for key, label in (
        ("merged", "合并单元格"),
        ("hidden_rows", "隐藏的行"),
        ("hidden_columns", "隐藏的列"),
        ("header_footer", "页眉页脚"),
        ("print", "打印区域"),
        ("conditional_formats", "条件格式"),
        ("validations", "数据有效性"),
    ):
        old, new = before.get(key), after.get(key)
        if old != new:
            found.append(Difference(name, label, _listed(old, key), _listed(new, key)))
    found += [Difference(name, place, was, now) for place, was, now in _shrunk(before.get("sizes"), after.get("sizes"))]
    cells_before = {c[0]: c for c in before["cells"]}
    cells_after = {c[0]: c for c in after.get("cells", [])}
    for coordinate in sorted(set(cells_before) | set(cells_after), key=_cell_order):
        old, new = cells_before.get(coordinate), cells_after.get(coordinate)
        if not _same_cell(old, new):
            found.append(Difference(name, coordinate, shown(old), shown(new)))
    return found


def _listed(value: object, key: str) -> str:
    if isinstance(value, list):
        if key == "hidden_columns":
            value = [get_column_letter(v) for v in value]
        return "“" + "、".join(str(v) for v in value) + "”" if value else "无"
    return str(value)


def _cell_order(coordinate: str) -> tuple[int, int]:
    column, row, *_ = range_boundaries(coordinate)
    return row or 0, column or 0  # a range without rows or without columns (A:A, 1:1) sorts first


def _same_cell(old: list | None, new: list | None) -> bool:
    if old is None or new is None:
        return old is new
    _, kind_old, value_old, fmt_old, look_old = old
    _, kind_new, value_new, fmt_new, look_new = new
    if kind_old != kind_new or fmt_old != fmt_new or look_old != look_new:
        return False
    if kind_old == "n":
        a, b = float(value_old), float(value_new)
        return abs(a - b) <= 1e-9 * max(1.0, abs(a))
    return value_old == value_new


BLACK, WHITE = "000000", "FFFFFF"
MIN_CONTRAST = 1.6  # WCAG contrast ratio below which text is lost in its background
MIN_TEXT_SIZE = 5.0  # points


def invisible_cells(workbook: Workbook | Book, skip: str) -> list[Difference]:
    """Cells whose text cannot be read although they hold something: text (or a run of rich text) in a colour too
    close to its background, or too small to read. A signed workbook has none; a forger might hide a word so."""
    found = []
    for sheet in workbook.worksheets:
        if sheet.title == skip or sheet.sheet_state != "visible":
            continue
        for row in sheet.iter_rows():
            for cell in row:
                if not _shows(cell.value):
                    continue
                background = (
                    _rgb(cell.fill.fgColor) if cell.fill is not None and cell.fill.fill_type == "solid" else None
                )
                background = background or WHITE
                cell_font = cell.font
                fonts: list = [(cell_font, str(cell.value))]
                runs = getattr(cell.value, "runs", None)  # rich text as ``sheet_xml`` reads it
                if runs is not None:
                    fonts = [
                        (_RunFont(font, cell_font) if font is not None else cell_font, text) for font, text in runs
                    ]
                elif type(cell.value).__name__ == "CellRichText":  # only openpyxl makes one: it is loaded then
                    from openpyxl.cell.rich_text import CellRichText, TextBlock

                    assert isinstance(cell.value, CellRichText)
                    fonts = [
                        (_RunFont(block.font, cell_font), block.text)
                        if isinstance(block, TextBlock)
                        else (cell_font, str(block))
                        for block in cell.value
                    ]
                for font, text in fonts:
                    if not text.strip():
                        continue
                    colour = (_rgb(font.color) if font is not None else None) or BLACK
                    size = _size(font)
                    if contrast(colour, background) < MIN_CONTRAST or (size is not None and size < MIN_TEXT_SIZE):
                        found.append(
                            Difference(
                                sheet.title,
                                cell.coordinate,
                                "可以看见的文字",
                                f"看不见的文字“{text[:20]}”（颜色或字号）",
                            )
                        )
                        break
    return found


class _RunFont:
    """A rich-text run's font, falling back to the cell's for what the run does not set."""

    def __init__(self, run_font, cell_font):
        self.color = getattr(run_font, "color", None) or getattr(cell_font, "color", None)
        size = getattr(run_font, "sz", None)
        self.sz = size if size is not None else getattr(cell_font, "sz", None)


def _size(font) -> float | None:
    size = getattr(font, "sz", None)
    try:
        return float(size) if size is not None else None
    except (TypeError, ValueError):
        return None


def _rgb(colour) -> str | None:
    """A colour as six hex digits, as it is drawn: theme and palette colours resolved and their tint applied; None
    for automatic (black text)."""
    if colour is None:
        return None
    kind = getattr(colour, "type", None)
    base: str | None
    if kind == "theme":
        # Excel swaps the first pairs of the theme: 0 is the background (white), 1 the text (black).
        base = {0: WHITE, 1: BLACK, 2: "E7E6E6", 3: "44546A"}.get(getattr(colour, "theme", None) or 0, None)
    elif kind == "indexed":
        index = getattr(colour, "indexed", None)
        base = COLOR_INDEX[index][-6:].upper() if isinstance(index, int) and 0 <= index < len(COLOR_INDEX) else None
    else:
        rgb = getattr(colour, "rgb", None)
        base = rgb[-6:].upper() if isinstance(rgb, str) and len(rgb) in (6, 8) else None
    tint = getattr(colour, "tint", 0.0) or 0.0
    if base is None or not tint:
        return base
    channels = [int(base[i : i + 2], 16) for i in (0, 2, 4)]
    tinted = [round(c * (1 + tint)) if tint < 0 else round(c + (255 - c) * tint) for c in channels]
    return "".join(f"{min(max(c, 0), 255):02X}" for c in tinted)


@functools.lru_cache(maxsize=1024)  # a workbook has a few colours, asked for cell by cell
def contrast(one: str, other: str) -> float:
    """The WCAG contrast ratio of two colours (1 = the same, 21 = black on white)."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    a, b = sorted((luminance(one), luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


# openpyxl.styles.colors.COLOR_INDEX, the legacy palette (a test keeps them equal); 64 and 65 are the system's colours
COLOR_INDEX = (
    "00000000", "00FFFFFF", "00FF0000", "0000FF00", "000000FF", "00FFFF00", "00FF00FF", "0000FFFF",
    "00000000", "00FFFFFF", "00FF0000", "0000FF00", "000000FF", "00FFFF00", "00FF00FF", "0000FFFF",
    "00800000", "00008000", "00000080", "00808000", "00800080", "00008080", "00C0C0C0", "00808080",
    "009999FF", "00993366", "00FFFFCC", "00CCFFFF", "00660066", "00FF8080", "000066CC", "00CCCCFF",
    "00000080", "00FF00FF", "00FFFF00", "0000FFFF", "00800080", "00800000", "00008080", "000000FF",
    "0000CCFF", "00CCFFFF", "00CCFFCC", "00FFFF99", "0099CCFF", "00FF99CC", "00CC99FF", "00FFCC99",
    "003366FF", "0033CCCC", "0099CC00", "00FFCC00", "00FF9900", "00FF6600", "00666699", "00969696",
    "00003366", "00339966", "00003300", "00333300", "00993300", "00993366", "00333399", "00333333",
)  # fmt: skip

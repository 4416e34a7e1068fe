"""Plain-text tables for the terminal that line up with Chinese text (each hanzi takes two columns)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1 for ch in text)


def clip(text: str, width: int) -> str:
    """Cut ``text`` to at most ``width`` columns, ending with … when anything was cut."""
    if display_width(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out += ch
        used += w
    return out + "…"


def pad(text: str, width: int, align: str = "<") -> str:
    gap = " " * max(width - display_width(text), 0)
    return gap + text if align == ">" else text + gap


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    max_widths: Sequence[int | None] = (),
    align: Sequence[str] = (),
) -> str:
    """A table with a header rule; ``max_widths`` clips long columns, ``align`` is "<" or ">" per column."""
    limits = list(max_widths) + [None] * (len(headers) - len(max_widths))
    aligns = list(align) + ["<"] * (len(headers) - len(align))
    cells = [
        [
            clip("" if value is None else str(value), limit) if limit else ("" if value is None else str(value))
            for value, limit in zip(row, limits, strict=False)
        ]
        for row in rows
    ]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(pad(h, w, a) for h, w, a in zip(headers, widths, aligns, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(pad(c, w, a) for c, w, a in zip(row, widths, aligns, strict=False)).rstrip() for row in cells]
    return "\n".join(lines)


def format_number(value: float | None, digits: int = 4) -> str:
    """13.0 → "13", 2.186… → "2.186", None → "—"."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")

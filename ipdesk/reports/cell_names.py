"""Cell names as a spreadsheet writes them (``G7``, ``A1:I1``, ``D:F``), without loading a spreadsheet library.

The same rules as openpyxl's ``openpyxl.utils`` (tests compare them): columns ``A`` … ``XFD`` (1 … 16384), rows from 1,
``$`` marks ignored. Used where a workbook is checked, so that checking a return does not pay for importing openpyxl.
"""

from __future__ import annotations

import re
from functools import lru_cache

MAX_COLUMN = 16384  # XFD
MAX_ROW = 1048576

_RANGE = re.compile(
    r"^[$]?(?P<min_col>[A-Za-z]{1,3})?[$]?(?P<min_row>\d+)?"
    r"(?P<sep>:[$]?(?P<max_col>[A-Za-z]{1,3})?[$]?(?P<max_row>\d+)?)?$"
)


@lru_cache(maxsize=4096)
def column_number(letters: str) -> int:
    """``A`` → 1, ``XFD`` → 16384; ``ValueError`` beyond."""
    if not letters or len(letters) > 3 or not letters.isascii() or not letters.isalpha():
        raise ValueError(f"{letters!r} is not a column")
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    if number > 18278:
        raise ValueError(f"{letters!r} is not a column")
    return number


@lru_cache(maxsize=4096)
def column_letter(number: int) -> str:
    """1 → ``A``, 16384 → ``XFD``; ``ValueError`` outside 1 … 18278 (as openpyxl)."""
    if not 1 <= number <= 18278:
        raise ValueError(f"Invalid column index {number}")
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@lru_cache(maxsize=65536)  # a return names the same few hundred cells again and again
def range_bounds(reference: str) -> tuple[int | None, int | None, int | None, int | None]:
    """(min column, min row, max column, max row) of ``A1``, ``A1:B2``, ``A:B`` or ``1:2``; None where the reference
    leaves a side open. ``ValueError`` for what is not a range (as ``openpyxl.utils.range_boundaries``)."""
    match = _RANGE.match(reference)
    if match is None:
        raise ValueError(f"{reference} is not a valid coordinate or range")
    min_col, min_row, sep, max_col, max_row = match.group("min_col", "min_row", "sep", "max_col", "max_row")
    if sep:
        columns, rows = (min_col, max_col), (min_row, max_row)
        if not (all(columns + rows) or (all(columns) and not any(rows)) or (all(rows) and not any(columns))):
            raise ValueError(f"{reference} is not a valid coordinate or range")
    low_column = column_number(min_col) if min_col is not None else None
    low_row = int(min_row) if min_row is not None else None
    high_column = column_number(max_col) if max_col is not None else low_column
    high_row = int(max_row) if max_row is not None else low_row
    return low_column, low_row, high_column, high_row

"""The printout's QR code: reportlab's encoder, with its choice of mask scored faster.

A QR encoder tries the eight masks and keeps the one with the fewest penalty points (ISO/IEC 18004 § 7.8.3).
reportlab scores them cell by cell in Python, which is most of the time a signed PDF spends on its QR code;
``_penalty`` gives the same points from each line read as a string of 0 and 1, so the code drawn is exactly the one
reportlab makes (a test compares them over many texts). ``dark_runs`` gives the dark modules row by row as runs, for
drawing each run as one rectangle.
"""

from __future__ import annotations

import re

_LONG_RUN = re.compile(r"0{5,}|1{5,}")
_FINDER_LIKE = "10111010000"  # the pattern reportlab's rule 3 looks for (in this direction only)
_DIGITS = bytes.maketrans(b"\x00\x01", b"01")  # a row of booleans as bytes → "0" and "1"


def modules(text: str) -> list[list[bool]]:
    """The QR code of ``text`` (error correction level L), as reportlab's ``QRCode.make`` makes it."""
    from reportlab.graphics.barcode import qrencoder

    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.L)
    code.addData(text)
    code.version = code.calculate_version()
    best, lowest = 0, -1
    for mask in range(8):
        code.makeImpl(True, mask)
        points = _penalty(code.modules)
        if lowest < 0 or points < lowest:  # the first of equals, as reportlab keeps it
            best, lowest = mask, points
    code.makeImpl(False, best)
    return code.modules


def _penalty(grid: list[list[bool]]) -> int:
    """reportlab's ``QRUtil.getLostPoint``: runs of five or more, 2×2 blocks, the finder-like pattern (as reportlab
    finds it: in rows only, one direction, non-overlapping, never at a row's last place) and the share of dark
    cells."""
    rows = [bytes(row).translate(_DIGITS).decode("ascii") for row in grid]
    columns = ["".join(column) for column in zip(*rows, strict=True)]
    points = 0
    for line in (*rows, *columns):
        points += sum(len(run) - 2 for run in _LONG_RUN.findall(line))
    for line in rows:  # reportlab compares each column's tuple with a list there: never equal, never counted
        last = len(line) - len(_FINDER_LIKE)
        start = line.find(_FINDER_LIKE)
        while 0 <= start < last:
            points += 40
            start = line.find(_FINDER_LIKE, start + len(_FINDER_LIKE))
    width = len(rows[0])
    pairs = (1 << (width - 1)) - 1  # the places of a horizontal pair of cells
    previous = int(rows[0], 2)
    previous_pairs = ~(previous ^ (previous >> 1)) & pairs
    for row in rows[1:]:
        value = int(row, 2)
        row_pairs = ~(value ^ (value >> 1)) & pairs
        points += 3 * (row_pairs & previous_pairs & ~(value ^ previous)).bit_count()
        previous, previous_pairs = value, row_pairs
    dark = sum(row.count("1") for row in rows)
    return points + 10 * (abs(100 * dark // (width * width) - 50) // 5)


def dark_runs(grid: list[list[bool]]) -> list[tuple[int, int, int]]:
    """Each row's dark modules as (row, first column, length) runs."""
    runs = []
    for number, row in enumerate(grid):
        start = None
        for column, dark in enumerate([*row, False]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                runs.append((number, start, column - start))
                start = None
    return runs

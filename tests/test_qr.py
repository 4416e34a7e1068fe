"""The printout's QR code: the same code reportlab's encoder makes, with its mask chosen faster."""

from __future__ import annotations

import random

from reportlab.graphics.barcode import qrencoder

from ipdesk.reports import qr


def _texts() -> list[str]:
    """What the printouts carry (unit, period, version, digest) and texts of every length up to version 10."""
    picked = random.Random(24)
    letters = "0123456789abcdefABCDEF|-:v市区县局法院碑林知识产权高新开发管理委员会（）"
    texts = [
        f"ipdesk|{unit}|2025-09|v{v}|{picked.getrandbits(256):064x}"
        for unit in ("市法院", "碑林区人民政府")
        for v in (1, 12)
    ]
    texts += ["".join(picked.choice(letters) for _ in range(length)) for length in range(1, 160, 8)]
    return [*texts, "0", "12345678901234567890", "HTTP://EXAMPLE.CN/ABC"]  # numeric and alphanumeric modes


def test_the_code_is_the_one_reportlab_makes():
    versions = set()
    for number, text in enumerate(_texts()):
        code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.L)
        code.addData(text)
        code.make()
        for mask in range(8) if number % 3 == 0 else ():  # every mask scores the same points both ways
            code.makeImpl(True, mask)
            assert qr._penalty(code.modules) == qrencoder.QRUtil.getLostPoint(code), (text, mask)
        code.make()
        assert qr.modules(text) == code.modules, text
        versions.add(code.version)
    assert versions >= set(range(1, 10))  # small and large codes alike


def test_the_runs_draw_every_dark_module_and_nothing_else():
    for text in _texts()[:20]:
        grid = qr.modules(text)
        drawn = [[False] * len(row) for row in grid]
        for row, column, length in qr.dark_runs(grid):
            assert length >= 1 and not any(drawn[row][column : column + length])
            drawn[row][column : column + length] = [True] * length
        assert drawn == grid

"""Draw ipdesk's icon (a red seal-like square with 知 in white) into resources/icons/ as .png and .ico.

QT_QPA_PLATFORM=offscreen python tools/make_icon.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QFont, QFontDatabase, QImage, QPainter, QPen  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    margin = size * 0.06
    rect = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    painter.setBrush(QColor("#b0202a"))
    painter.setPen(QPen(QColor("#8a1820"), size * 0.03))
    painter.drawRoundedRect(rect, size * 0.16, size * 0.16)
    painter.setPen(QPen(QColor("#ffffff"), size * 0.035))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    inner = rect.adjusted(size * 0.09, size * 0.09, -size * 0.09, -size * 0.09)
    painter.drawRoundedRect(inner, size * 0.08, size * 0.08)
    family = QFontDatabase.applicationFontFamilies(
        QFontDatabase.addApplicationFont(str(ROOT / "resources" / "fonts" / "wqy-microhei.ttc"))
    )[0]
    font = QFont(family)
    font.setPixelSize(int(size * 0.52))
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, "知")
    painter.end()
    return image


if __name__ == "__main__":
    app = QApplication([])
    folder = ROOT / "resources" / "icons"
    folder.mkdir(parents=True, exist_ok=True)
    draw(256).save(str(folder / "ipdesk.png"))
    draw(256).save(str(folder / "ipdesk.ico"))
    print(sorted(p.name for p in folder.iterdir()))

"""Fonts: register the bundled CJK font so that Chinese shows even on a machine without a Chinese font."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from ipdesk.paths import resources_dir

BUNDLED_FONT = "wqy-microhei.ttc"
BUNDLED_FAMILIES = ("WenQuanYi Micro Hei", "WenQuanYi Micro Hei Mono")  # its two faces
PREFERRED_SYSTEM_FAMILIES = (
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "SimSun",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
)


def register_fonts(app: QApplication) -> str:
    """Register the bundled font and choose the application's font; returns the family in use.

    A system that has the bundled font installed already (Linux with fonts-wqy-microhei) uses its own copy: reading
    and registering the 5 MB file again would give the same families, some milliseconds later."""
    families = set(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))
    chosen = next((f for f in PREFERRED_SYSTEM_FAMILIES if f in families), None)
    if families.issuperset(BUNDLED_FAMILIES):
        bundled = list(BUNDLED_FAMILIES)
    else:
        bundled_id = QFontDatabase.addApplicationFont(str(resources_dir() / "fonts" / BUNDLED_FONT))
        bundled = QFontDatabase.applicationFontFamilies(bundled_id) if bundled_id >= 0 else []
    if chosen is None and bundled:
        chosen = bundled[0]
    if chosen is None:
        return app.font().family()
    font = QFont(app.font())
    font.setFamilies([chosen, *bundled])
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    app.setFont(font)
    return chosen

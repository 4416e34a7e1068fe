"""Fonts for the PDF: the bundled WenQuanYi Micro Hei (TrueType outlines, so reportlab can embed it), or on Windows
the official 宋体/仿宋/黑体 when chosen and present; and the check that every character can be printed.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ipdesk.domain.errors import InvalidInput
from ipdesk.paths import resources_dir

BUNDLED = "WQYMicroHei"
WINDOWS_FACES = {  # setting value → (font file, index within a .ttc, shown name)
    "simsun": ("simsun.ttc", 0, "宋体"),
    "fangsong": ("simfang.ttf", 0, "仿宋"),
    "simhei": ("simhei.ttf", 0, "黑体"),
}


@dataclass(frozen=True)
class MissingGlyph:
    where: str
    position: int
    char: str

    @property
    def message(self) -> str:
        name = unicodedata.name(self.char, f"U+{ord(self.char):04X}")
        return f"{self.where}第{self.position}个字符“{self.char}”（{name}，U+{ord(self.char):04X}）"


def windows_font_folder() -> Path:
    return Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"


def available_faces() -> dict[str, str]:
    """The official faces found on this machine (setting value → shown name); empty off Windows."""
    folder = windows_font_folder()
    return {key: shown for key, (file, _, shown) in WINDOWS_FACES.items() if (folder / file).exists()}


def register(face: str = "") -> str:
    """Register the chosen face with reportlab (the bundled font if ``face`` is empty or absent); its font name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if face in WINDOWS_FACES and face in available_faces():
        file, index, _ = WINDOWS_FACES[face]
        name = f"Official-{face}"
        path, subfont = windows_font_folder() / file, index
    else:
        name, path, subfont = BUNDLED, resources_dir() / "fonts" / "wqy-microhei.ttc", 0
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=subfont))
    return name


def missing_glyphs(font_name: str, texts: list[tuple[str, str]]) -> list[MissingGlyph]:
    """Characters of ``texts`` (where, text) that the font cannot draw; line breaks and spaces are fine."""
    from reportlab.pdfbase import pdfmetrics

    covered = pdfmetrics.getFont(font_name).face.charToGlyph
    found = []
    for where, text in texts:
        for position, char in enumerate(text, 1):
            if char in "\n\r\t" or ord(char) in covered:
                continue
            found.append(MissingGlyph(where, position, char))
    return found


def check_printable(font_name: str, texts: list[tuple[str, str]]) -> None:
    """Refuse, naming each one, characters that would print as empty boxes."""
    missing = missing_glyphs(font_name, texts)
    if missing:
        listed = "；".join(m.message for m in missing[:10])
        more = f"等 {len(missing)} 处" if len(missing) > 10 else ""
        raise InvalidInput(f"所选字体无法显示以下字符，请改用常用字或换一种字体后再导出：{listed}{more}")

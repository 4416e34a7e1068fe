"""Fonts for the PDF: the bundled WenQuanYi Micro Hei (TrueType outlines, so reportlab can embed it), or on Windows
the official 宋体/仿宋/黑体 when chosen and present; and the check that every character can be printed.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from ipdesk.domain.errors import InvalidInput
from ipdesk.paths import resources_dir

if TYPE_CHECKING:
    from array import array

    from reportlab.pdfbase.ttfonts import TTFont

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

    if face in WINDOWS_FACES and face in available_faces():
        file, index, _ = WINDOWS_FACES[face]
        name = f"Official-{face}"
        path, subfont = windows_font_folder() / file, index
    else:
        name, path, subfont = BUNDLED, resources_dir() / "fonts" / "wqy-microhei.ttc", 0
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(load_truetype(name, Path(path), subfont))
    return name


# -- the parsed-font cache ---------------------------------------------------------------------------------------
# reportlab reads a CJK font's ~50,000 glyph metrics in Python each time a process starts (~0.09 s here, the largest
# single cost of an `ipdesk export`). The parsed tables are kept in the user's cache folder as plain arrays and JSON
# (no pickle: nothing in the cache can run code) and read back in a few milliseconds. The cache is keyed by the
# font file's size and time and reportlab's version; anything wrong with it means the font is simply parsed again.
_BIG = ("charToGlyph", "glyphToChar", "charWidths", "hmetrics", "glyphPos")


def _cache_path(path: Path, subfont: int) -> Path | None:
    try:
        import reportlab

        from ipdesk import paths

        stat = path.stat()
        key = f"{path.stem}-{subfont}-{stat.st_size}-{stat.st_mtime_ns}-rl{reportlab.Version}"
        return paths.user_cache_dir() / "fonts" / f"{key}.bin"
    except OSError:
        return None


def _plain(value):
    if isinstance(value, bytes):
        return {"b": value.decode("latin-1"), "n": type(value).__name__ == "TTFNameBytes"}
    if isinstance(value, tuple):
        return {"t": [_plain(v) for v in value]}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {"d": [[k, _plain(v)] for k, v in value.items()]}
    return value


def _unplain(value):
    from reportlab.pdfbase.ttfonts import TTFNameBytes

    if isinstance(value, list):
        return [_unplain(v) for v in value]
    if isinstance(value, dict):
        if "b" in value:
            raw = value["b"].encode("latin-1")
            return TTFNameBytes(raw) if value["n"] else raw
        if "t" in value:
            return tuple(_unplain(v) for v in value["t"])
        return {k: _unplain(v) for k, v in value["d"]}
    return value


def _write_cache(face, cache: Path) -> None:
    import json
    from array import array

    state = vars(face)
    scalars = {k: _plain(v) for k, v in state.items() if k not in (*_BIG, "_pdfScale", "_ttf_data")}
    glyph_chars = [(g, c) for g, chars in state["glyphToChar"].items() for c in chars]
    # reportlab keeps some advance widths of the trailing metrics as scaled floats: kept aside, exactly
    odd = [(i, a) for i, (a, _) in enumerate(state["hmetrics"]) if not isinstance(a, int)]
    arrays = [
        array("I", state["charToGlyph"].keys()),
        array("I", state["charToGlyph"].values()),
        array("I", (g for g, _ in glyph_chars)),
        array("I", (c for _, c in glyph_chars)),
        array("I", state["charWidths"].keys()),
        array("d", state["charWidths"].values()),
        array("i", (a if isinstance(a, int) else 0 for a, _ in state["hmetrics"])),
        array("i", (b for _, b in state["hmetrics"])),
        array("I", (i for i, _ in odd)),
        array("d", (a for _, a in odd)),
        array("I", state["glyphPos"]),
    ]
    header = json.dumps(scalars).encode("utf-8")
    parts = [len(header).to_bytes(8, "little"), header]
    for values in arrays:
        raw = values.tobytes()
        parts += [values.typecode.encode("ascii"), len(raw).to_bytes(8, "little"), raw]
    cache.parent.mkdir(parents=True, exist_ok=True)
    temp = cache.with_name(f"{cache.name}.{os.getpid()}.part")
    temp.write_bytes(b"".join(parts))
    os.replace(temp, cache)


def _read_cache(cache: Path, font_path: Path):
    import json
    from array import array

    data = cache.read_bytes()
    size = int.from_bytes(data[:8], "little")
    scalars = json.loads(data[8 : 8 + size])
    position, arrays = 8 + size, []
    while position < len(data):
        typecode = chr(data[position])
        length = int.from_bytes(data[position + 1 : position + 9], "little")
        values = array(typecode)
        values.frombytes(data[position + 9 : position + 9 + length])
        arrays.append(values)
        position += 9 + length
    (
        c2g_keys,
        c2g_values,
        g2c_glyphs,
        g2c_chars,
        cw_keys,
        cw_values,
        advances,
        bearings,
        odd_index,
        odd_advance,
        positions,
    ) = arrays
    face = _cached_face_class().__new__(_cached_face_class())
    face.__dict__.update({k: _unplain(v) for k, v in scalars.items()})
    face.__dict__.update(
        charToGlyph=dict(zip(c2g_keys, c2g_values, strict=True)),
        charWidths=dict(zip(cw_keys, cw_values, strict=True)),
        glyphPos=positions.tolist(),
        _ttf_data=font_path.read_bytes(),
        _glyph_chars=(g2c_glyphs, g2c_chars),
        _metric_arrays=(advances, bearings, dict(zip(odd_index, odd_advance, strict=True))),
    )
    scale = 1000 / face.unitsPerEm
    face._pdfScale = (lambda x: x) if face.unitsPerEm == 1000 else (lambda x: x * scale)
    return face


class _Metrics:
    """A face's (advance, left side bearing) per glyph, read from the cached arrays only for the glyphs asked for:
    a PDF embeds a few hundred of the font's 30,000 glyphs."""

    def __init__(self, advances, bearings, odd: dict[int, float]):
        self._advances, self._bearings, self._odd = advances, bearings, odd

    def __len__(self) -> int:
        return len(self._advances)

    def __getitem__(self, index: int) -> tuple:
        return (self._odd.get(index, self._advances[index]), self._bearings[index])

    def __iter__(self):
        return (self[index] for index in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Iterable):
            return NotImplemented
        return list(self) == list(other)


_FACE_CLASS = None


def _cached_face_class():
    """reportlab's TTFontFace, with the two tables nothing but subsetting and shaping read made on first use."""
    global _FACE_CLASS
    if _FACE_CLASS is None:
        from functools import cached_property

        from reportlab.pdfbase.ttfonts import TTFontFace

        class CachedFace(TTFontFace):
            _glyph_chars: tuple[array, array]  # set by _read_cache
            _metric_arrays: tuple[array, array, dict[int, float]]

            @cached_property
            def glyphToChar(self) -> dict[int, list[int]]:  # only text shaping asks for it
                found: dict[int, list[int]] = {}
                for glyph, char in zip(*self._glyph_chars, strict=True):
                    found.setdefault(glyph, []).append(char)
                return found

            @cached_property
            def hmetrics(self) -> _Metrics:
                return _Metrics(*self._metric_arrays)

        _FACE_CLASS = CachedFace
    return _FACE_CLASS


def load_truetype(name: str, path: Path, subfont: int = 0) -> TTFont:
    """A reportlab TTFont for ``path``, its metrics from the cache when they are there and sound."""
    from weakref import WeakKeyDictionary

    from reportlab import rl_config
    from reportlab.pdfbase.ttfonts import TTEncoding, TTFont

    cache = _cache_path(path, subfont)
    if cache is not None and cache.exists():
        try:
            face = _read_cache(cache, path)
            font = TTFont.__new__(TTFont)  # what TTFont.__init__ does, less the parsing
            font.fontName, font.face, font.encoding = name, face, TTEncoding()
            font.state = WeakKeyDictionary()
            font._asciiReadable = rl_config.ttfAsciiReadable  # type: ignore[attr-defined]  # private, not in the stubs
            font.shapable = True
            return font
        except Exception:
            cache.unlink(missing_ok=True)
    font = TTFont(name, str(path), subfontIndex=subfont)
    if cache is not None:
        try:
            _write_cache(font.face, cache)
        except (OSError, ValueError, TypeError, OverflowError):
            pass  # no cache this time; the next start parses the font again
    return font


def missing_glyphs(font_name: str, texts: list[tuple[str, str]]) -> list[MissingGlyph]:
    """Characters of ``texts`` (where, text) that the font cannot draw; line breaks and spaces are fine."""
    from reportlab.pdfbase import pdfmetrics

    # The stubs type getFont as returning a Type 1 Font; every font ipdesk registers is a TrueType one.
    covered = cast("TTFont", pdfmetrics.getFont(font_name)).face.charToGlyph
    used = set("".join(text for _, text in texts)) - set("\n\r\t")
    if all(ord(char) in covered for char in used):
        return []  # the usual case, known from each distinct character once
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

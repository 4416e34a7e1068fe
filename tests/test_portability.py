"""What differs between the platforms ipdesk runs on: the source itself, and the behaviours a Windows PC shows.

Every test here runs on Linux and on Windows (the Windows lane, tools/windows-lane, runs the suite under Wine with
code page 936); where the platforms differ, the test says what each one must do.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    path
    for folder in ("ipdesk", "tools", "bench", "packaging", "tests")
    for path in (ROOT / folder).rglob("*.py")
    if "__pycache__" not in path.parts
)


def _non_ascii(text: str) -> bool:
    return any(ord(ch) > 127 for ch in text)


def _spec_text(spec: ast.expr) -> str:
    """The literal parts of an f-string's format spec (``{d:%Y年%m月}`` → ``%Y年%m月``)."""
    if isinstance(spec, ast.JoinedStr):
        return "".join(v.value for v in spec.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return ""


def non_ascii_date_formats(source: str, name: str = "<source>") -> list[str]:
    """Every date format with non-ASCII text in ``source``: an f-string or ``str.format`` spec, or a literal passed to
    strftime/strptime. On Windows the C library's strftime encodes the format in the ANSI code page, so
    ``f"{d:%Y年%m月}"`` raises UnicodeEncodeError on a PC set to English (code page 1252)."""
    found = []
    for node in ast.walk(ast.parse(source, name)):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            spec = _spec_text(node.format_spec)
            if "%" in spec and _non_ascii(spec):
                found.append(f"{where}: {{…:{spec}}}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("strftime", "strptime"):
                # d.strftime(fmt), time.strftime(fmt, t); datetime.strptime(text, fmt), time.strptime(text, fmt)
                position = 1 if node.func.attr == "strptime" else 0
                fmt = node.args[position] if len(node.args) > position else None
                if isinstance(fmt, ast.Constant) and isinstance(fmt.value, str) and _non_ascii(fmt.value):
                    found.append(f"{where}: {node.func.attr}({fmt.value!r})")
            elif node.func.attr == "format" and isinstance(node.func.value, ast.Constant):
                text = node.func.value.value
                if isinstance(text, str):
                    try:
                        parts = list(string.Formatter().parse(text))
                    except ValueError:
                        continue
                    for _, _, spec, _ in parts:
                        if spec and "%" in spec and _non_ascii(spec):
                            found.append(f"{where}: {{…:{spec}}}")
        if (  # self.tr("…{0:%Y-%m-%d}").format(…): the literal is the first argument of the call before .format
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and isinstance(node.func.value, ast.Call)
            and node.func.value.args
            and isinstance(node.func.value.args[0], ast.Constant)
            and isinstance(node.func.value.args[0].value, str)
        ):
            try:
                parts = list(string.Formatter().parse(node.func.value.args[0].value))
            except ValueError:
                continue
            for _, _, spec, _ in parts:
                if spec and "%" in spec and _non_ascii(spec):
                    found.append(f"{where}: {{…:{spec}}}")
    return found


def test_the_scanner_finds_each_kind_of_non_ascii_date_format():
    bad = """
import datetime as dt
d = dt.date(2025, 7, 1)
a = f"{d:%Y年%m月}"
b = d.strftime("%Y年%m月%d日")
c = dt.datetime.strptime("2025年7月", "%Y年%m月")
e = "截至{0:%Y年%m月%d日}".format(d)
f = tr("截至{0:%m月}").format(d)
"""
    assert sorted(int(line.split(":", 2)[1]) for line in non_ascii_date_formats(bad)) == [4, 5, 6, 7, 8]
    fine = """
import datetime as dt
d = dt.date(2025, 7, 1)
a = f"{d.year}年{d.month}月（{d:%Y-%m-%d}）"
b = d.strftime("%Y-%m-%d") + "日"
c = "有效期至 {0:%Y-%m-%d}".format(d)
g = f"{3.5:，>8}"
"""
    assert non_ascii_date_formats(fine) == []


def test_no_date_format_holds_non_ascii_text():
    """House rule: Chinese dates are built from numbers (``f"{d.year}年{d.month}月"``), never by strftime."""
    found = [hit for path in SOURCES for hit in non_ascii_date_formats(path.read_text(encoding="utf-8"), str(path))]
    assert len(SOURCES) > 100
    assert found == []

"""What differs between the platforms ipdesk runs on: the source itself, and the behaviours a Windows PC shows.

Every test here runs on Linux and on Windows (the Windows lane, tools/windows-lane, runs the suite under Wine with
code page 936); where the platforms differ, the test says what each one must do.
"""

from __future__ import annotations

import ast
import string
import sys
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


# -- where the user's data lives --------------------------------------------------------------------------------
def test_the_default_data_folder_is_the_one_the_readme_names(monkeypatch):
    """Without IPDESK_HOME the database, evidence, keys and backups live in the per-user, per-machine folder: on
    Windows %LOCALAPPDATA%\\ipdesk\\ipdesk (not the roaming profile, which a domain PC copies at every log-on), on
    Linux ~/.local/share/ipdesk. The README's 用户数据目录 names that folder, and the uninstaller keeps it."""
    import os

    from ipdesk import paths

    monkeypatch.delenv("IPDESK_HOME")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "%LOCALAPPDATA%\\ipdesk\\ipdesk" in readme and "~/.local/share/ipdesk" in readme
    if sys.platform == "win32":
        local = Path(os.environ["LOCALAPPDATA"])
        assert paths.user_data_dir() == local / "ipdesk" / "ipdesk"
        assert paths.default_database_path() == local / "ipdesk" / "ipdesk" / "ipdesk.db"
        assert paths.user_cache_dir() == local / "ipdesk" / "ipdesk" / "Cache"
        assert Path(os.environ["APPDATA"]) not in paths.user_data_dir().parents  # never the roaming profile
    else:
        monkeypatch.setenv("XDG_DATA_HOME", "/home/科员/.local/share")
        monkeypatch.setenv("XDG_CACHE_HOME", "/home/科员/.cache")
        assert paths.default_database_path() == Path("/home/科员/.local/share/ipdesk/ipdesk.db")
        assert paths.user_cache_dir() == Path("/home/科员/.cache/ipdesk")
    monkeypatch.setenv("IPDESK_HOME", str(Path("D:/") / "填报 数据"))
    assert paths.default_database_path() == Path("D:/") / "填报 数据" / "ipdesk.db"


# -- Chinese, spaces, long names, names Windows forbids -----------------------------------------------------------
def test_a_workspace_evidence_and_export_under_chinese_paths_with_spaces(tmp_path):
    """A clerk's folders: Chinese names with spaces (and a full-width space) for the database, the evidence file and
    an export folder whose name is longer than 100 characters; the signed files verify 有效 from there."""
    from .unit_desk import UnitDesk

    desk = UnitDesk(tmp_path / "碑林区 填报数据　2025", "碑林区人民政府")
    source = tmp_path / "佐证 材料" / "专利 统计表（第三季度 终稿）.xlsx"
    source.parent.mkdir()
    source.write_bytes(b"PK\x03\x04 not really a workbook, but a file all the same")
    evidence = desk.ws.evidence.add(47, "碑林区", "2025Q3", source)
    assert evidence.file_name == source.name
    stored = desk.ws.evidence.path(evidence)
    assert stored.read_bytes() == source.read_bytes() and "碑林区 填报数据　2025" in str(stored)
    signed = desk.sign("2025Q3", tmp_path / "导出 文件")
    # longer than 100 characters, within what Linux allows (255 bytes of UTF-8) as well as Windows (255 characters)
    long_folder = tmp_path / ("2025年第三季度 知识产权强市建设 报送材料 signed returns for the city office " * 3)[:105]
    assert len(long_folder.name) == 105 and len(long_folder.name.encode()) < 255
    long_folder.mkdir()
    exported = desk.ws.reports.export("碑林区人民政府", "2025Q3", long_folder)
    assert sorted(p.suffix for p in exported) == [".p7s", ".pdf", ".xlsx"]
    assert sorted(p.name for p in long_folder.iterdir()) == sorted(p.name for p in exported)  # no temporary file
    for path in [*signed.values(), *exported]:
        if path.suffix != ".p7s":
            assert desk.ws.signoff.verify(path).status == "有效", path
    desk.ws.close()


WINDOWS_FORBIDDEN = [
    "报告:第1版<草稿>?.pdf",
    'a|b*c"d.xlsx',
    "CON.txt",
    "con.docx",
    "NUL.tar.gz",
    "COM1 .txt",
    "LPT9",
    "统计表. . .",
    "  前后空格.pdf  ",
    "制表\t符\n换行.pdf",
    "..\\..\\Windows\\system32\\drivers.sys",
    "a/b/c:stream.txt",
    "." * 5,
    "季度报告 quarterly report " * 30 + ".pdf",
]


def test_evidence_names_windows_forbids_become_files_windows_keeps(tmp_path):
    """An evidence file's name (from another system, or a return's list) as Windows would store it: each safe name
    is written as a file, and the folder lists exactly that name (on Windows a reserved device name would write
    nowhere, a colon would open an alternate data stream, and trailing dots or spaces would be dropped)."""
    from ipdesk.store.evidence_store import safe_file_name

    for index, name in enumerate(WINDOWS_FORBIDDEN):
        safe = safe_file_name(name)
        assert safe and len(safe) <= 120 and not set(safe) & set('\\/:*?"<>|'), name
        assert safe.split(".")[0].rstrip(" ").upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT9"}, name
        folder = tmp_path / str(index)
        folder.mkdir()
        (folder / safe).write_bytes(name.encode("utf-8"))
        assert [p.name for p in folder.iterdir()] == [safe], name
        assert (folder / safe).read_bytes() == name.encode("utf-8")


def test_a_unit_name_windows_forbids_gives_report_files_windows_keeps(tmp_path):
    """A unit's name from a city's roster may hold characters Windows refuses in a file name; the report files take
    a safe name that the folder then lists as it is."""
    from ipdesk.reports.files import report_file_name, write_atomically

    for index, unit in enumerate(['市"知识产权"局', "高新区/管委会", "CON", "经开区管委会.", "A<B>:C|D?E*"]):
        for draft in (False, True):
            name = report_file_name((unit,), "2025Q3", 1, "pdf", draft=draft)
            folder = tmp_path / f"{index}{draft:d}"
            folder.mkdir()
            target = write_atomically(folder / name, lambda temp: temp.write_bytes(b"%PDF-1.7\n"))
            assert [p.name for p in folder.iterdir()] == [name] == [target.name], unit


def test_a_network_share_is_recognised_on_each_platform(tmp_path):
    """A database on a network share gets a rollback journal: on Windows a UNC path (or a mapped network drive), on
    Linux an NFS/SMB mount; the temporary folder is local on both."""
    from ipdesk.store.location import is_network_path

    assert not is_network_path(tmp_path / "ipdesk.db")
    if sys.platform == "win32":
        assert is_network_path(Path("\\\\科室服务器\\共享 文件夹\\ipdesk.db"))
        assert is_network_path(Path("//nas/share/ipdesk.db"))
    else:
        from ipdesk.store.location import mount_type

        assert mount_type(Path("/mnt/科室 共享/ipdesk.db"), "//nas/k /mnt/科室\\040共享 cifs rw 0 0\n") == "cifs"

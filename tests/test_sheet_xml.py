"""The signed workbook read from its sheet XML (``signing.sheet_xml``) against openpyxl's load.

``conftest.both_readers`` reads every workbook verified in the signing, tampering, hostile-field and view tests
both ways and requires the same view; here: the tables copied from openpyxl are openpyxl's, cell names are read
alike, the workbooks a unit exports are read from their XML, what the reader does not
read falls back to openpyxl, and a city import loads no openpyxl at all.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.styles.colors import COLOR_INDEX
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries

from ipdesk.plans.workbook_bounds import RETURN, Limits
from ipdesk.reports import cell_names
from ipdesk.signing import sheet_xml, workbook_view
from ipdesk.signing.verify import VerdictStatus, verify_file

from .conftest import ROOT, open_copy, same_view_both_ways


def test_the_tables_copied_from_openpyxl_are_openpyxls():
    assert sheet_xml.BUILTIN_FORMATS == BUILTIN_FORMATS
    assert workbook_view.COLOR_INDEX == COLOR_INDEX


@pytest.mark.parametrize(
    "reference",
    ["A1", "$B$7", "XFD1048576", "A1:I1", "$A$1:$C$3", "D:F", "3:5", "a1:b2", "A", "1", "A1:", ":B2", "A1:B", "",
     "AAAA1", "A0", "ZZZ1", "A1:B2:C3", "A1\n", "1A", "A-1"],
)  # fmt: skip
def test_cell_names_are_read_as_openpyxl_reads_them(reference):
    try:
        expected: object = range_boundaries(reference)
    except ValueError:
        expected = ValueError
    try:
        found: object = cell_names.range_bounds(reference)
    except ValueError:
        found = ValueError
    assert found == expected


def test_column_letters_are_openpyxls():
    for number in [*range(1, 800), 16384, 18278]:
        assert cell_names.column_letter(number) == get_column_letter(number)
        assert cell_names.column_number(get_column_letter(number)) == column_index_from_string(
            get_column_letter(number)
        )
    for wrong in (0, 18279):
        with pytest.raises(ValueError):
            cell_names.column_letter(wrong)


def _read(path: Path, limits: Limits = RETURN) -> sheet_xml.Book | None:
    book = sheet_xml.read_book(path, limits)
    if book is not None:
        same_view_both_ways(path, book)
    return book


def test_the_units_exports_are_read_from_their_xml(signed_template, tmp_path):
    """The workbooks a unit sends: the signed return and the unsigned draft of a revision."""
    signed = next((signed_template / "out").glob("*.xlsx"))
    assert _read(signed) is not None
    with open_copy(signed_template, tmp_path / "ws.db", tmp_path / "home") as ws:
        ws.signoff.revise("碑林区人民政府", "2025Q3")
        (tmp_path / "draft").mkdir()
        draft = [p for p in ws.reports.export("碑林区人民政府", "2025Q3", tmp_path / "draft") if p.suffix == ".xlsx"]
    for path in draft:
        assert _read(path) is not None, path.name


def test_what_the_reader_does_not_read_is_left_to_openpyxl(signed_template, tmp_path):
    """A formula, a date, a hyperlink, a print area, a comment: the reader says so, and verification loads the
    workbook with openpyxl (the verdict is the one the tampering tests expect)."""
    signed = next((signed_template / "out").glob("*.xlsx"))
    book = load_workbook(signed, rich_text=True)
    sheet = book.worksheets[0]
    cases = {
        "formula": lambda: setattr(sheet["L2"], "value", "=1+1"),
        "date": lambda: setattr(sheet["L2"], "number_format", "yyyy-mm-dd") or setattr(sheet["L2"], "value", 45000),
        "link": lambda: setattr(sheet["A1"], "hyperlink", "http://example.invalid/"),
        "print-area": lambda: setattr(sheet, "print_area", "A1:C3"),
    }
    for name, change in cases.items():
        copy = load_workbook(signed, rich_text=True)
        sheet = copy.worksheets[0]
        change()
        path = tmp_path / f"{name}.xlsx"
        copy.save(path)
        assert sheet_xml.read_book(path, RETURN) is None, name
        assert verify_file(path, []).status is VerdictStatus.MODIFIED, name


def test_a_bound_passed_while_reading_leaves_the_verdict_to_the_full_scan(signed_template):
    signed = next((signed_template / "out").glob("*.xlsx"))
    tight = Limits(**{**RETURN.__dict__, "max_cells": 50})
    assert sheet_xml.read_book(signed, tight) is None


def test_a_package_with_a_document_type_declaration_is_left_to_openpyxl(signed_template, tmp_path):
    signed = next((signed_template / "out").glob("*.xlsx"))
    target = tmp_path / "doctype.xlsx"
    with zipfile.ZipFile(signed) as source, zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/styles.xml":
                data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + data.split(b"?>", 1)[-1]
            out.writestr(item, data)
    assert sheet_xml.read_book(target, RETURN) is None


def test_a_city_import_loads_no_openpyxl_and_stores_each_return(two_units_returns, tmp_path):
    """The whole `ipdesk city import` of signed returns: verified from their XML, without importing openpyxl (nor
    the PDF and document writers), each stored with its files in one transaction."""
    from ipdesk import Workspace

    files, certificates = two_units_returns
    city = tmp_path / "city.db"
    with Workspace(city, actor="市局") as ws:
        for certificate in certificates:
            ws.trust.add(certificate)
    code = (
        "import sys, json, sqlite3\n"
        "statements = []\n"
        "connect = sqlite3.connect\n"
        "def traced(*args, **kw):\n"
        "    connection = connect(*args, **kw)\n"
        "    def trace(sql):\n"
        "        statements.append((sql.split()[0].upper(), connection.in_transaction))\n"
        "    connection.set_trace_callback(trace)\n"
        "    return connection\n"
        "sqlite3.connect = traced\n"
        "from ipdesk.cli import main\n"
        f"code = main(['--db', {str(city)!r}, 'city', 'import', *{[str(f) for f in files]!r}, '--json'])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'pyhanko', 'reportlab', 'docx'))\n"
        "print(json.dumps({'modules': loaded, 'statements': statements}), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert [item["outcome"] for item in json.loads(result.stdout)] == ["已导入"] * len(files), result.stdout
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report["modules"] == []
    statements = [tuple(s) for s in report["statements"]]
    assert statements.count(("BEGIN", False)) == statements.count(("COMMIT", True)) == len(files)
    writes = ("INSERT", "UPDATE", "DELETE", "REPLACE")
    assert [s for s in statements if s[0] in writes and not s[1]] == []  # nothing written outside them


def test_a_workbook_of_every_kind_of_cell_and_setting_reads_the_same_both_ways(tmp_path):
    """What the reader claims to read exactly, in one workbook written by openpyxl (shared strings, its own styles)."""
    from openpyxl import Workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.styles import Color, Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "O'Brien 表"
    values = [True, False, 0, 7, -3.25, 1e-7, 12345678901234, "文字", "_x000D_ 与 x005F_ 与 &<>", "  ", "0042"]
    for column, value in enumerate(values, 1):
        sheet.cell(1, column, value)
    sheet["A2"] = "#N/A"
    sheet["A2"].data_type = "e"
    formats = ["0", "0.0", '0.0"%"', "0.00%", "#,##0.00", "@", "General", '"约"0"万元"', "0.0\\%"]
    for column, fmt in enumerate(formats, 1):
        cell = sheet.cell(3, column, column * 1.5)
        cell.number_format = fmt
    sheet["A4"] = CellRichText(
        ["普通", TextBlock(InlineFont(color="FFFFFF"), "白字"), TextBlock(InlineFont(sz=3), "小")]
    )
    sheet["B4"] = CellRichText([TextBlock(InlineFont(color=Color(theme=0, tint=-0.5)), "主题色")])
    looks = [
        Font(color="FF0000"),
        Font(color=Color(theme=1)),
        Font(color=Color(theme=0, tint=-0.05)),
        Font(color=Color(indexed=9)),
        Font(color=Color(indexed=64)),
        Font(strike=True),
        Font(sz=2),
    ]
    for column, font in enumerate(looks, 1):
        sheet.cell(5, column, f"样式{column}").font = font
    fills = [
        PatternFill("solid", fgColor="00FF00"),
        PatternFill("gray125"),
        PatternFill("solid", fgColor=Color(theme=3)),
    ]
    for column, fill in enumerate(fills, 1):
        sheet.cell(6, column, "底色").fill = fill
    sheet.merge_cells("A8:C9")
    sheet["A8"] = "合并"
    sheet.merge_cells("E8:E8")
    sheet.row_dimensions[10].hidden = True
    sheet.row_dimensions[11].height = 3
    sheet.row_dimensions[12].height = 40
    sheet.column_dimensions["H"].hidden = True
    sheet.column_dimensions["I"].width = 0.5
    sheet.column_dimensions.group("J", "L", hidden=True)
    sheet.column_dimensions["M"].width = 30
    sheet.oddHeader.center.text = "示例数据"
    sheet.oddHeader.center.size = 14
    sheet.oddHeader.center.color = "FF0000"
    sheet.oddFooter.right.text = "第 &P 页"
    sheet.evenFooter.left.text = "偶数页"
    sheet.HeaderFooter.differentOddEven = True
    sheet.print_title_rows = "1:2"
    sheet.print_title_cols = "A:B"
    hidden = book.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "看不见的表"
    very = book.create_sheet("ipdesk签名")
    very.sheet_state = "veryHidden"
    very["A1"], very["B1"] = "format", "ipdesk-signed-workbook/2"
    path = tmp_path / "kinds.xlsx"
    book.save(path)

    found = _read(path)
    assert found is not None
    view = workbook_view.describe(found, "ipdesk签名", workbook_view.package_parts(path))
    cells = {c[0]: c for c in view["sheets"][0]["cells"]}
    assert "B8" not in cells and view["sheets"][0]["merged"] == ["A8:C9", "E8"]
    assert view["sheets"][0]["print"] == ["area=", "rows=1:2", "columns=A:B"]
    assert len(workbook_view.invisible_cells(found, "ipdesk签名")) >= 4  # white run, tiny run, white fonts, size 2


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12) | st.sampled_from(
    ["_x000D_", "x005F_x000D_", "  ", "=1+1", "#N/A", "0042", "第 &P 页"]
)
_FORMATS = st.sampled_from(["General", "0", "0.0", '0.0"%"', "0%", "@", "#,##0", "yyyy-mm-dd", "mm:ss", '"第"0"名"'])
_COLOURS = st.sampled_from(["000000", "FFFFFF", "FF0000", "FEFEFE", "808080"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells=st.lists(
        st.tuples(
            st.integers(1, 30),
            st.integers(1, 12),
            st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats(allow_nan=False) | _TEXT,
            _FORMATS,
            st.none() | _COLOURS,
            st.none() | st.floats(1, 20),
        ),
        max_size=25,
    ),
    heights=st.dictionaries(st.integers(1, 30), st.floats(0, 60), max_size=4),
    widths=st.dictionaries(st.integers(1, 12), st.floats(0, 40), max_size=4),
    merged=st.lists(st.tuples(st.integers(1, 20), st.integers(1, 8), st.integers(0, 3), st.integers(0, 3)), max_size=3),
)
def test_random_workbooks_read_the_same_both_ways(tmp_path, cells, heights, widths, merged):
    """Whatever openpyxl writes, the reader reads as openpyxl loads it, or leaves it to openpyxl."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    for row, column, value, fmt, colour, size in cells:
        cell = sheet.cell(row, column)
        cell.value = value
        cell.number_format = fmt
        if colour or size:
            cell.font = Font(color=colour, sz=size)
    for row, height in heights.items():
        sheet.row_dimensions[row].height = height
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width
    taken: set[tuple[int, int]] = set()
    for row, column, down, across in merged:
        area = {(r, c) for r in range(row, row + down + 1) for c in range(column, column + across + 1)}
        if not area & taken:
            taken |= area
            sheet.merge_cells(start_row=row, start_column=column, end_row=row + down, end_column=column + across)
    path = tmp_path / "random.xlsx"
    book.save(path)
    _read(path)  # compares both ways when it reads it

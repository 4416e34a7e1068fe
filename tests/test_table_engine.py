"""The table engine (columns, rows, group headings, formats, widths) and Chinese line breaking, without a report."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from ipdesk.reports.linebreak import NO_END, NO_START, break_lines, estimate, line_violations, units
from ipdesk.reports.table_model import (
    Cell,
    Column,
    Group,
    Metrics,
    Table,
    cells,
    decimals_format,
    fit_widths,
    format_value,
)

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")


def ems(text: str) -> float:
    return estimate(text, 1.0)


# -- line breaking -------------------------------------------------------------------------------------------------
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation():
    # The issue's own example: "，研究部署年度重点" began a line.
    text = "组织召开专题推进会，研究部署年度重点工作"
    for width in range(3, 20):
        lines = break_lines(text, width, ems)
        assert line_violations(lines) == [], (width, lines)
        assert "".join(lines) == text
    assert break_lines("一二三四，五六", 4, ems) == ["一二三", "四，五六"]
    assert break_lines("一二三“四五六”。", 4, ems) == ["一二三", "“四五六", "”。"] or all(
        not line.startswith(("”", "。")) for line in break_lines("一二三“四五六”。", 4, ems)[1:]
    )
    assert break_lines("一二“三四五六", 3, ems) == ["一二", "“三四", "五六"]  # no line ends with “
    assert break_lines("加快推进,实现突破", 4, ems)[1][0] != ","  # ASCII punctuation too


def test_latin_runs_and_words_stay_whole():
    assert break_lines("电话029-88886666联系", 8, ems) == ["电话", "029-88886666", "联系"]
    assert "91%" in break_lines("完成进度为91%左右", 5.2, ems)[1]
    assert break_lines("完成状态", 3, ems, words=("完成", "状态")) == ["完成", "状态"]
    assert break_lines("持续推进", 4, ems, words=("持续推进",)) == ["持续推进"]
    long = "a" * 40  # longer than any line: cut by characters
    assert all(ems(line) <= 10 for line in break_lines(long, 10, ems))
    assert "".join(break_lines(long, 10, ems)) == long
    assert break_lines("第一段\n\n第三段", 10, ems) == ["第一段", "", "第三段"]


PUNCTUATION = "，。、；：？！）》」』”’%（《「『“‘,."


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("知识产权保护体系建设推进2025ab ") + list(PUNCTUATION)), max_size=80),
    st.floats(min_value=2.0, max_value=30.0),
)
def test_breaking_keeps_every_character_and_the_rules(text, width):
    lines = break_lines(text, width, ems)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for number, line in enumerate(lines):
        if ems(line) > width + 0.01:
            assert len(line.strip()) <= 1 or " " not in line, (lines, width)
        if number and line[:1] in NO_START:
            # allowed only where the line before has no place to break instead (spaces at a break do not count)
            pieces = [*units(lines[number - 1]), line]

            def breakable(at: int, pieces=pieces) -> bool:
                after = next((q for q in pieces[at:] if q != " "), "")
                before = next((q for q in reversed(pieces[:at]) if q != " "), "")
                return bool(before) and after[:1] not in NO_START and before[-1:] not in NO_END

            assert not any(breakable(at) for at in range(1, len(pieces) - 1)), (lines, width)


# -- formats -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (0.953, "0.0%", "95.3%"),
        (0.09, "0.0%", "9.0%"),
        (0.1225, "0.00%", "12.25%"),
        (91.0, '0"%"', "91%"),
        (91.5, '0.0"%"', "91.5%"),
        (85, '"≥"0', "≥85"),
        (30, '"保持"0', "保持30"),
        (703.43, "0", "703"),
        (2.5, "0", "3"),  # half away from zero, as spreadsheets round
        (0.125, "0.00", "0.13"),
        (1648, "0", "1648"),
        (12345.6, "#,##0.0", "12,345.6"),
        (10, '"≥"0"（每年）"', "≥10（每年）"),
        (2.02, "", "2.02"),
        (3.0, "General", "3"),
        ("推进中", "", "推进中"),
        (None, "0", ""),
    ],
)
def test_numbers_read_as_their_format_prints_them(value, fmt, text):
    assert format_value(value, fmt) == text
    assert Cell(value, fmt).text == text


def test_decimals_follow_the_value():
    assert decimals_format(1648) == "0"
    assert decimals_format(2.5) == "0.0"
    assert decimals_format(2.87) == "0.00"
    assert decimals_format(2.8712) == "0.00"
    assert decimals_format(91.0, 1, '"%"') == '0"%"'


# -- tables and widths ---------------------------------------------------------------------------------------------
def city_table(units: int = 43) -> Table:
    """A consolidated table of the kind the city office prints: units × a task, grouped by district kind."""
    columns = (
        Column("序号", "seq"),
        Column("单位", min_chars=6),
        Column("完成|状态", "word"),
        Column("完成|进度", "number"),
        Column("预警", "word"),
        Column("工作进展及成效", min_chars=10),
        Column("存在问题", min_chars=5),
    )
    items: list = []
    for n in range(units):
        if n % 15 == 0:
            items.append(Group(f"第{n // 15 + 1}组单位"))
        items.append(
            (
                Cell(n + 1),
                Cell(f"第{n + 1}号单位人民政府"),
                Cell("持续推进" if n % 3 else "推进中"),
                Cell(90 + n % 10, '0"%"'),
                Cell("绿灯", fill="D8F0D8"),
                Cell("完成辖区企业知识产权状况摸底调查，建立重点企业台账；" * (1 + n % 4)),
                Cell("专业人员不足。" if n % 5 == 0 else ""),
            )
        )
    return Table("汇总", "一、各单位进展", columns, tuple(items))


def test_a_row_must_fit_its_columns():
    with pytest.raises(ValueError):
        Table("x", "x", (Column("a"), Column("b")), (cells("only one"),))
    with pytest.raises(ValueError):
        Column("a", "rainbow")


def test_widths_fill_the_line_and_never_split_a_word():
    table = city_table()
    metrics = Metrics()
    widths = fit_widths(table, 740, metrics)
    assert sum(widths) == pytest.approx(740)
    pad = 2 * metrics.padding
    for column, width in zip(table.columns, widths, strict=True):
        for word in column.header_words:
            assert estimate(word, metrics.header_size) + pad <= width + 0.01, column.header
    status = table.columns.index(next(c for c in table.columns if c.title == "完成状态"))
    assert widths[status] >= estimate("持续推进", metrics.size) + pad
    # the text columns get the spare width, the long one the most
    text = {c.title: w for c, w in zip(table.columns, widths, strict=True) if not c.fixed}
    assert text["工作进展及成效"] > text["存在问题"] and text["工作进展及成效"] > text["单位"]


def test_too_many_columns_shrink_to_the_page():
    table = Table("x", "x", tuple(Column(f"很长的表头{n}", "word") for n in range(30)))
    assert sum(fit_widths(table, 700)) == pytest.approx(700)


def test_another_report_gets_a_sheet_and_a_pdf_section_from_one_table(tmp_path):
    """The engine's public API: what the city's consolidated reports will use."""
    from openpyxl import Workbook

    from ipdesk.reports import fonts
    from ipdesk.reports.excel_table import SheetHeading, SheetLine
    from ipdesk.reports.pdf_pages import DocumentInfo, Page, Text, TextStyle, paginate, render
    from ipdesk.reports.pdf_table import TableBlock, TableStyle

    from .openpyxl_sheets import write_table_sheet

    table = city_table(120)
    book = Workbook()
    book.remove(book.active)
    sheet = write_table_sheet(
        book,
        table,
        SheetHeading("季督导汇总表", table.title, SheetLine(("市知识产权局", "", "2025年10月8日"))),
        Metrics(),
        740,
    )
    assert sheet["A1"].value == "季督导汇总表"
    header_row = 4
    assert [sheet.cell(header_row, c).value.replace("\n", "") for c in range(1, 8)] == [c.title for c in table.columns]
    assert sheet.cell(header_row + 1, 1).value == "第1组单位"
    assert f"A{header_row + 1}:G{header_row + 1}" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.cell(header_row + 2, 4).value == 90 and sheet.cell(header_row + 2, 4).number_format == '0"%"'
    assert sheet.cell(header_row + 2, 5).fill.fgColor.rgb.endswith("D8F0D8")
    assert len(sheet.row_breaks.brk) >= 3  # ipdesk sets the page breaks
    path = tmp_path / "city.xlsx"
    book.save(path)
    assert load_workbook(path)["汇总"].max_row == header_row + len(table.items)

    font = fonts.register()
    page = Page((842, 595), 50, 50, 40, 45)
    blocks = [Text("季督导汇总表", TextStyle(font, 16, 22, align="center")), TableBlock(table, TableStyle(font))]
    pages = paginate(blocks, page)
    assert len(pages) > 3
    pdf = tmp_path / "city.pdf"
    render(pdf, pages, page, font, DocumentInfo("季督导汇总表"))
    if shutil.which("pdftotext"):
        for number in range(1, len(pages) + 1):
            text = subprocess.run(
                ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            assert "工作进展及成效" in text and "存在问题" in text, number  # the header on every page
        everything = re.sub(
            r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        )
        assert "第120号单位人民政府" in everything


def test_a_row_taller_than_the_space_left_continues_on_the_next_page():
    from ipdesk.reports import fonts
    from ipdesk.reports.pdf_pages import Page, paginate
    from ipdesk.reports.pdf_table import TableBlock, TableStyle

    font = fonts.register()
    long = "这是一段很长的工作进展，" * 800
    table = Table(
        "t",
        "t",
        (Column("序号", "seq"), Column("工作进展", min_chars=20)),
        (Group("第一类"), cells(1, "短"), cells(2, long), cells(3, "短")),
    )
    pages = paginate([TableBlock(table, TableStyle(font))], Page((842, 595), 50, 50, 40, 45))
    assert len(pages) >= 3
    parts = [block for placed in pages for block, _ in placed]
    lines = [line for part in parts for item in part._items for line in item.cells[-1] if not item.group]
    assert "".join(lines).count("这是一段很长的工作进展") == 800  # every line printed once
    assert "".join(lines).replace(long, "") == "短短"
    first = parts[0]._items
    assert not first[-1].group  # a heading never ends a page

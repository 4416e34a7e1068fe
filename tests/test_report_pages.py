"""How the exported report prints: pages, line breaking, the header line, the signature block and its seal area,
draft marking, lights and numbers as both files print them, charts, fonts — read back with poppler and LibreOffice."""

from __future__ import annotations

import dataclasses
import html
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ipdesk import Period, Workspace
from ipdesk.domain.progress import IndicatorValue
from ipdesk.reports.excel import HEADER_ROW
from ipdesk.reports.layout import MM, tables
from ipdesk.reports.linebreak import NO_END, NO_START, line_violations
from ipdesk.reports.table_model import format_value
from ipdesk.workspace.sample_data import fill_sample

from .conftest import keep_for_review, libreoffice_convert, needs_soffice

Q3 = Period.parse("2025Q3")
UNIT = "碑林区人民政府"
COURT = "市法院"
AGENCY = "市市场监管局(知识产权局)"
PASS = "正确的签署口令"
POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdffonts", "pdfinfo"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed")


def demo_workspace(db: Path) -> Workspace:
    ws = Workspace(db, actor="王芳")
    ws.settings.update({"unit": UNIT, "clerk_name": "王芳", "clerk_phone": "029-88886666", "reviewer_name": "李强"})
    fill_sample(ws, UNIT, Q3)
    return ws


@pytest.fixture
def demo(tmp_path):
    ws = demo_workspace(tmp_path / "ws.db")
    yield ws
    ws.close()


def export(ws, unit, period, folder: Path, formats=("pdf",)) -> list[Path]:
    folder.mkdir(exist_ok=True)
    return ws.reports.export(unit, period, folder, formats)


def page_count(path: Path) -> int:
    """Pages of a PDF, read by pyHanko's reader (on every platform; poppler's pdfinfo agrees where it is)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    with open(path, "rb") as handle:
        return int(PdfFileReader(handle, strict=False).root["/Pages"]["/Count"])


def page_texts(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[: page_count(path)]


@dataclasses.dataclass
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def words(path: Path) -> list[Word]:
    """Every word poppler finds, with its box in points from the page's top left."""
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    found, page = [], 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        match = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', line)
        if match:
            x0, y0, x1, y1 = map(float, match.groups()[:4])
            found.append(Word(page, x0, y0, x1, y1, html.unescape(match.group(5))))
    return found


# -- density -------------------------------------------------------------------------------------------------------
@needs_poppler
def test_a_district_quarter_fits_in_half_the_paper(demo, tmp_path):
    (pdf,) = export(demo, UNIT, Q3, tmp_path / "out")
    assert page_count(pdf) <= 7  # the goal (14 pages before; aim 5)
    from ipdesk.reports.pdf import lay_out
    from ipdesk.reports.pdf_table import TableBlock

    _, pages, _ = lay_out(demo.reports.snapshot(UNIT, Q3))
    # pages of the task table end full: no page before the last is more than a fifth empty
    from ipdesk.reports.pdf import PAGE

    for placed in pages[:-2]:
        block, top = placed[-1]
        assert isinstance(block, TableBlock)
        assert top + block.height(PAGE.width) > PAGE.height * 0.8
    table = tables(demo.reports.snapshot(UNIT, Q3))[0]
    widths = next(b for b, _ in pages[0] if isinstance(b, TableBlock)).widths
    assert sum(widths) == pytest.approx(PAGE.width) and PAGE.width > 255 * MM  # the landscape page's width
    by_title = dict(zip((c.title for c in table.columns), widths, strict=True))
    clerk = ("工作进展及成效（截至9月30日）", "存在问题", "下步计划")
    assert sum(by_title[t] for t in clerk) >= PAGE.width / 2 - 0.5  # the clerk's words: half the width
    assert by_title["工作进展及成效（截至9月30日）"] > 50 * MM


# -- the clerk's words get room --------------------------------------------------------------------------------------
LONG_PROBLEM = (
    "由于项目审批流程较长，资金拨付进度滞后于计划安排，部分企业申报材料准备不充分，专业服务机构力量不足，"
    "导致工作推进较慢，需协调市级部门加快审批并安排专项资金予以保障。"
)


def write_long_words(ws: Workspace) -> Workspace:
    """碑林区's quarter with an 82-character problem and a long plan on every task it has filled."""
    assert len(LONG_PROBLEM) >= 80
    for row in ws.progress.for_unit(UNIT, Q3):
        if row.progress.status is not None and row.progress.status.value:
            plan = "下一步将加强与相关部门的沟通协调，加快审批和资金拨付进度，组织专业机构开展辅导。"
            ws.progress.save(row.progress.with_changes(problems=LONG_PROBLEM, next_steps=plan))
    return ws


@pytest.fixture
def long_words(demo):
    return write_long_words(demo)


@dataclasses.dataclass(frozen=True)
class Printed:
    """A form's PDF as ipdesk writes it, and its workbook as LibreOffice prints it."""

    pdf: Path
    printed: Path
    workbook: Path

    def planned_pages(self) -> int:
        """The pages ipdesk planned for the workbook: each sheet starts a page, and its page breaks."""
        return sum(len(sheet.row_breaks.brk) + 1 for sheet in load_workbook(self.workbook).worksheets)


def print_form(change: Callable[[Workspace], Workspace], folder: Path) -> Printed:
    """The sample quarter's form, changed by ``change``: ipdesk's PDF, and its workbook printed by LibreOffice."""
    ws = change(demo_workspace(folder / "ws.db"))
    try:
        pdf, xlsx = export(ws, UNIT, Q3, folder / "out", ("pdf", "xlsx"))
    finally:
        ws.close()
    out = libreoffice_convert([xlsx], folder)
    return Printed(pdf, out / (xlsx.stem + ".pdf"), xlsx)


# one workbook a run of LibreOffice: both in one run took more than 4 s, a start of it about 1.5 s
@pytest.fixture(scope="module")
def printed_sample(tmp_path_factory) -> Printed:
    """The sample quarter's form."""
    return print_form(lambda ws: ws, tmp_path_factory.mktemp("libreoffice-sample"))


@pytest.fixture(scope="module")
def printed_long_words(tmp_path_factory) -> Printed:
    """The sample quarter's form with long words (``write_long_words``)."""
    return print_form(write_long_words, tmp_path_factory.mktemp("libreoffice-long-words"))


def test_the_clerks_columns_get_half_the_width_and_none_fewer_than_8_characters(long_words):
    from ipdesk.reports.layout import METRICS, TEXT_WIDTH
    from ipdesk.reports.table_model import fit_widths

    table = tables(long_words.reports.snapshot(UNIT, Q3))[0]
    widths = fit_widths(table, TEXT_WIDTH, METRICS)
    clerk = [w for c, w in zip(table.columns, widths, strict=True) if c.clerk]
    assert [c.title[:4] for c in table.columns if c.clerk] == ["工作进展", "存在问题", "下步计划"]
    assert sum(clerk) >= TEXT_WIDTH / 2 - 0.5
    assert min(clerk) >= 8 * METRICS.size + 2 * METRICS.padding
    # an 82-character problem takes a few lines, not the 19 it took beside a 45-character 任务内容
    problem = next(i for i, c in enumerate(table.columns) if c.title == "存在问题")
    chars = (widths[problem] - 2 * METRICS.padding) / METRICS.size
    assert len(LONG_PROBLEM) / chars <= 6


def test_the_form_prints_the_first_sentence_and_the_workbook_keeps_the_plans_text(long_words, tmp_path):
    from ipdesk.reports.layout import first_sentence

    assert first_sentence("推动版权示范创建。培育一批版权产业龙头企业。") == "推动版权示范创建……"
    assert first_sentence("依法严厉打击侵权假冒行为") == "依法严厉打击侵权假冒行为"
    long = "依托秦创原创新驱动平台、西部科技创新港、丝路科学城、翱翔小镇、西部云谷等,建立完善“科技研发+技术转移”机制"
    short = first_sentence(long)
    assert short.endswith("……") and len(short) <= 42 and long.startswith(short[:-2])
    snapshot = long_words.reports.snapshot(UNIT, Q3)
    (xlsx,) = export(long_words, UNIT, Q3, tmp_path / "out", ("xlsx",))
    book = load_workbook(xlsx)
    full = {row[0].value: row[2].value for row in book["任务内容"].iter_rows(min_row=HEADER_ROW + 1) if row[1].value}
    form = {row[0].value: row[2].value for row in book["任务进展情况"].iter_rows(min_row=HEADER_ROW + 1)}
    for task in snapshot.tasks:
        assert full[task.seq] == task.content  # the plan's text, whole, once per task
        assert form[task.seq].split("\n")[0] == first_sentence(task.content)
    assert any(len(form[t.seq].split("\n")[0]) < len(t.content) for t in snapshot.tasks)
    # the full text's sheet has three columns, the first a narrow 序号: its line over the table is one line across
    # the width, the unit's name whole, not squeezed into 序号 ("碑/林区人民政府")
    sheet = book["任务内容"]
    line = next(c for row in sheet.iter_rows(max_row=HEADER_ROW) for c in row if "填报单位" in str(c.value or ""))
    assert line.column == 1 and f"填报单位（盖章）：{UNIT}" in line.value and "版本：v1" in line.value
    assert f"A{line.row}:{get_column_letter(sheet.max_column)}{line.row}" in {str(r) for r in sheet.merged_cells.ranges}


@needs_soffice
@needs_poppler
def test_libreoffice_prints_the_long_words_form_whole_and_about_as_long_as_the_pdf(printed_long_words):
    pdf, printed = printed_long_words.pdf, printed_long_words.printed
    ours, theirs = page_texts(pdf), page_texts(printed)

    def task_pages(texts: list[str]) -> int:
        return next(n for n, text in enumerate(texts) if "二、主要发展指标" in text)

    keep_for_review(pdf, "unit-form-pdf")
    keep_for_review(printed, "unit-form-workbook-libreoffice")
    assert task_pages(theirs) <= task_pages(ours) + 1  # a sheet's row never continues on the next page
    # The whole workbook: each of its four sheets (fixed by the signed format) begins a page where the PDF runs the
    # indicators, the signature lines, the evidence list and the plan's text on; 碑林区 leads no indicator and has
    # no evidence, so two sheets print a page each to say so (the PDF leaves the empty list out): 9 pages for the
    # PDF's 7 (2026-12-03; 8 if the format let an empty table's sheet be left out, as it does 示范工程目标).
    # LibreOffice prints the pages ipdesk planned, no more: no row overflows a page.
    assert len(theirs) == printed_long_words.planned_pages()
    assert len(theirs) <= len(ours) + 2
    assert "碑林区人民政府" in theirs[0]  # the unit's name whole on the line over the table
    for page in range(1, task_pages(theirs) + 1):
        assert "下步计划" in theirs[page - 1].replace(" ", "")  # the last column prints, on every page
    assert all(w.x1 < 842 - 20 for w in words(printed))  # nothing runs off the right edge


# -- Chinese line breaking -----------------------------------------------------------------------------------------
@needs_poppler
def test_no_printed_line_starts_with_closing_or_ends_with_opening_punctuation(demo, tmp_path):
    from ipdesk.reports.pdf import lay_out
    from ipdesk.reports.pdf_pages import Text
    from ipdesk.reports.pdf_table import TableBlock

    snapshot = demo.reports.snapshot(UNIT, Q3)
    _, pages, _ = lay_out(snapshot)
    checked = 0
    for placed in pages:
        for block, _ in placed:
            if isinstance(block, TableBlock):
                groups = [*block._header, *(lines for item in block._items for lines in item.cells)]
            elif isinstance(block, Text):
                groups = [block.lines(block._width or 0)]
            else:
                continue
            for lines in groups:
                assert line_violations(lines) == [], lines
                checked += len(lines) > 1
    assert checked > 50
    # and in the file as poppler reads it: a word at the start of a printed line is never closing punctuation
    (pdf,) = export(demo, UNIT, Q3, tmp_path / "out")
    found = words(pdf)
    for word in found:
        if word.text[:1] in NO_START:
            before = [w for w in found if w.page == word.page and abs(w.y0 - word.y0) < 1 and 0 <= word.x0 - w.x1 < 2]
            assert before, word
        if word.text[-1:] in NO_END:
            after = [w for w in found if w.page == word.page and abs(w.y0 - word.y0) < 1 and 0 <= w.x0 - word.x1 < 2]
            assert after, word


def test_header_words_and_statuses_are_never_split(demo):
    from ipdesk.reports.pdf import lay_out
    from ipdesk.reports.pdf_table import TableBlock

    _, pages, _ = lay_out(demo.reports.snapshot(UNIT, Q3))
    block = next(b for b, _ in pages[0] if isinstance(b, TableBlock))
    headers = dict(zip((c.title for c in block.table.columns), block._header, strict=True))
    assert headers["完成状态"] in (["完成状态"], ["完成", "状态"])
    assert headers["预警"] == ["预警"] and headers["序号"] == ["序号"]
    status = [c.title for c in block.table.columns].index("完成状态")
    statuses = {
        tuple(item.cells[status])
        for placed in pages
        for b, _ in placed
        if isinstance(b, TableBlock)
        for item in b._items
        if not item.group and b.table.sheet == "任务进展情况" and item.cells[status]
    }
    assert ("持续推进",) in statuses and all(len(s) == 1 for s in statuses)


# -- the header line and the signature block -----------------------------------------------------------------------
@needs_poppler
def test_the_header_line_is_spread_across_the_width(demo, tmp_path):
    (pdf,) = export(demo, UNIT, Q3, tmp_path / "out")
    first = [w for w in words(pdf) if w.page == 1]
    left = next(w for w in first if w.text.startswith("填报单位（盖章）"))
    middle = next(w for w in first if w.text.startswith("填报人："))
    right = next(w for w in first if w.text.startswith("版本：") or w.text.endswith("（填报中）"))
    assert left.x0 < 60  # at the left margin (18 mm = 51 pt)
    assert right.x1 > 842 - 60  # at the right margin
    assert 842 * 0.3 < middle.x0 < 842 * 0.6  # in the middle
    assert abs(left.y0 - middle.y0) < 1 and abs(left.y0 - right.y0) < 1  # one line


@needs_poppler
def test_the_signature_block_follows_the_data_with_the_seal_over_the_unit_and_date(demo, tmp_path):
    from ipdesk.reports.pdf import write_pdf

    snapshot = demo.reports.snapshot(UNIT, Q3)
    pdf = tmp_path / "report.pdf"
    seal = write_pdf(snapshot, pdf)
    x1, y1, x2, y2 = seal["box"]
    assert x2 - x1 == pytest.approx(42 * MM) and y2 - y1 == pytest.approx(42 * MM)
    page = seal["page"] + 1
    found = [w for w in words(pdf) if w.page == page]
    height = 595.28
    unit = next(w for w in found if "碑林区人民政府" in w.text and w.x0 > 842 / 2)
    date = next(w for w in found if w.text == snapshot.header.fill_date and w.x0 > 842 / 2)
    for word in (unit, date):  # the seal's square covers the unit name and the date (PDF y counts from the bottom)
        assert x1 <= (word.x0 + word.x1) / 2 <= x2
        assert y1 <= height - word.y1 and height - word.y0 <= y2
    assert y2 - (height - unit.y0) < 20  # its top within about a line of the unit name
    # right after the data: on the page of the last table's last row, not alone on a page
    page_text = page_texts(pdf)[seal["page"]]
    assert "二、主要发展指标完成情况" in page_text or "下步计划" in page_text
    # two columns of signature lines with room between them to write
    clerk = next(w for w in found if w.text.startswith("填报人："))
    phone = next(w for w in found if w.text.startswith("联系电话："))
    reviewer = next(w for w in found if w.text.startswith("审核人："))
    leader = next(w for w in found if w.text.startswith("单位负责人（签字）"))
    assert abs(clerk.y0 - phone.y0) < 1 and abs(reviewer.y0 - leader.y0) < 1
    assert abs(clerk.x0 - reviewer.x0) < 1 and abs(phone.x0 - leader.x0) < 1 and phone.x0 - clerk.x0 > 60 * MM
    assert reviewer.y0 - clerk.y0 > 12 * MM
    assert reviewer.text == "审核人：李强"


# -- drafts --------------------------------------------------------------------------------------------------------
@needs_poppler
def test_anything_not_signed_says_draft_on_every_page_and_a_signed_report_does_not(demo, tmp_path):
    (pdf,) = export(demo, UNIT, Q3, tmp_path / "draft")
    assert "草稿（未签署）" in pdf.name
    texts = page_texts(pdf)
    assert len(texts) > 1 and all("草稿（未签署）" in text for text in texts)
    title = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Title:\s+.*草稿（未签署）", title)
    demo.reports.submit(UNIT, Q3)
    (submitted,) = export(demo, UNIT, Q3, tmp_path / "submitted")  # submitted is not signed either
    assert "草稿（未签署）" in submitted.name and all("草稿（未签署）" in t for t in page_texts(submitted))
    demo.signoff.sign(UNIT, Q3, PASS, create=True, reviewer="李强")
    signed = next(p for p in export(demo, UNIT, Q3, tmp_path / "signed", ("xlsx", "pdf")) if p.suffix == ".pdf")
    assert "草稿" not in signed.name
    assert not any("草稿" in text for text in page_texts(signed))
    assert "本报告已由李强代表碑林区人民政府电子签署" in re.sub(r"\s+", "", "".join(page_texts(signed)))


# -- lights and numbers --------------------------------------------------------------------------------------------
@needs_poppler
def test_a_missed_threshold_is_red_and_reads_the_same_in_both_files(tmp_path):
    with Workspace(tmp_path / "court.db", actor="测试员") as ws:
        fill_sample(ws, COURT, "2025")
        ws.indicator_values.save(IndicatorValue(15, COURT, Period.parse("2025"), 80.99, "", "市法院审管办"))
        paths = {p.suffix: p for p in export(ws, COURT, "2025", tmp_path / "out", ("xlsx", "pdf"))}
        snapshot = ws.reports.snapshot(COURT, "2025")
    line = next(i for i in snapshot.indicators if i.seq == 15)
    assert (line.light, round(line.rate, 3)) == ("red", 0.953)
    sheet = load_workbook(paths[".xlsx"])["主要指标完成情况"]
    row = next(r for r in range(HEADER_ROW + 1, sheet.max_row + 1) if sheet.cell(r, 1).value == 15)
    shown = {}
    for column in range(1, sheet.max_column + 1):
        cell = sheet.cell(row, column)
        header = sheet.cell(HEADER_ROW, column).value.replace("\n", "")
        shown[header] = format_value(cell.value, cell.number_format)
        if header.endswith(("目标", "基数", "预期值", "实际值", "完成率")) and cell.value != "—":
            assert isinstance(cell.value, (int, float)), header  # numbers, with number formats
    assert shown["2025年目标"] == "≥85" and shown["本期实际值"] == "80.99" and shown["完成率"] == "95.3%"
    assert shown["预警"] == "红灯" and sheet.cell(row, 10).fill.fgColor.rgb.endswith("F8D0D0")
    text = re.sub(r"\s+", " ", "".join(page_texts(paths[".pdf"])))
    assert re.search(r"15 知识产权保护社会满意度 分 — ≥85 — ≥?85 80\.99 95\.3% 红灯", text), text[:3000]
    # one value reported: the chart is a sentence of value, expected value and target
    assert "2025年填报值：80.99分" in text.replace(" ", "") and "2025年目标：≥85分" in text.replace(" ", "")


@needs_poppler
def test_counts_print_as_whole_numbers_and_growth_as_a_number(tmp_path):
    with Workspace(tmp_path / "agency.db", actor="测试员") as ws:
        fill_sample(ws, AGENCY, Q3)
        snapshot = ws.reports.snapshot(AGENCY, Q3)
    # a count stored with decimals by an earlier release still prints whole
    lines = [dataclasses.replace(i, actual=703.43) if i.seq == 2 else i for i in snapshot.indicators]
    snapshot = dataclasses.replace(snapshot, indicators=tuple(lines))
    from ipdesk.reports.pdf import write_pdf

    from .openpyxl_sheets import build_workbook

    book = build_workbook(snapshot)
    sheet = book["主要指标完成情况"]
    rows = {sheet.cell(r, 1).value: r for r in range(HEADER_ROW + 1, sheet.max_row + 1)}
    patents = rows[2]  # 海外专利年申请量（件）
    columns = {sheet.cell(HEADER_ROW, c).value.replace("\n", ""): c for c in range(1, sheet.max_column + 1)}
    actual, target, expected = columns["本期实际值"], columns["2025年目标"], columns["2025年预期值"]
    assert sheet.cell(patents, actual).value == 703.43 and sheet.cell(patents, actual).number_format == "0"
    assert sheet.cell(patents, target).number_format == "0" and sheet.cell(patents, expected).number_format == "0"
    growth = sheet.cell(patents, columns["年均预增"])
    assert growth.value == pytest.approx(0.1225) and growth.number_format == "0.00%"
    ratio = rows[1]  # 每万人口高价值发明专利拥有量（件）: a ratio keeps its decimals
    assert sheet.cell(ratio, actual).number_format in ("0.0", "0.00")
    targets = book["示范工程目标"]
    heads = {targets.cell(HEADER_ROW, c).value.replace("\n", ""): c for c in range(1, targets.max_column + 1)}
    rows = [r for r in range(HEADER_ROW + 1, targets.max_row + 1) if targets.cell(r, 2).value is not None]
    assert len(rows) > 10
    for r in rows:  # targets and values are numbers; a count's format prints it whole
        goal, done = targets.cell(r, heads["目标值"]), targets.cell(r, heads["累计完成"])
        assert isinstance(goal.value, (int, float)) and isinstance(done.value, (int, float)), r
        if targets.cell(r, heads["单位"]).value in ("件", "家", "场次") and "每万" not in targets.cell(r, 2).value:
            assert re.sub(r'"[^"]*"', "", goal.number_format) == "0" and done.number_format == "0", r
    pdf = tmp_path / "agency.pdf"
    write_pdf(snapshot, pdf)
    raw = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = re.sub(r"\s+", " ", raw)  # in reading order: the row reads whole wherever the page breaks the table
    assert re.search(r"2 海外专利年申请量 件 449 800 12\.25% 800 703 ", text)
    assert "703.43" not in text


# -- charts and fonts ----------------------------------------------------------------------------------------------
def test_charts_join_only_reported_values():
    from ipdesk.reports.pdf_charts import in_words, reported_values
    from ipdesk.reports.snapshot import IndicatorLine

    line = IndicatorLine(
        "市市场监管局(知识产权局)", 6, "知识产权年质押融资金额", "亿元", "lead", 30, 2020, 30, "保持", 2025, "保持",
        30, 28.96, 28.96 / 30, "red", "", "",
        path=((2020, 30, 30), (2021, 30, None), (2022, 30, None), (2023, 30, None), (2024, 30, None),
              (2025, 30, 28.96)),
    )  # fmt: skip
    assert reported_values(line) == [(2025, 28.96)]  # the baseline is not a report
    words = in_words(line, 2025)
    assert words[0] == "2025年填报值：28.96亿元" and "2025年目标：保持30亿元" in words
    assert words[-1] == "完成率 96.5%，红灯"


@needs_poppler
def test_every_font_is_embedded_with_charts_and_a_signature_stamp(tmp_path):
    with Workspace(tmp_path / "agency.db", actor="测试员") as ws:
        ws.settings.update({"reviewer_name": "赵敏"})
        for period in ("2023Q4", "2024Q4", "2025Q3"):
            fill_sample(ws, AGENCY, period)
        ws.reports.submit(AGENCY, Q3)
        ws.signoff.sign(AGENCY, Q3, PASS, create=True, reviewer="赵敏")
        pdf = next(p for p in export(ws, AGENCY, Q3, tmp_path / "out", ("pdf",)) if p.suffix == ".pdf")
        signed = ws.signoff.signed(AGENCY, Q3).snapshot
    from ipdesk.reports.pdf import lay_out

    _, pages, _ = lay_out(signed)
    assert len(pages) <= 16
    for placed in pages:  # no heading or caption left at the foot of a page
        assert not placed[-1][0].keep_with_next, [type(b).__name__ for b, _ in placed]
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(re.search(r"\byes\s+yes\s+yes\b", row) for row in rows), fonts
    assert "Helvetica" not in fonts
    text = "".join(page_texts(pdf))
    assert "附：主要指标走势" in text and "审核人：赵敏" in text.replace(" ", "")


# -- the workbook as LibreOffice prints it -------------------------------------------------------------------------
@needs_soffice
@needs_poppler
def test_libreoffice_prints_the_workbook_whole(printed_sample):
    pdf = printed_sample.printed
    texts = page_texts(pdf)
    total = len(texts)
    assert total >= 3
    # the pages ipdesk planned, two more than the PDF's: the sheets of 碑林区's indicators and evidence (it has
    # neither) each print a page, which the PDF does not need (8 pages for the PDF's 6, 2026-12-03)
    assert total == printed_sample.planned_pages()
    assert total <= page_count(printed_sample.pdf) + 2
    found = words(pdf)
    for number in range(1, total + 1):  # the footer whole, well inside the paper
        footer = [w for w in found if w.page == number and w.text in ("第", "页", "共", str(number), str(total))]
        assert len(footer) >= 5, number
        assert all(595.28 - w.y1 > 12 for w in footer)
        assert "草稿（未签署）" in texts[number - 1]
    closing = next(n for n, text in enumerate(texts) if "填表说明" in text)
    keep_for_review(pdf, "unit-form-workbook-libreoffice-signature-page", closing + 1)
    assert "二、主要发展指标完成情况" in texts[closing]  # as in the PDF: under the last table of figures, on its page
    assert "本单位不牵头主要发展指标" in texts[closing] and "审核人：李强" in texts[closing].replace(" ", "")
    assert "加强督导考核" not in texts[closing]  # the task sheet ends with its last task
    # the unit (where the seal goes) and the date at the right of the signature lines, as in the PDF
    here = [w for w in found if w.page == closing + 1]
    seal = max((w for w in here if w.text.startswith("填报单位（盖章）")), key=lambda w: w.y0)
    date = next(w for w in here if w.text.startswith("日期：") and w.y0 > seal.y0)
    assert seal.x0 > 842 / 2 and date.x0 > 842 / 2
    assert any("本单位不" in text and "无需填报" in text for text in texts)  # the empty sheets say why
    for text in texts:  # no page of nothing but a repeated header
        body = [line for line in text.splitlines() if line.strip()]
        assert len(body) > 4

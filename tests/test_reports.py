"""The exported workbook and PDF, read back with openpyxl and with real PDF tools."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ipdesk import Period, Workspace
from ipdesk.domain import InvalidInput, Progress, TaskStatus
from ipdesk.reports.excel import HEADER_ROW
from ipdesk.reports.files import report_file_name
from ipdesk.reports.layout import tables, task_text_table
from ipdesk.reports.table_model import Group
from ipdesk.workspace.sample_data import fill_sample

from .conftest import libreoffice_convert, needs_soffice

Q3 = Period.parse("2025Q3")
UNIT = "碑林区人民政府"
POPPLER = shutil.which("pdftotext") and shutil.which("pdffonts") and shutil.which("pdfinfo")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed")
TRICKY = {47: "=SUM(A1:A9)*2", 48: "+86 029 8888 6666", 94: "-5% 较上期", 95: "@张三 请补充"}


@pytest.fixture
def filled(tmp_path):
    ws = Workspace(tmp_path / "ws.db", actor="王芳")
    ws.settings.update({"unit": UNIT, "clerk_name": "王芳", "clerk_phone": "029-88886666", "reviewer_name": "李强"})
    fill_sample(ws, UNIT, Q3)
    for seq, text in TRICKY.items():
        ws.progress.save(ws.progress.get(seq, UNIT, Q3).with_changes(achievements=text))
    evidence = tmp_path / "推进会纪要.pdf"
    evidence.write_bytes(b"%PDF minutes")
    ws.evidence.add(47, UNIT, Q3, evidence)
    yield ws
    ws.close()


@pytest.fixture
def out(tmp_path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_file_names_are_safe_and_say_what_they_are():
    assert report_file_name(("碑林区人民政府",), "2025Q3", 1, "xlsx") == "碑林区人民政府_2025Q3_工作进展_v1.xlsx"
    assert (
        report_file_name(("市市场监管局(知识产权局)",), "2025-11", 2, "pdf")
        == "市市场监管局(知识产权局)_2025-11_工作进展_v2.pdf"
    )
    assert report_file_name(("a/b:c*",), "2025", 1, "pdf", sample=True) == "a_b_c__2025_工作进展_示例数据_v1.pdf"
    assert report_file_name(("甲", "乙"), "2025Q4", 1, "xlsx").startswith("汇总2个单位_2025Q4")
    assert (
        report_file_name(("碑林区人民政府",), "2025Q3", 1, "pdf", sample=True, draft=True)
        == "碑林区人民政府_2025Q3_工作进展_草稿（未签署）_示例数据_v1.pdf"
    )


def test_snapshot_of_a_unit(filled):
    snapshot = filled.reports.snapshot(UNIT, Q3)
    header = snapshot.header
    assert header.form_title == "西安市国家知识产权强市建设示范城市工作进展情况表（2025年第三季度）"
    assert (header.units, header.period_name, header.cutoff) == ((UNIT,), "2025年第三季度", "2025年9月30日")
    assert (header.clerk, header.phone, header.reviewer, header.sample) == ("王芳", "029-88886666", "李强", True)
    assert len(snapshot.tasks) == 30 and snapshot.indicators == ()
    assert snapshot.evidence[0].file_name == "推进会纪要.pdf" and len(snapshot.evidence[0].sha256) == 64
    assert snapshot.sha256() == filled.reports.snapshot(UNIT, Q3).sha256()


def test_snapshot_of_several_units(filled):
    fill_sample(filled, "市法院", Q3)
    snapshot = filled.reports.snapshot([UNIT, "市法院"], Q3)
    assert snapshot.several_units
    task_table = tables(snapshot)[0]
    assert [c.title for c in task_table.columns[:2]] == ["序号", "单位"]
    assert {row[1].value for row in task_table.rows} == {UNIT, "市法院"}
    seqs = [row[0].value for row in task_table.rows]
    assert seqs == sorted(seqs)  # one task's units together


def test_workbook_reads_back_as_the_snapshot(filled, out):
    (path,) = filled.reports.export(UNIT, Q3, out, ("xlsx",))
    assert path.name == "碑林区人民政府_2025Q3_工作进展_草稿（未签署）_示例数据_v1.xlsx"
    snapshot = filled.reports.snapshot(UNIT, Q3)
    book = load_workbook(path)
    expected = [*tables(snapshot), task_text_table(snapshot)]
    assert [t.sheet for t in expected] == ["任务进展情况", "主要指标完成情况", "佐证材料清单", "任务内容"]
    assert book.sheetnames == [t.sheet for t in expected]
    for table in expected:
        sheet = book[table.sheet]
        assert sheet["A1"].value == snapshot.header.form_title + "（示例数据）　草稿（未签署）"
        assert sheet["A2"].value == table.title
        info = [sheet.cell(3, c).value for c in range(1, len(table.columns) + 1) if sheet.cell(3, c).value]
        # three cells, or two, or one across the width where the columns are too few or narrow to hold each part
        # on a line
        assert len(info) in (1, 2, 3) and info[0].startswith("填报单位（盖章）：碑林区人民政府")
        line = "　　".join(info)
        assert "填报人：王芳" in line and "029-88886666" in line
        assert "填报日期：" in line and "版本：v1（填报中）" in line
        headers = [sheet.cell(HEADER_ROW, c + 1).value for c in range(len(table.columns))]
        assert [h.replace("\n", "") for h in headers] == [c.title for c in table.columns]
        items = table.items or (None,)
        for offset, item in enumerate(items, 1):
            row = HEADER_ROW + offset
            if item is None:  # an empty table says so
                assert sheet.cell(row, 1).value == table.empty_text
                assert "本单位不" in table.empty_text  # says why, not just （无）
                continue
            if isinstance(item, Group):
                assert sheet.cell(row, 1).value == item.text
                merged = f"A{row}:{get_column_letter(len(table.columns))}{row}"
                assert merged in {str(r) for r in sheet.merged_cells.ranges}
                continue
            for number, cell in enumerate(item, 1):
                found = sheet.cell(row, number)
                assert found.value == (None if cell.value in ("", None) else cell.value), (table.sheet, row, number)
                if cell.format:
                    assert found.number_format == cell.format
                if cell.fill:
                    assert found.fill.fgColor.rgb.endswith(cell.fill)
        assert sheet.print_title_rows.replace("$", "") == f"{HEADER_ROW}:{HEADER_ROW}"
        assert sheet.page_setup.orientation == "landscape"
        assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4 == "9"
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
        assert sheet.oddHeader.right.text == "草稿（未签署）　示例数据"
        assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
        margins = sheet.page_margins  # header and footer well clear of the body and of the paper's edge
        assert margins.top - margins.header >= 0.4 and margins.bottom - margins.footer >= 0.4
        assert margins.header >= 0.25 and margins.footer >= 0.25 and margins.left >= 0.5
    tasks = book["任务进展情况"]
    first_group = tasks.cell(HEADER_ROW + 1, 1)
    assert first_group.value == "推进知识产权高质量创造"  # category heading rows, no category column
    assert all(c.title != "任务类别" for c in expected[0].columns)
    lights = {tasks.cell(r, 6).value: tasks.cell(r, 6).fill.fgColor.rgb for r in range(HEADER_ROW + 1, 45)}
    assert lights["红灯"].endswith("F8D0D0") and lights["绿灯"].endswith("D8F0D8")


def test_the_task_rows_say_who_leads_and_what_evidence_supports_them(filled):
    table = tables(filled.reports.snapshot(UNIT, Q3))[0]
    rows = {row[0].value: [cell.text for cell in row] for row in table.rows}
    assert rows[16][2].endswith("（本单位协作；牵头单位：市市场监管局(知识产权局)、市科技局）")  # 碑林区 cooperates
    assert rows[47][6].endswith("佐证材料1份：推进会纪要.pdf")
    assert rows[16][4] == "91%"  # the workbook shows the same: 0"%" of 91


def test_the_closing_lines_follow_the_last_table_of_figures_and_print_with_its_last_rows(filled, out):
    """As in the PDF, the signature lines and 填表说明 close the form under its last table of figures (主要指标完成情况,
    or 示范工程目标 for a unit with targets), before the annexed lists; kept on the printed page of its last rows."""
    from ipdesk.reports.excel import closing_lines
    from ipdesk.reports.excel_table import SheetHeading, SheetLine
    from ipdesk.reports.layout import METRICS, TEXT_WIDTH

    from .openpyxl_sheets import new_workbook, write_table_sheet

    def signature_row(sheet) -> int | None:
        texts = [sheet.cell(r, 1).value for r in range(1, sheet.max_row + 1)]
        return next((r for r, t in enumerate(texts, 1) if isinstance(t, str) and t.startswith("填报人：")), None)

    (path,) = filled.reports.export(UNIT, Q3, out, ("xlsx",))
    book = load_workbook(path)
    assert [s.title for s in book.worksheets if signature_row(s)] == ["主要指标完成情况"]  # 碑林区 has no targets
    sheet = book["主要指标完成情况"]
    signature = signature_row(sheet)
    assert signature is not None and sheet.cell(signature + 1, 1).value.startswith("审核人：李强")
    assert "填表说明：" in [sheet.cell(r, 1).value for r in range(signature, sheet.max_row + 1)]
    tasks = book["任务进展情况"]
    breaks = sorted(b.id for b in tasks.row_breaks.brk)
    assert breaks
    for row in breaks:  # a page never ends on a category heading
        assert isinstance(tasks.cell(row, 1).value, int), row
    # a long table with the closing lines under it: its last row prints on their page
    snapshot = filled.reports.snapshot(UNIT, Q3)
    heading = SheetHeading("表", "一、重点任务进展情况", SheetLine(("甲", "乙", "丙")), closing=closing_lines(snapshot))
    sheet = write_table_sheet(new_workbook(), tables(snapshot)[0], heading, METRICS, TEXT_WIDTH)
    signature = signature_row(sheet)
    assert signature is not None
    last_task = max(r for r in range(HEADER_ROW + 1, signature) if isinstance(sheet.cell(r, 1).value, int))
    breaks = sorted(b.id for b in sheet.row_breaks.brk)
    assert len(breaks) >= 2 and all(b < last_task for b in breaks)
    # a unit with targets signs under 示范工程目标
    (out.parent / "agency").mkdir()
    with Workspace(out.parent / "agency.db", actor="测试员") as ws:
        fill_sample(ws, "市市场监管局(知识产权局)", Q3)
        (agency,) = ws.reports.export("市市场监管局(知识产权局)", Q3, out.parent / "agency", ("xlsx",))
    assert [s.title for s in load_workbook(agency).worksheets if signature_row(s)] == ["示范工程目标"]


def test_the_plans_text_keeps_each_task_name_on_one_line(filled):
    """The plan's text beside its task names: names of 8 and 9 characters in a column that starts at 6. One more
    piece of width saves no line, a few save one in most rows: the names get them (they wrapped as
    "培育知名商标品/牌" before, making two thirds of the rows two lines high, in both files)."""
    from ipdesk.reports.layout import METRICS, TEXT_WIDTH
    from ipdesk.reports.linebreak import break_lines, estimate
    from ipdesk.reports.table_model import fit_widths, line_counts

    table = task_text_table(filled.reports.snapshot(UNIT, Q3))
    widths = fit_widths(table, TEXT_WIDTH, METRICS)
    names = {row[1].text for row in table.rows}
    assert max(map(len, names)) >= 9 and len(table.rows) > 20
    room = widths[1] - 2 * METRICS.padding
    measure = lambda text: estimate(text, METRICS.size)  # noqa: E731
    wrapped = [name for name in names if len(break_lines(name, room, measure)) > 1]
    assert wrapped == ["工程4:知识产权区域发展高地示范工程"]  # 18 characters: this one takes two lines
    counts = line_counts(table, widths, METRICS)
    assert sum(counts) <= 1.5 * len(table.items)


def test_formula_like_text_stays_text(filled, out):
    (path,) = filled.reports.export(UNIT, Q3, out, ("xlsx",))
    sheet = load_workbook(path)["任务进展情况"]
    found = {}
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1):
        seq = row[0].value
        if seq in TRICKY:
            found[seq] = row[6]
    assert {seq: cell.value.split("\n")[0] for seq, cell in found.items()} == TRICKY
    assert all(cell.data_type == "s" for cell in found.values())
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout


@needs_poppler
def test_pdf_has_its_font_embedded_and_says_what_the_snapshot_says(filled, out):
    (path,) = filled.reports.export(UNIT, Q3, out, ("pdf",))
    assert path.name == "碑林区人民政府_2025Q3_工作进展_草稿（未签署）_示例数据_v1.pdf"
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all("WenQuanYiMicroHei" in row for row in rows)
    assert all(re.search(r"\byes\s+yes\s+yes\b", row) for row in rows)  # embedded, subset, with Unicode map
    text = re.sub(r"\s+", "", pdf_text(path))
    snapshot = filled.reports.snapshot(UNIT, Q3)
    assert re.sub(r"\s+", "", snapshot.header.form_title) in text
    assert "示例数据" in text and "填报单位（盖章）：碑林区人民政府" in text
    # every line the layout broke the cells into is printed
    from ipdesk.reports.pdf import lay_out

    _, pages, _ = lay_out(snapshot)
    printed = [line for page in pages for block, _ in page for line in block_lines(block)]
    assert len(printed) > 300
    for line in printed:
        assert re.sub(r"\s+", "", line) in text, line
    # each cell whole, even where its row continues on the next page: the lines of a column, part after part
    from ipdesk.reports.pdf_table import TableBlock

    columns: dict[tuple[str, int], str] = {}
    for page in pages:
        for block, _ in page:
            if isinstance(block, TableBlock):
                for item in block._items:
                    for number, lines in enumerate(item.cells):
                        key = (block.table.sheet, number)
                        columns[key] = columns.get(key, "") + "".join(lines).replace(" ", "")
    for table in tables(snapshot):
        for row in table.text_rows():
            for number, cell in enumerate(row):
                assert re.sub(r"\s+", "", cell) in columns[(table.sheet, number)], cell
    for phrase in ("填表说明", "审核人：李强", "联系电话：029-88886666", "单位负责人（签字）"):
        assert phrase in text


def block_lines(block) -> list[str]:
    """The lines a laid-out block prints: a paragraph's, or a table's header and cells, row by row."""
    from ipdesk.reports.pdf_pages import Text
    from ipdesk.reports.pdf_table import TableBlock

    if isinstance(block, Text):
        return block.lines(block._width or 0) if block._lines is not None else []
    if isinstance(block, TableBlock):
        found = [line for lines in block._header for line in lines]
        for item in block._items:
            found += [line for lines in item.cells for line in lines]
        return found
    return []


@needs_poppler
def test_long_report_counts_its_pages(filled, out):
    unit = "市市场监管局(知识产权局)"
    for period in ("2024Q4", "2025Q2", "2025Q3"):
        fill_sample(filled, unit, period)
    (path,) = filled.reports.export(unit, Q3, out, ("pdf",))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 8 < pages <= 16  # the goal for 市市场监管局: at most 16 pages (33 before)
    footers = re.findall(r"第 (\d+) 页 共 (\d+) 页", pdf_text(path))
    assert [int(n) for n, _ in footers] == list(range(1, pages + 1))
    assert {int(total) for _, total in footers} == {pages}
    assert "主要指标走势" in pdf_text(path)


def test_a_character_the_font_lacks_is_named_and_nothing_is_written(filled, out):
    filled.progress.save(filled.progress.get(47, UNIT, Q3).with_changes(problems="古籍用字𠀀待核实"))
    with pytest.raises(InvalidInput) as error:
        filled.reports.export(UNIT, Q3, out)
    message = str(error.value)
    assert "𠀀" in message and "CJK UNIFIED IDEOGRAPH-20000" in message and "第5个字符" in message
    assert "存在问题" in message
    assert list(out.iterdir()) == []


def test_a_failed_write_leaves_no_half_file_and_keeps_the_old_one(filled, out, monkeypatch):
    (old,) = filled.reports.export(UNIT, Q3, out, ("xlsx",))
    before = old.read_bytes()
    import ipdesk.reports.excel as excel

    def broken(snapshot, path):
        Path(path).write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(excel, "write_workbook", broken)
    with pytest.raises(InvalidInput) as error:
        filled.reports.export(UNIT, Q3, out, ("xlsx",))
    assert "磁盘可能已满" in str(error.value)
    assert old.read_bytes() == before
    assert [p.name for p in out.iterdir()] == [old.name]


def test_missing_or_unwritable_folder_is_explained(filled, tmp_path, monkeypatch):
    with pytest.raises(InvalidInput) as error:
        filled.reports.export(UNIT, Q3, tmp_path / "nowhere")
    assert "不存在" in str(error.value)
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    folder = tmp_path / "readonly"
    folder.mkdir()
    with pytest.raises(InvalidInput) as error:
        filled.reports.export(UNIT, Q3, folder, ("xlsx",))
    assert "无法在文件夹" in str(error.value)


def test_cli_export_prints_the_paths(filled, out, capsys):
    from ipdesk.cli import main

    path = filled.path
    filled.close()
    command = ["--db", str(path), "export", "--unit", "碑林区", "--period", "2025Q3", "--out", str(out)]
    assert main([*command, "--format", "xlsx"]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(out / "碑林区人民政府_2025Q3_工作进展_草稿（未签署）_示例数据_v1.xlsx")]
    assert main([*command, "--format", "doc"]) == 2
    assert "不支持的导出格式" in capsys.readouterr().err


def test_cli_demo_marks_sample_data(tmp_path, capsys):
    from ipdesk.cli import main

    db = tmp_path / "demo.db"
    assert main(["--db", str(db), "demo", "--unit", "市法院", "--period", "2025-11", "--json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["unit"] == "市法院" and data["entries"] > 10
    with Workspace(db) as ws:
        assert ws.reports.snapshot("市法院", "2025-11").header.sample
        assert ws.progress.get(55, "市法院", "2025-11").achievements
        assert not ws.reports.snapshot("市法院", "2025-10").header.sample


def test_real_data_is_not_marked_sample(ws, tmp_path):
    ws.progress.save(Progress(47, UNIT, Q3, TaskStatus.IN_PROGRESS, 50, "真实填报"))
    snapshot = ws.reports.snapshot(UNIT, Q3)
    assert not snapshot.header.sample
    (path,) = ws.reports.export(UNIT, Q3, tmp_path, ("xlsx",))
    assert "示例数据" not in path.name and "草稿（未签署）" in path.name
    assert load_workbook(path)["任务进展情况"]["A1"].value == snapshot.header.form_title + "　草稿（未签署）"


@needs_soffice
def test_libreoffice_opens_the_workbook(filled, out, tmp_path):
    (path,) = filled.reports.export(UNIT, Q3, out, ("xlsx",))
    pdf = libreoffice_convert([path], tmp_path) / (path.stem + ".pdf")
    assert pdf.exists() and pdf.stat().st_size > 1000
    if POPPLER:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 3
        width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
        assert width > height  # printed landscape, as set up


def test_official_windows_faces_are_offered_only_when_present(monkeypatch, tmp_path):
    from ipdesk.reports import fonts

    monkeypatch.setenv("WINDIR", str(tmp_path))
    assert fonts.available_faces() == {}
    (tmp_path / "Fonts").mkdir()
    (tmp_path / "Fonts" / "simhei.ttf").write_bytes(b"")
    assert fonts.available_faces() == {"simhei": "黑体"}
    monkeypatch.setenv("WINDIR", str(tmp_path / "nowhere"))
    assert fonts.register("simhei") == fonts.BUNDLED  # asked for but absent: the bundled font


def test_the_font_cache_gives_the_same_font_and_survives_damage(tmp_path, monkeypatch):
    from reportlab.pdfbase.ttfonts import TTFont

    from ipdesk import paths
    from ipdesk.paths import resources_dir
    from ipdesk.reports import fonts

    monkeypatch.setattr(paths, "user_cache_dir", lambda: tmp_path / "cache")
    font_file = resources_dir() / "fonts" / "wqy-microhei.ttc"
    cache = fonts._cache_path(font_file, 0)
    assert cache is not None and str(tmp_path) in str(cache)
    parsed = fonts.load_truetype("ParsedFirst", font_file)  # parses and writes the cache
    assert cache.exists()
    cached = fonts.load_truetype("FromCache", font_file)
    reference = TTFont("Reference", str(font_file), subfontIndex=0)
    names = [k for k in vars(reference.face) if k != "_pdfScale"]  # what a parsed face holds, read from any face
    strip = lambda face: {k: getattr(face, k) for k in names}  # noqa: E731
    assert strip(cached.face) == strip(reference.face) == strip(parsed.face)
    assert cached.face._pdfScale(2048) == reference.face._pdfScale(2048)
    cache.write_bytes(b"\x00" * 100)  # damaged: parsed again, cache rewritten
    again = fonts.load_truetype("AfterDamage", font_file)
    assert strip(again.face) == strip(reference.face)
    assert cache.stat().st_size > 1000

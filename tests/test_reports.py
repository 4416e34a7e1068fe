"""The exported workbook and PDF, read back with openpyxl and with real PDF tools."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ipdesk import Period, Workspace
from ipdesk.domain import InvalidInput, Progress, TaskStatus
from ipdesk.reports.excel import HEADER_ROW
from ipdesk.reports.files import report_file_name
from ipdesk.reports.layout import tables
from ipdesk.workspace.sample_data import fill_sample

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
    assert task_table.columns[0].header == "单位"
    assert {row[0] for row in task_table.rows} == {UNIT, "市法院"}


def test_workbook_reads_back_as_the_snapshot(filled, out):
    (path,) = filled.reports.export(UNIT, Q3, out, ("xlsx",))
    assert path.name == "碑林区人民政府_2025Q3_工作进展_示例数据_v1.xlsx"
    snapshot = filled.reports.snapshot(UNIT, Q3)
    book = load_workbook(path)
    expected = tables(snapshot)
    assert book.sheetnames == [t.sheet for t in expected] == ["任务进展情况", "主要指标完成情况", "佐证材料清单"]
    for table in expected:
        sheet = book[table.sheet]
        assert sheet["A1"].value == snapshot.header.form_title + "（示例数据）"
        assert "A1:" in " ".join(str(r) for r in sheet.merged_cells.ranges)
        assert "填报单位（盖章）：碑林区人民政府" in sheet["A3"].value and "王芳" in sheet["A3"].value
        assert [sheet.cell(HEADER_ROW, c + 1).value for c in range(len(table.columns))] == [
            c.header for c in table.columns
        ]
        for offset, row in enumerate(table.rows, 1):
            values = tuple(sheet.cell(HEADER_ROW + offset, c + 1).value for c in range(len(row)))
            assert values == tuple(None if v == "" else v for v in row), (table.sheet, offset)
        assert sheet.print_title_rows.replace("$", "") == f"{HEADER_ROW}:{HEADER_ROW}"
        assert sheet.page_setup.orientation == "landscape"
        assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4 == "9"
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
        assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    tasks = book["任务进展情况"]
    lights = {tasks.cell(r, 8).value: tasks.cell(r, 8).fill.fgColor.rgb for r in range(HEADER_ROW + 1, 35)}
    assert lights.get("红灯", "").endswith("F8D0D0") or lights.get("绿灯", "").endswith("D8F0D8")


def test_formula_like_text_stays_text(filled, out):
    (path,) = filled.reports.export(UNIT, Q3, out, ("xlsx",))
    sheet = load_workbook(path)["任务进展情况"]
    found = {}
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1):
        seq = row[0].value
        if seq in TRICKY:
            found[seq] = row[8]
    assert {seq: cell.value for seq, cell in found.items()} == TRICKY
    assert all(cell.data_type == "s" for cell in found.values())
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout


@needs_poppler
def test_pdf_has_its_font_embedded_and_says_what_the_snapshot_says(filled, out):
    (path,) = filled.reports.export(UNIT, Q3, out, ("pdf",))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all("WenQuanYiMicroHei" in row for row in rows)
    assert all(re.search(r"\byes\s+yes\s+yes\b", row) for row in rows)  # embedded, subset, with Unicode map
    text = re.sub(r"\s+", "", pdf_text(path))
    snapshot = filled.reports.snapshot(UNIT, Q3)
    assert re.sub(r"\s+", "", snapshot.header.form_title) in text
    assert "示例数据" in text and "填报单位（盖章）：碑林区人民政府" in text
    for table in tables(snapshot):
        for row in table.text_rows():
            for cell in row:
                assert re.sub(r"\s+", "", cell) in text, cell
    for phrase in ("填表说明", "审核人：李强", "联系电话：029-88886666", "单位负责人（签字）"):
        assert phrase in text


@needs_poppler
def test_long_report_counts_its_pages(filled, out):
    unit = "市市场监管局(知识产权局)"
    for period in ("2024Q4", "2025Q2", "2025Q3"):
        fill_sample(filled, unit, period)
    (path,) = filled.reports.export(unit, Q3, out, ("pdf",))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages > 10
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
    assert printed == [str(out / "碑林区人民政府_2025Q3_工作进展_示例数据_v1.xlsx")]
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
    assert "示例数据" not in path.name
    assert load_workbook(path)["任务进展情况"]["A1"].value == snapshot.header.form_title


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_opens_the_workbook(filled, out, tmp_path):
    (path,) = filled.reports.export(UNIT, Q3, out, ("xlsx",))
    converted = tmp_path / "converted"
    result = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(converted),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    pdf = converted / (path.stem + ".pdf")
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

    from ipdesk.paths import resources_dir
    from ipdesk.reports import fonts

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    font_file = resources_dir() / "fonts" / "wqy-microhei.ttc"
    cache = fonts._cache_path(font_file, 0)
    assert cache is not None and str(tmp_path) in str(cache)
    parsed = fonts.load_truetype("ParsedFirst", font_file)  # parses and writes the cache
    assert cache.exists()
    cached = fonts.load_truetype("FromCache", font_file)
    reference = TTFont("Reference", str(font_file), subfontIndex=0)
    strip = lambda face: {k: v for k, v in vars(face).items() if k != "_pdfScale"}  # noqa: E731
    assert strip(cached.face) == strip(reference.face) == strip(parsed.face)
    assert cached.face._pdfScale(2048) == reference.face._pdfScale(2048)
    cache.write_bytes(b"\x00" * 100)  # damaged: parsed again, cache rewritten
    again = fonts.load_truetype("AfterDamage", font_file)
    assert strip(again.face) == strip(reference.face)
    assert cache.stat().st_size > 1000

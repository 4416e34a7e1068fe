"""ipdesk's own SpreadsheetML writer (``reports.workbook_writer``) against the workbooks openpyxl wrote before it.

The signed workbook is a contract between releases: every reader (openpyxl, then the checks of
``plans/workbook_bounds.py``; ``signing/sheet_xml.py``) must read the files written now into the same view as the
files openpyxl wrote. The goldens (``tests/workbook_golden.py``) keep the views and everything else openpyxl reads
of those files; here the same snapshots are written again and read both ways.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from ipdesk.plans.workbook_bounds import RETURN, archive_problem, package_ambiguity, sheet_problem
from ipdesk.reports.excel_table import FORMULA_STARTS

from .conftest import ROOT, libreoffice_convert, needs_soffice
from .workbook_golden import FOLDER, city_report, layout_of, snapshot_from_json, views_of

REPORTS = ("sample", "long_words", "agency_signed", "odd_texts")
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def golden(name: str) -> dict:
    return json.loads((FOLDER / f"{name}.json").read_text(encoding="utf-8"))


def cells_by_place(layout: dict) -> list[dict[str, tuple[dict, str]]]:
    """Each sheet's cells: coordinate → (look, type), the look without its quote prefix (see below)."""
    looks = [json.loads(look) for look in layout["looks"]]
    found = []
    for sheet in layout["sheets"]:
        places = {}
        for tag, coordinates in sheet["cells"].items():
            number, kind = tag.split(":", 1)
            look = {k: v for k, v in looks[int(number)].items() if k != "quote"}
            places.update({c: (look, kind) for c in coordinates})
        found.append(places)
    return found


def assert_same_layout(path: Path, expected: dict, view: dict) -> None:
    """What openpyxl reads of ``path`` is the golden ``expected``: every sheet's setup and every cell's look.

    One difference is meant: openpyxl's writer lost the quote prefix ("keep as text") of a table cell whose text a
    spreadsheet would read as a formula when another cell of its look had been styled first; ipdesk now gives it to
    exactly the texts starting with = + - @, wherever they stand."""
    layout = layout_of(path)
    assert layout["properties"] == expected["properties"]
    assert [s["name"] for s in layout["sheets"]] == [s["name"] for s in expected["sheets"]]
    for now, then in zip(layout["sheets"], expected["sheets"], strict=True):
        for key in then:
            if key != "cells":
                assert now[key] == then[key], (now["name"], key)
    assert cells_by_place(layout) == cells_by_place(expected)
    texts = {
        (sheet["name"], cell[0]): cell[2] for sheet in view["sheets"] if "cells" in sheet for cell in sheet["cells"]
    }
    looks = [json.loads(look) for look in layout["looks"]]
    for sheet in layout["sheets"]:
        for tag, coordinates in sheet["cells"].items():
            quoted = looks[int(tag.split(":")[0])]["quote"]
            for coordinate in coordinates:
                value = texts.get((sheet["name"], coordinate))
                assert quoted == (isinstance(value, str) and value.startswith(FORMULA_STARTS)), coordinate


def assert_package_reads_one_way(path: Path) -> None:
    assert archive_problem(path, RETURN) == ""
    assert sheet_problem(path, RETURN) == ""
    with zipfile.ZipFile(path) as archive:
        assert package_ambiguity(archive) == ""


@pytest.mark.parametrize("name", REPORTS)
def test_a_report_workbook_reads_as_the_one_openpyxl_wrote(name, tmp_path):
    """The sample quarter, the long words, an agency's quarter with targets and evidence (signed), texts that look
    like formulas or error codes or hold XML's special characters: the same view by openpyxl and by the sheet-XML
    reader (on its fast path), the same widths, heights, print setup and looks."""
    from ipdesk.reports.excel import write_workbook

    data = golden(name)
    path = tmp_path / f"{name}.xlsx"
    write_workbook(snapshot_from_json(data["return"]), path)
    by_openpyxl, by_xml = views_of(path)
    assert by_xml is not None, "the sheet-XML reader left the file to openpyxl"
    assert by_openpyxl == data["view"]
    assert by_xml == data["view"]
    assert_same_layout(path, data["layout"], data["view"])
    assert_package_reads_one_way(path)


@pytest.mark.parametrize("name", ["sample", "odd_texts"])
def test_openpyxls_rendering_of_a_sheet_is_the_file_ipdesk_writes(name, tmp_path):
    """``build_workbook`` (the same sheets put into an openpyxl workbook, ``tests/openpyxl_sheets.py``) saves the
    file ``write_workbook`` writes: cell by cell in the XML, merged cells' own borders included (openpyxl's load
    gives those the borders of their range again, so ``layout_of`` does not see them)."""
    from ipdesk.reports.excel import write_workbook

    from .openpyxl_sheets import build_workbook

    snapshot = snapshot_from_json(golden(name)["return"])
    ours, theirs = tmp_path / "ours.xlsx", tmp_path / "theirs.xlsx"
    write_workbook(snapshot, ours)
    build_workbook(snapshot).save(theirs)
    assert xml_cells(ours) == xml_cells(theirs)
    assert layout_of(ours) == layout_of(theirs)


def xml_cells(path: Path) -> list[dict[str, tuple]]:
    """Each sheet's ``<c>`` elements as written: reference → (type, value, what its style says)."""

    def described(element: ElementTree.Element) -> tuple:
        """An element of the styles part as its tag, attributes and children, in any order they are written."""
        children = sorted(described(child) for child in element)
        return (element.tag.removeprefix(MAIN), sorted(element.attrib.items()), children)

    def lines(element: ElementTree.Element) -> list[tuple]:
        return sorted(described(side) for side in element if side.get("style"))  # <left/> is no line

    with zipfile.ZipFile(path) as archive:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
        fonts = [described(e) for e in styles.find(f"{MAIN}fonts")]
        fills = [described(e) for e in styles.find(f"{MAIN}fills")]
        borders = [lines(e) for e in styles.find(f"{MAIN}borders")]
        formats = {f.get("numFmtId"): f.get("formatCode") for f in styles.iter(f"{MAIN}numFmt")}
        xfs = []
        for xf in styles.find(f"{MAIN}cellXfs"):
            alignment = xf.find(f"{MAIN}alignment")
            fmt = xf.get("numFmtId")
            xfs.append(
                (
                    formats.get(fmt, fmt),
                    fonts[int(xf.get("fontId"))],
                    fills[int(xf.get("fillId"))],
                    borders[int(xf.get("borderId"))],
                    None if alignment is None else sorted(alignment.attrib.items()),
                    xf.get("quotePrefix") in ("1", "true"),
                )
            )
        sheets = []
        names = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        for name in sorted(names, key=lambda n: int(n.removeprefix("xl/worksheets/sheet").removesuffix(".xml"))):
            root = ElementTree.fromstring(archive.read(name))
            cells = {}
            for cell in root.iter(f"{MAIN}c"):
                value = cell.find(f"{MAIN}v")
                inline = cell.find(f"{MAIN}is/{MAIN}t")
                text = value.text if value is not None else inline.text if inline is not None else None
                cells[cell.get("r")] = (cell.get("t"), text, xfs[int(cell.get("s", 0))])
            sheets.append(cells)
    return sheets


def test_the_city_report_workbook_reads_as_the_one_openpyxl_wrote(tmp_path):
    """The city office's report (a summary spread over merged columns, a long table of units in groups)."""
    from ipdesk.exchange.city_files import write_workbook

    data = golden("city")
    path = tmp_path / "city.xlsx"
    write_workbook(city_report(), path)
    by_openpyxl, by_xml = views_of(path)
    assert by_openpyxl == by_xml == data["view"]
    assert_same_layout(path, data["layout"], data["view"])
    assert_package_reads_one_way(path)


def test_a_signed_workbook_carries_the_view_its_readers_get(tmp_path):
    """The signed view is the one openpyxl and the sheet-XML reader get of the file."""
    import dataclasses
    from hashlib import sha256

    from cryptography.hazmat.primitives import serialization

    from ipdesk.signing import signatures
    from ipdesk.signing.identity import KeyStore
    from ipdesk.signing.workbook import SHEET, SignedReturn, read_signature_sheet, write_signed_workbook

    data = golden("agency_signed")
    identity = KeyStore(tmp_path / "keys").create("市市场监管局(知识产权局)", "李强", "口令123456")
    snapshot = snapshot_from_json(data["return"])
    snapshot = dataclasses.replace(
        snapshot, header=dataclasses.replace(snapshot.header, fingerprint=identity.fingerprint)
    )
    text = snapshot.canonical_json()

    signed = SignedReturn(
        text,
        sha256(text.encode()).hexdigest(),
        signatures.sign(identity.key, text.encode()),
        identity.certificate.public_bytes(serialization.Encoding.PEM),
    )
    path = tmp_path / "signed.xlsx"
    write_signed_workbook(snapshot, path, signed, identity)
    by_openpyxl, by_xml = views_of(path)
    sheet = read_signature_sheet(load_workbook(path))
    assert sheet is not None
    carried = json.loads(sheet.view_text)
    assert carried.pop("return_sha256") == signed.sha256
    assert carried == by_openpyxl == by_xml
    assert by_openpyxl["sheets"][-1] == {"name": SHEET, "state": "hidden"}
    # the tables read as the golden unsigned file's (the signature sheet is the only sheet added)
    assert by_openpyxl["sheets"][:-1] == data["view"]["sheets"]
    assert load_workbook(path)[SHEET].sheet_state == "veryHidden"
    assert_package_reads_one_way(path)


def test_texts_are_kept_and_refused_as_openpyxl_kept_and_refused_them(tmp_path):
    """A text is cut at 32,767 characters; control characters are refused (nothing is written); a carriage
    return, tabs, XML's special characters and characters beyond the BMP are kept as they are; a number keeps the
    16 significant digits openpyxl wrote (0.1 + 0.2 reads back as 0.3)."""
    from ipdesk.reports import workbook_writer as writer

    book = writer.Book(title="<&>")
    sheet = writer.Sheet("表'一")
    book.sheets.append(sheet)
    kept = ["a\rb\r\nc\td", "<&>\"'", "  two spaces  ", "𠀀𪚥", "#N/A", "=1+1", " ", 0.1 + 0.2, 2**40, -0.0, True]
    for row, value in enumerate(kept, 1):
        sheet.put(row, 1, value)
    sheet.put(len(kept) + 1, 1, "长" * 40_000)
    sheet.title_rows = (1, 1)
    path = tmp_path / "texts.xlsx"
    writer.save(book, path)
    loaded = load_workbook(path)["表'一"]
    values = [loaded.cell(row, 1).value for row in range(1, len(kept) + 2)]
    assert values[:-1] == [0.3 if value == 0.1 + 0.2 else value for value in kept]
    assert loaded.cell(5, 1).data_type == "e" and loaded.cell(6, 1).data_type == "s"
    assert values[-1] == "长" * 32_767
    assert loaded.print_title_rows == "$1:$1"
    assert load_workbook(path).properties.title == "<&>"
    for bad in ("a\x01b", "\x0b", "x\ufffe"):
        with pytest.raises(writer.IllegalCharacterError):
            sheet.put(1, 1, bad)


def test_the_parts_follow_the_order_the_standard_sets(tmp_path):
    """Excel refuses a worksheet or a styles part whose elements are out of the schema's order (ECMA-376 part 1,
    CT_Worksheet and CT_Stylesheet)."""
    from ipdesk.reports.excel import write_workbook

    worksheet_order = [
        "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr", "sheetProtection",
        "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate", "customSheetViews",
        "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions",
        "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches",
        "ignoredErrors", "smartTags", "drawing",
    ]  # fmt: skip
    styles_order = [
        "numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles",
        "colors", "extLst",
    ]  # fmt: skip
    path = tmp_path / "order.xlsx"
    write_workbook(snapshot_from_json(golden("sample")["return"]), path)

    def in_order(xml: bytes, order: list[str]) -> list[str]:
        tags = [child.tag.removeprefix(MAIN) for child in ElementTree.fromstring(xml)]
        assert all(tag in order for tag in tags), tags
        assert tags == sorted(tags, key=order.index), tags
        return tags

    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert len(sheets) == 4
        for name in sheets:
            assert "pageSetup" in in_order(archive.read(name), worksheet_order)
        styles = archive.read("xl/styles.xml")
        assert in_order(styles, styles_order)[:6] == styles_order[:6]
        fills = ElementTree.fromstring(styles).find(f"{MAIN}fills")
        patterns = [f.find(f"{MAIN}patternFill").get("patternType") for f in fills]
        assert patterns[:2] == [None, "gray125"]  # the two fills Excel reserves
        assert archive.namelist()[0] == "[Content_Types].xml"


def test_an_export_loads_no_openpyxl(tmp_path):
    """The whole `ipdesk export` of a unit's quarter (workbook and PDF) writes its workbook without openpyxl."""
    from ipdesk import Period, Workspace
    from ipdesk.workspace.sample_data import fill_sample

    db, out = tmp_path / "unit.db", tmp_path / "out"
    out.mkdir()
    with Workspace(db, actor="测试员") as ws:
        fill_sample(ws, "碑林区人民政府", Period.parse("2025Q3"))
    code = (
        "import sys, json\n"
        "from ipdesk.cli import main\n"
        f"code = main(['--db', {str(db)!r}, 'export', '--unit', '碑林区人民政府', '--period', '2025Q3',"
        f" '--out', {str(out)!r}])\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'openpyxl')), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []
    written = sorted(p.suffix for p in out.iterdir())
    assert written == [".pdf", ".xlsx"]
    (workbook,) = out.glob("*.xlsx")
    assert load_workbook(workbook).sheetnames == ["任务进展情况", "主要指标完成情况", "佐证材料清单", "任务内容"]


def _printed_words(pdf: Path) -> list[str]:
    """Every word LibreOffice printed, with its page and place (``pdftotext -bbox``)."""
    text = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    return [line.strip() for line in text.stdout.splitlines() if line.strip().startswith(("<word", "<page"))]


@pytest.fixture(scope="module")
def openpyxls_print(tmp_path_factory):
    """The agency report's sheets saved by openpyxl (``build_workbook``), as LibreOffice prints them: what ipdesk's
    own file is compared with (one print per fixture and test, each a LibreOffice start of a few seconds)."""
    import shutil

    if not shutil.which("soffice") or not shutil.which("pdftotext"):
        pytest.skip("LibreOffice or poppler-utils is not installed")
    from .openpyxl_sheets import build_workbook

    folder = tmp_path_factory.mktemp("openpyxl-print")
    snapshot = snapshot_from_json(golden("agency_signed")["return"])
    theirs = folder / "theirs.xlsx"
    build_workbook(snapshot).save(theirs)
    return snapshot, _printed_words(libreoffice_convert([theirs], folder) / "theirs.pdf")


@needs_soffice
def test_libreoffice_prints_the_workbook_as_it_printed_openpyxls(tmp_path, openpyxls_print):
    """LibreOffice opens ipdesk's file and prints every word of it where it printed the same sheets saved by openpyxl:
    same pages, same places (it lays out the rows of a workbook that says it is Excel-compatible as Excel does, and
    ipdesk plans its page breaks with those heights)."""
    from ipdesk.reports.excel import write_workbook

    snapshot, theirs = openpyxls_print
    ours = tmp_path / "ours.xlsx"
    write_workbook(snapshot, ours)
    found = _printed_words(libreoffice_convert([ours], tmp_path) / "ours.pdf")
    assert sum(line.startswith("<page") for line in found) == 18
    assert any("填表说明" in line for line in found) and any("示范工程" in line for line in found)
    assert found == theirs

"""Every kind of change to a signed return (format 2) after signing, and the verdict each must get.

Each kind of change to the workbook or the PDF is a case that must give 已被修改 and say what changed; a plain
re-save in LibreOffice or openpyxl stays 有效; damaged and hostile files get one of the six verdicts and never a
traceback; format 1 still verifies, a newer major format asks for an upgrade and a newer minor one is read.

One signed return (碑林区 2025Q3, versions 1 and 2) is made per module; every test changes its own copy.
Every case here once found a hole or guards against one.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string

from ipdesk.domain.signed_text import canonical_json, text_sha256
from ipdesk.reports.return_format import read_return
from ipdesk.signing import signatures
from ipdesk.signing.identity import KeyStore
from ipdesk.signing.verify import Verdict, VerdictStatus, verify_file

from .conftest import FIXTURES, ROOT, SAMPLE_PASS, SAMPLE_PERIOD, SAMPLE_UNIT, libreoffice_convert, open_copy

UNIT, PERIOD, PASS = "碑林区人民政府", "2025Q3", "签署口令2025"
TASKS, INDICATORS, EVIDENCE, SIGNATURE = "任务进展情况", "主要指标完成情况", "佐证材料清单", "ipdesk签名"
HEADER_ROW = 4
SEAL_FIELD, OUR_FIELD = "单位电子印章", "ipdesk签署"
FORMAT1 = FIXTURES / "format1"
FORMAT1_STEM = "碑林区人民政府_2025Q3_工作进展_示例数据_v1"
CHUNK = 30_000  # characters per cell in the signature sheet, as ipdesk writes it
needs = {
    tool: pytest.mark.skipif(not shutil.which(tool), reason=f"{tool} is not installed")
    for tool in ("soffice", "pdfsig")
}


# -- the signed return, made once per module ----------------------------------------------------------------------
@dataclass(frozen=True)
class Signed:
    db: Path
    trusted: tuple[x509.Certificate, ...]
    v1: dict[str, Path]  # "xlsx", "p7s", "pdf" → the files of version 1 as exported
    v2: dict[str, Path]

    def verify(self, path: Path, *extra: x509.Certificate) -> Verdict:
        return verify_file(path, [*self.trusted, *extra])


@pytest.fixture(scope="module")
def signed(signed_template, tmp_path_factory) -> Signed:
    """The sample return signed (version 1, made once per run: ``signed_template``), revised and signed again."""
    assert (UNIT, PERIOD, PASS) == (SAMPLE_UNIT, SAMPLE_PERIOD, SAMPLE_PASS)
    folder = tmp_path_factory.mktemp("signed")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IPDESK_HOME", str(folder / "home"))  # the unit's key goes here, never to the user's folder
        with open_copy(signed_template, folder / "ws.db", folder / "home") as ws:
            ws.signoff.revise(UNIT, PERIOD)
            ws.reports.submit(UNIT, PERIOD)
            ws.signoff.sign(UNIT, PERIOD, PASS)
            versions = {}
            for version in (1, 2):
                out = folder / f"v{version}"
                out.mkdir()
                files = ws.signoff.signed(UNIT, PERIOD, version).files
                versions[version] = {kind: out / name for kind, (name, _) in files.items()}
                for kind, (_, content) in files.items():
                    versions[version][kind].write_bytes(content)
            trusted = tuple(ws.signoff.trusted())
    return Signed(folder / "ws.db", trusted, versions[1], versions[2])


@dataclass(frozen=True)
class Layout:
    """Where things are in the task sheet of the signed workbook (found by header, not assumed)."""

    status: str  # a 完成状态 cell showing 推进中
    percent: str  # the same task's 完成进度, a number under 100
    problem: str  # a 存在问题 cell holding text
    light: str  # a 预警 cell coloured as its light
    light_fill: str  # that cell's fill colour
    last_task_row: int
    width: int  # the task table's columns
    indicator_rows: int  # rows used in the indicator sheet
    clerk: str = "A3"  # the cell of the line over the table that names the clerk (王芳)
    version: str = "A3"  # the cell of that line that says the version
    info_merge: str = ""  # the merged range of that line that starts at A3

    def words(self) -> dict[str, object]:
        """What a case's expected words may name: ``{status}`` is 任务进展情况!F5, ``{status_cell}`` F5 …"""
        cells = {name: getattr(self, name) for name in ("status", "percent", "problem", "light", "clerk", "version")}
        problem_column, problem_row = coordinate_from_string(self.problem)
        return {
            **{name: f"{TASKS}!{cell}" for name, cell in cells.items()},
            **{f"{name}_cell": cell for name, cell in cells.items()},
            "problem_row": problem_row,
            "problem_column": problem_column,
            "next_task_row": self.last_task_row + 1,
            "next_indicator_row": self.indicator_rows + 1,
            "beside": f"{get_column_letter(self.width + 1)}{coordinate_from_string(self.status)[1]}",
        }


@pytest.fixture(scope="module")
def layout(signed) -> Layout:
    book = load_workbook(signed.v1["xlsx"])
    sheet = book[TASKS]
    headers = {cell.value.replace("\n", ""): cell.column for cell in sheet[HEADER_ROW] if cell.value}  # may break
    rows = [r for r in range(HEADER_ROW + 1, sheet.max_row + 1) if isinstance(sheet.cell(r, 1).value, int)]
    status, percent, problem, light = (headers[h] for h in ("完成状态", "完成进度", "存在问题", "预警"))
    task = next(
        r for r in rows if sheet.cell(r, status).value == "推进中" and (sheet.cell(r, percent).value or 0) < 100
    )
    with_problem = next(r for r in rows if sheet.cell(r, problem).value)
    lit = next(r for r in rows if sheet.cell(r, light).fill.fill_type == "solid")
    return Layout(
        status=sheet.cell(task, status).coordinate,
        percent=sheet.cell(task, percent).coordinate,
        problem=sheet.cell(with_problem, problem).coordinate,
        light=sheet.cell(lit, light).coordinate,
        light_fill=sheet.cell(lit, light).fill.fgColor.rgb[-6:],
        last_task_row=rows[-1],
        width=len(headers),
        indicator_rows=book[INDICATORS].max_row,
        clerk=next(c.coordinate for c in sheet[3] if "王芳" in str(c.value or "")),
        version=next(c.coordinate for c in sheet[3] if "版本" in str(c.value or "")),
        info_merge=next(str(r) for r in sheet.merged_cells.ranges if str(r).startswith("A3:")),
    )


# -- helpers: workbooks ------------------------------------------------------------------------------------------
def changed_workbook(source: Path, target: Path, change: Callable[[Workbook], object]) -> Path:
    """``source`` loaded with openpyxl, changed by ``change`` and saved as ``target``."""
    book = load_workbook(source)
    change(book)
    book.save(target)
    return target


def png(width: int = 60, height: int = 20) -> io.BytesIO:
    from PIL import Image as Picture

    data = io.BytesIO()
    Picture.new("RGB", (width, height), "white").save(data, "PNG")
    data.seek(0)
    return data


def self_made_certificate(
    organisation: str, person: str, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A key and self-signed certificate that nobody registered, valid from yesterday for a year unless told."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation), x509.NameAttribute(NameOID.COMMON_NAME, person)]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start or now - dt.timedelta(days=1))
        .not_valid_after(end or now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def signature_rows(book: Workbook) -> list[tuple[str, str]]:
    return [(str(k), str(v or "")) for k, v in book[SIGNATURE].iter_rows(max_col=2, values_only=True) if k is not None]


def signature_value(book: Workbook, key: str) -> str:
    return "".join(v for k, v in signature_rows(book) if k == key)


def set_signature_values(book: Workbook, **values: str) -> None:
    """Rewrite the signature sheet with ``values`` in place of the keys' present values (long ones in pieces)."""
    rows: list[tuple[str, str]] = []
    for key, value in signature_rows(book):
        if key not in values:
            rows.append((key, value))
        elif key not in {k for k, _ in rows}:
            text = values[key]
            rows += [(key, text[i : i + CHUNK]) for i in range(0, len(text), CHUNK)] or [(key, "")]
    write_signature_rows(book, rows)


def write_signature_rows(book: Workbook, rows: list[tuple[str, str]]) -> None:
    sheet = book[SIGNATURE]
    sheet.delete_rows(1, sheet.max_row)
    for number, (key, value) in enumerate(rows, 1):
        sheet.cell(number, 1, key)
        sheet.cell(number, 2, value).data_type = "s"


def resign(book: Workbook, key: rsa.RSAPrivateKey, certificate: x509.Certificate, **texts: str) -> None:
    """Replace the return and/or view texts, hashed and signed with ``key`` and carrying ``certificate``: what
    anyone can do, since the sheet carries its own certificate."""
    values = {"certificate": certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")}
    for name in ("return", "view"):
        text = texts.get(name, signature_value(book, name))
        values[name] = text
        values[f"{name}_sha256"] = text_sha256(text)
        values[f"{name}_signature"] = signature_base64(key, text)
    set_signature_values(book, **values)


def signature_base64(key: rsa.RSAPrivateKey, text: str) -> str:
    return base64.b64encode(signatures.sign(key, text.encode("utf-8"))).decode("ascii")


def rezip(source: Path, target: Path, replaced: dict[str, bytes] | None = None) -> Path:
    """A copy of the package with some parts' bytes replaced (or added)."""
    replaced = dict(replaced or {})
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item.filename, replaced.pop(item.filename, old.read(item.filename)))
        for name, data in replaced.items():
            new.writestr(name, data)
    return target


# -- helpers: PDFs -----------------------------------------------------------------------------------------------
def incremental(source: Path, target: Path, change: Callable) -> Path:
    """An incremental update of ``source`` made by pyHanko's writer: the signed revision stays as it was."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(source.read_bytes()))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    target.write_bytes(out.getvalue())
    return target


def _new_info(writer) -> None:
    from pyhanko.pdf_utils import generic

    info = generic.DictionaryObject(
        {
            generic.pdf_name("/Title"): generic.pdf_string("雁塔区人民政府 2025年第四季度 工作进展"),
            generic.pdf_name("/Keywords"): generic.pdf_string("ipdesk;unit=雁塔区人民政府;period=2025Q4;version=3"),
        }
    )
    writer.set_info(info)


def _annotation(subtype: str) -> Callable:
    def add(writer) -> None:
        from pyhanko.pdf_utils import generic

        name = generic.pdf_name
        annotation = generic.DictionaryObject(
            {
                name("/Type"): name("/Annot"),
                name("/Subtype"): name(subtype),
                name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (100, 100, 300, 140)]),
                name("/Contents"): generic.pdf_string("已完成"),
                name("/DA"): generic.pdf_string("/Helv 12 Tf 0 g"),
                name("/IC"): generic.ArrayObject([generic.FloatObject(1)] * 3),
            }
        )
        page, _ = writer.find_page_for_modification(0)
        writer.register_annotation(page, writer.add_object(annotation))

    return add


def _page_content(writer) -> None:
    from pyhanko.pdf_utils import generic

    white_box = generic.StreamObject(stream_data=b"q 1 1 1 rg 100 100 200 40 re f Q")
    writer.add_stream_to_page(0, writer.add_object(white_box))


def _new_page(writer) -> None:
    from pyhanko.pdf_utils import generic

    name = generic.pdf_name
    content = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 720 Td (VOID) Tj ET"))
    page = generic.DictionaryObject(
        {
            name("/Type"): name("/Page"),
            name("/MediaBox"): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 595, 842)]),
            name("/Contents"): content,
            name("/Resources"): generic.DictionaryObject(),
        }
    )
    writer.insert_page(page)


def seal(source: Path, target: Path, key: rsa.RSAPrivateKey, certificate: x509.Certificate) -> Path:
    """``source`` with its empty seal field signed by ``certificate``, with a visible stamp saying VOID."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko import stamp
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    private = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    signer = signers.SimpleSigner(
        signing_cert=der, signing_key=private, cert_registry=SimpleCertificateStore.from_certs([der])
    )
    pdf_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name=SEAL_FIELD, md_algorithm="sha256"),
        signer=signer,
        stamp_style=stamp.TextStampStyle(stamp_text="VOID"),
    )
    out = io.BytesIO()
    writer = IncrementalPdfFileWriter(io.BytesIO(source.read_bytes()))
    pdf_signer.sign_pdf(writer, existing_fields_only=True, output=out)  # the field ipdesk left, not a new one
    target.write_bytes(out.getvalue())
    return target


def pdfsig_of(path: Path, field: str) -> str:
    """pdfsig's report on the signature in ``field``."""
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout
    sections = re.split(r"\n(?=Signature #\d+:)", out)
    return next(s for s in sections if f"Field Name: {field}" in s)


# == the workbook ===============================================================================================
def test_the_signed_workbook_stays_valid_when_opened_and_saved_by_openpyxl(signed, tmp_path):
    assert signed.verify(signed.v1["xlsx"]).status is VerdictStatus.VALID
    resaved = changed_workbook(signed.v1["xlsx"], tmp_path / "resaved.xlsx", lambda book: None)
    verdict = signed.verify(resaved)
    assert verdict.status is VerdictStatus.VALID, verdict.detail
    assert (verdict.unit, verdict.period, verdict.version, verdict.format) == (UNIT, PERIOD, 1, "2.1")


@dataclass(frozen=True)
class Change:
    """A change to the workbook, and what the verdict's detail must name (formatted with the layout)."""

    change: Callable[[Workbook, Layout], object]
    named: tuple[str, ...]


def _without_sample_mark(book: Workbook, lay: Layout) -> None:
    cell = book[TASKS]["A1"]
    cell.value = cell.value.replace("（示例数据）", "")


def _rich_text_title(book: Workbook, lay: Layout) -> None:
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    cell = book[TASKS]["A1"]
    shown = cell.value.replace("（示例数据）", "")
    cell.value = CellRichText([shown, TextBlock(InlineFont(color="FFFFFF", sz=1), "（示例数据）")])


def _task_row_under_the_table(book: Workbook, lay: Layout) -> None:
    task = [99, "推进知识产权高质量创造", "新增任务", "签署后加入的任务", "牵头", "已完成", 100]
    for column, value in enumerate(task, 1):
        book[TASKS].cell(lay.last_task_row + 1, column, value)


def _font(size: float = 10.5, color: str | None = None) -> Callable[[Workbook, Layout], None]:
    def change(book: Workbook, lay: Layout) -> None:
        from openpyxl.styles import Font

        book[TASKS][lay.problem].font = Font(name="宋体", size=size, color=color)

    return change


def _font_in_the_fill_colour(book: Workbook, lay: Layout) -> None:
    from openpyxl.styles import Font

    book[TASKS][lay.light].font = Font(name="宋体", size=10.5, color=lay.light_fill)


def _indexed_white(book: Workbook, lay: Layout) -> None:
    from openpyxl.styles import Font
    from openpyxl.styles.colors import Color

    book[TASKS][lay.problem].font = Font(name="宋体", size=10.5, color=Color(indexed=9))  # 9: white in the palette


def _black_fill(book: Workbook, lay: Layout) -> None:
    from openpyxl.styles import PatternFill

    book[TASKS][lay.problem].fill = PatternFill("solid", fgColor="000000")  # the text keeps its automatic black


def _merge_over(book: Workbook, lay: Layout) -> None:
    """The problem cell merged into its left neighbour: its text is no longer shown."""
    cell = book[TASKS][lay.problem]
    book[TASKS].merge_cells(start_row=cell.row, start_column=cell.column - 1, end_row=cell.row, end_column=cell.column)


def _hide_row(book: Workbook, lay: Layout, height: float | None = None) -> None:
    dimensions = book[TASKS].row_dimensions[book[TASKS][lay.problem].row]
    if height is None:
        dimensions.hidden = True
    else:
        dimensions.height = height


def _hide_column(book: Workbook, lay: Layout, width: float | None = None) -> None:
    dimensions = book[TASKS].column_dimensions[coordinate_from_string(lay.problem)[0]]
    if width is None:
        dimensions.hidden = True
    else:
        dimensions.width = width


def _nearly_white_theme_text(book: Workbook, lay: Layout) -> None:
    from openpyxl.styles import Font
    from openpyxl.styles.colors import Color

    book[TASKS][lay.status].font = Font(name="宋体", size=10.5, color=Color(theme=1, tint=0.95))  # black, tinted white


def _squeezed(book: Workbook, lay: Layout) -> None:
    """A row to just above what counted as hidden, a column likewise: each far below its signed size."""
    sheet = book[TASKS]
    sheet.row_dimensions[sheet[lay.status].row].height = 6
    sheet.column_dimensions[coordinate_from_string(lay.status)[0]].width = 1.6


def _comment(book: Workbook, lay: Layout) -> None:
    from openpyxl.comments import Comment

    book[TASKS][lay.status].comment = Comment("实际已完成", "审核人")


def _picture(book: Workbook, lay: Layout) -> None:
    from openpyxl.drawing.image import Image

    book[TASKS].add_image(Image(png()), lay.status)


def _conditional_format(book: Workbook, lay: Layout) -> None:
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font

    rule = CellIsRule(operator="equal", formula=['"推进中"'], font=Font(color="FFFFFF"))
    book[TASKS].conditional_formatting.add(lay.status, rule)


def _formula(book: Workbook, lay: Layout) -> None:
    cell = book[TASKS][lay.percent]
    cell.value = f"={cell.value}+{100 - cell.value}"  # shows 100.0% once calculated


def _number_as_text(book: Workbook, lay: Layout) -> None:
    cell = book[TASKS][lay.percent]
    cell.value = str(cell.value)


def _sample_header(**style) -> Callable[[Workbook, Layout], None]:
    """The printed header 示例数据 restyled (its text unchanged)."""

    def change(book: Workbook, lay: Layout) -> None:
        header = book[TASKS].oddHeader.right
        assert header.text == "示例数据"
        for name, value in style.items():
            setattr(header, name, value)

    return change


def _recolour_light(book: Workbook, lay: Layout) -> None:
    from openpyxl.styles import PatternFill

    book[TASKS][lay.light].fill = PatternFill("solid", fgColor="00FF00")  # a red light painted green


def _strike(book: Workbook, lay: Layout) -> None:
    from openpyxl.styles import Font

    book[TASKS][lay.problem].font = Font(name="宋体", size=10.5, strike=True)


def _set(sheet: str, where: str, attribute: str, value: object) -> Callable[[Workbook, Layout], None]:
    """Set ``attribute`` of a cell (``where`` may name a layout field) to ``value``."""

    def change(book: Workbook, lay: Layout) -> None:
        setattr(book[sheet][getattr(lay, where, where)], attribute, value)

    return change


WORKBOOK_CHANGES = {
    # 1. the title
    "title-without-sample-mark": Change(_without_sample_mark, ("任务进展情况!A1",)),
    "title-sample-mark-in-a-white-run": Change(_rich_text_title, ("任务进展情况!A1",)),
    # 2. the 填报单位/填报人/联系电话/填报日期 line
    "info-line": Change(
        lambda book, lay: setattr(
            book[TASKS][lay.clerk], "value", book[TASKS][lay.clerk].value.replace("王芳", "张三")
        ),
        ("{clerk}", "张三"),
    ),
    "info-line-of-another-sheet": Change(
        lambda book, lay: setattr(book[EVIDENCE]["A3"], "value", book[EVIDENCE]["A3"].value + "　联系电话：12345"),
        ("佐证材料清单!A3",),
    ),
    # 3. number formats that make a cell show something else
    "status-shows-done-hidden-format": Change(_set(TASKS, "status", "number_format", ';;;"已完成"'), ("{status}",)),
    "status-shows-done-literal-format": Change(_set(TASKS, "status", "number_format", '"已完成"'), ("{status}",)),
    "percent-shows-100-literal": Change(_set(TASKS, "percent", "number_format", '"100"'), ("{percent}",)),
    "percent-shows-a-trailing-zero": Change(_set(TASKS, "percent", "number_format", '0"0"'), ("{percent}",)),
    # 4. a task row under the table; 5. text beside the table
    "task-row-under-the-table": Change(_task_row_under_the_table, ("任务进展情况!A{next_task_row}",)),
    "indicator-row-under-the-table": Change(
        lambda book, lay: book[INDICATORS].cell(lay.indicator_rows + 1, 1, 99),
        ("主要指标完成情况!A{next_indicator_row}",),
    ),
    "text-beside-the-table": Change(
        lambda book, lay: book[TASKS].cell(book[TASKS][lay.status].row, lay.width + 1, "已完成"),
        ("任务进展情况!{beside}",),
    ),
    # 6. everything else a forger might try
    "hidden-row": Change(_hide_row, ("任务进展情况!隐藏的行", "“{problem_row}”")),
    "hidden-column": Change(_hide_column, ("任务进展情况!隐藏的列", "“{problem_column}”")),
    "row-squeezed-to-2pt": Change(
        lambda book, lay: _hide_row(book, lay, height=2), ("任务进展情况!隐藏的行", "“{problem_row}”")
    ),
    "column-squeezed-to-0.6": Change(
        lambda book, lay: _hide_column(book, lay, width=0.6), ("任务进展情况!隐藏的列", "“{problem_column}”")
    ),
    "white-text": Change(_font(color="FFFFFF"), ("{problem}", "看不见")),
    "text-in-its-fill-colour": Change(_font_in_the_fill_colour, ("{light}", "看不见")),
    "black-fill-under-automatic-text": Change(_black_fill, ("{problem}", "看不见")),
    "white-text-as-palette-colour": Change(_indexed_white, ("{problem}", "看不见")),
    "theme-text-tinted-nearly-white": Change(_nearly_white_theme_text, ("{status}", "文字颜色")),
    "row-and-column-squeezed": Change(_squeezed, ("行高", "列宽")),
    "font-size-1": Change(_font(size=1), ("{problem}", "看不见")),
    "light-repainted": Change(_recolour_light, ("{light}", "底色")),
    "struck-through": Change(_strike, ("{problem}", "删除线")),
    "link-on-a-cell": Change(_set(TASKS, "problem", "hyperlink", "http://example.invalid/"), ("{problem}", "链接")),
    "print-area": Change(lambda book, lay: setattr(book[TASKS], "print_area", "A1:L6"), ("任务进展情况!打印区域",)),
    "merged-over-a-value": Change(_merge_over, ("合并单元格", "{problem}")),
    "unmerged": Change(lambda book, lay: book[TASKS].unmerge_cells(lay.info_merge), ("合并单元格",)),
    "comment": Change(_comment, ("批注",)),
    "picture-over-a-cell": Change(_picture, ("图片",)),
    "conditional-format": Change(_conditional_format, ("任务进展情况!条件格式", "{status_cell}")),
    "sheet-renamed": Change(lambda book, lay: setattr(book[EVIDENCE], "title", "佐证材料"), ("工作表", "佐证材料清单")),
    "sheets-reordered": Change(lambda book, lay: book.move_sheet(EVIDENCE, -2), ("工作表",)),
    "signature-sheet-unhidden": Change(
        lambda book, lay: setattr(book[SIGNATURE], "sheet_state", "visible"), ("ipdesk签名!工作表显示",)
    ),
    "sheet-hidden": Change(
        lambda book, lay: setattr(book[EVIDENCE], "sheet_state", "hidden"), ("佐证材料清单!工作表显示",)
    ),
    "sheet-deleted": Change(lambda book, lay: book.remove(book[EVIDENCE]), ("工作表", "佐证材料清单")),
    "formula-giving-another-value": Change(_formula, ("{percent}", "=")),
    "number-stored-as-text": Change(_number_as_text, ("{percent}",)),
    "print-header": Change(
        lambda book, lay: setattr(book[TASKS].oddHeader.right, "text", ""), ("任务进展情况!页眉页脚", "示例数据")
    ),
    "print-footer": Change(
        lambda book, lay: setattr(book[INDICATORS].oddFooter.center, "text", "第 &P 页 共 1 页（终稿）"),
        ("主要指标完成情况!页眉页脚", "终稿"),
    ),
    "print-header-in-white": Change(_sample_header(color="FFFFFF"), ("任务进展情况!页眉页脚",)),
    "print-header-at-1pt": Change(_sample_header(size=1), ("任务进展情况!页眉页脚",)),
    "print-header-not-on-the-first-page": Change(
        lambda book, lay: setattr(book[TASKS].HeaderFooter, "differentFirst", True), ("任务进展情况!页眉页脚",)
    ),
}


@pytest.mark.parametrize("change", WORKBOOK_CHANGES.values(), ids=WORKBOOK_CHANGES.keys())
def test_a_change_to_the_workbook_is_caught(signed, layout, tmp_path, change):
    changed = changed_workbook(signed.v1["xlsx"], tmp_path / "changed.xlsx", lambda book: change.change(book, layout))
    verdict = signed.verify(changed)
    assert verdict.status is VerdictStatus.MODIFIED, verdict.detail
    for words in change.named:
        assert words.format(**layout.words()) in verdict.detail, (words, verdict.detail)
    assert (verdict.unit, verdict.period, verdict.version) == (UNIT, PERIOD, 1)  # from the signed return


# -- the signature sheet -----------------------------------------------------------------------------------------
def _forge_return(book: Workbook, lay: Layout) -> None:
    """A forger's edit of the signed return itself, with its hash recomputed (the signature cannot be)."""
    text = signature_value(book, "return").replace('"status_label":"推进中"', '"status_label":"已完成"', 1)
    set_signature_values(book, **{"return": text, "return_sha256": text_sha256(text)})


def _forge_view(book: Workbook, lay: Layout) -> None:
    """The cell changed and the signed view changed to match it, with its hash recomputed."""
    book[TASKS][lay.status].value = "已完成"
    view = json.loads(signature_value(book, "view"))
    for cell in next(s for s in view["sheets"] if s["name"] == TASKS)["cells"]:
        if cell[0] == lay.status:
            cell[2] = "已完成"
    text = canonical_json(view)
    set_signature_values(book, view=text, view_sha256=text_sha256(text))


@pytest.mark.parametrize(
    ("forge", "named"),
    [(_forge_return, "签名数据与签名不符"), (_forge_view, "外观的签名数据与签名不符")],
    ids=["return-json", "view-json"],
)
def test_changing_the_signed_json_in_the_signature_sheet_is_caught(signed, layout, tmp_path, forge, named):
    changed = changed_workbook(signed.v1["xlsx"], tmp_path / "forged.xlsx", lambda book: forge(book, layout))
    verdict = signed.verify(changed)
    assert verdict.status is VerdictStatus.MODIFIED, verdict.detail
    assert named in verdict.detail


def test_the_view_of_another_signed_return_of_the_unit_is_not_accepted(signed, tmp_path):
    v1 = load_workbook(signed.v1["xlsx"])
    v1_view = {key: signature_value(v1, key) for key in ("view", "view_sha256", "view_signature")}
    swapped = changed_workbook(
        signed.v2["xlsx"], tmp_path / "v2-with-v1-view.xlsx", lambda b: set_signature_values(b, **v1_view)
    )
    verdict = signed.verify(swapped)
    assert verdict.status is VerdictStatus.MODIFIED, verdict.detail
    assert "不是同一次签署" in verdict.detail
    assert verdict.version == 2  # what the return in the file says

    whole = signature_rows(v1)  # the whole signature sheet of version 1 in version 2's workbook
    swapped = changed_workbook(
        signed.v2["xlsx"], tmp_path / "v2-with-v1-sheet.xlsx", lambda b: write_signature_rows(b, whole)
    )
    verdict = signed.verify(swapped)
    assert verdict.status is VerdictStatus.MODIFIED, verdict.detail
    version_cell = next(
        c.coordinate for c in load_workbook(signed.v2["xlsx"])[TASKS][3] if "版本" in str(c.value or "")
    )
    assert f"任务进展情况!{version_cell}" in verdict.detail and verdict.version == 1


def test_relabelling_a_format_2_sheet_as_format_1_does_not_weaken_the_check(signed, tmp_path):
    """Format 1 protects only the tables' values; a format-2 return must not be checked as one."""

    def downgrade(book: Workbook) -> None:
        book[TASKS]["A3"].value = "填报单位（盖章）：碑林区人民政府　　填报人：张三"  # format 1 never checked A3
        renamed = {"return": "json", "return_sha256": "sha256", "return_signature": "signature"}
        rows = signature_rows(book)
        rows = [(renamed.get(k, k), "ipdesk-signed-workbook/1" if k == "format" else v) for k, v in rows]
        write_signature_rows(book, rows)

    verdict = signed.verify(changed_workbook(signed.v1["xlsx"], tmp_path / "downgraded.xlsx", downgrade))
    assert verdict.status in (VerdictStatus.MODIFIED, VerdictStatus.DAMAGED), verdict.detail


# -- LibreOffice -------------------------------------------------------------------------------------------------
def libreoffice_resave(files: list[Path], folder: Path) -> dict[str, Path]:
    """The files opened and saved again as .xlsx by LibreOffice, in one run with a private profile."""
    out = libreoffice_convert(files, folder, to="xlsx:Calc MS Excel 2007 XML", timeout=240)
    return {path.stem: out / path.name for path in files}


@pytest.fixture(scope="module")
def resaved_by_libreoffice(signed, layout, tmp_path_factory) -> dict[str, Path]:
    """The signed workbook, and two changed copies of it, opened and saved again by LibreOffice in one run of it (each
    start costs seconds): "unchanged"; "line", the clerk's name over the table changed; "format", a 完成状态 cell
    given a number format that shows 已完成. Each is verified by a test of its own."""
    folder = tmp_path_factory.mktemp("libreoffice-resave")
    source = folder / "in"
    source.mkdir()
    unchanged = shutil.copyfile(signed.v1["xlsx"], source / "unchanged.xlsx")
    line = changed_workbook(
        signed.v1["xlsx"],
        source / "line.xlsx",
        lambda book: setattr(
            book[TASKS][layout.clerk], "value", book[TASKS][layout.clerk].value.replace("王芳", "张三")
        ),
    )
    shows_done = changed_workbook(
        signed.v1["xlsx"],
        source / "format.xlsx",
        lambda book: setattr(book[TASKS][layout.status], "number_format", ';;;"已完成"'),
    )
    return libreoffice_resave([unchanged, line, shows_done], folder)


@needs["soffice"]
@pytest.mark.parametrize("name", ["unchanged", "line", "format"])
def test_libreoffice_resave_keeps_the_workbook_valid_and_a_change_caught(
    signed, layout, resaved_by_libreoffice, both_readers, name
):
    verdict = signed.verify(resaved_by_libreoffice[name])
    if name == "unchanged":
        assert verdict.status is VerdictStatus.VALID, verdict.detail
    else:
        cell = {"line": layout.clerk, "format": layout.status}[name]
        assert verdict.status is VerdictStatus.MODIFIED and f"{TASKS}!{cell}" in verdict.detail, verdict.detail
    # LibreOffice's re-saves (rich text, shared strings, its own styles) are read from their XML, not by openpyxl
    assert [read for _, read in both_readers] == [True]


# == the PDF ====================================================================================================
@pytest.fixture(scope="module")
def sealer() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    return self_made_certificate("某印章服务公司", "印章管理员")


@pytest.fixture(scope="module")
def unit_sealer() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """The unit's own electronic seal (a certificate naming the unit), as a seal system would hold it."""
    return self_made_certificate(UNIT, "碑林区电子印章")


@pytest.fixture(scope="module")
def changed_pdfs(signed, sealer, unit_sealer, tmp_path_factory) -> dict[str, Path]:
    """The signed PDF with one incremental update each, made by pyHanko's writer."""
    folder = tmp_path_factory.mktemp("pdfs")
    source = signed.v1["pdf"]
    return {
        "info": incremental(source, folder / "info.pdf", _new_info),
        "seal": seal(source, folder / "seal.pdf", *sealer),
        "unit-seal": seal(source, folder / "unit-seal.pdf", *unit_sealer),
        "freetext": incremental(source, folder / "freetext.pdf", _annotation("/FreeText")),
        "square": incremental(source, folder / "square.pdf", _annotation("/Square")),
        "content": incremental(source, folder / "content.pdf", _page_content),
        "page": incremental(source, folder / "page.pdf", _new_page),
    }


def test_the_signed_pdf_is_valid(signed):
    verdict = signed.verify(signed.v1["pdf"])
    assert verdict.status is VerdictStatus.VALID, verdict.detail
    assert (verdict.unit, verdict.period, verdict.version, verdict.format) == (UNIT, PERIOD, 1, "2.1")


def test_changing_only_the_document_information_is_caught_and_the_identity_is_the_signed_one(signed, changed_pdfs):
    verdict = signed.verify(changed_pdfs["info"])
    assert verdict.status is VerdictStatus.MODIFIED, verdict.detail
    assert "文档信息" in verdict.detail and "Title" in verdict.detail and "Keywords" in verdict.detail
    assert (verdict.unit, verdict.period, verdict.version, verdict.plan) == (UNIT, PERIOD, 1, "xian-2022-2025")


def test_a_seal_by_an_unregistered_certificate_is_caught(signed, changed_pdfs):
    for kind in ("seal", "unit-seal"):
        verdict = signed.verify(changed_pdfs[kind])
        assert verdict.status is VerdictStatus.MODIFIED, verdict.detail
        assert "签署后被他人签名" in verdict.detail
        assert (verdict.unit, verdict.period, verdict.version) == (UNIT, PERIOD, 1)


def test_only_the_units_own_registered_seal_is_accepted_and_named(signed, changed_pdfs, sealer, unit_sealer):
    verdict = signed.verify(changed_pdfs["seal"], sealer[1])  # registered, but not the unit's
    assert verdict.status is VerdictStatus.MODIFIED, verdict.detail
    assert "某印章服务公司" in verdict.detail and "不是报送单位" in verdict.detail
    verdict = signed.verify(changed_pdfs["unit-seal"], unit_sealer[1])
    assert verdict.status is VerdictStatus.VALID, verdict.detail
    assert "碑林区电子印章" in verdict.detail and "电子印章" in verdict.detail


@pytest.mark.parametrize("kind", ["freetext", "square"])
def test_an_added_annotation_is_caught(signed, changed_pdfs, kind):
    verdict = signed.verify(changed_pdfs[kind])
    assert verdict.status is VerdictStatus.MODIFIED, verdict.detail
    assert "批注" in verdict.detail
    assert (verdict.unit, verdict.period, verdict.version) == (UNIT, PERIOD, 1)


@pytest.mark.parametrize("kind", ["content", "page"])
def test_new_page_content_or_a_new_page_is_caught(signed, changed_pdfs, kind):
    verdict = signed.verify(changed_pdfs[kind])
    assert verdict.status is VerdictStatus.MODIFIED, verdict.detail
    assert "页面" in verdict.detail


@needs["pdfsig"]
@pytest.mark.parametrize("kind", ["info", "seal", "freetext", "square", "content", "page"])
def test_pdfsig_agrees_the_signature_no_longer_covers_the_whole_document(signed, changed_pdfs, kind):
    original = pdfsig_of(signed.v1["pdf"], OUR_FIELD)
    assert "Total document signed" in original and "Not total" not in original
    ours = pdfsig_of(changed_pdfs[kind], OUR_FIELD)
    assert "Not total document signed" in ours and "Signature is Valid" in ours


# == hostile and damaged files through the command line ==========================================================
def _byte_ranges(pdf: bytes) -> list[bytes]:
    """The signed PDF with its /ByteRange edited in a few ways, keeping every offset in the file the same."""
    match = re.search(rb"/ByteRange\s*\[([\d\s]+)\]", pdf)
    assert match is not None
    a, b, c, d = (int(n) for n in match.group(1).split())
    variants = [(a, b - 1, c, d), (a, b, c + 1, d - 1), (a, b + 10, c, d), (a + 1, b, c, d), (0, c + d, 0, 0)]
    found = []
    for numbers in variants:
        text = " ".join(map(str, numbers)).encode().ljust(len(match.group(1)))
        if len(text) == len(match.group(1)):
            found.append(pdf[: match.start(1)] + text + pdf[match.end(1) :])
    return found


def _damaged_pdfs(pdf: bytes, rng: random.Random) -> dict[str, bytes]:
    found = {}
    cuts = {1, 8, 100, 1000, *(len(pdf) * n // 13 for n in range(1, 13)), *(len(pdf) - n for n in (1, 7, 30, 200))}
    for cut in sorted(cuts):
        found[f"pdf-cut-{cut}.pdf"] = pdf[:cut]
    for number in range(30):
        data = bytearray(pdf)
        # half anywhere, half in the last 3 KB (the newest xref, trailer and the signature's own objects)
        offset = rng.randrange(len(pdf)) if number % 2 else len(pdf) - 1 - rng.randrange(3000)
        data[offset] ^= 1 << rng.randrange(8)
        found[f"pdf-flip-{number}-{offset}.pdf"] = bytes(data)
    start = pdf.rindex(b"startxref")
    xref = pdf.rindex(b"\nxref\n")
    found["pdf-startxref-wrong.pdf"] = pdf[:start] + b"startxref\n12345\n%%EOF\n"
    found["pdf-startxref-beyond-end.pdf"] = pdf[:start] + b"startxref\n99999999999\n%%EOF\n"
    found["pdf-xref-garbled.pdf"] = pdf[: xref + 6] + re.sub(rb"\d", b"9", pdf[xref + 6 : start])
    found["pdf-xref-loop.pdf"] = pdf.replace(b"/Prev ", b"/Prev " + str(xref + 1).encode() + b" %", 1)
    found["pdf-no-trailer.pdf"] = pdf[: pdf.rindex(b"trailer")]
    for number, data in enumerate(_byte_ranges(pdf)):
        found[f"pdf-byterange-{number}.pdf"] = data
    return found


def _damaged_workbooks(source: Path, folder: Path, rng: random.Random) -> dict[str, bytes]:
    xlsx = source.read_bytes()
    found = {}
    for cut in sorted({1, 4, 30, 500, *(len(xlsx) * n // 9 for n in range(1, 9)), len(xlsx) - 1, len(xlsx) - 22}):
        found[f"xlsx-cut-{cut}.xlsx"] = xlsx[:cut]
    for number in range(20):
        data = bytearray(xlsx)
        offset = rng.randrange(len(xlsx))
        data[offset] ^= 1 << rng.randrange(8)
        found[f"xlsx-flip-{number}-{offset}.xlsx"] = bytes(data)

    book = load_workbook(source)  # loaded once: every edit below rewrites only the signature sheet
    original = signature_rows(book)

    def edited(name: str, change: Callable[[Workbook], object]) -> None:
        """``source`` with ``change`` made to its signature sheet, as ``changed_workbook`` would write it."""
        change(book)
        book.save(folder / name)
        found[name] = (folder / name).read_bytes()
        write_signature_rows(book, original)  # the next edit starts from the signed sheet again
        for sheet in book.worksheets:  # a save leaves this set, and the next save would write it: as loaded
            sheet.column_dimensions.max_outline = None

    nested = "[" * 100_000 + "]" * 100_000
    huge = json.dumps({"tasks": ["很长的文字" * 1000] * 200}, ensure_ascii=False)
    not_json = "{不是 JSON"
    return_sha = text_sha256(signature_value(book, "return"))
    unsigned = {  # edits anybody can make, after which the signatures no longer hold
        "sheet-return-not-json": {"return": not_json},
        "sheet-return-huge": {"return": huge},
        "sheet-return-nested": {"return": nested},
        "sheet-view-not-json": {"view": not_json},
        "sheet-signature-not-base64": {"view_signature": "不是base64!"},
        "sheet-certificate-damaged": {"certificate": "-----BEGIN CERTIFICATE"},
        "sheet-format-word": {"format": "ipdesk-signed-workbook/二"},
    }
    for name, values in unsigned.items():
        edited(f"{name}.xlsx", lambda book, values=values: set_signature_values(book, **values))
    bad_cell = {"name": TASKS, "state": "visible", "cells": [["ZZZZ0", "n", {"x": 1}, 5]]}
    resigned = {  # texts signed with a key anybody can make, whose certificate the sheet carries itself
        "signed-return-not-json": {"return": not_json},
        "signed-return-nested": {"return": nested},
        "signed-return-huge": {"return": huge},
        "signed-return-wrong-types": {
            "return": json.dumps({"format": "ipdesk-return", "format_version": "2.0", "unit": [], "version": "v1"})
        },
        "signed-view-nested": {"view": nested},
        "signed-view-not-json": {"view": not_json},
        "signed-view-infinite": {"view": '{"view":1e999}'},
        "signed-view-list": {"view": "[1, 2, 3]"},
        "signed-view-wrong-types": {
            "view": json.dumps({"view": 1, "return_sha256": return_sha, "sheets": [{"name": 7}]})
        },
        "signed-view-bad-cell": {
            "view": json.dumps({"view": 1, "return_sha256": return_sha, "objects": [], "sheets": [bad_cell]})
        },
    }
    key, certificate = self_made_certificate(UNIT, "冒名者")
    for name, texts in resigned.items():
        edited(f"{name}.xlsx", lambda book, texts=texts: resign(book, key, certificate, **texts))
    sheet = "xl/worksheets/sheet1.xml"
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">'.encode() for n in range(9))
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
        + b'<c r="A1" t="inlineStr"><is><t>&j;</t></is></c></row></sheetData></worksheet>'
    )
    found["xml-entity-bomb.xlsx"] = rezip(source, folder / "laughs.xlsx", {sheet: laughs}).read_bytes()
    found["xml-cut-sheet.xlsx"] = rezip(
        source, folder / "cut.xlsx", {sheet: zipfile.ZipFile(source).read(sheet)[:5000]}
    ).read_bytes()
    bomb = folder / "bomb.xlsx"
    rezip(source, bomb)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("xl/media/zeros.bin", "w") as member:
            for _ in range(70):
                member.write(bytes(1024 * 1024))
    found["zip-bomb.xlsx"] = bomb.read_bytes()
    return found


@dataclass(frozen=True)
class Run:
    files: list[Path]
    result: subprocess.CompletedProcess
    batch: str = ""

    @property
    def verdicts(self) -> list[dict]:
        return json.loads(self.result.stdout)


def run_verify(signed: Signed, files: list[Path], home: Path, batch: str = "") -> Run:
    """``python -m ipdesk.cli --db DB verify --json FILES…`` as the user would run it."""
    command = [sys.executable, "-m", "ipdesk.cli", "--db", str(signed.db), "verify", "--json", *map(str, files)]
    env = {**os.environ, "IPDESK_HOME": str(home), "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(command, capture_output=True, encoding="utf-8", env=env, cwd=ROOT, timeout=600)
    return Run(files, result, batch)


DAMAGED_BATCHES = ("pdf", "package", "edited")


def damaged_batch(name: str) -> str:
    """Which of the command's runs checks the damaged file ``name``: the PDFs; the workbooks cut, flipped or with
    damaged parts (and the cut .p7s); the workbooks whose signature sheet was edited."""
    if name.endswith(".pdf"):
        return "pdf"
    return "edited" if name.startswith(("sheet-", "signed-")) else "package"


@pytest.fixture(scope="module")
def damaged_files(signed, tmp_path_factory) -> dict[str, list[Path]]:
    """The damaged set, made once, in the three batches ``damaged_batch`` names (each is checked by a run of the
    command of its own: one run of all of them took seconds longer than a test may)."""
    folder = tmp_path_factory.mktemp("damaged")
    rng = random.Random(20261125)
    batch = {**_damaged_pdfs(signed.v1["pdf"].read_bytes(), rng), **_damaged_workbooks(signed.v1["xlsx"], folder, rng)}
    files = []
    for name, data in batch.items():
        files.append(folder / "batch" / name)
        files[-1].parent.mkdir(exist_ok=True)
        files[-1].write_bytes(data)
    p7s = folder / "batch" / "p7s-cut.xlsx"  # a detached signature cut short, beside its intact workbook
    shutil.copyfile(signed.v1["xlsx"], p7s)
    Path(f"{p7s}.p7s").write_bytes(signed.v1["p7s"].read_bytes()[:300])
    files.append(Path(f"{p7s}.p7s"))
    batches: dict[str, list[Path]] = {name: [] for name in DAMAGED_BATCHES}
    for path in files:
        batches[damaged_batch(path.name)].append(path)
    assert all(batches.values()) and sum(map(len, batches.values())) == len(files) > 100
    return batches


@pytest.fixture(scope="module", params=DAMAGED_BATCHES)
def damaged_run(request, signed, damaged_files, tmp_path_factory) -> Run:
    return run_verify(signed, damaged_files[request.param], tmp_path_factory.mktemp("home"), request.param)


@pytest.fixture(scope="module")
def changed_run(signed, changed_pdfs, tmp_path_factory) -> Run:
    return run_verify(signed, list(changed_pdfs.values()), tmp_path_factory.mktemp("changed-home"))


SURE_VERDICTS = {  # damaged files whose verdict is known, by batch
    "pdf": {},
    "package": {"zip-bomb.xlsx": VerdictStatus.DAMAGED.value},
    "edited": {
        "sheet-return-not-json.xlsx": VerdictStatus.MODIFIED.value,
        "signed-return-nested.xlsx": VerdictStatus.DAMAGED.value,
    },
}


def test_every_damaged_file_gets_one_of_the_six_verdicts(damaged_run):
    result = damaged_run.result
    assert result.returncode == 1, result.stderr[-2000:]
    verdicts = damaged_run.verdicts
    assert [v["file"] for v in verdicts] == [str(f) for f in damaged_run.files]
    statuses = {s.value for s in VerdictStatus}
    assert all(v["verdict"] in statuses and v["detail"] for v in verdicts)
    assert "Traceback" not in result.stdout
    by_name = {Path(v["file"]).name: v["verdict"] for v in verdicts}
    sure = SURE_VERDICTS[damaged_run.batch]
    assert {name: by_name[name] for name in sure} == sure
    # a flipped bit may fall where nothing is signed or read (the signature's zero padding, a zip timestamp)
    assert VerdictStatus.VALID.value not in {v for n, v in by_name.items() if "-flip-" not in n}


def test_no_traceback_or_library_log_reaches_the_user_for_damaged_files(damaged_run):
    assert damaged_run.result.stderr == ""


def test_changed_pdfs_get_their_verdicts_on_the_command_line(changed_run):
    assert changed_run.result.returncode == 1
    assert {v["verdict"] for v in changed_run.verdicts} == {VerdictStatus.MODIFIED.value}


# pyHanko's diff analysis logs "Error in diff operation …" with a traceback through its module logger
# (pyhanko.sign.diff_analysis.policies): it must not reach the user.
def test_no_traceback_or_library_log_reaches_the_user_for_changed_pdfs(changed_run):
    assert changed_run.result.stderr == ""


# == format 1 and later formats =================================================================================
@pytest.fixture
def format1(tmp_path) -> tuple[dict[str, Path], list[x509.Certificate]]:
    """A copy of the committed format-1 return (made by release 0.1) and its unit's registered certificate."""
    files = {}
    for suffix in ("xlsx", "xlsx.p7s", "pdf"):
        files[suffix] = Path(
            shutil.copyfile(FORMAT1 / f"{FORMAT1_STEM}.{suffix}", tmp_path / f"{FORMAT1_STEM}.{suffix}")
        )
    return files, [x509.load_der_x509_certificate((FORMAT1 / "碑林区.cer").read_bytes())]


@pytest.mark.parametrize("suffix", ["xlsx", "xlsx.p7s", "pdf"])
def test_the_format1_return_is_still_valid(format1, suffix):
    files, trusted = format1
    verdict = verify_file(files[suffix], trusted)
    assert verdict.status is VerdictStatus.VALID, verdict.detail
    assert (verdict.unit, verdict.period, verdict.version, verdict.format) == (UNIT, PERIOD, 1, "1")
    if suffix != "xlsx.p7s":  # the p7s covers every byte of the workbook: nothing to qualify
        assert "格式1" in verdict.detail


def test_a_changed_table_value_in_a_format1_workbook_is_caught(format1, tmp_path):
    files, trusted = format1

    def change(book: Workbook) -> None:
        sheet = book[TASKS]
        headers = {cell.value: cell.column for cell in sheet[HEADER_ROW]}
        row = next(r for r in range(HEADER_ROW + 1, sheet.max_row + 1) if sheet.cell(r, headers["完成状态"]).value)
        sheet.cell(row, headers["完成状态"]).value = "已完成"

    verdict = verify_file(changed_workbook(files["xlsx"], tmp_path / "changed.xlsx", change), trusted)
    assert verdict.status is VerdictStatus.MODIFIED, verdict.detail
    assert "任务进展情况!F" in verdict.detail and verdict.format == "1"


def test_changing_the_document_information_of_a_format1_pdf_is_caught(format1, tmp_path):
    files, trusted = format1
    verdict = verify_file(incremental(files["pdf"], tmp_path / "info.pdf", _new_info), trusted)
    assert verdict.status is VerdictStatus.MODIFIED, verdict.detail
    assert (verdict.unit, verdict.period, verdict.version) == (UNIT, PERIOD, 1)  # the signed revision's /Keywords


@dataclass(frozen=True)
class Forged:
    files: dict[str, dict[str, Path]]  # format version → {"xlsx": …, "pdf": …}
    certificate: x509.Certificate


@pytest.fixture(scope="module")
def forged(signed, tmp_path_factory) -> Forged:
    """Returns claiming format 2.7 (with fields 2.0 does not know) and 3.0, properly signed by a test key for 碑林区:
    what a later release would write."""
    from ipdesk.reports.pdf import write_pdf
    from ipdesk.signing.pdf import sign_pdf
    from ipdesk.signing.workbook import SignedReturn, write_signed_workbook

    folder = tmp_path_factory.mktemp("forged")
    identity = KeyStore(folder / "keys").create(UNIT, "李强", PASS)
    original = signature_value(load_workbook(signed.v1["xlsx"]), "return")
    snapshot = read_return(original).snapshot
    snapshot = replace(snapshot, header=replace(snapshot.header, fingerprint=identity.fingerprint))
    document = json.loads(original)
    later = {
        "2.7": {
            **document,
            "format_version": "2.7",
            "certificate_sha256": identity.fingerprint,
            "unit": {**document["unit"], "region": "关中", "contact": {"phone": "029-00000000"}},
            "tasks": [{**t, "risk": "low", "milestones": [{"month": 9, "done": True}]} for t in document["tasks"]],
            "attachments": [{"kind": "photo", "sha256": "00" * 32}],
            "review": {"by": "市知识产权局", "rounds": 2},
        },
        "3.0": {
            "format": "ipdesk-return",
            "format_version": "3.0",
            "unit": {"id": "610103"},
            "body": {"tasks": {str(t["seq"]): t["status"] for t in document["tasks"]}},
        },
    }
    plain = folder / "plain.pdf"
    seal_place = write_pdf(snapshot, plain)
    files = {}
    for version, content in later.items():
        text = canonical_json(content)
        signed_return = SignedReturn(
            text,
            text_sha256(text),
            signatures.sign(identity.key, text.encode("utf-8")),
            identity.certificate.public_bytes(serialization.Encoding.PEM),
        )
        xlsx = folder / f"format-{version}.xlsx"
        write_signed_workbook(snapshot, xlsx, signed_return, identity)
        pdf = folder / f"format-{version}.pdf"
        pdf.write_bytes(sign_pdf(plain.read_bytes(), identity, seal_place, "test", UNIT, return_text=text))
        files[version] = {"xlsx": xlsx, "pdf": pdf}
    return Forged(files, identity.certificate)


@pytest.mark.parametrize("kind", ["xlsx", "pdf"])
def test_a_format_3_return_asks_for_an_upgrade(forged, kind, tmp_path):
    path = shutil.copyfile(forged.files["3.0"][kind], tmp_path / f"return.{kind}")
    for trusted in ([forged.certificate], []):  # whoever signed it, the answer is the same
        verdict = verify_file(path, trusted)
        assert verdict.status is VerdictStatus.TOO_NEW, verdict.detail
        assert "升级" in verdict.detail and "3.0" in verdict.detail


def test_a_signature_sheet_of_a_newer_format_asks_for_an_upgrade(signed, tmp_path):
    changed = changed_workbook(
        signed.v1["xlsx"],
        tmp_path / "sheet3.xlsx",
        lambda b: set_signature_values(b, format="ipdesk-signed-workbook/3"),
    )
    verdict = signed.verify(changed)
    assert verdict.status is VerdictStatus.TOO_NEW and "升级" in verdict.detail, verdict.detail


@pytest.mark.parametrize("kind", ["xlsx", "pdf"])
def test_a_format_2_7_return_with_unknown_fields_is_valid(forged, kind, tmp_path):
    path = shutil.copyfile(forged.files["2.7"][kind], tmp_path / f"return.{kind}")
    verdict = verify_file(path, [forged.certificate])
    assert verdict.status is VerdictStatus.VALID, verdict.detail
    assert (verdict.unit, verdict.period, verdict.version, verdict.format) == (UNIT, PERIOD, 1, "2.7")


@pytest.mark.parametrize("kind", ["xlsx", "pdf"])
def test_a_return_naming_another_certificate_than_the_one_that_signed_it_is_not_valid(signed, tmp_path, kind):
    """The return records the fingerprint of its certificate; a text signed by another key of the unit is caught."""
    from ipdesk.reports.pdf import write_pdf
    from ipdesk.signing.pdf import sign_pdf
    from ipdesk.signing.workbook import SignedReturn, write_signed_workbook

    other = KeyStore(tmp_path / "keys").create(UNIT, "李强", PASS)
    text = signature_value(load_workbook(signed.v1["xlsx"]), "return")  # names the unit's registered certificate
    snapshot = read_return(text).snapshot
    signed_return = SignedReturn(
        text,
        text_sha256(text),
        signatures.sign(other.key, text.encode("utf-8")),
        other.certificate.public_bytes(serialization.Encoding.PEM),
    )
    path = tmp_path / f"return.{kind}"
    if kind == "xlsx":
        write_signed_workbook(snapshot, path, signed_return, other)
    else:
        plain = tmp_path / "plain.pdf"
        place = write_pdf(snapshot, plain)
        path.write_bytes(sign_pdf(plain.read_bytes(), other, place, "test", UNIT, return_text=text))
    verdict = signed.verify(path, other.certificate)
    assert verdict.status is VerdictStatus.UNKNOWN_SIGNER, verdict.detail
    assert "不是实际签名的证书" in verdict.detail


def test_a_signature_sheet_the_reader_cannot_load_is_damage_not_a_foreign_file(signed, tmp_path):
    """One flipped byte in the name of the signature sheet's part makes the reader drop the sheet."""
    source = signed.v1["xlsx"]
    with zipfile.ZipFile(source) as archive:
        names = archive.namelist()
        relations = archive.read("xl/_rels/workbook.xml.rels")
    last = sorted(n for n in names if n.startswith("xl/worksheets/sheet"))[-1]
    broken = rezip(
        source,
        tmp_path / "broken.xlsx",
        {
            "xl/_rels/workbook.xml.rels": relations.replace(
                last.removeprefix("xl/").encode(), last.removeprefix("xl/").replace("sheet", "shext").encode()
            )
        },
    )
    verdict = signed.verify(broken)
    assert verdict.status is VerdictStatus.DAMAGED, verdict.detail


def test_a_p7s_never_vouches_for_a_workbook_that_is_not_valid(signed, tmp_path):
    """The .p7s signs the bytes; what the workbook says must still pass every check (here: another unit's key)."""
    import hashlib

    from ipdesk.signing.cms import sign_detached
    from ipdesk.signing.workbook import SignedReturn, write_signed_workbook

    other = KeyStore(tmp_path / "keys").create("雁塔区人民政府", "赵六", PASS)
    text = signature_value(load_workbook(signed.v1["xlsx"]), "return")
    workbook = tmp_path / "return.xlsx"
    payload = SignedReturn(
        text,
        hashlib.sha256(text.encode()).hexdigest(),
        signatures.sign(other.key, text.encode()),
        other.certificate.public_bytes(serialization.Encoding.PEM),
    )
    write_signed_workbook(read_return(text).snapshot, workbook, payload, other)
    p7s = tmp_path / "return.xlsx.p7s"
    p7s.write_bytes(sign_detached(other, workbook.read_bytes()))
    for path in (workbook, p7s):
        verdict = signed.verify(path, other.certificate)
        assert verdict.status is not VerdictStatus.VALID, (path.name, verdict.detail)
    assert signed.verify(p7s, other.certificate).status in (VerdictStatus.UNKNOWN_SIGNER, VerdictStatus.MODIFIED)


# every workbook verified here is read both ways, and must give the same view (conftest.both_readers)
pytestmark = pytest.mark.usefixtures("both_readers")


# -- a package that a spreadsheet program reads otherwise than ipdesk -------------------------------------------
# openpyxl (and so ipdesk's checks) finds the workbook and the shared strings by the content types, the styles at
# xl/styles.xml and the rows wherever they stand; Excel, WPS and LibreOffice follow the relationships and read the
# rows of the sheet's data. Each package below would show a reader other content than ipdesk checked.
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
MAIN_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def _twice(parts: dict[str, bytes], name: str, pattern: bytes) -> None:
    """The first match of ``pattern`` (a regular expression) in part ``name`` written twice."""
    found = re.search(pattern, parts[name], re.S)
    assert found, (name, pattern)
    parts[name] = parts[name].replace(found.group(0), found.group(0) * 2, 1)


def _foreign_content_type(parts: dict[str, bytes]) -> None:
    entry = b'<x:Override xmlns:x="urn:forged" PartName="/xl/forged.xml" ContentType="application/xml"/>'
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"<Default", entry + b"<Default", 1)


def _second_workbook_by_extension(parts: dict[str, bytes]) -> None:
    parts["xl/book2.wbk"] = parts["xl/workbook.xml"]
    parts["xl/_rels/book2.wbk.rels"] = parts[WORKBOOK_RELS]
    default = b'<Default Extension="wbk" ContentType="' + MAIN_TYPE + b'"/>'
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"<Default", default + b"<Default", 1)
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(b'Target="xl/workbook.xml"', b'Target="xl/book2.wbk"')


def _document_elsewhere(parts: dict[str, bytes]) -> None:
    parts["xl/book2.xml"] = parts["xl/workbook.xml"]
    parts["xl/_rels/book2.xml.rels"] = parts[WORKBOOK_RELS]
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(b'Target="xl/workbook.xml"', b'Target="xl/book2.xml"')


def _styles_elsewhere(parts: dict[str, bytes]) -> None:
    parts["xl/styles2.xml"] = parts["xl/styles.xml"]
    parts[WORKBOOK_RELS] = parts[WORKBOOK_RELS].replace(b'Target="styles.xml"', b'Target="styles2.xml"')


def _relationship_id_twice(parts: dict[str, bytes]) -> None:
    _twice(parts, WORKBOOK_RELS, rb"<Relationship [^>]*Id=\"rId1\"/>")


def _part_name_in_two_cases(parts: dict[str, bytes]) -> None:
    parts["XL/workbook.xml"] = parts["xl/workbook.xml"]


def _row_outside_the_data(parts: dict[str, bytes]) -> None:
    sheet = parts["xl/worksheets/sheet1.xml"]
    row = re.search(rb"<row r=\"6\".*?</row>", sheet, re.S)
    assert row
    extension = b'<extLst><ext uri="{00000000-0000-0000-0000-000000000000}">' + row.group(0) + b"</ext></extLst>"
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"</worksheet>", extension + b"</worksheet>")


def _two_values(parts: dict[str, bytes]) -> None:
    _twice(parts, "xl/worksheets/sheet1.xml", rb"<v>[^<]*</v>")


def _inline_text_two_ways(parts: dict[str, bytes]) -> None:
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert b"</is>" in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"</is>", "<r><t>已完成（伪造）</t></r></is>".encode(), 1)


def _overlapping_columns(parts: dict[str, bytes]) -> None:
    columns = "".join(f'<col min="{k}" max="16384" width="10" customWidth="1"/>' for k in range(13000, 16385))
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"</cols>", columns.encode() + b"</cols>"
    )


def _empty_rows(parts: dict[str, bytes]) -> None:
    rows = "".join(f'<row r="{k}" hidden="1"/>' for k in range(100, 80_200))
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"</sheetData>", rows.encode() + b"</sheetData>"
    )


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (_foreign_content_type, "内容类型清单"),
        (_second_workbook_by_extension, "工作簿部件"),
        (_document_elsewhere, "工作簿部件"),
        (_styles_elsewhere, "样式部件"),
        (_relationship_id_twice, "关系清单"),
        (_part_name_in_two_cases, "同名"),
        (_row_outside_the_data, "表格数据之外另有一行"),
        (_two_values, "有两个值"),
        (_inline_text_two_ways, "文字有两种写法"),
        (_overlapping_columns, "列宽设置重叠过多"),
        (_empty_rows, "行（含空行）超过上限 80000 行"),
    ],
)
def test_a_package_a_spreadsheet_program_reads_otherwise_is_refused(signed, tmp_path, change, named):
    """Found by an adversarial review: each of these showed LibreOffice other content (another workbook part,
    other styles, the forged one of two rows, values or relationships) than ipdesk checked, or (the overlapping
    column ranges, eighty thousand empty rows) kept verification busy for minutes; each is now refused, the same way
    on either reader."""
    with zipfile.ZipFile(signed.v1["xlsx"]) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    change(parts)
    target = tmp_path / "return.xlsx"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    verdict = signed.verify(target)
    assert verdict.status is VerdictStatus.DAMAGED, verdict.detail
    assert named in verdict.detail, verdict.detail
    assert "不同的程序" in verdict.detail or change in (_overlapping_columns, _empty_rows), verdict.detail


def test_pictures_and_drawings_are_found_by_their_relationships_whatever_their_parts_are_called():
    """A picture stored as xl/pics/… or XL/Media/… is still a picture a reader sees over the cells."""
    from ipdesk.signing.workbook_view import object_kinds

    relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    assert object_kinds(["xl/pics/a.xml", f"rel:{relationships}drawing", f"rel:{relationships}image"]) == [
        "图形或图片",
        "图片",
    ]
    assert object_kinds(["XL/Media/image1.png", "xl/Drawings/drawing1.xml"]) == ["图形或图片", "图片"]
    assert object_kinds([f"rel:{relationships}worksheet", f"rel:{relationships}styles", "xl/styles.xml"]) == []

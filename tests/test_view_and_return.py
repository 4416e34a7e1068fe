"""The signed view and the signed return are one set of facts (docs/return-format.md § 4.4).

The held-out attack: the unit's own key signs a workbook whose form shows task 16 as 已完成 100% while its signed
return says 推进中 91%. Both signatures are genuine and the file is unchanged since signing, so only a check of the
view against the return finds it: the verdict is 内容不一致, naming the first cell that differs, and the city's
import refuses it and changes nothing. Each way a form can show other facts gets a case.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill

from ipdesk.domain.signed_text import canonical_json, text_sha256
from ipdesk.signing import signatures
from ipdesk.signing.identity import KeyStore
from ipdesk.signing.verify import VerdictStatus, verify_file
from ipdesk.signing.view_facts import disagreements
from ipdesk.signing.workbook_view import describe

from .test_return_tampering import (  # noqa: F401  (module fixtures)
    PASS,
    SIGNATURE,
    TASKS,
    UNIT,
    changed_workbook,
    set_signature_values,
    signature_value,
    signed,
)

EVIDENCE_SHEET, INDICATORS = "佐证材料清单", "主要指标完成情况"


def _row_of(sheet, seq: int) -> int:
    return next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == seq)


def _column(sheet, title: str) -> int:
    header = next(r for r in range(1, 10) if sheet.cell(r, 1).value == "序号")
    return next(c.column for c in sheet[header] if str(c.value or "").replace("\n", "").startswith(title))


def unit_key(signed):  # noqa: F811
    """The unit's own key, as its reviewer unlocks it: a genuine signature, not a forger's."""
    home = signed.db.parent / "home"
    return KeyStore(home / "keys").unlock(UNIT, PASS).key


def signed_as_shown(signed, target: Path, change: Callable[[Workbook], object]) -> Path:  # noqa: F811
    """Version 1's workbook changed by ``change``, its view described again and signed with the unit's own key:
    the file shows exactly its signed view, and the return is untouched."""
    key = unit_key(signed)

    def forge(book: Workbook) -> None:
        change(book)
        view = describe(book, skip=SIGNATURE)
        view["return_sha256"] = signature_value(book, "return_sha256")
        text = canonical_json(view)
        signature = base64.b64encode(signatures.sign(key, text.encode("utf-8"))).decode("ascii")
        set_signature_values(book, view=text, view_sha256=text_sha256(text), view_signature=signature)

    return changed_workbook(signed.v1["xlsx"], target, forge)


def _task16_done(book: Workbook) -> None:
    sheet = book[TASKS]
    row = _row_of(sheet, 16)
    sheet.cell(row, _column(sheet, "完成状态")).value = "已完成"
    sheet.cell(row, _column(sheet, "完成进度")).value = 100


def test_a_form_signed_with_the_units_own_key_showing_other_figures_is_inconsistent(signed, tmp_path):  # noqa: F811
    original = json.loads(signature_value(load_workbook(signed.v1["xlsx"]), "return"))
    task = next(t for t in original["tasks"] if t["seq"] == 16)
    assert (task["status_label"], task["percent"]) == ("推进中", 91.0)  # what the city would count

    forged = signed_as_shown(signed, tmp_path / "forged.xlsx", _task16_done)
    verdict = signed.verify(forged)
    assert verdict.status is VerdictStatus.INCONSISTENT, verdict.detail
    sheet = load_workbook(forged)[TASKS]
    row = _row_of(sheet, 16)
    status_cell = f"{TASKS}!{sheet.cell(row, _column(sheet, '完成状态')).coordinate}"
    assert f"{status_cell}（序号16 完成状态）：报送数据为“推进中”，表中显示“已完成”" in verdict.detail
    assert "共 2 处" in verdict.detail
    assert any("报送数据为“91%”，表中显示“100%”" in d for d in verdict.differences)
    assert (verdict.unit, verdict.version) == (UNIT, 1)


def _format_shows_100(book: Workbook) -> None:
    """The value stays 91; a number format prints it as 100%."""
    sheet = book[TASKS]
    sheet.cell(_row_of(sheet, 16), _column(sheet, "完成进度")).number_format = '"100%"'


def _conditional_format(book: Workbook) -> None:
    sheet = book[TASKS]
    cell = sheet.cell(_row_of(sheet, 16), _column(sheet, "完成进度")).coordinate
    sheet.conditional_formatting.add(cell, CellIsRule(operator="lessThan", formula=["100"], fill=PatternFill()))


def _version_line(book: Workbook) -> None:
    sheet = book[TASKS]
    cell = next(c for c in sheet[3] if "版本" in str(c.value or ""))
    cell.value = str(cell.value).replace("v1", "v3")


def _extra_task_row(book: Workbook) -> None:
    """A task row the return does not have, in the blank row between the table and the signature lines."""
    sheet = book[TASKS]
    row = max(r for r in range(5, sheet.max_row + 1) if isinstance(sheet.cell(r, 1).value, int)) + 1
    sheet.cell(row, 1).value = 99
    sheet.cell(row, 2).value = "额外的任务"


def _task_removed(book: Workbook) -> None:
    sheet = book[TASKS]
    row = _row_of(sheet, 17)
    for cell in sheet[row]:
        cell.value = None


def _hidden_row(book: Workbook) -> None:
    sheet = book[TASKS]
    sheet.row_dimensions[_row_of(sheet, 17)].hidden = True


def _light_recoloured(book: Workbook) -> None:
    sheet = book[TASKS]
    red_row = next(r for r in range(5, sheet.max_row + 1) if sheet.cell(r, _column(sheet, "预警")).value == "红灯")
    cell = sheet.cell(red_row, _column(sheet, "预警"))
    cell.value = "绿灯"
    cell.fill = PatternFill("solid", fgColor="D8F0D8")


def _text_beside_the_table(book: Workbook) -> None:
    book[TASKS]["M6"].value = "已全部完成"


def _unit_named_otherwise(book: Workbook) -> None:
    book[INDICATORS]["A3"].value = "填报单位（盖章）：雁塔区人民政府"


def _problem_text(book: Workbook) -> None:
    sheet = book[TASKS]
    row = _row_of(sheet, 17)
    sheet.cell(row, _column(sheet, "存在问题")).value = "无"


def _title(book: Workbook) -> None:
    sheet = book[TASKS]
    sheet["A1"].value = str(sheet["A1"].value).replace("第三季度", "第四季度")


def _sheet_hidden(book: Workbook) -> None:
    book[INDICATORS].sheet_state = "hidden"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (_format_shows_100, "完成进度"),
        (_conditional_format, "条件格式"),
        (_version_line, "版本：v3"),
        (_extra_task_row, "报送数据中没有此行）"),
        (_task_removed, "序号17"),
        (_hidden_row, "隐藏的行"),
        (_light_recoloured, "预警"),
        (_text_beside_the_table, "已全部完成"),
        (_unit_named_otherwise, "雁塔区"),
        (_problem_text, "存在问题"),
        (_title, "第四季度"),
        (_sheet_hidden, "工作表显示"),
    ],
    ids=lambda v: getattr(v, "__name__", "").strip("_") if callable(v) else None,
)
def test_every_way_a_form_can_show_other_facts_is_inconsistent(signed, tmp_path, change, named):  # noqa: F811
    forged = signed_as_shown(signed, tmp_path / "forged.xlsx", change)
    verdict = signed.verify(forged)
    assert verdict.status is VerdictStatus.INCONSISTENT, verdict.detail
    assert any(named in d for d in verdict.differences), verdict.differences


def test_the_view_as_exported_agrees_with_its_return_for_every_signed_version(signed):  # noqa: F811
    for files in (signed.v1, signed.v2):
        book = load_workbook(files["xlsx"])
        view = json.loads(signature_value(book, "view"))
        from ipdesk.reports.return_format import read_return

        assert disagreements(view, read_return(signature_value(book, "return")).snapshot) == []
        assert signed.verify(files["xlsx"]).status is VerdictStatus.VALID


def test_the_city_refuses_an_inconsistent_return_and_stores_nothing(signed, tmp_path, monkeypatch):  # noqa: F811
    import datetime as dt

    from cryptography.hazmat.primitives import serialization

    from ipdesk import Workspace
    from ipdesk.exchange.importing import Outcome

    from .test_city import dump

    forged = signed_as_shown(signed, tmp_path / "forged.xlsx", _task16_done)
    monkeypatch.setenv("IPDESK_HOME", str(tmp_path / "city-home"))
    with Workspace(tmp_path / "city.db", actor="张主任") as city:
        certificate = tmp_path / "unit.cer"
        certificate.write_bytes(signed.trusted[0].public_bytes(serialization.Encoding.PEM))
        city.trust.add(certificate)
        before = dump(city)
        result = city.city.import_files([forged], today=dt.date(2025, 10, 20))[0]
        assert result.outcome is Outcome.REFUSED
        assert result.reason.startswith("内容不一致：") and "序号16" in result.reason, result.reason
        assert dump(city) == before


def test_verify_file_gives_the_new_verdict_without_a_trust_list(signed, tmp_path):  # noqa: F811
    forged = signed_as_shown(signed, tmp_path / "forged.xlsx", _task16_done)
    assert verify_file(forged, []).status is VerdictStatus.INCONSISTENT


def test_a_return_workbook_beyond_the_bounds_is_refused_before_loading(signed, tmp_path):  # noqa: F811
    """The same streaming bounds as task lists (plans.workbook_bounds.RETURN): a merged range to the sheet's end."""
    import zipfile

    from ipdesk.plans.workbook_bounds import RETURN

    source, target = signed.v1["xlsx"], tmp_path / "merged.xlsx"
    bomb = b'<mergeCell ref="A60:XFD1048576"/>'
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</mergeCells>", bomb + b"</mergeCells>", 1)
            new.writestr(item.filename, data)
    verdict = signed.verify(target)
    assert verdict.status is VerdictStatus.DAMAGED, verdict.detail
    assert "A60:XFD1048576" in verdict.detail and f"上限 {RETURN.max_merged_cells}" in verdict.detail


# every workbook verified here is read both ways, and must give the same view (conftest.both_readers)
pytestmark = pytest.mark.usefixtures("both_readers")

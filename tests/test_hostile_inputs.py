"""Hostile files from outside: task lists that would exhaust memory or lose a task silently, control characters,
and fields of the office's files that are not valid data. Each is refused with its reason in Chinese, before
openpyxl loads anything, and changes nothing."""

from __future__ import annotations

import dataclasses
import json
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from ipdesk.domain.errors import InvalidInput
from ipdesk.exchange import envelope, feedback, plan_file
from ipdesk.plans.workbook_bounds import TASK_LIST, sheet_problem
from ipdesk.signing.identity import KeyStore

from .test_office_files import OFFICE, registered


def task_list(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["西安市知识产权专项工作任务清单(2026—2027年)"])
    sheet.append(["序号", "任务名称", "任务内容", "责任单位"])
    sheet.append([1, "专利导航", "开展专利导航", "碑林区人民政府"])
    book.save(path)
    return path


def with_sheet_xml(source: Path, target: Path, change) -> Path:
    """``source`` with its first worksheet's XML changed by ``change`` (bytes → bytes)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            new.writestr(item.filename, data)
    return target


def plans_before(ws) -> list[str]:
    return [p.code for p in ws.plans.all()]


def test_a_merged_range_to_the_end_of_the_sheet_is_refused_before_loading(ws, tmp_path):
    """1.8 KB that openpyxl would grow past 1.5 GB: one merged range A10:XFD1048576."""
    merged = b'<mergeCells count="1"><mergeCell ref="A10:XFD1048576"/></mergeCells>'
    path = with_sheet_xml(
        task_list(tmp_path / "ok.xlsx"),
        tmp_path / "bomb.xlsx",
        lambda xml: xml.replace(b"</sheetData>", b"</sheetData>" + merged),
    )
    assert path.stat().st_size < 8 * 1024
    before = plans_before(ws)
    started = time.perf_counter()
    with pytest.raises(InvalidInput) as error:
        ws.plans.read(path)
    assert time.perf_counter() - started < 30  # not a speed goal (bench/): it must not hang
    assert "A10:XFD1048576" in str(error.value) and f"上限 {TASK_LIST.max_merged_cells}" in str(error.value)
    assert plans_before(ws) == before


def _rows_xml(count: int) -> bytes:
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (n, n) for n in range(4, count + 1)
    )
    return rows


def test_a_sheet_of_a_million_rows_is_refused_at_the_first_row_beyond_the_limit(ws, tmp_path):
    path = with_sheet_xml(
        task_list(tmp_path / "ok.xlsx"),
        tmp_path / "rows.xlsx",
        lambda xml: xml.replace(b"</sheetData>", _rows_xml(1_048_576) + b"</sheetData>"),
    )
    with pytest.raises(InvalidInput, match=f"第 {TASK_LIST.max_rows + 1} 行有内容，超过上限 {TASK_LIST.max_rows} 行"):
        ws.plans.read(path)


def test_a_formula_without_its_computed_value_is_refused_with_its_cell(ws, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["西安市知识产权专项工作任务清单(2026—2027年)"])
    sheet.append(["序号", "任务名称", "任务内容", "责任单位"])
    sheet.append([1, '=CONCATENATE("专利","导航")', "开展专利导航", "碑林区人民政府"])
    book.save(tmp_path / "formula.xlsx")  # openpyxl keeps no computed value
    with pytest.raises(InvalidInput, match="单元格 B3 是公式，文件中没有它的计算结果"):
        ws.plans.read(tmp_path / "formula.xlsx")


def test_a_csv_with_a_million_empty_lines_then_a_task_is_refused_not_cut(ws, tmp_path):
    path = tmp_path / "long.csv"
    lines = ["序号,任务名称,任务内容,责任单位", "1,专利导航,开展专利导航,碑林区人民政府"]
    path.write_text("\n".join(lines) + "\n" * 1_000_000 + "2,商标品牌,培育商标品牌,碑林区人民政府\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"第 1000002 行有内容，超过上限 5000 行"):
        ws.plans.read(path)


def test_a_csv_with_a_nul_byte_is_refused_naming_its_place(ws, tmp_path):
    path = tmp_path / "控制字符.csv"  # not nul.csv: Windows takes NUL as its null device, whatever the extension
    path.write_bytes("序号,任务名称,任务内容,责任单位\n1,专利\x00导航,开展专利导航,碑林区人民政府\n".encode())
    before = plans_before(ws)
    with pytest.raises(InvalidInput, match=r"第 2 行第 5 个字符是控制字符（U\+0000）"):
        ws.plans.read(path)
    assert plans_before(ws) == before


def test_typed_text_with_a_control_character_is_refused_and_nothing_saved(ws):
    unit = "碑林区人民政府"
    ws.settings.update({"unit": unit})
    seq = ws.progress.for_unit(unit, "2025-10")[0].task.seq
    before = ws.progress.get(seq, unit, "2025-10")
    with pytest.raises(InvalidInput, match=r"“存在问题”的第 3 个字符是控制字符（U\+0000）"):
        ws.progress.save(before.with_changes(problems="资金\x00不足"))
    assert ws.progress.get(seq, unit, "2025-10") == before
    indicator = next(iter(ws.indicator_values.for_unit(unit, "2025-10").values()), None)
    if indicator is not None:
        with pytest.raises(InvalidInput, match="控制字符"):
            ws.indicator_values.save(indicator.with_changes(note="\x1b[31m"))


def test_the_bounds_check_passes_an_ordinary_task_list(tmp_path):
    assert sheet_problem(task_list(tmp_path / "ok.xlsx"), TASK_LIST) == ""


# -- the office's files ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def office(tmp_path_factory):
    return KeyStore(tmp_path_factory.mktemp("keys")).create(OFFICE, "张主任", "市局签署口令")


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("version", 0, "退回的版本号 0 不在 1–9999 之内"),
        ("version", 2**63, "退回的版本号 9223372036854775808 不在 1–9999 之内"),
        ("version", "1", "退回的版本号应为整数"),
        ("comment", "请补充\x00", r"退回意见的第 4 个字符是控制字符（U\+0000）"),
    ],
)
def test_a_feedback_field_that_is_not_valid_data_is_refused(office, tmp_path, field, value, said):
    document = {
        "format": feedback.DOCUMENT,
        "format_version": "1.0",
        "plan": {"code": "xian-2022-2025"},
        "unit": {"name": "碑林区人民政府"},
        "period": "2025-10",
        "version": 1,
        "return_sha256": "0" * 64,
        "comment": "请补充佐证材料",
        "decided_at": "2025-11-01T09:00:00+08:00",
        field: value,
    }
    path = tmp_path / "feedback.json"
    path.write_bytes(envelope.seal(feedback.KIND, document, office))
    with pytest.raises(InvalidInput, match=said):
        feedback.read(path, registered(office), OFFICE)


def test_a_plan_file_with_a_control_character_in_a_task_is_refused(ws, office, tmp_path):
    plan = ws.plan
    plan = dataclasses.replace(plan, tasks=(dataclasses.replace(plan.tasks[0], name="培育\x00专利"), *plan.tasks[1:]))
    path = tmp_path / "plan.json"
    path.write_bytes(plan_file.signed_bytes(plan, office, "张主任"))
    with pytest.raises(InvalidInput, match=r"第 1 项任务的名称的第 3 个字符是控制字符（U\+0000）"):
        plan_file.read(path, registered(office))
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == plan_file.KIND.envelope

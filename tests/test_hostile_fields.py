"""Every field of every file from outside is data to check before use. For each reader — rosters, feedback files,
plan files, rules files, certificates — one hostile file per class (wrong type, huge number, control characters,
overlong text, bad date or code): refused with a Chinese message naming the field, nothing changed; where files come
in a batch, the others go on."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ipdesk import Workspace
from ipdesk.domain.errors import InvalidInput
from ipdesk.exchange import envelope, feedback, plan_file
from ipdesk.exchange.scoring import ScoringRules
from ipdesk.signing.identity import KeyStore

from .conftest import replace_in_sheet_xml
from .test_office_files import OFFICE, registered
from .test_return_tampering import self_made_certificate

BEILIN = "碑林区人民政府"


# -- rosters --------------------------------------------------------------------------------------------------------
def roster_book(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "单位名册"
    sheet.append(["西安市责任单位名册"])
    sheet.append(["代码", "名称", "类别", "简称", "其他名称", "备注", "联系人", "联系电话"])
    sheet.append(["610100-Q01", BEILIN, "区", "碑林区", "", "", "王芳", "029-87654321"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


GOOD_ROW = ["610100-Q02", "莲湖区人民政府", "区", "莲湖区", "", "", "李明", "13912345678"]


def _row(**changes: object) -> list[object]:
    columns = ["代码", "名称", "类别", "简称", "其他名称", "备注", "联系人", "联系电话"]
    row = list(GOOD_ROW)
    for key, value in changes.items():
        row[columns.index(key)] = value
    return row


@pytest.mark.parametrize(
    ("row", "said"),
    [
        pytest.param(_row(联系电话=dt.datetime(2025, 1, 1)), "“联系电话”一栏是日期或是非值", id="date-phone"),
        pytest.param(_row(联系电话=1e300), "“联系电话”1e+300 不是电话号码", id="huge-phone"),
        pytest.param(_row(联系电话=-5), "不是电话号码", id="negative-phone"),
        pytest.param(_row(联系电话="029-8765转abc"), "联系电话“029-8765转abc”中有不是号码的字符", id="letters-phone"),
        pytest.param(_row(联系人="张" * 41), "联系人过长（41 个字符，最多 40 个）", id="long-person"),
        pytest.param(_row(名称="莲湖区" * 200 + "人民政府"), "“名称”过长（604 个字符", id="long-name"),
        pytest.param(_row(备注="说明" * 300), "“备注”过长", id="long-note"),
        pytest.param(_row(代码="610100-区02"), "“代码”“610100-区02”中有不能用于代码的字符“区”", id="bad-code"),
        pytest.param(_row(代码=dt.date(2025, 1, 1)), "“代码”一栏是日期或是非值", id="date-code"),
        pytest.param(_row(其他名称="莲湖、" + "甲" * 120), "“其他名称”中的一个名称过长", id="long-alias"),
    ],
)
def test_a_roster_row_that_is_not_valid_data_is_refused_and_nothing_changes(ws, tmp_path, row, said):
    before = (ws.plans.roster(), ws.plans.contacts())
    _, rejected = ws.plans.import_roster(roster_book(tmp_path / "名册.xlsx", [row]))
    assert [(number, reason) for number, reason in rejected if said in reason] == [(4, rejected[0][1])]
    assert (ws.plans.roster(), ws.plans.contacts()) == before
    # the same workbook without the hostile row is read whole
    _, rejected = ws.plans.import_roster(roster_book(tmp_path / "名册-好.xlsx", [GOOD_ROW]))
    assert rejected == [] and ws.plans.contacts()["莲湖区人民政府"] == ("李明", "13912345678")


def test_a_roster_with_a_control_character_is_refused_naming_the_place(ws, tmp_path):
    """(A workbook cannot carry one: XML refuses the character, and openpyxl leaves Excel's _x001B_ as it is.)"""
    before = (ws.plans.roster(), ws.plans.contacts())
    csv = tmp_path / "名册.csv"
    csv.write_text("名称,类别,联系电话\n莲湖区人民政府,区,029\x0087654321\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"第 2 行第 14 个字符是控制字符（U\+0000）"):
        ws.plans.import_roster(csv)
    assert (ws.plans.roster(), ws.plans.contacts()) == before


def test_a_roster_csv_with_an_overlong_phone_is_refused(ws, tmp_path):
    csv = tmp_path / "名册.csv"
    csv.write_text(f"名称,类别,联系电话\n莲湖区人民政府,区,{'1' * 41}\n", encoding="utf-8")
    before = ws.plans.contacts()
    _, rejected = ws.plans.import_roster(csv)
    assert rejected == [(2, "联系电话过长（41 个字符，最多 40 个）")]
    assert ws.plans.contacts() == before


def test_a_typed_contact_follows_the_same_rule(ws):
    with pytest.raises(InvalidInput, match="联系电话“029-abc”中有不是号码的字符"):
        ws.plans.set_contact(BEILIN, "王芳", "029-abc")
    with pytest.raises(InvalidInput, match="联系人过长"):
        ws.plans.set_contact(BEILIN, "王" * 41, "029")
    ws.plans.set_contact(BEILIN, "王芳", "０２９－８７６５４３２１ 转 8")
    assert ws.plans.contacts()[BEILIN] == ("王芳", "０２９－８７６５４３２１ 转 8")


# -- feedback files -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def office(tmp_path_factory):
    return KeyStore(tmp_path_factory.mktemp("keys")).create(OFFICE, "张主任", "市局签署口令")


def feedback_document(**changes: object) -> dict:
    document = {
        "format": feedback.DOCUMENT,
        "format_version": "1.0",
        "plan": {"code": "xian-2022-2025", "sha256": "a" * 64},
        "unit": {"name": BEILIN, "code": "610100-Q03"},
        "period": "2025-10",
        "version": 1,
        "return_sha256": "0" * 64,
        "decision": "returned",
        "comment": "请补充佐证材料",
        "tasks": [{"seq": 3, "comment": "请补充"}],
        "decided_at": "2025-11-01T09:00:00+08:00",
        "decided_by": "张主任",
        "office": OFFICE,
    }
    document.update(changes)
    return document


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        pytest.param({"period": 202510}, "报送期应为报送期代码", id="wrong-type-period"),
        pytest.param({"period": "2025-13"}, "报送期“2025-13”无法识别", id="bad-period"),
        pytest.param({"version": 10**30}, "退回的版本号 10000000000000000000… 不在 1–9999 之内", id="huge"),
        pytest.param(
            {"tasks": [{"seq": 2**70, "comment": "x"}]}, "任务序号 1180591620717411303424 不在", id="huge-seq"
        ),
        pytest.param({"decided_by": "张\x07主任"}, r"退回人的第 2 个字符是控制字符（U\+0007）", id="control"),
        pytest.param({"comment": "补" * 20_001}, "退回意见过长（20001 个字符，最多 20000 个）", id="overlong"),
        pytest.param({"decided_at": "2025-13-45T09:00:00"}, "退回时间“2025-13-45T09:00:00”不是日期时间", id="bad-date"),
        pytest.param(
            {"decided_at": "9999-01-01T00:00:00"}, "退回时间 9999-01-01T00:00:00 不在 1900–2200 年之内", id="far"
        ),
        pytest.param({"decided_at": 20251101}, "退回时间应为日期时间文字", id="wrong-type-date"),
        pytest.param({"return_sha256": "not-a-digest"}, "所退回报送数据的 SHA-256应为 64 位十六进制数", id="digest"),
        pytest.param(
            {"plan": {"code": "xian\n2022"}}, "方案代码“xian\n2022”中有不能用于代码的字符“U\\+000A”", id="code"
        ),
        pytest.param({"unit": {"name": ""}}, "单位名称为空", id="no-unit"),
        pytest.param({"decision": "accepted"}, "决定“accepted”无法识别", id="decision"),
        pytest.param({"tasks": {"seq": 1}}, "任务意见的格式无法识别", id="tasks-type"),
    ],
)
def test_a_feedback_field_that_is_not_valid_data_is_refused(office, tmp_path, changes, said):
    path = tmp_path / "feedback.json"
    path.write_bytes(envelope.seal(feedback.KIND, feedback_document(**changes), office))
    with pytest.raises(InvalidInput, match=f"“feedback.json”的内容无效：{said}"):
        feedback.read(path, registered(office), OFFICE)


def test_a_sound_feedback_document_reads(office, tmp_path):
    path = tmp_path / "feedback.json"
    path.write_bytes(envelope.seal(feedback.KIND, feedback_document(), office))
    read = feedback.read(path, registered(office), OFFICE).feedback
    assert (read.unit, read.period, read.version, read.comment) == (BEILIN, "2025-10", 1, "请补充佐证材料")


# -- plan files -----------------------------------------------------------------------------------------------------
def _signed_plan(office, plan, tmp_path: Path, name: str, **document_changes: object) -> Path:
    data = json.loads(plan_file.signed_bytes(plan, office, "张主任"))
    document = json.loads(data["document"])
    document.update(document_changes)
    path = tmp_path / name
    path.write_bytes(envelope.seal(plan_file.KIND, document, office))
    return path


@pytest.mark.parametrize(
    ("changes", "document_changes", "said"),
    [
        pytest.param(
            {}, {"published_at": "2025-02-30T10:00:00"}, "签发时间“2025-02-30T10:00:00”不是日期时间", id="date"
        ),
        pytest.param({}, {"published_at": 20250101}, "签发时间应为日期时间文字", id="wrong-type"),
        pytest.param({}, {"published_by": "张" * 501}, "签发人过长（501 个字符，最多 500 个）", id="overlong"),
        pytest.param({}, {"published_by": "张\x1b主任"}, r"签发人的第 2 个字符是控制字符（U\+001B）", id="control"),
        pytest.param({"member_units_note": "甲\x00"}, {}, r"成员单位说明的第 2 个字符是控制字符（U\+0000）", id="note"),
        pytest.param({"start_year": 99999}, {}, "起始年份 99999 不在 1900–2200 之内", id="huge-year"),
    ],
)
def test_a_plan_file_field_that_is_not_valid_data_is_refused(ws, office, tmp_path, changes, document_changes, said):
    plan = dataclasses.replace(ws.plan, **changes)
    path = _signed_plan(office, plan, tmp_path, "plan.json", **document_changes)
    with pytest.raises(InvalidInput, match=said):
        plan_file.read(path, registered(office))


def test_a_plan_file_with_a_huge_target_is_refused_by_the_workspace_and_saves_nothing(ws, office, tmp_path):
    plan = ws.plan
    indicator = dataclasses.replace(plan.indicators[0], target=1e300)
    plan = dataclasses.replace(plan, code="xian-huge", indicators=(indicator, *plan.indicators[1:]))
    path = _signed_plan(office, plan, tmp_path, "huge.json")
    with pytest.raises(InvalidInput, match=r"第 1 项指标的目标 1e\+300 不在"):
        plan_file.read(path, registered(office))
    project = plan.projects[0]
    target = dataclasses.replace(project.targets[0], quote="原文" * 10_001)
    plan = dataclasses.replace(
        ws.plan, code="xian-long", projects=(dataclasses.replace(project, targets=(target,)), *ws.plan.projects[1:])
    )
    with pytest.raises(InvalidInput, match="工程1的目标原文过长"):
        plan_file.read(_signed_plan(office, plan, tmp_path, "long.json"), registered(office))
    assert [p.code for p in ws.plans.all()] == ["xian-2022-2025"]


# -- rules files ----------------------------------------------------------------------------------------------------
def rules_file(path: Path, rules: object, version: object = "2.0") -> Path:
    path.write_text(
        json.dumps({"format": "ipdesk-scoring-rules", "format_version": version, "rules": rules}), encoding="utf-8"
    )
    return path


@pytest.mark.parametrize(
    ("rules", "version", "said"),
    [
        pytest.param({"excellent": "90"}, "2.0", "考核规则“优秀分数线”应为数字", id="text"),
        pytest.param({"excellent": True}, "2.0", "考核规则“优秀分数线”应为数字", id="bool"),
        pytest.param({"good": 10**400}, "2.0", "考核规则“良好分数线”超出范围", id="huge"),
        pytest.param({"good": 1e308}, "2.0", "考核规则“良好分数线” 1e\\+308 不在 0–1000 之内", id="big"),
        pytest.param({"yellow": "0.6\x00"}, "2.0", "考核规则“黄灯任务得分系数”应为数字", id="control"),
        pytest.param(["excellent", 90], "2.0", "考核规则文件中没有规则", id="list"),
        pytest.param({"excellent": 90}, 2, "考核规则文件的格式版本无法识别", id="version-type"),
        pytest.param({"excellent": 90}, "9.0", "考核规则文件的格式版本 9.0 比本程序新", id="version-new"),
    ],
)
def test_a_rules_file_that_is_not_valid_data_is_refused_and_the_rules_stay(tmp_path, rules, version, said):
    with Workspace(tmp_path / "city.db") as ws:
        ws.set_kind(ws.CITY)
        before = ws.city.reports.rules()
        with pytest.raises(InvalidInput, match=said):
            ws.city.reports.import_rules(rules_file(tmp_path / "rules.json", rules, version))
        assert ws.city.reports.rules() == before
        assert ws.city.reports.import_rules(rules_file(tmp_path / "ok.json", {"excellent": 95})).excellent == 95


def test_a_huge_integer_in_a_rules_file_no_longer_ends_in_a_traceback(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(
        '{"format": "ipdesk-scoring-rules", "format_version": "2.0", "rules": {"fair": 1' + "0" * 400 + "}}"
    )
    with pytest.raises(InvalidInput, match="一般分数线”超出范围"):
        ScoringRules.read_file(path)


# -- certificates ---------------------------------------------------------------------------------------------------
def certificate_file(
    path: Path, holder: str, signer: str, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> Path:
    _, certificate = self_made_certificate(
        holder, signer, start or dt.datetime(2025, 1, 1, tzinfo=dt.UTC), end or dt.datetime(2035, 1, 1, tzinfo=dt.UTC)
    )
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


def test_hostile_certificates_are_refused_naming_the_field_and_the_batch_goes_on(ws, tmp_path):
    folder = tmp_path / "证书"
    folder.mkdir()
    good = certificate_file(folder / "1-碑林区.cer", BEILIN, "李强")
    control = certificate_file(folder / "2-control.cer", "莲湖区人民政府", "李\x1b[31m强")
    long = certificate_file(folder / "3-long.cer", "莲" * 501, "李强")
    # cryptography builds no certificate whose validity ends before it begins: the end year is changed in the DER
    der = certificate_file(folder / "4-backwards.cer", "雁塔区人民政府", "王五").read_bytes()
    der = x509.load_pem_x509_certificate(der).public_bytes(serialization.Encoding.DER)
    assert der.count(b"350101000000Z") == 1
    backwards = folder / "4-backwards.cer"
    backwards.write_bytes(der.replace(b"350101000000Z", b"200101000000Z"))
    results = {path.name: reason for path, _, reason in ws.trust.add_many([folder])}
    assert results[good.name] == ""
    assert results[control.name] == "“2-control.cer”不能登记：证书的持有人的第 2 个字符是控制字符（U+001B），不能使用"
    assert results[long.name] == "“3-long.cer”不能登记：证书的持有单位过长（501 个字符，最多 500 个）"
    assert results[backwards.name] == "“4-backwards.cer”不能登记：证书的有效期结束（2020-01-01）早于开始（2025-01-01）"
    assert [t.holder for t in ws.trust.registered()] == [BEILIN]


def test_a_roster_phone_of_hundreds_of_digits_is_refused_not_a_traceback(ws, tmp_path):
    """openpyxl cannot write such a number, and reads it back as a Python int, which no float holds."""
    path = roster_book(tmp_path / "名册.xlsx", [_row(联系电话=987654321)])
    replace_in_sheet_xml(path, b"<v>987654321</v>", b"<v>" + b"9" * 400 + b"</v>")
    before = (ws.plans.roster(), ws.plans.contacts())
    _, rejected = ws.plans.import_roster(path)
    assert rejected == [(4, f"“联系电话”{'9' * 24} 不是电话号码")]
    assert (ws.plans.roster(), ws.plans.contacts()) == before


# every workbook verified here is read both ways, and must give the same view (conftest.both_readers)
pytestmark = pytest.mark.usefixtures("both_readers")

"""The city office: registering certificates, importing returns the tests make for several units (signed,
tampered, duplicated, older and newer versions, another plan, a draft), who has reported, the 催报 list, review,
and the feedback round trip from the office to the unit and back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from openpyxl import load_workbook

from ipdesk import Workspace
from ipdesk.domain import InvalidInput
from ipdesk.domain.accounting import UnitState
from ipdesk.domain.reports import ReportStatus
from ipdesk.exchange.importing import Outcome
from ipdesk.signing.identity import KeyStore

from .conftest import keep_for_review
from .unit_desk import PASS, UnitDesk

CITY_PASS = "市局签署口令"
TODAY = dt.date(2025, 11, 20)  # the October returns are due on 5 November
BEILIN, YANTA, KEJI = "碑林区人民政府", "雁塔区人民政府", "市科技局"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """Signed returns of three units for September and October; 碑林区 signs October twice (v1 and v2)."""
    root = tmp_path_factory.mktemp("units")
    out = root / "out"
    desks = {unit: UnitDesk(root / unit, unit) for unit in (BEILIN, YANTA, KEJI)}
    files: dict[tuple[str, str, int], dict[str, Path]] = {}
    for unit, desk in desks.items():
        for period in ("2025-09", "2025-10"):
            files[(unit, period, 1)] = desk.sign(period, out)
    desks[BEILIN].ws.reports.revise(BEILIN, "2025-10")
    files[(BEILIN, "2025-10", 2)] = desks[BEILIN].sign("2025-10", out, edit="第二版：补充了十月的会议纪要")
    certificates = {unit: desk.certificate() for unit, desk in desks.items()}
    yield desks, files, certificates, root
    for desk in desks.values():
        desk.ws.close()


@pytest.fixture
def city(tmp_path, made):
    _, _, certificates, _ = made
    ws = Workspace(tmp_path / "city.db", actor="张主任")
    ws.signoff._keys = KeyStore(tmp_path / "city-keys")
    for path in certificates.values():
        ws.trust.add(path)
    yield ws
    ws.close()


def dump(ws: Workspace) -> list[str]:
    """The whole database as SQL, to show that a refused import changed nothing."""
    conn = sqlite3.connect(ws.path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def copy(path: Path, folder: Path, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(path, folder / (name or path.name)))


# -- certificates -----------------------------------------------------------------------------------------------
def test_registering_certificates_makes_a_city_workspace(tmp_path, made):
    _, _, certificates, _ = made
    ws = Workspace(tmp_path / "new.db")
    assert ws.kind == ""
    registration = ws.trust.add(certificates[BEILIN])
    assert ws.kind == "city" and registration.holder == BEILIN and registration.kind == "unit"
    assert ws.trust.add(certificates[BEILIN]).already
    assert [t.holder for t in ws.trust.all()] == [BEILIN]
    with pytest.raises(InvalidInput) as error:
        ws.settings.set("unit", YANTA)
    assert "汇总工作区" in str(error.value)
    removed = ws.trust.remove(registration.fingerprint.replace(":", "").lower()[:12])
    assert removed.holder == BEILIN and ws.trust.all() == []
    ws.close()


def test_a_certificate_of_no_unit_of_the_plan_is_refused(tmp_path):
    keys = KeyStore(tmp_path / "keys")
    keys.create("某某公司", "赵六", PASS)
    cer = keys.export_certificate("某某公司", tmp_path / "x.cer")
    ws = Workspace(tmp_path / "w.db")
    with pytest.raises(InvalidInput) as error:
        ws.trust.add(cer)
    assert "不是本方案的责任单位" in str(error.value)
    not_a_certificate = tmp_path / "notes.cer"
    not_a_certificate.write_text("不是证书", encoding="utf-8")
    with pytest.raises(InvalidInput):
        ws.trust.add(not_a_certificate)
    assert ws.trust.all() == [] and ws.kind == ""
    ws.close()


def test_a_unit_changing_its_key_needs_a_yes_and_the_old_key_keeps_what_it_signed(tmp_path, made, city):
    desks, files, _, _ = made
    assert city.city.import_files([files[(YANTA, "2025-09", 1)][".xlsx"]], today=TODAY)[0].outcome is Outcome.IMPORTED
    new_keys = KeyStore(tmp_path / "new-keys")
    new_keys.create(YANTA, "新审核人", PASS)
    new_cer = new_keys.export_certificate(YANTA, tmp_path / "new.cer")
    check = city.trust.check(new_cer)
    assert check.key_change and "更换" in check.describe()
    with pytest.raises(InvalidInput) as error:
        city.trust.add(new_cer)
    assert "--yes" in str(error.value)
    assert len([t for t in city.trust.all() if t.holder == YANTA]) == 1
    city.trust.add(new_cer, key_change_confirmed=True)
    old = next(t for t in city.trust.all() if t.holder == YANTA and not t.current)
    assert old.superseded_at
    # a return signed with the old key before the change is still accepted …
    result = city.city.import_files([files[(YANTA, "2025-10", 1)][".xlsx"]], today=TODAY)[0]
    assert result.outcome is Outcome.IMPORTED, result.reason
    assert "旧证书" in result.reason and "核实" in result.reason  # its signing time is the signer's own word
    # … one the old key signs after the change is not
    later = desks[YANTA]
    later.ws.reports.revise(YANTA, "2025-10")
    a_little_later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)  # signing times are kept to the second
    signed_after = later.sign("2025-10", tmp_path / "after", edit="换证之后用旧证书签署", now=a_little_later)
    result = city.city.import_files([signed_after[".xlsx"]], today=TODAY)[0]
    assert result.outcome is Outcome.REFUSED and "更换证书" in result.reason


def test_a_return_signed_400_days_after_the_receiving_clock_is_refused_with_both_times(tmp_path, made, city):
    """A unit PC whose clock runs 400 days ahead signs a return dated 2028; the office's clock says otherwise."""
    desks, _, _, _ = made
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    files = desks[KEJI].sign("2025-08", tmp_path / "ahead", now=ahead)  # a period no other test signs
    before = dump(city)
    result = city.city.import_files([files[".xlsx"]], today=TODAY)[0]
    assert result.outcome is Outcome.REFUSED, result.reason
    local = ahead.astimezone()
    assert f"签署时间 {local.year}-{local.month:02d}-{local.day:02d}" in result.reason
    assert "晚于本机时间" in result.reason and "允许误差 1 天" in result.reason
    assert dump(city) == before
    # within the tolerance (a clock some hours ahead) the return is received
    from ipdesk.exchange.importing import examine

    context = dataclasses.replace(city.city._context(TODAY), clock=ahead - dt.timedelta(hours=20))
    assert not hasattr(examine(files[".xlsx"], context), "outcome")


def _resigned(source: Path, target: Path, key, change) -> Path:
    """``source`` with its return changed by ``change`` (a dict edit) and signed again, return and view, with
    ``key``: a file the unit's own key really signed."""
    import base64

    from ipdesk.domain.signed_text import canonical_json, text_sha256
    from ipdesk.signing import signatures
    from ipdesk.signing.workbook import CHUNK, SHEET

    book = load_workbook(source)
    sheet = book[SHEET]
    values: dict[str, str] = {}
    for key_cell, value in sheet.iter_rows(max_col=2, values_only=True):
        values[str(key_cell)] = values.get(str(key_cell), "") + str(value or "")
    document = json.loads(values["return"])
    change(document)
    text = canonical_json(document).replace('"__INFINITY__"', "Infinity")  # JSON has no such number
    view = json.loads(values["view"])
    view["return_sha256"] = text_sha256(text)
    view_text = canonical_json(view)
    sign = lambda t: base64.b64encode(signatures.sign(key, t.encode("utf-8"))).decode("ascii")  # noqa: E731
    rows = [("format", values["format"]), ("certificate", values["certificate"])]
    rows += [("return", text[i : i + CHUNK]) for i in range(0, len(text), CHUNK)]
    rows += [("return_sha256", text_sha256(text)), ("return_signature", sign(text))]
    rows += [("view", view_text[i : i + CHUNK]) for i in range(0, len(view_text), CHUNK)]
    rows += [("view_sha256", text_sha256(view_text)), ("view_signature", sign(view_text))]
    sheet.delete_rows(1, sheet.max_row)
    for number, (name, value) in enumerate(rows, 1):
        sheet.cell(number, 1, name)
        sheet.cell(number, 2, value).data_type = "s"
    book.save(target)
    return target


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda d: d.update(version=0), "版本号 0 不在 1–9999 之内"),
        (lambda d: d.update(version=2**63), "版本号 9223372036854775808 不在 1–9999 之内"),
        (lambda d: d["tasks"][0].update(achievements="进展\x00隐藏"), "第 3 个字符是控制字符（U+0000）"),
        (lambda d: d["tasks"][0].update(percent="__INFINITY__"), "非数字的数值（Infinity）"),
        (lambda d: d["tasks"][0].update(percent=250), "完成进度 250 不在 0–100 之内"),
        (lambda d: d.update(signed_at="2025-13-45T00:00:00"), "无法识别"),
        (lambda d: d["period"].update(code="2025Q9"), "报送期“2025Q9”无法识别"),
        (lambda d: d["plan"].update(code="xian\n2022"), "方案代码“xian\n2022”中有不能用于代码的字符“U+000A”"),
        (lambda d: d["unit"].update(code=610100), "单位代码应为非空的文字"),
        (lambda d: d["lights"].update(green=1e300), "绿灯界限 1e+300 不在 -1000–1000 之内"),
        (lambda d: d["tasks"][0].update(achievements="进" * 20_001), "工作进展及成效过长（20001 个字符"),
    ],
    ids=[
        "version-0",
        "version-2**63",
        "nul",
        "infinity",
        "percent-250",
        "bad-date",
        "bad-period",
        "plan-code",
        "unit-code-type",
        "huge-threshold",
        "overlong",
    ],
)
def test_a_bad_field_in_a_signed_return_is_refused_alone_and_the_batch_goes_on(tmp_path, made, city, change, said):
    """Signed with the unit's own key, so only validating every field as data catches it; the good file in the
    same batch is imported, and the refusal never says to try again later."""
    desks, files, _, _ = made
    key = desks[YANTA].ws.signoff.keys.unlock(YANTA, PASS).key
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    bad = _resigned(files[(YANTA, "2025-10", 1)][".xlsx"], inbox / "a-bad.xlsx", key, change)
    good = copy(files[(BEILIN, "2025-09", 1)][".xlsx"], inbox, "b-good.xlsx")
    results = {Path(r.file).name: r for r in city.city.import_files([inbox], today=TODAY)}
    assert results[good.name].outcome is Outcome.IMPORTED, results[good.name].reason
    refused = results[bad.name]
    assert refused.outcome is Outcome.REFUSED and said in refused.reason, refused.reason
    assert "稍后重试" not in refused.reason
    assert city.city.received(YANTA, "2025-10") is None


# -- importing --------------------------------------------------------------------------------------------------
def test_import_a_folder_then_again_changes_nothing(tmp_path, made, city):
    _, files, _, _ = made
    inbox = tmp_path / "inbox"
    for key in ((BEILIN, "2025-10", 1), (YANTA, "2025-10", 1), (KEJI, "2025-10", 1)):
        for suffix in (".xlsx", ".p7s", ".pdf"):
            copy(files[key][suffix], inbox / key[0])
    results = city.city.import_files([inbox], today=TODAY)
    outcomes = sorted((Path(r.file).suffix, r.outcome) for r in results)
    assert outcomes == [(".pdf", Outcome.IMPORTED)] * 3 + [(".xlsx", Outcome.DUPLICATE)] * 3
    item = city.city.received(BEILIN, "2025-10")
    assert (item.version, item.status, item.signed_by) == (1, ReportStatus.SIGNED, "李强")
    assert set(city.city.files(BEILIN, "2025-10")) == {"xlsx", "p7s", "pdf"}
    for kind, (name, content) in city.city.files(BEILIN, "2025-10").items():
        original = {"xlsx": ".xlsx", "p7s": ".p7s", "pdf": ".pdf"}[kind]
        assert content == files[(BEILIN, "2025-10", 1)][original].read_bytes() and name.endswith(original)
    before = dump(city)
    again = city.city.import_files([inbox], today=TODAY)
    assert {r.outcome for r in again} == {Outcome.DUPLICATE}
    assert dump(city) == before
    assert city.backups is not None and any(city.backups.folder.rglob("*import*"))


def test_newer_versions_supersede_and_older_ones_are_history(tmp_path, made, city):
    _, files, _, _ = made
    v1, v2 = files[(BEILIN, "2025-10", 1)][".xlsx"], files[(BEILIN, "2025-10", 2)][".xlsx"]
    first = city.city.import_files([v2], today=TODAY)[0]
    assert (first.outcome, first.version) == (Outcome.IMPORTED, 2)
    late = city.city.import_files([v1], today=TODAY)[0]
    assert late.outcome is Outcome.HISTORY and "v2" in late.reason
    assert city.city.received(BEILIN, "2025-10").version == 2
    assert [v.version for v in city.city.versions(BEILIN, "2025-10")] == [1, 2]


def test_v2_after_v1_supersedes_it(made, city):
    _, files, _, _ = made
    city.city.import_files([files[(BEILIN, "2025-10", 1)][".pdf"]], today=TODAY)
    result = city.city.import_files([files[(BEILIN, "2025-10", 2)][".pdf"]], today=TODAY)[0]
    assert result.outcome is Outcome.IMPORTED and "取代 v1" in result.reason
    snapshot = city.city.snapshot(BEILIN, "2025-10")
    assert any(t.achievements == "第二版：补充了十月的会议纪要" for t in snapshot.tasks)


def _forge(desk: UnitDesk, source: str, folder: Path, **header_changes) -> Path:
    """A workbook validly signed with the unit's key whose return says something ipdesk would never write."""
    from cryptography.hazmat.primitives import serialization

    from ipdesk.signing import signatures
    from ipdesk.signing.workbook import SignedReturn, write_signed_workbook

    ws = desk.ws
    snapshot = ws.reports.snapshot(desk.unit, source)
    identity = ws.signoff.keys.unlock(desk.unit, PASS)
    snapshot = dataclasses.replace(
        snapshot,
        header=dataclasses.replace(
            snapshot.header,
            status="signed",
            signed_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            signed_by="李强",
            fingerprint=identity.fingerprint,
            **header_changes,
        ),
    )
    text = snapshot.canonical_json()
    payload = SignedReturn(
        text,
        hashlib.sha256(text.encode()).hexdigest(),
        signatures.sign(identity.key, text.encode()),
        identity.certificate.public_bytes(serialization.Encoding.PEM),
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"forged-{len(list(folder.iterdir()))}.xlsx"
    write_signed_workbook(snapshot, path, payload, identity)
    return path


def test_refused_files_say_why_and_change_nothing(tmp_path, made, city):
    desks, files, _, _ = made
    good = files[(BEILIN, "2025-10", 1)]
    bad = tmp_path / "bad"
    tampered = copy(good[".xlsx"], bad, "tampered.xlsx")
    book = load_workbook(tampered)
    sheet = book["任务进展情况"]
    cell = next(c for row in sheet.iter_rows(min_row=5) for c in row if c.value == "推进中")
    cell.value = "已完成"
    book.save(tampered)
    draft_folder = bad / "draft"
    draft_folder.mkdir(parents=True)
    desks[KEJI].ws.progress.save(
        desks[KEJI].ws.progress.for_unit(KEJI, "2025-11")[0].progress.with_changes(achievements="草稿")
    )
    (draft,) = desks[KEJI].ws.reports.export(KEJI, "2025-11", draft_folder, ("xlsx",))
    stranger = UnitDesk(tmp_path / "stranger", "莲湖区人民政府")  # its certificate was never registered
    unknown = stranger.sign("2025-10", tmp_path / "stranger-out")[".pdf"]
    other_plan = _forge(desks[BEILIN], "2025-10", bad, plan_code="shenzhen-2026-2030", version=7)
    changed_plan = _forge(desks[BEILIN], "2025-10", bad, plan_sha256="0" * 64, version=8)
    sample = _forge(desks[BEILIN], "2025-10", bad, sample=True, version=9)
    wrong_code = _forge(desks[BEILIN], "2025-10", bad, unit_codes=("610104",), version=10)
    future = _forge(desks[BEILIN], "2025-10", bad, period="2025-12", period_name="2025年12月", version=1)
    after_plan = _forge(desks[BEILIN], "2025-10", bad, period="2027-01", period_name="2027年1月", version=1)
    truncated = bad / "truncated.pdf"
    truncated.write_bytes(good[".pdf"].read_bytes()[:5000])
    oversized = bad / "huge.pdf"
    with oversized.open("wb") as handle:
        handle.truncate(60 * 1024 * 1024)
    text = bad / "说明.pdf"
    text.write_bytes(b"%PDF-1.4\n not really")
    lone_p7s = copy(good[".p7s"], bad / "p7s")
    notes = bad / "notes.txt"
    notes.write_text("会议通知", encoding="utf-8")
    cases = {
        tampered: "已被修改",
        draft: "草稿",
        unknown: "签名人未知",
        other_plan: "另一个方案",
        changed_plan: "方案内容",
        sample: "示例数据",
        wrong_code: "单位代码",
        future: "尚未开始",
        after_plan: "不在方案实施期内",
        truncated: "",
        oversized: "过大",
        text: "",
        lone_p7s: ".xlsx",
        notes: "不是报送文件",
        tmp_path / "missing.xlsx": "找不到",
    }
    city.city.import_files([files[(YANTA, "2025-10", 1)][".xlsx"]], today=TODAY)  # something already there
    before = dump(city)
    results = {Path(r.file): r for r in city.city.import_files(list(cases), today=TODAY)}
    assert dump(city) == before
    for path, words in cases.items():
        result = results[path]
        assert result.outcome is Outcome.REFUSED, (path.name, result)
        assert words in result.reason, (path.name, result.reason)
    assert results[tampered].unit == BEILIN and "任务进展情况!" in results[tampered].reason
    stranger.ws.close()


def test_the_same_version_with_other_content_is_a_conflict(tmp_path, made, city):
    desks, files, _, _ = made
    city.city.import_files([files[(BEILIN, "2025-09", 1)][".xlsx"]], today=TODAY)
    other = _forge(desks[BEILIN], "2025-09", tmp_path / "conflict", period="2025-09", period_name="2025年9月")
    before = dump(city)
    result = city.city.import_files([other], today=TODAY)[0]
    assert result.outcome is Outcome.REFUSED and "冲突" in result.reason
    assert dump(city) == before


def test_a_unit_workspace_is_not_a_city_workspace(made):
    desks, files, _, _ = made
    with pytest.raises(InvalidInput) as error:
        desks[BEILIN].ws.city.import_files([files[(YANTA, "2025-10", 1)][".xlsx"]])
    assert "填报工作区" in str(error.value)


# -- who has reported ---------------------------------------------------------------------------------------------
def test_the_matrix_counts_what_was_received(made, city):
    _, files, _, _ = made
    city.city.import_files([files[(BEILIN, "2025-10", 1)][".xlsx"], files[(YANTA, "2025-09", 1)][".xlsx"]], today=TODAY)
    matrix = city.city.matrix(today=TODAY)
    assert matrix.periods[0].code == "2022-07" and matrix.periods[-1].code == "2025-11"
    assert len(matrix.units) == 43 and len(matrix.periods) == 41
    october = matrix.counts("2025-10")
    assert october[UnitState.PENDING] == 1 and october[UnitState.OVERDUE] == 42
    assert matrix.cell(YANTA, "2025-09").state is UnitState.PENDING
    assert matrix.cell(YANTA, "2025-10").state is UnitState.OVERDUE
    assert matrix.cell(YANTA, "2025-11").state is UnitState.NOT_DUE  # due on 5 December
    beilin = matrix.cell(BEILIN, "2025-10")
    assert beilin.returns[0].latest.version == 1 and beilin.returns[0].deadline == dt.date(2025, 11, 5)
    assert beilin.returns[0].on_time is False and beilin.late == 1  # received after the 5th: reported, but late
    assert beilin.text.startswith("待审 逾期") and beilin.text.endswith("天")  # received now, signed now
    assert matrix.on_time("2025-10") == (0, 1)
    districts = city.city.matrix(unit_group="区县", today=TODAY)
    assert len(districts.units) == 13 and all(u.kind.group == "区县" for u in districts.units)
    city.city.set_collecting_from("2025-09")  # began collecting with ipdesk in September 2025
    later = city.city.matrix(today=TODAY)
    assert [p.code for p in later.periods] == ["2025-09", "2025-10", "2025-11"]
    with pytest.raises(InvalidInput):
        city.city.set_collecting_from("2021-01")
    city.city.set_collecting_from(None)
    city.settings.set("report_kind", "quarter")
    quarters = city.city.matrix(today=dt.date(2026, 11, 25))
    assert [p.code for p in quarters.periods][-1] == "2025Q4" and len(quarters.periods) == 14


def test_status_remind_and_the_reminder_workbook(tmp_path, made, city):
    _, files, _, _ = made
    city.city.import_files([files[(YANTA, "2025-09", 1)][".xlsx"]], today=TODAY)
    city.city.import_files([files[(BEILIN, "2025-10", 1)][".xlsx"]], today=TODAY)
    city.city.return_to_unit(BEILIN, "2025-10", "请核实", None, tmp_path / "fb", CITY_PASS, "张主任", create=True)
    items = city.city.reminders("2025-10", today=TODAY)
    assert len(items) == 43
    assert items[0].unit == BEILIN and items[0].state is UnitState.RETURNED
    yanta = next(r for r in items if r.unit == YANTA)
    assert (yanta.clerk, yanta.phone, yanta.last_period, yanta.days_late) == ("王芳", "029-8888", "2025年9月", 15)
    never = next(r for r in items if r.unit == KEJI)
    assert never.clerk == "" and never.last_period == ""
    path = city.city.write_reminders("2025-10", tmp_path / "催报" / "十月催报", today=TODAY)
    assert path.suffix == ".xlsx" and path.exists()
    sheet = load_workbook(path)["催报名单"]
    assert sheet["A1"].value == "2025年10月报送情况催报名单"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4, values_only=False)]
    assert rows[0][1] == BEILIN and rows[0][3] == "已退回"
    assert any(r[1] == YANTA and r[8] == "029-8888" and r[6] == 15 and r[4] == "2025年10月" for r in rows)
    with pytest.raises(InvalidInput):
        city.city.status("2021-12")


# -- review and the feedback round trip ------------------------------------------------------------------------
def test_review_shows_the_return_and_what_changed(made, city):
    _, files, _, _ = made
    city.city.import_files(
        [files[(BEILIN, "2025-09", 1)][".xlsx"], files[(BEILIN, "2025-10", 1)][".xlsx"]], today=TODAY
    )
    snapshot = city.city.snapshot(BEILIN, "2025-10")
    assert snapshot.header.units == (BEILIN,) and snapshot.header.period == "2025-10"
    previous = city.city.snapshot(BEILIN, "2025-09")
    changes = city.city.changes(BEILIN, "2025-10")
    assert set(changes) == {t.seq for t in snapshot.tasks}
    for task in snapshot.tasks:
        old = next(t for t in previous.tasks if t.seq == task.seq)
        if task.status != old.status:
            assert any(c.startswith("状态：") for c in changes[task.seq])
        if (task.status, task.percent, task.achievements) == (old.status, old.percent, old.achievements):
            assert "进度" not in "".join(changes[task.seq])
    city.city.import_files([files[(YANTA, "2025-10", 1)][".xlsx"]], today=TODAY)
    assert {tuple(c) for c in city.city.changes(YANTA, "2025-10").values()} == {("上期无报送，无法比较",)}
    # v2 of the same period is compared with v1, not with the month before
    city.city.import_files([files[(BEILIN, "2025-10", 2)][".xlsx"]], today=TODAY)
    assert city.city.compared_with(BEILIN, "2025-10") == "v1"
    v1, v2 = city.city.snapshot(BEILIN, "2025-10", 1), city.city.snapshot(BEILIN, "2025-10")
    edited = [t.seq for t in v2.tasks if t.achievements != next(o for o in v1.tasks if o.seq == t.seq).achievements]
    assert len(edited) == 1 and "第二版" in next(t for t in v2.tasks if t.seq == edited[0]).achievements
    changes = city.city.changes(BEILIN, "2025-10")
    assert changes[edited[0]] == ["工作进展已更新"]
    assert all(changes[t.seq] == ["与v1相同"] for t in v2.tasks if t.seq != edited[0])


def test_accept_and_refused_decisions(made, city):
    _, files, _, _ = made
    with pytest.raises(InvalidInput) as error:
        city.city.accept(BEILIN, "2025-10")
    assert "尚未收到" in str(error.value)
    city.city.import_files([files[(BEILIN, "2025-10", 1)][".xlsx"]], today=TODAY)
    assert city.city.accept(BEILIN, "2025-10").status is ReportStatus.ACCEPTED
    with pytest.raises(InvalidInput) as error:
        city.city.accept(BEILIN, "2025-10")
    assert "已经接收" in str(error.value)
    assert city.city.matrix(today=TODAY).cell(BEILIN, "2025-10").state is UnitState.ACCEPTED


def test_feedback_round_trip_from_city_to_unit_and_back(tmp_path, made, city):
    desks, files, _, _ = made
    desk = desks[KEJI]
    city.city.import_files([files[(KEJI, "2025-09", 1)][".xlsx"]], today=TODAY)
    seq = city.city.snapshot(KEJI, "2025-09").tasks[0].seq
    with pytest.raises(InvalidInput) as error:
        city.city.return_to_unit(KEJI, "2025-09", "", {}, tmp_path / "fb", CITY_PASS, "张主任", create=True)
    assert "意见" in str(error.value)
    with pytest.raises(InvalidInput) as error:
        city.city.return_to_unit(
            KEJI, "2025-09", "x", {999: "无此任务"}, tmp_path / "fb", CITY_PASS, "张主任", create=True
        )
    assert "999" in str(error.value)
    feedback = city.city.return_to_unit(
        KEJI,
        "2025-09",
        "请补充佐证材料",
        {seq: "进度与序时不符，请说明"},
        tmp_path / "fb",
        CITY_PASS,
        "张主任",
        create=True,
    )
    assert feedback.name == "市科技局_2025-09_v1_退回意见.json"
    envelope = json.loads(feedback.read_text(encoding="utf-8"))
    assert envelope["format"] == "ipdesk-signed-feedback" and "请补充佐证材料" in envelope["document"]
    assert city.city.received(KEJI, "2025-09").status is ReportStatus.RETURNED
    assert [(c.task_seq, c.comment) for c in city.city.comments(KEJI, "2025-09")] == [
        (None, "请补充佐证材料"),
        (seq, "进度与序时不符，请说明"),
    ]

    # the unit cannot take it before registering the office's certificate
    with pytest.raises(InvalidInput) as error:
        desk.ws.feedback.import_file(feedback)
    assert "未在本工作区登记" in str(error.value)
    city_cer = city.signoff.keys.export_certificate(city.city.name, tmp_path / "city.cer")
    desk.ws.trust.add(city_cer)
    assert desk.ws.kind == "unit"

    # a feedback file changed after signing is refused
    forged = tmp_path / "forged.json"
    forged.write_text(
        feedback.read_text(encoding="utf-8").replace("请补充佐证材料", "已接收，无需修改"), encoding="utf-8"
    )
    with pytest.raises(InvalidInput) as error:
        desk.ws.feedback.import_file(forged)
    assert "改动" in str(error.value)

    result = desk.ws.feedback.import_file(feedback)
    assert result.imported and result.returned_version == 1 and result.state.version == 2
    assert [(v.version, v.status) for v in desk.ws.reports.versions(KEJI, "2025-09")] == [
        (1, ReportStatus.RETURNED),
        (2, ReportStatus.DRAFT),
    ]
    open_comments = desk.ws.reports.comments(KEJI, "2025-09")
    assert [(c.task_seq, c.answered) for c in open_comments] == [(None, False), (seq, False)]
    assert not desk.ws.feedback.import_file(feedback).imported  # the same file again changes nothing

    # the unit edits the task: the comment stays open until the clerk marks it 已处理, with what was done
    progress = desk.ws.progress.get(seq, KEJI, "2025-09")
    desk.ws.progress.save(progress.with_changes(problems="专家评审推迟，已补充说明"))
    assert [c.answered for c in desk.ws.reports.comments(KEJI, "2025-09")] == [False, False]
    task_comment = desk.ws.reports.comments(KEJI, "2025-09")[1]
    assert task_comment.id is not None
    desk.ws.reports.mark_comment(KEJI, "2025-09", task_comment.id, "  已在存在问题中说明  ")
    assert [(c.answered, c.answer) for c in desk.ws.reports.comments(KEJI, "2025-09")] == [
        (False, ""),
        (True, "已在存在问题中说明"),
    ]
    trail = [e for e in desk.ws.audit.entries() if e.entity == "return_comment" and e.field == "answer"]
    assert trail and trail[-1].new_value == "已在存在问题中说明"
    v2 = desk.sign("2025-09", tmp_path / "v2")
    assert [c.answered for c in desk.ws.reports.comments(KEJI, "2025-09")] == [False, True]  # submit handles none
    with pytest.raises(InvalidInput):  # a signed version's answers are what was sent
        desk.ws.reports.mark_comment(KEJI, "2025-09", task_comment.id, "改写", handled=True)
    result = city.city.import_files([v2[".xlsx"]], today=TODAY)[0]
    assert result.outcome is Outcome.IMPORTED and result.version == 2
    assert city.city.matrix(today=TODAY).cell(KEJI, "2025-09").state is UnitState.PENDING
    changes = city.city.snapshot(KEJI, "2025-09")
    assert next(t for t in changes.tasks if t.seq == seq).problems == "专家评审推迟，已补充说明"
    # the return of v2 carries how each comment of the 退回 of v1 was handled (format 2.1's "answers")
    assert [(a.returned_version, a.task_seq, a.handled, a.answer) for a in changes.answers] == [
        (1, None, False, ""),
        (1, seq, True, "已在存在问题中说明"),
    ]
    # the comment on the whole return was signed unhandled: a 提醒, so accept --all-valid leaves it for review
    assert city.city.review_notes(KEJI, "2025-09") == ["上次退回的意见有 1 条该单位未标记已处理"]
    assert "上次退回的意见有 1 条该单位未标记已处理" in city.city.reminders_of(KEJI, "2025-09")
    assert KEJI not in city.city.accept_all_valid("2025-09")[0]


def test_cli_city_month(tmp_path, made, capsys):
    from ipdesk.cli import main

    _, files, certificates, _ = made
    db = str(tmp_path / "city.db")
    secret = tmp_path / "pass.txt"
    secret.write_text(CITY_PASS, encoding="utf-8")
    assert main(["--db", db, "trust", "add", str(certificates[BEILIN]), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["holder"] == BEILIN
    inbox = tmp_path / "inbox"
    copy(files[(BEILIN, "2025-09", 1)][".xlsx"], inbox)
    copy(files[(YANTA, "2025-09", 1)][".xlsx"], inbox)
    assert main(["--db", db, "city", "import", str(inbox), "--json"]) == 1  # 雁塔区 is not registered
    results = json.loads(capsys.readouterr().out)
    assert [set(r) for r in results] == [{"file", "outcome", "reason", "unit", "period", "version"}] * 2
    assert sorted(r["outcome"] for r in results) == ["已导入", "拒绝"]
    assert main(["--db", db, "city", "status", "--period", "2025-09", "--json"]) == 0
    rows = {r["unit"]: r for r in json.loads(capsys.readouterr().out)}
    assert {"unit", "state", "version", "signed_at", "received_at"} <= set(rows[BEILIN])
    assert rows[BEILIN]["state"] == "待审" and rows[YANTA]["state"] in ("逾期", "未报")
    command = ["--db", db, "city", "return", "--unit", "碑林区", "--period", "2025-09", "--comment", "请核实"]
    command += [
        "--task",
        "47",
        "--comment",
        "附会议纪要",
        "--out",
        str(tmp_path / "fb"),
        "--passphrase-file",
        str(secret),
    ]
    assert main([*command, "--reviewer", "张主任", "--json"]) == 0
    returned = json.loads(capsys.readouterr().out)
    assert returned["status"] == "returned" and Path(returned["file"]).exists()
    assert main(["--db", db, "city", "remind", "--period", "2025-09", "--out", str(tmp_path / "r.xlsx")]) == 0
    assert "催报名单" in capsys.readouterr().out
    assert main(["--db", db, "keys", "export-cert", "--out", str(tmp_path / "city.cer")]) == 0
    assert "西安市知识产权强市建设工作领导小组办公室" in capsys.readouterr().out
    assert main(["--db", db, "trust", "list", "--json"]) == 0
    assert [t["holder"] for t in json.loads(capsys.readouterr().out)] == [BEILIN]
    dangling = ["city", "return", "--unit", "碑林区", "--period", "2025-09", "--task", "47", "--out", str(tmp_path)]
    assert main(["--db", db, *dangling]) == 2
    assert "--comment" in capsys.readouterr().err


def test_a_release_1_return_is_read_without_a_crash(tmp_path):
    """Format-1 files (ipdesk 0.1): the PDF carries no return data, the workbook is sample data; each says why."""
    from .conftest import FIXTURES

    ws = Workspace(tmp_path / "city.db")
    ws.trust.add(FIXTURES / "format1" / "碑林区.cer")
    results = {Path(r.file).suffix: r for r in ws.city.import_files([FIXTURES / "format1"], today=TODAY)}
    assert set(results) == {".pdf", ".xlsx"}
    assert results[".pdf"].outcome is Outcome.REFUSED and "格式1" in results[".pdf"].reason
    assert results[".xlsx"].outcome is Outcome.REFUSED and "示例数据" in results[".xlsx"].reason
    ws.close()


def test_the_day_received_decides_whether_a_return_came_on_time(tmp_path, city):
    """A return signed on 2 October and handed in on a USB stick on the 3rd is on time, though imported on the 20th."""
    unit = "莲湖区人民政府"
    desk = UnitDesk(tmp_path / unit, unit)
    desk.create_key(now=dt.datetime(2025, 9, 1, tzinfo=dt.UTC))
    signed_on = dt.datetime(2025, 10, 2, 9, 0, tzinfo=dt.UTC)
    files = desk.sign("2025-09", tmp_path / "out", now=signed_on)
    city.trust.add(desk.certificate())
    with pytest.raises(InvalidInput):  # not a day in the future
        city.city.import_files([files[".xlsx"]], today=TODAY, received_on=dt.date(2025, 11, 25))
    result = city.city.import_files([files[".xlsx"]], today=TODAY, received_on=dt.date(2025, 10, 3))[0]
    assert result.outcome is Outcome.IMPORTED
    cell = city.city.matrix(today=TODAY).cell(unit, "2025-09")
    assert cell.returns[0].first_received == dt.date(2025, 10, 3) and cell.returns[0].on_time is True
    late = UnitDesk(tmp_path / "late", "灞桥区人民政府")
    late.create_key(now=dt.datetime(2025, 9, 1, tzinfo=dt.UTC))
    city.trust.add(late.certificate())
    city.city.import_files([late.sign("2025-09", tmp_path / "late-out", now=signed_on)[".xlsx"]], today=TODAY)
    assert city.city.matrix(today=TODAY).cell("灞桥区人民政府", "2025-09").late == 1  # received the 20th
    desk.ws.close()
    late.ws.close()


def test_received_files_are_opened_from_one_folder_per_version(tmp_path, made, city):
    _, files, _, _ = made
    city.city.import_files([files[(BEILIN, "2025-09", 1)][".xlsx"], files[(BEILIN, "2025-09", 1)][".pdf"]], today=TODAY)
    first = city.city.copies_to_open(BEILIN, "2025-09")
    assert {p.suffix for p in first} == {".xlsx", ".pdf", ".p7s"}  # the .p7s found beside the workbook
    assert all(p.parent == tmp_path / "received-copies" / f"{BEILIN}_2025-09_v1" for p in first)
    kept = {p: p.stat().st_mtime_ns for p in first}
    assert city.city.copies_to_open(BEILIN, "2025-09") == first  # reused, not written again …
    assert {p: p.stat().st_mtime_ns for p in first} == kept
    pdf = next(p for p in first if p.suffix == ".pdf")
    pdf.write_bytes(b"changed on disk")  # … unless the copy is no longer what was received
    city.city.copies_to_open(BEILIN, "2025-09")
    assert pdf.read_bytes() == city.city.files(BEILIN, "2025-09")["pdf"][1]


def test_feedback_signed_by_a_replaced_office_key_after_the_replacement_is_refused(tmp_path, made, city):
    """The unit registered the office's new certificate; the old key still signs a feedback file afterwards."""
    desks, files, _, _ = made
    desk = desks[YANTA]
    city.city.import_files([files[(YANTA, "2025-09", 1)][".xlsx"]], today=TODAY)
    city.city.create_identity(CITY_PASS, "张主任")
    old_certificate = city.signoff.keys.export_certificate(city.city.name, tmp_path / "old.cer")
    desk.ws.trust.add(old_certificate)
    new = KeyStore(tmp_path / "new-office-keys").create(city.city.name, "新主任", CITY_PASS)
    (tmp_path / "new.cer").write_bytes(new.certificate.public_bytes(serialization.Encoding.PEM))
    desk.ws.trust.add(tmp_path / "new.cer", key_change_confirmed=True)
    try:
        feedback = city.city.return_to_unit(YANTA, "2025-09", "请补充", {}, tmp_path / "fb", CITY_PASS, "张主任")
        before = dump(desk.ws)
        with pytest.raises(InvalidInput, match=r"更换证书.*退回意见文件由更换前的旧证书在更换后签署"):
            desk.ws.feedback.import_file(feedback)
        assert dump(desk.ws) == before
    finally:
        for record in desk.ws.trust.all():
            if record.kind == "city":
                desk.ws.trust.remove(record.fingerprint)


def test_the_signed_feedback_is_kept_and_can_be_written_again(tmp_path, made, city):
    _, files, _, _ = made
    city.city.import_files([files[(BEILIN, "2025-09", 1)][".xlsx"]], today=TODAY)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(InvalidInput) as error:
        city.city.return_to_unit(BEILIN, "2025-09", "请补充", None, blocked / "sub", CITY_PASS, "张主任", create=True)
    assert "已退回" in str(error.value) and "重新写出" in str(error.value)
    assert city.city.received(BEILIN, "2025-09").status is ReportStatus.RETURNED  # the decision stands
    again = city.city.write_feedback(BEILIN, "2025-09", tmp_path / "again")
    once_more = city.city.write_feedback(BEILIN, "2025-09", tmp_path / "once-more")
    assert again.read_bytes() == once_more.read_bytes() and json.loads(again.read_text(encoding="utf-8"))["signature"]
    with pytest.raises(InvalidInput):
        city.city.write_feedback(YANTA, "2025-09", tmp_path)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_every_return_writes_a_printable_letter_that_names_the_signed_files_fingerprint(tmp_path, made, city):
    _, files, _, _ = made
    city.city.import_files([files[(KEJI, "2025-09", 1)][".xlsx"]], today=TODAY)
    tasks = city.city.snapshot(KEJI, "2025-09").tasks
    first, second = tasks[0], tasks[1]
    comments = {first.seq: "进度与序时不符，请说明原因并补充会议纪要", second.seq: "佐证材料缺少验收报告"}
    feedback = city.city.return_to_unit(
        KEJI, "2025-09", "请补充佐证材料，核实进度", comments, tmp_path / "fb", CITY_PASS, "张主任", create=True
    )
    letter = feedback.with_suffix(".pdf")
    assert letter.name == "市科技局_2025-09_v1_退回意见.pdf" == city.city.letter_name(KEJI, "2025-09")
    keep_for_review(letter, "feedback-letter")
    info = subprocess.run(["pdfinfo", str(letter)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\n", info)
    text = subprocess.run(["pdftotext", str(letter), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    sha = hashlib.sha256(feedback.read_bytes()).hexdigest()
    assert sha in flat  # the paper names the very file the unit receives
    assert "市科技局" in flat and "2025年9月" in flat and "第1版" in flat and city.city.name in flat
    assert "请补充佐证材料，核实进度" in flat and "经办人：张主任" in flat
    for task, comment in ((first, comments[first.seq]), (second, comments[second.seq])):
        assert f"第{task.seq}项任务“{task.name}”：{comment}" in flat
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", flat)
    # written again from the kept file: the same letter, the same fingerprint
    again = city.city.write_feedback(KEJI, "2025-09", tmp_path / "again")
    retext = subprocess.run(["pdftotext", str(again.with_suffix(".pdf")), "-"], capture_output=True, text=True).stdout
    assert re.sub(r"\s+", "", retext) == flat


def test_feedback_for_a_version_the_unit_has_already_revised(tmp_path, made, city):
    desks, files, _, _ = made
    desk = desks[YANTA]
    city.city.import_files([files[(YANTA, "2025-09", 1)][".xlsx"]], today=TODAY)
    feedback = city.city.return_to_unit(YANTA, "2025-09", "数据有误", None, tmp_path, CITY_PASS, "张主任", create=True)
    desk.ws.trust.add(city.signoff.keys.export_certificate(city.city.name, tmp_path / "city.cer"))
    assert desk.ws.reports.revise(YANTA, "2025-09") == 2  # the unit had begun v2 before the feedback came
    result = desk.ws.feedback.import_file(feedback)
    assert result.imported and result.returned_version == 1 and result.state.version == 2
    assert [(v.version, v.status) for v in desk.ws.reports.versions(YANTA, "2025-09")] == [
        (1, ReportStatus.RETURNED),
        (2, ReportStatus.DRAFT),
    ]
    assert [c.comment for c in desk.ws.reports.comments(YANTA, "2025-09")] == ["数据有误"]

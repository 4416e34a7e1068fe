"""The report life cycle: every edge of the transition table, allowed and refused, in the domain and through the
workspace; 退回 that opens the next version; signed versions that never change; and a workspace of release 0.1
brought up to date with its signed return intact."""

from __future__ import annotations

import itertools
import shutil
import sqlite3

import pytest

from ipdesk import Workspace
from ipdesk.domain import InvalidInput
from ipdesk.domain.reports import TRANSITIONS, ReportAction, ReportStatus, next_status, person_name
from ipdesk.signing.verify import VerdictStatus, verify_file
from ipdesk.workspace.sample_data import fill_sample

from .conftest import FIXTURES

UNIT, PERIOD, PASS = "碑林区人民政府", "2025Q3", "签署口令2025"


# -- the table itself ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "action"), list(itertools.product(ReportStatus, ReportAction)))
def test_every_edge_is_allowed_or_refused_with_a_reason(status, action):
    if (status, action) in TRANSITIONS:
        assert next_status(status, action) is TRANSITIONS[(status, action)]
        return
    with pytest.raises(InvalidInput) as error:
        next_status(status, action, "2025年第三季度的报告（v1）")
    message = str(error.value)
    assert message.startswith("2025年第三季度的报告（v1）") and message.endswith("未做任何改动")
    assert "已已" not in message


def test_the_table_says_what_the_design_says():
    allowed = {(s.value, a.value, t.value) for (s, a), t in TRANSITIONS.items()}
    assert allowed == {
        ("draft", "submit", "submitted"),
        ("submitted", "withdraw", "draft"),
        ("submitted", "sign", "signed"),
        ("signed", "accept", "accepted"),
        ("signed", "return", "returned"),
        ("accepted", "return", "returned"),
        ("signed", "revise", "signed"),
        ("accepted", "revise", "accepted"),
    }
    assert all(status.locked for (status, action) in TRANSITIONS if action.opens_new_version)
    assert not any(status.editable and status.locked for status in ReportStatus)


def test_a_signer_is_a_named_person():
    assert person_name("  李 强 ") == "李 强"
    for bad in ("", "   ", None, "x" * 41, "李强\x07", "a<b>"):
        with pytest.raises(InvalidInput):
            person_name(bad)


# -- through the workspace ----------------------------------------------------------------------------------------
@pytest.fixture
def ws(tmp_path):
    workspace = Workspace(tmp_path / "ws.db", actor="王芳")
    workspace.settings.update({"unit": UNIT, "clerk_name": "王芳", "reviewer_name": "李强"})
    fill_sample(workspace, UNIT, PERIOD)
    yield workspace
    workspace.close()


def _to(ws: Workspace, status: ReportStatus) -> None:
    """Bring the period's latest version to ``status`` along the allowed path."""
    if status is ReportStatus.DRAFT:
        return
    ws.reports.submit(UNIT, PERIOD)
    if status is ReportStatus.SUBMITTED:
        return
    ws.signoff.sign(UNIT, PERIOD, PASS, create=ws.signoff.identity(UNIT) is None)
    if status is ReportStatus.SIGNED:
        return
    if status is ReportStatus.ACCEPTED:
        ws.reports.accept(UNIT, PERIOD)
        return
    ws.reports.return_to_unit(UNIT, PERIOD, "请补充佐证材料")


def _do(ws: Workspace, action: ReportAction) -> None:
    if action is ReportAction.SUBMIT:
        ws.reports.submit(UNIT, PERIOD)
    elif action is ReportAction.WITHDRAW:
        ws.reports.withdraw(UNIT, PERIOD)
    elif action is ReportAction.SIGN:
        ws.signoff.sign(UNIT, PERIOD, PASS, create=True)
    elif action is ReportAction.ACCEPT:
        ws.reports.accept(UNIT, PERIOD)
    elif action is ReportAction.RETURN:
        ws.reports.return_to_unit(UNIT, PERIOD, "请补充佐证材料", {47: "进度与序时不符"})
    else:
        ws.reports.revise(UNIT, PERIOD)


# A returned version is always followed at once by a draft, so the latest version is never 已退回 in practice;
# the refusals on a returned version are covered by the domain test above.
REACHABLE = [ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.SIGNED, ReportStatus.ACCEPTED]


@pytest.mark.parametrize(("status", "action"), list(itertools.product(REACHABLE, ReportAction)))
def test_every_edge_through_the_workspace(ws, status, action):
    _to(ws, status)
    before = ws.reports.versions(UNIT, PERIOD)
    audit = len(ws.audit.entries())
    if (status, action) not in TRANSITIONS:
        with pytest.raises(InvalidInput) as error:
            _do(ws, action)
        assert "未做任何改动" in str(error.value)
        assert ws.reports.versions(UNIT, PERIOD) == before
        assert len(ws.audit.entries()) == audit
        return
    _do(ws, action)
    after = ws.reports.versions(UNIT, PERIOD)
    old_number = before[-1].version if before else 1
    assert next(v for v in after if v.version == old_number).status is TRANSITIONS[(status, action)]
    if action.opens_new_version:
        assert after[-1].version == old_number + 1 and after[-1].status is ReportStatus.DRAFT
    else:
        assert len(after) == max(len(before), 1)


def test_returned_then_corrected_then_signed_again(ws, tmp_path):
    _to(ws, ReportStatus.SIGNED)
    v1 = ws.signoff.signed(UNIT, PERIOD)
    state = ws.reports.return_to_unit(UNIT, PERIOD, "第47项进度偏高，请核实", {47: "请附会议纪要", 48: ""})
    assert (state.version, state.status) == (2, ReportStatus.DRAFT)
    assert [(v.version, v.status) for v in ws.reports.versions(UNIT, PERIOD)] == [
        (1, ReportStatus.RETURNED),
        (2, ReportStatus.DRAFT),
    ]
    comments = ws.reports.comments(UNIT, PERIOD)
    assert [(c.task_seq, c.comment) for c in comments] == [(None, "第47项进度偏高，请核实"), (47, "请附会议纪要")]
    # version 2 carries the content of version 1 and is edited; version 1 never changes
    signed_47 = next(t for t in v1.snapshot.tasks if t.seq == 47)
    assert ws.progress.get(47, UNIT, PERIOD).achievements == signed_47.achievements != ""
    ws.progress.save(ws.progress.get(47, UNIT, PERIOD).with_changes(achievements="已按意见补充会议纪要"))
    ws.reports.submit(UNIT, PERIOD)
    state = ws.signoff.sign(UNIT, PERIOD, PASS)
    assert (state.version, state.status) == (2, ReportStatus.SIGNED)
    again = ws.signoff.signed(UNIT, PERIOD, version=1)
    assert again.files == v1.files and again.snapshot == v1.snapshot
    assert ws.reports.versions(UNIT, PERIOD)[0].status is ReportStatus.RETURNED
    v2 = ws.signoff.signed(UNIT, PERIOD)
    assert any(t.achievements == "已按意见补充会议纪要" for t in v2.snapshot.tasks)
    out = tmp_path / "out"
    out.mkdir()
    for path in ws.reports.export(UNIT, PERIOD, out):
        verdict = verify_file(path, ws.signoff.trusted())
        assert verdict.valid and verdict.version == 2, (path, verdict.detail)


def test_returning_needs_a_comment(ws):
    _to(ws, ReportStatus.SIGNED)
    with pytest.raises(InvalidInput) as error:
        ws.reports.return_to_unit(UNIT, PERIOD, "  ", {47: ""})
    assert "意见" in str(error.value)
    assert ws.reports.status(UNIT, PERIOD) is ReportStatus.SIGNED


def test_editing_a_submitted_report_withdraws_it(ws):
    _to(ws, ReportStatus.SUBMITTED)
    ws.progress.save(ws.progress.get(47, UNIT, PERIOD).with_changes(next_steps="补充材料"))
    assert ws.reports.status(UNIT, PERIOD) is ReportStatus.DRAFT
    assert any(
        (e.entity, e.field, e.old_value, e.new_value) == ("report", "status", "submitted", "draft")
        for e in ws.audit.entries()
    )


def test_a_signed_version_cannot_be_changed_even_by_sql(ws):
    _to(ws, ReportStatus.SIGNED)
    conn = sqlite3.connect(ws.path)
    try:
        for statement in (
            "UPDATE report SET snapshot_json = '{}' WHERE version = 1",
            "UPDATE report SET status = 'draft' WHERE version = 1",
            "UPDATE report SET signed_by = '别人' WHERE version = 1",
            "DELETE FROM report WHERE version = 1",
            "UPDATE report_file SET content = x'00'",
            "DELETE FROM report_file",
        ):
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute(statement)
    finally:
        conn.close()
    assert ws.signoff.signed(UNIT, PERIOD) is not None


# -- a workspace of release 0.1 ----------------------------------------------------------------------------------
def test_a_release_1_workspace_keeps_its_signed_return(tmp_path):
    db = tmp_path / "old.db"
    shutil.copy(FIXTURES / "release1-signed.db", db)
    with Workspace(db) as ws:
        assert ws.units.get(UNIT).code == "610103"
        assert ws.units.get("市市场监管局(知识产权局)").code == "610100-D01"
        signed = ws.signoff.signed(UNIT, PERIOD)
        assert signed is not None and signed.signed_by == "root"
        assert signed.snapshot.tasks[0].role in ("lead", "coop")  # labels of format 1 read as codes
        out = tmp_path / "out"
        out.mkdir()
        paths = ws.reports.export(UNIT, PERIOD, out)
        originals = FIXTURES / "format1"
        for path in paths:
            assert path.read_bytes() == (originals / path.name).read_bytes()
        trusted = ws.signoff.trusted()
        assert all(verify_file(path, trusted).status is VerdictStatus.VALID for path in paths)
        assert ws.reports.status(UNIT, PERIOD) is ReportStatus.SIGNED
        ws.reports.revise(UNIT, PERIOD)
        assert ws.reports.state(UNIT, PERIOD).version == 2

"""校验规则: rules across figures, the unit's checks before submitting, the city's notes on a received return."""

from __future__ import annotations

import datetime as dt

import pytest

from ipdesk import Workspace
from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.progress import IndicatorValue
from ipdesk.domain.validation import Importance, ValidationRule, check_rules, parse_expression
from ipdesk.signing.identity import KeyStore
from tests.unit_desk import UnitDesk

SCJ = "市市场监管局(知识产权局)"


def test_expressions_are_parsed_not_evaluated():
    expression = parse_expression("（工程3.1 - 上期(指标8)）* 2 / 4")
    assert expression.references == [("target", (3, 1), "now"), ("indicator", (8,), "previous")]
    figures = {("target", (3, 1), "now"): 10.0, ("indicator", (8,), "previous"): 4.0}
    assert expression.value(figures.get) == 3.0
    assert expression.value({}.get) is None  # a missing value: nothing to compare
    for text in ("__import__('os')", "指标1 +", "上期(3)", ""):
        with pytest.raises(InvalidInput):
            parse_expression(text)


def test_a_rule_is_broken_held_or_skipped():
    rule = ValidationRule(1, "指标11", "≤", "100", "满意度不能超过100%", Importance.REQUIRED)
    assert rule.op == "<=" and rule.text == "指标11 ≤ 100"
    broken = rule.check({("indicator", (11,), "now"): 100.5}.get)
    assert broken is not None and broken.required
    assert broken.text == "【必须】满意度不能超过100%（指标11 = 100.5）"
    assert rule.check({("indicator", (11,), "now"): 100.0}.get) is None
    assert rule.check({}.get) is None  # skipped, as DHIS2 skips a rule with a value missing
    with pytest.raises(InvalidInput):
        ValidationRule(2, "指标1", "≈", "1", "x")
    with pytest.raises(InvalidInput):
        ValidationRule(2, "指标1", "<=", "1", "x", "紧急")  # type: ignore[arg-type]


def test_the_embedded_plan_ships_its_obvious_rules(plan):
    assert len(plan.rules) == 16
    required = [r for r in plan.rules if r.importance is Importance.REQUIRED]
    assert {r.left for r in required} == {"指标11", "指标13", "指标15", "工程2.2", "工程4.1"}
    assert "指标14" not in {r.left for r in required}  # 结收比 may exceed 100 %
    previous = {("indicator", (12,), "previous"): 500.0, ("indicator", (12,), "now"): 480.0}
    assert [v.rule.left for v in check_rules(plan.rules, previous.get)] == ["指标12"]


def test_the_unit_sees_violations_before_submitting(ws):
    """必须 stops 提交审核 with the rule's message; 提醒 does not, and is asked about once in the window."""
    from ipdesk.workspace.sample_data import fill_sample

    fill_sample(ws, SCJ, "2025-08", mark=False)
    fill_sample(ws, SCJ, "2025-09", mark=False)
    august = ws.indicator_values.get(12, SCJ, "2025-08").value
    ws.indicator_values.save(IndicatorValue(12, SCJ, ws.plan_period("2025-09"), august - 1))  # a stock that fell
    ws.indicator_values.save(IndicatorValue(11, SCJ, ws.plan_period("2025-09"), 101))  # a rate above 100
    violations = ws.reports.violations(SCJ, "2025-09")  # sample figures may break other 提醒 rules too
    assert [v.rule.left for v in violations if v.required] == ["指标11"] and violations[0].rule.left == "指标11"
    assert "指标12" in [v.rule.left for v in violations if not v.required]
    missing = ws.reports.missing(SCJ, "2025-09")
    assert [m.message for m in missing if m.kind == "indicator" and m.seq == 11] == [violations[0].text]
    with pytest.raises(InvalidInput) as error:
        ws.reports.submit(SCJ, "2025-09")
    assert "不能超过100%" in str(error.value)
    ws.indicator_values.save(IndicatorValue(11, SCJ, ws.plan_period("2025-09"), 93))
    assert "指标12" in [v.rule.left for v in ws.reports.rule_warnings(SCJ, "2025-09")]
    ws.reports.submit(SCJ, "2025-09")  # a 提醒 does not block


def test_the_city_sees_notes_at_import_and_in_the_review(tmp_path):
    desk = UnitDesk(tmp_path / "scj", SCJ)
    files = [desk.sign("2025-08", tmp_path / "out")[".xlsx"]]
    fill_sample_september = desk.ws.indicator_values.get(12, SCJ, "2025-08").value
    from ipdesk.workspace.sample_data import fill_sample

    fill_sample(desk.ws, SCJ, "2025-09", mark=False)
    desk.ws.indicator_values.save(IndicatorValue(12, SCJ, desk.ws.plan_period("2025-09"), fill_sample_september - 1))
    files.append(desk.sign("2025-09", tmp_path / "out")[".xlsx"])
    city = Workspace(tmp_path / "city.db", actor="张主任")
    city.signoff._keys = KeyStore(tmp_path / "city-keys")
    city.trust.add(desk.certificate())
    august, september = city.city.import_files(files, today=dt.date(2025, 10, 3))
    assert "校验" not in august.reason and not city.city.notes(SCJ, "2025-08").has_notes
    assert "校验发现" in september.reason and "【提醒】专利预审备案主体" in september.reason
    notes = city.city.notes(SCJ, "2025-09")
    assert notes.has_notes and "指标12" in [v.rule.left for v in notes.warnings] and notes.required == []
    # the unit saw the same 提醒 before it submitted: one set of rules, on both sides
    assert [v.text for v in desk.ws.reports.rule_warnings(SCJ, "2025-09")] == [v.text for v in notes.warnings]
    city.close()
    desk.ws.close()


def test_a_return_giving_a_linked_target_its_own_figure_has_a_consistency_note(plan):
    """Returns made before targets were linked may carry 1749 for 工程2's 技术合同成交额 beside 2036.8 for
    indicator 5: the city is told, and uses the indicator's."""
    from ipdesk.exchange.checks import return_notes
    from ipdesk.reports.snapshot import IndicatorLine, ReportHeader, ReportSnapshot, TargetLine

    keji = "市科技局"
    header = ReportHeader("", "", (keji,), "2025-09", "", "", 1, "signed", "")
    indicator = IndicatorLine(keji, 5, "全市技术合同成交额", "亿元", "lead", 1648, 2020, 2000, "=", 2025, "3.95%",
                              2000, 2036.8, 1.02, "green", "", "")  # fmt: skip
    target = TargetLine(keji, 2, "工程2", "全市技术合同成交额", 2000, ">", "亿元", "level", 1749, "", "", 3)
    notes = return_notes(plan, ReportSnapshot(header, indicators=(indicator,), targets=(target,)))
    assert notes.has_notes and notes.violations == ()
    assert notes.consistency == (
        "工程2“全市技术合同成交额”填报1749亿元，与同一数据的指标5（2036.8）不一致；汇总时采用指标的数值",
    )

"""年度考核: the weighted model, every point with its cause, 等次 with the 优秀 quota — by hand and by property."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.plan import Role, Unit, UnitKind
from ipdesk.exchange.scoring import Adjustment, ScoringRules, TaskMark, UnitYear, rank, score_unit, score_year

RULES = ScoringRules()
MONTHS = tuple(f"2025年{m}月" for m in range(1, 13))


def district(name: str) -> Unit:
    return Unit(name, UnitKind.DISTRICT, name)


def tasks(green: int = 0, yellow: int = 0, red: int = 0, lagging: int = 0, done: int = 0, role=Role.LEAD):
    marks, seq = [], 100
    for count, status, light in (
        (green, "in_progress", "green"),
        (yellow, "in_progress", "yellow"),
        (red, "in_progress", "red"),
        (lagging, "lagging", "red"),
        (done, "done", "green"),
    ):
        for _ in range(count):
            seq += 1
            marks.append(TaskMark(seq, role, True, status, light, evidence=status == "done"))
    return tuple(marks)


def test_a_unit_scored_by_hand():
    """10 returns on time and 2 late of 12; 6 lead tasks (2 done, 1 green, 1 yellow, 1 red, 1 滞后) and 2 cooperating
    green ones; two indicators at 120 % and 80 % of what is due; one of two done tasks with evidence, one return sent
    back; +2 for 创新工作."""
    marks = (
        *tasks(green=1, yellow=1, red=1, lagging=1),
        TaskMark(1, Role.LEAD, True, "done", "green", evidence=True),
        TaskMark(2, Role.LEAD, True, "done", "green", evidence=False),
        *tasks(green=2, role=Role.COOP),
    )
    year = UnitYear(
        district("碑林区"),
        True,
        due=MONTHS,
        on_time=MONTHS[:10],
        late=MONTHS[10:],
        tasks=marks,
        indicators=((5, "技术合同成交额", 1.2), (2, "海外专利年申请量", 0.8)),
        returned=("2025年3月v1",),
        adjustments=(Adjustment("碑林区", 2, "创新工作"),),
    )
    card = score_unit(year, RULES)
    report = 20 * (10 + 0.5 * 2) / 12
    task = 50 * (2 * (1 + 1 + 1 + 0.6 + 0.2 + 0) + 1 * 2) / (2 * 6 + 2)
    indicator = 20 * (1 + 0.8) / 2
    material = max(0, 0.5 * 10 - 2)
    assert card.parts["报送"] == pytest.approx(round(report, 2))
    assert card.parts["任务推进"] == pytest.approx(round(task, 2))
    assert card.parts["指标完成"] == pytest.approx(round(indicator, 2))
    assert card.parts["材料质量"] == pytest.approx(round(material, 2))
    assert card.total == pytest.approx(round(report, 2) + round(task, 2) + round(indicator, 2) + round(material, 2) + 2)
    causes = {item.cause: item for item in card.items}
    assert "逾期 2 期" in causes["报送"].detail and "2025年11月" in causes["报送"].detail
    assert "红灯 1 项" in causes["任务推进"].detail and "滞后 1 项" in causes["任务推进"].detail
    assert "指标5技术合同成交额" in causes["指标完成"].detail
    assert "退回 1 次（2025年3月v1）" in causes["材料质量"].detail
    assert causes["加分：创新工作"].points == 2


def test_a_unit_that_leads_no_indicator_neither_gains_nor_loses():
    with_one = UnitYear(district("甲"), True, MONTHS, MONTHS, (), tasks(green=4), ((1, "指标", 1.0),))
    without = replace(with_one, indicators=())
    assert score_unit(with_one, RULES).total == score_unit(without, RULES).total == 100
    half = replace(with_one, tasks=tasks(green=2, red=2))
    assert score_unit(replace(half, indicators=()), RULES).total == pytest.approx(
        (20 + 50 * 0.6 + 10) * 100 / 80, abs=0.02
    )


def test_a_silent_unit_scores_nothing_for_what_it_did_not_send():
    unreported = (TaskMark(1, Role.LEAD, False), TaskMark(2, Role.COOP, False))
    silent = UnitYear(district("周至县"), False, MONTHS, (), (), unreported, ((1, "指标", None),))
    card = score_unit(silent, RULES)
    assert card.parts["报送"] == card.parts["任务推进"] == card.parts["指标完成"] == 0
    assert card.total == 0


def test_a_written_reason_never_turns_a_red_task_green():
    red = UnitYear(district("阎良区"), True, MONTHS, MONTHS, (), tasks(green=20, red=10), ((1, "指标", 1.0),))
    assert score_unit(red, RULES).parts["任务推进"] == pytest.approx(50 * (20 + 10 * 0.2) / 30, abs=0.01)


def test_adjustments_need_a_reason_and_are_capped():
    with pytest.raises(InvalidInput):
        Adjustment("甲", 2, " ")
    year = UnitYear(district("甲"), True, MONTHS, MONTHS, (), tasks(green=1), (), (),
                    (Adjustment("甲", 4, "创新工作"), Adjustment("甲", 3, "通报表扬")))  # fmt: skip
    card = score_unit(year, RULES)
    assert card.parts["加分扣分"] == 5 and card.total == 105
    assert any("按上限计" in item.cause and item.points == -2 for item in card.items)


def test_rules_are_checked_and_old_rule_files_give_the_defaults():
    with pytest.raises(InvalidInput):
        ScoringRules(yellow=1.5)
    with pytest.raises(InvalidInput):
        ScoringRules(red=0.7)  # red above yellow
    old = '{"format": "ipdesk-scoring-rules", "format_version": "1.0", "rules": {"base": 100, "done_lead": 2}}'
    assert ScoringRules.from_json(old) == ScoringRules()
    assert ScoringRules.from_json(ScoringRules(task_weight=60).to_json()).task_weight == 60


def test_grades_and_the_quota_of_excellent():
    cards = [
        score_unit(UnitYear(district(f"区{n}"), True, MONTHS, MONTHS, (), tasks(green=10)), RULES) for n in range(10)
    ]
    ranked = rank(cards, RULES)
    assert all(c.total == 100 for c in ranked) and all(c.rank == 1 for c in ranked)
    assert [c.grade for c in ranked].count("优秀") == 0  # ten equal: a tie that cannot fit 3 places gets none
    varied = [replace(c, total=100 - n, parts={**c.parts, "任务推进": 50 - n}) for n, c in enumerate(cards)]
    grades = [c.grade for c in rank(varied, RULES)]
    assert grades == ["优秀"] * 3 + ["良好"] * 7  # 97, 96 … ≥ 90 but beyond the best 30 %: 良好


# -- properties ----------------------------------------------------------------------------------------------------
@st.composite
def unit_years(draw, name: str) -> UnitYear:
    due = draw(st.integers(0, 12))
    on_time = draw(st.integers(0, due))
    late = draw(st.integers(0, due - on_time))
    marks = []
    for seq in range(draw(st.integers(0, 12))):
        role = draw(st.sampled_from([Role.LEAD, Role.COOP]))
        reported = draw(st.booleans())
        status = draw(st.sampled_from(["done", "in_progress", "lagging", "ongoing", "not_started"]))
        light = draw(st.sampled_from(["green", "yellow", "red", "none"]))
        marks.append(TaskMark(seq + 1, role, reported, status, light, draw(st.booleans())))
    indicators = tuple((n, "指标", draw(st.one_of(st.none(), st.floats(0, 2)))) for n in range(draw(st.integers(0, 3))))
    returned = tuple(f"v{n}" for n in range(draw(st.integers(0, 3))))
    adjustments = tuple(
        Adjustment(name, p, "通报") for p in draw(st.lists(st.sampled_from([-3.0, -1.0, 1.0, 2.0]), max_size=3))
    )
    return UnitYear(
        district(name),
        draw(st.booleans()) or due == 0,
        MONTHS[:due],
        MONTHS[:on_time],
        MONTHS[on_time : on_time + late],
        tuple(marks),
        indicators,
        returned,
        adjustments,
    )


def _worse(year: UnitYear, data) -> UnitYear:
    """A unit no better than ``year`` on every part: fewer on time, tasks' lights no better, lower indicators,
    less evidence, more returns, smaller adjustments."""
    on_time = data.draw(st.integers(0, len(year.on_time)))
    late = data.draw(st.integers(0, len(year.late)))
    worse_tasks = []
    order = ["green", "yellow", "red"]
    for mark in year.tasks:
        if mark.status == "done" or not mark.reported:
            worse_tasks.append(replace(mark, evidence=False) if data.draw(st.booleans()) else mark)
            continue
        light = mark.light if mark.light not in order else data.draw(st.sampled_from(order[order.index(mark.light) :]))
        worse_tasks.append(replace(mark, light=light, evidence=False))
    indicators = tuple((s, n, None if r is None else r * data.draw(st.floats(0, 1))) for s, n, r in year.indicators)
    return replace(
        year,
        unit=district(year.unit.name + "乙"),
        on_time=year.on_time[:on_time],
        late=year.late[:late],
        tasks=tuple(worse_tasks),
        indicators=indicators,
        returned=year.returned + ("v9",) * data.draw(st.integers(0, 2)),
        adjustments=tuple(a for a in year.adjustments if a.points < 0),
    )


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_unit_no_better_on_every_part_never_ranks_above(data):
    better = data.draw(unit_years("甲"))
    worse = _worse(better, data)
    good, bad = rank([score_unit(better, RULES), score_unit(worse, RULES)], RULES)
    assert good.total >= bad.total - 1e-6
    assert good.rank <= bad.rank


@settings(max_examples=150, deadline=None)
@given(unit_years("甲"), st.data())
def test_five_more_red_tasks_strictly_lower_a_score(year, data):
    """The same unit with five of its tasks in progress red instead of green or yellow scores strictly less."""
    year = replace(year, sent_anything=True, tasks=year.tasks + tasks(green=3, yellow=2))
    movable = [n for n, t in enumerate(year.tasks) if t.reported and t.status == "in_progress" and t.light != "red"]
    chosen = set(data.draw(st.permutations(movable))[:5])
    redder = replace(year, tasks=tuple(replace(t, light="red") if n in chosen else t for n, t in enumerate(year.tasks)))
    assert score_unit(redder, RULES).total < score_unit(year, RULES).total


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(list(UnitKind)), st.floats(0, 110), st.floats(0, 50)), max_size=40))
def test_the_excellent_quota_holds_for_any_data(rows):
    base = score_unit(UnitYear(district("x"), True), RULES)
    cards = [
        replace(base, unit=f"单位{n}", group=kind.group, total=round(total, 1), parts={"任务推进": round(task, 1)})
        for n, (kind, total, task) in enumerate(rows)
    ]
    ranked = rank(cards, RULES)
    for group in {c.group for c in ranked}:
        members = [c for c in ranked if c.group == group]
        excellent = [c for c in members if c.grade == "优秀"]
        assert len(excellent) <= math.floor(0.3 * len(members))
        assert all(c.total >= 90 for c in excellent)
        for c in excellent:  # nobody outside 优秀 has a better place
            assert all(other.rank >= c.rank for other in members if other.grade != "优秀")


def test_a_generated_year_ranks_by_the_data():
    """Districts that differ: all green and on time, many red tasks, late, one silent."""
    years = []
    for n in range(4):
        years.append(UnitYear(district(f"好{n}"), True, MONTHS, MONTHS, (), tasks(green=20 - n, done=4)))
    for n in range(4):
        years.append(UnitYear(district(f"红{n}"), True, MONTHS, MONTHS, (), tasks(green=20 - 5 * n, red=5 * n + 2)))
    for n in range(4):
        years.append(
            UnitYear(district(f"迟{n}"), True, MONTHS, MONTHS[: 8 - 2 * n], MONTHS[8 - 2 * n :], tasks(green=24))
        )
    years.append(
        UnitYear(district("周至县"), False, MONTHS, (), (), tuple(replace(t, reported=False) for t in tasks(green=24)))
    )
    cards = score_year(years, RULES)
    by_unit = {c.unit: c for c in cards}
    assert max(cards, key=lambda c: c.rank).unit == "周至县" and by_unit["周至县"].total == 0
    reds = [by_unit[f"红{n}"].total for n in range(4)]
    lates = [by_unit[f"迟{n}"].total for n in range(4)]
    assert reds == sorted(reds, reverse=True) and len(set(reds)) == 4  # more red tasks, lower score
    assert lates == sorted(lates, reverse=True) and len(set(lates)) == 4  # later returns, lower score
    assert sum(1 for c in cards if c.grade == "优秀") <= math.floor(0.3 * len(cards))
    assert all(by_unit[f"好{n}"].total > by_unit["红3"].total for n in range(4))

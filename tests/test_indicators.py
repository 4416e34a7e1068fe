from __future__ import annotations

import pytest

from ipdesk.domain.indicators import Indicator


def make(**overrides) -> Indicator:
    values = dict(
        seq=1,
        group="创造质量",
        name="每万人口高价值发明专利拥有量",
        unit_of_measure="件",
        baseline=13,
        baseline_year=2020,
        target=20,
        target_year=2025,
        target_op="=",
        growth=0.09,
        growth_text="9.0%",
        task_seq=1,
    )
    values.update(overrides)
    return Indicator(**values)


def test_compound_path_before_during_after():
    indicator = make()
    assert indicator.expected(2019) is None
    assert indicator.expected(2020) == 13
    assert indicator.expected(2021) == pytest.approx(13 * (20 / 13) ** 0.2)
    assert indicator.expected(2023) == pytest.approx(13 * (20 / 13) ** 0.6)
    assert indicator.expected(2025) == 20
    assert indicator.expected(2026) == 20
    assert indicator.expected(2031) == 20
    values = [indicator.expected(y) for y in range(2020, 2026)]
    assert values == sorted(values)


def test_hold_level():
    indicator = make(baseline=30, target=30, target_op="保持", growth=None, growth_text="保持")
    assert [indicator.expected(y) for y in (2020, 2023, 2027)] == [30, 30, 30]
    assert indicator.expected(2019) is None
    assert indicator.compound_rate is None


def test_threshold_with_baseline_above_it_is_held():
    indicator = make(baseline=100, target=95, target_op="≥", growth=None, growth_text="高于全国平均水平")
    assert indicator.compound_rate is None
    assert indicator.expected(2023) == 95
    assert indicator.expected(2028) == 95


def test_threshold_with_growth_follows_the_path():
    indicator = make(baseline=85, target=95, target_op="≥", growth=0.0225, growth_text="2.25%")
    assert 85 < indicator.expected(2022) < 95
    assert indicator.expected(2025) == 95


def test_threshold_without_baseline_applies_every_year():
    indicator = make(baseline=None, baseline_year=None, target=95, target_op="≥", growth=None, growth_text="")
    assert indicator.expected(2018) == 95
    assert indicator.expected(2030) == 95


def test_plain_target_without_baseline_only_from_its_year():
    indicator = make(baseline=None, baseline_year=None, target=300, growth=None, growth_text="")
    assert indicator.expected(2024) is None
    assert indicator.expected(2025) == 300


def test_invalid_definitions():
    with pytest.raises(ValueError):
        make(target_op="≤")
    with pytest.raises(ValueError):
        make(baseline=None)

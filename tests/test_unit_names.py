from __future__ import annotations

import pytest

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.unit_lists import UnitResolver


@pytest.fixture(scope="module")
def resolver(plan):
    return UnitResolver(plan.units)


def test_single_units_and_separators(resolver):
    assert resolver.resolve("市市场监管局(知识产权局)、市科技局,高新区管委会") == [
        "市市场监管局(知识产权局)",
        "市科技局",
        "高新区管委会",
    ]


def test_shared_suffix(resolver):
    assert resolver.resolve("高新区、经开区、浐灞生态区、国际港务区管委会") == [
        "高新区管委会",
        "经开区管委会",
        "浐灞生态区管委会",
        "国际港务区管委会",
    ]


def test_xixian_and_all_zones_is_eight(resolver):
    names = resolver.resolve("西咸新区及各开发区管委会")
    assert len(names) == 8 and names[0] == "西咸新区管委会"


def test_all_districts_and_counties(resolver):
    names = resolver.resolve("各区县政府")
    assert len(names) == 13
    assert "碑林区人民政府" in names and "蓝田县人民政府" in names and "周至县人民政府" in names


def test_related_zones_come_from_the_task_text(resolver):
    names = resolver.resolve("相关开发区管委会", "支持曲江新区建设示范区。培育国际港务区临港经济。")
    assert names == ["曲江新区管委会", "国际港务区管委会"]
    with pytest.raises(InvalidInput):
        resolver.resolve("相关开发区管委会", "没有提到任何开发区")


def test_member_units_are_all_departments(resolver, plan):
    names = resolver.resolve("市知识产权强市建设工作领导小组成员单位")
    assert len(names) == 22 and "关中海关" in names and "碑林区人民政府" not in names


def test_district_by_short_government_name(resolver):
    assert resolver.resolve("碑林区政府、雁塔区人民政府") == ["碑林区人民政府", "雁塔区人民政府"]


def test_duplicates_are_dropped(resolver):
    assert resolver.resolve("高新区管委会、各开发区管委会").count("高新区管委会") == 1


@pytest.mark.parametrize("text", ["市不存在局", "高新区、经开区", "火星管委会", "高新区、市科技局"])
def test_unknown_or_incomplete_names_are_refused(resolver, text):
    with pytest.raises(InvalidInput):
        resolver.resolve(text)


def test_empty_text_is_no_units(resolver):
    assert resolver.resolve("") == []

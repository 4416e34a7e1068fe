from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.plan import UnitKind
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


# -- reading a task list of another city or plan: names the roster lacks become new units -------------------------
@pytest.fixture
def lenient():
    from ipdesk.plans.roster import shipped_rosters

    return UnitResolver(shipped_rosters()["西安市"].units, allow_new=True)  # the roster: other names included


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("市科技局、工信局", ["市科技局", "市工信局"]),  # a shared place: 市
        ("区科技局、工信局、财政局", ["区科技局", "区工信局", "区财政局"]),
        ("碑林区科技局，教育局", ["碑林区科技局", "碑林区教育局"]),
        ("高新区、天府新区管委会", ["高新区管委会", "天府新区管委会"]),  # a shared suffix
        ("锦江区、青羊区政府", ["锦江区人民政府", "青羊区人民政府"]),
        ("市市场监管局（知识产权局）\n关中海关", ["市市场监管局(知识产权局)", "关中海关"]),  # full width, line break
        ("市市场监管局、市科技局等", ["市市场监管局(知识产权局)", "市科技局"]),  # another name; 等 dropped
        ("市统计局/市税务局", ["市统计局", "市税务局"]),
    ],
)
def test_lists_with_shared_parts_and_new_names(lenient, text, expected):
    assert lenient.resolve(text) == expected


def test_new_units_get_their_kind_from_their_names(lenient):
    lenient.resolve("锦江区政府、蒲江县人民政府、天府新区管委会、高新区管委会、成都海关、简阳市政府")
    kinds = {name: unit.kind for name, unit in lenient.new_units.items()}
    assert kinds == {
        "锦江区人民政府": UnitKind.DISTRICT,
        "蒲江县人民政府": UnitKind.COUNTY,
        "天府新区管委会": UnitKind.NEW_AREA,
        "成都海关": UnitKind.DEPARTMENT,
        "简阳市人民政府": UnitKind.COUNTY,
    }
    assert lenient.new_units["锦江区人民政府"].short_name == "锦江区"
    assert lenient.resolve("锦江区") == ["锦江区人民政府"]  # once known, the short name finds it


def test_collective_names_of_a_city_the_roster_does_not_know():
    resolver = UnitResolver([], allow_new=True)
    resolver.prime([("锦江区政府", ""), ("高新区管委会", ""), ("市科技局", "")])
    assert resolver.resolve("各区（市）县政府") == ["锦江区人民政府"]
    assert resolver.resolve("各开发区管委会") == ["高新区管委会"]
    assert resolver.resolve("市级各部门") == ["市科技局"]
    with pytest.raises(InvalidInput, match="单位名册中没有县"):
        resolver.resolve("各县政府")
    with pytest.raises(InvalidInput, match="不是具体的单位"):
        resolver.resolve("各相关部门")
    assert resolver.resolve("相关区县政府", "在锦江区开展试点") == ["锦江区人民政府"]


def test_corrected_kinds_are_used(plan):
    resolver = UnitResolver(plan.units, allow_new=True, kinds={"秦岭保护区管委会": UnitKind.NEW_AREA})
    resolver.resolve("秦岭保护区管委会")
    unit = resolver.new_units["秦岭保护区管委会"]
    assert (unit.kind, unit.short_name) == (UnitKind.NEW_AREA, "秦岭保护区")


def test_the_strict_reading_of_the_embedded_plan_is_unchanged(resolver):
    with pytest.raises(InvalidInput):
        resolver.resolve("市科技局、统计局")  # the embedded plan names no 市统计局: an error, not a new unit
    assert resolver.new_units == {}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="市区县局委办各相关开发管会政府人民高新碑林、，,\n （）()等", max_size=40))
def test_any_column_reads_or_says_why_with_new_names_allowed(text):
    from ipdesk.plans.embedded import load_embedded_plan

    resolver = UnitResolver(load_embedded_plan().units, allow_new=True)
    try:
        names = resolver.resolve(text)
    except InvalidInput as error:
        assert str(error)
        return
    assert len(names) == len(set(names)) and all(names)
    assert set(resolver.new_units) <= set(names) | {u.name for u in resolver.units}

"""The embedded plan says exactly what the published plan says."""

from __future__ import annotations

import importlib.util
import json
import re

import pytest

from ipdesk.domain.plan import TaskKind, UnitKind
from ipdesk.domain.unit_lists import UnitResolver
from ipdesk.plans.embedded import plan_file

from .conftest import ROOT


def _load_extractor():
    spec = importlib.util.spec_from_file_location("extract_plan", ROOT / "tools" / "extract_plan.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _task_list(source_text: str) -> str:
    return source_text[source_text.index("\n附件\n") :]


def test_counts(plan):
    assert len(plan.tasks) == 97
    assert [t.seq for t in plan.tasks] == list(range(1, 98))
    assert len(plan.indicators) == 15
    assert len(plan.projects) == 8
    assert len(plan.phases) == 3
    assert len(plan.categories) == 8
    kinds = [t.kind for t in plan.tasks]
    assert kinds.count(TaskKind.INDICATOR) == 15
    assert kinds.count(TaskKind.PROJECT) == 8
    assert kinds.count(TaskKind.TASK) == 74


def test_header(plan, source_text):
    assert plan.title == "西安市国家知识产权强市建设示范城市工作方案(2022—2025年)"
    assert plan.issuer == "西安市人民政府 陕西省知识产权局"
    assert plan.issued_on.isoformat() == "2022-11-21"
    assert (plan.start_year, plan.end_year) == (2022, 2025)
    assert plan.title in source_text and plan.task_list_title in source_text


def test_phases(plan):
    assert [(p.name, p.start_month, p.end_month) for p in plan.phases] == [
        ("启动部署阶段", "2022-07", "2023-06"),
        ("推进实施阶段", "2023-07", "2024-06"),
        ("巩固提升阶段", "2024-07", "2025-06"),
    ]


def test_categories(plan):
    assert plan.categories == (
        "主要发展指标",
        "推进知识产权高质量创造",
        "促进知识产权高效益运用",
        "推进知识产权高效能管理",
        "健全知识产权保护体系",
        "优化知识产权公共服务",
        "筑牢知识产权新发展基础",
        "保障措施",
    )
    assert {t.category for t in plan.tasks} == set(plan.categories)


def test_every_content_appears_in_the_task_list_of_the_source(plan, source_text):
    task_list = _task_list(source_text)
    for task in plan.tasks:
        row = re.search(rf"^{task.seq} \| .*$", task_list, re.MULTILINE).group(0)
        assert f"| {task.content} |" in row, task.seq
        assert f"| {task.lead_text} |" in row, task.seq
        if task.coop_text:
            assert f"| {task.coop_text} |" in row, task.seq


def test_task_names_have_line_break_spaces_removed(plan, source_text):
    task_list = _task_list(source_text)
    for task in plan.tasks:
        assert " " not in task.name and " " not in task.category
        spaced = r"\s*".join(map(re.escape, task.name))
        assert re.search(spaced, task_list), task.name
    assert plan.task(16).name == "培育高价值专利"
    assert plan.task(94).category == "保障措施"
    assert plan.task(94).name == "加强组织领导"


def test_task_names_carry_down_merged_cells(plan):
    assert [plan.task(s).name for s in (16, 17, 18, 19, 20)] == ["培育高价值专利"] * 5
    assert plan.task(20).content == "工程1:高价值专利创造示范工程"
    assert plan.task(21).name == "培育知名商标品牌"
    assert plan.task(32).category == "促进知识产权高效益运用"


def test_projects_are_the_rows_naming_them(plan):
    rows = {t.project_no: t.seq for t in plan.tasks if t.kind is TaskKind.PROJECT}
    assert rows == {1: 20, 2: 35, 3: 39, 4: 48, 5: 60, 6: 78, 7: 82, 8: 88}
    for project in plan.projects:
        assert plan.task(project.task_seq).content == f"工程{project.no}:{project.name}"


def test_no_corrupted_characters_in_the_data(plan):
    text = plan_file().read_text(encoding="utf-8")
    data = json.loads(text)
    del data["corrections"]
    assert "\ufffd" not in json.dumps(data, ensure_ascii=False)
    assert any("西部经济强市" in note for note in plan.corrections)


def test_units(plan):
    kinds = [u.kind for u in plan.units]
    assert kinds.count(UnitKind.DISTRICT) == 11
    assert kinds.count(UnitKind.COUNTY) == 2
    assert kinds.count(UnitKind.ZONE) == 7
    assert kinds.count(UnitKind.NEW_AREA) == 1
    assert kinds.count(UnitKind.DEPARTMENT) == 22
    names = {u.name for u in plan.units}
    for name in (
        "碑林区人民政府",
        "蓝田县人民政府",
        "周至县人民政府",
        "高新区管委会",
        "西咸新区管委会",
        "航天基地管委会",
        "市市场监管局(知识产权局)",
        "关中海关",
        "市委军民融合办",
    ):
        assert name in names
    assert len(names) == len(plan.units)


def test_every_unit_has_work(plan):
    for unit in plan.units:
        assert any(t.role_of(unit.name) for t in plan.tasks), unit.name


def test_every_unit_named_in_the_task_list_resolves(plan):
    resolver = UnitResolver(plan.units)
    for task in plan.tasks:
        assert resolver.resolve(task.lead_text, task.content) == list(task.lead_units)
        coop = [u for u in resolver.resolve(task.coop_text, task.content) if u not in task.lead_units]
        assert coop == list(task.coop_units)
        assert task.lead_units, task.seq
        assert not set(task.lead_units) & set(task.coop_units)


def test_collective_expansion_in_the_plan(plan):
    districts = [u.name for u in plan.units if u.kind in (UnitKind.DISTRICT, UnitKind.COUNTY)]
    zones = [u.name for u in plan.units if u.kind is UnitKind.ZONE]
    departments = [u.name for u in plan.units if u.kind is UnitKind.DEPARTMENT]
    assert list(plan.task(16).coop_units) == [*districts, "西咸新区管委会", *zones]
    assert list(plan.task(32).lead_units) == ["西咸新区管委会", *zones]
    assert list(plan.task(41).lead_units) == [
        "市市场监管局(知识产权局)",
        "市商务局",
        "高新区管委会",
        "经开区管委会",
        "浐灞生态区管委会",
        "国际港务区管委会",
    ]
    assert list(plan.task(52).coop_units) == ["西咸新区管委会", "高新区管委会"]
    assert set(plan.task(46).lead_units) == {
        "航空基地管委会",
        "航天基地管委会",
        "曲江新区管委会",
        "国际港务区管委会",
        "浐灞生态区管委会",
    }
    assert list(plan.task(94).lead_units) == [*departments, *districts, "西咸新区管委会", *zones]
    assert list(plan.task(28).coop_units) == districts


def test_indicators_match_the_published_table(plan):
    by_seq = {i.seq: i for i in plan.indicators}
    assert (by_seq[1].name, by_seq[1].unit_of_measure, by_seq[1].baseline, by_seq[1].target) == (
        "每万人口高价值发明专利拥有量",
        "件",
        13,
        20,
    )
    assert (by_seq[6].target_op, by_seq[6].target) == ("保持", 30)
    assert (by_seq[10].baseline, by_seq[10].target) == (None, 300)
    assert (by_seq[11].target_op, by_seq[11].target) == ("≥", 95)
    assert (by_seq[13].baseline, by_seq[13].growth_text) == (100, "高于全国平均水平")
    assert by_seq[14].baseline is None and by_seq[15].target == 85
    assert [i.group for i in plan.indicators] == ["创造质量"] * 4 + ["运用效益"] * 2 + ["管理效能"] * 2 + [
        "服务保障"
    ] * 3 + ["保护水平"] * 4


def test_each_indicator_is_assigned_by_its_task_row(plan, source_text):
    for indicator in plan.indicators:
        task = plan.task(indicator.task_seq)
        assert task.kind is TaskKind.INDICATOR
        assert task.content.startswith(indicator.name.split("(")[0][:6])
    assert plan.task(4).lead_units == ("市委宣传部",)
    assert plan.task(14).lead_units == ("市法院",)


@pytest.mark.parametrize("seq", range(1, 16))
def test_published_growth_is_the_compound_rate(plan, seq):
    indicator = next(i for i in plan.indicators if i.seq == seq)
    if indicator.growth is None:
        assert indicator.compound_rate is None or indicator.target_op == "保持"
        return
    decimals = len(indicator.growth_text.rstrip("%").split(".")[1])
    assert round(indicator.compound_rate * 100, decimals) == pytest.approx(indicator.growth * 100), indicator.name
    assert indicator.growth_text == f"{indicator.growth * 100:.{decimals}f}%"


def test_project_sub_targets_are_quoted_from_the_body(plan, source_text):
    flat = source_text.replace("\n", " ")
    named = {}
    for project in plan.projects:
        for target in project.targets:
            assert target.quote in flat
            assert target.owners
            named[target.quote] = target
    for phrase, value in (
        ("专利开放许可1000件", 1000),
        ("检察保护中心20家", 20),
        ("公安知识产权保护工作站50家", 50),
        ("维权援助服务工作站65家", 65),
        ("调解不少于30场次", 30),
        ("小巨人企业100家", 100),
        ("80%以上区县入选", 80),
        ("新增10家以上科技型上市企业", 10),
    ):
        matches = [t for quote, t in named.items() if phrase in quote]
        assert len(matches) == 1 and matches[0].value == value, phrase


def test_extraction_is_reproducible(tmp_path):
    """Running the extractor on the shipped source gives the shipped JSON, byte for byte."""
    extractor = _load_extractor()
    from ipdesk.plans.embedded import source_text_file

    rebuilt = extractor.render(extractor.build(source_text_file()))
    assert rebuilt == plan_file().read_text(encoding="utf-8")

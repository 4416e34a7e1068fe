"""Importing a city's task list: workbooks in several layouts, written here with openpyxl, read into a plan."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.plan import TaskKind, UnitKind
from ipdesk.plans.canonical import plan_document, plan_sha256
from ipdesk.plans.plan_builder import PlanOptions

from .conftest import replace_in_sheet_xml

XIAN_SHA256 = "11192f01e5d7202e928a002ef4504b327e3b9e813f778f6a4b832cd25f25c549"


def _save(workbook: openpyxl.Workbook, path) -> object:
    workbook.save(path)
    return path


def _chengdu(path, *, bad_rows: bool = False):
    """Layout A: an 附件 line and a merged title above the header; 重点任务/具体任务/牵头单位/配合单位/完成时限;
    categories merged over their rows; multi-line cells; units split on 、，and line breaks; shared prefixes and
    suffixes; a collective name; a note under the table."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "任务清单"
    sheet.append(["附件"])
    sheet.append(["成都市知识产权强市建设工作任务清单（2026—2030年）"])
    sheet.merge_cells("A2:F2")
    sheet.append(["序号", "重点任务", "具体任务", "牵头单位", "配合单位", "完成时限"])
    rows = [
        (
            1,
            "一、提升创造质量",
            "培育高价值专利。\n支持企业开展专利布局。",
            "市市场监管局（知识产权局）",
            "市科技局、工信局",
            "2027年底",
        ),
        (2, None, "建设知识产权保护中心", "市市场监管局(知识产权局)", "高新区、天府新区管委会", "长期坚持"),
        (3, "二、加强运用", "开展专利转化专项行动", "市科技局", "锦江区政府\n青羊区人民政府，武侯区政府", ""),
        (4, None, "推动区县开展强县建设", "各区（市）县政府", "", "2030年"),
    ]
    if bad_rows:
        rows += [
            (5, None, "没有写明单位的任务", "", "", ""),
            (6, None, "含糊的责任单位", "各相关部门", "", ""),
            (4, None, "序号重复的任务", "市科技局", "", ""),
        ]
    for row in rows:
        sheet.append(list(row))
    sheet.merge_cells(start_row=4, start_column=2, end_row=5, end_column=2)
    sheet.merge_cells(start_row=6, start_column=2, end_row=sheet.max_row, end_column=2)
    sheet.append(["备注：完成时限为预期时间。"])
    sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=6)
    return _save(book, path)


def test_layout_with_title_rows_merged_categories_and_synonyms(ws, tmp_path):
    preview = ws.plans.read(_chengdu(tmp_path / "成都.xlsx"))
    assert preview.rejected_rows == [] and preview.missing == []
    plan = preview.plan
    assert plan.title == "成都市知识产权强市建设工作方案（2026—2030年）"
    assert (plan.city, plan.code) == ("成都市", "plan-2026-2030")
    assert (plan.start_date, plan.end_date) == (dt.date(2026, 1, 1), dt.date(2030, 12, 31))
    assert plan.report_title == "成都市知识产权强市建设工作进展情况表"
    assert plan.office_name == "成都市知识产权强市建设工作领导小组办公室"
    assert [t.category for t in plan.tasks] == ["提升创造质量", "提升创造质量", "加强运用", "加强运用"]
    first = plan.task(1)
    assert first.content == "培育高价值专利。\n支持企业开展专利布局。"
    assert first.name == "培育高价值专利"  # no name column: the content's first clause
    assert first.lead_units == ("市市场监管局(知识产权局)",)
    assert first.coop_units == ("市科技局", "市工信局")  # 市科技局、工信局: the shared place
    assert first.extra == (("完成时限", "2027年底"),)
    assert plan.task(2).lead_units == ("市市场监管局(知识产权局)",)  # full-width brackets read as the same unit
    assert plan.task(2).coop_units == ("高新区管委会", "天府新区管委会")  # 高新区、天府新区管委会: a shared suffix
    assert plan.task(3).coop_units == ("锦江区人民政府", "青羊区人民政府", "武侯区人民政府")
    # 各区（市）县政府: every district and county government the list names.
    assert plan.task(4).lead_units == ("锦江区人民政府", "青羊区人民政府", "武侯区人民政府")
    kinds = {u.name: u.kind for u in plan.units}
    assert kinds["天府新区管委会"] is UnitKind.NEW_AREA and kinds["高新区管委会"] is UnitKind.ZONE
    assert kinds["锦江区人民政府"] is UnitKind.DISTRICT and kinds["市科技局"] is UnitKind.DEPARTMENT
    assert sorted(preview.new_units) == sorted(u.name for u in plan.units)  # a city ipdesk has no roster for
    assert len({u.code for u in plan.units}) == len(plan.units)
    assert any("备注：完成时限为预期时间" in note for note in preview.notes)


def test_rows_that_cannot_be_read_are_listed_and_nothing_is_saved(ws, tmp_path):
    preview = ws.plans.read(_chengdu(tmp_path / "成都.xlsx", bad_rows=True))
    reasons = {r.row: r.reason for r in preview.rejected_rows}
    assert set(reasons) == {8, 9, 10}
    assert reasons[8] == "没有责任单位"
    assert "各相关部门" in reasons[9] and "不是具体的单位" in reasons[9]
    assert "序号 4 与第 7 行重复" in reasons[10]
    assert all(r.sheet == "任务清单" for r in preview.rejected_rows)
    assert len(preview.plan.tasks) == 4
    before = [p.code for p in ws.plans.all()]
    with pytest.raises(InvalidInput, match="3 行无法读取"):
        ws.plans.save(preview)
    assert [p.code for p in ws.plans.all()] == before
    saved = ws.plans.save(preview, accept_rejects=True)
    assert (saved.outcome, saved.current) == ("new", False)
    assert ws.plans.get("plan-2026-2030").tasks == preview.plan.tasks


def _district(path):
    """Layout B: a header over two rows (责任单位 over 牵头 and 配合), categories as heading rows across the table,
    a 完成时限 column, and the Xi'an roster's collective names."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["西安市国家知识产权强市建设示范城市工作任务清单(2026—2030年)"])
    sheet.merge_cells("A1:F1")
    sheet.append(["序号", "任务名称", "任务内容", "责任单位", None, "完成时限"])
    sheet.append([None, None, None, "牵头", "配合", None])
    sheet.merge_cells("D2:E2")
    for column in "ABCF":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.append(["一、推进知识产权高质量创造"])
    sheet.merge_cells("A4:F4")
    sheet.append(
        [
            1,
            "培育 高价值 专利",
            "实施高价值专利培育计划",
            "市市场监管局",
            "各区县政府、西咸新区及各开发区管委会",
            "2030年",
        ]
    )
    sheet.append([2, None, "建设专利导航服务基地", "市科技局、工信局", "高新区、经开区管委会", None])
    sheet.merge_cells("B5:B6")
    sheet.append(["二、保障措施"])
    sheet.merge_cells("A7:F7")
    sheet.append([3, "加强督导", "纳入年度考核", "市知识产权强市建设工作领导小组成员单位", "", "每年"])
    return _save(book, path)


def test_layout_with_a_two_row_header_heading_rows_and_the_cities_roster(ws, tmp_path):
    preview = ws.plans.read(_district(tmp_path / "西安.xlsx"))
    assert preview.rejected_rows == [] and preview.new_units == []
    plan = preview.plan
    assert (plan.code, plan.city) == ("xian-2026-2030", "西安市")
    assert [t.category for t in plan.tasks] == ["推进知识产权高质量创造", "推进知识产权高质量创造", "保障措施"]
    assert [t.name for t in plan.tasks] == ["培育高价值专利", "培育高价值专利", "加强督导"]
    one = plan.task(1)
    assert one.lead_units == ("市市场监管局(知识产权局)",)  # a name the roster knows as another name of it
    assert len(one.coop_units) == 13 + 8
    assert one.extra == (("完成时限", "2030年"),)
    assert plan.task(2).lead_units == ("市科技局", "市工信局")
    assert plan.task(2).coop_units == ("高新区管委会", "经开区管委会")
    assert len(plan.task(3).lead_units) == 22
    codes = {u.name: u.code for u in plan.units}
    assert codes["碑林区人民政府"] == "610103" and codes["市科技局"] == "610100-D02"


def test_layout_without_numbers_with_other_synonyms_and_a_csv_file(ws, tmp_path):
    """Layout C: 类别/工作任务/工作措施/责任单位/参与单位 and no 序号 (rows are numbered in order), as CSV."""
    path = tmp_path / "清单.csv"
    path.write_text(
        "西安市知识产权强市建设任务清单（2026-2030年）\n"
        "类别,工作任务,工作措施,责任单位,参与单位\n"
        "创造,专利导航,开展专利导航,市科技局,市工信局\n"
        ',商标品牌,培育商标品牌,市市场监管局(知识产权局),"碑林区政府、雁塔区政府"\n',
        encoding="utf-8",
    )
    plan = ws.plans.read(path).plan
    assert [t.seq for t in plan.tasks] == [1, 2]
    assert [t.category for t in plan.tasks] == ["创造", "创造"]
    assert plan.task(2).coop_units == ("碑林区人民政府", "雁塔区人民政府")


def _with_indicators(path, *, own_units: bool):
    book = openpyxl.Workbook()
    tasks = book.active
    tasks.title = "任务清单"
    tasks.append(["西安市国家知识产权强市建设示范城市工作任务清单(2026—2030年)"])
    tasks.append(["序号", "任务类别", "任务名称", "任务内容", "责任单位", "协作单位"])
    tasks.append([1, "主要发展指标", "2030年底指标", "每万人口高价值发明专利拥有量30件", "市市场监管局", "市科技局"])
    tasks.append([2, "主要发展指标", "2030年底指标", "知识产权质押融资金额保持40亿元", "市金融工作局", ""])
    tasks.append([3, "推进创造", "培育高价值专利", "工程1:高价值专利创造示范工程", "市市场监管局", ""])
    sheet = book.create_sheet("主要发展指标")
    sheet.append(["主要发展指标表"])
    if own_units:
        sheet.append(["序号", "指标", "单位", "基数", "目标", "年均预增", "责任单位"])
        sheet.append([1, "专利密集型产业增加值占比", "%", 12, "≥15", "", "市统计局"])
        sheet.append([2, "知识产权民事案件结收比", "%", "—", "≧95", "", "市法院"])
        sheet.append([3, "海外专利年申请量", "件", "800", "保持", "保持", "市市场监管局"])
        sheet.append([4, "知识产权服务满意度", "%", 90, "高于全国平均水平", "", "市市场监管局"])
    else:
        sheet.append(["序号", "主要指标", None, "2025年", "2030年", "年均预增"])
        sheet.merge_cells("B2:C2")
        sheet.append([1, "创造质量", "每万人口高价值发明专利拥有量(件)", 20, 30, "8.45%"])
        sheet.append([2, "运用效益", "知识产权质押融资金额(亿元)", 40, 40, "保持"])
        sheet.append(["备注：主要指标为截至2030年12月底的预期性指标。"])
    projects = book.create_sheet("示范工程")
    projects.append(["工程编号", "工程名称", "工程目标", "目标", "目标值", "单位", "口径", "责任单位", "原文"])
    projects.append(
        [
            1,
            "高价值专利创造示范工程",
            "培育一批高价值专利",
            "高价值专利",
            "≥500",
            "件",
            "累计",
            "",
            "培育高价值专利500件",
        ]
    )
    projects.append([None, None, None, "专利导航项目", ">20", "项", "目标年水平", "市科技局", ""])
    projects.merge_cells("A2:A3")
    projects.merge_cells("B2:B3")
    return _save(book, path)


def test_indicators_linked_to_their_task_rows_and_project_targets(ws, tmp_path):
    preview = ws.plans.read(_with_indicators(tmp_path / "指标.xlsx", own_units=False))
    assert preview.rejected_rows == []
    plan = preview.plan
    first, second = plan.indicators
    assert (first.name, first.unit_of_measure, first.group) == ("每万人口高价值发明专利拥有量", "件", "创造质量")
    assert (first.baseline, first.baseline_year, first.target, first.target_year) == (20, 2025, 30, 2030)
    assert (first.target_op, first.growth_text, first.growth) == ("=", "8.45%", 0.0845)
    assert first.task_seq == 1 and plan.task(1).kind is TaskKind.INDICATOR and plan.task(1).indicator_seq == 1
    assert (second.target_op, second.target, second.task_seq) == ("保持", 40, 2)
    assert first.expected(2030) == 30 and round(first.expected(2026), 2) == round(20 * 1.5**0.2, 2)
    assert second.expected(2027) == 40
    project = plan.projects[0]
    assert (project.no, project.name, project.goal, project.task_seq) == (
        1,
        "高价值专利创造示范工程",
        "培育一批高价值专利",
        3,
    )
    target, navigation = project.targets
    assert (target.op, target.value, target.measure, target.owners) == (
        "≥",
        500,
        "cumulative",
        ("市市场监管局(知识产权局)",),
    )
    assert (navigation.op, navigation.value, navigation.measure, navigation.owners) == (">", 20, "level", ("市科技局",))
    ws.plans.save(preview, use=True)
    assert ws.plan.code == "xian-2026-2030"
    owned = ws.indicators.for_unit("市科技局")
    assert [(o.indicator.seq, o.role.value) for o in owned] == [(1, "coop")]
    assert ws.indicators.expected(2, 2028) == 40


def test_indicators_with_units_of_their_own_and_the_rules_of_the_embedded_plan(ws, tmp_path):
    preview = ws.plans.read(_with_indicators(tmp_path / "指标.xlsx", own_units=True))
    reasons = {r.row: r.reason for r in preview.rejected_rows}
    assert (
        list(reasons) == [6] and "高于全国平均水平" in reasons[6] and preview.rejected_rows[0].sheet == "主要发展指标"
    )
    assert any("没有注明基数的年份" in note for note in preview.notes)
    plan = preview.plan
    share, ratio, overseas = plan.indicators
    assert (share.target_op, share.target, share.baseline, share.baseline_year) == ("≥", 15, 12, 2025)
    assert (share.task_seq, share.lead_units) == (None, ("市统计局",))
    assert (ratio.baseline, ratio.baseline_year, ratio.target_op) == (None, None, "≥")
    assert ratio.expected(2026) == 95  # a threshold with no baseline applies in every year
    assert (overseas.target_op, overseas.target) == ("保持", 800)
    # The indicator rows of the task list have no indicator in this table: they are reported as tasks.
    assert plan.task(1).kind is TaskKind.TASK and any("按一般任务填报" in n for n in preview.notes)
    ws.plans.save(preview, accept_rejects=True, use=True)
    assert [o.indicator.seq for o in ws.indicators.for_unit("市统计局")] == [1]
    # The units of an indicator without a task row are part of what the plan says.
    assert plan_document(ws.plan)["indicators"][0][-2:] == [["市统计局"], []]


def test_a_threshold_word_without_a_number_is_no_target(ws, tmp_path):
    path = _with_indicators(tmp_path / "指标.xlsx", own_units=True)
    book = openpyxl.load_workbook(path)
    book["主要发展指标"].append([5, "专利转化率", "%", 10, "≥", "", "市科技局"])
    book["示范工程"].append([1, None, None, "专利转化项目", "不少于", "项", "累计", "市科技局", ""])
    book.save(path)
    preview = ws.plans.read(path)
    reasons = {(r.sheet, r.row): r.reason for r in preview.rejected_rows}
    assert reasons[("主要发展指标", 7)] == "指标“专利转化率”：目标“≥”不是数值（应为数字，或“≥数字”“保持”）"
    assert reasons[("示范工程", 4)] == "工程1“专利转化项目”：目标值“不少于”不是数值（应为数字，或“≥数字”“>数字”）"
    assert [i.seq for i in preview.plan.indicators] == [1, 2, 3]
    assert [t.name for t in preview.plan.projects[0].targets] == ["高价值专利", "专利导航项目"]


@pytest.mark.parametrize("number_format", ["0.00%", "0.00 %", '0.00"%"'])
def test_a_growth_stored_as_a_percentage_reads_as_the_sheet_shows_it(ws, tmp_path, number_format):
    path = _with_indicators(tmp_path / "指标.xlsx", own_units=False)
    book = openpyxl.load_workbook(path)
    growth = book["主要发展指标"]["F3"]
    growth.value, growth.number_format = 0.0845, number_format
    book.save(path)
    first = ws.plans.read(path).plan.indicators[0]
    assert (first.growth_text, first.growth) == ("8.45%", 0.0845)


def test_kinds_of_new_units_can_be_corrected_before_saving(ws, tmp_path):
    path = _chengdu(tmp_path / "成都.xlsx")
    preview = ws.plans.read(path, PlanOptions(kinds={"高新区管委会": UnitKind.NEW_AREA}, code="chengdu-2026-2030"))
    kinds = {u.name: u.kind for u in preview.plan.units}
    assert kinds["高新区管委会"] is UnitKind.NEW_AREA and preview.plan.code == "chengdu-2026-2030"
    ws.plans.save(preview)
    roster = ws.plans.roster("成都市")
    assert roster.unit("高新区管委会").kind is UnitKind.NEW_AREA  # kept for the city's next task list
    again = ws.plans.read(path, PlanOptions(code="chengdu-2026-2030"))
    assert again.new_units == [] and again.existing == "same"


def test_missing_fields_are_asked_for(ws, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["序号", "任务名称", "任务内容", "责任单位"])
    book.active.append([1, "专利导航", "开展专利导航", "市科技局"])
    path = _save(book, tmp_path / "无标题.xlsx")
    preview = ws.plans.read(path)
    assert preview.plan is None and set(preview.missing) == {"方案名称", "实施起始日期", "实施截止日期", "方案代码"}
    with pytest.raises(InvalidInput, match="方案还不完整"):
        ws.plans.save(preview)
    given = ws.plans.read(
        path, PlanOptions(title="西安市知识产权专项工作方案", start=dt.date(2026, 1, 1), end=dt.date(2027, 12, 31))
    )
    assert given.plan.code == "xian-2026-2027" and given.plan.city == "西安市"
    assert given.plan.report_title == "西安市知识产权专项工作进展情况表"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a workbook", "不是 Excel 工作簿"),
        (b"PK\x03\x04broken", "不是 Excel 工作簿"),
    ],
)
def test_files_that_are_not_task_lists_are_refused_in_chinese(ws, tmp_path, content, message):
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=message):
        ws.plans.read(path)


def test_a_workbook_without_a_task_list(ws, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["姓名", "电话"])
    with pytest.raises(InvalidInput, match="找不到任务清单"):
        ws.plans.read(_save(book, tmp_path / "通讯录.xlsx"))
    (tmp_path / "旧.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InvalidInput, match="另存为"):
        ws.plans.read(tmp_path / "旧.xls")


# -- the embedded plan, out to Excel and back --------------------------------------------------------------------
def test_the_embedded_plans_hash_is_what_signed_returns_carry(ws, plan):
    assert plan_sha256(plan) == XIAN_SHA256
    assert ws.plan_sha256 == XIAN_SHA256


def test_round_trip_of_the_embedded_plan_gives_the_same_plan(ws, tmp_path):
    path = ws.plans.export(tmp_path / "西安.xlsx")
    preview = ws.plans.read(path)
    assert preview.rejected_rows == [] and preview.new_units == [] and preview.existing == "same"
    assert plan_document(preview.plan) == plan_document(ws.plan)
    assert plan_sha256(preview.plan) == XIAN_SHA256
    back, here = preview.plan, ws.plan
    assert back.categories == here.categories and back.phases == here.phases
    assert back.tasks == here.tasks  # unit columns as published, kinds, project and indicator rows
    assert [(i.group, i.growth) for i in back.indicators] == [(i.group, i.growth) for i in here.indicators]
    assert [(p.goal, [t.quote for t in p.targets]) for p in back.projects] == [
        (p.goal, [t.quote for t in p.targets]) for p in here.projects
    ]
    assert (back.member_units_note, back.corrections) == (here.member_units_note, here.corrections)
    # the city's judgement travels too: kinds of indicator, targets linked to indicators, 校验规则
    assert [i.kind for i in back.indicators] == [i.kind for i in here.indicators]
    assert [t.indicator_seq for p in back.projects for t in p.targets] == [
        t.indicator_seq for p in here.projects for t in p.targets
    ]
    assert back.rules == here.rules and len(back.rules) == 16
    assert ws.plans.save(preview).outcome == "same"


def test_kinds_are_read_or_guessed_targets_linked_and_rules_read_from_their_sheet(ws, tmp_path):
    from ipdesk.domain.indicators import IndicatorKind

    path = _with_indicators(tmp_path / "指标.xlsx", own_units=False)
    book = openpyxl.load_workbook(path)
    book["主要发展指标"].cell(2, 7, "指标类型")
    book["主要发展指标"].cell(3, 7, "存量")  # stated; the second row's kind is left to the name
    projects = book["示范工程"]
    projects.cell(1, 10, "对应指标")
    projects.cell(2, 10, "指标1")
    rules = book.create_sheet("校验规则")
    rules.append(["序号", "左边", "比较", "右边", "提示信息", "重要程度"])
    rules.append([1, "工程1.2", "≤", "工程1.1", "专利导航项目不应多于高价值专利", "提醒"])
    rules.append([2, "指标1", "<=", "100", "拥有量不超过100", "必须"])
    rules.append([3, "指标9", "<=", "100", "没有这个指标", "必须"])
    rules.append([4, "指标1 +", "<=", "100", "写错了", "必须"])
    preview = ws.plans.read(_save(book, path))
    reasons = [r.reason for r in preview.rejected_rows]
    assert len(reasons) == 2 and "不存在的指标9" in reasons[0] and "写法有误" in reasons[1]
    plan = preview.plan
    first, second = plan.indicators
    assert first.kind is IndicatorKind.STOCK and second.kind is None
    assert second.kind_of is IndicatorKind.FLOW  # 质押融资金额: a yearly amount, to be confirmed
    assert any("按名称推断" in note and "知识产权质押融资金额" in note for note in preview.notes)
    assert [t.indicator_seq for t in plan.projects[0].targets] == [1, None]
    assert [(r.left, r.op, r.right, r.importance.value) for r in plan.rules] == [
        ("工程1.2", "<=", "工程1.1", "提醒"),
        ("指标1", "<=", "100", "必须"),
    ]
    ws.plans.save(preview, accept_rejects=True, use=True)
    assert ws.plan.rules == plan.rules and ws.plan.indicators[0].kind is IndicatorKind.STOCK
    assert ws.plan.projects[0].targets[0].indicator_seq == 1


def test_round_trip_of_the_task_list_alone(ws, tmp_path):
    """Without the 方案信息 sheet (what a published task list has), everything a task list says comes back."""
    path = ws.plans.export(tmp_path / "西安.xlsx")
    book = openpyxl.load_workbook(path)
    del book["方案信息"]
    book.save(path)
    preview = ws.plans.read(path, PlanOptions(code="xian-2022-2025", start=dt.date(2022, 7, 1)))
    back, here = plan_document(preview.plan), plan_document(ws.plan)
    for part in ("code", "title", "start_date", "end_date", "units", "tasks", "indicators", "projects"):
        assert back[part] == here[part], part
    assert back["phases"] == [] and back["issuer"] == ""  # not in a task list


def test_a_code_the_returns_could_not_carry_is_refused_with_the_task_list(ws, tmp_path):
    """Returns and feedback files carry the plan's code, and the city refuses one that is not letters, digits and
    - _ . — so the task list is refused when it is read, not its first return at the city office."""
    path = _chengdu(tmp_path / "成都.xlsx")
    with pytest.raises(InvalidInput, match="方案代码“成都2026-2030”中有不能用于代码的字符“成”"):
        ws.plans.read(path, PlanOptions(code="成都2026-2030"))
    assert ws.plans.read(path, PlanOptions(code="chengdu-2026-2030")).plan.code == "chengdu-2026-2030"


def test_an_integer_of_hundreds_of_digits_in_a_cell_is_judged_as_text_not_a_traceback(ws, tmp_path):
    path = _chengdu(tmp_path / "成都.xlsx")
    book = openpyxl.load_workbook(path)
    book["任务清单"]["E4"] = 987654321  # 配合单位 of task 1, made 600 digits long in the file's XML
    book.save(path)
    replace_in_sheet_xml(path, b"<v>987654321</v>", b"<v>" + b"9" * 600 + b"</v>")
    assert openpyxl.load_workbook(path)["任务清单"]["E4"].value == 10**600 - 1  # a Python int, as openpyxl reads it
    with pytest.raises(InvalidInput, match="过长（600 个字符"):
        ws.plans.read(path)

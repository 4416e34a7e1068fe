"""Writing a plan as a task-list workbook that ``task_list.read_book`` reads back as the same plan.

Sheets: 任务清单 (the published columns, categories and names merged as in the published table, unit columns as
published: 各区县政府 stays 各区县政府), 主要发展指标, 示范工程 (each numeric target on its own row) and 方案信息 (name,
code, city, issuer, dates, report title, phases, notes). A city can start its own plan from this layout.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ipdesk.domain.indicator_table import MEASURES
from ipdesk.domain.plan import Plan

TASK_HEADERS = ("序号", "任务类别", "任务名称", "任务内容", "责任单位", "协作单位")
INDICATOR_HEADERS = (
    "序号",
    "类别",
    "指标",
    "单位",
    "{base}年基数",
    "{target}年目标",
    "年均预增",
    "责任单位",
    "协作单位",
    "指标类型",
)
PROJECT_HEADERS = (
    "工程编号",
    "工程名称",
    "工程目标",
    "目标",
    "目标值",
    "单位",
    "口径",
    "责任单位",
    "原文",
    "对应指标",
)
RULE_HEADERS = ("序号", "左边", "比较", "右边", "提示信息", "重要程度")
PHASE_HEADERS = ("阶段序号", "阶段名称", "起始月份", "截止月份")


def write_task_list(plan: Plan, target: Path) -> None:
    import openpyxl
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = openpyxl.Workbook()
    tasks = workbook.active
    assert isinstance(tasks, Worksheet)  # a new workbook comes with one worksheet
    tasks.title = "任务清单"
    _task_sheet(tasks, plan)
    if plan.indicators:
        _indicator_sheet(workbook.create_sheet("主要发展指标"), plan)
    if plan.projects:
        _project_sheet(workbook.create_sheet("示范工程"), plan)
    if plan.rules:
        _rule_sheet(workbook.create_sheet("校验规则"), plan)
    _info_sheet(workbook.create_sheet("方案信息"), plan)
    workbook.properties.creator = "ipdesk"
    workbook.properties.title = plan.task_list_title
    workbook.save(target)


def _number(value: float | None) -> float | int | str:
    if value is None:
        return "—"
    return int(value) if float(value).is_integer() else value


def _style(sheet, headers: int, widths: Iterable[int], title: str) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    widths = list(widths)
    sheet.insert_rows(1)
    sheet.cell(1, 1, title).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(headers, 1))
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    thin = Side(style="thin")
    for row in sheet.iter_rows(min_row=2, max_col=headers):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                cell.data_type = "s"  # text that looks like a formula stays text
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for number, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _merge_runs(sheet, column: int, keys: list[tuple], first_row: int) -> None:
    """Merge the cells of ``column`` over consecutive rows with the same key, as the published table does."""
    start = 0
    for index in range(1, len(keys) + 1):
        if index == len(keys) or keys[index] != keys[start]:
            if index - start > 1:
                sheet.merge_cells(
                    start_row=first_row + start, start_column=column, end_row=first_row + index - 1, end_column=column
                )
            start = index


def _task_sheet(sheet, plan: Plan) -> None:
    extra_headers = list(dict.fromkeys(header for task in plan.tasks for header, _ in task.extra))
    sheet.append([*TASK_HEADERS, *extra_headers])
    for task in plan.tasks:
        extra = dict(task.extra)
        sheet.append(
            [
                task.seq,
                task.category,
                task.name,
                task.content,
                task.lead_text,
                task.coop_text,
                *[extra.get(h, "") for h in extra_headers],
            ]
        )
    _style(
        sheet,
        len(TASK_HEADERS) + len(extra_headers),
        [6, 14, 16, 60, 26, 26, *[14] * len(extra_headers)],
        plan.task_list_title,
    )
    _merge_runs(sheet, 2, [(t.category,) for t in plan.tasks], 3)
    _merge_runs(sheet, 3, [(t.category, t.name) for t in plan.tasks], 3)


def _indicator_sheet(sheet, plan: Plan) -> None:
    base = next((i.baseline_year for i in plan.indicators if i.baseline_year), plan.start_year - 1)
    goal = next((i.target_year for i in plan.indicators), plan.end_year)
    sheet.append([h.format(base=base, target=goal) for h in INDICATOR_HEADERS])
    for i in plan.indicators:
        target: object = _number(i.target)
        if i.target_op == "≥":
            target = f"≥{_number(i.target)}"
        elif i.target_op == "保持" and i.growth_text != "保持":
            target = f"保持{_number(i.target)}"
        own = i.task_seq is None
        sheet.append(
            [
                i.seq,
                i.group,
                i.name,
                i.unit_of_measure,
                _number(i.baseline),
                target,
                i.growth_text,
                "、".join(i.lead_units) if own else "",
                "、".join(i.coop_units) if own else "",
                i.kind.label if i.kind is not None else "",
            ]
        )
    _style(sheet, len(INDICATOR_HEADERS), [6, 10, 34, 8, 12, 12, 14, 24, 24, 10], "主要发展指标")
    _merge_runs(sheet, 2, [(i.group,) for i in plan.indicators], 3)


def _project_sheet(sheet, plan: Plan) -> None:
    sheet.append(list(PROJECT_HEADERS))
    keys = []
    for project in plan.projects:
        rows = project.targets or (None,)
        for target in rows:
            value = ""
            if target is not None:
                value = ("" if target.op == "=" else target.op) + str(_number(target.value))
            sheet.append(
                [
                    project.no,
                    project.name,
                    project.goal,
                    target.name if target else "",
                    value,
                    target.unit_of_measure if target else "",
                    MEASURES.get(target.measure, target.measure) if target else "",
                    "、".join(target.owners) if target else "",
                    target.quote if target else "",
                    f"指标{target.indicator_seq}" if target and target.indicator_seq is not None else "",
                ]
            )
            keys.append((project.no,))
    _style(sheet, len(PROJECT_HEADERS), [8, 22, 50, 28, 10, 8, 12, 24, 40, 10], "示范工程及其量化目标")
    for column in (1, 2, 3):
        _merge_runs(sheet, column, keys, 3)


def _rule_sheet(sheet, plan: Plan) -> None:
    from ipdesk.domain.validation import OPS

    sheet.append(list(RULE_HEADERS))
    for rule in plan.rules:
        sheet.append([rule.seq, rule.left, OPS[rule.op][1], rule.right, rule.message, rule.importance.value])
    _style(
        sheet,
        len(RULE_HEADERS),
        [6, 24, 8, 24, 50, 10],
        "校验规则（左边 比较 右边；必须：不满足不能提交，提醒：提示核对）",
    )


def _info_sheet(sheet, plan: Plan) -> None:
    from openpyxl.styles import Alignment, Font

    rows = [
        ("方案名称", plan.title),
        ("方案代码", plan.code),
        ("城市", plan.city),
        ("发文单位", plan.issuer),
        ("印发日期", plan.issued_on.isoformat() if plan.issued_on else ""),
        ("实施起始日期", plan.start_date.isoformat()),
        ("实施截止日期", plan.end_date.isoformat()),
        ("报表标题", plan.report_title),
        ("任务清单标题", plan.task_list_title),
        ("成员单位说明", plan.member_units_note),
        *[("更正说明", text) for text in plan.corrections],
    ]
    sheet.append(["项目", "内容"])
    for key, value in rows:
        if value:
            sheet.append([key, value])
    sheet.append([])
    sheet.append(list(PHASE_HEADERS))
    for phase in plan.phases:
        sheet.append([phase.seq, phase.name, phase.start_month, phase.end_month])
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 90

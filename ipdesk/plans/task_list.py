"""Reading a task-list workbook (任务清单) as published by a city: which sheet holds what, and its rows as text.

Columns are found by their headers, with the synonyms cities use (序号; 任务类别/类别/重点任务; 任务名称; 任务内容/具体
任务/工作措施/主要内容; 责任单位/牵头单位; 协作单位/配合单位/参与单位); other columns (完成时限 …) are kept as they are.
Title rows above the header are read for the list's title and skipped; a header split over two rows (责任单位 over
牵头 and 配合) is joined; merged cells count for every row they cover, and a blank category or task name is carried
down from the row above; a row that only names a category (一、推进知识产权高质量创造) starts that category; notes
below the table (备注：…) are kept as notes. A second sheet 主要发展指标 (序号/指标/单位/基数/目标/年均预增), a sheet
of demonstration projects and their targets (示范工程) and a sheet 方案信息 (the plan's name, code, dates, phases)
are read when present.

Nothing here knows the units: reading the unit columns, and deciding what a row means, is ``plan_builder``'s.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ipdesk.domain.errors import InvalidInput
from ipdesk.plans.sheets import Cell, Grid, header_key, one_line, read_workbook

HEADER_SCAN = 25

TASK_FIELDS = {
    "seq": ("序号", "编号", "序"),
    "category": ("任务类别", "类别", "重点任务", "任务分类", "分类", "类型", "领域", "重点领域", "工作类别"),
    "name": ("任务名称", "名称", "工作任务", "任务事项", "任务", "主要任务", "任务项目", "事项", "工作事项"),
    "content": (
        "任务内容",
        "具体任务",
        "工作措施",
        "主要内容",
        "工作内容",
        "具体措施",
        "主要措施",
        "内容",
        "任务措施",
        "具体工作",
        "工作举措",
        "具体内容",
        "重点工作",
    ),
    "lead": ("责任单位", "牵头单位", "牵头部门", "责任部门", "主责单位", "牵头责任单位", "牵头", "责任"),
    "coop": (
        "协作单位",
        "配合单位",
        "参与单位",
        "协办单位",
        "配合部门",
        "协作部门",
        "参与部门",
        "配合",
        "协作",
        "参与",
    ),
}
INDICATOR_FIELDS = {
    "seq": ("序号", "编号"),
    "group": ("类别", "分类", "指标类别", "领域", "一级指标", "维度", "类型"),
    "name": ("指标", "指标名称", "主要指标", "指标内容", "二级指标", "具体指标", "主要发展指标"),
    "unit": ("单位", "计量单位", "指标单位"),
    "baseline": ("基数", "基期值", "现状值", "基准值", "基期", "现状", "基础值", "基数值"),
    "target": ("目标", "目标值", "预期目标", "规划目标", "目标任务"),
    "growth": ("年均预增", "年均增长", "年均增速", "年均增幅", "年均增长率", "年均预期增长", "年均增长(%)"),
    "nature": ("属性", "指标属性", "性质"),
    "kind": ("指标类型", "数据类型", "数值类型", "流量存量", "指标口径"),
    "lead": TASK_FIELDS["lead"],
    "coop": TASK_FIELDS["coop"],
}
PROJECT_FIELDS = {
    "no": ("工程编号", "编号", "序号", "工程序号"),
    "project": ("工程名称", "示范工程", "工程", "示范工程名称"),
    "goal": ("工程目标", "总体目标", "建设目标", "工程内容"),
    "target": ("目标", "目标名称", "量化目标", "具体目标", "指标", "量化指标", "目标内容"),
    "value": ("目标值", "数值", "数量", "目标数", "量化值"),
    "unit": ("单位", "计量单位"),
    "measure": ("口径", "计量方式", "统计口径", "考核口径", "目标口径"),
    "lead": TASK_FIELDS["lead"],
    "quote": ("原文", "依据", "方案原文", "出处", "原文表述"),
    "indicator": ("对应指标", "关联指标", "同一指标", "对应主要指标", "对应指标序号"),
}
RULE_FIELDS = {
    "seq": ("序号", "规则序号", "编号"),
    "left": ("左边", "左式", "左边表达式", "左侧表达式", "表达式左边"),
    "op": ("比较", "比较符", "运算符", "关系", "比较关系"),
    "right": ("右边", "右式", "右边表达式", "右侧表达式", "表达式右边"),
    "message": ("提示", "提示信息", "校验说明", "说明", "规则说明"),
    "importance": ("重要程度", "重要性", "级别", "类型"),
}
PHASE_FIELDS = {
    "seq": ("阶段序号", "序号"),
    "name": ("阶段名称", "阶段"),
    "start": ("起始月份", "开始月份", "起始", "开始"),
    "end": ("截止月份", "结束月份", "截止", "结束"),
}
INFO_KEYS = {
    "title": ("方案名称", "方案", "名称"),
    "code": ("方案代码", "代码"),
    "city": ("城市",),
    "issuer": ("发文单位", "印发单位"),
    "issued_on": ("印发日期", "发文日期"),
    "start": ("实施起始日期", "起始日期", "开始日期", "实施开始日期"),
    "end": ("实施截止日期", "截止日期", "结束日期", "实施结束日期"),
    "report_title": ("报表标题", "进展情况表标题"),
    "task_list_title": ("任务清单标题",),
    "member_units_note": ("成员单位说明",),
    "corrections": ("更正说明", "更正"),
}
# Contained words that decide a unit column whose header is longer than a synonym (牵头单位（责任单位）…).
_UNIT_WORDS = (("牵头", "lead"), ("配合", "coop"), ("协作", "coop"), ("参与", "coop"), ("责任单位", "lead"))
_YEAR_HEADER = re.compile(r"^(\d{4})年?(?:年底|年末|底|末)?(基数|现状值?|基期值?|基准值|基础值|目标值?|预期值?|值)?$")
_NUMBERING = re.compile(
    r"^(?:[（(]?[一二三四五六七八九十]+[)）、.．]|第[一二三四五六七八九十]+部分|[（(]\d+[)）]|\d+[、.．](?!\d))\s*"
)
_NOTE = re.compile(r"^(备注|注|说明|附注)\s*[:：]?")


@dataclass(frozen=True)
class RejectedRow:
    """A row that cannot be read, with its sheet, its row number in the sheet and why."""

    sheet: str
    row: int
    reason: str

    def to_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "reason": self.reason}


@dataclass(frozen=True)
class SourceRow:
    sheet: str
    row: int
    fields: dict[str, str]
    extra: tuple[tuple[str, str], ...] = ()

    def get(self, name: str) -> str:
        return self.fields.get(name, "")


@dataclass
class Book:
    """What a task-list workbook holds, as text rows ready to be understood."""

    path: Path
    sha256: str
    title: str = ""
    task_sheet: str = ""
    tasks: list[SourceRow] = field(default_factory=list)
    indicator_sheet: str = ""
    indicators: list[SourceRow] = field(default_factory=list)
    indicator_years: tuple[int | None, int | None] = (None, None)
    project_sheet: str = ""
    projects: list[SourceRow] = field(default_factory=list)
    info: dict[str, list[str]] = field(default_factory=dict)
    phases: list[SourceRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rule_sheet: str = ""
    rules: list[SourceRow] = field(default_factory=list)

    def info_value(self, key: str) -> str:
        values = self.info.get(key) or [""]
        return values[0]


@dataclass(frozen=True)
class Header:
    index: int  # position of the header's (last) row in ``grid.rows``
    columns: dict[str, int]  # field → column (0-based)
    extra: dict[int, str]  # other headed columns: column → header text
    title: str  # the text above the header
    years: tuple[int | None, int | None] = (None, None)


def read_book(path: Path) -> Book:
    """Read the workbook at ``path``; ``InvalidInput`` when it holds no task list at all."""
    path = Path(path)
    grids = read_workbook(path)
    book = Book(path, hashlib.sha256(path.read_bytes()).hexdigest())
    for grid in grids:
        if not grid.rows:
            continue
        if _is_info(grid):
            if not book.info:
                _read_info(grid, book)
            continue
        rule_header = _find_header(grid, RULE_FIELDS, _rule_header)
        if rule_header and not book.rule_sheet:
            book.rule_sheet = grid.name
            for row, cells in grid.rows[rule_header.index + 1 :]:
                texts = _texts(cells, rule_header.columns)
                if any(v.strip() for v in texts.values()):
                    book.rules.append(SourceRow(grid.name, row, texts))
            continue
        indicator_header = _find_header(grid, INDICATOR_FIELDS, _indicator_header)
        if indicator_header and not book.indicator_sheet:
            _read_indicators(grid, indicator_header, book)
            continue
        task_header = _find_header(grid, TASK_FIELDS, _task_header)
        if task_header:
            if book.task_sheet:
                book.notes.append(f"工作表“{grid.name}”也像任务清单，未读取（只读取第一张：“{book.task_sheet}”）")
            else:
                _read_tasks(grid, task_header, book)
            continue
        project_header = _find_header(grid, PROJECT_FIELDS, _project_header)
        if project_header and not book.project_sheet:
            _read_projects(grid, project_header, book)
    if not book.task_sheet:
        raise InvalidInput(
            f"“{path.name}”中找不到任务清单：应有一行表头，含“任务内容”（或“具体任务”“工作措施”“主要内容”、"
            "“任务名称”）和“责任单位”（或“牵头单位”）等列"
        )
    return book


# -- headers ----------------------------------------------------------------------------------------------------
def _field_of(text: str, fields: dict[str, tuple[str, ...]]) -> str | None:
    key = header_key(text)
    if not key:
        return None
    bare = re.sub(r"\([^)]*\)", "", key) or key
    for name, synonyms in fields.items():
        if key in synonyms or bare in synonyms:
            return name
    if "lead" in fields:
        for word, name in _UNIT_WORDS:
            if word in bare and name in fields:
                return name
    return None


def _task_header(found: dict[str, int]) -> bool:
    return "lead" in found and ("content" in found or "name" in found)


def _rule_header(found: dict[str, int]) -> bool:
    return all(name in found for name in ("left", "op", "right", "message"))


def _indicator_header(found: dict[str, int]) -> bool:
    return "name" in found and "target" in found


def _project_header(found: dict[str, int]) -> bool:
    return "project" in found and ("value" in found or "target" in found)


def _find_header(
    grid: Grid, fields: dict[str, tuple[str, ...]], accept: Callable[[dict[str, int]], bool]
) -> Header | None:
    for index, (_row, cells) in enumerate(grid.rows[:HEADER_SCAN]):
        columns, extra, years = _map_row(cells, fields)
        if not accept(columns):
            continue
        last = index
        if index + 1 < len(grid.rows):  # a second header row under merged headers: 责任单位 over 牵头 | 配合
            header_row = grid.rows[index][0]
            below = [Cell("") if c.merged_top == header_row else c for c in grid.rows[index + 1][1]]
            sub, _, sub_years = _map_row(below, fields)
            filled = [c for c in below if not c.empty]
            if sub and len(sub) + len([y for y in sub_years if y]) >= len({c.text for c in filled}):
                for name, column in sub.items():
                    for other in [k for k, v in columns.items() if v == column and k != name]:
                        del columns[other]
                    columns[name] = column
                    extra.pop(column, None)
                years = (years[0] or sub_years[0], years[1] or sub_years[1])
                last = index + 1
        title = _title(grid.rows[:index])
        return Header(last, columns, extra, title, years)
    return None


def _map_row(
    cells: list[Cell], fields: dict[str, tuple[str, ...]]
) -> tuple[dict[str, int], dict[int, str], tuple[int | None, int | None]]:
    columns: dict[str, int] = {}
    duplicates: dict[str, list[int]] = {}
    extra: dict[int, str] = {}
    year_columns: list[tuple[int, int, str]] = []
    for column, cell in enumerate(cells):
        if cell.empty:
            continue
        key = header_key(cell.text)
        if "target" in fields and (match := _YEAR_HEADER.match(key)):
            year_columns.append((column, int(match.group(1)), match.group(2) or ""))
            continue
        name = _field_of(cell.text, fields)
        if name is None:
            extra[column] = one_line(cell.text)
        elif name in columns:
            duplicates.setdefault(name, []).append(column)
        else:
            columns[name] = column
    # Two unit columns under one name (牵头单位 and 责任单位, or a merged 责任单位 over two columns).
    if "lead" in duplicates and "coop" not in columns and "coop" in fields:
        first, second = columns["lead"], duplicates["lead"][0]
        if "牵头" in header_key(cells[second].text) and "牵头" not in header_key(cells[first].text):
            first, second = second, first
        columns["lead"], columns["coop"] = first, second
    # 主要指标 merged over the group and the name columns.
    if "name" in duplicates and "group" not in columns and "group" in fields:
        columns["group"], columns["name"] = columns["name"], duplicates["name"][0]
    years: tuple[int | None, int | None] = (None, None)
    if year_columns:
        base = [y for y in year_columns if y[2].startswith(("基", "现状"))]
        goal = [y for y in year_columns if y[2].startswith(("目标", "预期"))]
        bare = sorted((y for y in year_columns if not y[2] or y[2] == "值"), key=lambda y: y[1])
        if not base and len(bare) >= 2:
            base = [bare.pop(0)]
        if not goal and bare:
            goal = [bare.pop(-1)]
        if not base and bare:
            base = [bare.pop(0)]
        if base and "baseline" not in columns:
            columns["baseline"] = base[0][0]
            years = (base[0][1], years[1])
        if goal and "target" not in columns:
            columns["target"] = goal[0][0]
            years = (years[0], goal[0][1])
    return columns, extra, years


def _title(rows: list[tuple[int, list[Cell]]]) -> str:
    """The list's title among the rows above its header (附件 lines left out)."""
    texts = []
    for _row, cells in rows:
        text = next((c.text for c in cells if not c.empty), "")
        line = one_line(text)
        if line and not re.fullmatch(r"附件\d*[:：]?.{0,2}", line) and len(line) > 3:
            texts.append(line)
    preferred = [t for t in texts if re.search(r"清单|方案|计划|任务|指标|工程", t)]
    return (preferred or texts or [""])[0]


# -- rows -------------------------------------------------------------------------------------------------------
def _distinct(cells: list[Cell]) -> list[tuple[int, Cell]]:
    """The non-empty cells of a row, a merged range counted once."""
    seen, result = set(), []
    for column, cell in enumerate(cells):
        if cell.empty:
            continue
        key = (cell.merged_top, cell.text) if cell.merged_width > 1 else (column, cell.text)
        if key not in seen:
            seen.add(key)
            result.append((column, cell))
    return result


def _texts(cells: list[Cell], columns: dict[str, int]) -> dict[str, str]:
    return {name: cells[column].text if column < len(cells) else "" for name, column in columns.items()}


def _extra(cells: list[Cell], header: Header) -> tuple[tuple[str, str], ...]:
    return tuple(
        (title, cells[column].text)
        for column, title in header.extra.items()
        if column < len(cells) and cells[column].text
    )


def _note_or_heading(
    row: int, cells: list[Cell], header: Header, heading_fields: tuple[str, ...]
) -> tuple[str, str] | None:
    """("note", text) for a note under the table, (field, text) for a row that only names a category or task,
    ("skip", "") for a row with nothing of its own (only a merged cell from above, or a bare number)."""
    filled = _distinct(cells)
    if len(filled) != 1:
        return None
    column, cell = filled[0]
    if (cell.merged_top and cell.merged_top != row) or re.fullmatch(r"\d+", cell.text):
        return ("skip", "")
    if _NOTE.match(cell.text):
        return ("note", cell.text)
    spans = cell.merged_width > 1 and cell.merged_width >= max(2, len(header.columns) - 1)
    for name in heading_fields:
        if header.columns.get(name) == column or (spans and name == heading_fields[0]):
            return (name, cell.text)
    if spans or column == header.columns.get("seq"):
        return (heading_fields[0], cell.text)
    return None


def heading_text(text: str) -> str:
    """一、推进知识产权高质量创造 → 推进知识产权高质量创造."""
    return _NUMBERING.sub("", one_line(text)) or one_line(text)


def _read_tasks(grid: Grid, header: Header, book: Book) -> None:
    book.task_sheet, book.title = grid.name, header.title
    category = name = ""
    for row, cells in grid.rows[header.index + 1 :]:
        found = _note_or_heading(row, cells, header, ("category", "name"))
        if found:
            kind, text = found
            if kind == "skip":
                continue
            if kind == "note":
                book.notes.append(f"“{grid.name}”第 {row} 行：{one_line(text)}")
            elif kind == "category":
                category, name = heading_text(text), ""
            else:
                name = one_line(text)
            continue
        texts = _texts(cells, header.columns)
        if texts.get("category"):
            if heading_text(texts["category"]) != category:
                name = ""
            category = heading_text(texts["category"])
        if texts.get("name"):
            name = one_line(texts["name"])
        texts["category"], texts["name"] = category, name
        book.tasks.append(SourceRow(grid.name, row, texts, _extra(cells, header)))


def _read_indicators(grid: Grid, header: Header, book: Book) -> None:
    book.indicator_sheet, book.indicator_years = grid.name, header.years
    group = ""
    for row, cells in grid.rows[header.index + 1 :]:
        found = _note_or_heading(row, cells, header, ("group",))
        if found:
            kind, text = found
            if kind == "skip":
                continue
            if kind == "note":
                book.notes.append(f"“{grid.name}”第 {row} 行：{one_line(text)}")
            else:
                group = heading_text(text)
            continue
        texts = _texts(cells, header.columns)
        if texts.get("group"):
            group = heading_text(texts["group"])
        texts["group"] = group
        book.indicators.append(SourceRow(grid.name, row, texts, _extra(cells, header)))


def _read_projects(grid: Grid, header: Header, book: Book) -> None:
    book.project_sheet = grid.name
    carried: dict[str, str] = {}
    for row, cells in grid.rows[header.index + 1 :]:
        found = _note_or_heading(row, cells, header, ("project",))
        if found and found[0] == "skip":
            continue
        if found and found[0] == "note":
            book.notes.append(f"“{grid.name}”第 {row} 行：{one_line(found[1])}")
            continue
        texts = _texts(cells, header.columns)
        for name in ("no", "project", "goal"):  # a project's cells carry down over its targets
            if texts.get(name):
                if name != "goal" and texts[name] != carried.get(name):
                    carried.pop("goal", None)
                carried[name] = texts[name]
            else:
                texts[name] = carried.get(name, "")
        book.projects.append(SourceRow(grid.name, row, texts))


# -- the plan's own sheet ---------------------------------------------------------------------------------------
def _is_info(grid: Grid) -> bool:
    if header_key(grid.name) in ("方案信息", "方案概况", "基本信息"):
        return True
    keys = [_info_key(cells[0].text) for _row, cells in grid.rows[:12] if cells]
    return sum(1 for k in keys if k) >= 3


def _info_key(text: str) -> str | None:
    key = header_key(text)
    for name, synonyms in INFO_KEYS.items():
        if key in synonyms:
            return name
    return None


def _read_info(grid: Grid, book: Book) -> None:
    phases = _find_header(grid, PHASE_FIELDS, lambda found: {"name", "start", "end"} <= set(found))
    for _row, cells in grid.rows[: len(grid.rows) if phases is None else phases.index]:
        if len(cells) < 2:
            continue
        key = _info_key(cells[0].text)
        if key and cells[1].text:
            book.info.setdefault(key, []).append(cells[1].text)
    if phases:
        for row, cells in grid.rows[phases.index + 1 :]:
            texts = _texts(cells, phases.columns)
            if any(texts.values()):
                book.phases.append(SourceRow(grid.name, row, texts))

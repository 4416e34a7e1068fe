"""The signed view and the signed return are one set of facts (``docs/return-format.md`` § 4.4).

A format-2 workbook carries two signed texts: the return (what the city counts) and the view (what a reader of the
workbook sees). Both are signed by the unit's key, so checking each against its signature says only that neither
changed after signing; a unit's own key can sign a view that shows 已完成 100% beside a return that says 推进中 91%.
This module checks, cell by cell, that the view shows exactly what the return says.

The rule reads columns by their headers, not by position, so that every layout a release has printed format 2 in
is checked alike (release 0.2 had 任务类别 and 本单位角色 columns, one line of who and when, no category rows; later
releases group tasks under category rows): each table sheet has a header row starting 序号 (or 示范工程); every
header is a column the mapping knows; every row under it is an entry of the return (by its 序号), a group heading,
or, after the last entry, the form's closing lines; every cell of an entry shows the field its column names, as the
mapping writes it; the texts above and below the table name the return's unit, version, clerk, reviewer and dates
and nothing else.

Only signed data is read here (the view and the return), so the check does not depend on how the workbook's file is
read; that the file still shows the view is checked separately (``workbook_view.compare``).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ipdesk.reports.cell_names import column_letter
from ipdesk.reports.cell_names import range_bounds as range_boundaries
from ipdesk.reports.layout import EMPTY_TEXTS, LIGHT_FILLS, carried_text, progress_text, spaced_hash, task_content_text
from ipdesk.reports.snapshot import EvidenceLine, IndicatorLine, ReportSnapshot, TargetLine, TaskLine
from ipdesk.reports.table_model import _parse_format, format_value
from ipdesk.signing.workbook_view import shown

FOOTER = "第 &P 页 共 &N 页"  # the page footer every sheet prints
TASKS, INDICATORS, TARGETS, EVIDENCE = "任务进展情况", "主要指标完成情况", "示范工程目标", "佐证材料清单"
TASK_TEXT = "任务内容"  # the plan's full text of the unit's tasks, the last sheet of later workbooks (optional)
HEADINGS = {
    "一、重点任务进展情况",
    "二、主要发展指标完成情况",
    "三、示范工程目标完成情况",
    "附：佐证材料清单",
    "佐证材料清单",
    "附：任务内容（方案原文）",
}
LABELS = ("填报单位（盖章）", "单位负责人（签字）", "填报人", "联系电话", "填报日期", "日期", "版本", "审核人")
_LABEL = re.compile("(" + "|".join(LABELS) + ")：")
_BLANK = re.compile(r"^[_\s\u3000]*$")


@dataclass(frozen=True)
class Disagreement:
    """One place where the signed view shows something the signed return does not say."""

    sheet: str
    where: str  # a cell ("E6"), or what differs ("工作表", "隐藏的行")
    what: str  # which fact: "序号16 完成进度", "表格以外的文字"
    returned: str  # what the return says should be shown
    shown: str  # what the view shows

    @property
    def text(self) -> str:
        place = f"{self.sheet}!{self.where}" if self.sheet else self.where
        what = f"（{self.what}）" if self.what else ""
        return f"{place}{what}：报送数据为{self.returned}，表中显示{self.shown}"


# -- what a cell may show --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Text:
    """A text cell showing exactly one of ``texts`` ("" = an empty cell)."""

    texts: tuple[str, ...]

    def matches(self, cell: list | None) -> bool:
        if cell is None:
            return "" in self.texts
        return cell[1] == "s" and cell[2] in self.texts

    def words(self) -> str:
        return "“" + next((t for t in self.texts if t), "") + "”" if any(self.texts) else "（空）"


@dataclass(frozen=True)
class Number:
    """A number cell showing ``value`` in a plain format: as a percentage of it when ``percent``, with one of the
    allowed literal prefixes and suffixes, and at least the decimals ``value`` has up to ``digits``. Also accepted:
    the same as text (release 0.2 wrote some figures as words: ``≥20``, ``保持30``)."""

    value: float | None
    percent: bool = False
    prefixes: tuple[str, ...] = ("",)
    suffixes: tuple[str, ...] = ("",)
    digits: int = 2

    def _places_needed(self) -> int:
        assert self.value is not None
        shown_value = self.value * 100 if self.percent else self.value
        for places in range(self.digits + 1):
            if math.isclose(round(shown_value, places), round(shown_value, self.digits), abs_tol=1e-9):
                return places
        return self.digits

    def matches(self, cell: list | None) -> bool:
        if self.value is None:
            return cell is None or (cell[1] == "s" and cell[2] in ("—", ""))
        if cell is None:
            return False
        _, kind, value, fmt, _ = cell
        if kind == "s":
            return self._text_matches(str(value))
        if kind != "n" or isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if not math.isfinite(float(value)) or not _close(float(value), self.value):
            return False
        if fmt in ("General", ""):
            return self.prefixes[0] == "" and "" in self.suffixes and not self.percent
        parsed = _parse_format(fmt)
        if parsed is None:
            return False
        prefix, _, places, percent, suffix = parsed
        if percent != self.percent or prefix not in self.prefixes:
            return False
        return suffix in self.suffixes and places >= self._places_needed()

    def _text_matches(self, text: str) -> bool:
        for prefix in self.prefixes:
            for suffix in self.suffixes:
                if text.startswith(prefix) and text.endswith(suffix) and len(text) > len(prefix) + len(suffix):
                    body = text[len(prefix) : len(text) - len(suffix) if suffix else None].replace(",", "")
                    try:
                        number = float(body.rstrip("%")) / (100 if body.endswith("%") else 1)
                    except ValueError:
                        continue
                    assert self.value is not None
                    if body.endswith("%") == self.percent and _close(number, self.value, 1e-4):
                        return True
        return False

    def words(self) -> str:
        if self.value is None:
            return "（空）"
        fmt = ("0." + "0" * self._places_needed() if self._places_needed() else "0") + ("%" if self.percent else "")
        return f"“{self.prefixes[0]}{format_value(self.value, fmt)}{self.suffixes[0]}”"


Expected = Text | Number


def _close(a: float, b: float, relative: float = 1e-9) -> bool:
    return abs(a - b) <= relative * max(1.0, abs(b))


def _text(*texts: str) -> Text:
    return Text(tuple(dict.fromkeys(texts)))


# -- the mapping: header → what the entry's cell shows -------------------------------------------------------
Column = tuple[re.Pattern, str, Expected]  # the header it is found by, its name in messages, what it shows


def _col(header: str, label: str, expected: Expected) -> Column:
    return _header(header), label, expected


@functools.lru_cache(maxsize=256)
def _header(pattern: str) -> re.Pattern:
    """A header's pattern, compiled once (the columns are laid out anew for every entry of every return)."""
    return re.compile(pattern)


def _task_columns(task: TaskLine) -> list[Column]:
    evidence = "\n".join(task.evidence)
    return [
        _col("^序号$", "序号", Number(task.seq, digits=0)),
        _col("^任务类别$", "任务类别", _text(task.category)),
        _col("^任务名称$", "任务名称", _text(task.name)),
        _col(
            "^任务内容$",
            "任务内容",
            _text(task.content, task_content_text(task), task_content_text(task, short=True)),
        ),
        _col("^本单位角色$", "本单位角色", _text(task.role_label)),
        _col("^完成状态$", "完成状态", _text(task.status_label)),
        _col("^完成进度$", "完成进度", Number(task.percent, suffixes=("%", ""), digits=1)),
        _col("^预警$", "预警", _text(task.light_label)),
        _col("^工作进展及成效（截至.*）$", "工作进展及成效", _text(task.achievements, progress_text(task))),
        _col("^存在问题$", "存在问题", _text(task.problems, carried_text(task, "problems"))),
        _col("^下步计划$", "下步计划", _text(task.next_steps, carried_text(task, "next_steps"))),
        _col("^佐证材料$", "佐证材料", _text(evidence, "、".join(task.evidence))),
    ]


_OPS = {"≥": "≥", "保持": "保持", ">": ">"}


def _growth(text: str) -> Expected:
    stripped = text.strip()
    if stripped.endswith("%"):
        try:
            return Number(float(stripped.rstrip("%")) / 100, percent=True, digits=3)
        except ValueError:
            pass
    return _text(text or "—", text)


def _indicator_columns(line: IndicatorLine) -> list[Column]:
    note = line.note
    if line.data_source:
        note = f"{note}\n数据来源：{line.data_source}" if note else f"数据来源：{line.data_source}"
    growth = _growth(line.growth_text)
    return [
        _col("^序号$", "序号", Number(line.seq, digits=0)),
        _col("^指标$", "指标", _text(line.name)),
        _col("^单位$", "单位", _text(line.unit_of_measure)),
        _col(r"^\d{4}年基数$", "基数", Number(line.baseline)),
        _col(r"^\d{4}年目标$", "目标", Number(line.target, prefixes=(_OPS.get(line.target_op, ""),))),
        _col("^年均预增$", "年均预增", growth),
        _col(r"^\d{4}年预期值$", "预期值", Number(line.expected)),
        _col("^本期实际值$", "本期实际值", Number(line.actual)),
        _col("^完成率$", "完成率", Number(line.rate, percent=True, digits=1)),
        _col("^预警$", "预警", _text(line.light_label)),
        _col("^说明及数据来源$", "说明及数据来源", _text(note)),
        _col("^说明$", "说明", _text(line.note)),
        _col("^数据来源$", "数据来源", _text(line.data_source)),
    ]


def _target_columns(target: TargetLine) -> list[Column]:
    per_year = ("（每年）",) if target.measure == "per_year" else ("",)
    prefix = "" if target.op == "=" else target.op
    key = f"{target.project_no}-{target.seq}" if target.seq else str(target.project_no)
    return [
        _col("^序号$", "序号", _text(key)),
        _col("^示范工程$", "示范工程", _text(f"工程{target.project_no}：{target.project_name}")),
        _col("^目标$", "目标", _text(target.name)),
        _col("^目标值$", "目标值", Number(target.target, prefixes=(prefix,), suffixes=per_year)),
        _col("^单位$", "单位", _text(target.unit_of_measure)),
        _col("^累计完成$", "累计完成", Number(target.value)),
        _col("^说明$", "说明", _text(target.note)),
        _col("^方案原文$", "方案原文", _text(target.quote)),
    ]


def _evidence_columns(number: int, line: EvidenceLine) -> list[Column]:
    return [
        _col("^序号$", "序号", Number(number, digits=0)),
        _col("^任务序号$", "任务序号", Number(line.task_seq, digits=0)),
        _col("^任务名称$", "任务名称", _text(line.task_name)),
        _col("^文件名$", "文件名", _text(line.file_name)),
        _col("^大小（KB）$", "大小（KB）", Number(round(line.size / 1024, 1), digits=1)),
        _col("^SHA-256$", "SHA-256", _text(spaced_hash(line.sha256), line.sha256)),
    ]


def _task_text_columns(task: TaskLine) -> list[Column]:
    return [
        _col("^序号$", "序号", Number(task.seq, digits=0)),
        _col("^任务名称$", "任务名称", _text(task.name)),
        _col("^任务内容（方案原文）$", "任务内容（方案原文）", _text(task.content)),
    ]


@dataclass(frozen=True)
class SheetRule:
    name: str
    entries: list[tuple[str, list[Column], str]]  # (key, columns, light code)
    groups: set[str]  # group heading texts allowed between entries


def _rules(snapshot: ReportSnapshot, with_task_text: bool = False) -> list[SheetRule]:
    tasks = sorted(snapshot.tasks, key=lambda t: t.seq)
    targets = sorted(snapshot.targets, key=lambda t: (t.project_no, t.seq))
    rules = [
        SheetRule(
            TASKS,
            [(str(t.seq), _task_columns(t), t.light) for t in tasks],
            {t.category for t in tasks},
        ),
        SheetRule(INDICATORS, [(str(i.seq), _indicator_columns(i), i.light) for i in snapshot.indicators], set()),
    ]
    if targets:
        rules.append(
            SheetRule(
                TARGETS,
                [(str(n), _target_columns(t), "") for n, t in enumerate(targets)],
                {f"工程{t.project_no}：{t.project_name}" for t in targets},
            )
        )
    rules.append(
        SheetRule(EVIDENCE, [(str(n), _evidence_columns(n, e), "") for n, e in enumerate(snapshot.evidence, 1)], set())
    )
    if with_task_text:  # each task once, in the plan's order, under its category
        unique = list({t.seq: t for t in tasks}.values())
        rules.append(
            SheetRule(TASK_TEXT, [(str(t.seq), _task_text_columns(t), "") for t in unique], {t.category for t in tasks})
        )
    return rules


# -- checking ----------------------------------------------------------------------------------------------------
def disagreements(view: dict, snapshot: ReportSnapshot) -> list[Disagreement]:
    """Every way the signed view differs from what the signed return says, the first (in sheet, row and column
    order) first. Raises ``KeyError``/``TypeError``/``ValueError`` on a view that is not made as § 4.2 says."""
    described = [sheet for sheet in view["sheets"] if "cells" in sheet]
    # the 任务内容 sheet (the plan's text the form shortens) is there in later workbooks, last
    rules = _rules(snapshot, with_task_text=bool(described) and described[-1]["name"] == TASK_TEXT)
    found: list[Disagreement] = []
    names, wanted = [s["name"] for s in described], [r.name for r in rules]
    if names != wanted:
        found.append(Disagreement("", "工作表", "", "、".join(wanted), "、".join(names) or "（无）"))
    if view.get("objects"):
        found.append(Disagreement("", "其他内容", "", "无", "、".join(view["objects"])))
    by_name = {s["name"]: s for s in described}
    for rule in rules:
        sheet = by_name.get(rule.name)
        if sheet is not None:
            found += _sheet(sheet, rule, snapshot)
    return found


def _sheet(sheet: dict, rule: SheetRule, snapshot: ReportSnapshot) -> list[Disagreement]:
    name = sheet["name"]
    found = _sheet_settings(sheet, snapshot)
    cells: dict[str, list] = {c[0]: c for c in sheet["cells"]}
    rows: dict[int, dict[int, list]] = {}
    for coordinate, described in cells.items():
        column_number, row_number, *_ = range_boundaries(coordinate)
        rows.setdefault(int(row_number or 0), {})[int(column_number or 0)] = described
    found += _covered(name, sheet.get("merged", []), cells)

    header = next((r for r in sorted(rows) if _plain(rows[r].get(1)) in ("序号", "示范工程")), None)
    if header is None:
        return [*found, Disagreement(name, "表头", "", "“序号”开头的表头", "（找不到）")]
    patterns = [pattern for pattern, _, _ in rule.entries[0][1]] if rule.entries else None
    columns: dict[int, int] = {}  # sheet column → index in an entry's columns
    for number, cell in sorted(rows[header].items()):
        title = _plain(cell) or ""
        index = _column_index(title, rule, patterns)
        if index is None:
            found.append(Disagreement(name, cell[0], "表头", "报送数据中的一项", shown(cell)))
        else:
            columns[number] = index

    body = [r for r in sorted(rows) if r > header]
    entry_rows = [r for r in body if _is_entry(rows[r], rule.name)]
    last = entry_rows[-1] if entry_rows else header
    entries = {key: (columns_of, light) for key, columns_of, light in rule.entries}
    seen: set[str] = set()
    for position, row in enumerate(entry_rows):
        key = _key(rows[row], rule.name, position)
        if key not in entries or key in seen:
            found.append(Disagreement(name, f"A{row}", "行", "（报送数据中没有此行）", shown(rows[row].get(1))))
            continue
        seen.add(key)
        expected, light = entries[key]
        found += _entry_row(name, row, rows[row], columns, expected, light, rule)
    missing = [key for key, _, _ in rule.entries if key not in seen]
    for key in missing:
        found.append(Disagreement(name, "", _entry_name(rule, key), "有此行", "（无）"))
    for row in body:
        if row in entry_rows or row > last:
            continue
        found += _group_row(name, row, rows[row], rule)
    empty = None  # an empty table's one row: （无）, or why it is empty (layout.EMPTY_TEXTS)
    if not entry_rows and body and list(rows[body[0]]) == [1] and rows[body[0]][1][2] in EMPTY_TEXTS:
        empty = body[0]
    outside = [c for r in sorted(rows) if (r < header or r > last) and r != empty for _, c in sorted(rows[r].items())]
    found += _outside(name, outside, snapshot)
    return found


def _entry_name(rule: SheetRule, key: str) -> str:
    if rule.name == TARGETS:
        return f"第 {int(key) + 1} 项目标"
    return f"序号{key}"


def _column_index(title: str, rule: SheetRule, patterns: list[re.Pattern] | None) -> int | None:
    if patterns is None:  # no entries: any header the mapping knows for this sheet
        probe = _probe_patterns(rule.name)
        return 0 if any(p.match(title) for p in probe) else None
    return next((i for i, pattern in enumerate(patterns) if pattern.match(title)), None)


def _probe_patterns(sheet: str) -> list[re.Pattern]:
    from ipdesk.reports.snapshot import EvidenceLine as E
    from ipdesk.reports.snapshot import IndicatorLine as I
    from ipdesk.reports.snapshot import TargetLine as G
    from ipdesk.reports.snapshot import TaskLine as T

    probes = {
        TASKS: lambda: _task_columns(T("", 1, "", "", "", "lead", "", None, 0.0, "none", "", "", "")),
        INDICATORS: lambda: _indicator_columns(
            I("", 1, "", "", "lead", None, None, 0.0, "=", 2025, "", None, None, None, "none", "", "")
        ),
        TARGETS: lambda: _target_columns(G("", 1, "", "", 0.0, "=", "", "cumulative", None, "", "")),
        TASK_TEXT: lambda: _task_text_columns(T("", 1, "", "", "", "lead", "", None, 0.0, "none", "", "", "")),
        EVIDENCE: lambda: _evidence_columns(1, E("", 1, "", "", 0, "")),
    }
    return [pattern for pattern, _, _ in probes[sheet]()]


def _plain(cell: list | None) -> str | None:
    """A text cell's text as a reader reads a header (line breaks are where the column wraps it)."""
    if cell is None or cell[1] != "s":
        return None
    return str(cell[2]).replace("\n", "")


_TARGET_KEY = re.compile(r"^\d+(-\d+)?$")


def _is_entry(row: dict[int, list], sheet: str) -> bool:
    first = row.get(1)
    if first is None:
        return False
    if first[1] == "n" and not isinstance(first[2], bool):
        return True
    if sheet == TARGETS and first[1] == "s":
        text = str(first[2])
        return bool(_TARGET_KEY.match(text)) or (text.startswith("工程") and len(row) > 1)
    return False


def _key(row: dict[int, list], sheet: str, position: int) -> str:
    if sheet == TARGETS:
        return str(position)  # targets are listed in the plan's order, by project and number
    value = row[1][2]
    return str(int(value)) if isinstance(value, (int, float)) and float(value).is_integer() else f"?{value}"


def _entry_row(
    sheet: str,
    row: int,
    cells: dict[int, list],
    columns: dict[int, int],
    expected: list[Column],
    light: str,
    rule: SheetRule,
) -> list[Disagreement]:
    found = []
    key = str(cells[1][2])
    for number in sorted(set(columns) | set(cells)):
        cell = cells.get(number)
        index = columns.get(number)
        where = cell[0] if cell is not None else f"{_letter(number)}{row}"
        if index is None:
            found.append(Disagreement(sheet, where, f"序号{key}", "（空）", shown(cell)))
            continue
        _, title, wanted = expected[index]
        look = f"fill={LIGHT_FILLS[light]}" if title == "预警" and light in LIGHT_FILLS else ""
        if not wanted.matches(cell) or (cell is not None and cell[4] != look):
            words = wanted.words() + (f"（底色 {LIGHT_FILLS[light]}）" if look else "")
            found.append(Disagreement(sheet, where, f"序号{key} {title}", words, shown(cell)))
    return found


def _letter(number: int) -> str:
    return column_letter(number)


def _group_row(sheet: str, row: int, cells: dict[int, list], rule: SheetRule) -> list[Disagreement]:
    first = cells.get(1)
    text = first[2] if first is not None and first[1] == "s" else None
    if len(cells) == 1 and text in rule.groups:
        return []
    return [Disagreement(sheet, c[0], "分组标题", "报送数据中的类别", shown(c)) for c in cells.values()][:1]


def _outside(sheet: str, cells: Iterable[list], snapshot: ReportSnapshot) -> list[Disagreement]:
    """Texts above and under the table: the title, headings, notes, and lines of who and when that name the
    return's own facts. Each sheet names the unit and the version."""
    h = snapshot.header
    title = h.form_title + ("（示例数据）" if h.sample else "")
    facts = {
        "填报单位（盖章）": {h.unit_line},
        "填报人": {h.clerk, ""},
        "联系电话": {h.phone, ""},
        "填报日期": {h.fill_date},
        "日期": {h.fill_date},
        "版本": {f"v{h.version}（{h.status_label}）"},
        "审核人": {h.signed_by, h.reviewer},
        "单位负责人（签字）": {""},
    }
    found = []
    named: set[str] = set()
    for cell in cells:
        text = str(cell[2]) if cell[1] == "s" else None
        if text is None:
            found.append(Disagreement(sheet, cell[0], "表格以外", "（无此内容）", shown(cell)))
            continue
        if text == title or text in HEADINGS or text == "填表说明：":
            continue
        if re.match(r"^\d+\. ", text):
            if "截至" in text and f"截至{h.cutoff}" not in text:
                found.append(Disagreement(sheet, cell[0], "填表说明", f"截至{h.cutoff}", shown(cell)))
            continue
        parts = _LABEL.split(text)
        if parts[0].strip(" \u3000") or len(parts) < 3:
            found.append(Disagreement(sheet, cell[0], "表格以外的文字", "（无此内容）", shown(cell)))
            continue
        for label, value in zip(parts[1::2], parts[2::2], strict=True):
            value = value.strip(" \u3000")
            allowed = facts[label]
            if value not in allowed and not (_BLANK.match(value) and "" in allowed):
                wanted = next((v for v in allowed if v), "（空）")
                found.append(Disagreement(sheet, cell[0], label, f"“{wanted}”", shown(cell)))
                break
            named.add(label)
    for label in ("填报单位（盖章）", "版本"):
        if label not in named:
            wanted = next(iter(facts[label]))
            found.append(Disagreement(sheet, "", label, f"“{label}：{wanted}”", "（无）"))
    return found


def _sheet_settings(sheet: dict, snapshot: ReportSnapshot) -> list[Disagreement]:
    """What makes a sheet show less than its cells: hidden, hidden rows or columns, conditional formats, a print
    area, headers and footers other than the page number and the sample mark."""
    name = sheet["name"]
    found = []
    if sheet["state"] != "visible":
        found.append(Disagreement(name, "工作表显示", "", "显示", "隐藏"))
    for key, label in (
        ("hidden_rows", "隐藏的行"),
        ("hidden_columns", "隐藏的列"),
        ("conditional_formats", "条件格式"),
    ):
        if sheet.get(key):
            found.append(Disagreement(name, label, "", "无", "、".join(str(v) for v in sheet[key])))
    area = next((p for p in sheet.get("print", []) if p.startswith("area=")), "area=")
    if area != "area=":
        found.append(Disagreement(name, "打印区域", "", "整张表", area.removeprefix("area=")))
    allowed = {FOOTER, "示例数据" if snapshot.header.sample else FOOTER}
    for part in sheet.get("header_footer", []):
        if part.startswith("pages:"):
            continue
        text = part.split(":", 1)[1].split("|", 1)[0] if ":" in part else part
        if text not in allowed:
            found.append(Disagreement(name, "页眉页脚", "", "页码和标记", f"“{part}”"))
    return found


def _covered(sheet: str, merged: list[str], cells: dict[str, list]) -> list[Disagreement]:
    """Cells with content hidden under a merged range (only a range's first cell is shown)."""
    found: list[Disagreement] = []
    ranges = []
    for text in merged:
        low_column, low_row, high_column, high_row = range_boundaries(text)
        ranges.append((text, low_column or 1, low_row or 1, high_column or 16384, high_row or 1048576))
    for coordinate, cell in cells.items():
        column, row, *_ = range_boundaries(coordinate)
        for text, c1, r1, c2, r2 in ranges:
            if c1 <= (column or 0) <= c2 and r1 <= (row or 0) <= r2 and (column, row) != (c1, r1):
                found.append(Disagreement(sheet, coordinate, f"被合并单元格{text}遮住", "可以看见", shown(cell)))
                break
    return found

"""What a value from outside may be before it is used: the bounds every reader of files checks, each refusal in
Chinese naming the field and, for text, the position.

Files from outside (returns, feedback files, plan files, task lists, rosters, rules files, certificates) and typed
text are data, never trusted
to fit the database: a version 0 would break a CHECK constraint and a version 2⁶³ overflow SQLite's integers; a NUL
byte or another control character cannot be written to a workbook (openpyxl refuses it) and hides text on screen.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ipdesk.domain.plan import Plan

MAX_VERSION = 9999  # a report's versions: a unit signs a period a handful of times
MAX_SEQ = 100_000  # numbers of tasks, indicators, projects and targets
MAX_YEAR, MIN_YEAR = 2200, 1900
MAX_NUMBER = 1e15  # any figure (a count, an amount in 亿元, a percentage)
MAX_TEXT = 20_000  # characters of one text: a task's progress is a few hundred
MAX_NAME = 500  # characters of a name (a unit, a task, a file)
MAX_CODE = 100  # characters of a code (a plan's, a unit's)
MAX_CONTACT = 40  # characters of a contact person or a phone number
PHONE_CHARACTERS = frozenset("0123456789０１２３４５６７８９-－+＋()（） 转,，、/")

# Control characters other than tab, line feed and carriage return (which text may hold); also the Unicode
# non-characters U+FFFE/U+FFFF that XML (and so a workbook) cannot carry.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def control_character(text: str) -> tuple[int, str] | None:
    """The first control character in ``text`` as (1-based position, its code "U+0000"), or None."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    return found.start() + 1, f"U+{ord(found.group()):04X}"


def text_problem(text: object, field: str, limit: int = MAX_TEXT) -> str:
    """Why ``text`` cannot be taken as the text of ``field`` ("" when it can): not text, too long, or holding a
    control character (named with its position)."""
    if not isinstance(text, str):
        return f"{field}应为文字"
    if len(text) > limit:
        return f"{field}过长（{len(text)} 个字符，最多 {limit} 个）"
    found = control_character(text)
    if found is not None:
        position, code = found
        return f"{field}的第 {position} 个字符是控制字符（{code}），不能使用"
    return ""


def whole_number_problem(value: object, field: str, low: int, high: int) -> str:
    """Why ``value`` is not a whole number from ``low`` to ``high`` ("" when it is)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{field}应为整数"
    if not low <= value <= high:
        shown = str(value) if len(str(value)) <= 24 else f"{str(value)[:20]}…"
        return f"{field} {shown} 不在 {low}–{high} 之内"
    return ""


def number_problem(value: object, field: str, low: float = -MAX_NUMBER, high: float = MAX_NUMBER) -> str:
    """Why ``value`` is not a finite number from ``low`` to ``high`` ("" when it is; None is for the caller)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{field}应为数字"
    try:
        number = float(value)
    except OverflowError:
        return f"{field}超出范围"
    if not math.isfinite(number):
        return f"{field}不是有限的数字"
    if not low <= number <= high:
        return f"{field} {number:g} 不在 {low:g}–{high:g} 之内"
    return ""


def version_problem(value: object, field: str = "版本号") -> str:
    return whole_number_problem(value, field, 1, MAX_VERSION)


def timestamp_problem(value: object, field: str, required: bool = True) -> str:
    """Why ``value`` is not an ISO 8601 date and time (2025-11-24T20:33:55+08:00) within the years data may name
    ("" when it is; an empty value is a problem only when ``required``)."""
    if value in (None, "") and not required:
        return ""
    if not isinstance(value, str):
        return f"{field}应为日期时间文字"
    if len(value) > 64:
        return f"{field}过长（{len(value)} 个字符），不是日期时间"
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return f"{field}“{value[:30]}”不是日期时间（应写成 2025-11-24T20:33:55+08:00 这样）"
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        return f"{field} {value[:30]} 不在 {MIN_YEAR}–{MAX_YEAR} 年之内"
    return ""


def sha256_problem(value: object, field: str) -> str:
    """Why ``value`` is not a SHA-256 written as 64 hexadecimal digits ("" when it is)."""
    if not isinstance(value, str) or len(value) != 64 or any(c not in "0123456789abcdefABCDEF" for c in value):
        return f"{field}应为 64 位十六进制数"
    return ""


def code_problem(value: object, field: str, required: bool = True) -> str:
    """Why ``value`` is not a code (of a plan, a unit): letters, digits and - _ . only, within ``MAX_CODE``."""
    if value in (None, "") and not required:
        return ""
    if not isinstance(value, str) or not value:
        return f"{field}应为非空的文字"
    if len(value) > MAX_CODE:
        return f"{field}过长（{len(value)} 个字符，最多 {MAX_CODE} 个）"
    bad = next((c for c in value if not (c.isascii() and (c.isalnum() or c in "-_."))), None)
    if bad is not None:
        return f"{field}“{value[:30]}”中有不能用于代码的字符“{bad if bad.isprintable() else f'U+{ord(bad):04X}'}”"
    return ""


def period_problem(value: object, field: str = "报送期") -> str:
    """Why ``value`` is not a period code (2025-11, 2025Q3, 2025H2, 2025) ("" when it is)."""
    from ipdesk.domain.errors import InvalidInput
    from ipdesk.domain.periods import Period

    if not isinstance(value, str) or len(value) > 16:
        return f"{field}应为报送期代码（如 2025-11、2025Q3）"
    try:
        Period.parse(value)
    except InvalidInput:
        return f"{field}“{value}”无法识别（应如 2025-11、2025Q3、2025H2、2025）"
    return ""


def contact_problem(person: object, phone: object) -> str:
    """Why (联系人, 联系电话) cannot be a unit's contact ("" when they can): text within ``MAX_CONTACT`` each, without
    control characters, the phone only of digits and the marks numbers are written with (- + 转 、 …)."""
    problem = text_problem(person, "联系人", MAX_CONTACT) or text_problem(phone, "联系电话", MAX_CONTACT)
    if problem:
        return problem
    assert isinstance(phone, str)
    if phone and not all(ch in PHONE_CHARACTERS for ch in phone):
        return f"联系电话“{phone}”中有不是号码的字符"
    return ""


def plan_problem(plan: Plan) -> str:
    """The first part of ``plan`` that is not valid data, in Chinese naming where ("" when all is): every text
    (titles, names, contents, units) without control characters and within its length, every number finite and every
    sequence number and year within bounds. Checked for every plan from outside (a task list, a plan file) before it
    is shown or saved."""

    def problems() -> Iterator[str]:
        # codes as the returns and feedback files must carry them, so a plan is refused here, not its first return
        yield code_problem(plan.code, "方案代码", required=False)
        for value, field in ((plan.title, "方案名称"), (plan.issuer, "发文单位"),
                             (plan.city, "城市"), (plan.report_title, "报表标题"),
                             (plan.task_list_title, "任务清单标题")):  # fmt: skip
            yield text_problem(value, field, MAX_NAME)
        yield text_problem(plan.member_units_note, "成员单位说明")
        for correction in plan.corrections:
            yield text_problem(correction, "勘误说明")
        for year, field in ((plan.start_year, "起始年份"), (plan.end_year, "结束年份")):
            yield whole_number_problem(year, field, MIN_YEAR, MAX_YEAR)
        for day, field in ((plan.start_date, "起始日期"), (plan.end_date, "结束日期"), (plan.issued_on, "发文日期")):
            if day is not None:
                yield whole_number_problem(day.year, f"{field}的年份", MIN_YEAR, MAX_YEAR)
        for phase in plan.phases:
            yield text_problem(phase.name, "阶段名称", MAX_NAME)
        for unit in plan.units:
            yield text_problem(unit.name, "单位名称", MAX_NAME)
            yield text_problem(unit.short_name, f"单位“{unit.name[:20]}”的简称", MAX_NAME)
            yield code_problem(unit.code, f"单位“{unit.name[:20]}”的代码", required=False)
            yield text_problem(unit.note, f"单位“{unit.name[:20]}”的备注", MAX_NAME)
            for alias in unit.aliases:
                yield text_problem(alias, f"单位“{unit.name[:20]}”的其他名称", MAX_NAME)
        for category in plan.categories:
            yield text_problem(category, "任务类别", MAX_NAME)
        for task in plan.tasks:
            yield whole_number_problem(task.seq, "任务序号", 1, MAX_SEQ)
            where = f"第 {task.seq} 项任务"
            yield text_problem(task.name, f"{where}的名称", MAX_NAME)
            yield text_problem(task.content, f"{where}的内容")
            yield text_problem(task.category, f"{where}的类别", MAX_NAME)
            yield text_problem(task.lead_text, f"{where}的责任单位")
            yield text_problem(task.coop_text, f"{where}的协作单位")
            for unit_name in (*task.lead_units, *task.coop_units):
                yield text_problem(unit_name, f"{where}的单位名称", MAX_NAME)
            for header, text in task.extra:
                yield text_problem(header, f"{where}的列名", MAX_NAME)
                yield text_problem(text, f"{where}的“{header[:10]}”")
        for indicator in plan.indicators:
            yield whole_number_problem(indicator.seq, "指标序号", 1, MAX_SEQ)
            where = f"第 {indicator.seq} 项指标"
            yield text_problem(indicator.name, f"{where}的名称", MAX_NAME)
            yield text_problem(indicator.group, f"{where}的类别", MAX_NAME)
            yield text_problem(indicator.unit_of_measure, f"{where}的计量单位", MAX_NAME)
            yield text_problem(indicator.growth_text, f"{where}的年均预增", MAX_NAME)
            yield text_problem(indicator.kind_note, f"{where}的类型说明")
            for figure, label in ((indicator.baseline, "基数"), (indicator.target, "目标"), (indicator.growth, "增速")):
                if figure is not None:
                    yield number_problem(figure, f"{where}的{label}")
            for at, label in ((indicator.baseline_year, "基数年份"), (indicator.target_year, "目标年份")):
                if at is not None:
                    yield whole_number_problem(at, f"{where}的{label}", MIN_YEAR, MAX_YEAR)
            for unit_name in (*indicator.lead_units, *indicator.coop_units):
                yield text_problem(unit_name, f"{where}的单位名称", MAX_NAME)
        for project in plan.projects:
            yield whole_number_problem(project.no, "示范工程编号", 1, MAX_SEQ)
            yield text_problem(project.name, f"工程{project.no}的名称", MAX_NAME)
            yield text_problem(project.goal, f"工程{project.no}的目标")
            for target in project.targets:
                yield whole_number_problem(target.seq, f"工程{project.no}的目标序号", 0, MAX_SEQ)
                yield text_problem(target.name, f"工程{project.no}的目标名称", MAX_NAME)
                yield text_problem(target.unit_of_measure, f"工程{project.no}的目标计量单位", MAX_NAME)
                yield text_problem(target.quote, f"工程{project.no}的目标原文")
                yield number_problem(target.value, f"工程{project.no}的目标值")
                for owner in target.owners:
                    yield text_problem(owner, f"工程{project.no}的目标单位", MAX_NAME)
        for rule in plan.rules:
            where = f"校验规则第 {rule.seq} 条"
            yield whole_number_problem(rule.seq, "校验规则序号", 0, MAX_SEQ)
            for text, label in ((rule.left, "左边"), (rule.right, "右边"), (rule.message, "提示信息")):
                yield text_problem(text, f"{where}的{label}", MAX_NAME)

    return next((problem for problem in problems() if problem), "")

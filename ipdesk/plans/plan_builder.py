"""From a task-list workbook to a plan: what each row means, which units it names, and what cannot be read.

``build_plan`` never saves anything. It returns a ``PlanImport``: the plan as it would be saved, the rows that
cannot be read (sheet, row number, reason), notes, the fields it had to derive (code, title, city, span, report
title) and the units the roster did not know. The user looks at it, corrects the fields or the kinds of new units
(``PlanOptions``) and builds again, and accepts; the workspace then saves it (``ws.plans.save``).

The rules, the embedded plan's:

* a row whose category is 主要发展指标 is an indicator row when the indicator table has that indicator (its content
  names it, or it has the same number); the indicator's units are then the row's. An indicator table with unit
  columns of its own needs no such row;
* a row whose content (or name) begins ``工程N：`` is demonstration project N;
* a unit column is read against the roster of the plan's city (``domain.unit_lists``); names the roster lacks become
  new units, listed for the user to check;
* a cooperating unit that also leads the task counts as leading it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.indicator_table import (
    read_baseline,
    read_growth,
    read_measure,
    read_project_value,
    read_target,
    split_name_and_unit,
)
from ipdesk.domain.indicators import Indicator, read_kind
from ipdesk.domain.plan import (
    Phase,
    Plan,
    Project,
    ProjectTarget,
    Task,
    TaskKind,
    UnitKind,
    city_of,
    report_title_of,
    span_of,
)
from ipdesk.domain.unit_lists import UnitResolver, normal
from ipdesk.domain.validation import ValidationRule, read_importance, unknown_references
from ipdesk.plans.roster import Roster, with_codes
from ipdesk.plans.sheets import one_line
from ipdesk.plans.task_list import Book, RejectedRow, SourceRow

_PROJECT = re.compile(r"^工程\s*(\d{1,2})\s*[:：]\s*(.*)$", re.S)
_INDICATOR_CATEGORY = re.compile(r"^(主要)?(发展)?指标$|^主要发展指标|^主要指标")
_SEQ = re.compile(r"^[（(]?(\d{1,4})[)）.、．]?$")
_COLLECTIVE_HINT = re.compile(r"各|相关|有关|成员单位")
_MONTH = re.compile(r"^(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})")


@dataclass(frozen=True)
class PlanOptions:
    """What the user gives or corrects before a plan is saved ("" / None: as read or derived)."""

    code: str = ""
    title: str = ""
    city: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    report_title: str = ""
    issuer: str = ""
    kinds: Mapping[str, UnitKind] = field(default_factory=dict)  # kinds of new units, corrected by name


@dataclass
class PlanImport:
    """A plan read from a file, not yet saved: what was read, and what could not be."""

    source: str
    origin: str  # "task_list" or "plan_file"
    plan: Plan | None
    fields: dict[str, str] = field(default_factory=dict)
    rejected_rows: list[RejectedRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # what must be given before it can be saved
    new_units: list[str] = field(default_factory=list)  # units the roster did not know
    sheets: dict[str, str] = field(default_factory=dict)  # task_list / indicators / projects / info → sheet name
    signed_by: str = ""  # a plan file: who published it, when, with which certificate
    published_at: str = ""
    fingerprint: str = ""
    existing: str = ""  # set by the workspace: "" a new plan, "same" already here, "update" a new version
    file_text: str = ""  # a plan file as received, kept with the plan
    cautions: list[str] = field(default_factory=list)  # set by the workspace: saved only once the user confirms

    def to_dict(self) -> dict:
        plan = self.plan
        return {
            "title": plan.title if plan else self.fields.get("title", ""),
            "code": plan.code if plan else self.fields.get("code", ""),
            "tasks": len(plan.tasks) if plan else 0,
            "indicators": len(plan.indicators) if plan else 0,
            "projects": len(plan.projects) if plan else 0,
            "units": [u.name for u in plan.units] if plan else [],
            "new_units": list(self.new_units),
            "rejected_rows": [r.to_dict() for r in self.rejected_rows],
            "missing": list(self.missing),
            "notes": list(self.notes),
            "cautions": list(self.cautions),
        }


def build_plan(book: Book, roster_for: Callable[[str], Roster], options: PlanOptions | None = None) -> PlanImport:
    """The plan ``book`` describes, read against the roster of its city."""
    options = options or PlanOptions()
    result = PlanImport(str(book.path), "task_list", None, notes=list(book.notes))
    result.sheets = {
        name: sheet
        for name, sheet in (
            ("task_list", book.task_sheet),
            ("indicators", book.indicator_sheet),
            ("projects", book.project_sheet),
            ("rules", book.rule_sheet),
            ("info", "方案信息" if book.info else ""),
        )
        if sheet
    }
    fields = _fields(book, options, roster_for)
    result.fields = fields
    roster = roster_for(fields["city"])
    resolver = UnitResolver(roster.units, allow_new=True, kinds=options.kinds)
    resolver.prime(
        (text, f"{row.get('name')}\n{row.get('content')}")
        for row in book.tasks
        for text in (row.get("lead"), row.get("coop"))
        if text and not _COLLECTIVE_HINT.search(text)
    )
    start, end = _date(fields["start"]), _date(fields["end"], last=True)
    reject = result.rejected_rows.append

    tasks = _tasks(book, resolver, reject)
    indicators = _indicators(book, tasks, resolver, reject, result.notes, start, end)
    projects = _projects(book, tasks, resolver, reject, {i.seq: i for i in indicators})
    rules = _rules(book, indicators, projects, reject)
    phases = _phases(book, reject)
    linked = {i.task_seq for i in indicators}
    final_tasks = []
    for task in tasks.values():
        if task.kind is TaskKind.INDICATOR and task.seq not in linked:
            result.notes.append(f"第 {task.seq} 项任务属于“{task.category}”，但指标表中没有对应的指标，按一般任务填报")
            task = replace(task, kind=TaskKind.TASK, indicator_seq=None)
        final_tasks.append(task)
    seq_of_indicator = {i.task_seq: i.seq for i in indicators if i.task_seq is not None}
    final_tasks = [
        replace(t, indicator_seq=seq_of_indicator[t.seq]) if t.seq in seq_of_indicator else t for t in final_tasks
    ]

    used = _used_units(final_tasks, indicators, projects)
    new = [resolver.new_units[name] for name in resolver.new_units if name in used]
    known = [u for u in roster.units if u.name in used]
    units = tuple(
        replace(unit, sort_order=number, aliases=())
        for number, unit in enumerate([*known, *with_codes(new, list(roster.units), roster.city_code)], 1)
    )
    result.new_units = [u.name for u in new]
    if new:
        result.notes.append(
            f"单位名册（{roster.city or '未注明城市'}）中没有 {len(new)} 个单位，将作为新单位加入："
            + "、".join(f"{u.name}（{u.kind.label}）" for u in new)
        )

    for name, label in (
        ("title", "方案名称"),
        ("start", "实施起始日期"),
        ("end", "实施截止日期"),
        ("code", "方案代码"),
    ):
        if not fields[name]:
            result.missing.append(label)
    if fields["start"] and start is None:
        result.missing.append(f"实施起始日期（“{fields['start']}”无法识别）")
    if fields["end"] and end is None:
        result.missing.append(f"实施截止日期（“{fields['end']}”无法识别）")
    if start and end and end < start:
        result.missing.append("实施期（截止日期早于起始日期）")
    if not final_tasks:
        result.missing.append("任务（没有读到任何一项任务）")
    if result.missing:
        return result
    assert start is not None and end is not None
    issued = _date(book.info_value("issued_on"))
    result.plan = Plan(
        code=fields["code"],
        title=fields["title"],
        task_list_title=book.info_value("task_list_title") or book.title or fields["title"],
        issuer=fields["issuer"],
        issued_on=issued,
        start_year=start.year,
        end_year=end.year,
        start_date=start,
        end_date=end,
        source_sha256=book.sha256,
        phases=tuple(phases),
        categories=tuple(dict.fromkeys(t.category for t in final_tasks)),
        units=units,
        tasks=tuple(final_tasks),
        indicators=tuple(indicators),
        projects=tuple(projects),
        member_units_note=book.info_value("member_units_note"),
        corrections=tuple(book.info.get("corrections", ())),
        city=fields["city"],
        report_title=fields["report_title"],
        rules=tuple(rules),
    )
    return result


# -- the plan's own fields --------------------------------------------------------------------------------------
def _fields(book: Book, options: PlanOptions, roster_for: Callable[[str], Roster]) -> dict[str, str]:
    """Code, title, city, span, report title and issuer: given, from the 方案信息 sheet, or derived."""
    title = options.title or book.info_value("title") or _title_from_list(book.title)
    city = options.city or book.info_value("city") or city_of(title) or city_of(book.title)
    years = span_of(title) or span_of(book.title)
    start = options.start.isoformat() if options.start else book.info_value("start")
    end = options.end.isoformat() if options.end else book.info_value("end")
    if not start and years:
        start = f"{years[0]}-01-01"
    if not end and years:
        end = f"{years[1]}-12-31"
    code = options.code or book.info_value("code")
    if not code and start and end:
        roster = roster_for(city)
        prefix = roster.plan_code_prefix or roster.city_code or "plan"
        code = f"{prefix}-{start[:4]}-{end[:4]}"
    return {
        "code": normal(code),
        "title": one_line(title),
        "city": one_line(city),
        "start": start,
        "end": end,
        "report_title": one_line(options.report_title or book.info_value("report_title"))
        or (report_title_of(title) if title else ""),
        "issuer": (options.issuer or book.info_value("issuer")).strip(),
    }


def _title_from_list(list_title: str) -> str:
    """西安市…工作任务清单(2022—2025年) → 西安市…工作方案(2022—2025年)."""
    if not list_title:
        return ""
    return re.sub(r"(工作)?任务清单", lambda m: (m.group(1) or "") + "方案", list_title, count=1)


def _date(text: str, last: bool = False) -> dt.date | None:
    """2022-07-01, 2022年7月1日, 2022/7/1, or a month (2022-07, the first or with ``last`` the last day)."""
    cell = normal(text)
    if not cell:
        return None
    match = re.match(r"^(\d{4})(?:年|-|/|\.)(\d{1,2})(?:月|-|/|\.)?(?:(\d{1,2})日?)?$", cell)
    try:
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if match.group(3):
                return dt.date(year, month, int(match.group(3)))
            if last:
                following = dt.date(year + month // 12, month % 12 + 1, 1)
                return following - dt.timedelta(days=1)
            return dt.date(year, month, 1)
        if re.fullmatch(r"\d{4}年?", cell):
            return dt.date(int(cell[:4]), 12, 31) if last else dt.date(int(cell[:4]), 1, 1)
    except ValueError:
        return None
    return None


# -- rows -------------------------------------------------------------------------------------------------------
def _seq(text: str) -> int | None:
    match = _SEQ.match(normal(text))
    return int(match.group(1)) if match else None


def _content(text: str) -> str:
    return "\n".join(line.strip() for line in (text or "").split("\n") if line.strip())


def _name_from(content: str) -> str:
    """A task list without a name column: the content's first clause stands for its name."""
    first = re.split(r"[。；;，,：:\n]", content, maxsplit=1)[0]
    return one_line(first)[:40] or one_line(content)[:40]


def _tasks(book: Book, resolver: UnitResolver, reject: Callable[[RejectedRow], None]) -> dict[int, Task]:
    tasks: dict[int, Task] = {}
    rows_of: dict[int, int] = {}
    next_seq = 1
    numbered = any("seq" in r.fields for r in book.tasks)
    for row in book.tasks:
        content, name = _content(row.get("content")), row.get("name")
        if not content and not name:
            reject(RejectedRow(row.sheet, row.row, "没有任务内容"))
            continue
        content, name = content or name, name or _name_from(content)
        seq = _seq(row.get("seq")) if numbered and row.get("seq") else None
        if numbered and row.get("seq") and seq is None:
            reject(RejectedRow(row.sheet, row.row, f"序号“{row.get('seq')}”不是数字"))
            continue
        seq = seq if seq is not None else next_seq
        if seq in tasks:
            reject(RejectedRow(row.sheet, row.row, f"序号 {seq} 与第 {rows_of[seq]} 行重复"))
            continue
        lead_text, coop_text = row.get("lead").strip(), row.get("coop").strip()
        if not lead_text:
            reject(RejectedRow(row.sheet, row.row, "没有责任单位"))
            continue
        context = f"{name}\n{content}"
        try:
            lead = resolver.resolve(lead_text, context)
        except InvalidInput as error:
            reject(RejectedRow(row.sheet, row.row, f"责任单位：{error}"))
            continue
        try:
            coop = [u for u in resolver.resolve(coop_text, context) if u not in lead]
        except InvalidInput as error:
            reject(RejectedRow(row.sheet, row.row, f"协作单位：{error}"))
            continue
        project = _PROJECT.match(content) or _PROJECT.match(name)
        category = row.get("category")
        kind = (
            TaskKind.PROJECT
            if project
            else TaskKind.INDICATOR
            if _INDICATOR_CATEGORY.match(category)
            else TaskKind.TASK
        )
        tasks[seq] = Task(
            seq=seq,
            category=category,
            name=name,
            content=content,
            kind=kind,
            lead_text=lead_text,
            coop_text=coop_text,
            lead_units=tuple(lead),
            coop_units=tuple(coop),
            project_no=int(project.group(1)) if project else None,
            indicator_seq=None,
            extra=row.extra,
        )
        rows_of[seq] = row.row
        next_seq = seq + 1
    return dict(sorted(tasks.items()))


def _indicators(
    book: Book,
    tasks: dict[int, Task],
    resolver: UnitResolver,
    reject: Callable[[RejectedRow], None],
    notes: list[str],
    start: dt.date | None,
    end: dt.date | None,
) -> list[Indicator]:
    base_year, target_year = book.indicator_years
    if book.indicators and base_year is None and start is not None:
        base_year = start.year - 1
        notes.append(f"指标表没有注明基数的年份，按 {base_year} 年计")
    if book.indicators and target_year is None and end is not None:
        target_year = end.year
    rows = [t for t in tasks.values() if t.kind is TaskKind.INDICATOR]
    linked: set[int] = set()
    result: list[Indicator] = []
    seqs: dict[int, int] = {}
    for row in book.indicators:
        name, unit = row.get("name"), row.get("unit").strip()
        name = one_line(name)
        if not name:
            if any(v.strip() for k, v in row.fields.items() if k != "group"):
                reject(RejectedRow(row.sheet, row.row, "没有指标名称"))
            continue
        if not unit:
            name, unit = split_name_and_unit(name)
        seq = _seq(row.get("seq")) or (max(seqs, default=0) + 1)
        if seq in seqs:
            reject(RejectedRow(row.sheet, row.row, f"指标序号 {seq} 与第 {seqs[seq]} 行重复"))
            continue
        try:
            baseline = read_baseline(row.get("baseline"), unit)
            growth, growth_text = read_growth(row.get("growth"))
            op, target = read_target(row.get("target"), unit, growth_text, baseline)
            kind = read_kind(row.get("kind"))
        except InvalidInput as error:
            reject(RejectedRow(row.sheet, row.row, f"指标“{name}”：{error}"))
            continue
        if target_year is None:
            reject(RejectedRow(row.sheet, row.row, f"指标“{name}”：不知道目标的年份（请在表头写明，如“2030年目标”）"))
            continue
        owners = _indicator_owners(row, name, seq, rows, linked, resolver)
        if isinstance(owners, str):
            reject(RejectedRow(row.sheet, row.row, f"指标“{name}”：{owners}"))
            continue
        task_seq, lead, coop = owners
        if task_seq is not None:
            linked.add(task_seq)
        seqs[seq] = row.row
        result.append(
            Indicator(
                seq=seq,
                group=row.get("group"),
                name=name,
                unit_of_measure=unit,
                baseline=baseline,
                baseline_year=base_year if baseline is not None else None,
                target=target,
                target_year=target_year,
                target_op=op,
                growth=growth,
                growth_text=growth_text,
                task_seq=task_seq,
                lead_units=lead,
                coop_units=coop,
                kind=kind,
            )
        )
    guessed = [i for i in result if i.kind is None]
    if guessed:
        notes.append(
            "以下指标的类型（年度流量、存量、比率、保持）按名称推断，决定年内各期的预期值，请核对（可在指标表中加"
            "“指标类型”列写明）：" + "；".join(f"指标{i.seq}“{i.name}”：{i.kind_of.label}" for i in guessed)
        )
    return sorted(result, key=lambda i: i.seq)


def _linked_indicator(text: str, indicators: dict[int, Indicator]) -> int | None:
    """The indicator a project target names as the same quantity: 指标5, 5, or the indicator's name."""
    cell = normal(text)
    if not cell:
        return None
    digits = re.fullmatch(r"(?:指标|第)?(\d{1,3})(?:项)?", cell)
    if digits and int(digits.group(1)) in indicators:
        return int(digits.group(1))
    for indicator in indicators.values():
        if normal(indicator.name) == cell:
            return indicator.seq
    raise InvalidInput(f"对应指标“{text}”在指标表中找不到（应写指标序号，如“指标5”，或指标名称）")


def _rules(
    book: Book, indicators: list[Indicator], projects: list[Project], reject: Callable[[RejectedRow], None]
) -> list[ValidationRule]:
    known_indicators = {i.seq for i in indicators}
    known_targets = {(p.no, t.seq) for p in projects for t in p.targets}
    rules: list[ValidationRule] = []
    for row in book.rules:
        seq = len(rules) + 1
        try:
            rule = ValidationRule(
                seq,
                row.get("left"),
                row.get("op"),
                row.get("right"),
                one_line(row.get("message")),
                read_importance(row.get("importance"), seq),
            )
        except InvalidInput as error:
            reject(RejectedRow(row.sheet, row.row, f"校验规则：{error}"))
            continue
        unknown = unknown_references([rule], known_indicators, known_targets)
        if unknown:
            reject(RejectedRow(row.sheet, row.row, "；".join(unknown).replace(f"第{seq}条", "")))
            continue
        rules.append(rule)
    return rules


def _indicator_owners(
    row: SourceRow, name: str, seq: int, rows: list[Task], linked: set[int], resolver: UnitResolver
) -> tuple[int | None, tuple[str, ...], tuple[str, ...]] | str:
    """(task row, lead, coop) of an indicator: its own unit columns, or the task-list row that assigns it."""
    if row.get("lead").strip():
        try:
            lead = resolver.resolve(row.get("lead"), name)
            coop = [u for u in resolver.resolve(row.get("coop"), name) if u not in lead]
        except InvalidInput as error:
            return str(error)
        return None, tuple(lead), tuple(coop)
    free = [t for t in rows if t.seq not in linked]
    key = normal(name)
    match = next((t for t in free if key and key in normal(t.content + t.name)), None)
    match = match or next((t for t in free if t.seq == seq), None)
    if match is None:
        return "没有责任单位（任务清单中没有对应的“主要发展指标”行，指标表中也没有责任单位列）"
    return match.seq, (), ()


def _projects(
    book: Book,
    tasks: dict[int, Task],
    resolver: UnitResolver,
    reject: Callable[[RejectedRow], None],
    indicators: dict[int, Indicator] | None = None,
) -> list[Project]:
    rows_by_no = {t.project_no: t for t in tasks.values() if t.project_no is not None}
    names: dict[int, str] = {}
    goals: dict[int, str] = {}
    targets: dict[int, list[ProjectTarget]] = {}
    for row in book.projects:
        no, title = _project_no(row.get("no"), row.get("project"))
        if no is None:
            reject(
                RejectedRow(row.sheet, row.row, f"无法确定是第几项示范工程（“{row.get('no') or row.get('project')}”）")
            )
            continue
        if title:
            names.setdefault(no, title)
        if row.get("goal"):
            goals.setdefault(no, _content(row.get("goal")))
        target_name = one_line(row.get("target"))
        if not target_name and not row.get("value"):
            continue
        unit = row.get("unit").strip()
        try:
            op, value = read_project_value(row.get("value"), unit)
            measure = read_measure(row.get("measure"))
            indicator_seq = _linked_indicator(row.get("indicator"), indicators or {})
        except InvalidInput as error:
            reject(RejectedRow(row.sheet, row.row, f"工程{no}“{target_name}”：{error}"))
            continue
        task = rows_by_no.get(no)
        try:
            owners = resolver.resolve(row.get("lead"), target_name) if row.get("lead").strip() else []
        except InvalidInput as error:
            reject(RejectedRow(row.sheet, row.row, f"工程{no}“{target_name}”的责任单位：{error}"))
            continue
        owners = owners or (list(task.lead_units) if task else [])
        if not owners:
            reject(RejectedRow(row.sheet, row.row, f"工程{no}“{target_name}”没有责任单位"))
            continue
        found = targets.setdefault(no, [])
        quote = _content(row.get("quote")) or target_name
        found.append(
            ProjectTarget(len(found) + 1, target_name, value, unit, op, measure, quote, tuple(owners), indicator_seq)
        )
    projects = []
    for no in sorted(set(rows_by_no) | set(names)):
        task = rows_by_no.get(no)
        from_task = _PROJECT.match(task.content) or _PROJECT.match(task.name) if task else None
        name = names.get(no) or (one_line(from_task.group(2)) if from_task else f"工程{no}")
        projects.append(Project(no, name, goals.get(no, ""), task.seq if task else None, tuple(targets.get(no, ()))))
    return projects


def _project_no(no_text: str, project_text: str) -> tuple[int | None, str]:
    """(number, name) from 工程编号 and 工程名称 cells: "2", "工程2", "工程2：秦创原…示范工程"."""
    name = one_line(project_text)
    match = _PROJECT.match(name) or re.match(r"^工程\s*(\d{1,2})()$", name)
    if match:
        return int(match.group(1)), one_line(match.group(2))
    for text in (no_text, project_text):
        digits = re.fullmatch(r"(?:工程)?\s*(\d{1,2})", normal(text))
        if digits:
            return int(digits.group(1)), "" if text == project_text else name
    return None, name


def _phases(book: Book, reject: Callable[[RejectedRow], None]) -> list[Phase]:
    phases: list[Phase] = []
    for row in book.phases:
        start, end = _MONTH.match(normal(row.get("start"))), _MONTH.match(normal(row.get("end")))
        if not (row.get("name") and start and end):
            reject(RejectedRow(row.sheet, row.row, "阶段应有名称、起始月份和截止月份（如 2026-01）"))
            continue
        phases.append(
            Phase(
                _seq(row.get("seq")) or len(phases) + 1,
                one_line(row.get("name")),
                f"{start.group(1)}-{int(start.group(2)):02d}",
                f"{end.group(1)}-{int(end.group(2)):02d}",
            )
        )
    return phases


def _used_units(tasks: list[Task], indicators: list[Indicator], projects: list[Project]) -> set[str]:
    used: set[str] = set()
    for task in tasks:
        used.update(task.lead_units, task.coop_units)
    for indicator in indicators:
        used.update(indicator.lead_units, indicator.coop_units)
    for project in projects:
        for target in project.targets:
            used.update(target.owners)
    return used

"""The signed return's document: what a unit's return says, as the JSON text its signature covers.

Format 2 (``"format": "ipdesk-return", "format_version": "2.0"``) is specified in ``docs/return-format.md``. This
module writes it from a ``ReportSnapshot`` and reads back every format a release of ipdesk has signed:

- format 1, the snapshot's fields as they were (``{"header": …, "tasks": …}``, display labels such as 牵头, 红灯);
- format 2.x: codes with their labels beside them, the plan's code and hash, the unit's code, the version's times.

A reader of 2.0 reads any 2.x: fields it does not know are ignored, fields added later are optional. A document of a
newer major version is refused with ``FormatTooNew`` ("请升级 ipdesk"), never taken for a damaged file.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from typing import Any

from ipdesk.domain.errors import IpdeskError
from ipdesk.domain.lights import Light
from ipdesk.domain.plan import Role, UnitKind
from ipdesk.domain.reports import ReportStatus
from ipdesk.domain.statuses import TaskStatus
from ipdesk.reports.snapshot import (
    CommentAnswer,
    EvidenceLine,
    IndicatorLine,
    ReportHeader,
    ReportSnapshot,
    TargetLine,
    TaskLine,
)

FORMAT_NAME = "ipdesk-return"
MAJOR = 2
MINOR = 1  # 2.1: optional "answers" and a task's optional "carried_forward"
FORMAT_VERSION = f"{MAJOR}.{MINOR}"


CARRIED_FIELDS = ("achievements", "problems", "next_steps")  # the texts 沿用上期 copies


class FormatTooNew(IpdeskError):
    """The document was written by a newer ipdesk in a format this release cannot read."""

    def __init__(self, version: str):
        self.version = version
        super().__init__(
            f"该文件采用 ipdesk 报送格式 {version}，本程序只能读取格式 1 至格式 {MAJOR}；请升级 ipdesk 后再打开"
        )


class BadDocument(ValueError):
    """The text is not a return document of any known format (damaged, or not ipdesk's)."""


class InvalidField(BadDocument):
    """A return document whose field is not valid data (a version 0, a NaN, a control character …); the message
    is Chinese and names the field."""


@dataclass(frozen=True)
class ReturnDocument:
    """A return as read from its signed text."""

    snapshot: ReportSnapshot
    format_version: str  # "1" or "2.0", "2.1" …
    text: str  # exactly the signed text

    @property
    def major(self) -> int:
        return int(self.format_version.split(".", 1)[0])

    @property
    def plan_code(self) -> str:
        return self.snapshot.header.plan_code


# -- writing format 2 ---------------------------------------------------------------------------------------------
def to_document(snapshot: ReportSnapshot) -> dict:
    """The format-2 document of a one-unit snapshot."""
    h = snapshot.header
    if len(h.units) != 1:
        raise ValueError("a return document is one unit's report")
    kind = h.unit_kinds[0] if h.unit_kinds else ""
    evidence: dict[int, list[dict]] = {}
    for e in snapshot.evidence:
        evidence.setdefault(e.task_seq, []).append({"name": e.file_name, "size": e.size, "sha256": e.sha256})
    period_kind, start, end = _period_facts(h.period)
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "plan": {"code": h.plan_code, "title": h.plan_title, "sha256": h.plan_sha256},
        "unit": {
            "code": h.unit_codes[0] if h.unit_codes else "",
            "name": h.units[0],
            "kind": kind,
            "kind_label": UnitKind(kind).label if kind else "",
        },
        "period": {"code": h.period, "kind": period_kind, "name": h.period_name, "start": start, "end": end},
        "version": h.version,
        "status": h.status,
        "status_label": h.status_label,
        "sample": h.sample,
        "created_at": h.created_at,
        "submitted_at": h.submitted_at,
        "submitted_by": h.submitted_by,
        "signed_at": h.signed_at,
        "signed_by": h.signed_by,
        "certificate_sha256": h.fingerprint,
        "form": {
            "title": h.form_title,
            "cutoff": h.cutoff,
            "fill_date": h.fill_date,
            "clerk": h.clerk,
            "phone": h.phone,
            "reviewer": h.reviewer,
        },
        "lights": {"green": h.light_green, "yellow": h.light_yellow},
        "tasks": [
            {
                "seq": t.seq,
                "category": t.category,
                "name": t.name,
                "content": t.content,
                "lead_units": list(t.lead_units),
                "role": t.role,
                "role_label": t.role_label,
                "status": t.status,
                "status_label": t.status_label,
                "percent": t.percent,
                "expected_percent": t.expected_percent,
                "light": t.light,
                "light_label": t.light_label,
                "achievements": t.achievements,
                "problems": t.problems,
                "next_steps": t.next_steps,
                "evidence": evidence.get(t.seq, []),
                **({"carried_forward": list(t.carried)} if t.carried else {}),
            }
            for t in snapshot.tasks
        ],
        "indicators": [
            {
                "seq": i.seq,
                "name": i.name,
                "unit_of_measure": i.unit_of_measure,
                "role": i.role,
                "role_label": i.role_label,
                "baseline": i.baseline,
                "baseline_year": i.baseline_year,
                "target": i.target,
                "target_op": i.target_op,
                "target_year": i.target_year,
                "growth_text": i.growth_text,
                "expected": i.expected,
                "value": i.actual,
                "rate": i.rate,
                "light": i.light,
                "light_label": i.light_label,
                "note": i.note,
                "data_source": i.data_source,
                "path": [{"year": y, "expected": e, "value": v} for y, e, v in i.path],
            }
            for i in snapshot.indicators
        ],
        "targets": [
            {
                "project_no": t.project_no,
                "project_name": t.project_name,
                "seq": t.seq,
                "name": t.name,
                "target": t.target,
                "op": t.op,
                "unit_of_measure": t.unit_of_measure,
                "measure": t.measure,
                "value": t.value,
                "note": t.note,
                "quote": t.quote,
            }
            for t in snapshot.targets
        ],
        **(
            {
                "answers": [
                    {
                        "returned_version": a.returned_version,
                        "task_seq": a.task_seq,
                        "comment": a.comment,
                        "handled": a.handled,
                        "answer": a.answer,
                    }
                    for a in snapshot.answers
                ]
            }
            if snapshot.answers
            else {}
        ),
    }


def _period_facts(code: str) -> tuple[str, str, str]:
    from ipdesk.domain.periods import Period

    period = Period.parse(code)
    return period.kind.value, period.start.isoformat(), period.end.isoformat()


# -- reading any format ------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=16)  # an import verifies a return, then stores it beside the one before: read once
def read_return(text: str) -> ReturnDocument:
    """Read a signed return's text in any format this release knows (what is read is immutable, so a text read
    again is given the same document).

    Raises ``FormatTooNew`` for a newer major format and ``BadDocument`` for anything that is not a return.
    """
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except InvalidField:
        raise
    except (ValueError, RecursionError) as error:
        raise BadDocument(f"not JSON: {error}") from error
    if not isinstance(data, dict):
        raise BadDocument("not a JSON object")
    try:
        if "format" not in data and "header" in data:
            return ReturnDocument(_read_format1(data), "1", text)
        if data.get("format") != FORMAT_NAME:
            raise BadDocument(f"unknown format {data.get('format')!r}")
        version = data.get("format_version")
        major = _major(version)
        if major > MAJOR:
            raise FormatTooNew(str(version))
        if major < 2:
            raise BadDocument(f"format_version {version!r} is not a format-2 version")
        problem = field_problem(data)
        if problem:
            raise InvalidField(problem)
        return ReturnDocument(_read_format2(data), str(version), text)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        if isinstance(error, BadDocument):
            raise
        raise BadDocument(f"{type(error).__name__}: {error}") from error


def _section(data: dict, key: str) -> dict:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _no_constant(name: str) -> float:
    raise InvalidField(f"报送数据中有非数字的数值（{name}）")


_TASK_TEXTS = (("category", "类别"), ("name", "名称"), ("content", "内容"), ("achievements", "工作进展及成效"),
               ("problems", "存在问题"), ("next_steps", "下步计划"))  # fmt: skip
_INDICATOR_NUMBERS = (("baseline", "基数"), ("target", "目标"), ("expected", "预期值"), ("value", "实际值"),
                      ("rate", "完成率"))  # fmt: skip
_INDICATOR_TEXTS = (("name", "名称"), ("note", "说明"), ("data_source", "数据来源"), ("growth_text", "年均预增"))
_HEX = frozenset("0123456789abcdef")


def field_problem(data: dict) -> str:
    """The first field of a format-2 document that is not valid data, in Chinese ("" when every field is): the
    version, the period, the signing time, every number (finite, in range), every text (length, no control
    characters). Checked before anything is read from it or stored."""
    from ipdesk.domain.errors import InvalidInput
    from ipdesk.domain.limits import (
        MAX_NAME,
        MAX_SEQ,
        MAX_YEAR,
        MIN_YEAR,
        code_problem,
        number_problem,
        sha256_problem,
        text_problem,
        version_problem,
        whole_number_problem,
    )
    from ipdesk.domain.periods import Period

    def problems():
        yield version_problem(data.get("version"), "报送数据的版本号")
        period = _section(data, "period")
        try:
            Period.parse(str(period.get("code", "")))
        except InvalidInput:
            yield f"报送期“{str(period.get('code', ''))[:20]}”无法识别"
        for key, label in (("signed_at", "签署时间"), ("submitted_at", "提交时间"), ("created_at", "创建时间")):
            value = data.get(key)
            if value:
                try:
                    dt_value = dt.datetime.fromisoformat(value)
                    if not MIN_YEAR <= dt_value.year <= MAX_YEAR:
                        yield f"{label} {value} 不在 {MIN_YEAR}–{MAX_YEAR} 年之内"
                except (TypeError, ValueError):
                    yield f"{label}“{str(value)[:30]}”无法识别"
        plan = _section(data, "plan")
        yield code_problem(plan.get("code"), "方案代码")
        yield text_problem(plan.get("title") or "", "方案名称", MAX_NAME)
        if plan.get("sha256"):
            yield sha256_problem(plan.get("sha256"), "方案的 SHA-256")
        unit = _section(data, "unit")
        yield text_problem(unit.get("name", ""), "单位名称", MAX_NAME)
        yield code_problem(unit.get("code") or "", "单位代码", required=False)
        lights = _section(data, "lights")
        for key, label in (("green", "绿灯界限"), ("yellow", "黄灯界限")):
            if lights.get(key) is not None:
                yield number_problem(lights.get(key), label, -1000, 1000)
        form = _section(data, "form")
        for key in ("title", "cutoff", "fill_date", "clerk", "phone", "reviewer"):
            yield text_problem(form.get(key) or "", f"表头（{key}）", MAX_NAME)
        yield text_problem(data.get("signed_by") or "", "签署人", MAX_NAME)
        for task in data.get("tasks") or []:
            if not isinstance(task, dict):
                continue
            seq = task.get("seq")
            yield whole_number_problem(seq, "任务序号", 1, MAX_SEQ)
            where = f"第 {seq} 项任务"
            for key, label in _TASK_TEXTS:
                yield text_problem(task.get(key) or "", f"{where}的{label}")
            for key, label in (("percent", "完成进度"), ("expected_percent", "序时进度")):
                if task.get(key) is not None:
                    yield number_problem(task.get(key), f"{where}的{label}", 0, 100)
            for number, item in enumerate(task.get("evidence") or [], 1):
                if not isinstance(item, dict):
                    continue
                yield text_problem(item.get("name") or "", f"{where}第 {number} 份佐证材料的文件名", MAX_NAME)
                yield whole_number_problem(item.get("size", 0), f"{where}第 {number} 份佐证材料的大小", 0, 10**12)
                digest = item.get("sha256", "")
                if not isinstance(digest, str) or len(digest) != 64 or not set(digest) <= _HEX:
                    yield f"{where}第 {number} 份佐证材料的 SHA-256 不是 64 位十六进制数"
        for indicator in data.get("indicators") or []:
            if not isinstance(indicator, dict):
                continue
            seq = indicator.get("seq")
            yield whole_number_problem(seq, "指标序号", 1, MAX_SEQ)
            where = f"第 {seq} 项指标"
            for key, label in _INDICATOR_NUMBERS:
                if indicator.get(key) is not None:
                    yield number_problem(indicator.get(key), f"{where}的{label}")
            for key, label in (("baseline_year", "基数年份"), ("target_year", "目标年份")):
                if indicator.get(key) is not None:
                    yield whole_number_problem(indicator.get(key), f"{where}的{label}", MIN_YEAR, MAX_YEAR)
            for key, label in _INDICATOR_TEXTS:
                yield text_problem(indicator.get(key) or "", f"{where}的{label}")
        for target in data.get("targets") or []:
            if not isinstance(target, dict):
                continue
            yield whole_number_problem(target.get("project_no"), "示范工程编号", 1, MAX_SEQ)
            where = f"工程{target.get('project_no')}的目标“{str(target.get('name', ''))[:20]}”"
            for key, label in (("target", "目标值"), ("value", "累计完成")):
                if target.get(key) is not None:
                    yield number_problem(target.get(key), f"{where}的{label}")
            for key, label in (("name", "名称"), ("note", "说明"), ("quote", "方案原文")):
                yield text_problem(target.get(key) or "", f"{where}的{label}")

    try:
        return next((problem for problem in problems() if problem), "")
    except (AttributeError, TypeError):
        return "报送数据的结构无法识别"


def _major(version: object) -> int:
    if not isinstance(version, str):
        raise BadDocument('format_version must be a string such as "2.0"')
    head, _, tail = version.partition(".")
    if not head.isdigit() or (tail and not tail.isdigit()):
        raise BadDocument(f"format_version {version!r} is not of the form MAJOR.MINOR")
    return int(head)


def _obj(data: Any, key: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise BadDocument(f"{key} must be an object")
    return value


def _list(data: dict, key: str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise BadDocument(f"{key} must be a list")
    for item in value:
        if not isinstance(item, dict):
            raise BadDocument(f"{key} must hold objects")
    return value


def _str(data: dict, key: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise BadDocument(f"{key} must be text")
    return value


def _int(data: dict, key: str, default: int | None = None) -> int | None:
    value = data.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadDocument(f"{key} must be a whole number")
    return value


def _required_int(data: dict, key: str) -> int:
    value = _int(data, key)
    if value is None:
        raise BadDocument(f"{key} is missing")
    return value


def _num(data: dict, key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadDocument(f"{key} must be a number")
    return value


def _code(enum: type, value: str, allowed_empty: bool = True) -> str:
    if value == "" and allowed_empty:
        return ""
    return enum(value).value


def _read_format2(data: dict) -> ReportSnapshot:
    plan, unit, period, form = _obj(data, "plan"), _obj(data, "unit"), _obj(data, "period"), _obj(data, "form")
    lights = _obj(data, "lights")
    unit_name = _str(unit, "name")
    if not unit_name or not _str(period, "code"):
        raise BadDocument("a return names its unit and period")
    evidence: list[EvidenceLine] = []
    tasks = []
    for t in _list(data, "tasks"):
        seq = _required_int(t, "seq")
        files = _list(t, "evidence")
        evidence += [
            EvidenceLine(unit_name, seq, _str(t, "name"), _str(f, "name"), _int(f, "size") or 0, _str(f, "sha256"))
            for f in files
        ]
        tasks.append(
            TaskLine(
                unit=unit_name,
                seq=seq,
                category=_str(t, "category"),
                name=_str(t, "name"),
                content=_str(t, "content"),
                role=_code(Role, _str(t, "role"), allowed_empty=False),
                status=_code(TaskStatus, _str(t, "status")),
                percent=_num(t, "percent"),
                expected_percent=_num(t, "expected_percent") or 0.0,
                light=_code(Light, _str(t, "light", Light.NONE.value)),
                achievements=_str(t, "achievements"),
                problems=_str(t, "problems"),
                next_steps=_str(t, "next_steps"),
                evidence=tuple(_str(f, "name") for f in files),
                lead_units=tuple(_texts(t.get("lead_units", []))),
                carried=tuple(f for f in _texts(t.get("carried_forward", [])) if f in CARRIED_FIELDS),
            )
        )
    indicators = [
        IndicatorLine(
            unit=unit_name,
            seq=_required_int(i, "seq"),
            name=_str(i, "name"),
            unit_of_measure=_str(i, "unit_of_measure"),
            role=_code(Role, _str(i, "role"), allowed_empty=False),
            baseline=_num(i, "baseline"),
            baseline_year=_int(i, "baseline_year"),
            target=_num(i, "target") or 0.0,
            target_op=_str(i, "target_op", "="),
            target_year=_required_int(i, "target_year"),
            growth_text=_str(i, "growth_text"),
            expected=_num(i, "expected"),
            actual=_num(i, "value"),
            rate=_num(i, "rate"),
            light=_code(Light, _str(i, "light", Light.NONE.value)),
            note=_str(i, "note"),
            data_source=_str(i, "data_source"),
            path=tuple((_required_int(p, "year"), _num(p, "expected"), _num(p, "value")) for p in _list(i, "path")),
        )
        for i in _list(data, "indicators")
    ]
    targets = [
        TargetLine(
            unit=unit_name,
            project_no=_required_int(t, "project_no"),
            project_name=_str(t, "project_name"),
            name=_str(t, "name"),
            target=_num(t, "target") or 0.0,
            op=_str(t, "op", "="),
            unit_of_measure=_str(t, "unit_of_measure"),
            measure=_str(t, "measure", "cumulative"),
            value=_num(t, "value"),
            note=_str(t, "note"),
            quote=_str(t, "quote"),
            seq=_int(t, "seq", 0) or 0,
        )
        for t in _list(data, "targets")
    ]
    kind = _str(unit, "kind")
    header = ReportHeader(
        plan_title=_str(plan, "title"),
        form_title=_str(form, "title"),
        units=(unit_name,),
        period=_str(period, "code"),
        period_name=_str(period, "name"),
        cutoff=_str(form, "cutoff"),
        version=_required_int(data, "version"),
        status=_code(ReportStatus, _str(data, "status"), allowed_empty=False),
        fill_date=_str(form, "fill_date"),
        clerk=_str(form, "clerk"),
        phone=_str(form, "phone"),
        reviewer=_str(form, "reviewer"),
        sample=bool(data.get("sample", False)),
        light_green=_num(lights, "green") or 0.95,
        light_yellow=_num(lights, "yellow") or 0.85,
        signed_at=_str(data, "signed_at"),
        signed_by=_str(data, "signed_by"),
        fingerprint=_str(data, "certificate_sha256"),
        plan_code=_str(plan, "code"),
        plan_sha256=_str(plan, "sha256"),
        unit_codes=(_str(unit, "code"),),
        unit_kinds=(_code(UnitKind, kind),) if kind else (),
        created_at=_str(data, "created_at"),
        submitted_at=_str(data, "submitted_at"),
        submitted_by=_str(data, "submitted_by"),
    )
    answers = tuple(
        CommentAnswer(
            returned_version=_required_int(a, "returned_version"),
            task_seq=_int(a, "task_seq"),
            comment=_str(a, "comment"),
            handled=a.get("handled") is True,
            answer=_str(a, "answer"),
        )
        for a in _list(data, "answers")
    )
    return ReportSnapshot(header, tuple(tasks), tuple(indicators), tuple(targets), tuple(evidence), answers)


def _texts(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadDocument("expected a list of texts")
    return value


# Format 1 stored display labels; they map one to one onto today's codes.
_ROLE_BY_LABEL = {role.label: role.value for role in Role}
_LIGHT_BY_LABEL = {light.label: light.value for light in Light}


def _read_format1(data: dict) -> ReportSnapshot:
    """Format 1: the snapshot's dataclass fields as release 0.1 wrote them, labels instead of codes."""
    header = dict(_obj(data, "header"))
    units = tuple(_texts(header.get("units", [])))
    if not units:
        raise BadDocument("a return names its unit")
    known = {f for f in ReportHeader.__dataclass_fields__}
    header = {k: v for k, v in header.items() if k in known}
    header["units"] = units
    header["status"] = ReportStatus.parse(_str(header, "status")).value
    tasks = tuple(
        TaskLine(
            unit=_str(t, "unit"),
            seq=_required_int(t, "seq"),
            category=_str(t, "category"),
            name=_str(t, "name"),
            content=_str(t, "content"),
            role=_ROLE_BY_LABEL[_str(t, "role")],
            status=TaskStatus.parse(_str(t, "status")).value if _str(t, "status") else "",
            percent=_num(t, "percent"),
            expected_percent=_num(t, "expected_percent") or 0.0,
            light=_LIGHT_BY_LABEL[_str(t, "light", "—")],
            achievements=_str(t, "achievements"),
            problems=_str(t, "problems"),
            next_steps=_str(t, "next_steps"),
            evidence=tuple(_texts(t.get("evidence", []))),
        )
        for t in _list(data, "tasks")
    )
    indicators = tuple(
        IndicatorLine(
            **{
                **{k: v for k, v in i.items() if k in IndicatorLine.__dataclass_fields__},
                "role": _ROLE_BY_LABEL[_str(i, "role")],
                "light": _LIGHT_BY_LABEL[_str(i, "light", "—")],
                "path": tuple(tuple(step) for step in i.get("path", [])),
            }
        )
        for i in _list(data, "indicators")
    )
    targets = tuple(
        TargetLine(**{k: v for k, v in t.items() if k in TargetLine.__dataclass_fields__})
        for t in _list(data, "targets")
    )
    evidence = tuple(
        EvidenceLine(**{k: v for k, v in e.items() if k in EvidenceLine.__dataclass_fields__})
        for e in _list(data, "evidence")
    )
    return ReportSnapshot(ReportHeader(**header), tasks, indicators, targets, evidence)

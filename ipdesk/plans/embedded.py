"""The plans that ship with ipdesk (``resources/plans/*.json``) and reading a plan file into domain objects."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ipdesk.domain.indicators import Indicator, IndicatorKind
from ipdesk.domain.plan import Phase, Plan, Project, ProjectTarget, Task, TaskKind, Unit, UnitKind
from ipdesk.domain.validation import ValidationRule, read_importance
from ipdesk.paths import resources_dir

DEFAULT_PLAN = "xian-2022-2025"
PLAN_FORMAT = 1


def plan_file(code: str = DEFAULT_PLAN) -> Path:
    return resources_dir() / "plans" / f"{code}.json"


def source_text_file(code: str = DEFAULT_PLAN) -> Path:
    return resources_dir() / "plans" / f"{code}.source.txt"


def load_embedded_plan(code: str = DEFAULT_PLAN) -> Plan:
    return plan_from_dict(json.loads(plan_file(code).read_text(encoding="utf-8")))


def plan_from_dict(data: dict) -> Plan:
    """Build a ``Plan`` from the structure written by ``tools/extract_plan.py`` (and ``plan_to_dict``)."""
    if data.get("format") != PLAN_FORMAT:
        raise ValueError(f"unsupported plan file format {data.get('format')!r}")
    return Plan(
        code=data["code"],
        title=data["title"],
        task_list_title=data["task_list_title"],
        issuer=data["issuer"],
        issued_on=dt.date.fromisoformat(data["issued_on"]) if data.get("issued_on") else None,
        start_year=data["start_year"],
        end_year=data["end_year"],
        start_date=dt.date.fromisoformat(data["start_date"]),
        end_date=dt.date.fromisoformat(data["end_date"]),
        source_sha256=data["source"]["sha256"],
        phases=tuple(Phase(p["seq"], p["name"], p["start_month"], p["end_month"]) for p in data["phases"]),
        categories=tuple(data["categories"]),
        units=tuple(
            Unit(u["name"], UnitKind(u["kind"]), u["short_name"], u["sort_order"], u.get("note", ""), u.get("code", ""))
            for u in data["units"]
        ),
        tasks=tuple(
            Task(
                seq=t["seq"],
                category=t["category"],
                name=t["name"],
                content=t["content"],
                kind=TaskKind(t["kind"]),
                lead_text=t["lead_text"],
                coop_text=t["coop_text"],
                lead_units=tuple(t["lead_units"]),
                coop_units=tuple(t["coop_units"]),
                project_no=t["project_no"],
                indicator_seq=t["indicator_seq"],
                extra=tuple((str(h), str(v)) for h, v in t.get("extra", ())),
            )
            for t in data["tasks"]
        ),
        indicators=tuple(
            Indicator(
                seq=i["seq"],
                group=i["group"],
                name=i["name"],
                unit_of_measure=i["unit"],
                baseline=i["baseline"],
                baseline_year=i["baseline_year"],
                target=i["target"],
                target_year=i["target_year"],
                target_op=i["target_op"],
                growth=i["growth"],
                growth_text=i["growth_text"],
                task_seq=i["task_seq"],
                lead_units=tuple(i.get("lead_units", ())),
                coop_units=tuple(i.get("coop_units", ())),
                kind=IndicatorKind(i["kind"]) if i.get("kind") else None,
                kind_note=i.get("kind_note", ""),
            )
            for i in data["indicators"]
        ),
        projects=tuple(
            Project(
                no=p["no"],
                name=p["name"],
                goal=p["goal"],
                task_seq=p["task_seq"],
                targets=tuple(
                    ProjectTarget(
                        t["seq"],
                        t["name"],
                        t["value"],
                        t["unit"],
                        t["op"],
                        t["measure"],
                        t["quote"],
                        tuple(t["owners"]),
                        t.get("indicator_seq"),
                    )
                    for t in p["targets"]
                ),
            )
            for p in data["projects"]
        ),
        member_units_note=data.get("member_units_note", ""),
        corrections=tuple(data.get("corrections", ())),
        city=data.get("city", ""),
        report_title=data.get("report_title", ""),
        rules=tuple(
            ValidationRule(r["seq"], r["left"], r["op"], r["right"], r["message"], read_importance(r["importance"]))
            for r in data.get("rules", ())
        ),
    )


def plan_to_dict(plan: Plan) -> dict:
    """The structure ``plan_from_dict`` reads (the embedded plans' files, and the plan inside a plan file)."""
    return {
        "format": PLAN_FORMAT,
        "code": plan.code,
        "title": plan.title,
        "task_list_title": plan.task_list_title,
        "city": plan.city,
        "report_title": plan.report_title,
        "issuer": plan.issuer,
        "issued_on": plan.issued_on.isoformat() if plan.issued_on else None,
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "start_date": plan.start_date.isoformat(),
        "end_date": plan.end_date.isoformat(),
        "source": {"sha256": plan.source_sha256},
        "corrections": list(plan.corrections),
        "member_units_note": plan.member_units_note,
        "phases": [
            {"seq": p.seq, "name": p.name, "start_month": p.start_month, "end_month": p.end_month} for p in plan.phases
        ],
        "categories": list(plan.categories),
        "units": [
            {
                "code": u.code,
                "name": u.name,
                "kind": u.kind.value,
                "short_name": u.short_name,
                "sort_order": u.sort_order,
                "note": u.note,
            }
            for u in plan.units
        ],
        "tasks": [_task_dict(t) for t in plan.tasks],
        "indicators": [_indicator_dict(i) for i in plan.indicators],
        "projects": [
            {
                "no": p.no,
                "name": p.name,
                "goal": p.goal,
                "task_seq": p.task_seq,
                "targets": [
                    {
                        "seq": t.seq,
                        "name": t.name,
                        "value": t.value,
                        "unit": t.unit_of_measure,
                        "op": t.op,
                        "measure": t.measure,
                        "quote": t.quote,
                        "owners": list(t.owners),
                    }
                    | ({"indicator_seq": t.indicator_seq} if t.indicator_seq is not None else {})
                    for t in p.targets
                ],
            }
            for p in plan.projects
        ],
    } | ({"rules": [_rule_dict(r) for r in plan.rules]} if plan.rules else {})


def _rule_dict(rule: ValidationRule) -> dict:
    return {
        "seq": rule.seq,
        "left": rule.left,
        "op": rule.op,
        "right": rule.right,
        "message": rule.message,
        "importance": rule.importance.value,
    }


def _task_dict(task: Task) -> dict:
    data = {
        "seq": task.seq,
        "category": task.category,
        "name": task.name,
        "content": task.content,
        "kind": task.kind.value,
        "project_no": task.project_no,
        "indicator_seq": task.indicator_seq,
        "lead_text": task.lead_text,
        "coop_text": task.coop_text,
        "lead_units": list(task.lead_units),
        "coop_units": list(task.coop_units),
    }
    if task.extra:
        data["extra"] = [list(pair) for pair in task.extra]
    return data


def _indicator_dict(indicator: Indicator) -> dict:
    data = {
        "seq": indicator.seq,
        "group": indicator.group,
        "name": indicator.name,
        "unit": indicator.unit_of_measure,
        "baseline": indicator.baseline,
        "baseline_year": indicator.baseline_year,
        "target": indicator.target,
        "target_year": indicator.target_year,
        "target_op": indicator.target_op,
        "growth": indicator.growth,
        "growth_text": indicator.growth_text,
        "task_seq": indicator.task_seq,
    }
    if indicator.task_seq is None:
        data["lead_units"], data["coop_units"] = list(indicator.lead_units), list(indicator.coop_units)
    if indicator.kind is not None:
        data["kind"] = indicator.kind.value
    if indicator.kind_note:
        data["kind_note"] = indicator.kind_note
    return data

"""The plans that ship with ipdesk (``resources/plans/*.json``) and reading a plan file into domain objects."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ipdesk.domain.indicators import Indicator
from ipdesk.domain.plan import Phase, Plan, Project, ProjectTarget, Task, TaskKind, Unit, UnitKind
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
    """Build a ``Plan`` from the structure written by ``tools/extract_plan.py``."""
    if data.get("format") != PLAN_FORMAT:
        raise ValueError(f"unsupported plan file format {data.get('format')!r}")
    return Plan(
        code=data["code"],
        title=data["title"],
        task_list_title=data["task_list_title"],
        issuer=data["issuer"],
        issued_on=dt.date.fromisoformat(data["issued_on"]),
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
                    )
                    for t in p["targets"]
                ),
            )
            for p in data["projects"]
        ),
        member_units_note=data.get("member_units_note", ""),
        corrections=tuple(data.get("corrections", ())),
    )

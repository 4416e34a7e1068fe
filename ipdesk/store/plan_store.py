"""Storing a plan in a workspace and reading it back as domain objects."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from ipdesk.domain.indicators import Indicator
from ipdesk.domain.plan import Phase, Plan, Project, ProjectTarget, Role, Task, TaskKind, Unit, UnitKind
from ipdesk.store import audit

if TYPE_CHECKING:
    from ipdesk.store.database import LazyDatabase as Database


def save_plan(db: Database, plan: Plan, actor: str, make_active: bool = True) -> int:
    """Write ``plan`` with its units, tasks, roles, indicators (with yearly expected values) and projects.

    Runs in one transaction; returns the plan's id. Units are shared between plans and matched by name.
    """
    with db.atomic():
        if db.execute("SELECT 1 FROM plan WHERE code = ?", [plan.code]).fetchone():
            raise ValueError(f"plan {plan.code} is already in this workspace")
        if make_active:
            db.execute("UPDATE plan SET is_active = 0 WHERE is_active = 1")
        plan_id = (
            db["plan"]
            .insert(
                {
                    "code": plan.code,
                    "title": plan.title,
                    "task_list_title": plan.task_list_title,
                    "issuer": plan.issuer,
                    "issued_on": plan.issued_on.isoformat(),
                    "start_year": plan.start_year,
                    "end_year": plan.end_year,
                    "start_date": plan.start_date.isoformat(),
                    "end_date": plan.end_date.isoformat(),
                    "source_sha256": plan.source_sha256,
                    "member_units_note": plan.member_units_note,
                    "corrections": json.dumps(list(plan.corrections), ensure_ascii=False),
                    "loaded_at": audit.now(),
                    "is_active": 1 if make_active else 0,
                }
            )
            .last_pk
        )
        db["phase"].insert_all(
            {"plan_id": plan_id, "seq": p.seq, "name": p.name, "start_month": p.start_month, "end_month": p.end_month}
            for p in plan.phases
        )
        db["category"].insert_all({"plan_id": plan_id, "seq": i, "name": n} for i, n in enumerate(plan.categories, 1))
        unit_ids = _save_units(db, plan.units)
        task_ids = {}
        for task in plan.tasks:
            task_ids[task.seq] = (
                db["task"]
                .insert(
                    {
                        "plan_id": plan_id,
                        "seq": task.seq,
                        "category": task.category,
                        "name": task.name,
                        "content": task.content,
                        "kind": task.kind.value,
                        "project_no": task.project_no,
                        "lead_text": task.lead_text,
                        "coop_text": task.coop_text,
                    }
                )
                .last_pk
            )
            db["task_unit"].insert_all(
                [
                    {"task_id": task_ids[task.seq], "unit_id": unit_ids[name], "role": role.value, "position": i}
                    for role, names in ((Role.LEAD, task.lead_units), (Role.COOP, task.coop_units))
                    for i, name in enumerate(names, 1)
                ]
            )
        for indicator in plan.indicators:
            indicator_id = (
                db["indicator"]
                .insert(
                    {
                        "plan_id": plan_id,
                        "seq": indicator.seq,
                        "indicator_group": indicator.group,
                        "name": indicator.name,
                        "unit_of_measure": indicator.unit_of_measure,
                        "baseline": indicator.baseline,
                        "baseline_year": indicator.baseline_year,
                        "target": indicator.target,
                        "target_year": indicator.target_year,
                        "target_op": indicator.target_op,
                        "growth": indicator.growth,
                        "growth_text": indicator.growth_text,
                        "task_id": task_ids[indicator.task_seq],
                    }
                )
                .last_pk
            )
            db["indicator_expected"].insert_all(
                {"indicator_id": indicator_id, "year": year, "value": value}
                for year in range(plan.start_year, max(plan.end_year, indicator.target_year) + 1)
                if (value := indicator.expected(year)) is not None
            )
        for project in plan.projects:
            project_id = (
                db["project"]
                .insert(
                    {
                        "plan_id": plan_id,
                        "no": project.no,
                        "name": project.name,
                        "goal": project.goal,
                        "task_id": task_ids[project.task_seq],
                    }
                )
                .last_pk
            )
            for target in project.targets:
                target_id = (
                    db["project_target"]
                    .insert(
                        {
                            "project_id": project_id,
                            "seq": target.seq,
                            "name": target.name,
                            "value": target.value,
                            "unit_of_measure": target.unit_of_measure,
                            "op": target.op,
                            "measure": target.measure,
                            "quote": target.quote,
                        }
                    )
                    .last_pk
                )
                db["project_target_owner"].insert_all(
                    {"target_id": target_id, "unit_id": unit_ids[name]} for name in target.owners
                )
        audit.record(db, actor, "insert", "plan", plan.code, [("title", None, plan.title)])
    return plan_id


def _save_units(db: Database, units: tuple[Unit, ...]) -> dict[str, int]:
    existing = dict(db.execute("SELECT name, id FROM unit").fetchall())
    for unit in units:
        if unit.name not in existing:
            existing[unit.name] = (
                db["unit"]
                .insert(
                    {
                        "code": unit.code,
                        "name": unit.name,
                        "kind": unit.kind.value,
                        "short_name": unit.short_name,
                        "sort_order": unit.sort_order,
                        "note": unit.note,
                    }
                )
                .last_pk
            )
    return existing


def active_plan_id(db: Database) -> int | None:
    row = db.execute("SELECT id FROM plan WHERE is_active = 1").fetchone()
    return row[0] if row else None


def read_plan(db: Database, plan_id: int) -> Plan:
    """The whole plan as domain objects (a few hundred rows: read once when a workspace opens)."""
    (
        code,
        title,
        task_list_title,
        issuer,
        issued_on,
        start_year,
        end_year,
        start_date,
        end_date,
        sha,
        note,
        corrections,
    ) = db.execute(
        "SELECT code, title, task_list_title, issuer, issued_on, start_year, end_year, start_date, end_date,"
        " source_sha256, member_units_note, corrections FROM plan WHERE id = ?",
        [plan_id],
    ).fetchone()
    phases = tuple(
        Phase(*row)
        for row in db.execute(
            "SELECT seq, name, start_month, end_month FROM phase WHERE plan_id = ? ORDER BY seq", [plan_id]
        )
    )
    categories = tuple(
        row[0] for row in db.execute("SELECT name FROM category WHERE plan_id = ? ORDER BY seq", [plan_id])
    )
    roles: dict[int, dict[str, list[str]]] = {}
    for task_id, role, name in db.execute(
        "SELECT tu.task_id, tu.role, u.name FROM task_unit tu JOIN unit u ON u.id = tu.unit_id"
        " JOIN task t ON t.id = tu.task_id WHERE t.plan_id = ? ORDER BY tu.task_id, tu.role DESC, tu.position",
        [plan_id],
    ):
        roles.setdefault(task_id, {"lead": [], "coop": []})[role].append(name)
    tasks = tuple(
        Task(
            seq=seq,
            category=category,
            name=name,
            content=content,
            kind=TaskKind(kind),
            lead_text=lead_text,
            coop_text=coop_text,
            lead_units=tuple(roles.get(task_id, {}).get("lead", ())),
            coop_units=tuple(roles.get(task_id, {}).get("coop", ())),
            project_no=project_no,
            indicator_seq=seq if kind == "indicator" else None,
        )
        for task_id, seq, category, name, content, kind, project_no, lead_text, coop_text in db.execute(
            "SELECT id, seq, category, name, content, kind, project_no, lead_text, coop_text FROM task"
            " WHERE plan_id = ? ORDER BY seq",
            [plan_id],
        )
    )
    return Plan(
        code=code,
        title=title,
        task_list_title=task_list_title,
        issuer=issuer,
        issued_on=dt.date.fromisoformat(issued_on),
        start_year=start_year,
        end_year=end_year,
        start_date=dt.date.fromisoformat(start_date),
        end_date=dt.date.fromisoformat(end_date),
        source_sha256=sha,
        phases=phases,
        categories=categories,
        units=read_units(db),
        tasks=tasks,
        indicators=read_indicators(db, plan_id),
        projects=read_projects(db, plan_id),
        member_units_note=note,
        corrections=tuple(json.loads(corrections)),
    )


def read_units(db: Database) -> tuple[Unit, ...]:
    return tuple(
        Unit(name, UnitKind(kind), short_name, sort_order, note, code)
        for name, kind, short_name, sort_order, note, code in db.execute(
            "SELECT name, kind, short_name, sort_order, note, code FROM unit ORDER BY sort_order, id"
        )
    )


def read_indicators(db: Database, plan_id: int) -> tuple[Indicator, ...]:
    return tuple(
        Indicator(
            seq=seq,
            group=group,
            name=name,
            unit_of_measure=unit,
            baseline=baseline,
            baseline_year=baseline_year,
            target=target,
            target_year=target_year,
            target_op=op,
            growth=growth,
            growth_text=growth_text,
            task_seq=task_seq,
        )
        for (
            seq,
            group,
            name,
            unit,
            baseline,
            baseline_year,
            target,
            target_year,
            op,
            growth,
            growth_text,
            task_seq,
        ) in db.execute(
            "SELECT i.seq, i.indicator_group, i.name, i.unit_of_measure, i.baseline, i.baseline_year, i.target,"
            " i.target_year, i.target_op, i.growth, i.growth_text, t.seq FROM indicator i"
            " JOIN task t ON t.id = i.task_id WHERE i.plan_id = ? ORDER BY i.seq",
            [plan_id],
        )
    )


def read_expected_values(db: Database, plan_id: int) -> dict[tuple[int, int], float]:
    """The stored yearly expected values, keyed by (indicator seq, year)."""
    return {
        (seq, year): value
        for seq, year, value in db.execute(
            "SELECT i.seq, e.year, e.value FROM indicator_expected e JOIN indicator i ON i.id = e.indicator_id"
            " WHERE i.plan_id = ?",
            [plan_id],
        )
    }


def read_projects(db: Database, plan_id: int) -> tuple[Project, ...]:
    owners: dict[int, list[str]] = {}
    for target_id, name in db.execute(
        "SELECT o.target_id, u.name FROM project_target_owner o JOIN unit u ON u.id = o.unit_id"
        " ORDER BY o.target_id, u.sort_order"
    ):
        owners.setdefault(target_id, []).append(name)
    targets: dict[int, list[ProjectTarget]] = {}
    for target_id, project_id, seq, name, value, unit, op, measure, quote in db.execute(
        "SELECT id, project_id, seq, name, value, unit_of_measure, op, measure, quote FROM project_target"
        " ORDER BY project_id, seq"
    ):
        targets.setdefault(project_id, []).append(
            ProjectTarget(seq, name, value, unit, op, measure, quote, tuple(owners.get(target_id, ())))
        )
    return tuple(
        Project(no, name, goal, task_seq, tuple(targets.get(project_id, ())))
        for project_id, no, name, goal, task_seq in db.execute(
            "SELECT p.id, p.no, p.name, p.goal, t.seq FROM project p JOIN task t ON t.id = p.task_id"
            " WHERE p.plan_id = ? ORDER BY p.no",
            [plan_id],
        )
    )

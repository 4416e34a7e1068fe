"""Storing plans in a workspace and reading them back as domain objects.

A workspace holds several plans; one is current (``is_active``). Each plan owns its units, so everything a unit
enters or signs belongs to one plan. A plan is written whole (``save_plan``), or replaced by a new version of the
same plan (``update_plan``: rows matched by number and name, so what units entered stays with its task), and a
plan nobody has entered anything against can be removed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.indicators import Indicator, IndicatorKind
from ipdesk.domain.plan import Phase, Plan, Project, ProjectTarget, Role, Task, TaskKind, Unit, UnitKind
from ipdesk.domain.validation import Importance, ValidationRule
from ipdesk.store import audit

if TYPE_CHECKING:
    from ipdesk.domain.plan_changes import RecordedWork
    from ipdesk.store.database import LazyDatabase as Database


@dataclass(frozen=True)
class PlanRecord:
    """A plan in the workspace, as listed: which one is current, and where it came from."""

    id: int
    code: str
    title: str
    start_date: str
    end_date: str
    current: bool
    origin: str  # embedded, task_list, plan_file
    origin_detail: str
    loaded_at: str
    legacy_audit_keys: bool


def plans(db: Database) -> list[PlanRecord]:
    rows = db.execute(
        "SELECT id, code, title, start_date, end_date, is_active, origin, origin_detail, loaded_at, legacy_audit_keys"
        " FROM plan ORDER BY start_date, id"
    ).fetchall()
    return [PlanRecord(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7], r[8], bool(r[9])) for r in rows]


def plan_id_of(db: Database, code: str) -> int | None:
    row = db.execute("SELECT id FROM plan WHERE code = ?", [code]).fetchone()
    return row[0] if row else None


def active_plan_id(db: Database) -> int | None:
    row = db.execute("SELECT id FROM plan WHERE is_active = 1").fetchone()
    return row[0] if row else None


def set_active(db: Database, plan_id: int, actor: str) -> None:
    with db.atomic():
        old = db.execute("SELECT code FROM plan WHERE is_active = 1").fetchone()
        new = db.execute("SELECT code FROM plan WHERE id = ?", [plan_id]).fetchone()
        db.execute("UPDATE plan SET is_active = 0 WHERE is_active = 1")
        db.execute("UPDATE plan SET is_active = 1 WHERE id = ?", [plan_id])
        audit.record(db, actor, "update", "plan", "current", [("code", old[0] if old else None, new[0])])


def save_plan(
    db: Database,
    plan: Plan,
    actor: str,
    make_active: bool = True,
    origin: str = "embedded",
    origin_detail: str = "",
    plan_file: str | None = None,
) -> int:
    """Write ``plan`` with its units, tasks, roles, indicators (with yearly expected values) and projects.

    Runs in one transaction; returns the plan's id.
    """
    with db.atomic():
        if db.execute("SELECT 1 FROM plan WHERE code = ?", [plan.code]).fetchone():
            raise ValueError(f"plan {plan.code} is already in this workspace")
        if make_active:
            db.execute("UPDATE plan SET is_active = 0 WHERE is_active = 1")
        plan_id = (
            db["plan"]
            .insert({**_plan_row(plan, origin, origin_detail, plan_file), "is_active": 1 if make_active else 0})
            .last_pk
        )
        assert isinstance(plan_id, int)  # the new row's id
        _write_content(db, plan_id, plan)
        audit.record(db, actor, "insert", "plan", plan.code, [("title", None, plan.title)])
    return plan_id


def _plan_row(plan: Plan, origin: str, origin_detail: str, plan_file: str | None) -> dict:
    return {
        "code": plan.code,
        "title": plan.title,
        "task_list_title": plan.task_list_title,
        "issuer": plan.issuer,
        "issued_on": plan.issued_on.isoformat() if plan.issued_on else "",
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "start_date": plan.start_date.isoformat(),
        "end_date": plan.end_date.isoformat(),
        "source_sha256": plan.source_sha256,
        "member_units_note": plan.member_units_note,
        "corrections": json.dumps(list(plan.corrections), ensure_ascii=False),
        "loaded_at": audit.now(),
        "city": plan.city,
        "report_title": plan.report_title,
        "origin": origin,
        "origin_detail": origin_detail,
        "plan_file": plan_file,
    }


def update_plan(
    db: Database,
    plan_id: int,
    plan: Plan,
    actor: str,
    old_sha256: str,
    new_sha256: str,
    origin: str,
    origin_detail: str = "",
    plan_file: str | None = None,
) -> None:
    """Replace the plan ``plan_id`` by a new version of it (same code).

    Units, tasks, indicators and project targets are matched by name, number and (project, number): what units
    entered against them stays. A version that drops a unit, task, indicator or target someone has already entered
    or signed something against is refused (``InvalidInput``, naming them); nothing is changed then.
    """
    with db.atomic():
        _refuse_lost_work(db, plan_id, plan)
        row = _plan_row(plan, origin, origin_detail, plan_file)
        del row["loaded_at"]
        assignments = ", ".join(f"{column} = ?" for column in row)
        db.execute(f"UPDATE plan SET {assignments}, loaded_at = ? WHERE id = ?", [*row.values(), audit.now(), plan_id])
        for sql in (
            "DELETE FROM task_unit WHERE task_id IN (SELECT id FROM task WHERE plan_id = ?)",
            "DELETE FROM indicator_unit WHERE indicator_id IN (SELECT id FROM indicator WHERE plan_id = ?)",
            "DELETE FROM project_target_owner WHERE target_id IN (SELECT t.id FROM project_target t"
            " JOIN project p ON p.id = t.project_id WHERE p.plan_id = ?)",
            "DELETE FROM indicator_expected WHERE indicator_id IN (SELECT id FROM indicator WHERE plan_id = ?)",
            "UPDATE indicator SET task_id = NULL WHERE plan_id = ?",
            "UPDATE project SET task_id = NULL WHERE plan_id = ?",
            "DELETE FROM phase WHERE plan_id = ?",
            "DELETE FROM category WHERE plan_id = ?",
        ):
            db.execute(sql, [plan_id])
        _write_content(db, plan_id, plan)
        seqs = [t.seq for t in plan.tasks]
        db.execute(
            f"DELETE FROM task WHERE plan_id = ? AND seq NOT IN ({','.join('?' * len(seqs)) or 'NULL'})",
            [plan_id, *seqs],
        )
        names = [u.name for u in plan.units]
        db.execute(
            f"DELETE FROM unit WHERE plan_id = ? AND name NOT IN ({','.join('?' * len(names)) or 'NULL'})",
            [plan_id, *names],
        )
        audit.record(db, actor, "update", "plan", plan.code, [("sha256", old_sha256, new_sha256)])


# Whether anything was entered, signed or received for the unit ``u``.
_UNIT_HAS_WORK = " OR ".join(
    f"EXISTS (SELECT 1 FROM {table} WHERE unit_id = u.id)"
    for table in (
        "report",
        "progress",
        "indicator_value",
        "project_target_value",
        "progress_attachment",
        "received_return",
        "sample_data",
    )
)


def recorded_work(db: Database, plan_id: int) -> RecordedWork:
    """The units, tasks, indicators and targets of plan ``plan_id`` that work was recorded against."""
    from ipdesk.domain.plan_changes import RecordedWork  # with a plan's update, not with every workspace opened

    units = db.execute(f"SELECT u.name FROM unit u WHERE u.plan_id = ? AND ({_UNIT_HAS_WORK})", [plan_id])
    tasks = db.execute(
        "SELECT t.seq FROM task t WHERE t.plan_id = ? AND (EXISTS (SELECT 1 FROM progress WHERE task_id = t.id)"
        " OR EXISTS (SELECT 1 FROM progress_attachment WHERE task_id = t.id))",
        [plan_id],
    )
    indicators = db.execute(
        "SELECT i.seq FROM indicator i WHERE i.plan_id = ? AND EXISTS"
        " (SELECT 1 FROM indicator_value WHERE indicator_id = i.id)",
        [plan_id],
    )
    targets = db.execute(
        "SELECT p.no, t.seq FROM project_target t JOIN project p ON p.id = t.project_id WHERE p.plan_id = ?"
        " AND EXISTS (SELECT 1 FROM project_target_value WHERE target_id = t.id)",
        [plan_id],
    )
    task_units = db.execute(
        "SELECT DISTINCT t.seq, u.name FROM task t JOIN unit u ON u.plan_id = t.plan_id WHERE t.plan_id = ? AND"
        " (EXISTS (SELECT 1 FROM progress p WHERE p.task_id = t.id AND p.unit_id = u.id)"
        " OR EXISTS (SELECT 1 FROM progress_attachment a WHERE a.task_id = t.id AND a.unit_id = u.id))",
        [plan_id],
    )
    return RecordedWork(
        frozenset(name for (name,) in units),
        frozenset(seq for (seq,) in tasks),
        frozenset(seq for (seq,) in indicators),
        frozenset((no, seq) for no, seq in targets),
        frozenset((seq, name) for seq, name in task_units),
    )


def _refuse_lost_work(db: Database, plan_id: int, plan: Plan) -> None:
    """Refuse a new version that drops units, tasks, indicators or targets work was recorded against."""
    from ipdesk.domain.plan_changes import compare

    lost = compare(read_plan(db, plan_id), plan, recorded_work(db, plan_id)).lost
    if lost:
        raise InvalidInput(
            f"新版本的方案删去了已有填报或报送记录的{'、'.join(lost[:8])}{'等' if len(lost) > 8 else ''}，"
            "不能用它替换当前版本；请与市局核实方案文件"
        )


def _write_content(db: Database, plan_id: int, plan: Plan) -> None:
    """Units, phases, categories, tasks with their units, indicators and projects of ``plan``: inserted, or
    updated in place where a row with the same name or number is already there."""
    db["phase"].insert_all(
        {"plan_id": plan_id, "seq": p.seq, "name": p.name, "start_month": p.start_month, "end_month": p.end_month}
        for p in plan.phases
    )
    db["category"].insert_all({"plan_id": plan_id, "seq": i, "name": n} for i, n in enumerate(plan.categories, 1))
    unit_ids = {}
    for unit in plan.units:
        db.execute(
            "INSERT INTO unit (plan_id, code, name, kind, short_name, sort_order, note) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (plan_id, name) DO UPDATE SET code = excluded.code, kind = excluded.kind,"
            " short_name = excluded.short_name, sort_order = excluded.sort_order, note = excluded.note",
            [plan_id, unit.code, unit.name, unit.kind.value, unit.short_name, unit.sort_order, unit.note],
        )
        unit_ids[unit.name] = db.execute(
            "SELECT id FROM unit WHERE plan_id = ? AND name = ?", [plan_id, unit.name]
        ).fetchone()[0]
    task_ids = {}
    for task in plan.tasks:
        db.execute(
            "INSERT INTO task (plan_id, seq, category, name, content, kind, project_no, lead_text, coop_text, extra)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (plan_id, seq) DO UPDATE SET"
            " category = excluded.category, name = excluded.name, content = excluded.content, kind = excluded.kind,"
            " project_no = excluded.project_no, lead_text = excluded.lead_text, coop_text = excluded.coop_text,"
            " extra = excluded.extra",
            [
                plan_id,
                task.seq,
                task.category,
                task.name,
                task.content,
                task.kind.value,
                task.project_no,
                task.lead_text,
                task.coop_text,
                json.dumps([list(pair) for pair in task.extra], ensure_ascii=False) if task.extra else "",
            ],
        )
        task_ids[task.seq] = db.execute(
            "SELECT id FROM task WHERE plan_id = ? AND seq = ?", [plan_id, task.seq]
        ).fetchone()[0]
        db["task_unit"].insert_all(
            [
                {"task_id": task_ids[task.seq], "unit_id": unit_ids[name], "role": role.value, "position": i}
                for role, names in ((Role.LEAD, task.lead_units), (Role.COOP, task.coop_units))
                for i, name in enumerate(names, 1)
            ]
        )
    indicator_seqs = [i.seq for i in plan.indicators]
    db.execute(
        f"DELETE FROM indicator WHERE plan_id = ? AND seq NOT IN ({','.join('?' * len(indicator_seqs)) or 'NULL'})",
        [plan_id, *indicator_seqs],
    )
    for indicator in plan.indicators:
        values = [
            indicator.group,
            indicator.name,
            indicator.unit_of_measure,
            indicator.baseline,
            indicator.baseline_year,
            indicator.target,
            indicator.target_year,
            indicator.target_op,
            indicator.growth,
            indicator.growth_text,
            task_ids[indicator.task_seq] if indicator.task_seq is not None else None,
            indicator.kind.value if indicator.kind is not None else "",
            indicator.kind_note,
        ]
        db.execute(
            "INSERT INTO indicator (plan_id, seq, indicator_group, name, unit_of_measure, baseline, baseline_year,"
            " target, target_year, target_op, growth, growth_text, task_id, kind, kind_note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (plan_id, seq) DO UPDATE SET indicator_group = excluded.indicator_group,"
            " name = excluded.name, unit_of_measure = excluded.unit_of_measure, baseline = excluded.baseline,"
            " baseline_year = excluded.baseline_year, target = excluded.target, target_year = excluded.target_year,"
            " target_op = excluded.target_op, growth = excluded.growth, growth_text = excluded.growth_text,"
            " task_id = excluded.task_id, kind = excluded.kind, kind_note = excluded.kind_note",
            [plan_id, indicator.seq, *values],
        )
        indicator_id = db.execute(
            "SELECT id FROM indicator WHERE plan_id = ? AND seq = ?", [plan_id, indicator.seq]
        ).fetchone()[0]
        db["indicator_expected"].insert_all(
            {"indicator_id": indicator_id, "year": year, "value": value}
            for year in range(plan.start_year, max(plan.end_year, indicator.target_year) + 1)
            if (value := indicator.expected(year)) is not None
        )
        db["indicator_unit"].insert_all(
            [
                {"indicator_id": indicator_id, "unit_id": unit_ids[name], "role": role.value, "position": i}
                for role, names in ((Role.LEAD, indicator.lead_units), (Role.COOP, indicator.coop_units))
                for i, name in enumerate(names, 1)
            ]
        )
    _write_projects(db, plan_id, plan, task_ids, unit_ids)


def _write_projects(db: Database, plan_id: int, plan: Plan, task_ids: dict[int, int], unit_ids: dict[str, int]):
    kept_targets = []
    for project in plan.projects:
        task_id = task_ids.get(project.task_seq) if project.task_seq is not None else None
        db.execute(
            "INSERT INTO project (plan_id, no, name, goal, task_id) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (plan_id, no) DO UPDATE SET name = excluded.name, goal = excluded.goal,"
            " task_id = excluded.task_id",
            [plan_id, project.no, project.name, project.goal, task_id],
        )
        project_id = db.execute(
            "SELECT id FROM project WHERE plan_id = ? AND no = ?", [plan_id, project.no]
        ).fetchone()[0]
        for target in project.targets:
            db.execute(
                "INSERT INTO project_target (project_id, seq, name, value, unit_of_measure, op, measure, quote,"
                " indicator_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, seq) DO UPDATE SET"
                " name = excluded.name, value = excluded.value, unit_of_measure = excluded.unit_of_measure,"
                " op = excluded.op, measure = excluded.measure, quote = excluded.quote,"
                " indicator_seq = excluded.indicator_seq",
                [project_id, target.seq, target.name, target.value, target.unit_of_measure, target.op, target.measure,
                 target.quote, target.indicator_seq],
            )  # fmt: skip
            target_id = db.execute(
                "SELECT id FROM project_target WHERE project_id = ? AND seq = ?", [project_id, target.seq]
            ).fetchone()[0]
            kept_targets.append(target_id)
            db["project_target_owner"].insert_all(
                {"target_id": target_id, "unit_id": unit_ids[name]} for name in target.owners
            )
    marks = ",".join("?" * len(kept_targets)) or "NULL"
    db.execute(
        f"DELETE FROM project_target WHERE id NOT IN ({marks})"
        " AND project_id IN (SELECT id FROM project WHERE plan_id = ?)",
        [*kept_targets, plan_id],
    )
    numbers = [p.no for p in plan.projects]
    db.execute(
        f"DELETE FROM project WHERE plan_id = ? AND no NOT IN ({','.join('?' * len(numbers)) or 'NULL'})",
        [plan_id, *numbers],
    )
    db.execute("DELETE FROM validation_rule WHERE plan_id = ?", [plan_id])
    db["validation_rule"].insert_all(
        {
            "plan_id": plan_id,
            "seq": rule.seq,
            "left_expr": rule.left,
            "op": rule.op,
            "right_expr": rule.right,
            "message": rule.message,
            "importance": rule.importance.value,
        }
        for rule in plan.rules
    )


def read_rules(db: Database, plan_id: int) -> tuple[ValidationRule, ...]:
    return tuple(
        ValidationRule(seq, left, op, right, message, Importance(importance))
        for seq, left, op, right, message, importance in db.execute(
            "SELECT seq, left_expr, op, right_expr, message, importance FROM validation_rule WHERE plan_id = ?"
            " ORDER BY seq",
            [plan_id],
        )
    )


def delete_plan(db: Database, plan_id: int, actor: str) -> None:
    """Remove a plan nobody has entered, signed or received anything against (``InvalidInput`` otherwise)."""
    with db.atomic():
        used = db.execute(
            f"SELECT count(*) FROM unit u WHERE u.plan_id = ? AND ( {_UNIT_HAS_WORK})",
            [plan_id],
        ).fetchone()[0]
        code = db.execute("SELECT code FROM plan WHERE id = ?", [plan_id]).fetchone()[0]
        if used:
            raise InvalidInput(f"方案 {code} 已有 {used} 个单位的填报或报送记录，不能删除")
        for sql in (
            "DELETE FROM task_unit WHERE task_id IN (SELECT id FROM task WHERE plan_id = ?)",
            "DELETE FROM project_target_owner WHERE target_id IN (SELECT t.id FROM project_target t"
            " JOIN project p ON p.id = t.project_id WHERE p.plan_id = ?)",
            "DELETE FROM project WHERE plan_id = ?",
            "DELETE FROM indicator WHERE plan_id = ?",
            "DELETE FROM validation_rule WHERE plan_id = ?",
            "DELETE FROM task WHERE plan_id = ?",
            "DELETE FROM unit WHERE plan_id = ?",
            "DELETE FROM plan WHERE id = ?",
        ):
            db.execute(sql, [plan_id])
        audit.record(db, actor, "delete", "plan", code, [("title", None, None)])


def plan_file_text(db: Database, plan_id: int) -> str | None:
    row = db.execute("SELECT plan_file FROM plan WHERE id = ?", [plan_id]).fetchone()
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
        city,
        report_title,
    ) = db.execute(
        "SELECT code, title, task_list_title, issuer, issued_on, start_year, end_year, start_date, end_date,"
        " source_sha256, member_units_note, corrections, city, report_title FROM plan WHERE id = ?",
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
    indicator_of_task = dict(
        db.execute("SELECT task_id, seq FROM indicator WHERE plan_id = ? AND task_id IS NOT NULL", [plan_id]).fetchall()
    )
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
            indicator_seq=indicator_of_task.get(task_id) if kind == "indicator" else None,
            extra=tuple(tuple(pair) for pair in json.loads(extra)) if extra else (),
        )
        for task_id, seq, category, name, content, kind, project_no, lead_text, coop_text, extra in db.execute(
            "SELECT id, seq, category, name, content, kind, project_no, lead_text, coop_text, extra FROM task"
            " WHERE plan_id = ? ORDER BY seq",
            [plan_id],
        )
    )
    return Plan(
        code=code,
        title=title,
        task_list_title=task_list_title,
        issuer=issuer,
        issued_on=dt.date.fromisoformat(issued_on) if issued_on else None,
        start_year=start_year,
        end_year=end_year,
        start_date=dt.date.fromisoformat(start_date),
        end_date=dt.date.fromisoformat(end_date),
        source_sha256=sha,
        phases=phases,
        categories=categories,
        units=read_units(db, plan_id),
        tasks=tasks,
        indicators=read_indicators(db, plan_id),
        projects=read_projects(db, plan_id),
        member_units_note=note,
        corrections=tuple(json.loads(corrections)),
        city=city,
        report_title=report_title,
        rules=read_rules(db, plan_id),
    )


def read_units(db: Database, plan_id: int) -> tuple[Unit, ...]:
    return tuple(
        Unit(name, UnitKind(kind), short_name, sort_order, note, code)
        for name, kind, short_name, sort_order, note, code in db.execute(
            "SELECT name, kind, short_name, sort_order, note, code FROM unit WHERE plan_id = ? ORDER BY sort_order, id",
            [plan_id],
        )
    )


def unit_ids(db: Database, plan_id: int) -> dict[str, int]:
    return dict(db.execute("SELECT name, id FROM unit WHERE plan_id = ?", [plan_id]).fetchall())


def read_indicators(db: Database, plan_id: int) -> tuple[Indicator, ...]:
    owners: dict[int, dict[str, list[str]]] = {}
    for indicator_id, role, name in db.execute(
        "SELECT iu.indicator_id, iu.role, u.name FROM indicator_unit iu JOIN unit u ON u.id = iu.unit_id"
        " JOIN indicator i ON i.id = iu.indicator_id WHERE i.plan_id = ? ORDER BY iu.indicator_id, iu.role DESC,"
        " iu.position",
        [plan_id],
    ):
        owners.setdefault(indicator_id, {"lead": [], "coop": []})[role].append(name)
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
            lead_units=tuple(owners.get(indicator_id, {}).get("lead", ())),
            coop_units=tuple(owners.get(indicator_id, {}).get("coop", ())),
            kind=IndicatorKind(kind) if kind else None,
            kind_note=kind_note,
        )
        for (
            indicator_id,
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
            kind,
            kind_note,
        ) in db.execute(
            "SELECT i.id, i.seq, i.indicator_group, i.name, i.unit_of_measure, i.baseline, i.baseline_year, i.target,"
            " i.target_year, i.target_op, i.growth, i.growth_text, t.seq, i.kind, i.kind_note FROM indicator i"
            " LEFT JOIN task t ON t.id = i.task_id WHERE i.plan_id = ? ORDER BY i.seq",
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
        " WHERE u.plan_id = ? ORDER BY o.target_id, u.sort_order",
        [plan_id],
    ):
        owners.setdefault(target_id, []).append(name)
    targets: dict[int, list[ProjectTarget]] = {}
    for target_id, project_id, seq, name, value, unit, op, measure, quote, indicator_seq in db.execute(
        "SELECT t.id, t.project_id, t.seq, t.name, t.value, t.unit_of_measure, t.op, t.measure, t.quote,"
        " t.indicator_seq FROM project_target t JOIN project p ON p.id = t.project_id WHERE p.plan_id = ?"
        " ORDER BY t.project_id, t.seq",
        [plan_id],
    ):
        targets.setdefault(project_id, []).append(
            ProjectTarget(seq, name, value, unit, op, measure, quote, tuple(owners.get(target_id, ())), indicator_seq)
        )
    return tuple(
        Project(no, name, goal, task_seq, tuple(targets.get(project_id, ())))
        for project_id, no, name, goal, task_seq in db.execute(
            "SELECT p.id, p.no, p.name, p.goal, t.seq FROM project p LEFT JOIN task t ON t.id = p.task_id"
            " WHERE p.plan_id = ? ORDER BY p.no",
            [plan_id],
        )
    )

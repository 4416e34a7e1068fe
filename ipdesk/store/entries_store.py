"""What units enter period by period: task progress and indicator values.

Every save compares the new values with the stored ones, writes only when something changed, and records each
changed field in the audit log in the same transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING

from ipdesk.domain.periods import Period
from ipdesk.domain.progress import IndicatorValue, Progress, TargetValue
from ipdesk.domain.statuses import TaskStatus
from ipdesk.store import audit

if TYPE_CHECKING:
    from ipdesk.store.database import LazyDatabase as Database

PROGRESS_FIELDS = ("status", "percent", "achievements", "problems", "next_steps")
INDICATOR_VALUE_FIELDS = ("value", "note", "data_source")


def task_ids(db: Database, plan_id: int) -> dict[int, int]:
    return dict(db.execute("SELECT seq, id FROM task WHERE plan_id = ?", [plan_id]).fetchall())


def indicator_ids(db: Database, plan_id: int) -> dict[int, int]:
    return dict(db.execute("SELECT seq, id FROM indicator WHERE plan_id = ?", [plan_id]).fetchall())


def ensure_period(db: Database, period: Period) -> None:
    db.execute(
        "INSERT OR IGNORE INTO period (code, kind, start_date, end_date) VALUES (?, ?, ?, ?)",
        [period.code, period.kind.value, period.start.isoformat(), period.end.isoformat()],
    )


def _save_row(
    db: Database,
    table: str,
    key: Mapping[str, object],
    values: Mapping[str, object],
    actor: str,
    entity_key: str,
    period: Period,
) -> list[str]:
    """Insert or update one row of ``table``; return the names of the fields that changed."""
    where = " AND ".join(f"{column} = ?" for column in key)
    columns = list(values)
    with db.atomic():
        row = db.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {where}", list(key.values())).fetchone()
        if row:
            old = dict(zip(columns, row, strict=True))
            changes = [(c, old[c], values[c]) for c in columns if old[c] != values[c]]
        else:
            changes = [(c, None, values[c]) for c in columns if values[c] not in (None, "")]
        if not changes:
            return []
        stamp = {"updated_at": audit.now(), "updated_by": actor}
        if row:
            assignments = ", ".join(f"{c} = ?" for c in [*columns, *stamp])
            db.execute(
                f"UPDATE {table} SET {assignments} WHERE {where}",
                [*values.values(), *stamp.values(), *key.values()],
            )
        else:
            ensure_period(db, period)
            db[table].insert({**key, **values, **stamp})
        audit.record(db, actor, "update" if row else "insert", table, entity_key, changes)
    return [c for c, _, _ in changes]


# -- progress -------------------------------------------------------------------------------------------------
def progress_key(task_seq: int, unit: str, period: Period, plan: str = "") -> str:
    return audit.scoped(plan, f"task={task_seq};unit={unit};period={period.code}")


def save_progress(
    db: Database, unit_id: int, task_id: int, progress: Progress, actor: str, plan: str = ""
) -> list[str]:
    values = {
        "status": progress.status.value if progress.status else None,
        "percent": progress.percent,
        "achievements": progress.achievements,
        "problems": progress.problems,
        "next_steps": progress.next_steps,
    }
    key = {"unit_id": unit_id, "period": progress.period.code, "task_id": task_id}
    entity_key = progress_key(progress.task_seq, progress.unit, progress.period, plan)
    return _save_row(db, "progress", key, values, actor, entity_key, progress.period)


def _progress_from_row(task_seq: int, unit: str, period: Period, row: tuple) -> Progress:
    status, percent, achievements, problems, next_steps, updated_at, updated_by = row
    return Progress(
        task_seq=task_seq,
        unit=unit,
        period=period,
        status=TaskStatus(status) if status else None,
        percent=percent,
        achievements=achievements,
        problems=problems,
        next_steps=next_steps,
        updated_at=updated_at,
        updated_by=updated_by,
    )


_PROGRESS_COLUMNS = "p.status, p.percent, p.achievements, p.problems, p.next_steps, p.updated_at, p.updated_by"


def read_progress(db: Database, plan_id: int, task_seq: int, unit: str, period: Period) -> Progress:
    row = db.execute(
        f"SELECT {_PROGRESS_COLUMNS} FROM progress p JOIN task t ON t.id = p.task_id JOIN unit u ON u.id = p.unit_id"
        " WHERE t.plan_id = ? AND t.seq = ? AND u.name = ? AND p.period = ?",
        [plan_id, task_seq, unit, period.code],
    ).fetchone()
    if row is None:
        return Progress(task_seq, unit, period)
    return _progress_from_row(task_seq, unit, period, row)


def unit_tasks_with_progress(db: Database, plan_id: int, unit: str, period: Period) -> list[tuple[int, str, Progress]]:
    """(task seq, role, progress) for every task the unit leads or cooperates on, in task-list order.

    The query the clerk's window makes on every period switch; tasks with nothing entered get an empty Progress.
    """
    rows = db.execute(
        f"SELECT t.seq, tu.role, p.task_id IS NOT NULL, {_PROGRESS_COLUMNS}"
        " FROM unit u JOIN task_unit tu ON tu.unit_id = u.id JOIN task t ON t.id = tu.task_id"
        " LEFT JOIN progress p ON p.unit_id = u.id AND p.period = ? AND p.task_id = t.id"
        " WHERE u.name = ? AND t.plan_id = ? ORDER BY t.seq",
        [period.code, unit, plan_id],
    ).fetchall()
    result = []
    for seq, role, present, *rest in rows:
        progress = _progress_from_row(seq, unit, period, tuple(rest)) if present else Progress(seq, unit, period)
        result.append((seq, role, progress))
    return result


def entered_task_periods(db: Database, plan_id: int, unit: str, seqs: Collection[int]) -> list[tuple[int, str]]:
    """(task seq, period code) for each of the tasks ``seqs`` and every period in which the unit has progress or
    evidence for it."""
    if not seqs:
        return []
    wanted = ", ".join("?" * len(seqs))
    # CROSS JOIN keeps SQLite's join order: the unit, then each task, then its entries by (task, unit) — left to
    # itself it reads every unit's entries for each task (3x slower on ten years of history).
    rows = db.execute(
        "SELECT t.seq, p.period FROM unit u CROSS JOIN task t CROSS JOIN progress p"
        f" WHERE u.name = ? AND t.plan_id = ? AND t.seq IN ({wanted}) AND p.task_id = t.id AND p.unit_id = u.id"
        " UNION SELECT t.seq, a.period FROM unit u CROSS JOIN task t CROSS JOIN progress_attachment a"
        f" WHERE u.name = ? AND t.plan_id = ? AND t.seq IN ({wanted}) AND a.task_id = t.id AND a.unit_id = u.id",
        [unit, plan_id, *seqs, unit, plan_id, *seqs],
    ).fetchall()
    return [(seq, code) for seq, code in rows]


def progress_history(db: Database, plan_id: int, task_seq: int, unit: str) -> list[Progress]:
    """Every period's progress of one task for one unit, oldest first."""
    rows = db.execute(
        f"SELECT p.period, {_PROGRESS_COLUMNS} FROM progress p JOIN task t ON t.id = p.task_id"
        " JOIN unit u ON u.id = p.unit_id WHERE t.plan_id = ? AND t.seq = ? AND u.name = ?",
        [plan_id, task_seq, unit],
    ).fetchall()
    history = [_progress_from_row(task_seq, unit, Period.parse(code), tuple(rest)) for code, *rest in rows]
    return sorted(history, key=lambda p: (p.period.end, p.period.kind.months))


# -- indicator values -----------------------------------------------------------------------------------------
def indicator_value_key(indicator_seq: int, unit: str, period: Period, plan: str = "") -> str:
    return audit.scoped(plan, f"indicator={indicator_seq};unit={unit};period={period.code}")


def save_indicator_value(
    db: Database, unit_id: int, indicator_id: int, entry: IndicatorValue, actor: str, plan: str = ""
) -> list[str]:
    values = {"value": entry.value, "note": entry.note, "data_source": entry.data_source}
    key = {"unit_id": unit_id, "period": entry.period.code, "indicator_id": indicator_id}
    entity_key = indicator_value_key(entry.indicator_seq, entry.unit, entry.period, plan)
    return _save_row(db, "indicator_value", key, values, actor, entity_key, entry.period)


_VALUE_COLUMNS = "v.value, v.note, v.data_source, v.updated_at, v.updated_by"


def _value_from_row(seq: int, unit: str, period: Period, row: Iterable) -> IndicatorValue:
    value, note, data_source, updated_at, updated_by = row
    return IndicatorValue(seq, unit, period, value, note, data_source, updated_at, updated_by)


def unit_indicator_values(db: Database, plan_id: int, unit: str, period: Period) -> dict[int, IndicatorValue]:
    rows = db.execute(
        f"SELECT i.seq, {_VALUE_COLUMNS} FROM indicator_value v JOIN indicator i ON i.id = v.indicator_id"
        " JOIN unit u ON u.id = v.unit_id WHERE i.plan_id = ? AND u.name = ? AND v.period = ?",
        [plan_id, unit, period.code],
    ).fetchall()
    return {seq: _value_from_row(seq, unit, period, rest) for seq, *rest in rows}


def indicator_history(db: Database, plan_id: int, indicator_seq: int, unit: str | None = None) -> list[IndicatorValue]:
    """Every value entered for an indicator (by one unit, or by all), oldest period first."""
    sql = (
        f"SELECT u.name, v.period, {_VALUE_COLUMNS} FROM indicator_value v"
        " JOIN indicator i ON i.id = v.indicator_id JOIN unit u ON u.id = v.unit_id"
        " WHERE i.plan_id = ? AND i.seq = ?"
    )
    params: list[object] = [plan_id, indicator_seq]
    if unit is not None:
        sql += " AND u.name = ?"
        params.append(unit)
    history = [
        _value_from_row(indicator_seq, name, Period.parse(code), rest)
        for name, code, *rest in db.execute(sql, params).fetchall()
    ]
    return sorted(history, key=lambda v: (v.period.end, v.period.kind.months, v.unit))


# -- project sub-target values --------------------------------------------------------------------------------
def target_ids(db: Database, plan_id: int) -> dict[tuple[int, int], int]:
    rows = db.execute(
        "SELECT p.no, t.seq, t.id FROM project_target t JOIN project p ON p.id = t.project_id WHERE p.plan_id = ?",
        [plan_id],
    ).fetchall()
    return {(no, seq): target_id for no, seq, target_id in rows}


def target_value_key(project_no: int, target_seq: int, unit: str, period: Period, plan: str = "") -> str:
    return audit.scoped(plan, f"project={project_no};target={target_seq};unit={unit};period={period.code}")


def save_target_value(
    db: Database, unit_id: int, target_id: int, entry: TargetValue, actor: str, plan: str = ""
) -> list[str]:
    values = {"value": entry.value, "note": entry.note}
    key = {"unit_id": unit_id, "period": entry.period.code, "target_id": target_id}
    entity_key = target_value_key(entry.project_no, entry.target_seq, entry.unit, entry.period, plan)
    return _save_row(db, "project_target_value", key, values, actor, entity_key, entry.period)


def unit_target_values(db: Database, plan_id: int, unit: str, period: Period) -> dict[tuple[int, int], TargetValue]:
    rows = db.execute(
        "SELECT p.no, t.seq, v.value, v.note, v.updated_at, v.updated_by FROM project_target_value v"
        " JOIN project_target t ON t.id = v.target_id JOIN project p ON p.id = t.project_id"
        " JOIN unit u ON u.id = v.unit_id WHERE p.plan_id = ? AND u.name = ? AND v.period = ?",
        [plan_id, unit, period.code],
    ).fetchall()
    return {
        (no, seq): TargetValue(no, seq, unit, period, value, note, updated_at, updated_by)
        for no, seq, value, note, updated_at, updated_by in rows
    }

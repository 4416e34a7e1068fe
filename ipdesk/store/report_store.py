"""Versions of a unit's report for a period and their status (填报中 → 已提交审核 → 已签署 …)."""

from __future__ import annotations

from sqlite_utils import Database

from ipdesk.domain.periods import Period
from ipdesk.domain.reports import ReportState, ReportStatus
from ipdesk.store import audit
from ipdesk.store.entries_store import ensure_period


def _key(unit: str, period: str, version: int) -> str:
    return f"unit={unit};period={period};version={version}"


def latest(db: Database, unit_id: int, unit: str, period: str) -> ReportState | None:
    row = db.execute(
        "SELECT version, status, coalesce(submitted_at, ''), coalesce(submitted_by, '') FROM report"
        " WHERE unit_id = ? AND period = ? ORDER BY version DESC LIMIT 1",
        [unit_id, period],
    ).fetchone()
    if row is None:
        return None
    version, status, submitted_at, submitted_by = row
    return ReportState(unit, period, version, ReportStatus(status), submitted_at, submitted_by)


def set_status(db: Database, unit_id: int, unit: str, period: Period, status: ReportStatus, actor: str) -> ReportState:
    """Move the latest version to ``status`` (creating version 1 as needed); audited."""
    with db.atomic():
        current = latest(db, unit_id, unit, period.code)
        now = audit.now()
        if current is None:
            ensure_period(db, period)
            db["report"].insert(
                {
                    "unit_id": unit_id,
                    "period": period.code,
                    "version": 1,
                    "status": status.value,
                    "created_at": now,
                    "submitted_at": now if status is ReportStatus.SUBMITTED else None,
                    "submitted_by": actor if status is ReportStatus.SUBMITTED else None,
                }
            )
            audit.record(db, actor, "insert", "report", _key(unit, period.code, 1), [("status", None, status.value)])
            return latest(db, unit_id, unit, period.code)  # type: ignore[return-value]
        if current.status is status:
            return current
        if status is ReportStatus.SUBMITTED:
            db.execute(
                "UPDATE report SET status = ?, submitted_at = ?, submitted_by = ?"
                " WHERE unit_id = ? AND period = ? AND version = ?",
                [status.value, now, actor, unit_id, period.code, current.version],
            )
        else:
            db.execute(
                "UPDATE report SET status = ? WHERE unit_id = ? AND period = ? AND version = ?",
                [status.value, unit_id, period.code, current.version],
            )
        audit.record(
            db,
            actor,
            "update",
            "report",
            _key(unit, period.code, current.version),
            [("status", current.status.value, status.value)],
        )
        return latest(db, unit_id, unit, period.code)  # type: ignore[return-value]


def periods_with_status(db: Database, unit_id: int, statuses: tuple[ReportStatus, ...]) -> set[str]:
    """Codes of the periods whose latest report version has one of ``statuses``."""
    marks = ", ".join("?" for _ in statuses)
    rows = db.execute(
        f"SELECT r.period FROM report r WHERE r.unit_id = ? AND r.status IN ({marks})"
        " AND r.version = (SELECT max(version) FROM report WHERE unit_id = r.unit_id AND period = r.period)",
        [unit_id, *[s.value for s in statuses]],
    ).fetchall()
    return {row[0] for row in rows}


def mark_sample(db: Database, unit_id: int, unit: str, period: Period, actor: str) -> None:
    with db.atomic():
        ensure_period(db, period)
        cursor = db.execute(
            "INSERT OR IGNORE INTO sample_data (unit_id, period, created_at) VALUES (?, ?, ?)",
            [unit_id, period.code, audit.now()],
        )
        if cursor.rowcount:
            audit.record(
                db, actor, "insert", "sample_data", f"unit={unit};period={period.code}", [("sample", None, "示例数据")]
            )


def is_sample(db: Database, unit_id: int, period: str) -> bool:
    row = db.execute("SELECT 1 FROM sample_data WHERE unit_id = ? AND period = ?", [unit_id, period]).fetchone()
    return row is not None

"""Versions of a unit's report for a period and their status (填报中 → 已提交审核 → 已签署 …)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ipdesk.domain.periods import Period
from ipdesk.domain.reports import ReportState, ReportStatus
from ipdesk.store import audit
from ipdesk.store.entries_store import ensure_period

if TYPE_CHECKING:
    from ipdesk.store.database import LazyDatabase as Database


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


def report_id(db: Database, unit_id: int, period: str, version: int) -> int | None:
    row = db.execute(
        "SELECT id FROM report WHERE unit_id = ? AND period = ? AND version = ?", [unit_id, period, version]
    ).fetchone()
    return row[0] if row else None


def record_signature(
    db: Database,
    unit_id: int,
    unit: str,
    period: str,
    version: int,
    signed_at: str,
    signed_by: str,
    snapshot_json: str,
    snapshot_sha256: str,
    signature: bytes,
    certificate_pem: bytes,
    files: list[tuple[str, str, bytes, str]],
    actor: str,
) -> None:
    """Mark the version signed, with the signed snapshot, its signature and the files made from it."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE report SET status = 'signed', signed_at = ?, signed_by = ?, snapshot_json = ?, snapshot_sha256 = ?,"
            " signature = ?, certificate = ? WHERE unit_id = ? AND period = ? AND version = ? AND status = 'submitted'",
            [
                signed_at,
                signed_by,
                snapshot_json,
                snapshot_sha256,
                signature,
                certificate_pem,
                unit_id,
                period,
                version,
            ],
        )
        if cursor.rowcount != 1:
            raise ValueError("only a submitted report version can be signed")
        identifier = report_id(db, unit_id, period, version)
        for kind, name, content, sha in files:
            db.execute(
                "INSERT INTO report_file (report_id, kind, file_name, content, sha256) VALUES (?, ?, ?, ?, ?)",
                [identifier, kind, name, content, sha],
            )
        audit.record(
            db,
            actor,
            "update",
            "report",
            _key(unit, period, version),
            [("status", "submitted", "signed"), ("snapshot_sha256", None, snapshot_sha256)],
        )


def signed_record(db: Database, unit_id: int, period: str, version: int) -> dict | None:
    row = db.execute(
        "SELECT id, signed_at, signed_by, snapshot_json, snapshot_sha256, signature, certificate FROM report"
        " WHERE unit_id = ? AND period = ? AND version = ? AND snapshot_json IS NOT NULL",
        [unit_id, period, version],
    ).fetchone()
    if row is None:
        return None
    keys = ("id", "signed_at", "signed_by", "snapshot_json", "snapshot_sha256", "signature", "certificate")
    record = dict(zip(keys, row, strict=True))
    record["files"] = {
        kind: (name, content)
        for kind, name, content in db.execute(
            "SELECT kind, file_name, content FROM report_file WHERE report_id = ?", [record["id"]]
        )
    }
    return record


def new_version(db: Database, unit_id: int, unit: str, period: Period, actor: str) -> int:
    """修订: start version n+1 as a draft; the signed versions stay as they were."""
    with db.atomic():
        current = latest(db, unit_id, unit, period.code)
        version = (current.version if current else 0) + 1
        db["report"].insert(
            {
                "unit_id": unit_id,
                "period": period.code,
                "version": version,
                "status": "draft",
                "created_at": audit.now(),
            }
        )
        audit.record(db, actor, "insert", "report", _key(unit, period.code, version), [("status", None, "draft")])
        return version


def trusted_certificates(db: Database) -> list[bytes]:
    return [row[0] for row in db.execute("SELECT pem FROM trusted_certificate")]


def add_trusted(db: Database, fingerprint: str, unit: str, pem: bytes, actor: str) -> bool:
    with db.atomic():
        cursor = db.execute(
            "INSERT OR IGNORE INTO trusted_certificate (fingerprint, unit, pem, added_at, added_by)"
            " VALUES (?, ?, ?, ?, ?)",
            [fingerprint, unit, pem, audit.now(), actor],
        )
        if cursor.rowcount:
            audit.record(db, actor, "insert", "trusted_certificate", fingerprint, [("unit", None, unit)])
        return bool(cursor.rowcount)

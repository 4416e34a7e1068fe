"""Versions of a unit's report for a period and their status (填报中 → 已提交审核 → 已签署 …)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ipdesk.domain.periods import Period
from ipdesk.domain.reports import ReportState, ReportStatus, ReturnComment
from ipdesk.store import audit
from ipdesk.store.entries_store import ensure_period

if TYPE_CHECKING:
    from ipdesk.store.database import LazyDatabase as Database


def _key(unit: str, period: str, version: int, plan: str = "") -> str:
    return audit.scoped(plan, f"unit={unit};period={period};version={version}")


_STATE_COLUMNS = (
    "version, status, coalesce(submitted_at, ''), coalesce(submitted_by, ''), created_at, coalesce(signed_at, ''),"
    " coalesce(signed_by, '')"
)


def _state(unit: str, period: str, row: tuple) -> ReportState:
    version, status, submitted_at, submitted_by, created_at, signed_at, signed_by = row
    return ReportState(
        unit, period, version, ReportStatus(status), submitted_at, submitted_by, created_at, signed_at, signed_by
    )


def latest(db: Database, unit_id: int, unit: str, period: str) -> ReportState | None:
    row = db.execute(
        f"SELECT {_STATE_COLUMNS} FROM report WHERE unit_id = ? AND period = ? ORDER BY version DESC LIMIT 1",
        [unit_id, period],
    ).fetchone()
    return None if row is None else _state(unit, period, row)


def versions(db: Database, unit_id: int, unit: str, period: str) -> list[ReportState]:
    """Every version of the unit's report for the period, oldest first."""
    rows = db.execute(
        f"SELECT {_STATE_COLUMNS} FROM report WHERE unit_id = ? AND period = ? ORDER BY version", [unit_id, period]
    ).fetchall()
    return [_state(unit, period, row) for row in rows]


def create_version(
    db: Database, unit_id: int, unit: str, period: Period, version: int, actor: str, plan: str = ""
) -> None:
    """Open ``version`` of the unit's report for the period as a draft."""
    with db.atomic():
        ensure_period(db, period)
        db["report"].insert(
            {
                "unit_id": unit_id,
                "period": period.code,
                "version": version,
                "status": ReportStatus.DRAFT.value,
                "created_at": audit.now(),
            }
        )
        audit.record(
            db,
            actor,
            "insert",
            "report",
            _key(unit, period.code, version, plan),
            [("status", None, ReportStatus.DRAFT.value)],
        )


# The columns an action stamps when it moves a version on: who and when.
_STAMPS = {
    ReportStatus.SUBMITTED: ("submitted_at", "submitted_by"),
    ReportStatus.ACCEPTED: ("accepted_at", "decided_by"),
    ReportStatus.RETURNED: ("returned_at", "decided_by"),
}


def change_status(
    db: Database,
    unit_id: int,
    unit: str,
    period: str,
    version: int,
    old: ReportStatus,
    new: ReportStatus,
    actor: str,
    comment: str | None = None,
    plan: str = "",
) -> None:
    """Move ``version`` from ``old`` to ``new`` (the caller has checked the life cycle); audited.

    The update only applies while the version is still ``old``: a change made meanwhile by another writer makes it
    fail rather than be overwritten.
    """
    with db.atomic():
        assignments, values = ["status = ?"], [new.value]
        stamp = _STAMPS.get(new)
        if stamp is not None:
            assignments += [f"{stamp[0]} = ?", f"{stamp[1]} = ?"]
            values += [audit.now(), actor]
        if comment is not None:
            assignments.append("city_comment = ?")
            values.append(comment)
        cursor = db.execute(
            f"UPDATE report SET {', '.join(assignments)}"
            " WHERE unit_id = ? AND period = ? AND version = ? AND status = ?",
            [*values, unit_id, period, version, old.value],
        )
        if cursor.rowcount != 1:
            raise ValueError(f"report {unit} {period} v{version} is no longer {old.value}")
        changes: list[tuple[str, object, object]] = [("status", old.value, new.value)]
        if comment:
            changes.append(("city_comment", None, comment))
        audit.record(db, actor, "update", "report", _key(unit, period, version, plan), changes)


def add_return_comments(
    db: Database,
    unit_id: int,
    unit: str,
    period: str,
    version: int,
    comments: list[ReturnComment],
    actor: str,
    plan: str = "",
) -> None:
    """The city office's comments on a returned version."""
    with db.atomic():
        identifier = report_id(db, unit_id, period, version)
        for item in comments:
            db.execute(
                "INSERT INTO return_comment (report_id, task_seq, comment) VALUES (?, ?, ?)",
                [identifier, item.task_seq, item.comment],
            )
            audit.record(
                db,
                actor,
                "insert",
                "return_comment",
                _key(unit, period, version, plan) + f";task={item.task_seq or ''}",
                [("comment", None, item.comment)],
            )


def return_comments(db: Database, unit_id: int, period: str, version: int) -> list[ReturnComment]:
    """The comments the city office returned ``version`` with, the whole report's first."""
    rows = db.execute(
        "SELECT c.task_seq, c.comment, c.answered_at IS NOT NULL, c.answer, c.id FROM return_comment c JOIN report r"
        " ON r.id = c.report_id WHERE r.unit_id = ? AND r.period = ? AND r.version = ?"
        " ORDER BY c.task_seq IS NOT NULL, c.task_seq, c.id",
        [unit_id, period, version],
    ).fetchall()
    return [
        ReturnComment(task_seq, comment, bool(answered), answer or "", identifier)
        for task_seq, comment, answered, answer, identifier in rows
    ]


def mark_comment(
    db: Database,
    unit: str,
    period: str,
    version: int,
    comment_id: int,
    handled: bool,
    answer: str,
    actor: str,
    plan: str,
) -> None:
    """The clerk marks the comment ``comment_id`` 已处理 with ``answer`` (or opens it again); kept in the audit log."""
    row = db.execute(
        "SELECT task_seq, answered_at IS NOT NULL, answer FROM return_comment WHERE id = ?", [comment_id]
    ).fetchone()
    if row is None:
        raise KeyError(comment_id)
    task_seq, was_handled, old_answer = row
    db.execute(
        "UPDATE return_comment SET answered_at = ?, answered_by = ?, answer = ? WHERE id = ?",
        [audit.now() if handled else None, actor if handled else None, answer if handled else "", comment_id],
    )
    changes: list[tuple[str, object, object]] = []
    if bool(was_handled) != handled:
        changes.append(("handled", "1" if was_handled else "0", "1" if handled else "0"))
    if (old_answer or "") != (answer if handled else ""):
        changes.append(("answer", old_answer or None, (answer if handled else "") or None))
    if changes:
        audit.record(
            db,
            actor,
            "update",
            "return_comment",
            _key(unit, period, version, plan) + f";task={task_seq or ''};comment={comment_id}",
            changes,
        )


def periods_with_status(db: Database, unit_id: int, statuses: tuple[ReportStatus, ...]) -> set[str]:
    """Codes of the periods whose latest report version has one of ``statuses``."""
    marks = ", ".join("?" for _ in statuses)
    rows = db.execute(
        f"SELECT r.period FROM report r WHERE r.unit_id = ? AND r.status IN ({marks})"
        " AND r.version = (SELECT max(version) FROM report WHERE unit_id = r.unit_id AND period = r.period)",
        [unit_id, *[s.value for s in statuses]],
    ).fetchall()
    return {row[0] for row in rows}


def mark_sample(db: Database, unit_id: int, unit: str, period: Period, actor: str, plan: str = "") -> None:
    with db.atomic():
        ensure_period(db, period)
        cursor = db.execute(
            "INSERT OR IGNORE INTO sample_data (unit_id, period, created_at) VALUES (?, ?, ?)",
            [unit_id, period.code, audit.now()],
        )
        if cursor.rowcount:
            audit.record(
                db,
                actor,
                "insert",
                "sample_data",
                audit.scoped(plan, f"unit={unit};period={period.code}"),
                [("sample", None, "示例数据")],
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
    plan: str = "",
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
            _key(unit, period, version, plan),
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


def sending_states(db: Database, unit_id: int) -> dict[str, tuple[str, str | None, bool]]:
    """Period → (latest version's status, folder it was exported to, marked sent) for a unit's reports."""
    rows = db.execute(
        "SELECT r.period, r.status, s.exported_to, s.sent_at IS NOT NULL FROM report r"
        " LEFT JOIN report_sending s ON s.report_id = r.id"
        " WHERE r.unit_id = ? AND r.version = (SELECT max(version) FROM report x"
        " WHERE x.unit_id = r.unit_id AND x.period = r.period)",
        [unit_id],
    ).fetchall()
    return {period: (status, exported_to, bool(sent)) for period, status, exported_to, sent in rows}


def record_sending(
    db: Database, unit: str, unit_id: int, period: str, what: str, value: str, actor: str, plan: str
) -> None:
    """The latest version left the office: ``what`` is "exported" (``value`` the folder) or "sent" (已报送)."""
    row = db.execute(
        "SELECT id, version FROM report WHERE unit_id = ? AND period = ? ORDER BY version DESC LIMIT 1",
        [unit_id, period],
    ).fetchone()
    if row is None:
        return
    identifier, version = row
    db.execute("INSERT OR IGNORE INTO report_sending (report_id) VALUES (?)", [identifier])
    if what == "exported":
        db.execute(
            "UPDATE report_sending SET exported_at = ?, exported_to = ? WHERE report_id = ?",
            [audit.now(), value, identifier],
        )
        changes = [("exported_to", None, value)]
    else:
        db.execute(
            "UPDATE report_sending SET sent_at = ?, sent_by = ? WHERE report_id = ?", [audit.now(), actor, identifier]
        )
        changes = [("sent", None, value or "已报送")]
    audit.record(db, actor, "update", "report", _key(unit, period, version, plan), changes)

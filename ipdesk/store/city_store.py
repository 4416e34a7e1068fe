"""The returns the city office received: each signed version with its files, and the office's decisions on them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ipdesk.domain.periods import Period
from ipdesk.domain.reports import ReportStatus, ReturnComment
from ipdesk.domain.returns import ReceivedEvidence, ReceivedReturn
from ipdesk.store import audit
from ipdesk.store.entries_store import ensure_period

if TYPE_CHECKING:
    from ipdesk.store.database import LazyDatabase as Database

_COLUMNS = (
    "r.id, u.name, r.period, r.version, r.status, r.signed_at, r.signed_by, r.received_at, r.fingerprint, r.format,"
    " r.plan_code, r.document_sha256, coalesce(r.decided_at, ''), coalesce(r.decided_by, ''), r.comment"
)


def _received(row: tuple) -> ReceivedReturn:
    ident, unit, period, version, status, signed_at, signed_by, received_at, fp, fmt, plan, sha, at, by, comment = row
    return ReceivedReturn(
        unit, period, version, ReportStatus(status), signed_at, signed_by, received_at, fp, fmt, plan, sha, at, by,
        comment, ident,
    )  # fmt: skip


def _key(unit: str, period: str, version: int, plan: str = "") -> str:
    return audit.scoped(plan, f"unit={unit};period={period};version={version}")


def received(db: Database, unit_id: int, period: str, version: int | None = None) -> ReceivedReturn | None:
    """The received ``version`` of the unit's return for the period (default: the newest)."""
    where = "r.unit_id = ? AND r.period = ?" + (" AND r.version = ?" if version is not None else "")
    params: list[object] = [unit_id, period] + ([version] if version is not None else [])
    row = db.execute(
        f"SELECT {_COLUMNS} FROM received_return r JOIN unit u ON u.id = r.unit_id WHERE {where}"
        " ORDER BY r.version DESC LIMIT 1",
        params,
    ).fetchone()
    return None if row is None else _received(row)


def versions(db: Database, unit_id: int, period: str) -> list[ReceivedReturn]:
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM received_return r JOIN unit u ON u.id = r.unit_id"
        " WHERE r.unit_id = ? AND r.period = ? ORDER BY r.version",
        [unit_id, period],
    ).fetchall()
    return [_received(row) for row in rows]


def all_received(db: Database, periods: list[str] | None = None, plan_id: int | None = None) -> list[ReceivedReturn]:
    """Every received version (of ``periods``, and of the units of ``plan_id``, when given), oldest version first."""
    where: list[str] = []
    params: list[object] = []
    if periods is not None:
        where.append(f"r.period IN ({', '.join('?' for _ in periods)})")
        params += periods
    if plan_id is not None:
        where.append("u.plan_id = ?")
        params.append(plan_id)
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM received_return r JOIN unit u ON u.id = r.unit_id"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + " ORDER BY r.period, r.version",
        params,
    ).fetchall()
    return [_received(row) for row in rows]


def document(db: Database, received_id: int) -> str:
    return db.execute("SELECT document FROM received_return WHERE id = ?", [received_id]).fetchone()[0]


def insert(
    db: Database,
    unit_id: int,
    unit: str,
    period: Period,
    version: int,
    plan_code: str,
    fmt: str,
    text: str,
    sha256: str,
    signed_at: str,
    signed_by: str,
    fingerprint: str,
    actor: str,
    received_at: str | None = None,
) -> int:
    """Store a newly received signed version (status 已签署: waiting for the office); returns its id.

    ``received_at`` is when the office received it (default: now), which decides whether it came on time."""
    with db.atomic():
        ensure_period(db, period)
        identifier = (
            db["received_return"]
            .insert(
                {
                    "unit_id": unit_id,
                    "period": period.code,
                    "version": version,
                    "plan_code": plan_code,
                    "format": fmt,
                    "document": text,
                    "document_sha256": sha256,
                    "signed_at": signed_at,
                    "signed_by": signed_by,
                    "fingerprint": fingerprint,
                    "received_at": received_at or audit.now(),
                    "received_by": actor,
                }
            )
            .last_pk
        )
        assert isinstance(identifier, int)  # the new row's id
        audit.record(
            db,
            actor,
            "insert",
            "received_return",
            _key(unit, period.code, version, plan_code),
            [("document_sha256", None, sha256)],
        )
        return identifier


def add_file(db: Database, received_id: int, kind: str, name: str, content: bytes, sha256: str) -> bool:
    """Keep a file of a received return; False when a file of that kind is kept already."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO received_file (received_id, kind, file_name, content, sha256) VALUES (?, ?, ?, ?, ?)",
        [received_id, kind, name, content, sha256],
    )
    return bool(cursor.rowcount)


def files(db: Database, received_id: int) -> dict[str, tuple[str, bytes]]:
    return {
        kind: (name, bytes(content))
        for kind, name, content in db.execute(
            "SELECT kind, file_name, content FROM received_file WHERE received_id = ?", [received_id]
        )
    }


def decide(
    db: Database,
    item: ReceivedReturn,
    new: ReportStatus,
    actor: str,
    comment: str = "",
    task_comments: list[ReturnComment] | None = None,
) -> None:
    """Record the office's decision (接收 or 退回, the caller has checked the life cycle) with its comments."""
    with db.atomic():
        now = audit.now()
        cursor = db.execute(
            "UPDATE received_return SET status = ?, decided_at = ?, decided_by = ?, comment = ?"
            " WHERE id = ? AND status = ?",
            [new.value, now, actor, comment, item.id, item.status.value],
        )
        if cursor.rowcount != 1:
            raise ValueError(f"received return {item.id} is no longer {item.status.value}")
        for entry in task_comments or []:
            db.execute(
                "INSERT INTO received_comment (received_id, task_seq, comment) VALUES (?, ?, ?)",
                [item.id, entry.task_seq, entry.comment],
            )
        changes: list[tuple[str, object, object]] = [("status", item.status.value, new.value)]
        if comment:
            changes.append(("comment", None, comment))
        key = _key(item.unit, item.period, item.version, item.plan_code)
        audit.record(db, actor, "update", "received_return", key, changes)


def comments(db: Database, received_id: int) -> list[ReturnComment]:
    rows = db.execute(
        "SELECT task_seq, comment FROM received_comment WHERE received_id = ?"
        " ORDER BY task_seq IS NOT NULL, task_seq, id",
        [received_id],
    ).fetchall()
    return [ReturnComment(seq, text) for seq, text in rows]


def keep_feedback(db: Database, received_id: int, name: str, content: bytes, sha256: str) -> None:
    """Keep the signed feedback file sent back with a decision (in the decision's transaction)."""
    db.execute(
        "INSERT INTO feedback_file (received_id, file_name, content, sha256) VALUES (?, ?, ?, ?)",
        [received_id, name, content, sha256],
    )


def feedback(db: Database, received_id: int) -> tuple[str, bytes] | None:
    row = db.execute("SELECT file_name, content FROM feedback_file WHERE received_id = ?", [received_id]).fetchone()
    return None if row is None else (row[0], bytes(row[1]))


def record_evidence(db: Database, received_id: int, found: list[ReceivedEvidence]) -> None:
    """What the evidence package of a received return held, file by file (replacing an earlier check)."""
    now = audit.now()
    for item in found:
        db.execute(
            "INSERT OR REPLACE INTO received_evidence"
            " (received_id, path, task_seq, file_name, sha256, size, state, checked_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [received_id, item.path, item.task_seq, item.file_name, item.sha256, item.size, item.state, now],
        )


def evidence(db: Database, received_id: int) -> list[ReceivedEvidence]:
    rows = db.execute(
        "SELECT path, task_seq, file_name, sha256, size, state FROM received_evidence WHERE received_id = ?"
        " ORDER BY task_seq, rowid",
        [received_id],
    ).fetchall()
    return [ReceivedEvidence(*row) for row in rows]

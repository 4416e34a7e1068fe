"""The audit log: every change to a unit's data or the settings, field by field, who and when, old → new.

Entries are chained: each one's hash covers the previous entry's hash and its own fields, so deleting or editing an
entry breaks the chain at that point, which ``verify`` reports. Entries are written inside the same transaction as
the change they describe, so a change never lands without its record nor the record without the change.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ipdesk.store.database import LazyDatabase as Database


GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit log: who changed which field of what, from what to what, and when."""

    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_key: str
    field: str
    old_value: str | None
    new_value: str | None


def now() -> str:
    """Local time with its offset, to the millisecond: what the clerk's clock said, unambiguously."""
    return dt.datetime.now().astimezone().isoformat(timespec="milliseconds")


def as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return value.value
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else str(value)


def scoped(plan: str, key: str) -> str:
    """An entity key that names its plan (``plan=xian-2022-2025;task=47;…``). Keys written before plans owned their
    units name none: they are the plan that was current then (``plan.legacy_audit_keys``)."""
    return f"plan={plan};{key}" if plan else key


def _digest(prev_hash: str, fields: tuple[object, ...]) -> str:
    import hashlib  # on the first change: OpenSSL's loading is not the window's start's to pay

    payload = json.dumps([prev_hash, *fields], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    db: Database,
    actor: str,
    action: str,
    entity: str,
    entity_key: str,
    changes: Iterable[tuple[str, object, object]],
) -> int:
    """Append one entry per changed field; returns how many were written. Call inside the change's transaction."""
    row = db.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    prev_hash = row[0] if row else GENESIS
    at = now()
    written = 0
    for field, old, new in changes:
        fields = (at, actor, action, entity, entity_key, field, as_text(old), as_text(new))
        digest = _digest(prev_hash, fields)
        db.execute(
            "INSERT INTO audit_log (at, actor, action, entity, entity_key, field, old_value, new_value, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*fields, digest),
        )
        prev_hash = digest
        written += 1
    return written


def entries(
    db: Database,
    entity: str | None = None,
    entity_key: str | None = None,
    field: str | None = None,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Entries newest first, optionally for one entity, key and field (the 修改记录 of a field)."""
    where, params = [], []
    for column, value in (("entity", entity), ("entity_key", entity_key), ("field", field)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    sql = "SELECT id, at, actor, action, entity, entity_key, field, old_value, new_value FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [AuditEntry(*row) for row in db.execute(sql, params).fetchall()]


def verify(db: Database) -> int | None:
    """The id of the first entry whose chain is broken, or None when the whole log is intact."""
    prev_hash = GENESIS
    cursor = db.execute(
        "SELECT id, at, actor, action, entity, entity_key, field, old_value, new_value, hash FROM audit_log ORDER BY id"
    )
    for row in cursor:
        entry_id, *fields, stored_hash = row
        if _digest(prev_hash, tuple(fields)) != stored_hash:
            return entry_id
        prev_hash = stored_hash
    return None

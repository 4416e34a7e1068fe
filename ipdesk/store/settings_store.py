"""Workspace settings: small named values (the unit this copy reports for, the clerk's name, thresholds)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ipdesk.store import audit

if TYPE_CHECKING:
    from ipdesk.store.database import LazyDatabase as Database


def read_all(db: Database) -> dict[str, str]:
    return dict(db.execute("SELECT key, value FROM setting").fetchall())


def write(db: Database, key: str, value: str, actor: str) -> bool:
    """Set ``key``; returns False when it already had that value. The change is audited."""
    with db.atomic():
        row = db.execute("SELECT value FROM setting WHERE key = ?", [key]).fetchone()
        if row and row[0] == value:
            return False
        db.execute(
            "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )
        audit.record(
            db, actor, "update" if row else "insert", "setting", key, [("value", row[0] if row else None, value)]
        )
    return True

"""The certificates a workspace trusts: units' (registered at the city office) and the city office's own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ipdesk.domain.returns import TrustedCertificate
from ipdesk.store import audit

if TYPE_CHECKING:
    from ipdesk.store.database import LazyDatabase as Database


def all_trusted(db: Database) -> list[TrustedCertificate]:
    """Every trusted certificate, current and superseded, the newest first within each holder."""
    rows = db.execute(
        "SELECT fingerprint, unit, kind, added_at, coalesce(superseded_at, ''), pem FROM trusted_certificate"
        " ORDER BY kind DESC, unit, added_at DESC"
    ).fetchall()
    return [
        TrustedCertificate(fp, holder, kind, added, superseded, bytes(pem))
        for fp, holder, kind, added, superseded, pem in rows
    ]


def add(db: Database, fingerprint: str, holder: str, pem: bytes, kind: str, actor: str) -> bool:
    """Register a certificate; False when it was registered already."""
    with db.atomic():
        cursor = db.execute(
            "INSERT OR IGNORE INTO trusted_certificate (fingerprint, unit, pem, added_at, added_by, kind)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [fingerprint, holder, pem, audit.now(), actor, kind],
        )
        if cursor.rowcount:
            audit.record(
                db, actor, "insert", "trusted_certificate", fingerprint, [("unit", None, holder), ("kind", None, kind)]
            )
        return bool(cursor.rowcount)


def supersede(db: Database, fingerprint: str, actor: str) -> None:
    """Mark a certificate replaced by a newer key of its holder: it stays valid for what it signed before."""
    with db.atomic():
        at = audit.now()
        db.execute(
            "UPDATE trusted_certificate SET superseded_at = ? WHERE fingerprint = ? AND superseded_at IS NULL",
            [at, fingerprint],
        )
        audit.record(db, actor, "update", "trusted_certificate", fingerprint, [("superseded_at", None, at)])


def remove(db: Database, fingerprint: str, actor: str) -> bool:
    with db.atomic():
        row = db.execute("SELECT unit FROM trusted_certificate WHERE fingerprint = ?", [fingerprint]).fetchone()
        if row is None:
            return False
        db.execute("DELETE FROM trusted_certificate WHERE fingerprint = ?", [fingerprint])
        audit.record(db, actor, "delete", "trusted_certificate", fingerprint, [("unit", row[0], None)])
        return True

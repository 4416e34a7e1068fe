"""The workspace's own unit roster: its changes to the roster ipdesk ships, and units it added, by city."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ipdesk.domain.plan import Unit, UnitKind
from ipdesk.store import audit

if TYPE_CHECKING:
    from ipdesk.store.database import LazyDatabase as Database


def entries(db: Database, city: str) -> list[tuple[Unit, bool]]:
    """(unit, removed) for every unit the workspace keeps for ``city``, in order."""
    return [
        (Unit(name, UnitKind(kind), short, order, note, code, tuple(a for a in aliases.split("、") if a)), bool(gone))
        for name, kind, short, order, note, code, aliases, gone in db.execute(
            "SELECT name, kind, short_name, sort_order, note, code, aliases, removed FROM roster_unit WHERE city = ?"
            " ORDER BY sort_order, id",
            [city],
        )
    ]


def save(db: Database, city: str, units: list[Unit], removed: list[str], actor: str) -> None:
    """Keep ``units`` for ``city`` (added or replacing the entry of the same name) and hide ``removed``."""
    with db.atomic():
        for unit in units:
            old = db.execute(
                "SELECT code, kind, short_name, aliases, note, removed FROM roster_unit WHERE city = ? AND name = ?",
                [city, unit.name],
            ).fetchone()
            values = [unit.code, unit.kind.value, unit.short_name, "、".join(unit.aliases), unit.note, 0]
            db.execute(
                "INSERT INTO roster_unit (city, name, code, kind, short_name, aliases, note, removed, sort_order)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (city, name) DO UPDATE SET code = excluded.code,"
                " kind = excluded.kind, short_name = excluded.short_name, aliases = excluded.aliases,"
                " note = excluded.note, removed = 0, sort_order = excluded.sort_order",
                [city, unit.name, *values, unit.sort_order],
            )
            if old is None or list(old) != values:
                audit.record(
                    db,
                    actor,
                    "update" if old else "insert",
                    "roster_unit",
                    f"city={city};unit={unit.name}",
                    [("unit", "、".join(map(str, old)) if old else None, "、".join(map(str, values)))],
                )
        for name in removed:
            cursor = db.execute(
                "INSERT INTO roster_unit (city, name, kind, short_name, removed) VALUES (?, ?, 'department', ?, 1)"
                " ON CONFLICT (city, name) DO UPDATE SET removed = 1 WHERE removed = 0",
                [city, name, name],
            )
            if cursor.rowcount:
                audit.record(db, actor, "delete", "roster_unit", f"city={city};unit={name}", [("unit", name, None)])


def contacts(db: Database, city: str) -> dict[str, tuple[str, str]]:
    """Unit name → (contact person, phone) as the workspace keeps them for ``city``."""
    rows = db.execute("SELECT name, person, phone FROM unit_contact WHERE city = ?", [city]).fetchall()
    return {name: (person, phone) for name, person, phone in rows}


def save_contacts(db: Database, city: str, found: dict[str, tuple[str, str]], actor: str) -> int:
    """Keep each unit's contact person and phone (an empty pair removes it); returns how many changed."""
    changed = 0
    with db.atomic():
        before = contacts(db, city)
        for name, (person, phone) in found.items():
            old = before.get(name, ("", ""))
            if old == (person, phone):
                continue
            if person or phone:
                db.execute(
                    "INSERT INTO unit_contact (city, name, person, phone) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (city, name) DO UPDATE SET person = excluded.person, phone = excluded.phone",
                    [city, name, person, phone],
                )
            else:
                db.execute("DELETE FROM unit_contact WHERE city = ? AND name = ?", [city, name])
            audit.record(
                db,
                actor,
                "update",
                "unit_contact",
                f"city={city};unit={name}",
                [
                    (field, o or None, n or None)
                    for field, o, n in zip(("person", "phone"), old, (person, phone), strict=True)
                    if o != n
                ],
            )
            changed += 1
    return changed

"""Backups belong to their workspace: two databases in one folder each see, rotate, are offered and may restore only
their own backups; names never collide; backups made by earlier releases are still found for their own database."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from ipdesk import Period, Workspace
from ipdesk.domain import InvalidInput, Progress
from ipdesk.store import backups

UNIT = "碑林区人民政府"
NOV = Period.parse("2025-11")


def _identity(path: Path) -> str | None:
    return backups.workspace_identity(path)


def _truncate(path: Path) -> None:
    """The damage of the issue's ``trunc.db``: the first page kept, the rest garbage."""
    path.write_bytes(path.read_bytes()[:4096] + b"\xff" * 4096)


@pytest.fixture
def two(tmp_path) -> tuple[Path, Path]:
    """``unit.db`` and ``city.db`` side by side, each with something worth a backup."""
    unit_db, city_db = tmp_path / "unit.db", tmp_path / "city.db"
    with Workspace(unit_db, actor="王芳") as unit, Workspace(city_db, actor="李华") as city:
        unit.progress.save(Progress(47, UNIT, NOV, achievements="单位的内容"))
        city.progress.save(Progress(47, UNIT, NOV, achievements="另一个工作区的内容"))
    return unit_db, city_db


def test_each_workspace_sees_rotates_and_is_offered_only_its_own_backups(two):
    unit_db, city_db = two
    made: dict[str, list[Path]] = {"unit": [], "city": []}
    with Workspace(unit_db) as unit, Workspace(city_db) as city:
        assert unit.path is not None and city.path is not None
        for _ in range(25):  # more than the 20 kept, in quick succession: many fall in the same second
            for name, ws in (("unit", unit), ("city", city)):
                target = ws.backup_before("manual")
                assert target is not None
                made[name].append(target)
        unit_seen = {b.path for b in unit.backups.all() if b.kind == "before"} if unit.backups else set()
        city_seen = {b.path for b in city.backups.all() if b.kind == "before"} if city.backups else set()
    for name in made:
        assert len(set(made[name])) == 25  # no backup replaced another of the same second
    # Each keeps its own newest 20: the other workspace's backups neither count nor are deleted.
    assert unit_seen == set(made["unit"][-20:]) and city_seen == set(made["city"][-20:])
    assert all(p.exists() for p in made["unit"][-20:] + made["city"][-20:])
    assert not any(p.exists() for p in made["unit"][:5] + made["city"][:5])
    assert unit_seen.isdisjoint(city_seen)
    assert {p.parent.parent.name for p in unit_seen} == {"unit.db"}  # one folder per database
    ids = {_identity(unit_db), _identity(city_db)}
    assert len(ids) == 2 and None not in ids
    assert {_identity(p) for p in unit_seen} == {_identity(unit_db)}

    # unit.db damaged (its identity can no longer be read from it): the advice names its own newest backup.
    city_newest = Workspace.newest_good_backup(city_db)
    _truncate(unit_db)
    newest = Workspace.newest_good_backup(unit_db)
    assert newest is not None and newest.path == made["unit"][-1]
    assert city_newest is not None and Workspace.newest_good_backup(city_db) == city_newest


def test_a_backup_of_another_workspace_is_refused_and_changes_nothing(two, capsys):
    from ipdesk.cli import main

    unit_db, city_db = two
    with Workspace(city_db) as city:
        foreign = city.backup_before("manual")
    with Workspace(unit_db) as unit:
        own = unit.backup_before("manual")
    assert foreign is not None and own is not None
    before = unit_db.read_bytes()
    with pytest.raises(InvalidInput) as error:
        Workspace.restore(unit_db, foreign)
    assert "另一个工作区" in str(error.value) and "未做任何改动" in str(error.value)
    capsys.readouterr()
    assert main(["--db", str(unit_db), "restore", str(foreign)]) == 2
    assert "另一个工作区的备份" in capsys.readouterr().err
    assert unit_db.read_bytes() == before
    assert not list(unit_db.parent.glob("unit.db.replaced-*"))  # nothing was replaced

    # Damaged, the database is still known by the identity its own backups carry.
    _truncate(unit_db)
    with pytest.raises(InvalidInput):
        Workspace.restore(unit_db, foreign)
    assert main(["--db", str(unit_db), "restore", str(own)]) == 0
    with Workspace(unit_db, read_only=True) as unit:
        assert unit.progress.get(47, UNIT, NOV).achievements == "单位的内容"


def _as_release_8(path: Path) -> None:
    """Make ``path`` what an earlier release (schema 8) wrote: no workspace identity stored."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE workspace_identity")
    conn.execute("PRAGMA user_version = 8")
    conn.commit()
    conn.close()


def test_backups_made_by_an_earlier_release_are_found_for_their_own_database(two):
    unit_db, city_db = two
    legacy = unit_db.parent / "backups" / "before"  # where earlier releases kept every database's backups
    legacy.mkdir(parents=True)
    for db in (unit_db, city_db):
        _as_release_8(db)
        shutil.copyfile(db, legacy / f"{db.stem}-2026-11-20-093000-manual.db")
    # A copy of city.db that bears unit.db's name: found by name, but its audit chain says whose it is.
    shutil.copyfile(city_db, legacy / "unit-2026-11-21-093000-manual.db")
    old_unit, old_city = legacy / "unit-2026-11-20-093000-manual.db", legacy / "city-2026-11-20-093000-manual.db"
    import os
    import time

    os.utime(legacy / "unit-2026-11-21-093000-manual.db", (time.time() + 60, time.time() + 60))

    with Workspace(unit_db) as unit:  # the upgrade to schema 9 keeps the identity its old backups yield
        assert unit.backups is not None
        seen = {b.path for b in unit.backups.all()}
    assert old_unit in seen and old_city not in seen
    assert _identity(unit_db) == _identity(old_unit) != _identity(old_city)
    newest = Workspace.newest_good_backup(unit_db)
    assert newest is not None and newest.path != legacy / "unit-2026-11-21-093000-manual.db"
    with pytest.raises(InvalidInput):
        Workspace.restore(unit_db, legacy / "unit-2026-11-21-093000-manual.db")
    Workspace.restore(unit_db, old_unit)  # its own old backup restores (and is upgraded when next opened)
    with Workspace(unit_db) as unit:
        assert unit.progress.get(47, UNIT, NOV).achievements == "单位的内容"
    assert _identity(unit_db) == _identity(old_unit)
    assert old_city.exists()  # this release never rotates or deletes what an earlier one left

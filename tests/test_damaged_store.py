"""A store that refuses damage: damaged files, two names for one file, and refused inputs that leave nothing behind.

The damaged files are real workspaces damaged the ways disks and careless copies damage them: pages overwritten in
the middle, a file truncated with its header patched to match, and an index that no longer matches its table.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ipdesk import Period, Workspace
from ipdesk.domain import CorruptDatabase, InvalidInput, Progress
from ipdesk.domain.errors import LinkedDatabase, StorageError, WorkspaceInUse
from ipdesk.store import backups, connection

from .conftest import ROOT

UNIT = "碑林区人民政府"
NOV = Period.parse("2025-11")


# -- making damage --------------------------------------------------------------------------------------------------
def table_leaves(path: Path, table: str) -> list[int]:
    """The leaf pages of ``table``'s b-tree, in key order, read from the file itself."""
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
    conn.close()
    data = path.read_bytes()
    page_size = struct.unpack(">H", data[16:18])[0]

    def walk(page: int) -> list[int]:
        start = (page - 1) * page_size
        header = start + (100 if page == 1 else 0)
        kind = data[header]
        if kind in (0x0D, 0x0A):  # table or index leaf
            return [page]
        assert kind in (0x05, 0x02), f"page {page} of {table} is not a b-tree page"
        cells = int.from_bytes(data[header + 3 : header + 5], "big")
        right = int.from_bytes(data[header + 8 : header + 12], "big")
        children = []
        for number in range(cells):
            pointer = int.from_bytes(data[header + 12 + 2 * number : header + 14 + 2 * number], "big")
            children += walk(int.from_bytes(data[start + pointer : start + pointer + 4], "big"))
        return children + walk(right)

    return walk(root)


def overwrite_page(path: Path, page: int) -> None:
    data = bytearray(path.read_bytes())
    page_size = struct.unpack(">H", data[16:18])[0]
    data[(page - 1) * page_size : page * page_size] = bytes((n * 7 + 13) % 256 for n in range(page_size))
    path.write_bytes(bytes(data))


def truncate_with_patched_header(path: Path) -> None:
    data = path.read_bytes()
    page_size = struct.unpack(">H", data[16:18])[0]
    keep = (len(data) // page_size) * 2 // 3
    cut = bytearray(data[: keep * page_size])
    cut[28:32] = struct.pack(">I", keep)  # the header's page count now agrees with the shorter file
    path.write_bytes(bytes(cut))


def damage(path: Path, how: str) -> None:
    if how == "audit pages overwritten":
        overwrite_page(path, table_leaves(path, "audit_log")[0])  # old entries: appending still works
    elif how == "progress page overwritten":
        overwrite_page(path, table_leaves(path, "progress")[0])
    else:
        truncate_with_patched_header(path)


def integrity(path: Path) -> str:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        return str(error)
    finally:
        conn.close()


def listing(folder: Path) -> dict[str, tuple[int, float]]:
    """Every file under ``folder`` with its size and modification time."""
    files = [p for p in sorted(folder.rglob("*")) if p.is_file()]
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime) for p in files}


@pytest.fixture
def filled(tmp_path) -> Path:
    """A workspace file with two units' data, a good backup of it, and 14 older daily backups to rotate."""
    from ipdesk.workspace.sample_data import fill_sample

    db = tmp_path / "ws.db"
    with Workspace(db, actor="王芳") as ws:
        fill_sample(ws, UNIT, NOV)
        fill_sample(ws, "市场监管局", Period.parse("2025-10"))
        ws.backup_before("manual")
    daily = tmp_path / "backups" / "ws.db" / "daily"
    daily.mkdir(parents=True)
    good = next((tmp_path / "backups" / "ws.db" / "before").glob("*.db"))
    for age in range(1, 15):
        old = daily / f"ws-2025-01-{age:02d}.db"
        shutil.copyfile(good, old)
        stamp = time.time() - age * 86400
        os.utime(old, (stamp, stamp))
    return db


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}  # Windows: the ANSI code page else
    return subprocess.run(
        [sys.executable, "-m", "ipdesk", *args], capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env
    )


# -- damage inside the file -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["audit pages overwritten", "progress page overwritten", "truncated, header patched"])
def test_a_damaged_database_is_neither_written_nor_backed_up(filled, how, tmp_path, capsys):
    from ipdesk.cli import main

    damage(filled, how)
    assert integrity(filled) != "ok"
    before = listing(filled.parent)
    content = filled.read_bytes()

    demo = run_cli("--db", str(filled), "demo", "--unit", "碑林区", "--period", "2025-10")  # a whole process
    assert demo.returncode == 2
    assert "已损坏" in demo.stderr and "最近一份完好的备份" in demo.stderr and "ipdesk --db" in demo.stderr
    assert "Traceback" not in demo.stderr and "sqlite3" not in demo.stderr
    for command in (
        ["backup"],
        ["plan"],
        ["tasks", "--unit", "碑林区", "--json"],
        ["submit", "--unit", "碑林区", "--period", "2025-11"],
        ["export", "--unit", "碑林区", "--period", "2025-11", "--out", str(tmp_path / "out")],
    ):
        assert main(["--db", str(filled), *command]) == 2, command
        err = capsys.readouterr().err
        assert "已损坏" in err and "最近一份完好的备份" in err, command
    assert main(["--db", str(filled), "audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "完整性检查未通过" in out and "审计链完整" not in out
    with pytest.raises(CorruptDatabase):
        Workspace(filled)

    assert filled.read_bytes() == content  # not a byte written
    assert listing(filled.parent) == before  # no backup made or rotated, no lock, no -wal/-shm left


def test_the_newest_good_backup_restores_a_damaged_database(filled, capsys):
    from ipdesk.cli import main

    damage(filled, "audit pages overwritten")
    assert main(["--db", str(filled), "demo", "--unit", "碑林区", "--period", "2025-10"]) == 2
    advice = capsys.readouterr().err
    good = next((filled.parent / "backups" / "ws.db" / "before").glob("*.db"))
    assert str(good) in advice
    assert main(["--db", str(filled), "restore", str(good)]) == 0
    with Workspace(filled) as ws:
        assert ws.integrity_full() == "ok"
        assert ws.progress.get(47, UNIT, NOV).achievements


def test_a_large_file_is_checked_before_its_first_write(filled, monkeypatch):
    """Beyond the size checked at opening, the check runs before the first write; until then SQLite refuses writes."""
    monkeypatch.setattr(connection, "CHEAP_CHECK_BYTES", 0)
    with Workspace(filled) as ws:  # today's backup is made and checked: it vouches for the file
        assert ws.db.conn.checked
    damage(filled, "audit pages overwritten")
    content = filled.read_bytes()
    with Workspace(filled) as ws:  # today's backup exists already: nothing has checked this file yet
        assert not ws.db.conn.checked
        with pytest.raises(sqlite3.OperationalError):  # a write that slipped past the gate is refused by SQLite
            ws.db.conn.execute("UPDATE setting SET value = 'x'")
        with pytest.raises(CorruptDatabase) as error:
            ws.progress.save(Progress(47, UNIT, NOV, achievements="写入损坏的文件"))
        assert "已损坏" in str(error.value)
        assert ws.damaged
    assert filled.read_bytes() == content


def test_damage_met_by_any_statement_stops_all_writing(filled, monkeypatch):
    monkeypatch.setattr(connection, "CHEAP_CHECK_BYTES", 0)
    Workspace(filled).close()  # today's backup
    damage(filled, "audit pages overwritten")
    content = filled.read_bytes()
    with Workspace(filled) as ws:
        ws.db.conn.mark_checked()  # as if the check had passed before the damage happened, mid-session
        with pytest.raises(CorruptDatabase):
            ws.audit.entries()  # reading the damaged pages
        assert "malformed" in ws.damaged
        with pytest.raises(CorruptDatabase):
            ws.progress.save(Progress(47, UNIT, NOV, achievements="不应写入"))
        with pytest.raises(CorruptDatabase):
            ws.backup_before("manual")
    assert filled.read_bytes() == content


def test_the_daily_backup_of_a_damaged_large_file_is_refused_and_rotates_nothing(filled, monkeypatch):
    monkeypatch.setattr(connection, "CHEAP_CHECK_BYTES", 0)
    damage(filled, "progress page overwritten")
    before = listing(filled.parent)
    with pytest.raises(CorruptDatabase):
        Workspace(filled)
    assert listing(filled.parent) == before


def test_a_backup_that_fails_its_check_is_not_kept(filled, monkeypatch):
    with Workspace(filled) as ws:
        before = listing(filled.parent / "backups")
        monkeypatch.setattr(backups, "check_copy", lambda path: "*** in database main *** Page 9: never used")
        with pytest.raises(StorageError) as error:
            ws.backup_before("manual")
        assert "没有通过检查" in str(error.value)
        assert not ws.damaged  # the database itself is sound: the copy was spoilt
        assert listing(filled.parent / "backups") == before


def test_audit_verify_includes_sqlites_integrity_check(filled, capsys):
    """An index that no longer matches its table passes the quick check but not integrity_check."""
    from ipdesk.cli import main

    conn = sqlite3.connect(filled)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = replace(sql, '(entity, entity_key, field)', '(entity_key, entity, field)')"
        " WHERE name = 'audit_log_by_entity'"
    )
    conn.commit()
    conn.close()
    assert main(["--db", str(filled), "audit", "verify", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["database_ok"] is False and "index" in report["integrity"]
    assert report["intact"] is True  # the chain itself reads as intact: only SQLite's check finds the damage


# -- one file, two names ---------------------------------------------------------------------------------------------
def test_a_hard_linked_database_is_refused_for_writing(filled, capsys):
    from ipdesk.cli import main

    other = filled.parent / "另一个名字.db"
    with Workspace(filled):  # the window is open; someone makes a second name for the file and opens that
        os.link(filled, other)
        with pytest.raises(LinkedDatabase) as error:
            Workspace(other)
    assert "硬链接" in str(error.value) and "只读" in str(error.value)
    before = listing(filled.parent)
    content = filled.read_bytes()
    with pytest.raises(LinkedDatabase):
        Workspace(filled)
    assert main(["--db", str(other), "demo", "--unit", "碑林区", "--period", "2025-10"]) == 2
    assert "硬链接" in capsys.readouterr().err
    assert main(["--db", str(other), "plan", "--json"]) == 0  # reading is safe, and leaves nothing behind
    with Workspace(other, read_only=True) as reader:
        assert reader.progress.get(47, UNIT, NOV).achievements
    assert filled.read_bytes() == content
    assert listing(filled.parent) == before


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need a privilege on Windows")
def test_a_symbolic_link_finds_the_same_writer_lock(filled, tmp_path):
    elsewhere = tmp_path / "桌面"
    elsewhere.mkdir()
    link = elsewhere / "ipdesk.db"
    link.symlink_to(filled)
    with Workspace(filled) as first:
        with pytest.raises(WorkspaceInUse):
            Workspace(link)
        first.progress.save(Progress(47, UNIT, NOV, achievements="经由原名保存"))
    with Workspace(link) as second:
        assert second.path == filled
        second.progress.save(Progress(48, UNIT, NOV, achievements="经由链接保存"))
        assert not (elsewhere / "ipdesk.db.lock").exists()
    assert sorted(p.name for p in elsewhere.iterdir()) == ["ipdesk.db"]  # journals and backups stay by the file
    with Workspace(filled, read_only=True) as reader:
        assert reader.progress.get(48, UNIT, NOV).achievements == "经由链接保存"
        assert reader.integrity_full() == "ok"


# -- refused inputs leave nothing behind -----------------------------------------------------------------------------
def _newer_wal_database(path: Path) -> None:
    Workspace(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    assert not connection.side_files(path)


@pytest.mark.parametrize(
    "kind", ["folder", "empty", "text", "other sqlite", "newer version (WAL)", "damaged", "truncated"]
)
def test_a_refused_database_keeps_nothing_beside_it(tmp_path, filled, kind, capsys):
    from ipdesk.cli import main

    folder = tmp_path / "refused"
    folder.mkdir()
    target = folder / "x.db"
    if kind == "folder":
        target.mkdir()
    elif kind == "empty":
        target.write_bytes(b"")
    elif kind == "text":
        target.write_text("会议纪要", encoding="utf-8")
    elif kind == "other sqlite":
        conn = sqlite3.connect(target)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.close()
    elif kind == "newer version (WAL)":
        _newer_wal_database(target)
    else:
        shutil.copyfile(filled, target)
        damage(target, "audit pages overwritten" if kind == "damaged" else "truncated, header patched")
    before = listing(folder)
    for command in (["plan"], ["demo", "--unit", "碑林区", "--period", "2025-11"], ["backup"]):
        assert main(["--db", str(target), *command]) == 2, (kind, command)
        err = capsys.readouterr().err
        assert "错误" in err and "Traceback" not in err
    assert listing(folder) == before, kind


# -- failures to write -----------------------------------------------------------------------------------------------
def test_a_full_disk_is_said_in_chinese_and_changes_nothing(ws, monkeypatch):
    from ipdesk.store import entries_store

    ws.progress.save(Progress(47, UNIT, NOV, achievements="已保存的内容"))

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(entries_store, "save_progress", full)
    with pytest.raises(StorageError) as error:
        ws.progress.save(Progress(47, UNIT, NOV, achievements="新的内容"))
    assert "磁盘空间已满" in str(error.value) and "可以稍后重试" in str(error.value)
    monkeypatch.undo()
    assert ws.progress.get(47, UNIT, NOV).achievements == "已保存的内容"
    ws.progress.save(Progress(47, UNIT, NOV, achievements="新的内容"))  # once the disk has room, the retry lands
    assert ws.progress.get(47, UNIT, NOV).achievements == "新的内容"


def test_a_read_only_viewer_leaves_no_journal_files(filled):
    before = sorted(p.name for p in filled.parent.iterdir())
    with Workspace(filled, read_only=True) as reader:
        assert reader.progress.get(47, UNIT, NOV).achievements
    assert sorted(p.name for p in filled.parent.iterdir()) == before


def test_storage_errors_have_chinese_words():
    assert "磁盘空间已满" in connection.storage_error_text(sqlite3.OperationalError("database or disk is full"))
    assert "只读" in connection.storage_error_text(sqlite3.OperationalError("attempt to write a readonly database"))
    assert connection.is_damage(sqlite3.DatabaseError("database disk image is malformed"))
    assert not connection.is_damage(sqlite3.OperationalError("database is locked"))


def test_reading_a_period_outside_the_plan_is_allowed_but_entry_is_not(ws):
    assert ws.progress.for_unit(UNIT, "2022-06")  # the month before the plan: 沿用上期 reads it
    with pytest.raises(InvalidInput) as error:
        ws.progress.save(Progress(47, UNIT, Period.parse("2026-01"), achievements="期满之后"))
    assert "方案期满之后" in str(error.value) and "2025年12月（2025-12）" in str(error.value)

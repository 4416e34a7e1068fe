"""Opening, creating and upgrading workspace databases; refusing files that are not ours, untouched."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from ipdesk import Workspace
from ipdesk.domain.errors import BadDatabasePath, CorruptDatabase, DatabaseTooNew, NotAnIpdeskDatabase
from ipdesk.store import connection, migrations

from .conftest import FIXTURES


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fresh_database_settings(db_path):
    with Workspace(db_path) as ws:
        conn = ws.db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations.steps())
        assert conn.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {
        "plan",
        "unit",
        "task",
        "task_unit",
        "indicator",
        "indicator_expected",
        "project",
        "project_target",
        "period",
        "progress",
        "indicator_value",
        "attachment",
        "progress_attachment",
        "report",
        "setting",
        "audit_log",
    } <= tables


def test_reopening_does_not_load_the_plan_twice(db_path):
    Workspace(db_path).close()
    with Workspace(db_path) as ws:
        assert ws.db.execute("SELECT count(*) FROM plan").fetchone()[0] == 1
        assert ws.db.execute("SELECT count(*) FROM task").fetchone()[0] == 97


def test_steps_are_numbered_without_gaps():
    found = migrations.steps()
    assert [s.number for s in found] == list(range(1, len(found) + 1))
    assert all(s.sql.strip() for s in found)


def test_upgrade_from_version_1_fixture_keeps_the_data(tmp_path):
    old = tmp_path / "old.db"
    shutil.copy(FIXTURES / "ipdesk-v1.db", old)
    conn = sqlite3.connect(old)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    with Workspace(old) as ws:
        assert ws.db.execute("PRAGMA user_version").fetchone()[0] == len(migrations.steps())
        assert ws.settings.get("unit") == "碑林区人民政府"
        assert ws.settings.get("clerk_name") == "张三"
        assert len(ws.plan.tasks) == 97
        assert ws.db.execute("SELECT count(*) FROM plan").fetchone()[0] == 1
        ws.progress.save(ws.progress.get(47, "碑林区", "2025-11").with_changes(achievements="升级后可以填报"))
        assert ws.audit.verify() is None
    with Workspace(old) as ws:
        assert ws.progress.get(47, "碑林区", "2025-11").achievements == "升级后可以填报"


def test_upgrade_step_by_step(tmp_path):
    path = tmp_path / "steps.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for number in range(1, len(migrations.steps()) + 1):
        applied = migrations.migrate(conn, target=number)
        assert [s.number for s in applied] == [number]
        assert migrations.schema_version(conn) == number
    assert migrations.migrate(conn) == []
    conn.close()


def test_a_failing_step_rolls_back_everything(tmp_path):
    folder = tmp_path / "migrations"
    folder.mkdir()
    for step in migrations.steps():
        (folder / f"{step.number:04d}_{step.name}.sql").write_text(step.sql, encoding="utf-8")
    (folder / f"{len(migrations.steps()) + 1:04d}_broken.sql").write_text(
        "CREATE TABLE half_done (x);\nINSERT INTO no_such_table VALUES (1);\n", encoding="utf-8"
    )
    conn = sqlite3.connect(":memory:", isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):
        migrations.migrate(conn, folder=folder)
    assert migrations.schema_version(conn) == 0
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def test_statement_splitting_keeps_triggers_whole():
    sql = "CREATE TABLE a (x);\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n  SELECT 1;\n  SELECT 2;\nEND;\n-- done\n"
    parts = migrations.statements(sql)
    assert len(parts) == 2 and parts[1].endswith("END;")


def test_newer_database_is_refused_and_untouched(db_path):
    Workspace(db_path).close()
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = digest(db_path)
    with pytest.raises(DatabaseTooNew) as error:
        Workspace(db_path)
    assert "较新版本" in str(error.value) and "99" in str(error.value)
    assert digest(db_path) == before


@pytest.mark.parametrize(
    ("content", "error_type"),
    [
        (b"", NotAnIpdeskDatabase),
        ("这是一份工作总结，不是数据库。\n".encode(), NotAnIpdeskDatabase),
        (b"PK\x03\x04" + b"\x00" * 200, NotAnIpdeskDatabase),
    ],
)
def test_files_that_are_not_databases_are_refused_untouched(tmp_path, content, error_type):
    path = tmp_path / "not.db"
    path.write_bytes(content)
    with pytest.raises(error_type) as error:
        Workspace(path)
    assert "未做改动" in str(error.value)
    assert path.read_bytes() == content
    assert not Path(f"{path}-wal").exists()


def test_someone_elses_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('王五')")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(NotAnIpdeskDatabase) as error:
        Workspace(path)
    assert "不是 ipdesk 数据库" in str(error.value)
    assert digest(path) == before


def test_truncated_database_is_refused_untouched(db_path, tmp_path):
    with Workspace(db_path) as ws:
        ws.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        ws.db.conn.execute("PRAGMA journal_mode = DELETE")
    data = db_path.read_bytes()
    broken = tmp_path / "broken.db"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptDatabase) as error:
        Workspace(broken)
    assert "损坏" in str(error.value)
    assert broken.read_bytes() == data[: len(data) // 2]


def test_garbled_schema_page_is_reported_as_damage(db_path, tmp_path):
    with Workspace(db_path) as ws:
        ws.db.conn.execute("PRAGMA journal_mode = DELETE")
    data = bytearray(db_path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the rest of page 1: sqlite_master's b-tree
    broken = tmp_path / "garbled.db"
    broken.write_bytes(bytes(data))
    with pytest.raises(CorruptDatabase):
        Workspace(broken)
    assert broken.read_bytes() == bytes(data)


def test_directory_and_missing_folder(tmp_path):
    with pytest.raises(BadDatabasePath) as error:
        Workspace(tmp_path)
    assert "文件夹" in str(error.value)
    with pytest.raises(BadDatabasePath) as error:
        Workspace(tmp_path / "no" / "such" / "ipdesk.db")
    assert "不存在" in str(error.value)
    assert not (tmp_path / "no").exists()


def test_default_location_is_created(monkeypatch, tmp_path):
    home = tmp_path / "data" / "deep"
    monkeypatch.setenv("IPDESK_HOME", str(home))
    with Workspace() as ws:
        assert ws.path == home / "ipdesk.db"
    assert (home / "ipdesk.db").exists()


def test_probe_reports_version_without_writing(db_path):
    Workspace(db_path).close()
    before = digest(db_path)
    assert connection.probe(db_path) == len(migrations.steps())
    assert digest(db_path) == before


def test_a_saved_edit_survives_the_process_being_killed(tmp_path):
    """Each save is a committed, synced transaction: killing the process right after (SIGKILL; TerminateProcess on
    Windows) loses nothing."""
    import os
    import signal
    import subprocess
    import sys

    db = tmp_path / "killed.db"
    code = (
        "import time\n"
        "from ipdesk import Workspace\n"
        "from ipdesk.domain import Progress\n"
        f"ws = Workspace({str(db)!r}, actor='甲')\n"
        "ws.progress.save(Progress(47, '碑林区人民政府', __import__('ipdesk').Period.parse('2025-11'),"
        " achievements='断电前保存的内容'))\n"
        "print('saved', flush=True)\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "saved"
    finally:
        process.kill()
        process.wait()
    assert process.returncode == (-signal.SIGKILL if sys.platform != "win32" else 1)
    assert os.path.exists(f"{db}-wal")  # the process died before any checkpoint or clean close
    with Workspace(db) as ws:
        assert ws.progress.get(47, "碑林区", "2025-11").achievements == "断电前保存的内容"
        assert ws.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_cursor_yields_every_row_in_order_across_its_steps():
    """Iteration reads rows ROWS_PER_STEP at a time: none is lost or repeated at a step's edge, and every step holds
    the connection's lock."""
    from ipdesk.store import connection

    db = sqlite3.connect(":memory:", factory=connection.GuardedConnection)
    db.execute("CREATE TABLE t (n INTEGER)")
    count = 2 * connection.ROWS_PER_STEP + 3
    db.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(count)])
    assert [n for (n,) in db.execute("SELECT n FROM t ORDER BY n")] == list(range(count))
    assert list(db.execute("SELECT n FROM t WHERE n < 0")) == []

    steps = []
    lock = db.lock

    class CountingLock:
        def acquire(self):
            steps.append(1)
            return lock.acquire()

        def release(self):
            lock.release()

        def __enter__(self):
            return lock.__enter__()

        def __exit__(self, *exc):
            return lock.__exit__(*exc)

    db.lock = CountingLock()
    cursor = db.execute("SELECT n FROM t")
    steps.clear()  # the statement's own step
    rows = list(cursor)
    assert len(rows) == count and len(steps) == 4  # three full or partial steps, then the empty one that ends it

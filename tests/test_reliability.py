"""Reliability: killed writers, one writer at a time, backups and restore, network shares, hostile input."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipdesk import Period, Workspace
from ipdesk.domain import InvalidInput, Progress
from ipdesk.domain.errors import CorruptDatabase, WorkspaceInUse
from ipdesk.domain.numbers import parse_number
from ipdesk.store import backups
from ipdesk.store.location import mount_type

from .conftest import FIXTURES, ROOT

UNIT = "碑林区人民政府"
NOV = Period.parse("2025-11")

WRITER = """
import sys
from ipdesk import Workspace, Period
from ipdesk.domain import Progress
ws = Workspace(sys.argv[1], actor="写入测试", backups=False)
tasks = [r.task.seq for r in ws.progress.for_unit("碑林区人民政府", "2025-11")]
print("ready", flush=True)
n = 0
while True:
    seq = tasks[n % len(tasks)]
    ws.progress.save(Progress(seq, "碑林区人民政府", Period.parse("2025-11"), achievements=f"第{n}次保存"))
    print(f"ack {seq} {n}", flush=True)
    n += 1
"""


def kill_trial(db: Path, seconds: float) -> dict[int, int]:
    """Run a writer, kill it after ``seconds`` (SIGKILL; TerminateProcess on Windows, as Task Manager's 结束任务 does);
    return the last acknowledged edit of each task."""
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout.readline().strip() == "ready"
    acked: dict[int, int] = {}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("ack"):
            _, seq, n = line.split()
            acked[int(seq)] = int(n)
    process.kill()
    # Lines already written before the kill were acknowledged too.
    for line in process.stdout:
        if line.startswith("ack"):
            _, seq, n = line.split()
            acked[int(seq)] = int(n)
    process.wait()
    return acked


def test_acknowledged_edits_survive_sigkill_at_random_moments(tmp_path):
    db = tmp_path / "crash.db"
    Workspace(db).close()
    rng = random.Random(7)
    lost = 0
    for _ in range(6):  # bench/crash_trials.py runs hundreds of these
        acked = kill_trial(db, rng.uniform(0.05, 0.4))
        with Workspace(db, backups=False) as ws:
            assert ws.integrity() == "ok"
            assert ws.audit.verify() is None
            for seq, n in acked.items():
                stored = ws.progress.get(seq, UNIT, NOV).achievements
                if int(stored.removeprefix("第").removesuffix("次保存")) < n:
                    lost += 1
    assert lost == 0


# -- one writer -----------------------------------------------------------------------------------------------
def test_a_second_writer_is_refused_and_may_read(tmp_path):
    db = tmp_path / "one.db"
    first = Workspace(db, actor="甲")
    first.progress.save(Progress(47, UNIT, NOV, achievements="甲写的"))
    with pytest.raises(WorkspaceInUse) as error:
        Workspace(db)
    assert "另一个 ipdesk" in str(error.value) and "只读" in str(error.value)
    with Workspace(db, read_only=True) as reader:
        assert reader.progress.get(47, UNIT, NOV).achievements == "甲写的"
        with pytest.raises(InvalidInput) as refused:
            reader.progress.save(Progress(47, UNIT, NOV, achievements="乙想改"))
        assert "只读" in str(refused.value)
        with pytest.raises(InvalidInput):
            reader.settings.set("clerk_name", "乙")
    first.close()
    with Workspace(db) as again:
        assert again.progress.get(47, UNIT, NOV).achievements == "甲写的"


def test_the_lock_of_a_killed_program_does_not_keep_anyone_out(tmp_path):
    """Two processes on one database: the second is refused and told which process holds it; once the first is
    killed (SIGKILL, or TerminateProcess on Windows) the lock is gone with it."""
    db = tmp_path / "数据 目录" / "stale.db"
    db.parent.mkdir()
    Workspace(db).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from ipdesk import Workspace; ws = Workspace({str(db)!r}); print('open', flush=True);"
            " import time; time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(WorkspaceInUse) as refused:
            Workspace(db)
        assert f"（{holder.pid} " in str(refused.value)  # who holds it: the lock file's note is readable
    finally:
        holder.kill()
        holder.wait()
    assert holder.returncode == (-signal.SIGKILL if sys.platform != "win32" else 1)
    Workspace(db).close()


def test_read_only_commands_work_while_the_window_is_open(tmp_path, capsys):
    from ipdesk.cli import main

    db = tmp_path / "busy.db"
    with Workspace(db):
        assert main(["--db", str(db), "plan", "--json"]) == 0
        capsys.readouterr()
        assert main(["--db", str(db), "demo", "--unit", "碑林区", "--period", "2025-11"]) == 2
        assert "另一个 ipdesk" in capsys.readouterr().err


# -- backups ----------------------------------------------------------------------------------------------------
def test_daily_backup_on_start_with_rotation(tmp_path):
    db = tmp_path / "ws.db"
    with Workspace(db) as ws:
        ws.progress.save(Progress(47, UNIT, NOV, achievements="要备份的内容"))
        shelf = ws.backups
        assert shelf.all() == []  # a brand-new workspace has nothing worth a backup yet
        start = dt.date(2025, 1, 1)
        for day in range(40):
            shelf.automatic(ws.db.conn, start + dt.timedelta(days=day))
    daily = sorted((tmp_path / "backups" / "ws.db" / "daily").glob("*.db"))
    monthly = sorted((tmp_path / "backups" / "ws.db" / "monthly").glob("*.db"))
    assert len(daily) == 14 and daily[-1].name == "ws-2025-02-09.db"
    assert [p.name for p in monthly] == ["ws-2025-01.db", "ws-2025-02.db"]
    assert backups.check(daily[-1]) >= 1
    with Workspace(db) as ws:  # reopening makes today's backup
        assert any(b.kind == "daily" and b.path.name == f"ws-{dt.date.today()}.db" for b in ws.backups.all())
    conn = sqlite3.connect(daily[-1])
    assert conn.execute("SELECT achievements FROM progress").fetchone()[0] == "要备份的内容"
    conn.close()


def test_backup_before_an_upgrade(tmp_path):
    old = tmp_path / "old.db"
    shutil.copy(FIXTURES / "ipdesk-v1.db", old)
    with Workspace(old) as ws:
        before = [b for b in ws.backups.all() if b.kind == "before"]
    assert len(before) == 1 and "upgrade" in before[0].path.name
    conn = sqlite3.connect(before[0].path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1  # the copy is of the old schema
    conn.close()


def test_imports_keep_few_backups_and_never_push_out_the_one_before_an_upgrade(tmp_path):
    """The city office imports many times a day and its database holds every file received: only the newest
    5 copies made before an import are kept, counted apart from those made before an upgrade or on request."""
    db = tmp_path / "ws.db"
    with Workspace(db) as ws:
        shelf = ws.backups
        upgrade = shelf.before(ws.db.conn, "upgrade")
        os.utime(upgrade, (time.time() - 1000, time.time() - 1000))
        for n in range(8):
            made = shelf.before(ws.db.conn, "import")
            kept = made.rename(made.with_name(f"ws-2026-11-0{n + 1}-090000-import.db"))
            os.utime(kept, (time.time() - 900 + n, time.time() - 900 + n))
        last = ws.backup_before("import")
    names = sorted(p.name for p in (tmp_path / "backups" / "ws.db" / "before").glob("*.db"))
    assert upgrade.name in names and last.name in names
    imports = [n for n in names if n.endswith("-import.db")]
    assert len(imports) == backups.KEEP_BEFORE["import"] == 5
    assert "ws-2026-11-08-090000-import.db" in imports and "ws-2026-11-04-090000-import.db" not in imports


def test_restore_checks_the_backup_and_keeps_the_replaced_file(tmp_path, capsys):
    from ipdesk.cli import main

    db = tmp_path / "ws.db"
    with Workspace(db) as ws:
        ws.progress.save(Progress(47, UNIT, NOV, achievements="第一版"))
    assert main(["--db", str(db), "backup", "--out", str(tmp_path / "saved.db")]) == 0
    with Workspace(db) as ws:
        ws.progress.save(Progress(47, UNIT, NOV, achievements="第二版"))
    broken = tmp_path / "broken.db"
    broken.write_bytes((tmp_path / "saved.db").read_bytes()[:5000])
    capsys.readouterr()
    assert main(["--db", str(db), "restore", str(broken)]) == 2
    assert "损坏" in capsys.readouterr().err
    with Workspace(db, read_only=True) as ws:
        assert ws.progress.get(47, UNIT, NOV).achievements == "第二版"
    assert main(["--db", str(db), "restore", str(tmp_path / "saved.db"), "--json"]) == 0
    import json

    result = json.loads(capsys.readouterr().out)
    kept = Path(result["replaced_file"])
    assert kept.exists() and ".replaced-" in kept.name
    with Workspace(db) as ws:
        assert ws.progress.get(47, UNIT, NOV).achievements == "第一版"
    with Workspace(kept, read_only=True) as old:
        assert old.progress.get(47, UNIT, NOV).achievements == "第二版"


def test_restore_is_refused_while_the_database_is_open(tmp_path, capsys):
    from ipdesk.cli import main

    db = tmp_path / "ws.db"
    with Workspace(db) as ws:
        saved = ws.backup_to(tmp_path / "saved.db")
        assert main(["--db", str(db), "restore", str(saved)]) == 2
    assert "正在被使用" in capsys.readouterr().err


def test_newest_good_backup_skips_damaged_ones(tmp_path):
    db = tmp_path / "ws.db"
    with Workspace(db) as ws:
        ws.progress.save(Progress(47, UNIT, NOV, achievements="好备份"))
        good = ws.backup_before("import")
        time.sleep(0.01)
        bad = ws.backup_before("manual")
    bad.write_bytes(bad.read_bytes()[:3000])
    os.utime(bad, (time.time() + 10, time.time() + 10))
    newest = backups.BackupShelf(db).newest_good()
    assert newest is not None and newest.path == good
    db.write_bytes(db.read_bytes()[:4096] + b"\xff" * 4096)
    with pytest.raises(CorruptDatabase):
        Workspace(db)


def test_cli_backup_and_audit_verify(tmp_path, capsys):
    from ipdesk.cli import main

    db = tmp_path / "ws.db"
    with Workspace(db) as ws:
        for n in range(3):
            ws.progress.save(Progress(47, UNIT, NOV, achievements=f"第{n}次"))
    assert main(["--db", str(db), "backup"]) == 0
    assert "backups" in capsys.readouterr().out
    assert main(["--db", str(db), "audit", "verify"]) == 0
    assert "审计链完整" in capsys.readouterr().out
    conn = sqlite3.connect(db)
    conn.execute("UPDATE audit_log SET new_value = '篡改' WHERE id = (SELECT max(id) - 1 FROM audit_log)")
    conn.commit()
    conn.close()
    assert main(["--db", str(db), "audit", "verify", "--json"]) == 1
    import json

    assert json.loads(capsys.readouterr().out)["intact"] is False


# -- network shares ---------------------------------------------------------------------------------------------
@pytest.mark.skipif(sys.platform == "win32", reason="a Linux mount table (/proc/mounts); Windows asks GetDriveTypeW")
def test_mount_types_are_read_from_the_mount_table():
    mounts = (
        "/dev/sda1 / ext4 rw 0 0\nserver:/export /mnt/share nfs4 rw 0 0\n//nas/科室 /mnt/科室\\040共享 cifs rw 0 0\n"
    )
    assert mount_type(Path("/home/clerk/ipdesk.db"), mounts) == "ext4"
    assert mount_type(Path("/mnt/share/ipdesk.db"), mounts) == "nfs4"
    assert mount_type(Path("/mnt/科室 共享/ipdesk.db"), mounts) == "cifs"
    assert mount_type(Path("/mnt/shared-elsewhere/x.db"), mounts) == "ext4"


def test_a_database_on_a_network_share_uses_a_safe_journal(tmp_path, monkeypatch):
    import ipdesk.workspace.core as core

    monkeypatch.setattr(core, "is_network_path", lambda path: True)
    with Workspace(tmp_path / "share.db") as ws:
        assert ws.db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert any("网络共享" in w for w in ws.warnings)
        ws.progress.save(Progress(47, UNIT, NOV, achievements="网络盘上的内容"))
    assert not Path(f"{tmp_path / 'share.db'}-wal").exists()


# -- hostile input ----------------------------------------------------------------------------------------------
def test_huge_rare_and_invisible_text(ws, tmp_path):
    with pytest.raises(InvalidInput) as error:
        Progress(47, UNIT, NOV, achievements="长" * 100_000)
    assert "过长" in str(error.value)
    tricky = "𠀀𪚥 古籍用字；表情😀；零宽\u200b字符；方向\u202e标记\u200f；全角　空格"
    ws.progress.save(Progress(47, UNIT, NOV, achievements=tricky))
    assert ws.progress.get(47, UNIT, NOV).achievements == tricky  # stored exactly as typed
    with pytest.raises(InvalidInput) as error:
        ws.reports.export(UNIT, NOV, tmp_path)
    message = str(error.value)
    assert "𠀀" in message and "😀" in message and "GRINNING FACE" in message
    assert "RIGHT-TO-LEFT OVERRIDE" not in message  # invisible marks are simply not printed
    assert list(tmp_path.iterdir()) == []


def test_a_decompression_bomb_is_not_unpacked(tmp_path):
    from ipdesk.signing.verify import VerdictStatus, verify_file

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    verdict = verify_file(bomb, [])
    assert verdict.status is VerdictStatus.DAMAGED and "疑似" in verdict.detail


def test_pasted_rich_text_arrives_as_plain_text(qtbot):
    from PySide6.QtCore import QMimeData
    from PySide6.QtWidgets import QPlainTextEdit

    box = QPlainTextEdit()
    qtbot.addWidget(box)
    data = QMimeData()
    data.setHtml("<b>加粗</b><script>alert(1)</script><table><tr><td>表格</td></tr></table>")
    data.setText("加粗 表格")
    box.insertFromMimeData(data)
    assert box.toPlainText() == "加粗 表格"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40))
def test_number_parsing_never_crashes_and_never_returns_nonsense(text):
    try:
        value = parse_number(text, unit="亿元", maximum=1e12)
    except InvalidInput:
        return
    assert value is None or (value == value and 0 <= value <= 1e12)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20))
def test_period_parsing_never_crashes(text):
    try:
        period = Period.parse(text)
    except InvalidInput:
        return
    assert Period.parse(period.code) == period


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=400))
def test_evidence_names_are_always_safe(name):
    from ipdesk.store.evidence_store import safe_file_name

    safe = safe_file_name(name)
    assert safe and len(safe) <= 140
    assert not set(safe) & set('\\/:*?"<>|') and not any(ord(ch) < 32 for ch in safe)
    assert safe.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}
    assert safe == safe.strip(" .") or safe.startswith("_")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_unit_columns_parse_or_say_why(text):
    from ipdesk.domain.unit_lists import UnitResolver
    from ipdesk.plans.embedded import load_embedded_plan

    resolver = UnitResolver(load_embedded_plan().units)
    try:
        names = resolver.resolve(text)
    except InvalidInput as error:
        assert str(error)
        return
    assert len(names) == len(set(names))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=3000), st.sampled_from([".xlsx", ".pdf", ".p7s", ".txt"]))
def test_any_bytes_get_a_verdict(tmp_path, data, suffix):
    from ipdesk.signing.verify import VerdictStatus, verify_file

    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    if suffix == ".p7s":
        (tmp_path / "input").write_bytes(b"x")
    assert verify_file(path, []).status in (VerdictStatus.DAMAGED, VerdictStatus.NOT_IPDESK)


def test_evidence_over_the_size_limit_is_refused(ws, tmp_path, monkeypatch):
    import ipdesk.store.evidence_store as evidence_store

    monkeypatch.setattr(evidence_store, "MAX_EVIDENCE_BYTES", 1024)
    big = tmp_path / "扫描件.pdf"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(InvalidInput) as error:
        ws.evidence.add(47, UNIT, NOV, big)
    assert "太大" in str(error.value)
    assert ws.evidence.for_task(47, UNIT, NOV) == []


def test_evidence_copy_failure_leaves_no_partial_file(ws, tmp_path, monkeypatch):
    source = tmp_path / "纪要.docx"
    source.write_bytes(b"content" * 100)

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(InvalidInput) as error:
        ws.evidence.add(47, UNIT, NOV, source)
    assert "无法把" in str(error.value)
    assert not [p for p in ws.evidence.folder.rglob("*") if p.is_file()]
    assert ws.evidence.for_task(47, UNIT, NOV) == []

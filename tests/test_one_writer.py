"""One writer: a workspace's connection is shared by the window and background operations, and one lock held for
every statement and every transaction keeps them apart (ipdesk/store/connection.py). Tested with real threads."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from ipdesk import Period, Workspace
from ipdesk.domain import Progress
from ipdesk.domain.returns import ImportOutcome
from ipdesk.signing.identity import KeyStore

from .conftest import SENDING_UNITS

UNIT = "碑林区人民政府"
NOV = Period.parse("2025-11")
TODAY = dt.date(2025, 11, 20)
SENDERS = ("碑林区人民政府", "雁塔区人民政府")


def test_a_save_never_becomes_part_of_a_background_transaction(tmp_path):
    """A save made while a background operation's transaction is open waits for it; when that transaction rolls
    back, the save (acknowledged to the clerk) is still there — it was never a savepoint inside it."""
    ws = Workspace(tmp_path / "clerk.db", actor="王芳")
    inside, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def operation() -> None:
        try:
            with ws.bulk():
                ws.progress.save(Progress(48, UNIT, NOV, achievements="后台写入，随后回滚"))
                inside.set()
                release.wait(10)
                raise RuntimeError("后台操作失败")
        except RuntimeError as error:
            failures.append(error)

    acknowledged: list[str] = []

    def clerk() -> None:
        ws.progress.save(Progress(47, UNIT, NOV, achievements="录入的内容"))
        acknowledged.append("录入的内容")

    background = threading.Thread(target=operation)
    background.start()
    assert inside.wait(5)
    assert ws.busy()  # another thread holds the database
    saving = threading.Thread(target=clerk)
    saving.start()
    time.sleep(0.3)
    assert saving.is_alive() and not acknowledged  # the save waits for the transaction instead of joining it
    release.set()
    background.join(10)
    saving.join(10)
    assert len(failures) == 1 and acknowledged == ["录入的内容"]
    assert not ws.busy()
    ws.close()
    with Workspace(tmp_path / "clerk.db", read_only=True) as again:
        assert again.progress.get(47, UNIT, NOV).achievements == "录入的内容"
        assert again.progress.get(48, UNIT, NOV).achievements == ""  # the operation's own write rolled back
        assert again.audit.verify() is None  # the audit chain is whole: no entry of a rolled-back savepoint


@pytest.fixture
def returns(two_units_returns):
    """Signed returns of 碑林区 and 雁塔区 for September and October, and their certificates (made once per run)."""
    assert SENDERS == SENDING_UNITS
    return two_units_returns


def test_a_background_city_import_and_saves_at_once_lose_nothing(tmp_path, returns):
    files, certificates = returns
    ws = Workspace(tmp_path / "office.db", actor="张主任")
    ws.signoff._keys = KeyStore(tmp_path / "keys")
    for certificate in certificates:
        ws.trust.add(certificate)
    results: list = []
    errors: list[BaseException] = []

    def run_import() -> None:
        try:
            results.extend(ws.city.import_files(files, today=TODAY))
        except BaseException as error:  # reported below
            errors.append(error)

    importer = threading.Thread(target=run_import)
    importer.start()
    acknowledged: dict[int, str] = {}
    seqs = [s for s in (47, 48, 94, 95) if ws.tasks.get(s).role_of(UNIT) is not None]
    typed = 0
    while importer.is_alive() or typed < 20:  # every save made while the import runs (and a few after)
        seq = seqs[typed % len(seqs)]
        text = acknowledged.get(seq, "") + f"第{typed}句。"
        ws.progress.save(Progress(seq, UNIT, NOV, achievements=text))
        acknowledged[seq] = text  # save returned: the clerk is told it is saved
        typed += 1
    importer.join(60)
    assert errors == []
    assert [r.outcome for r in results] == [ImportOutcome.IMPORTED] * len(files)
    assert typed >= 20
    ws.close()
    with Workspace(tmp_path / "office.db", read_only=True) as again:
        for seq, text in acknowledged.items():
            assert again.progress.get(seq, UNIT, NOV).achievements == text
        assert len([r for unit in SENDERS for p in ("2025-09", "2025-10") if (r := again.city.received(unit, p))]) == 4
        assert again.audit.verify() is None

"""Typing in the editor while background operations write, on real threads (not the inline operations the other
window tests use): every edit the window acknowledged is in the database afterwards, and the window never waits on
an operation's transaction (its autosave tries again a moment later)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

pytest.importorskip("PySide6.QtWidgets")

from ipdesk import Period, Workspace
from ipdesk.domain import Progress
from ipdesk.domain.returns import ImportOutcome
from ipdesk.signing.identity import KeyStore
from ipdesk.ui.operations import BackgroundOp, run_in_background, run_with_progress
from ipdesk.ui.task_editor import AUTOSAVE_MS

from .gui_support import _none_guard, _synchronous_ops, real_threads  # noqa: F401 (fixtures)
from .test_gui import ime_type

NOV = Period.parse("2025-11")
UNIT = "碑林区人民政府"
TODAY = dt.date(2025, 12, 3)


def _open(qtbot, ws: Workspace):
    from ipdesk.ui.main_window import MainWindow

    win = MainWindow(ws, UNIT, today=TODAY)
    win.show()
    qtbot.waitExposed(win)
    win.select_task(47)
    assert win.period == NOV and win.editor.row.task.seq == 47
    return win


def _close(win) -> None:
    win.editor.forget_drafts()
    if win._indicator_panel is not None:  # built only once its tab was shown
        win._indicator_panel.forget_drafts()
    win.close()
    win.deleteLater()


def test_the_autosave_waits_for_an_operation_and_survives_its_rollback(qtbot, tmp_path, real_threads):  # noqa: F811
    ws = Workspace(tmp_path / "clerk.db", actor="王芳")
    ws.settings.update({"unit": UNIT, "clerk_name": "王芳", "reviewer_name": "李强"})
    win = _open(qtbot, ws)
    inside, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def work() -> None:  # a background operation writing in one long transaction, which then fails
        with ws.bulk():
            ws.progress.save(Progress(48, UNIT, NOV, achievements="后台写入，随后回滚"))
            inside.set()
            release.wait(10)
            raise RuntimeError("后台操作失败")

    try:
        run_in_background(
            win,
            "后台写入",
            work,
            lambda r: outcome.setdefault("done", r),
            lambda e: outcome.setdefault("error", e),
            False,
        )
        assert not BackgroundOp.synchronous and inside.wait(5)
        ime_type(win.editor.achievements, "第一句")
        qtbot.wait(AUTOSAVE_MS * 3)  # the autosave comes due while the operation holds its transaction …
        assert ws.busy() and win.editor.dirty  # … and waits: the window kept running, nothing acknowledged
        assert "已保存" not in win.editor.saved_at.text()
        ime_type(win.editor.achievements, "，第二句")
        release.set()
        qtbot.waitUntil(lambda: "error" in outcome, timeout=10_000)
        qtbot.waitUntil(lambda: not win.editor.dirty, timeout=AUTOSAVE_MS + 5000)
        assert "已保存" in win.editor.saved_at.text()
        assert ws.progress.get(47, UNIT, NOV).achievements == "第一句，第二句"
        assert ws.progress.get(48, UNIT, NOV).achievements == ""  # the operation's write rolled back alone
    finally:
        release.set()
        _close(win)
        ws.close()


def test_typing_during_a_background_city_import_loses_nothing(qtbot, tmp_path, two_units_returns, real_threads):  # noqa: F811
    files, certificates = two_units_returns
    ws = Workspace(tmp_path / "office.db", actor="张主任")
    ws.signoff._keys = KeyStore(tmp_path / "keys")
    for certificate in certificates:
        ws.trust.add(certificate)
    win = _open(qtbot, ws)
    acknowledged: list[str] = []  # what the editor reported saved, in order
    win.editor.saved.connect(lambda row: acknowledged.append(row.progress.achievements))
    outcome: dict[str, object] = {}

    def work(report, cancelled):
        def slow_disk(*args, **kwargs):  # each file takes a while to read, as from a USB stick: the import lasts
            time.sleep(0.4)  # long enough for several phrases on a fast machine too
            return report(*args, **kwargs)

        return ws.city.import_files(files, progress=slow_disk, cancelled=cancelled, today=dt.date(2025, 11, 20))

    try:
        run_with_progress(
            win, "正在导入", work, lambda r: outcome.setdefault("finished", r), lambda e: outcome.setdefault("error", e)
        )
        typed = ""
        phrase = 0
        while "finished" not in outcome and phrase < 200:
            text = f"第{phrase}句。"
            ime_type(win.editor.achievements, text)
            typed += text
            phrase += 1
            qtbot.wait(150 if phrase % 4 else AUTOSAVE_MS + 100)  # pauses that let the autosave run
            if outcome:
                break
        qtbot.waitUntil(lambda: bool(outcome), timeout=60_000)
        assert "error" not in outcome
        results = outcome["finished"]
        assert isinstance(results, list)
        assert [r.outcome for r in results] == [ImportOutcome.IMPORTED] * len(files)
        qtbot.waitUntil(lambda: not win.editor.dirty, timeout=AUTOSAVE_MS + 5000)
        assert phrase >= 2 and acknowledged  # typed while the import ran (how many saves fell inside it varies)
        stored = ws.progress.get(47, UNIT, NOV).achievements
        assert stored == typed == acknowledged[-1]
        assert all(typed.startswith(text) for text in acknowledged)  # every acknowledged edit is in what is stored
    finally:
        _close(win)
        ws.close()

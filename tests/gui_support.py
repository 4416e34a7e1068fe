"""Fixtures every window test module uses: import them into the module (``from .gui_support import …``)."""

from __future__ import annotations

import pytest

from ipdesk.ui.operations import BackgroundOp


@pytest.fixture(autouse=True)
def _none_guard(qapp):
    """The window's own guard against a Qt binding that drops references to None (see ipdesk.ui.none_guard)."""
    from ipdesk.ui import none_guard

    none_guard.install(qapp)


@pytest.fixture(autouse=True)
def _synchronous_ops():
    """Background operations run inline, so a test sees their result at once."""
    BackgroundOp.synchronous = True
    yield
    BackgroundOp.synchronous = False


@pytest.fixture
def real_threads(_synchronous_ops):
    """Background operations on real pool threads, as in the program (not inline): for tests of what happens while
    an operation runs. At the end the test waits for every operation it started."""
    from PySide6.QtCore import QThreadPool

    BackgroundOp.synchronous = False
    yield
    QThreadPool.globalInstance().waitForDone(60_000)
    BackgroundOp.synchronous = True

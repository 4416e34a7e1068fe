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

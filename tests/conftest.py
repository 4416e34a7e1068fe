from __future__ import annotations

import os
from pathlib import Path

import pytest

# GUI tests draw offscreen; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """No test may touch the real user data folder."""
    monkeypatch.setenv("IPDESK_HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="session")
def plan():
    from ipdesk.plans.embedded import load_embedded_plan

    return load_embedded_plan()


@pytest.fixture(scope="session")
def source_text() -> str:
    from ipdesk.plans.embedded import source_text_file

    return source_text_file().read_text(encoding="utf-8")


@pytest.fixture
def ws():
    """A fresh in-memory workspace with the embedded plan loaded."""
    from ipdesk import Workspace

    workspace = Workspace(":memory:", actor="测试员")
    yield workspace
    workspace.close()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "ipdesk.db"

"""The core never imports Qt, so it runs and is tested without a screen (as Anki keeps pylib free of aqt)."""

from __future__ import annotations

import ast
import subprocess
import sys

from .conftest import ROOT

CORE = ["domain", "store", "plans", "reports", "signing", "exchange"]


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_nothing_outside_ui_imports_qt():
    offenders = []
    for path in (ROOT / "ipdesk").rglob("*.py"):
        if "ui" in path.relative_to(ROOT / "ipdesk").parts[:1]:
            continue
        for name in _imports(path):
            if name.split(".")[0] in ("PySide6", "PyQt5", "PyQt6", "shiboken6"):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_core_layers_do_not_reach_up():
    """domain imports nothing of ipdesk but domain; store and plans never import the facade, the CLI or the UI."""
    for path in (ROOT / "ipdesk").rglob("*.py"):
        layer = path.relative_to(ROOT / "ipdesk").parts[0]
        for name in _imports(path):
            if not name.startswith("ipdesk."):
                continue
            target = name.split(".")[1]
            if layer == "domain":
                assert target == "domain", f"{path}: {name}"
            if layer in CORE:
                assert target not in ("ui", "cli", "workspace"), f"{path}: {name}"


def test_using_the_core_loads_no_qt():
    code = (
        "import sys\n"
        "from ipdesk import Workspace\n"
        "import ipdesk.cli\n"
        "ws = Workspace(':memory:')\n"
        "ws.progress.for_unit('碑林区', '2025-11')\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_sql_stays_in_the_store():
    """Only ipdesk/store runs SQL; everything else goes through it."""
    for path in (ROOT / "ipdesk").rglob("*.py"):
        if path.relative_to(ROOT / "ipdesk").parts[0] == "store":
            continue
        text = path.read_text(encoding="utf-8")
        for keyword in ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM", ".execute("):
            assert keyword not in text, f"{path.relative_to(ROOT)} contains {keyword!r}"


def test_code_is_clean_by_ruff():
    """The house style (ruff, line length 120) holds for the whole tree; ruff comes with the test extras."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", str(ROOT)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_types_are_clean_by_mypy():
    """mypy, configured in pyproject.toml ([tool.mypy]: the ipdesk package, untyped bodies checked too), finds no
    error; mypy and the stubs it needs come with the test extras. It runs incrementally, with its cache in this
    checkout's own (ignored) build folder: only what changed since the last run is checked again."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--incremental",
            "--cache-dir",
            str(ROOT / "build" / "mypy-cache"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_the_window_talks_only_to_the_workspace():
    """ui/ reaches the core through the Workspace facade (and plain domain types), never the store or the writers."""
    allowed = {"ui", "domain", "workspace", "paths", "console"}
    for path in (ROOT / "ipdesk" / "ui").rglob("*.py"):
        for name in _imports(path):
            if name.startswith("ipdesk."):
                assert name.split(".")[1] in allowed, f"{path.relative_to(ROOT)} imports {name}"
        text = path.read_text(encoding="utf-8")
        for reach in ("signoff.keys", "._ws", "ws.db"):  # past the facade into what it keeps
            assert reach not in text, f"{path.relative_to(ROOT)} reaches {reach}"

"""The core never imports Qt, so it runs and is tested without a screen (as Anki keeps pylib free of aqt)."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

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


# mypy in stages that share one cache, each checking some packages and what they import: on a clean clone the whole
# package took 10–14 s at once (the types of PySide6, pyHanko, cryptography, openpyxl and the standard library are
# read and checked once), longer than a test may take; in stages, each reads what the stages before it left in the
# cache and checks only the rest (1–3 s each on a clean clone, about 13 s in all). The last stage is the whole
# package as [tool.mypy] names it — the same command as one run, so nothing is checked less (mypy keeps no module
# with errors in its cache: the last stage reports every error again) — and on a warm cache each takes under 1 s.
MYPY_STAGES = {  # name → mypy's targets (-p a package, -m a module)
    "domain+store": ("-p", "ipdesk.domain", "-p", "ipdesk.store"),
    "plans+reports+keys": (  # and the signing modules that need cryptography but not pyHanko
        *("-p", "ipdesk.plans", "-p", "ipdesk.reports"),
        *("-m", "ipdesk.signing.identity", "-m", "ipdesk.signing.signatures", "-m", "ipdesk.signing.cms"),
    ),
    "signing": ("-p", "ipdesk.signing"),  # pyHanko, and what it imports (aiohttp, its certificate validator …)
    "exchange+workspace": ("-p", "ipdesk.exchange", "-p", "ipdesk.workspace"),
    "qt": ("-m", "ipdesk.ui.operations"),  # PySide6's QtCore, QtGui and QtWidgets, the largest types read
    "everything": (),  # the window, the command line (which opens it) and the rest, with the above from the cache
}


@pytest.mark.parametrize("targets", MYPY_STAGES.values(), ids=MYPY_STAGES.keys())
def test_types_are_clean_by_mypy(targets):
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
            *targets,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


FACADE_ONLY = {"domain", "workspace", "paths", "console"}  # what the window and the command line may import
PAST_THE_FACADE = ("signoff.keys", "._ws", "ws.db")  # reaching into what the facade keeps


def _past_the_facade(folder: str, allowed: set[str], modules: frozenset[str] = frozenset()) -> list[str]:
    """Imports of ipdesk modules outside ``allowed`` layers (or the ``modules`` named), and reaches past the facade,
    in every file under ipdesk/``folder``."""
    offenders = []
    for path in (ROOT / "ipdesk" / folder).rglob("*.py"):
        where = path.relative_to(ROOT).as_posix()
        for name in _imports(path):
            if name.startswith("ipdesk.") and name.split(".")[1] not in allowed and name not in modules:
                offenders.append(f"{where} imports {name}")
        text = path.read_text(encoding="utf-8")
        offenders += [f"{where} reaches {reach}" for reach in PAST_THE_FACADE if reach in text]
    return offenders


def test_the_window_talks_only_to_the_workspace():
    """ui/ reaches the core through the Workspace facade (and plain domain types), never the store or the writers."""
    assert _past_the_facade("ui", FACADE_ONLY | {"ui"}) == []


def test_the_command_line_talks_only_to_the_workspace():
    """cli/ too: no store, no writers, no signing or exchange module, nothing the facade keeps. ``ipdesk`` with no
    command opens the window, the one thing of ui/ it may import."""
    assert _past_the_facade("cli", FACADE_ONLY | {"cli"}, frozenset({"ipdesk.ui.app"})) == []


def test_the_facade_rule_catches_a_reach(tmp_path, monkeypatch):
    """The rule above fails for the imports and reaches it is there to catch (so it cannot pass by finding nothing)."""
    from . import test_layering

    package = tmp_path / "ipdesk" / "cli"
    package.mkdir(parents=True)
    (package / "bad.py").write_text(
        "from ipdesk.store.backups import restore\nimport ipdesk.signing.verify\nfrom ipdesk.ui.app import run\n"
        "def f(ws):\n    return ws.signoff.keys, ws.db\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(test_layering, "ROOT", tmp_path)
    found = _past_the_facade("cli", FACADE_ONLY | {"cli"}, frozenset({"ipdesk.ui.app"}))
    assert sorted(found) == [
        "ipdesk/cli/bad.py imports ipdesk.signing.verify",
        "ipdesk/cli/bad.py imports ipdesk.store.backups",
        "ipdesk/cli/bad.py reaches signoff.keys",
        "ipdesk/cli/bad.py reaches ws.db",
    ]


def test_the_command_line_opens_a_typed_workspace():
    """``open_workspace`` is declared to return ``Workspace`` (mypy checks every command after it; pyproject.toml
    makes untyped functions in ipdesk.cli an error)."""
    import typing

    from ipdesk.cli import common
    from ipdesk.workspace import Workspace

    hints = typing.get_type_hints(common.open_workspace, vars(common) | {"Workspace": Workspace})
    assert hints["return"] is Workspace
    assert "ipdesk.workspace" in _imports(ROOT / "ipdesk" / "cli" / "common.py")  # the name is the facade's

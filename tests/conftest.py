from __future__ import annotations

import os
import shutil
import subprocess
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


needs_soffice = pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")


def libreoffice_convert(files: list[Path], folder: Path, to: str = "pdf", timeout: int = 180) -> Path:
    """``files`` converted by LibreOffice (headless, with a private profile under ``folder``) into ``folder/converted``
    — the real client a user prints or re-saves with. Returns that folder; a failed conversion fails the test."""
    out = folder / "converted"
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(folder / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            to,
            "--outdir",
            str(out),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr
    return out


REVIEW_FOLDER = Path(__file__).resolve().parent / "output"  # rendered pages to look at; ignored by git


def keep_for_review(pdf: Path, name: str, page: int = 1) -> Path | None:
    """Render ``page`` of ``pdf`` as ``tests/output/NAME.png`` (60 dpi) for a person to look at after the run — one
    page of each document ipdesk writes. Returns the image, or None where poppler's pdftoppm is missing."""
    if not shutil.which("pdftoppm"):
        return None
    REVIEW_FOLDER.mkdir(exist_ok=True)
    target = REVIEW_FOLDER / name
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(target)],
        check=True,
        capture_output=True,
    )
    image = target.with_suffix(".png")
    assert image.stat().st_size > 1000  # a page was drawn
    return image

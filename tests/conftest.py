from __future__ import annotations

import os
import shutil
import subprocess
import sys
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


# -- one sample return, made once per run -------------------------------------------------------------------------
SAMPLE_UNIT, SAMPLE_PERIOD, SAMPLE_PASS = "碑林区人民政府", "2025Q3", "签署口令2025"


def _sample_return(folder: Path, sign: bool) -> Path:
    """A workspace with the sample return of 碑林区 for 2025Q3 submitted (and, with ``sign``, signed by 李强 and
    exported to ``folder/out``), its unit key in ``folder/home``. Tests never change it: they use ``open_copy``."""
    from ipdesk import Workspace
    from ipdesk.workspace.sample_data import fill_sample

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IPDESK_HOME", str(folder / "home"))  # the unit's key goes here
        with Workspace(folder / "ws.db", actor="王芳") as ws:
            ws.settings.update({"unit": SAMPLE_UNIT, "clerk_name": "王芳", "reviewer_name": "李强"})
            fill_sample(ws, SAMPLE_UNIT, SAMPLE_PERIOD)
            ws.reports.submit(SAMPLE_UNIT, SAMPLE_PERIOD)
            if sign:
                ws.signoff.sign(SAMPLE_UNIT, SAMPLE_PERIOD, SAMPLE_PASS, create=True)
                (folder / "out").mkdir()
                ws.reports.export(SAMPLE_UNIT, SAMPLE_PERIOD, folder / "out")
    return folder


@pytest.fixture(scope="session")
def submitted_template(tmp_path_factory) -> Path:
    return _sample_return(tmp_path_factory.mktemp("submitted"), sign=False)


@pytest.fixture(scope="session")
def signed_template(tmp_path_factory) -> Path:
    return _sample_return(tmp_path_factory.mktemp("signed"), sign=True)


def open_copy(template: Path, db: Path, home: Path):
    """A workspace on a copy of ``template``'s database at ``db``, with a copy of its unit key in ``home`` (which
    must be IPDESK_HOME while the key is used): a test may change both without touching the template."""
    from ipdesk import Workspace

    shutil.copyfile(template / "ws.db", db)
    if (template / "home").exists():
        shutil.copytree(template / "home", home, dirs_exist_ok=True)
    return Workspace(db, actor="王芳")


# -- signed returns of two units, made once per run ----------------------------------------------------------------
SENDING_UNITS = ("碑林区人民政府", "雁塔区人民政府")


@pytest.fixture(scope="session")
def two_units_returns(tmp_path_factory) -> tuple[list[Path], list[Path]]:
    """The signed workbooks of 碑林区 and 雁塔区 for 2025-09 and 2025-10 (as each unit makes them, with its own key),
    and their certificates. Tests import them into offices of their own and never change them."""
    from .unit_desk import UnitDesk

    root = tmp_path_factory.mktemp("units")
    out = root / "out"
    files, certificates = [], []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IPDESK_HOME", str(root / "home"))  # made before any test's own home is set
        for unit in SENDING_UNITS:
            desk = UnitDesk(root / unit, unit)
            for period in ("2025-09", "2025-10"):
                files += [p for suffix, p in desk.sign(period, out).items() if suffix == ".xlsx"]
            certificates.append(desk.certificate())
            desk.ws.close()
    return files, certificates


def under_wine() -> bool:
    """Windows CPython running under Wine (the Windows lane): Wine's ntdll exports wine_get_version."""
    if sys.platform != "win32":
        return False
    import ctypes

    return hasattr(ctypes.WinDLL("ntdll"), "wine_get_version")


def replace_in_sheet_xml(path: Path, old: bytes, new: bytes, sheet: str = "xl/worksheets/sheet1.xml") -> None:
    """Put ``new`` where ``old`` stands, once, in a sheet's XML inside the workbook at ``path``: what a hostile file
    holds and openpyxl would not write (a number of hundreds of digits)."""
    import zipfile

    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    assert parts[sheet].count(old) == 1
    parts[sheet] = parts[sheet].replace(old, new)
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)


# -- the two readers of a signed workbook -------------------------------------------------------------------------
def same_view_both_ways(path: Path, book) -> None:
    """``book`` (``sheet_xml.read_book`` of ``path``) gives exactly what openpyxl's load gives: the view, the
    invisible cells and the signature sheet."""
    from ipdesk.signing.verify import load_with_openpyxl
    from ipdesk.signing.workbook import SHEET, read_signature_sheet
    from ipdesk.signing.workbook_view import describe, invisible_cells, package_parts

    loaded = load_with_openpyxl(path)
    assert not isinstance(loaded, str), f"{path.name}: read from its XML, but openpyxl cannot load it: {loaded}"
    parts = package_parts(path)
    assert describe(book, SHEET, parts) == describe(loaded, SHEET, parts), path.name
    assert [d.text for d in invisible_cells(book, SHEET)] == [d.text for d in invisible_cells(loaded, SHEET)]

    def signature(workbook):
        try:
            return read_signature_sheet(workbook)
        except ValueError:
            return "unreadable"

    assert signature(book) == signature(loaded), path.name


@pytest.fixture
def both_readers(monkeypatch) -> list[tuple[Path, bool]]:
    """Every workbook verified in the test is read by ``sheet_xml`` and, where that reader reads it, by openpyxl
    too: the views must be the same. Yields (file, read from its XML) for each workbook verified."""
    from ipdesk.signing import sheet_xml

    read = sheet_xml.read_book
    seen: list[tuple[Path, bool]] = []

    def read_and_compare(path, limits):
        book = read(path, limits)
        if book is not None:
            same_view_both_ways(Path(path), book)
        seen.append((Path(path), book is not None))
        return book

    monkeypatch.setattr(sheet_xml, "read_book", read_and_compare)
    return seen

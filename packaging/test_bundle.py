"""Build the PyInstaller bundle on this platform and run the frozen program, as a clerk's PC would.

    python packaging/test_bundle.py [--no-build] [--installer]

Checks, on a fresh data folder: `ipdesk-cli --version`; `demo`, `submit`, `sign`, `export` and `verify` of a
period (all three files 有效); `ipdesk --smoke-test` offscreen; the Chinese Qt translations and the bundled font are
in the bundle. With --installer (and makensis on the PATH) it also compiles packaging/ipdesk.nsi around the folder.
Exits non-zero on the first failure. Used by CI and before every release.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ipdesk import __version__  # noqa: E402

BUNDLE = ROOT / "dist" / f"ipdesk-{__version__}"
EXE = ".exe" if sys.platform == "win32" else ""


def build() -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(ROOT / "dist"),
            "--workpath",
            str(ROOT / "build"),
            str(ROOT / "build_installer.spec"),
        ],
        cwd=ROOT,
        check=True,
    )


def build_installer() -> Path:
    subprocess.run(
        [
            "makensis",
            "-V2",
            f"-DVERSION={__version__}",
            f"-DBUNDLE=../dist/ipdesk-{__version__}",
            "-DOUTDIR=../dist",
            "ipdesk.nsi",
        ],
        cwd=ROOT / "packaging",
        check=True,
    )
    return ROOT / "dist" / f"ipdesk-{__version__}-setup.exe"


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def run(*args: str, env: dict, cwd: Path, expect: int = 0) -> str:
    result = subprocess.run(list(args), capture_output=True, text=True, encoding="utf-8", env=env, cwd=cwd, timeout=300)
    if result.returncode != expect:
        raise SystemExit(f"FAILED {' '.join(args)} → {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result.stdout


def check(bundle: Path) -> None:
    cli, gui = bundle / f"ipdesk-cli{EXE}", bundle / f"ipdesk{EXE}"
    for program in (cli, gui):
        if not program.exists():
            raise SystemExit(f"FAILED missing {program}")
    internal = bundle / "_internal"
    for needed in (
        "ipdesk/resources/plans/xian-2022-2025.json",
        "ipdesk/resources/fonts/wqy-microhei.ttc",
        "ipdesk/db/migrations/0001_plan.sql",
        "PySide6/Qt/translations/qtbase_zh_CN.qm",
    ):
        if not (internal / needed).exists():
            raise SystemExit(f"FAILED the bundle lacks {needed}")
    work = Path(tempfile.mkdtemp(prefix="ipdesk-frozen-"))
    env = {**os.environ, "IPDESK_HOME": str(work / "home"), "QT_QPA_PLATFORM": "offscreen"}
    db = str(work / "ws.db")
    assert run(str(cli), "--version", env=env, cwd=work).strip() == f"ipdesk {__version__}"
    run(str(cli), "--db", db, "demo", "--unit", "碑林区", "--period", "2025Q3", env=env, cwd=work)
    run(str(cli), "--db", db, "submit", "--unit", "碑林区", "--period", "2025Q3", env=env, cwd=work)
    (work / "pass.txt").write_text("frozen-passphrase\n", encoding="utf-8")
    run(
        str(cli),
        "--db",
        db,
        "sign",
        "--unit",
        "碑林区",
        "--period",
        "2025Q3",
        "--passphrase-file",
        str(work / "pass.txt"),
        "--reviewer",
        "李强",
        env=env,
        cwd=work,
    )
    files = run(
        str(cli), "--db", db, "export", "--unit", "碑林区", "--period", "2025Q3", "--out", str(work), env=env, cwd=work
    ).split()
    if len(files) != 3:
        raise SystemExit(f"FAILED export wrote {files}")
    verdicts = run(str(cli), "--db", db, "verify", *files, env=env, cwd=work)
    if sum(line.startswith("有效") for line in verdicts.splitlines()) != 3:
        raise SystemExit(f"FAILED verify:\n{verdicts}")
    # the city office: a workspace of its own, a unit's certificate registered, the quarter's report and 通报 draft
    city = str(work / "city.db")
    run(
        str(cli),
        "--db",
        db,
        "keys",
        "export-cert",
        "--unit",
        "碑林区",
        "--out",
        str(work / "unit.cer"),
        env=env,
        cwd=work,
    )
    run(str(cli), "--db", city, "trust", "add", str(work / "unit.cer"), env=env, cwd=work)
    report = run(
        str(cli), "--db", city, "city", "report", "--period", "2025Q3", "--out", str(work / "city"), env=env, cwd=work
    ).split()
    # the main report (xlsx, pdf), its 附件 with the task × unit detail (xlsx, pdf) and the 通报 draft
    if [Path(p).suffix for p in report] != [".xlsx", ".pdf", ".xlsx", ".pdf", ".docx"] or "附件" not in report[2]:
        raise SystemExit(f"FAILED city report wrote {report}")
    shown = run(str(gui), "--db", db, "--smoke-test", env=env, cwd=work).strip()
    if not shown.startswith("shown in "):
        raise SystemExit(f"FAILED smoke test said {shown!r}")
    print(
        "frozen program: --version, demo, submit, sign, export, verify (3 × 有效), "
        f"city report (xlsx, pdf, 附件 xlsx and pdf, docx) and {shown} — all passed"
    )
    print(f"bundle {bundle.name}: {folder_size(bundle) / 1e6:.0f} MB")
    shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="test the bundle already in dist/")
    parser.add_argument("--installer", action="store_true", help="also compile the NSIS installer")
    args = parser.parse_args(argv)
    if not args.no_build:
        build()
    check(BUNDLE)
    if args.installer:
        if not shutil.which("makensis"):
            raise SystemExit("FAILED makensis is not installed")
        installer = build_installer()
        print(f"installer {installer.name}: {installer.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

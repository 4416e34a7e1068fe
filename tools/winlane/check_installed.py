"""The installed program, as a clerk's Windows PC runs it: run by tools/windows-lane under Wine with Windows Python.

    python check_installed.py --program "C:\\Program Files\\ipdesk" --out DIR --version V --code-page 936 [--cli-only]

Checks, each printed with its time; the first failure ends it with exit 1:
  - the ANSI code page is the one asked for (936 for a Chinese Windows, 1252 for an English one)
  - ipdesk-cli.exe --version
  - the default data folder: with no --db and no IPDESK_HOME the database is made in %LOCALAPPDATA%\\ipdesk\\ipdesk
    (the 用户数据目录 the README names), nothing in the roaming profile
  - demo, submit, sign, export and verify (3 × 有效) with the database, the keys, the passphrase file and the export
    folder under Chinese names with spaces, then an export into a folder named with more than 100 characters
  - two processes on one database: ipdesk.exe holds it, ipdesk-cli.exe is refused a write and told which process
    holds it, may still read; once ipdesk.exe is ended (TerminateProcess) the lock is gone with it
  - ipdesk.exe --smoke-test --screenshot (offscreen): the main window is shown and saved as a PNG in --out
With --cli-only (the code page 1252 pass) only the command-line checks run.
"""

from __future__ import annotations

import argparse
import json
import locale
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

UNIT, PERIOD = "碑林区", "2025Q3"
ENCODING = locale.getpreferredencoding(False)  # what a console program's piped output is written in


class Failed(Exception):
    pass


def run(program: Path, *args: str, env: dict[str, str], expect: int | None = 0, timeout: int = 300):
    result = subprocess.run(
        [str(program), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=env,
        timeout=timeout,
    )
    out = result.stdout.decode(ENCODING, errors="replace")
    err = result.stderr.decode(ENCODING, errors="replace")
    if expect is not None and result.returncode != expect:
        raise Failed(f"{program.name} {' '.join(args)} → exit {result.returncode} (expected {expect})\n{out}\n{err}")
    return result.returncode, out, err


def check(title: str):
    def wrap(step):
        def timed(*args, **kwargs):
            start = time.monotonic()
            detail = step(*args, **kwargs)
            print(f"  ok  {title}{f' — {detail}' if detail else ''} ({time.monotonic() - start:.1f} s)", flush=True)

        return timed

    return wrap


class Installed:
    def __init__(self, program: Path, out: Path, version: str, code_page: int):
        self.cli, self.gui = program / "ipdesk-cli.exe", program / "ipdesk.exe"
        self.out, self.version, self.code_page = out, version, code_page
        self.work = Path(tempfile.mkdtemp(prefix=f"ipdesk 检查 cp{code_page} "))
        self.folder = self.work / "碑林区 填报数据　2025"  # a full-width space too, as Chinese input methods type it
        self.folder.mkdir()
        self.db = self.folder / "工作 区.db"
        # the program's own defaults: no PYTHON* variable of this checker may reach it (PYTHONIOENCODING would hide
        # the code page)
        plain = {k: v for k, v in os.environ.items() if not k.upper().startswith("PYTHON")}
        self.env = {**plain, "IPDESK_HOME": str(self.work / "用户 数据"), "QT_QPA_PLATFORM": "offscreen"}

    @check("the ANSI code page")
    def code_page_is(self):
        if ENCODING != f"cp{self.code_page}":
            raise Failed(f"the code page is {ENCODING}, not cp{self.code_page}: the locale was not made")
        return ENCODING

    @check("ipdesk-cli.exe --version")
    def version_is(self):
        for program in (self.cli, self.gui, self.cli.parent / "uninstall.exe"):
            if not program.is_file():
                raise Failed(f"not installed: {program}")
        shown = run(self.cli, "--version", env=self.env)[1].strip()
        if shown != f"ipdesk {self.version}":
            raise Failed(f"--version said {shown!r}")
        return shown

    @check("the default data folder is %LOCALAPPDATA%\\ipdesk\\ipdesk")
    def default_folder(self):
        env = {k: v for k, v in self.env.items() if k != "IPDESK_HOME"}
        expected = Path(os.environ["LOCALAPPDATA"]) / "ipdesk" / "ipdesk" / "ipdesk.db"
        roaming = Path(os.environ["APPDATA"]) / "ipdesk"
        run(self.cli, "demo", "--unit", UNIT, "--period", PERIOD, env=env)
        if not expected.is_file():
            made = [str(p) for p in Path(os.environ["USERPROFILE"]).rglob("ipdesk.db")]
            raise Failed(f"no database at {expected}; made: {made}")
        if roaming.exists():
            raise Failed(f"something was written into the roaming profile: {roaming}")
        return str(expected)

    def export(self, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        run(self.cli, "--db", str(self.db), "export", "--unit", UNIT, "--period", PERIOD, "--out", str(folder),
            env=self.env)  # fmt: skip
        files = sorted(folder.iterdir())  # not the printed names: under code page 1252 they print as ?
        if sorted(p.suffix for p in files) != [".p7s", ".pdf", ".xlsx"]:
            raise Failed(f"export wrote {[p.name for p in files]} into {folder}")
        code, out, err = run(self.cli, "--db", str(self.db), "verify", "--json", *map(str, files), env=self.env,
                             expect=None)  # fmt: skip
        if code != 0 or len(json.loads(out)) != 3:
            raise Failed(f"verify → exit {code}\n{out}\n{err}")
        return files

    @check("demo, submit, sign, export, verify (3 × 有效) under Chinese paths with spaces")
    def round_trip(self):
        run(self.cli, "--db", str(self.db), "demo", "--unit", UNIT, "--period", PERIOD, env=self.env)
        run(self.cli, "--db", str(self.db), "submit", "--unit", UNIT, "--period", PERIOD, env=self.env)
        passphrase = self.folder / "签署 口令.txt"
        passphrase.write_text("审核人的口令 2025\n", encoding="utf-8")
        run(self.cli, "--db", str(self.db), "sign", "--unit", UNIT, "--period", PERIOD, "--passphrase-file",
            str(passphrase), "--reviewer", "李强", env=self.env)  # fmt: skip
        files = self.export(self.work / "导出 文件")
        if not (self.work / "用户 数据" / "keys").is_dir():
            raise Failed("the unit's key is not in the data folder given by IPDESK_HOME")
        return ", ".join(p.name for p in files)

    @check("export into a folder named with more than 100 characters")
    def long_folder(self):
        name = ("2025年第三季度 知识产权强市建设示范城市工作进展 报送材料 signed returns for the city office " * 3)[
            :120
        ]
        files = self.export(self.work / name)
        return f"{len(name)}-character folder, longest path {max(len(str(p)) for p in files)} characters"

    @check("two processes on one database: the window holds it, the command line is refused, then not")
    def writer_lock(self):
        lock = Path(f"{self.db}.lock")
        window = subprocess.Popen([str(self.gui), "--db", str(self.db)], env=self.env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if lock.read_text(encoding="utf-8").split()[:1] == [str(window.pid)]:
                        break
                except (OSError, IndexError):
                    pass
                if window.poll() is not None:
                    raise Failed(f"ipdesk.exe ended (exit {window.returncode}) instead of showing its window")
                time.sleep(0.5)
            else:
                raise Failed("ipdesk.exe did not take the database's writer lock within 120 s")
            code, out, err = run(self.cli, "--db", str(self.db), "demo", "--unit", UNIT, "--period", "2025Q4",
                                 env=self.env, expect=None)  # fmt: skip
            if code != 2 or str(window.pid) not in err:
                raise Failed(f"a second writer was not refused with the holder named: exit {code}\n{out}\n{err}")
            run(self.cli, "--db", str(self.db), "plan", "--json", env=self.env)  # reading still works
        finally:
            window.kill()  # TerminateProcess, as Task Manager's 结束任务
            window.wait()
        run(self.cli, "--db", str(self.db), "demo", "--unit", UNIT, "--period", "2025Q4", env=self.env)
        return f"ipdesk.exe (process {window.pid}) named in the refusal; its lock went with it"

    @check("ipdesk.exe --smoke-test --screenshot (offscreen)")
    def smoke_test(self):
        picture = self.out / f"installed-window-cp{self.code_page}.png"
        picture.unlink(missing_ok=True)
        code, out, err = run(self.gui, "--db", str(self.db), "--smoke-test", "--screenshot", str(picture),
                             env=self.env, expect=None)  # fmt: skip
        if code != 0:
            raise Failed(f"--smoke-test → exit {code}\n{out}\n{err}")
        data = picture.read_bytes() if picture.is_file() else b""
        if not data.startswith(b"\x89PNG") or len(data) < 10_000:
            raise Failed(f"no picture of the window at {picture} ({len(data)} bytes)")
        return f"{picture.name}, {len(data) // 1024} KB{f' — {out.strip()}' if out.strip() else ''}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", type=Path, required=True, help="the installation folder")
    parser.add_argument("--out", type=Path, required=True, help="where the window's picture goes")
    parser.add_argument("--version", required=True)
    parser.add_argument("--code-page", type=int, required=True)
    parser.add_argument("--cli-only", action="store_true")
    args = parser.parse_args()
    sys.stdout.reconfigure(encoding="utf-8")  # read on the Linux side of Wine's pipe, whatever the code page
    args.out.mkdir(parents=True, exist_ok=True)
    installed = Installed(args.program, args.out, args.version, args.code_page)
    steps = [installed.code_page_is, installed.version_is]
    if not args.cli_only:
        steps.append(installed.default_folder)
    steps += [installed.round_trip, installed.long_folder]
    if not args.cli_only:
        steps += [installed.writer_lock, installed.smoke_test]
    print(f"the installed program in {args.program}, code page {args.code_page}, work folder {installed.work}")
    try:
        for step in steps:
            step()
    except (Failed, subprocess.TimeoutExpired, OSError) as error:
        print(f"FAILED {error}")
        return 1
    shutil.rmtree(installed.work, ignore_errors=True)
    print(f"the installed program: {len(steps)} checks passed (code page {args.code_page})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

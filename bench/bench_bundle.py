"""Benchmark: the frozen bundle — folder size, installer size, cold start of the frozen program.

    python bench/bench_bundle.py [--json] [--runs 7]

Expects the bundle (and, if made, the installer) in dist/: `python packaging/test_bundle.py --installer` makes both.
Goals (issue 7): installer under 60 MB, frozen start under 1.5 s. Cold start is the whole `ipdesk --smoke-test`
process of the frozen program, timed from outside, on a workspace with a filled period.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ipdesk import __version__  # noqa: E402

GOAL_INSTALLER_MB, GOAL_START_S = 60.0, 1.5
EXE = ".exe" if sys.platform == "win32" else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    bundle = ROOT / "dist" / f"ipdesk-{__version__}"
    installer = ROOT / "dist" / f"ipdesk-{__version__}-setup.exe"
    if not bundle.exists():
        raise SystemExit("build the bundle first: python packaging/test_bundle.py --installer")
    work = Path(tempfile.mkdtemp(prefix="ipdesk-bundle-bench-"))
    env = {**os.environ, "IPDESK_HOME": str(work), "QT_QPA_PLATFORM": "offscreen"}
    db = str(work / "ws.db")
    cli, gui = str(bundle / f"ipdesk-cli{EXE}"), str(bundle / f"ipdesk{EXE}")
    subprocess.run(
        [cli, "--db", db, "demo", "--unit", "市市场监管局", "--period", "2025-11"],
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run([gui, "--db", db, "--smoke-test"], env=env, check=True, capture_output=True)  # warm the cache
    starts = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run([gui, "--db", db, "--smoke-test"], env=env, check=True, capture_output=True)
        starts.append(time.perf_counter() - start)
    result = {
        "platform": sys.platform,
        "bundle_mb": round(
            sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6, 1
        ),
        "installer_mb": round(installer.stat().st_size / 1e6, 1) if installer.exists() else None,
        "frozen_start_s": round(statistics.median(starts), 3),
    }
    ok = result["frozen_start_s"] < GOAL_START_S and (result["installer_mb"] or 0) < GOAL_INSTALLER_MB
    if args.json:
        print(json.dumps(result))
    else:
        installer_text = f"{result['installer_mb']} MB" if result["installer_mb"] else "未生成"
        print(
            f"程序文件夹 {result['bundle_mb']} MB；安装程序 {installer_text}（目标 < {GOAL_INSTALLER_MB:g} MB）；"
            f"冷启动中位数 {result['frozen_start_s'] * 1000:.0f} ms（目标 < {GOAL_START_S * 1000:.0f} ms）"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: the clerk's window — cold start, one durable save, switching tasks.

    python bench/bench_window.py [--json]

Goals (issue 3): cold start to shown under 0.8 s; one durable save under 10 ms median; switching tasks under 50 ms.
Cold start is the whole `python -m ipdesk --smoke-test` process, timed from outside, on the 10-year synthetic
history of bench_queries.py (generated on first use), for the unit with the most tasks. Saves go to a fresh file
database with the production settings (WAL, synchronous=FULL): each is a committed, fsynced transaction.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from synthetic import generate  # noqa: E402

from ipdesk import Period, Workspace  # noqa: E402
from ipdesk.domain import Progress, TaskStatus  # noqa: E402

GOALS_MS = {"cold_start": 800.0, "save": 10.0, "switch_task": 50.0}


def history_database() -> Path:
    path = HERE / "out" / "history-10y.db"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        generate(path, years=10, first_year=2016, progress=lambda _: None)
    return path


def cold_start(db: Path, runs: int) -> dict[str, float]:
    walls, shown = [], []
    # As in bench_export.py: run from compiled bytecode, as an installed ipdesk does.
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "ipdesk", "--db", str(db), "--smoke-test"]
    subprocess.run(command, capture_output=True, env=env, cwd=ROOT, check=True)  # warm the page cache once
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, check=True)
        walls.append((time.perf_counter() - start) * 1000)
        shown.append(float(result.stdout.split()[2]))
    return {
        "median_ms": statistics.median(walls),
        "max_ms": max(walls),
        "reported_shown_median_ms": statistics.median(shown),
    }


def durable_saves(count: int) -> dict[str, float]:
    # On the same disk as the history database (not /tmp, which may live in memory and make fsync free).
    folder = Path(tempfile.mkdtemp(prefix="saves-", dir=HERE / "out"))
    with Workspace(folder / "saves.db", actor="基准") as ws:
        unit, period = "碑林区人民政府", Period.parse("2025-11")
        samples = []
        for number in range(count):
            progress = Progress(
                47,
                unit,
                period,
                TaskStatus.IN_PROGRESS,
                number % 100,
                f"第{number}次保存：组织召开专题推进会，指导企业开展知识产权贯标工作。",
            )
            start = time.perf_counter()
            ws.progress.save(progress)
            samples.append((time.perf_counter() - start) * 1000)
    shutil.rmtree(folder, ignore_errors=True)
    samples.sort()
    return {"median_ms": statistics.median(samples), "p95_ms": samples[int(0.95 * (len(samples) - 1))]}


def switching(db: Path, rounds: int) -> dict[str, float]:
    from ipdesk.ui.app import make_application
    from ipdesk.ui.main_window import MainWindow

    app = make_application()
    with Workspace(db) as ws:
        unit = max(ws.units.all(), key=lambda u: len(ws.tasks.for_unit(u))).name
        window = MainWindow(ws, unit)
        window.show()
        app.processEvents()
        seqs = [row.task.seq for row in window.model.rows]
        samples = []
        for _ in range(rounds):
            for seq in seqs:
                start = time.perf_counter()
                window.select_task(seq)
                app.processEvents()
                samples.append((time.perf_counter() - start) * 1000)
        window.close()
        window.deleteLater()
        app.processEvents()
    samples.sort()
    return {
        "median_ms": statistics.median(samples),
        "p95_ms": samples[int(0.95 * (len(samples) - 1))],
        "tasks": len(seqs),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    db = history_database()
    results = {
        "cold_start": cold_start(db, args.runs),
        "save": durable_saves(200),
        "switch_task": switching(db, 3),
    }
    verdicts = {name: results[name]["median_ms"] < goal for name, goal in GOALS_MS.items()}
    if args.json:
        print(json.dumps({"database": str(db), "goals_ms": GOALS_MS, "results": results}, ensure_ascii=False, indent=2))
    else:
        labels = {"cold_start": "冷启动到窗口显示（整个进程）", "save": "一次持久保存", "switch_task": "切换任务"}
        for name, figures in results.items():
            extra = ", ".join(f"{k} {v:.1f}" for k, v in figures.items() if k != "median_ms")
            verdict = "达标" if verdicts[name] else "未达标"
            print(
                f"{labels[name]}: 中位数 {figures['median_ms']:.1f} ms（{extra}；目标 < {GOALS_MS[name]:.0f} ms，"
                f"{verdict}）"
            )
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())

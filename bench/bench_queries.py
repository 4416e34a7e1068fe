"""Benchmark: the queries the clerk's window makes, on a workspace with 10 years of monthly history.

    python bench/bench_queries.py            # generates bench/out/history-10y.db once, then measures
    python bench/bench_queries.py --fresh    # regenerate the history first
    python bench/bench_queries.py --json     # figures as JSON

Goal (issue 2): each query under 50 ms. Figures are medians and 95th percentiles over repeated runs, in the same
process, with a warm page cache (what a clerk switching periods sees).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from synthetic import generate  # noqa: E402

from ipdesk import Period, Workspace  # noqa: E402

GOAL_MS = 50.0


def measure(action, repeat: int) -> dict[str, float]:
    action()  # warm up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"median_ms": statistics.median(samples), "p95_ms": samples[int(0.95 * (len(samples) - 1))]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="regenerate the synthetic history")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    path = HERE / "out" / f"history-{args.years}y.db"
    path.parent.mkdir(exist_ok=True)
    generation_s = None
    if args.fresh or not path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        start = time.perf_counter()
        generate(
            path, years=args.years, first_year=2026 - args.years, progress=(lambda _: None) if args.json else print
        )
        generation_s = time.perf_counter() - start

    with Workspace(path) as ws:
        counts = {table: ws.db[table].count for table in ("progress", "indicator_value", "audit_log")}
        latest = Period.parse("2025-12")
        busiest = max(ws.units.all(), key=lambda u: len(ws.tasks.for_unit(u)))
        district = ws.units.find("碑林区")
        queries = {
            f"一个单位本期的任务及进展（{busiest.name}，{len(ws.tasks.for_unit(busiest))} 项）": lambda: (
                ws.progress.for_unit(busiest, latest)
            ),
            f"一个单位本期的任务及进展（{district.name}，{len(ws.tasks.for_unit(district))} 项）": lambda: (
                ws.progress.for_unit(district, latest)
            ),
            "一个指标的历史（全部单位，按月）": lambda: ws.indicator_values.history(1),
            "一个指标的历史（一个单位）": lambda: ws.indicator_values.history(6, "市科技局"),
            "一项任务的历史（一个单位，按月）": lambda: ws.progress.history(47, district),
            "一个单位本期的指标值": lambda: ws.indicator_values.for_unit(busiest, latest),
        }
        results = {name: measure(action, args.repeat) for name, action in queries.items()}

    size_mb = sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists()) / 1e6
    report = {
        "database": str(path),
        "size_mb": round(size_mb, 1),
        "rows": counts,
        "generation_s": generation_s,
        "goal_ms": GOAL_MS,
        "queries": results,
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(f"数据库：{path}  大小 {size_mb:.1f} MB  行数 {counts}")
        if generation_s is not None:
            print(f"生成用时 {generation_s:.1f} s")
        for name, figures in results.items():
            verdict = "达标" if figures["p95_ms"] < GOAL_MS else "未达标"
            median, p95 = figures["median_ms"], figures["p95_ms"]
            print(f"  {name}: 中位数 {median:.2f} ms, p95 {p95:.2f} ms（目标 < {GOAL_MS:.0f} ms，{verdict}）")
    return 0 if all(f["p95_ms"] < GOAL_MS for f in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Crash trials: a writer saving edits through the Workspace is killed with SIGKILL at random moments.

    python bench/crash_trials.py [--trials 200] [--json]

After each kill the database is reopened: the integrity check must pass, the audit chain must be intact, and every
edit the writer acknowledged (printed after its save returned) must be there. Reports the trials run, the edits
checked and the edits lost (the goal is 0).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from ipdesk import Period, Workspace  # noqa: E402
from tests.test_reliability import UNIT, kill_trial  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    db = Path(tempfile.mkdtemp(prefix="ipdesk-crash-")) / "crash.db"
    Workspace(db).close()
    rng = random.Random(args.seed)
    checked = lost = broken = 0
    started = time.perf_counter()
    for _ in range(args.trials):
        acked = kill_trial(db, rng.uniform(0.02, 0.6))
        with Workspace(db, backups=False) as ws:
            if ws.integrity() != "ok" or ws.audit.verify() is not None:
                broken += 1
            for seq, n in acked.items():
                checked += 1
                text = ws.progress.get(seq, UNIT, Period.parse("2025-11")).achievements
                if int(text.removeprefix("第").removesuffix("次保存")) < n:
                    lost += 1
    result = {
        "trials": args.trials,
        "acknowledged_edits_checked": checked,
        "edits_lost": lost,
        "damaged_databases": broken,
        "seconds": round(time.perf_counter() - started, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"SIGKILL 试验 {args.trials} 次，核对已确认的修改 {checked} 处，丢失 {lost} 处，"
            f"数据库损坏 {broken} 次（用时 {result['seconds']} s）"
        )
    return 0 if lost == 0 and broken == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())

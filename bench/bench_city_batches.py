"""Benchmark: the city office in batches.

    python bench/bench_city_batches.py [--json]

Setup as ``bench_city.py``: the plan's 43 units sign their 2025-10 returns, each with its own key.

1. `ipdesk trust add FOLDER` registers the 43 certificates in one process (before: one call per certificate, 42
   calls took 38 s). Goal: one call, under 3 s.
2. `ipdesk city accept --period 2025-10 --all-valid` in one process, after three of the 43 returns were decided one
   by one (two accepted, one returned): 40 accepted, the three listed with their reason (before: 42 calls, 41 s).
   Goal: one call, under 3 s.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from bench_city import ENV, PERIOD, make_returns  # noqa: E402

GOAL_S = 3.0


def ipdesk(*args: str) -> tuple[float, dict | list]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "ipdesk", *args, "--json"], capture_output=True, text=True, env=ENV, cwd=ROOT
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr)
    return elapsed, json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        inbox, _, certificates = make_returns(folder)
        certs = folder / "certificates"
        certs.mkdir()
        for certificate in certificates:
            shutil.copy(certificate, certs)
        db = str(folder / "city.db")
        trust_s, registered = ipdesk("--db", db, "trust", "add", str(certs))
        _, imported = ipdesk("--db", db, "city", "import", str(inbox), "--received-on", "2025-11-03")
        units = [r["unit"] for r in imported if r["outcome"] == "已导入"]
        for unit in units[:2]:
            ipdesk("--db", db, "city", "accept", "--unit", unit, "--period", PERIOD)
        back = ["city", "return", "--unit", units[2], "--period", PERIOD, "--comment", "请补充"]
        back += ["--out", str(folder / "fb"), "--reviewer", "张主任", "--passphrase-file", str(_passphrase(folder))]
        subprocess.run(
            [sys.executable, "-m", "ipdesk", "--db", db, *back],
            capture_output=True,
            env=ENV,
            cwd=ROOT,
            check=True,
        )
        accept_s, batch = ipdesk("--db", db, "city", "accept", "--period", PERIOD, "--all-valid")
    assert isinstance(registered, list) and isinstance(batch, dict)
    result = {
        "certificates_registered": sum(1 for r in registered if not r["refused"]),
        "trust_add_folder_s": round(trust_s, 2),
        "accepted": len(batch["accepted"]),
        "skipped": len(batch["skipped"]),
        "accept_all_valid_s": round(accept_s, 2),
        "goal_s": GOAL_S,
    }
    print(json.dumps(result, ensure_ascii=False) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
    return 0


def _passphrase(folder: Path) -> Path:
    path = folder / "city-pass.txt"
    path.write_text("市局基准口令123\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    raise SystemExit(main())

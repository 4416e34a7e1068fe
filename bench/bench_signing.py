"""Benchmark: what signing adds to an export.

    python bench/bench_signing.py [--json] [--runs 7]

In one warm process, for 碑林区人民政府's 2025Q3 report: the unsigned export (xlsx + pdf) against 签署, which makes the
same workbook and PDF plus the signature sheet, the detached .p7s and the PAdES signature, and stores them. The
difference is what signing adds (goal: under 0.3 s). Loading pyHanko the first time is reported on its own: it is
paid once per process, when the reviewer first signs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

UNIT, PERIOD, PASSPHRASE = "碑林区人民政府", "2025Q3", "bench-passphrase"
GOAL_S = 0.3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="ipdesk-sign-bench-"))
    os.environ["IPDESK_HOME"] = str(folder / "home")

    from ipdesk import Workspace
    from ipdesk.workspace.sample_data import fill_sample

    with Workspace(folder / "bench.db", actor="基准") as ws:
        ws.settings.update({"reviewer_name": "李强", "clerk_name": "王芳"})
        fill_sample(ws, UNIT, PERIOD)
        out = folder / "out"
        out.mkdir()
        ws.reports.export(UNIT, PERIOD, out)  # imports and font, paid once
        unsigned = []
        for _ in range(args.runs):
            start = time.perf_counter()
            ws.reports.export(UNIT, PERIOD, out)
            unsigned.append(time.perf_counter() - start)

        start = time.perf_counter()
        import pyhanko.sign  # noqa: F401

        pyhanko_import = time.perf_counter() - start
        ws.signoff.create_identity(UNIT, PASSPHRASE)
        signing = []
        for run in range(args.runs + 1):
            ws.reports.submit(UNIT, PERIOD)
            start = time.perf_counter()
            ws.signoff.sign(UNIT, PERIOD, PASSPHRASE)
            if run:  # the first signature warms pyHanko's own caches
                signing.append(time.perf_counter() - start)
            ws.signoff.revise(UNIT, PERIOD)
    shutil.rmtree(folder, ignore_errors=True)

    result = {
        "unsigned_export_s": statistics.median(unsigned),
        "sign_s": statistics.median(signing),
        "added_by_signing_s": statistics.median(signing) - statistics.median(unsigned),
        "pyhanko_first_import_s": pyhanko_import,
    }
    ok = result["added_by_signing_s"] < GOAL_S
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"未签署导出（xlsx + pdf）：中位数 {result['unsigned_export_s'] * 1000:.0f} ms")
        print(f"签署（同样的文件，加签名页、.p7s 和 PDF 签名，并保存）：中位数 {result['sign_s'] * 1000:.0f} ms")
        print(
            f"签署增加：{result['added_by_signing_s'] * 1000:.0f} ms（目标 < {GOAL_S * 1000:.0f} ms，"
            f"{'达标' if ok else '未达标'}）；首次载入 pyHanko {result['pyhanko_first_import_s'] * 1000:.0f} ms"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: the city office's month.

    python bench/bench_city.py [--json] [--runs 5]

Setup: each of the plan's 43 units fills, submits and signs its 2025-10 return in its own workspace with its own key
(as the program makes them), and exports the signed workbook, its .p7s and the signed PDF into one inbox folder.

1. The whole `ipdesk city import INBOX` process on a new city workspace with the 43 certificates registered, for
   the workbooks (43 .xlsx with their .p7s) and for everything the units send (the workbooks and the 43 PDFs).
   Goal: 43 returns imported and verified in under 3 s.
2. The completeness matrix for 43 units × 42 months (2022-07 … 2025-12), built in a warm process. Goal: under 50 ms.
3. The quarterly supervision report (季度督导报告) for 2025Q4 from those 43 returns, every one of the plan's task rows
   with each responsible unit's part, as one whole `ipdesk city report` process writing the .xlsx, the .pdf and the
   通报 draft. Goal: under 3 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
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

from ipdesk import Workspace  # noqa: E402
from ipdesk.signing.identity import KeyStore  # noqa: E402
from ipdesk.workspace.sample_data import fill_sample  # noqa: E402

PERIOD, PASS = "2025-10", "基准签署口令"
GOAL_IMPORT_S, GOAL_MATRIX_S, GOAL_REPORT_S = 3.0, 0.05, 3.0
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # run as installed: from bytecode


def make_returns(folder: Path) -> tuple[Path, Path, list[Path]]:
    """Every unit's signed return in ``inbox`` (xlsx, p7s, pdf), and the units' certificates."""
    inbox, workbooks = folder / "inbox", folder / "workbooks"
    inbox.mkdir()
    workbooks.mkdir()
    certificates = []
    with Workspace(folder / "units.db", actor="基准") as ws:
        for number, unit in enumerate(ws.plan.units):
            ws.signoff._keys = KeyStore(folder / "keys" / str(number))
            fill_sample(ws, unit, PERIOD, mark=False)
            ws.reports.submit(unit, PERIOD)
            ws.signoff.sign(unit, PERIOD, PASS, create=True, reviewer="李强")
            for path in ws.reports.export(unit, PERIOD, inbox):
                if path.suffix in (".xlsx", ".p7s"):
                    shutil.copy(path, workbooks)
            certificates.append(ws.signoff.keys.export_certificate(unit.name, folder / f"unit-{number}.cer"))
    return inbox, workbooks, certificates


def city_workspace(path: Path, certificates: list[Path]) -> None:
    path.unlink(missing_ok=True)
    with Workspace(path, actor="基准") as ws:
        for certificate in certificates:
            ws.trust.add(certificate)


def timed_import(db: Path, certificates: list[Path], inbox: Path) -> tuple[float, dict[str, int]]:
    city_workspace(db, certificates)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "ipdesk", "--db", str(db), "city", "import", str(inbox), "--json"],
        capture_output=True,
        env=ENV,
        cwd=ROOT,
    )
    elapsed = time.perf_counter() - start
    outcomes: dict[str, int] = {}
    for item in json.loads(result.stdout):
        outcomes[item["outcome"]] = outcomes.get(item["outcome"], 0) + 1
    return elapsed, outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="ipdesk-city-bench-"))
    os.environ["IPDESK_HOME"] = str(folder / "home")
    ENV["IPDESK_HOME"] = str(folder / "home")
    start = time.perf_counter()
    inbox, workbooks, certificates = make_returns(folder)
    setup = time.perf_counter() - start

    workbook_runs, all_runs = [], []
    outcomes_workbooks: dict[str, int] = {}
    outcomes_all: dict[str, int] = {}
    for _ in range(args.runs):  # alternate, so that both see the same machine
        elapsed, outcomes_workbooks = timed_import(folder / "city-a.db", certificates, workbooks)
        workbook_runs.append(elapsed)
        elapsed, outcomes_all = timed_import(folder / "city-b.db", certificates, inbox)
        all_runs.append(elapsed)

    report_runs, pages = [], ""
    for run in range(args.runs):
        out = folder / f"report-{run}"
        start = time.perf_counter()
        command = ["city", "report", "--period", "2025Q4", "--out", str(out)]
        subprocess.run(
            [sys.executable, "-m", "ipdesk", "--db", str(folder / "city-b.db"), *command],
            check=True,
            capture_output=True,
            env=ENV,
            cwd=ROOT,
        )
        report_runs.append(time.perf_counter() - start)
        pdf = next(out.glob("*.pdf"))
        info = (
            subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
            if shutil.which("pdfinfo")
            else ""
        )
        pages = next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages")), "")

    with Workspace(folder / "city-b.db", read_only=True) as ws:
        ws.city.matrix(today=dt.date(2026, 11, 25))  # warm
        matrix_runs = []
        for _ in range(max(args.runs * 4, 20)):
            begin = time.perf_counter()
            matrix = ws.city.matrix(today=dt.date(2026, 11, 25))
            matrix_runs.append(time.perf_counter() - begin)
        cells = len(matrix.units) * len(matrix.periods)
    shutil.rmtree(folder, ignore_errors=True)

    figures = {
        "setup_s": round(setup, 1),
        "import_workbooks_s": round(statistics.median(workbook_runs), 3),
        "import_workbooks_outcomes": outcomes_workbooks,
        "import_all_files_s": round(statistics.median(all_runs), 3),
        "import_all_files_outcomes": outcomes_all,
        "matrix_ms": round(statistics.median(matrix_runs) * 1000, 2),
        "matrix_cells": cells,
        "report_s": round(statistics.median(report_runs), 3),
        "report_pdf_pages": pages,
        "goal_import_s": GOAL_IMPORT_S,
        "goal_matrix_ms": GOAL_MATRIX_S * 1000,
        "goal_report_s": GOAL_REPORT_S,
    }
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return 0
    ok = lambda good: "达标" if good else "未达标"  # noqa: E731
    print(f"准备：43 个单位各自签署 {PERIOD} 的报送材料，用时 {figures['setup_s']} s")
    print(
        f"ipdesk city import（43 个工作簿及 .p7s，整个进程）：中位数 {figures['import_workbooks_s']} s"
        f"（目标 < {GOAL_IMPORT_S} s，{ok(figures['import_workbooks_s'] < GOAL_IMPORT_S)}）{outcomes_workbooks}"
    )
    print(
        f"ipdesk city import（工作簿、.p7s 和 PDF，共 129 个文件）：中位数 {figures['import_all_files_s']} s"
        f"（{ok(figures['import_all_files_s'] < GOAL_IMPORT_S)}）{outcomes_all}"
    )
    print(
        f"报送情况矩阵（{cells} 格：43 个单位 × 42 个月）：中位数 {figures['matrix_ms']} ms"
        f"（目标 < {GOAL_MATRIX_S * 1000:g} ms，{ok(figures['matrix_ms'] < GOAL_MATRIX_S * 1000)}）"
    )
    print(
        "ipdesk city report --period 2025Q4（季度督导报告 xlsx + pdf + 通报 docx，整个进程）："
        f"中位数 {figures['report_s']} s"
        f"（目标 < {GOAL_REPORT_S} s，{ok(figures['report_s'] < GOAL_REPORT_S)}），PDF {pages} 页"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

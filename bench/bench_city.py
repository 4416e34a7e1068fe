"""Benchmark: the city office's month, each figure against a yardstick measured in the same run.

    python bench/bench_city.py [--json] [--runs 5] [--keep FOLDER]

Setup: each of the plan's 43 units fills, submits and signs its 2025-09 return in its own workspace with its own key
(as the program makes them), and exports the signed workbook, its .p7s and the signed PDF into one inbox folder.
With ``--keep FOLDER`` the returns are made once into FOLDER and reused by later runs.

Absolute times on shared machines move threefold between days; each figure is therefore a ratio of medians, the
two processes alternated run by run (issue 24):

1. The whole `ipdesk city import` process on a new city workspace with the 43 certificates registered, for the
   workbooks (43 .xlsx with their .p7s), against a Python process that only opens the same 43 workbooks with
   openpyxl (the least any importer that reads them does). Goal: ≤ 1.0×. Also timed: everything the units send
   (the workbooks and the 43 PDFs).
2. The completeness matrix for 43 units × 42 months (2022-07 … 2025-12), built in a warm process. Goal: under 50 ms.
3. The quarterly supervision report (季度督导报告) for 2025Q3 from those 43 returns, as one whole `ipdesk city
   report` process writing the .xlsx, the .pdf, their 附件 (.xlsx, .pdf) and the 通报 draft, against LibreOffice
   converting the report's two workbooks, the main one and the 附件's, to PDF in one run (`soffice --headless
   --convert-to pdf`). Goal: at least 6× faster.
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

PERIOD, PASS, QUARTER = "2025-09", "基准签署口令", "2025Q3"
GOAL_IMPORT_RATIO, GOAL_MATRIX_S, GOAL_REPORT_RATIO = 1.0, 0.05, 6.0
# The yardstick of the import: open every workbook of the folder with openpyxl, and nothing else.
OPEN_WORKBOOKS = (
    "import sys, pathlib, openpyxl\n"
    "[openpyxl.load_workbook(p) for p in sorted(pathlib.Path(sys.argv[1]).glob('*.xlsx'))]"
)
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


def cpu_of_children() -> float:
    """CPU time (user + system) of the finished child processes so far: steadier than the wall clock when other
    work shares the cores (LibreOffice's helper processes are counted once they end, as ipdesk's would be)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


CPU: dict[str, list[float]] = {}


def timed_import(db: Path, certificates: list[Path], inbox: Path) -> tuple[float, dict[str, int]]:
    city_workspace(db, certificates)
    cpu = cpu_of_children()
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "ipdesk", "--db", str(db), "city", "import", str(inbox), "--json"],
        capture_output=True,
        env=ENV,
        cwd=ROOT,
    )
    elapsed = time.perf_counter() - start
    CPU.setdefault(f"import {inbox.name}", []).append(cpu_of_children() - cpu)
    outcomes: dict[str, int] = {}
    for item in json.loads(result.stdout):
        outcomes[item["outcome"]] = outcomes.get(item["outcome"], 0) + 1
    return elapsed, outcomes


def timed(command: list[str], name: str = "") -> float:
    cpu = cpu_of_children()
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=ENV, cwd=ROOT)
    if name:
        CPU.setdefault(name, []).append(cpu_of_children() - cpu)
    return time.perf_counter() - start


def soffice_command(workbooks: list[Path], out: Path, profile: Path) -> list[str] | None:
    soffice = shutil.which("soffice")
    if not soffice:
        return None
    return [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
        *map(str, workbooks),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", type=Path, help="make the 43 returns once into this folder and reuse them")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="ipdesk-city-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["IPDESK_HOME"] = str(folder / "home")
    ENV["IPDESK_HOME"] = str(folder / "home")
    start = time.perf_counter()
    if (folder / "returns-made").exists():
        inbox, workbooks = folder / "inbox", folder / "workbooks"
        certificates = sorted(folder.glob("unit-*.cer"))
    else:
        inbox, workbooks, certificates = make_returns(folder)
        (folder / "returns-made").touch()
    setup = time.perf_counter() - start

    open_command = [sys.executable, "-c", OPEN_WORKBOOKS, str(workbooks)]
    timed(open_command)  # the page cache, once
    workbook_runs, all_runs, open_runs = [], [], []
    outcomes_workbooks: dict[str, int] = {}
    outcomes_all: dict[str, int] = {}
    for _ in range(args.runs):  # alternate, so that all see the same machine
        elapsed, outcomes_workbooks = timed_import(folder / "city-a.db", certificates, workbooks)
        workbook_runs.append(elapsed)
        open_runs.append(timed(open_command, "open"))
        elapsed, outcomes_all = timed_import(folder / "city-b.db", certificates, inbox)
        all_runs.append(elapsed)

    report_command = [sys.executable, "-m", "ipdesk", "--db", str(folder / "city-b.db"), "city", "report"]
    report_command += ["--period", QUARTER, "--out"]
    timed([*report_command, str(folder / "report-warm")])
    # the report is its main workbook and its 附件's (the task × unit detail): LibreOffice prints both, as ipdesk does
    report_workbooks = sorted((folder / "report-warm").glob("*.xlsx"))
    converting = soffice_command(report_workbooks, folder / "lo", folder / "lo-profile")
    if converting:
        timed(converting)  # LibreOffice's first start makes its profile: not counted
    report_runs, soffice_runs = [], []
    for run in range(args.runs):
        report_runs.append(timed([*report_command, str(folder / f"report-{run}")], "report"))
        if converting:
            soffice_runs.append(timed(converting, "soffice"))
    pdf = next(p for p in (folder / "report-0").glob("*.pdf") if "附件" not in p.name)
    info = (
        subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout if shutil.which("pdfinfo") else ""
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
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)

    median = statistics.median
    figures: dict[str, object] = {
        "setup_s": round(setup, 1),
        "import_workbooks_s": round(median(workbook_runs), 3),
        "open_workbooks_with_openpyxl_s": round(median(open_runs), 3),
        "import_ratio": round(median(workbook_runs) / median(open_runs), 2),
        "import_workbooks_outcomes": outcomes_workbooks,
        "import_all_files_s": round(median(all_runs), 3),
        "import_all_files_ratio": round(median(all_runs) / median(open_runs), 2),
        "import_all_files_outcomes": outcomes_all,
        "matrix_ms": round(median(matrix_runs) * 1000, 2),
        "matrix_cells": cells,
        "report_s": round(median(report_runs), 3),
        "report_pdf_pages": pages,
        "goal_import_ratio": GOAL_IMPORT_RATIO,
        "goal_matrix_ms": GOAL_MATRIX_S * 1000,
        "goal_report_times_faster": GOAL_REPORT_RATIO,
    }
    cpu = {name: median(samples) for name, samples in CPU.items()}
    figures["cpu_import_ratio"] = round(cpu[f"import {workbooks.name}"] / cpu["open"], 2)
    if soffice_runs:
        figures["cpu_report_times_faster"] = round(cpu["soffice"] / cpu["report"], 2)
    if soffice_runs:
        figures["soffice_convert_report_workbook_s"] = round(median(soffice_runs), 3)
        figures["report_times_faster"] = round(median(soffice_runs) / median(report_runs), 2)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return 0
    ok = lambda good: "达标" if good else "未达标"  # noqa: E731
    ratio = figures["import_ratio"]
    assert isinstance(ratio, float)
    print(f"准备：43 个单位各自签署 {PERIOD} 的报送材料，用时 {figures['setup_s']} s")
    print(
        f"ipdesk city import（43 个工作簿及 .p7s，整个进程）：只用 openpyxl 打开这 43 个工作簿的 {ratio} 倍"
        f"（目标 ≤ {GOAL_IMPORT_RATIO:g} 倍，{ok(ratio <= GOAL_IMPORT_RATIO)}；同一轮中位数 "
        f"{figures['import_workbooks_s']} s 对 {figures['open_workbooks_with_openpyxl_s']} s；CPU 时间 "
        f"{figures['cpu_import_ratio']} 倍）{outcomes_workbooks}"
    )
    print(
        f"ipdesk city import（工作簿、.p7s 和 PDF，共 129 个文件）：{figures['import_all_files_ratio']} 倍"
        f"（中位数 {figures['import_all_files_s']} s）{outcomes_all}"
    )
    print(
        f"报送情况矩阵（{cells} 格：43 个单位 × 42 个月）：中位数 {figures['matrix_ms']} ms"
        f"（目标 < {GOAL_MATRIX_S * 1000:g} ms，{ok(median(matrix_runs) < GOAL_MATRIX_S)}）"
    )
    if soffice_runs:
        faster = figures["report_times_faster"]
        assert isinstance(faster, float)
        verdict = ok(faster >= GOAL_REPORT_RATIO)
        print(
            f"ipdesk city report --period {QUARTER}（季度督导报告及其附件的 xlsx + pdf、通报 docx，整个进程）：比 "
            f"LibreOffice 把该报告的两个工作簿转成 PDF 快 {faster} 倍（目标 ≥ {GOAL_REPORT_RATIO:g} 倍，{verdict}；"
            f"同一轮中位数 {figures['report_s']} s 对 {figures['soffice_convert_report_workbook_s']} s；CPU 时间快 "
            f"{figures['cpu_report_times_faster']} 倍），主报告 PDF {pages} 页"
        )
    else:
        print(f"ipdesk city report --period {QUARTER}：中位数 {figures['report_s']} s（未安装 LibreOffice，没有对比）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: hostile task lists — what reading one costs before it is refused.

    python bench/bench_hostile_inputs.py [--json]

Goal (issue 22): each hostile task list is refused in under 5 s with under 300 MB of memory (peak resident size of a
fresh process that reads only that file). The files, made here:

- merged:  1.8 KB, one merged range A10:XFD1048576 (openpyxl alone grew past 1.5 GB in 30 s);
- rows:    a sheet of 1,048,576 rows with a value in each (openpyxl alone: 56 s, 600 MB);
- csv:     a million empty lines, then a task (once silently dropped);
- formula: a task name that is a formula without its computed value.

Each file is read in its own process (``plans.read`` of a fresh in-memory workspace), timed from inside, with the
process's peak resident memory from ``resource`` (Linux/macOS).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_SECONDS, GOAL_MB = 5.0, 300.0

_CHILD = """
import resource, sys, time
try:  # forget the high-water mark the process inherited before exec (Linux)
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")
except OSError:
    pass
sys.path.insert(0, {root!r})
from ipdesk import Workspace
from ipdesk.domain.errors import InvalidInput
ws = Workspace(":memory:", actor="bench")
started = time.perf_counter()
try:
    ws.plans.read({path!r})
    said = "accepted"
except InvalidInput as error:
    said = str(error)
elapsed = time.perf_counter() - started
try:
    with open("/proc/self/status") as handle:
        peak = next(int(line.split()[1]) for line in handle if line.startswith("VmHWM")) / 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(repr((elapsed, peak, said)))
"""


def _task_list(path: Path, extra_rows: list[list[object]] | None = None) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["西安市知识产权专项工作任务清单(2026—2027年)"])
    sheet.append(["序号", "任务名称", "任务内容", "责任单位"])
    sheet.append([1, "专利导航", "开展专利导航", "碑林区人民政府"])
    for row in extra_rows or []:
        sheet.append(row)
    book.save(path)
    return path


def _patched(source: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            new.writestr(item.filename, change(data) if item.filename == "xl/worksheets/sheet1.xml" else data)
    return target


def make_files(folder: Path) -> dict[str, Path]:
    plain = _task_list(folder / "plain.xlsx")
    merged = b'<mergeCells count="1"><mergeCell ref="A10:XFD1048576"/></mergeCells>'
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (n, n) for n in range(4, 1_048_577)
    )
    csv = folder / "long.csv"
    csv.write_text(
        "序号,任务名称,任务内容,责任单位\n1,专利导航,开展专利导航,碑林区人民政府"
        + "\n" * 1_000_000
        + "2,商标品牌,培育商标品牌,碑林区人民政府\n",
        encoding="utf-8",
    )
    return {
        "merged": _patched(
            plain, folder / "merged.xlsx", lambda x: x.replace(b"</sheetData>", b"</sheetData>" + merged)
        ),
        "rows": _patched(plain, folder / "rows.xlsx", lambda x: x.replace(b"</sheetData>", rows + b"</sheetData>")),
        "csv": csv,
        "formula": _task_list(folder / "formula.xlsx", [[2, '=CONCATENATE("商标","品牌")', "培育", "碑林区人民政府"]]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = {}
    with tempfile.TemporaryDirectory(prefix="ipdesk-hostile-") as folder:
        for name, path in make_files(Path(folder)).items():
            code = _CHILD.format(root=str(ROOT), path=str(path))
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
            elapsed, peak, said = eval(out.strip().splitlines()[-1])
            results[name] = {
                "bytes": path.stat().st_size,
                "seconds": round(elapsed, 2),
                "peak_mb": round(peak, 1),
                "refused": said != "accepted",
                "message": said,
                "within_goal": said != "accepted" and elapsed < GOAL_SECONDS and peak < GOAL_MB,
            }
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    else:
        for name, r in results.items():
            mark = "ok" if r["within_goal"] else "MISSED"
            print(f"{name:8} {r['bytes']:>10} B  {r['seconds']:6.2f} s  {r['peak_mb']:7.1f} MB  {mark}  {r['message']}")
        print(f"goal: refused in < {GOAL_SECONDS:g} s and < {GOAL_MB:g} MB peak")
    return 0 if all(r["within_goal"] for r in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())

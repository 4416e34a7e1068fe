"""Grab the main window offscreen as a PNG, to look at what a clerk sees.

QT_QPA_PLATFORM=offscreen python tools/screenshot.py OUT.png [--unit 碑林区] [--tab 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ipdesk import Period, Workspace
from ipdesk.domain import IndicatorValue, Progress, TaskStatus


def sample(ws: Workspace, unit: str, period: Period) -> None:
    texts = [
        "组织召开专题推进会，研究部署年度重点工作；指导12家企业开展知识产权贯标。",
        "完成辖区企业知识产权状况摸底调查，建立重点企业台账。",
        "",
    ]
    for number, row in enumerate(ws.progress.for_unit(unit, period)):
        if row.task.kind.value == "indicator" or number % 5 == 4:
            continue
        status = [TaskStatus.IN_PROGRESS, TaskStatus.ONGOING, TaskStatus.DONE, TaskStatus.LAGGING][number % 4]
        percent = [92, None, 100, 40][number % 4]
        ws.progress.save(
            Progress(
                row.task.seq,
                unit,
                period,
                status,
                percent,
                texts[number % 3] or texts[0],
                "专项资金拨付进度较慢。" if status is TaskStatus.LAGGING else "",
                "持续跟踪重点企业。",
            )
        )
    for owned in ws.indicators.for_unit(unit)[:3]:
        expected = ws.indicators.expected(owned.indicator, period.year) or 1
        ws.indicator_values.save(
            IndicatorValue(owned.indicator.seq, unit, period, round(expected * 0.9, 2), "", "本单位统计台账")
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--unit", default="碑林区")
    parser.add_argument("--tab", type=int, default=0)
    args = parser.parse_args()
    from ipdesk.ui.app import make_application
    from ipdesk.ui.main_window import MainWindow

    app = make_application()
    ws = Workspace(Path(tempfile.mkdtemp()) / "shot.db", actor="王芳")
    unit = ws.units.find(args.unit).name
    ws.settings.update({"unit": unit, "clerk_name": "王芳"})
    today = dt.date(2025, 12, 3)
    sample(ws, unit, ws.reports.default_period(today))
    window = MainWindow(ws, unit, today=today)
    window.resize(1400, 860)
    window.show()
    window.tabs.setCurrentIndex(args.tab)
    window.select_task(window.model.rows[1].task.seq)
    app.processEvents()
    window.grab().save(args.out)
    print(args.out)
    ws.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

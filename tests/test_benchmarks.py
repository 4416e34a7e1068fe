"""The benchmarks' own data still goes through the program's rules (a benchmark that cannot run measures nothing):
the synthetic history of bench_queries.py and bench_window.py, years before the embedded plan's span."""

from __future__ import annotations

import sys
from pathlib import Path

from ipdesk import Workspace

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_the_synthetic_history_is_written_under_a_plan_spanning_its_years(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    sys.modules.pop("synthetic", None)
    from synthetic import generate

    path = generate(tmp_path / "history.db", years=2, first_year=2016, progress=lambda _: None, unit_count=1)
    with Workspace(path, read_only=True) as ws:
        assert (ws.plan.code, ws.plan.start_date.isoformat(), ws.plan.end_date.isoformat()) == (
            "synthetic-2016-2017",
            "2016-01-01",
            "2017-12-31",
        )
        first = ws.units.all()[0]
        assert len(ws.plan.tasks) == 97 and len(ws.plan.units) == 43  # the embedded plan's, over other years
        for period in ("2016-01", "2017-12"):
            rows = ws.progress.for_unit(first, period)
            assert rows and all(row.progress.achievements for row in rows), period
        assert not ws.progress.for_unit(ws.units.all()[1], "2016-01")[0].progress.achievements  # one unit asked

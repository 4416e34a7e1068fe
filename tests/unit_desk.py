"""A unit's own workspace for tests that need signed returns made the way units make them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ipdesk import Workspace
from ipdesk.signing.identity import KeyStore
from ipdesk.workspace.sample_data import fill_sample

PASS = "单位签署口令"


class UnitDesk:
    """A unit's own workspace, with its key in a folder of its own."""

    def __init__(self, folder: Path, unit: str):
        self.unit, self.folder = unit, folder
        folder.mkdir(parents=True, exist_ok=True)
        self.ws = Workspace(folder / "unit.db", actor="王芳")
        self.ws.signoff._keys = KeyStore(folder / "keys")
        self.ws.settings.update(
            {"unit": unit, "clerk_name": "王芳", "clerk_phone": "029-8888", "reviewer_name": "李强"}
        )

    def sign(self, period: str, out: Path, edit: str = "", now: dt.datetime | None = None) -> dict[str, Path]:
        """Fill (or edit), submit, sign and export ``period``; returns the files by suffix."""
        ws = self.ws
        rows = ws.progress.for_unit(self.unit, period)
        if not any(row.progress.status for row in rows):
            fill_sample(ws, self.unit, period, mark=False)
        if edit:
            first = next(row.progress for row in ws.progress.for_unit(self.unit, period) if row.progress.status)
            ws.progress.save(first.with_changes(achievements=edit))
        ws.reports.submit(self.unit, period)
        ws.signoff.sign(self.unit, period, PASS, create=ws.signoff.identity(self.unit) is None, now=now)
        version = ws.reports.state(self.unit, period).version
        folder = out / f"{self.unit}-{period}-v{version}"
        folder.mkdir(parents=True, exist_ok=True)
        return {p.suffix: p for p in ws.reports.export(self.unit, period, folder)}

    def certificate(self) -> Path:
        path = self.folder / f"{self.unit}.cer"
        self.ws.signoff.keys.export_certificate(self.unit, path)
        return path

"""``Workspace``: the one way the GUI, the CLI and scripts read and change a workspace's data.

    from ipdesk import Workspace, Period

    with Workspace("ipdesk.db") as ws:
        unit = ws.units.find("碑林区")
        for item in ws.progress.for_unit(unit, Period.parse("2025-11")):
            print(item.task.seq, item.role.label, item.progress.status)

Like Anki's ``Collection``, the facade holds managers as attributes — ``ws.units``, ``ws.tasks``,
``ws.indicators``, ``ws.projects``, ``ws.progress``, ``ws.indicator_values``, ``ws.target_values``,
``ws.evidence``, ``ws.reports``, ``ws.lights``, ``ws.settings``, ``ws.audit`` — and every change made through them
is written at once (one durable transaction each) with its audit entries.
"""

from __future__ import annotations

import contextlib
import getpass
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from ipdesk.domain.errors import BadDatabasePath
from ipdesk.domain.plan import Plan
from ipdesk.paths import default_database_path
from ipdesk.plans.embedded import load_embedded_plan
from ipdesk.store import connection, entries_store, plan_store
from ipdesk.workspace.entries import EvidenceBox, IndicatorValues, ProgressBook, TargetValues
from ipdesk.workspace.plan import Indicators, Projects, Tasks, Units
from ipdesk.workspace.reports import Lights, Reports
from ipdesk.workspace.settings import AuditTrail, Settings
from ipdesk.workspace.signoff import SignOff

MEMORY = ":memory:"
SYSTEM_ACTOR = "ipdesk"


@dataclass(frozen=True)
class RowIds:
    """Row ids of the plan's static rows, looked up once: every save needs them."""

    units: dict[str, int]
    tasks: dict[int, int]
    indicators: dict[int, int]
    targets: dict[tuple[int, int], int]


class Workspace:
    """An open workspace database. Create it with a path (``":memory:"`` for a scratch one) or none for the default.

    Opening a new file creates it and loads the embedded plan. An existing file that is not an ipdesk database,
    is damaged, or was written by a newer ipdesk raises a ``DatabaseError`` and is left untouched.
    """

    def __init__(self, path: str | Path | None = None, *, actor: str | None = None):
        if path is None:
            path = default_database_path()
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise BadDatabasePath(
                    f"无法创建数据文件夹：{Path(path).parent}（{error.strerror or error}）"
                ) from error
        self.path: Path | None = None if str(path) == MEMORY else Path(path)
        conn = connection.connect_memory() if self.path is None else connection.connect(self.path)
        self.db = Database(conn, execute_plugins=False)
        self._actor = actor
        plan_id = plan_store.active_plan_id(self.db)
        if plan_id is None:
            plan_id = plan_store.save_plan(self.db, load_embedded_plan(), SYSTEM_ACTOR)
        self.plan_id = plan_id
        self.plan: Plan = plan_store.read_plan(self.db, plan_id)
        self.ids = RowIds(
            units=entries_store.unit_ids(self.db),
            tasks=entries_store.task_ids(self.db, plan_id),
            indicators=entries_store.indicator_ids(self.db, plan_id),
            targets=entries_store.target_ids(self.db, plan_id),
        )
        self.units = Units(self)
        self.tasks = Tasks(self)
        self.indicators = Indicators(self)
        self.projects = Projects(self)
        self.settings = Settings(self)
        self.progress = ProgressBook(self)
        self.indicator_values = IndicatorValues(self)
        self.target_values = TargetValues(self)
        self.evidence = EvidenceBox(self)
        self.reports = Reports(self)
        self.lights = Lights(self)
        self.signoff = SignOff(self)
        self.audit = AuditTrail(self)

    @property
    def actor(self) -> str:
        """Who the audit log names for changes: the name given, else the clerk in 设置, else the OS user."""
        if self._actor:
            return self._actor
        clerk = self.settings.get(Settings.CLERK_NAME)
        if clerk:
            return clerk
        try:
            return getpass.getuser()
        except Exception:
            return "unknown"

    @actor.setter
    def actor(self, name: str | None) -> None:
        self._actor = name

    @contextlib.contextmanager
    def bulk(self) -> Iterator[Workspace]:
        """Group many changes into one transaction: all of them land, or none (imports, 沿用上期 for all tasks)."""
        with self.db.atomic():
            yield self

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Workspace {self.path or MEMORY} plan={self.plan.code}>"

"""The plan as plain data: units, phases, tasks, indicators and demonstration projects.

Nothing here touches the database or Qt; the store turns rows into these objects and back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from ipdesk.domain.indicators import Indicator
from ipdesk.domain.numbers import is_count


class UnitKind(StrEnum):
    """What sort of body a unit is; the value is stored, the label is shown."""

    DEPARTMENT = "department"
    DISTRICT = "district"
    COUNTY = "county"
    NEW_AREA = "new_area"
    ZONE = "zone"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]

    @property
    def group(self) -> str:
        """The heading a unit is listed under when choosing one: 市级部门, 区县 or 开发区."""
        return _KIND_GROUPS[self]


_KIND_LABELS = {
    UnitKind.DEPARTMENT: "市级部门",
    UnitKind.DISTRICT: "区",
    UnitKind.COUNTY: "县",
    UnitKind.NEW_AREA: "新区",
    UnitKind.ZONE: "开发区",
}
_KIND_GROUPS = {
    UnitKind.DEPARTMENT: "市级部门",
    UnitKind.DISTRICT: "区县",
    UnitKind.COUNTY: "区县",
    UnitKind.NEW_AREA: "开发区（新区）",
    UnitKind.ZONE: "开发区（新区）",
}


class Role(StrEnum):
    """A unit's part in a task: it leads it (责任单位) or cooperates on it (协作单位)."""

    LEAD = "lead"
    COOP = "coop"

    @property
    def label(self) -> str:
        return "牵头" if self is Role.LEAD else "协作"


class TaskKind(StrEnum):
    """What a row of the task list is."""

    INDICATOR = "indicator"
    TASK = "task"
    PROJECT = "project"

    @property
    def label(self) -> str:
        return {"indicator": "指标", "task": "任务", "project": "示范工程"}[self.value]


@dataclass(frozen=True)
class Unit:
    """A body that reports: a city department, a district or county government, a zone's committee.

    ``short_name`` is how the plan refers to it inside collective phrases (碑林区, 高新区, 西咸新区);
    for departments it equals the name. ``code`` is its stable identifier within the plan, carried by every return
    (the administrative division code of a district or county, 610103; 610100-D01 for a city department).
    """

    name: str
    kind: UnitKind
    short_name: str
    sort_order: int = 0
    note: str = ""
    code: str = ""


@dataclass(frozen=True)
class Phase:
    seq: int
    name: str
    start_month: str  # "2022-07"
    end_month: str  # "2023-06"


@dataclass(frozen=True)
class Task:
    """One row of the published task list (任务清单), with its units already expanded."""

    seq: int
    category: str
    name: str
    content: str
    kind: TaskKind
    lead_text: str
    coop_text: str
    lead_units: tuple[str, ...]
    coop_units: tuple[str, ...]
    project_no: int | None = None
    indicator_seq: int | None = None

    def role_of(self, unit_name: str) -> Role | None:
        if unit_name in self.lead_units:
            return Role.LEAD
        if unit_name in self.coop_units:
            return Role.COOP
        return None


@dataclass(frozen=True)
class ProjectTarget:
    """A numeric sub-target of a demonstration project, quoted from the plan's body."""

    seq: int
    name: str
    value: float
    unit_of_measure: str
    op: str  # "≥", ">" or "="
    measure: str  # "cumulative" (累计到目标年), "level" (目标年水平), "per_year" (每年)
    quote: str
    owners: tuple[str, ...]

    @property
    def counts(self) -> bool:
        """Whether the sub-target counts whole things (件, 家, 场次), so its values are whole numbers."""
        return is_count(self.unit_of_measure, self.name)


@dataclass(frozen=True)
class Project:
    """A demonstration project (示范工程), 工程1 … 工程8."""

    no: int
    name: str
    goal: str
    task_seq: int
    targets: tuple[ProjectTarget, ...] = ()


@dataclass(frozen=True)
class Plan:
    """A city's plan as published, ready to be loaded into a workspace."""

    code: str
    title: str
    task_list_title: str
    issuer: str
    issued_on: dt.date
    start_year: int
    end_year: int
    start_date: dt.date
    end_date: dt.date
    source_sha256: str
    phases: tuple[Phase, ...]
    categories: tuple[str, ...]
    units: tuple[Unit, ...]
    tasks: tuple[Task, ...]
    indicators: tuple[Indicator, ...]
    projects: tuple[Project, ...]
    member_units_note: str = ""
    corrections: tuple[str, ...] = field(default=())

    @property
    def city(self) -> str:
        """The city the plan is for, as its title begins (西安市…)."""
        head, mark, _ = self.title.partition("市")
        return head + mark if mark and len(head) <= 8 else ""

    @property
    def office_name(self) -> str:
        """The leading group's office (领导小组办公室) that receives the returns and signs what it sends back."""
        return f"{self.city}知识产权强市建设工作领导小组办公室"

    def task(self, seq: int) -> Task:
        for task in self.tasks:
            if task.seq == seq:
                return task
        raise KeyError(seq)

"""The plan as plain data: units, phases, tasks, indicators and demonstration projects.

Nothing here touches the database or Qt; the store turns rows into these objects and back.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from enum import StrEnum

from ipdesk.domain.indicators import Indicator
from ipdesk.domain.numbers import is_count
from ipdesk.domain.validation import ValidationRule


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
    aliases: tuple[str, ...] = ()  # other names a task list may use for it (市场监管局 for 市市场监管局(知识产权局))


@dataclass(frozen=True)
class Phase:
    """A stage of the plan (启动部署, 推进实施 …) and the months it spans."""

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
    extra: tuple[tuple[str, str], ...] = ()  # further columns of the task list as (header, text): 完成时限 …

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
    indicator_seq: int | None = None  # the headline indicator that measures the same quantity: entered there once

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
    task_seq: int | None  # the task-list row that names it (工程N:…); None when only the project sheet lists it
    targets: tuple[ProjectTarget, ...] = ()


@dataclass(frozen=True)
class Plan:
    """A city's plan as published, ready to be loaded into a workspace."""

    code: str
    title: str
    task_list_title: str
    issuer: str
    issued_on: dt.date | None
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
    city: str = ""  # the city the plan is for (西安市); "" takes it from the title
    report_title: str = ""  # the progress form's title without the period; "" takes it from the title
    rules: tuple[ValidationRule, ...] = ()  # 校验规则 across the figures units enter

    def __post_init__(self) -> None:
        if not self.city:
            object.__setattr__(self, "city", city_of(self.title))
        if not self.report_title:
            object.__setattr__(self, "report_title", report_title_of(self.title))

    @property
    def office_name(self) -> str:
        """The leading group's office (领导小组办公室) that receives the returns and signs what it sends back."""
        return office_of(self.city)

    def form_title(self, period_name: str) -> str:
        """西安市国家知识产权强市建设示范城市工作进展情况表（2025年第三季度）."""
        return f"{self.report_title}（{period_name}）"

    def task(self, seq: int) -> Task:
        for task in self.tasks:
            if task.seq == seq:
                return task
        raise KeyError(seq)

    def indicator(self, seq: int) -> Indicator:
        for indicator in self.indicators:
            if indicator.seq == seq:
                return indicator
        raise KeyError(seq)

    def linked_targets(self, indicator_seq: int) -> list[tuple[Project, ProjectTarget]]:
        """The project sub-targets that measure the same quantity as indicator ``indicator_seq``."""
        return [(p, t) for p in self.projects for t in p.targets if t.indicator_seq == indicator_seq]

    def indicator_role(self, indicator: Indicator, unit_name: str) -> Role | None:
        """A unit's part in an indicator: by the task-list row that assigns it, or by the indicator's own units."""
        if indicator.task_seq is not None:
            return self.task(indicator.task_seq).role_of(unit_name)
        if unit_name in indicator.lead_units:
            return Role.LEAD
        if unit_name in indicator.coop_units:
            return Role.COOP
        return None


@functools.cache  # compiled when first needed, not when the program starts
def _years() -> re.Pattern[str]:
    return re.compile(r"[(（]?\s*(\d{4})\s*(?:年)?\s*[—–\-－~～至到]+\s*(\d{4})\s*年?\s*[)）]?")


_TITLE_ENDINGS = ("工作任务清单", "任务清单", "工作方案", "实施方案", "行动方案", "行动计划", "工作计划", "方案")


def city_of(title: str) -> str:
    """The city a plan's title begins with (西安市国家知识产权强市… → 西安市), or ""."""
    head, mark, _ = title.partition("市")
    return head + mark if mark and 0 < len(head) <= 8 else ""


def office_of(city: str) -> str:
    """The name of the city's leading group office, which signs what the city sends to units."""
    return f"{city}知识产权强市建设工作领导小组办公室"


def span_of(title: str) -> tuple[int, int] | None:
    """The years a title names (…(2026—2030年) → (2026, 2030)), or None."""
    match = _years().search(title)
    if not match:
        return None
    start, end = int(match.group(1)), int(match.group(2))
    return (start, end) if 1990 <= start <= end <= start + 20 else None


def title_stem(title: str) -> str:
    """A title without its years and its closing word: …示范城市工作方案(2022—2025年) → …示范城市."""
    stem = _years().sub("", title).strip()
    for ending in _TITLE_ENDINGS:
        if stem.endswith(ending) and len(stem) > len(ending):
            return stem[: -len(ending)]
    return stem


def report_title_of(title: str) -> str:
    """The progress form's title a plan's title suggests: …示范城市工作方案(2022—2025年) → …示范城市工作进展情况表."""
    return f"{title_stem(title)}工作进展情况表"

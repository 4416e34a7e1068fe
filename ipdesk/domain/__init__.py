"""Plain data and rules: plan, unit, task, indicator, period, progress. No Qt, no SQL."""

from __future__ import annotations

from ipdesk.domain.errors import (
    AmbiguousUnit,
    BadDatabasePath,
    CorruptDatabase,
    DatabaseError,
    DatabaseTooNew,
    InvalidInput,
    IpdeskError,
    NotAnIpdeskDatabase,
    UnitNotFound,
)
from ipdesk.domain.indicators import Indicator
from ipdesk.domain.periods import Period, PeriodKind
from ipdesk.domain.plan import Phase, Plan, Project, ProjectTarget, Role, Task, TaskKind, Unit, UnitKind
from ipdesk.domain.progress import IndicatorValue, Progress
from ipdesk.domain.statuses import TaskStatus

__all__ = [
    "AmbiguousUnit",
    "BadDatabasePath",
    "CorruptDatabase",
    "DatabaseError",
    "DatabaseTooNew",
    "Indicator",
    "IndicatorValue",
    "InvalidInput",
    "IpdeskError",
    "NotAnIpdeskDatabase",
    "Period",
    "PeriodKind",
    "Phase",
    "Plan",
    "Progress",
    "Project",
    "ProjectTarget",
    "Role",
    "Task",
    "TaskKind",
    "TaskStatus",
    "Unit",
    "UnitKind",
    "UnitNotFound",
]

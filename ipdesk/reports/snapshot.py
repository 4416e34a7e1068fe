"""The report snapshot: everything a unit's (or several units') report for a period says, as plain data.

Both writers (Excel and PDF) take only this; the city's consolidated reports reuse it with several units; a signed
return carries it as the document specified in ``docs/return-format.md`` (``ipdesk.reports.return_format``).
Roles, statuses and lights are kept as codes (``lead``, ``in_progress``, ``red``); their labels come from the domain
enums. Numbers stay numbers here; ``ipdesk.reports.layout`` turns them into the rows and words the forms print.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ipdesk.domain.lights import Light
from ipdesk.domain.plan import Role
from ipdesk.domain.reports import ReportStatus
from ipdesk.domain.statuses import TaskStatus


def role_label(code: str) -> str:
    return Role(code).label if code else ""


def status_label(code: str) -> str:
    return TaskStatus(code).label if code else ""


def light_label(code: str) -> str:
    return Light(code).label if code else Light.NONE.label


@dataclass(frozen=True)
class ReportHeader:
    plan_title: str
    form_title: str  # 西安市国家知识产权强市建设示范城市工作进展情况表（2025年第三季度）
    units: tuple[str, ...]
    period: str  # 2025Q3
    period_name: str  # 2025年第三季度
    cutoff: str  # 2025年9月30日: the progress column reads 进展情况（截至…）
    version: int
    status: str  # a ReportStatus code: draft, submitted, signed …
    fill_date: str  # 2025年10月5日
    clerk: str = ""
    phone: str = ""
    reviewer: str = ""
    sample: bool = False  # made by `ipdesk demo`: every page says 示例数据
    light_green: float = 0.95
    light_yellow: float = 0.85
    signed_at: str = ""  # set when the reviewer signs: ISO time, name, certificate fingerprint
    signed_by: str = ""
    fingerprint: str = ""
    plan_code: str = ""  # xian-2022-2025
    plan_sha256: str = ""  # of the plan's canonical document (ipdesk.plans.canonical)
    unit_codes: tuple[str, ...] = ()  # beside ``units``, in the same order
    unit_kinds: tuple[str, ...] = ()  # UnitKind codes, in the same order
    created_at: str = ""  # when this version was opened
    submitted_at: str = ""
    submitted_by: str = ""

    @property
    def unit_line(self) -> str:
        return "、".join(self.units)

    @property
    def status_label(self) -> str:
        return ReportStatus(self.status).label

    @property
    def signed(self) -> bool:
        return bool(self.signed_at)


@dataclass(frozen=True)
class TaskLine:
    unit: str
    seq: int
    category: str
    name: str
    content: str
    role: str  # lead / coop
    status: str  # a TaskStatus code, or "" when not filled
    percent: float | None
    expected_percent: float
    light: str  # a Light code: red, yellow, green, none
    achievements: str
    problems: str
    next_steps: str
    evidence: tuple[str, ...] = ()
    lead_units: tuple[str, ...] = ()  # who leads the task: named on the rows of a task the unit only cooperates on

    @property
    def role_label(self) -> str:
        return role_label(self.role)

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def light_label(self) -> str:
        return light_label(self.light)


@dataclass(frozen=True)
class IndicatorLine:
    unit: str
    seq: int
    name: str
    unit_of_measure: str
    role: str
    baseline: float | None
    baseline_year: int | None
    target: float
    target_op: str
    target_year: int
    growth_text: str
    expected: float | None
    actual: float | None
    rate: float | None
    light: str
    note: str
    data_source: str
    # (year, expected, actual) for the chart of the path to the target; actual is the year's last entered value
    path: tuple[tuple[int, float | None, float | None], ...] = ()

    @property
    def role_label(self) -> str:
        return role_label(self.role)

    @property
    def light_label(self) -> str:
        return light_label(self.light)


@dataclass(frozen=True)
class TargetLine:
    unit: str
    project_no: int
    project_name: str
    name: str
    target: float
    op: str
    unit_of_measure: str
    measure: str
    value: float | None
    note: str
    quote: str
    seq: int = 0  # the sub-target's number within its project


@dataclass(frozen=True)
class EvidenceLine:
    unit: str
    task_seq: int
    task_name: str
    file_name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ReportSnapshot:
    header: ReportHeader
    tasks: tuple[TaskLine, ...] = ()
    indicators: tuple[IndicatorLine, ...] = ()
    targets: tuple[TargetLine, ...] = ()
    evidence: tuple[EvidenceLine, ...] = field(default=())

    @property
    def several_units(self) -> bool:
        return len(self.header.units) > 1

    def document(self) -> dict:
        """The signed return's document (format 2) for this snapshot."""
        from ipdesk.reports.return_format import to_document

        return to_document(self)

    def canonical_json(self) -> str:
        """The document as the exact text a signature covers."""
        from ipdesk.domain.signed_text import canonical_json

        return canonical_json(self.document())

    def sha256(self) -> str:
        from ipdesk.domain.signed_text import text_sha256

        return text_sha256(self.canonical_json())

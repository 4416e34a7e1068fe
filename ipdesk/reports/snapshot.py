"""The report snapshot: everything a unit's (or several units') report for a period says, as plain data.

Both writers (Excel and PDF) take only this; the city's consolidated reports reuse it with several units; a
signature covers its canonical JSON. Numbers stay numbers here; ``ipdesk.reports.layout`` turns them into the rows
and words the forms print.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class ReportHeader:
    plan_title: str
    form_title: str  # 西安市国家知识产权强市建设示范城市工作进展情况表（2025年第三季度）
    units: tuple[str, ...]
    period: str  # 2025Q3
    period_name: str  # 2025年第三季度
    cutoff: str  # 2025年9月30日: the progress column reads 进展情况（截至…）
    version: int
    status: str  # 填报中, 已提交审核, 已签署 …
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

    @property
    def unit_line(self) -> str:
        return "、".join(self.units)


@dataclass(frozen=True)
class TaskLine:
    unit: str
    seq: int
    category: str
    name: str
    content: str
    role: str  # 牵头 / 协作
    status: str  # 未启动 … or "" when not filled
    percent: float | None
    expected_percent: float
    light: str  # 红灯 / 黄灯 / 绿灯 / —
    achievements: str
    problems: str
    next_steps: str
    evidence: tuple[str, ...] = ()


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

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ReportSnapshot:
        """The inverse of ``to_dict`` (and of the canonical JSON a signature covers)."""
        header = dict(data["header"])
        header["units"] = tuple(header["units"])
        return cls(
            header=ReportHeader(**header),
            tasks=tuple(TaskLine(**{**t, "evidence": tuple(t["evidence"])}) for t in data["tasks"]),
            indicators=tuple(
                IndicatorLine(**{**i, "path": tuple(tuple(step) for step in i["path"])}) for i in data["indicators"]
            ),
            targets=tuple(TargetLine(**t) for t in data["targets"]),
            evidence=tuple(EvidenceLine(**e) for e in data["evidence"]),
        )

    @classmethod
    def from_json(cls, text: str) -> ReportSnapshot:
        return cls.from_dict(json.loads(text))

    def canonical_json(self) -> str:
        """Stable JSON (sorted keys, no spaces, UTF-8 text): what a signature covers."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def sha256(self) -> str:
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

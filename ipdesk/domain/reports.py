"""A unit's report for a period: its life cycle and what must be filled before it can be submitted."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SIGNED = "signed"
    ACCEPTED = "accepted"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return {
            "draft": "填报中",
            "submitted": "已提交审核",
            "signed": "已签署",
            "accepted": "已接收",
            "returned": "已退回",
        }[self.value]

    @property
    def locked(self) -> bool:
        """Signed and accepted reports are frozen; a change needs a new version (修订)."""
        return self in (ReportStatus.SIGNED, ReportStatus.ACCEPTED)


@dataclass(frozen=True)
class ReportState:
    unit: str
    period: str
    version: int
    status: ReportStatus
    submitted_at: str = ""
    submitted_by: str = ""


@dataclass(frozen=True)
class Missing:
    """One thing that stops a report from being submitted; ``kind`` and ``seq`` say where to go to fix it."""

    kind: str  # "task" or "indicator"
    seq: int
    message: str

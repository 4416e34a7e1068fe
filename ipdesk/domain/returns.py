"""What the city office holds of the units' returns, and whether each unit has reported a period (报送情况).

A received return is one signed version of one unit's report for one period. The newest version of a unit and
period is the current one; older versions stay as history. Its status follows the report life cycle
(``domain.reports``): 已签署 (waiting for the office: 待审) → 已接收 or 已退回.

What was due from each unit and what came of it — the office's accounting — is ``domain.accounting``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from ipdesk.domain.reports import ReportStatus


@dataclass(frozen=True)
class ReceivedReturn:
    unit: str
    period: str
    version: int
    status: ReportStatus  # SIGNED (待审), ACCEPTED or RETURNED
    signed_at: str
    signed_by: str
    received_at: str
    fingerprint: str
    format: str
    plan_code: str
    document_sha256: str = ""
    decided_at: str = ""
    decided_by: str = ""
    comment: str = ""
    id: int = 0


@dataclass(frozen=True)
class TrustedCertificate:
    """A certificate this workspace trusts: a unit's (registered with the city office) or the city office's."""

    fingerprint: str
    holder: str  # the unit, or the city office
    kind: str  # "unit" or "city"
    added_at: str
    superseded_at: str = ""  # when a newer key of the same holder was registered
    pem: bytes = b""

    @property
    def current(self) -> bool:
        return not self.superseded_at


class ImportOutcome(StrEnum):
    """What became of one file given to 导入 (the value is what the office reads: the import's result column)."""

    IMPORTED = "已导入"
    DUPLICATE = "已有相同版本"
    HISTORY = "已存为历史版本"
    REFUSED = "拒绝"


def days_late(due: dt.date, today: dt.date) -> int:
    """Days past the due date (0 when not yet due)."""
    return max((today - due).days, 0)


class Timeliness(StrEnum):
    """How a unit reported over the returns due in a span (a quarter's three months): every one on time, some
    late, some missing; none due yet; or the span lies before the office began collecting
    (``domain.accounting.UnitAccount.timeliness``)."""

    ON_TIME = "on_time"
    LATE = "late"
    RETURNED = "returned"
    MISSING = "missing"
    NOT_DUE = "not_due"
    NOT_COLLECTED = "not_collected"  # before the office began collecting: counted nowhere

    @property
    def label(self) -> str:
        return {
            "on_time": "按时报送",
            "late": "逾期报送",
            "returned": "退回待改",
            "missing": "未报送",
            "not_due": "未到期",
            "not_collected": "未纳入汇总",
        }[self.value]


@dataclass(frozen=True)
class ReceivedEvidence:
    """One evidence file a received return lists, and what its package held: 'verified', 'missing' or 'altered'."""

    path: str  # where it lies in the package: 第17项/专利清单.pdf
    task_seq: int
    file_name: str
    sha256: str
    size: int
    state: str

    @property
    def state_label(self) -> str:
        return {"verified": "与签署一致", "missing": "缺失", "altered": "已被改动"}.get(self.state, self.state)

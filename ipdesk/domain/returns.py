"""What the city office holds of the units' returns, and whether each unit has reported a period (报送情况).

A received return is one signed version of one unit's report for one period. The newest version of a unit and
period is the current one; older versions stay as history. Its status follows the report life cycle
(``domain.reports``): 已签署 (waiting for the office: 待审) → 已接收 or 已退回.

The state of a unit for a period, as the completeness matrix shows it, is one of 未报 (nothing received, not yet
due), 逾期 (nothing received and past the due date), 待审, 已接收, 已退回 (returned, the corrected version not yet
received). Whether the first version arrived by the due date is kept beside it (报送及时), as DHIS2 keeps "on time"
next to "reported".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from ipdesk.domain.periods import Period
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


class SubmissionState(StrEnum):
    NOT_DUE = "not_due"
    OVERDUE = "overdue"
    PENDING = "pending"
    ACCEPTED = "accepted"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]

    @property
    def owing(self) -> bool:
        """The unit still owes the office this period (it belongs on the 催报 list)."""
        return self in (SubmissionState.NOT_DUE, SubmissionState.OVERDUE, SubmissionState.RETURNED)


_STATE_LABELS = {
    SubmissionState.NOT_DUE: "未报",
    SubmissionState.OVERDUE: "逾期",
    SubmissionState.PENDING: "待审",
    SubmissionState.ACCEPTED: "已接收",
    SubmissionState.RETURNED: "已退回",
}


@dataclass(frozen=True)
class Submission:
    """One cell of the completeness matrix: a unit and a period."""

    unit: str
    period: Period
    state: SubmissionState
    due: dt.date
    latest: ReceivedReturn | None = None
    first_received_at: str = ""

    @property
    def on_time(self) -> bool | None:
        """Whether the first version arrived by the due date; None when nothing has arrived."""
        if not self.first_received_at:
            return None
        return dt.datetime.fromisoformat(self.first_received_at).date() <= self.due


def submission_state(latest: ReceivedReturn | None, due: dt.date, today: dt.date) -> SubmissionState:
    """The state of one unit for one period, from the newest version received (None: nothing)."""
    if latest is None:
        return SubmissionState.OVERDUE if today > due else SubmissionState.NOT_DUE
    if latest.status is ReportStatus.ACCEPTED:
        return SubmissionState.ACCEPTED
    if latest.status is ReportStatus.RETURNED:
        return SubmissionState.RETURNED
    return SubmissionState.PENDING


def days_late(due: dt.date, today: dt.date) -> int:
    """Days past the due date (0 when not yet due)."""
    return max((today - due).days, 0)


class Timeliness(StrEnum):
    """How a unit reported over the returns due in a span (a quarter's three months): every one on time, some
    late, some missing; or none due yet."""

    ON_TIME = "on_time"
    LATE = "late"
    RETURNED = "returned"
    MISSING = "missing"
    NOT_DUE = "not_due"

    @property
    def label(self) -> str:
        return {
            "on_time": "按时报送",
            "late": "逾期报送",
            "returned": "退回待改",
            "missing": "未报送",
            "not_due": "未到期",
        }[self.value]


def timeliness(cells: list[Submission]) -> Timeliness:
    """One unit's reporting over ``cells`` (its matrix cells of the periods due in a span)."""
    due = [c for c in cells if c.state is not SubmissionState.NOT_DUE or c.latest is not None]
    if not due:
        return Timeliness.NOT_DUE
    if any(c.latest is None for c in due):
        return Timeliness.MISSING
    if any(c.state is SubmissionState.RETURNED for c in due):
        return Timeliness.RETURNED
    if any(c.on_time is False for c in due):
        return Timeliness.LATE
    return Timeliness.ON_TIME

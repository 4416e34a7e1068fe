"""A unit's report for a period: its life cycle and what must be filled before it can be submitted.

The life cycle is one table (``TRANSITIONS``): 填报中 → 已提交审核 → 已签署 → 已接收 or 已退回. A submitted report
goes back to 填报中 when the clerk changes it (撤回), so the reviewer never signs anything but what was submitted.
A signed version never changes again: 退回 and 修订 leave it as it is and open version n+1 as a draft carrying the
same content. Everything not in the table is refused with a reason in Chinese and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ipdesk.domain.errors import InvalidInput


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SIGNED = "signed"
    ACCEPTED = "accepted"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def locked(self) -> bool:
        """Signed, accepted and returned versions are frozen: their data and files never change again."""
        return self in (ReportStatus.SIGNED, ReportStatus.ACCEPTED, ReportStatus.RETURNED)

    @property
    def editable(self) -> bool:
        """Only a draft is edited; a change to a submitted version withdraws it first (撤回)."""
        return self in (ReportStatus.DRAFT, ReportStatus.SUBMITTED)

    @classmethod
    def parse(cls, text: str) -> ReportStatus:
        """The stored code or the Chinese label."""
        for status in cls:
            if text in (status.value, status.label):
                return status
        raise InvalidInput(f"报告状态“{text}”无效")


_STATUS_LABELS = {
    ReportStatus.DRAFT: "填报中",
    ReportStatus.SUBMITTED: "已提交审核",
    ReportStatus.SIGNED: "已签署",
    ReportStatus.ACCEPTED: "已接收",
    ReportStatus.RETURNED: "已退回",
}


class ReportAction(StrEnum):
    """What someone does to a report version. ``label`` is the verb the user sees."""

    SUBMIT = "submit"  # the clerk: 提交审核
    WITHDRAW = "withdraw"  # the clerk changes a submitted report: 撤回
    SIGN = "sign"  # the reviewer: 签署
    ACCEPT = "accept"  # the city office: 接收
    RETURN = "return"  # the city office: 退回 (version n+1 opens as a draft)
    REVISE = "revise"  # the unit: 修订 (version n+1 opens as a draft; version n stays as it is)

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]

    @property
    def opens_new_version(self) -> bool:
        return self in (ReportAction.RETURN, ReportAction.REVISE)


_ACTION_LABELS = {
    ReportAction.SUBMIT: "提交审核",
    ReportAction.WITHDRAW: "撤回修改",
    ReportAction.SIGN: "签署",
    ReportAction.ACCEPT: "接收",
    ReportAction.RETURN: "退回",
    ReportAction.REVISE: "修订",
}

# (status of the version, action) → status of that version afterwards. For RETURN and REVISE the version keeps the
# status given here and a new draft version follows it.
TRANSITIONS: dict[tuple[ReportStatus, ReportAction], ReportStatus] = {
    (ReportStatus.DRAFT, ReportAction.SUBMIT): ReportStatus.SUBMITTED,
    (ReportStatus.SUBMITTED, ReportAction.WITHDRAW): ReportStatus.DRAFT,
    (ReportStatus.SUBMITTED, ReportAction.SIGN): ReportStatus.SIGNED,
    (ReportStatus.SIGNED, ReportAction.ACCEPT): ReportStatus.ACCEPTED,
    (ReportStatus.SIGNED, ReportAction.RETURN): ReportStatus.RETURNED,
    (ReportStatus.ACCEPTED, ReportAction.RETURN): ReportStatus.RETURNED,
    (ReportStatus.SIGNED, ReportAction.REVISE): ReportStatus.SIGNED,
    (ReportStatus.ACCEPTED, ReportAction.REVISE): ReportStatus.ACCEPTED,
}

# Why an action is refused, by the status it was tried on; the fallback names the statuses it needs.
_REFUSALS: dict[tuple[ReportStatus, ReportAction], str] = {
    (ReportStatus.SUBMITTED, ReportAction.SUBMIT): "已经提交审核，无需再次提交",
    (ReportStatus.DRAFT, ReportAction.SIGN): "还没有提交审核，须先由填报员提交审核，才能签署",
    (ReportStatus.SIGNED, ReportAction.SIGN): "已经签署，无需再次签署",
    (ReportStatus.DRAFT, ReportAction.WITHDRAW): "仍在填报中，可以直接修改",
    (ReportStatus.DRAFT, ReportAction.REVISE): "仍在填报中，可以直接修改，无需修订",
    (ReportStatus.SUBMITTED, ReportAction.REVISE): "尚未签署，可以直接修改，无需修订",
    (ReportStatus.RETURNED, ReportAction.REVISE): "已被退回，退回时已新建可修改的版本，请修改新版本",
    (ReportStatus.ACCEPTED, ReportAction.ACCEPT): "已经接收",
    (ReportStatus.RETURNED, ReportAction.RETURN): "已经退回",
    (ReportStatus.RETURNED, ReportAction.ACCEPT): "已被退回，须等单位报送新版本后再接收",
}


def next_status(current: ReportStatus, action: ReportAction, what: str = "该报告") -> ReportStatus:
    """The status ``action`` leaves the version in; a refused action raises ``InvalidInput`` saying why.

    ``what`` names the report in the message (“2025年第三季度的报告（v1）”).
    """
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        pass
    reason = _REFUSALS.get((current, action))
    if reason is None and current.locked and action in (ReportAction.SUBMIT, ReportAction.WITHDRAW):
        reason = f"目前为“{current.label}”，数据已锁定；如需更正，请“修订”生成新版本"
    if reason is None:
        needed = "或".join(f"“{s.label}”" for (s, a) in TRANSITIONS if a is action)
        reason = f"目前为“{current.label}”，只有{needed}的报告才能{action.label}"
    raise InvalidInput(f"{what}{reason}；未做任何改动")


def allowed_actions(current: ReportStatus) -> list[ReportAction]:
    """What can be done to a version in ``current`` status, in table order."""
    return [action for (status, action) in TRANSITIONS if status is current]


@dataclass(frozen=True)
class ReportState:
    """A unit's report for a period as it stands: its version, status, and who submitted and signed it when."""

    unit: str
    period: str
    version: int
    status: ReportStatus
    submitted_at: str = ""
    submitted_by: str = ""
    created_at: str = ""
    signed_at: str = ""
    signed_by: str = ""


@dataclass(frozen=True)
class ReturnComment:
    """The city office's comment on a returned version: on the whole report (``task_seq`` None) or on one task."""

    task_seq: int | None
    comment: str
    answered: bool = False  # the clerk marked it 已处理
    answer: str = ""  # what the clerk wrote when marking it 已处理 (may be empty)
    id: int | None = None  # the stored comment's number, once stored


@dataclass(frozen=True)
class Missing:
    """One thing that stops a report from being submitted; ``kind`` and ``seq`` say where to go to fix it."""

    kind: str  # "task", "indicator" or "target" (a project target)
    seq: int
    message: str


MAX_PERSON_NAME = 40


def person_name(text: str | None, role: str = "审核人") -> str:
    """A person's name as it goes into a certificate and onto a form: trimmed, printable, of reasonable length.

    The signer is always a named person (the reviewer), never an operating-system account.
    """
    name = " ".join(str(text or "").split())
    if not name:
        raise InvalidInput(f"请填写{role}姓名：签署必须由具名的{role}进行（在“设置”中填写，或用 --reviewer 指定）")
    if len(name) > MAX_PERSON_NAME:
        raise InvalidInput(f"{role}姓名过长（{len(name)} 字），请控制在 {MAX_PERSON_NAME} 字以内")
    if any(not ch.isprintable() for ch in name) or any(ch in name for ch in "<>\\/|;=\"'"):
        raise InvalidInput(f"{role}姓名“{name}”中有不能使用的字符")
    return name


@dataclass(frozen=True)
class ReportOverview:
    """What a reviewer signs, in figures: the unit, period and version, tasks by light and by status, what is missing
    and the city's comments not marked 已处理."""

    unit: str
    period_name: str
    version: int
    status_label: str
    tasks: int
    by_light: tuple[tuple[str, int], ...]  # (灯 label, count), red first; only lights that occur
    by_status: tuple[tuple[str, int], ...]  # (status label, count) in the order of the statuses; 未填 last
    missing: tuple[str, ...]
    open_comments: int
    evidence_files: int

    def lines(self) -> list[str]:
        """The overview as lines of Chinese text, for the sign dialog and the command line."""
        lights = "，".join(f"{label} {count} 项" for label, count in self.by_light) or "无"
        statuses = "，".join(f"{label} {count} 项" for label, count in self.by_status) or "无"
        lines = [
            f"{self.unit}　{self.period_name}　第 {self.version} 版（{self.status_label}）",
            f"任务 {self.tasks} 项：{lights}",
            f"完成状态：{statuses}",
            f"佐证材料 {self.evidence_files} 个",
        ]
        if self.open_comments:
            lines.append(f"市局退回意见 {self.open_comments} 条尚未标记已处理")
        if self.missing:
            lines.append(
                f"尚缺 {len(self.missing)} 处：" + "；".join(self.missing[:5]) + ("…" if len(self.missing) > 5 else "")
            )
        else:
            lines.append("填报完整")
        return lines

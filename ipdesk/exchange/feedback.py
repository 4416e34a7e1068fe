"""The feedback file (退回意见): the city office's decision on a return, signed by the office, read by the unit.

One JSON file (``docs/feedback-format.md``): an envelope ``{"format": "ipdesk-signed-feedback", "format_version":
"1.0", "document": <text>, "sha256", "signature", "certificate"}`` around the document's canonical text, which names
the plan, the unit, the period, the version returned and the SHA-256 of the very return it answers, with the
office's comment on the whole return and on each task. The signature is the office's (RSA PKCS#1 v1.5, SHA-256 over
the document's UTF-8 bytes); the unit accepts it only from the office's certificate it has registered.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.reports import ReturnComment
from ipdesk.domain.returns import TrustedCertificate
from ipdesk.exchange import envelope
from ipdesk.signing.identity import Identity, fingerprint, signer_name

KIND = envelope.Kind("ipdesk-signed-feedback", 1, 0, "退回意见文件", max_file=1024 * 1024)
DOCUMENT = "ipdesk-feedback"
FORMAT_VERSION = KIND.version
SUFFIX = ".json"


@dataclass(frozen=True)
class Feedback:
    plan_code: str
    plan_sha256: str
    unit: str
    unit_code: str
    period: str
    version: int
    return_sha256: str  # of the return document it answers
    comment: str
    task_comments: tuple[ReturnComment, ...]
    decided_at: str
    decided_by: str
    office: str
    decision: str = "returned"

    def comments(self) -> list[ReturnComment]:
        whole = [ReturnComment(None, self.comment)] if self.comment else []
        return whole + list(self.task_comments)


def document(feedback: Feedback) -> dict:
    return {
        "format": DOCUMENT,
        "format_version": FORMAT_VERSION,
        "plan": {"code": feedback.plan_code, "sha256": feedback.plan_sha256},
        "unit": {"code": feedback.unit_code, "name": feedback.unit},
        "period": feedback.period,
        "version": feedback.version,
        "return_sha256": feedback.return_sha256,
        "decision": feedback.decision,
        "decision_label": "退回",
        "comment": feedback.comment,
        "tasks": [{"seq": c.task_seq, "comment": c.comment} for c in feedback.task_comments],
        "decided_at": feedback.decided_at,
        "decided_by": feedback.decided_by,
        "office": feedback.office,
    }


def file_name(feedback: Feedback) -> str:
    from ipdesk.reports.files import safe_part

    return f"{safe_part(feedback.unit)}_{safe_part(feedback.period)}_v{feedback.version}_退回意见{SUFFIX}"


def signed_bytes(feedback: Feedback, identity: Identity) -> bytes:
    """The feedback file's content, signed with the office's key."""
    return envelope.seal(KIND, document(feedback), identity)


@dataclass(frozen=True)
class CheckedFeedback:
    feedback: Feedback
    certificate: x509.Certificate

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)

    @property
    def signer(self) -> str:
        return signer_name(self.certificate)


def read(path: Path, trusted_offices: Sequence[TrustedCertificate], office: str) -> CheckedFeedback:
    """Read and verify a feedback file against the office certificates registered here (a replaced one only for
    what it signed before the replacement: ``decided_at``); ``InvalidInput`` says what is wrong (and nothing has
    been changed)."""
    opened = envelope.open_signed(KIND, path)
    feedback = _parse(opened.text, path)
    envelope.check_office(KIND, path, opened.certificate, office, trusted_offices, feedback.decided_at)
    return CheckedFeedback(feedback, opened.certificate)


def _field_problem(data: dict) -> str:
    """The first field of a feedback document that is not valid data ("" when all are)."""
    from ipdesk.domain.limits import (
        MAX_NAME,
        MAX_SEQ,
        code_problem,
        period_problem,
        sha256_problem,
        text_problem,
        timestamp_problem,
        version_problem,
        whole_number_problem,
    )

    plan, unit, tasks = data.get("plan"), data.get("unit"), data.get("tasks", [])
    if not isinstance(plan, dict) or not isinstance(unit, dict):
        return "方案或单位的格式无法识别"
    if not isinstance(tasks, list):
        return "任务意见的格式无法识别"
    checks = [
        code_problem(plan.get("code"), "方案代码"),
        sha256_problem(plan.get("sha256"), "方案的 SHA-256") if plan.get("sha256") else "",
        text_problem(unit.get("name"), "单位名称", MAX_NAME) or ("" if unit.get("name") else "单位名称为空"),
        code_problem(unit.get("code", ""), "单位代码", required=False),
        period_problem(data.get("period")),
        version_problem(data.get("version"), "退回的版本号"),
        sha256_problem(data.get("return_sha256"), "所退回报送数据的 SHA-256"),
        "" if data.get("decision", "returned") == "returned" else f"决定“{str(data.get('decision'))[:20]}”无法识别",
        timestamp_problem(data.get("decided_at"), "退回时间"),
        text_problem(data.get("comment", ""), "退回意见"),
    ]
    for task in tasks:
        if not isinstance(task, dict):
            return "任务意见的格式无法识别"
        checks.append(whole_number_problem(task.get("seq"), "任务序号", 1, MAX_SEQ))
        checks.append(text_problem(task.get("comment", ""), f"第 {task.get('seq')} 项任务的意见"))
    for key, label in (("decided_by", "退回人"), ("office", "签发机构")):
        checks.append(text_problem(data.get(key, ""), label, MAX_NAME))
    return next((c for c in checks if c), "")


def content_of(data: bytes, name: str) -> Feedback:
    """What a feedback file this office signed says (its own kept copy: read, not verified again)."""
    try:
        text = json.loads(data.decode("utf-8-sig"))["document"]
    except (ValueError, KeyError, TypeError):
        raise InvalidInput(f"“{name}”的内容无法读取") from None
    return _parse(text, Path(name))


def _parse(text: str, path: Path) -> Feedback:
    try:
        data = json.loads(text)
        if data.get("format") != DOCUMENT:
            raise ValueError("unknown document")
        envelope.check_major(KIND, data["format_version"], path)
        problem = _field_problem(data)
        if problem:
            raise InvalidInput(f"“{path.name}”的内容无效：{problem}，未导入")
        tasks = tuple(ReturnComment(int(t["seq"]), str(t["comment"])) for t in data.get("tasks", []))
        return Feedback(
            plan_code=str(data["plan"]["code"]),
            plan_sha256=str(data["plan"].get("sha256", "")),
            unit=str(data["unit"]["name"]),
            unit_code=str(data["unit"].get("code", "")),
            period=str(data["period"]),
            version=int(data["version"]),
            return_sha256=str(data["return_sha256"]),
            comment=str(data.get("comment", "")),
            task_comments=tasks,
            decided_at=str(data.get("decided_at", "")),
            decided_by=str(data.get("decided_by", "")),
            office=str(data.get("office", "")),
            decision=str(data.get("decision", "returned")),
        )
    except InvalidInput:
        raise
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InvalidInput(f"“{path.name}”的内容无法读取") from None

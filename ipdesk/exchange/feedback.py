"""The feedback file (退回意见): the city office's decision on a return, signed by the office, read by the unit.

One JSON file (``docs/feedback-format.md``): an envelope ``{"format": "ipdesk-signed-feedback", "format_version":
"1.0", "document": <text>, "sha256", "signature", "certificate"}`` around the document's canonical text, which names
the plan, the unit, the period, the version returned and the SHA-256 of the very return it answers, with the
office's comment on the whole return and on each task. The signature is the office's (RSA PKCS#1 v1.5, SHA-256 over
the document's UTF-8 bytes); the unit accepts it only from the office's certificate it has registered.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.reports import ReturnComment
from ipdesk.reports.return_format import canonical_json, text_sha256
from ipdesk.signing import signatures
from ipdesk.signing.identity import Identity, fingerprint, signer_name, unit_of

ENVELOPE = "ipdesk-signed-feedback"
DOCUMENT = "ipdesk-feedback"
MAJOR, MINOR = 1, 0
FORMAT_VERSION = f"{MAJOR}.{MINOR}"
MAX_FILE = 1024 * 1024
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
    assert identity.key is not None
    text = canonical_json(document(feedback))
    envelope = {
        "format": ENVELOPE,
        "format_version": FORMAT_VERSION,
        "document": text,
        "sha256": text_sha256(text),
        "signature": base64.b64encode(signatures.sign(identity.key, text.encode("utf-8"))).decode("ascii"),
        "certificate": identity.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
    }
    return (json.dumps(envelope, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


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


def read(path: Path, trusted_offices: list[x509.Certificate], office: str) -> CheckedFeedback:
    """Read and verify a feedback file against the office certificates registered here; ``InvalidInput`` says what
    is wrong (and nothing has been changed)."""
    try:
        if path.stat().st_size > MAX_FILE:
            raise InvalidInput(f"“{path.name}”不是退回意见文件（文件过大）")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"找不到文件：{path}") from None
    except OSError as error:
        raise InvalidInput(f"无法读取文件：{path}（{error.strerror or error}）") from error
    try:
        envelope = json.loads(raw.decode("utf-8-sig"))
        if not isinstance(envelope, dict) or envelope.get("format") != ENVELOPE:
            raise InvalidInput(f"“{path.name}”不是 ipdesk 退回意见文件")
        major = int(str(envelope.get("format_version", "")).split(".", 1)[0])
        if major > MAJOR:
            raise InvalidInput(
                f"“{path.name}”采用较新的格式（{envelope.get('format_version')}），请升级 ipdesk 后再导入"
            )
        text = envelope["document"]
        certificate = x509.load_pem_x509_certificate(envelope["certificate"].encode("ascii"))
        signature = base64.b64decode(envelope["signature"], validate=True)
    except InvalidInput:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise InvalidInput(f"“{path.name}”已损坏或不是 ipdesk 退回意见文件") from None
    if (
        not isinstance(text, str)
        or text_sha256(text) != envelope.get("sha256")
        or not signatures.verify(certificate, text.encode("utf-8"), signature)
    ):
        raise InvalidInput(f"“{path.name}”的签名与内容不符：签发后被改动过，未导入")
    if unit_of(certificate) != office:
        raise InvalidInput(f"“{path.name}”不是由{office}签发的（签发者：{unit_of(certificate) or '未知'}），未导入")
    if fingerprint(certificate) not in {fingerprint(c) for c in trusted_offices}:
        raise InvalidInput(
            f"“{path.name}”的签发证书（指纹 {fingerprint(certificate)}）未在本工作区登记。请向市局电话核对指纹后，"
            "用“登记市局证书”（ipdesk trust add 市局证书.cer）登记，再导入"
        )
    return CheckedFeedback(_parse(text, path), certificate)


def _parse(text: str, path: Path) -> Feedback:
    try:
        data = json.loads(text)
        if data.get("format") != DOCUMENT or int(str(data["format_version"]).split(".", 1)[0]) > MAJOR:
            raise ValueError("unknown document")
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
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InvalidInput(f"“{path.name}”的内容无法读取") from None

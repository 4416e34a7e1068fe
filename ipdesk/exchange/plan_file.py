"""The plan file (方案文件): the city office's current plan, signed by the office, imported by every unit.

One JSON file (``docs/plan-file-format.md``): an envelope ``{"format": "ipdesk-signed-plan", "format_version": "1.0",
"document": <text>, "sha256", "signature", "certificate"}`` around a document that carries the plan twice: its
canonical document (exactly what ``plan.sha256`` in every return hashes, ``docs/return-format.md`` § 6) and the plan
in full (``plan``: everything needed to work from it — categories, the unit columns as published, indicator groups,
project goals, unit short names …). A reader rebuilds the plan from ``plan``, checks that it gives exactly the
canonical document and its SHA-256, and accepts the file only when it is signed by the office the plan names, with a
certificate registered in its workspace. Every unit that imports the same file works from the same plan.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.plan import Plan
from ipdesk.plans.canonical import plan_document, plan_sha256
from ipdesk.plans.embedded import plan_from_dict, plan_to_dict
from ipdesk.reports.return_format import canonical_json, text_sha256
from ipdesk.signing import signatures
from ipdesk.signing.identity import Identity, fingerprint, signer_name, unit_of

ENVELOPE = "ipdesk-signed-plan"
DOCUMENT = "ipdesk-plan"
MAJOR, MINOR = 1, 0
FORMAT_VERSION = f"{MAJOR}.{MINOR}"
MAX_FILE = 16 * 1024 * 1024
SUFFIX = ".json"


def document(plan: Plan, published_by: str, published_at: str | None = None) -> dict:
    return {
        "format": DOCUMENT,
        "format_version": FORMAT_VERSION,
        "plan_sha256": plan_sha256(plan),
        "plan_document": plan_document(plan),
        "plan": plan_to_dict(plan),
        "city": plan.city,
        "office": plan.office_name,
        "published_at": published_at or dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
        "published_by": published_by,
    }


def file_name(plan: Plan) -> str:
    from ipdesk.reports.files import safe_part

    return f"{safe_part(plan.city or plan.code)}_{safe_part(plan.code)}_方案文件{SUFFIX}"


def signed_bytes(plan: Plan, identity: Identity, published_by: str, published_at: str | None = None) -> bytes:
    """The plan file's content, signed with the office's key (``published_at`` now unless given)."""
    assert identity.key is not None
    text = canonical_json(document(plan, published_by, published_at))
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
class CheckedPlanFile:
    plan: Plan
    sha256: str  # the plan's (canonical document)
    published_at: str
    published_by: str
    office: str
    certificate: x509.Certificate
    text: str  # the file as received, kept with the plan

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)

    @property
    def signer(self) -> str:
        return signer_name(self.certificate)


def publication(text: str) -> tuple[str, str]:
    """(published_at, certificate fingerprint) of a plan file kept in the workspace (verified when it was
    imported); ("", "") when it cannot be read."""
    try:
        envelope = json.loads(text)
        data = json.loads(envelope["document"])
        certificate = x509.load_pem_x509_certificate(envelope["certificate"].encode("ascii"))
        return str(data.get("published_at", "")), fingerprint(certificate)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return "", ""


def is_plan_file(path: Path) -> bool:
    """Whether ``path`` looks like a plan file (JSON), rather than a task-list workbook."""
    try:
        with Path(path).open("rb") as handle:
            head = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return False
    return head.startswith(b"{")


def read(path: Path, trusted_offices: list[x509.Certificate]) -> CheckedPlanFile:
    """Read and verify a plan file against the office certificates registered here; ``InvalidInput`` says what is
    wrong (and nothing has been changed)."""
    try:
        if path.stat().st_size > MAX_FILE:
            raise InvalidInput(f"“{path.name}”不是方案文件（文件过大）")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"找不到文件：{path}") from None
    except OSError as error:
        raise InvalidInput(f"无法读取文件：{path}（{error.strerror or error}）") from error
    try:
        envelope = json.loads(raw.decode("utf-8-sig"))
        if not isinstance(envelope, dict) or envelope.get("format") != ENVELOPE:
            raise InvalidInput(f"“{path.name}”不是 ipdesk 方案文件")
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
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError, UnicodeDecodeError):
        raise InvalidInput(f"“{path.name}”已损坏或不是 ipdesk 方案文件") from None
    if (
        not isinstance(text, str)
        or text_sha256(text) != envelope.get("sha256")
        or not signatures.verify(certificate, text.encode("utf-8"), signature)
    ):
        raise InvalidInput(f"“{path.name}”的签名与内容不符：签发后被改动过，未导入")
    data, plan = _parse(text, path)
    office = str(data.get("office", ""))
    if office != plan.office_name:
        raise InvalidInput(f"“{path.name}”中的签发机构（{office}）与方案所属城市（{plan.city}）不符，未导入")
    if unit_of(certificate) != office:
        raise InvalidInput(f"“{path.name}”不是由{office}签发的（签发者：{unit_of(certificate) or '未知'}），未导入")
    if fingerprint(certificate) not in {fingerprint(c) for c in trusted_offices}:
        raise InvalidInput(
            f"“{path.name}”的签发证书（指纹 {fingerprint(certificate)}）未在本工作区登记。请向市局电话核对指纹后，"
            "用“登记市局证书”（ipdesk trust add 市局证书.cer）登记，再导入"
        )
    return CheckedPlanFile(
        plan,
        str(data["plan_sha256"]),
        str(data.get("published_at", "")),
        str(data.get("published_by", "")),
        office,
        certificate,
        raw.decode("utf-8-sig"),
    )


def _parse(text: str, path: Path) -> tuple[dict, Plan]:
    try:
        data = json.loads(text)
        if data.get("format") != DOCUMENT:
            raise ValueError("unknown document")
        if int(str(data["format_version"]).split(".", 1)[0]) > MAJOR:
            raise InvalidInput(f"“{path.name}”采用较新的格式（{data['format_version']}），请升级 ipdesk 后再导入")
        plan = plan_from_dict(data["plan"])
    except InvalidInput:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        raise InvalidInput(f"“{path.name}”中的方案内容无法读取") from None
    if plan_document(plan) != data.get("plan_document") or plan_sha256(plan) != data.get("plan_sha256"):
        raise InvalidInput(f"“{path.name}”中的方案内容与其规范文本或 SHA-256 不一致，未导入")
    return data, plan

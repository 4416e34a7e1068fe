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

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.limits import MAX_NAME, plan_problem, text_problem, timestamp_problem
from ipdesk.domain.plan import Plan
from ipdesk.domain.returns import TrustedCertificate
from ipdesk.exchange import envelope
from ipdesk.plans.canonical import plan_document, plan_sha256
from ipdesk.plans.embedded import plan_from_dict, plan_to_dict
from ipdesk.signing.identity import Identity, fingerprint, signer_name

KIND = envelope.Kind("ipdesk-signed-plan", 1, 0, "方案文件", max_file=16 * 1024 * 1024)
DOCUMENT = "ipdesk-plan"
FORMAT_VERSION = KIND.version
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
    return envelope.seal(KIND, document(plan, published_by, published_at), identity)


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


def read(path: Path, trusted_offices: Sequence[TrustedCertificate]) -> CheckedPlanFile:
    """Read and verify a plan file against the office certificates registered here; ``InvalidInput`` says what is
    wrong (and nothing has been changed)."""
    opened = envelope.open_signed(KIND, path)
    data, plan = _parse(opened.text, path)
    problem = (
        plan_problem(plan)
        or timestamp_problem(data.get("published_at"), "签发时间")
        or text_problem(data.get("published_by", ""), "签发人", MAX_NAME)
        or text_problem(data.get("office", ""), "签发机构", MAX_NAME)
    )
    if problem:
        raise InvalidInput(f"“{path.name}”中的方案内容无效：{problem}，未导入")
    office = str(data.get("office", ""))
    if office != plan.office_name:
        raise InvalidInput(f"“{path.name}”中的签发机构（{office}）与方案所属城市（{plan.city}）不符，未导入")
    envelope.check_office(KIND, path, opened.certificate, office, trusted_offices, str(data.get("published_at", "")))
    return CheckedPlanFile(
        plan,
        str(data["plan_sha256"]),
        str(data.get("published_at", "")),
        str(data.get("published_by", "")),
        office,
        opened.certificate,
        opened.raw,
    )


def _parse(text: str, path: Path) -> tuple[dict, Plan]:
    try:
        data = json.loads(text)
        if data.get("format") != DOCUMENT:
            raise ValueError("unknown document")
        envelope.check_major(KIND, data["format_version"], path)
        plan = plan_from_dict(data["plan"])
    except InvalidInput:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        raise InvalidInput(f"“{path.name}”中的方案内容无法读取") from None
    if plan_document(plan) != data.get("plan_document") or plan_sha256(plan) != data.get("plan_sha256"):
        raise InvalidInput(f"“{path.name}”中的方案内容与其规范文本或 SHA-256 不一致，未导入")
    return data, plan

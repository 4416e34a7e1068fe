"""The signed envelope the city office's files travel in (the plan file, the feedback file).

``{"format": <envelope>, "format_version": "1.0", "document": <canonical JSON text>, "sha256", "signature",
"certificate"}``: the signature is RSA PKCS#1 v1.5 with SHA-256 over the document's UTF-8 bytes, by the key of the
certificate carried beside it; a reader accepts it only from an office certificate registered in its workspace, and
from a replaced one only for what it signed before the replacement.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ipdesk.domain.errors import InvalidInput, os_error_text
from ipdesk.domain.returns import TrustedCertificate
from ipdesk.domain.signed_text import canonical_json, text_sha256
from ipdesk.signing import signatures
from ipdesk.signing.identity import Identity, fingerprint, unit_of


@dataclass(frozen=True)
class Kind:
    """One kind of envelope: its format name, the newest major version this release reads, and how it is named
    to the user ("方案文件", "退回意见文件")."""

    envelope: str
    major: int
    minor: int
    label: str
    max_file: int

    @property
    def version(self) -> str:
        return f"{self.major}.{self.minor}"


@dataclass(frozen=True)
class Opened:
    text: str  # the signed document, canonical JSON
    certificate: x509.Certificate
    raw: str  # the whole file as received


def seal(kind: Kind, document: dict, identity: Identity) -> bytes:
    """``document`` signed with ``identity``'s key, in ``kind``'s envelope."""
    assert identity.key is not None
    text = canonical_json(document)
    envelope = {
        "format": kind.envelope,
        "format_version": kind.version,
        "document": text,
        "sha256": text_sha256(text),
        "signature": base64.b64encode(signatures.sign(identity.key, text.encode("utf-8"))).decode("ascii"),
        "certificate": identity.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
    }
    return (json.dumps(envelope, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def open_signed(kind: Kind, path: Path) -> Opened:
    """Read ``path`` and check its signature against the certificate it carries; ``InvalidInput`` says what is
    wrong. Who signed it is checked by ``check_office``."""
    try:
        if path.stat().st_size > kind.max_file:
            raise InvalidInput(f"“{path.name}”不是{kind.label}（文件过大）")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"找不到文件：{path}") from None
    except OSError as error:
        raise InvalidInput(f"无法读取文件：{path}（{os_error_text(error)}）") from error
    try:
        text_in_file = raw.decode("utf-8-sig")
        envelope = json.loads(text_in_file)
        if not isinstance(envelope, dict) or envelope.get("format") != kind.envelope:
            raise InvalidInput(f"“{path.name}”不是 ipdesk {kind.label}")
        check_major(kind, envelope.get("format_version"), path)
        text = envelope["document"]
        certificate = x509.load_pem_x509_certificate(envelope["certificate"].encode("ascii"))
        signature = base64.b64decode(envelope["signature"], validate=True)
    except InvalidInput:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError, UnicodeDecodeError):
        raise InvalidInput(f"“{path.name}”已损坏或不是 ipdesk {kind.label}") from None
    if (
        not isinstance(text, str)
        or text_sha256(text) != envelope.get("sha256")
        or not signatures.verify(certificate, text.encode("utf-8"), signature)
    ):
        raise InvalidInput(f"“{path.name}”的签名与内容不符：签发后被改动过，未导入")
    return Opened(text, certificate, text_in_file)


def check_major(kind: Kind, version: object, path: Path) -> None:
    """Refuse a format newer than this release reads (ValueError when ``version`` is not a version at all)."""
    if int(str(version).split(".", 1)[0]) > kind.major:
        raise InvalidInput(f"“{path.name}”采用较新的格式（{version}），请升级 ipdesk 后再导入")


def check_office(
    kind: Kind,
    path: Path,
    certificate: x509.Certificate,
    office: str,
    trusted: Sequence[TrustedCertificate],
    signed_at: str,
) -> TrustedCertificate:
    """The file was signed by ``office`` with a certificate registered here, and, when that certificate has since
    been replaced, before its replacement (``exchange.trust.replaced_key_problem``). Returns its registration."""
    from ipdesk.exchange.trust import replaced_key_problem

    if unit_of(certificate) != office:
        raise InvalidInput(f"“{path.name}”不是由{office}签发的（签发者：{unit_of(certificate) or '未知'}），未导入")
    record = next((t for t in trusted if t.fingerprint == fingerprint(certificate)), None)
    if record is None:
        raise InvalidInput(
            f"“{path.name}”的签发证书（指纹 {fingerprint(certificate)}）未在本工作区登记。请向市局电话核对指纹后，"
            "用“登记市局证书”（ipdesk trust add 市局证书.cer）登记，再导入"
        )
    problem = replaced_key_problem(record, signed_at, kind.label)
    if problem:
        raise InvalidInput(f"“{path.name}”{problem}，未导入")
    return record

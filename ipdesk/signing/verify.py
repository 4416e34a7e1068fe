"""Checking a return without a network: one verdict per file — 有效, 已被修改, 签名人未知, 不是ipdesk文件, 文件损坏.

A workbook is valid when its signature sheet's JSON is what was signed, the signature checks against the
certificate it carries, every visible data cell still says what the JSON says, the certificate names the unit the
report claims, was valid when it signed, and is one the checker trusts. A ``.p7s`` is valid when it signs exactly
the bytes of the file beside it (``X.xlsx`` for ``X.xlsx.p7s``) with a trusted certificate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from cryptography import x509

from ipdesk.reports.snapshot import ReportSnapshot
from ipdesk.signing import signatures
from ipdesk.signing.identity import fingerprint, signer_name, unit_of


class VerdictStatus(StrEnum):
    VALID = "有效"
    MODIFIED = "已被修改"
    UNKNOWN_SIGNER = "签名人未知"
    NOT_IPDESK = "不是ipdesk文件"
    DAMAGED = "文件损坏"


@dataclass(frozen=True)
class Verdict:
    file: str
    status: VerdictStatus
    detail: str = ""
    unit: str = ""
    period: str = ""
    version: int | None = None
    signer: str = ""
    signed_at: str = ""
    fingerprint: str = ""
    differences: tuple[str, ...] = field(default=())

    @property
    def valid(self) -> bool:
        return self.status is VerdictStatus.VALID

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "verdict": self.status.value,
            "detail": self.detail,
            "unit": self.unit,
            "period": self.period,
            "version": self.version,
            "signer": self.signer,
            "signed_at": self.signed_at,
            "fingerprint": self.fingerprint,
        }


def verify_file(path: Path, trusted: list[x509.Certificate]) -> Verdict:
    """The verdict on one file. Hostile or broken input gives a verdict, never an exception."""
    try:
        return _verify(Path(path), trusted)
    except Exception as error:
        return Verdict(str(path), VerdictStatus.DAMAGED, f"文件无法解析（{type(error).__name__}）")


def _verify(path: Path, trusted: list[x509.Certificate]) -> Verdict:
    try:
        head = path.read_bytes()[:8]
    except OSError as error:
        from ipdesk.domain.errors import os_error_text  # local: keeps this fix apart from the signing rewrite

        return Verdict(str(path), VerdictStatus.DAMAGED, f"无法读取文件：{os_error_text(error)}")
    if path.suffix.lower() == ".p7s":
        return _verify_p7s(path, trusted)
    if head.startswith(b"PK"):
        return _verify_workbook(path, trusted)
    if head.startswith(b"%PDF"):
        return _verify_pdf(path, trusted)
    return Verdict(str(path), VerdictStatus.NOT_IPDESK, "不是 ipdesk 导出的工作簿、PDF 或签名文件")


MAX_UNPACKED = 200 * 1024 * 1024
MAX_RATIO = 200


def zip_problem(path: Path) -> str:
    """Why a workbook must not be unpacked (damaged, or a decompression bomb), or "" when it may be."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        return f"工作簿已损坏，无法打开（{type(error).__name__}）"
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if unpacked > MAX_UNPACKED or (unpacked > 20 * 1024 * 1024 and unpacked / packed > MAX_RATIO):
        return f"工作簿解压后达 {unpacked // 1024 // 1024} MB，疑似恶意构造的压缩文件，未打开"
    return ""


def _trusted_fingerprints(trusted: list[x509.Certificate]) -> set[str]:
    return {fingerprint(c) for c in trusted}


def _signer_checks(
    path: Path,
    certificate: x509.Certificate,
    claimed_unit: str,
    signing_time: str,
    trusted: list[x509.Certificate],
    valid_text: str,
    **facts,
) -> Verdict:
    """The checks on who signed, shared by every kind of file: the certificate names the unit the report claims,
    was valid when it signed, and is trusted here."""
    if unit_of(certificate) != claimed_unit:
        return Verdict(
            str(path),
            VerdictStatus.UNKNOWN_SIGNER,
            f"签名证书属于“{unit_of(certificate)}”，但报告声称来自“{claimed_unit}”",
            **facts,
        )
    when = dt.datetime.fromisoformat(signing_time) if signing_time else dt.datetime.now(dt.UTC)
    problem = signatures.validity_problem(certificate, when)
    if problem:
        return Verdict(str(path), VerdictStatus.UNKNOWN_SIGNER, problem, **facts)
    if fingerprint(certificate) not in _trusted_fingerprints(trusted):
        return Verdict(
            str(path),
            VerdictStatus.UNKNOWN_SIGNER,
            f"签名证书（指纹 {fingerprint(certificate)}）不在信任列表中；请用 --trust 指定该单位登记的证书",
            **facts,
        )
    return Verdict(str(path), VerdictStatus.VALID, valid_text, **facts)


def _facts(snapshot: ReportSnapshot, certificate: x509.Certificate) -> dict:
    h = snapshot.header
    return {
        "unit": h.unit_line,
        "period": h.period,
        "version": h.version,
        "signer": signer_name(certificate),
        "signed_at": h.signed_at,
        "fingerprint": fingerprint(certificate),
    }


def _verify_workbook(path: Path, trusted: list[x509.Certificate]) -> Verdict:
    from openpyxl import load_workbook

    from ipdesk.signing.workbook import read_payload, visible_differences

    problem = zip_problem(path)
    if problem:
        return Verdict(str(path), VerdictStatus.DAMAGED, problem)
    try:
        workbook = load_workbook(path)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        return Verdict(str(path), VerdictStatus.DAMAGED, f"工作簿无法打开：{type(error).__name__}")
    payload = read_payload(workbook)
    if payload is None:
        return Verdict(str(path), VerdictStatus.NOT_IPDESK, "工作簿中没有 ipdesk 签名数据")
    try:
        certificate = x509.load_pem_x509_certificate(payload.certificate_pem)
    except ValueError:
        return Verdict(str(path), VerdictStatus.DAMAGED, "签名数据中的证书已损坏")
    data = payload.snapshot_json.encode("utf-8")
    if hashlib.sha256(data).hexdigest() != payload.sha256 or not signatures.verify(
        certificate, data, payload.signature
    ):
        return Verdict(str(path), VerdictStatus.MODIFIED, "签名数据与签名不符：签署后被改动过")
    try:
        snapshot = ReportSnapshot.from_json(payload.snapshot_json)
    except (ValueError, KeyError, TypeError):
        return Verdict(str(path), VerdictStatus.DAMAGED, "签名数据无法读取")
    facts = _facts(snapshot, certificate)
    differences = visible_differences(workbook, snapshot)
    if differences:
        shown = "、".join(differences[:5]) + (f" 等 {len(differences)} 处" if len(differences) > 5 else "")
        return Verdict(
            str(path),
            VerdictStatus.MODIFIED,
            f"表格内容与签署时不一致：{shown}",
            differences=tuple(differences),
            **facts,
        )
    return _signer_checks(
        path,
        certificate,
        snapshot.header.unit_line,
        snapshot.header.signed_at,
        trusted,
        "签名有效，内容与签署时一致",
        **facts,
    )


def _verify_p7s(path: Path, trusted: list[x509.Certificate]) -> Verdict:
    from ipdesk.signing.cms import check_detached

    content = path.with_suffix("")
    try:
        signature = path.read_bytes()
        data = content.read_bytes()
    except FileNotFoundError:
        return Verdict(str(path), VerdictStatus.DAMAGED, f"找不到被签名的文件：{content.name}（应与签名文件放在一起）")
    try:
        check = check_detached(signature, data)
    except (ValueError, KeyError, IndexError, TypeError):
        return Verdict(str(path), VerdictStatus.DAMAGED, "签名文件已损坏或不是 CMS 签名")
    if check.certificate is None:
        return Verdict(str(path), VerdictStatus.DAMAGED, "签名文件中没有签名证书")
    if not (check.digest_matches and check.signature_valid):
        return Verdict(
            str(path),
            VerdictStatus.MODIFIED,
            f"“{content.name}”在签署后被改动过",
            signer=signer_name(check.certificate),
            fingerprint=fingerprint(check.certificate),
        )
    inner = _verify_workbook(content, trusted) if content.suffix.lower() == ".xlsx" else None
    if inner is None or inner.status in (VerdictStatus.NOT_IPDESK, VerdictStatus.DAMAGED):
        return Verdict(str(path), VerdictStatus.NOT_IPDESK, "被签名的文件不是 ipdesk 签署的工作簿")
    facts = {
        "unit": inner.unit,
        "period": inner.period,
        "version": inner.version,
        "signer": signer_name(check.certificate),
        "signed_at": check.signing_time,
        "fingerprint": fingerprint(check.certificate),
    }
    if fingerprint(check.certificate) != inner.fingerprint:
        return Verdict(str(path), VerdictStatus.UNKNOWN_SIGNER, "签名文件与工作簿不是同一证书签署的", **facts)
    if fingerprint(check.certificate) not in _trusted_fingerprints(trusted):
        return Verdict(
            str(path),
            VerdictStatus.UNKNOWN_SIGNER,
            f"签名证书（指纹 {fingerprint(check.certificate)}）不在信任列表中",
            **facts,
        )
    return Verdict(str(path), VerdictStatus.VALID, f"签名有效：“{content.name}”与签署时逐字节一致", **facts)


def _verify_pdf(path: Path, trusted: list[x509.Certificate]) -> Verdict:
    from ipdesk.signing.pdf import check_pdf

    try:
        check = check_pdf(path.read_bytes())
    except ValueError:
        return Verdict(str(path), VerdictStatus.DAMAGED, "PDF 文件已损坏，无法读取")
    facts = dict(part.split("=", 1) for part in check.keywords.split(";") if "=" in part)
    if not check.found or not check.keywords.startswith("ipdesk"):
        return Verdict(str(path), VerdictStatus.NOT_IPDESK, "该 PDF 不含 ipdesk 签名")
    certificate = check.certificate
    assert certificate is not None
    known = {
        "unit": facts.get("unit", ""),
        "period": facts.get("period", ""),
        "version": int(facts["version"]) if facts.get("version", "").isdigit() else None,
        "signer": signer_name(certificate),
        "signed_at": check.signing_time,
        "fingerprint": fingerprint(certificate),
    }
    if not check.intact or not check.whole_file:
        return Verdict(str(path), VerdictStatus.MODIFIED, "PDF 在签署后被改动过", **known)
    return _signer_checks(
        path, certificate, known["unit"], check.signing_time, trusted, "PDF 签名有效，签署后未被改动", **known
    )

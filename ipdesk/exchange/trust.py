"""Registering the certificates a workspace trusts.

The city office registers each unit's certificate (its SHA-256 fingerprint checked by phone); a unit registers the
city office's. A certificate is trusted for the holder its subject names (O), which must be one of the plan's units
or the city office. A holder that changes its key is a change the user confirms: the new certificate is registered
and the old one marked as superseded; the old one stays valid for what it signed before the change.

``replaced_key_problem`` is the one rule every signed file from outside is judged by (a unit's return at the city
office, the office's feedback and plan files at a unit, a plan file at the office): a replaced key ends its trust
for anything it signs after the replacement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from ipdesk.domain.errors import InvalidInput, os_error_text
from ipdesk.domain.returns import TrustedCertificate
from ipdesk.signing.identity import fingerprint, signer_name, unit_of

MAX_CERTIFICATE_FILE = 64 * 1024


def load_certificate(path: Path) -> x509.Certificate:
    """A certificate from a .cer/.crt/.pem file (DER or PEM); a clear Chinese error otherwise."""
    try:
        size = path.stat().st_size
        if size > MAX_CERTIFICATE_FILE:
            raise InvalidInput(f"“{path.name}”不是证书文件（{size // 1024} KB，证书通常只有 1–2 KB）")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"找不到证书文件：{path}") from None
    except IsADirectoryError:
        raise InvalidInput(f"“{path}”是文件夹，不是证书文件") from None
    except OSError as error:
        raise InvalidInput(f"无法读取证书文件：{path}（{os_error_text(error)}）") from error
    try:
        certificate = (
            x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else x509.load_der_x509_certificate(data)
        )
    except ValueError:
        raise InvalidInput(f"“{path.name}”不是有效的证书文件（应为 .cer 或 .pem）") from None
    problem = certificate_problem(certificate)
    if problem:
        raise InvalidInput(f"“{path.name}”不能登记：{problem}")
    return certificate


def certificate_problem(certificate: x509.Certificate) -> str:
    """What a certificate says that is not valid data ("" when all is): the holder (O) and the signer (CN) are
    names without control characters and within their length, the validity a span of real dates."""
    from ipdesk.domain.limits import MAX_NAME, MAX_YEAR, MIN_YEAR, text_problem

    try:
        holder, signer = unit_of(certificate), signer_name(certificate)
        start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    except (ValueError, TypeError):
        return "证书的持有人或有效期无法读取"
    problem = text_problem(holder, "证书的持有单位", MAX_NAME) or text_problem(signer, "证书的持有人", MAX_NAME)
    if problem:
        return problem
    if not (MIN_YEAR <= start.year <= MAX_YEAR and MIN_YEAR <= end.year <= 9999):
        return f"证书的有效期（{start.date()} 至 {end.date()}）不合理"
    if end < start:
        return f"证书的有效期结束（{end.date()}）早于开始（{start.date()}）"
    return ""


def normal_fingerprint(text: str) -> str:
    """A fingerprint as typed or read out (with or without colons, any case) → AB:CD:… as stored."""
    digits = "".join(ch for ch in text.upper() if ch in "0123456789ABCDEF")
    return ":".join(digits[i : i + 2] for i in range(0, len(digits), 2))


@dataclass(frozen=True)
class Registration:
    """What registering a certificate would do, for the user to confirm when a holder changes its key."""

    certificate: x509.Certificate
    holder: str
    kind: str  # "unit" or "city"
    replaces: tuple[TrustedCertificate, ...] = ()  # current certificates of the same holder
    already: bool = False

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)

    @property
    def signer(self) -> str:
        return signer_name(self.certificate)

    @property
    def key_change(self) -> bool:
        return bool(self.replaces) and not self.already

    def describe(self) -> str:
        kind = "市领导小组办公室" if self.kind == "city" else "单位"
        lines = [f"{kind}：{self.holder}", f"持有人：{self.signer}", f"指纹（SHA-256）：{self.fingerprint}"]
        if self.key_change:
            lines.append("该单位已登记另一证书，这表示它更换了签署密钥：")
            lines += [f"  原证书指纹：{old.fingerprint}（登记于 {old.added_at[:10]}）" for old in self.replaces]
            lines.append("原证书对更换前已签署的文件仍然有效。请先电话核对新证书的指纹。")
        return "\n".join(lines)


OFFICE_ENDING = "领导小组办公室"


def plan_registration(
    certificate: x509.Certificate,
    units: list[str],
    office: str,
    registered: list[TrustedCertificate],
    offices: tuple[str, ...] = (),
) -> Registration:
    """Check a certificate against the plans' units and offices and what is registered; nothing is changed.

    A city office's certificate (its holder ends with 领导小组办公室) is accepted before the workspace holds that
    city's plan: a unit registers it in order to import the plan file the office signs.
    """
    holder = unit_of(certificate)
    if holder == office or holder in offices or (holder.endswith(OFFICE_ENDING) and holder not in units):
        kind = "city"
    elif holder in units:
        kind = "unit"
    else:
        raise InvalidInput(f"证书的持有单位“{holder or '（未写明）'}”既不是本方案的责任单位，也不是{office}，不能登记")
    print_ = fingerprint(certificate)
    already = any(t.fingerprint == print_ for t in registered)
    replaces = tuple(t for t in registered if t.holder == holder and t.current and t.fingerprint != print_)
    return Registration(certificate, holder, kind, replaces, already)


def signing_moment(text: str) -> dt.datetime | None:
    """A signing time as an aware moment (one without an offset is taken as UTC); None when it cannot be read."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def replaced_key_problem(record: TrustedCertificate, signed_at: str, what: str) -> str:
    """Why a file signed with ``record``'s key must be refused ("" when it may be trusted): a key replaced by a
    newer registration is trusted only for what it signed before the replacement (before its second). A replaced
    key's file without a readable signing time is refused too: nothing shows it was signed before."""
    if not record.superseded_at:
        return ""
    replaced = signing_moment(record.superseded_at)
    moment = signing_moment(signed_at)
    # Files name their signing time to the second: one signed in the second of the replacement cannot be told
    # from one signed after it.
    if replaced is None or moment is None or moment >= replaced.replace(microsecond=0):
        when = f"（自称签署于 {signed_at[:19].replace('T', ' ')}）" if moment is not None else "（未写明签署时间）"
        return (
            f"签名人未知：{record.holder}已于 {record.superseded_at[:10]} 更换证书，此{what}由更换前的旧证书"
            f"在更换后签署{when}，不再可信"
        )
    return ""


def replaced_key_note(record: TrustedCertificate, signed_at: str) -> str:
    """The caution for a file a replaced key signed before its replacement: the signing time is the signer's own
    word, and a replaced key could be used with a clock set back."""
    if not record.superseded_at:
        return ""
    return (
        f"注意：由{record.holder}已于 {record.superseded_at[:10]} 更换的旧证书签署（自称签署于 {signed_at[:10]}），"
        "请与对方核实；如旧证书已不可信，请在“信任的证书”中移除"
    )

"""A unit's signing identity: its key and an X.509 certificate that names the unit.

The reviewer creates it on the first sign-off: an RSA-2048 key and a self-signed certificate (key usage
digitalSignature and nonRepudiation), kept as a PKCS#12 file encrypted with the reviewer's passphrase. The
certificate alone (``.cer``) is exported to register with the city office, and its SHA-256 fingerprint can be read
out over the phone. A PKCS#12 issued by the city office (signed by a city root) can be imported instead.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from ipdesk.domain.errors import InvalidInput

VALID_YEARS = 10
MIN_PASSPHRASE = 6


@dataclass(frozen=True)
class Identity:
    unit: str
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey | None = None  # None until unlocked with the passphrase

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)

    @property
    def signer(self) -> str:
        return signer_name(self.certificate)


@functools.lru_cache(maxsize=1024)  # a city import compares each file's certificate with every registered one
def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate, as pairs of hex digits: what is read out over the phone."""
    digest = certificate.fingerprint(hashes.SHA256()).hex().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def unit_of(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    if not names:
        names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def signer_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def _file_stem(unit: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]', "_", unit)


class KeyStore:
    """The folder of identities: ``<unit>.p12`` (encrypted key and certificate) and ``<unit>.cer`` (public)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def p12_path(self, unit: str) -> Path:
        return self.folder / f"{_file_stem(unit)}.p12"

    def cer_path(self, unit: str) -> Path:
        return self.folder / f"{_file_stem(unit)}.cer"

    def exists(self, unit: str) -> bool:
        return self.p12_path(unit).exists() and self.cer_path(unit).exists()

    def certificate(self, unit: str) -> x509.Certificate:
        try:
            return x509.load_pem_x509_certificate(self.cer_path(unit).read_bytes())
        except FileNotFoundError:
            raise InvalidInput(f"“{unit}”还没有签署密钥。审核人第一次签署时会创建。") from None
        except ValueError as error:
            raise InvalidInput(f"“{unit}”的证书文件已损坏：{self.cer_path(unit)}") from error

    def public(self, unit: str) -> Identity:
        return Identity(unit, self.certificate(unit))

    def create(self, unit: str, signer: str, passphrase: str, now: dt.datetime | None = None) -> Identity:
        """A new key and self-signed certificate for ``unit``, signed off by ``signer``."""
        if self.exists(unit):
            raise InvalidInput(f"“{unit}”已有签署密钥（指纹 {self.public(unit).fingerprint}），不能重复创建")
        _check_passphrase(passphrase)
        now = now or dt.datetime.now(dt.UTC)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, unit),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "ipdesk 报告签署"),
                x509.NameAttribute(NameOID.COMMON_NAME, signer or unit),
            ]
        )
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=365 * VALID_YEARS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        self._store(unit, key, certificate, passphrase)
        return Identity(unit, certificate, key)

    def unlock(self, unit: str, passphrase: str) -> Identity:
        """The identity with its key; a wrong passphrase is refused and nothing changes."""
        try:
            data = self.p12_path(unit).read_bytes()
        except FileNotFoundError:
            raise InvalidInput(f"“{unit}”还没有签署密钥。审核人第一次签署时会创建。") from None
        try:
            key, certificate, _ = pkcs12.load_key_and_certificates(data, passphrase.encode("utf-8"))
        except ValueError:
            raise InvalidInput("口令不正确，未签署。请重新输入审核人的签署口令。") from None
        if key is None or certificate is None or not isinstance(key, rsa.RSAPrivateKey):
            raise InvalidInput(f"签署密钥文件不完整：{self.p12_path(unit)}")
        if unit_of(certificate) != unit:
            raise InvalidInput(f"密钥文件中的证书属于“{unit_of(certificate)}”，不是“{unit}”，不能用来签署本单位的报告")
        return Identity(unit, certificate, key)

    def import_pkcs12(self, unit: str, source: Path, passphrase: str) -> Identity:
        """Take a PKCS#12 issued by the city office; its certificate must name ``unit``."""
        try:
            key, certificate, _ = pkcs12.load_key_and_certificates(
                Path(source).read_bytes(), passphrase.encode("utf-8")
            )
        except FileNotFoundError:
            raise InvalidInput(f"找不到文件：{source}") from None
        except ValueError:
            raise InvalidInput("无法打开该 PKCS#12 文件：口令不正确或文件已损坏") from None
        if key is None or certificate is None or not isinstance(key, rsa.RSAPrivateKey):
            raise InvalidInput("该 PKCS#12 文件中没有 RSA 签署密钥和证书")
        if unit_of(certificate) != unit:
            raise InvalidInput(f"该证书属于“{unit_of(certificate)}”，不是“{unit}”，不能导入")
        if self.exists(unit):
            raise InvalidInput(f"“{unit}”已有签署密钥，请先联系系统管理员处理旧密钥")
        self._store(unit, key, certificate, passphrase)
        return Identity(unit, certificate, key)

    def export_certificate(self, unit: str, target: Path) -> Path:
        """Write the certificate (DER ``.cer``, what Windows opens) for the city office to register."""
        from ipdesk.reports.files import write_bytes_into

        data = self.certificate(unit).public_bytes(serialization.Encoding.DER)
        target = Path(target)
        return write_bytes_into(target.parent, target.name, data)

    def _store(self, unit: str, key: rsa.RSAPrivateKey, certificate: x509.Certificate, passphrase: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        bundle = pkcs12.serialize_key_and_certificates(
            unit.encode("utf-8"),
            key,
            certificate,
            None,
            serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
        )
        for path, data in (
            (self.p12_path(unit), bundle),
            (self.cer_path(unit), certificate.public_bytes(serialization.Encoding.PEM)),
        ):
            temp = path.with_suffix(path.suffix + ".part")
            temp.write_bytes(data)
            os.replace(temp, path)


def _check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise InvalidInput(f"签署口令至少 {MIN_PASSPHRASE} 位")

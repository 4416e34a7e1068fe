"""Signatures over bytes, and the checks a certificate must pass when a signature is verified."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def sign(key: rsa.RSAPrivateKey, data: bytes) -> bytes:
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def verify(certificate: x509.Certificate, data: bytes, signature: bytes) -> bool:
    public = certificate.public_key()
    if not isinstance(public, rsa.RSAPublicKey):
        return False
    try:
        public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def validity_problem(certificate: x509.Certificate, at: dt.datetime) -> str:
    """Why the certificate was not valid at ``at`` (empty when it was)."""
    if at < certificate.not_valid_before_utc:
        return f"签署时证书尚未生效（{certificate.not_valid_before_utc:%Y-%m-%d} 起）"
    if at > certificate.not_valid_after_utc:
        return f"签署时证书已过期（{certificate.not_valid_after_utc:%Y-%m-%d} 到期）"
    return ""

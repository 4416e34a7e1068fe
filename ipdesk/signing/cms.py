"""Detached CMS signatures (``.p7s``) over a file's bytes, which standard tools such as ``openssl cms -verify``
can check, and their verification here without a network.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from ipdesk.signing import signatures
from ipdesk.signing.identity import Identity


def sign_detached(identity: Identity, data: bytes) -> bytes:
    assert identity.key is not None
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(data)
        .add_signer(identity.certificate, identity.key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])
    )


@dataclass(frozen=True)
class CmsCheck:
    certificate: x509.Certificate | None
    digest_matches: bool
    signature_valid: bool
    signing_time: str = ""


def check_detached(signature: bytes, data: bytes) -> CmsCheck:
    """Parse a DER CMS SignedData and check it against ``data``; raises ValueError when it is not one."""
    from asn1crypto import cms

    info = cms.ContentInfo.load(signature)
    if info["content_type"].native != "signed_data":
        raise ValueError("not a CMS SignedData")
    signed = info["content"]
    signer = signed["signer_infos"][0]
    certificates = [x509.load_der_x509_certificate(c.chosen.dump()) for c in signed["certificates"]]
    serial = signer["sid"].chosen["serial_number"].native
    certificate = next((c for c in certificates if c.serial_number == serial), None)
    attributes = signer["signed_attrs"]
    digest = next((a["values"][0].native for a in attributes if a["type"].native == "message_digest"), None)
    time = next((a["values"][0].native for a in attributes if a["type"].native == "signing_time"), None)
    digest_matches = digest == hashlib.sha256(data).digest()
    # The signature covers the DER encoding of the signed attributes as a SET (tag 0x31), not their [0] form.
    signed_bytes = b"\x31" + attributes.dump()[1:]
    valid = certificate is not None and signatures.verify(certificate, signed_bytes, signer["signature"].native)
    return CmsCheck(certificate, digest_matches, valid, time.isoformat() if time else "")

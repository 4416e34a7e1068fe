"""The signed PDF: a standard PAdES (baseline B) signature by pyHanko, and its offline verification.

The visible stamp and the QR code are drawn by reportlab in the signature block (pyHanko's own stamp spaces Chinese
poorly and slowly); the signature field itself is invisible. An empty, visible signature field is left over the
seal's place so that a unit's electronic-seal system can add its seal later.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ipdesk.signing.identity import Identity

FIELD = "ipdesk签署"
SEAL_FIELD = "单位电子印章"


def sign_pdf(pdf: bytes, identity: Identity, seal: dict, reason: str, location: str) -> bytes:
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    assert identity.key is not None
    certificate = asn1_x509.Certificate.load(identity.certificate.public_bytes(serialization.Encoding.DER))
    key = asn1_keys.PrivateKeyInfo.load(
        identity.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    signer = signers.SimpleSigner(
        signing_cert=certificate, signing_key=key, cert_registry=SimpleCertificateStore.from_certs([certificate])
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    if seal.get("box"):
        fields.append_signature_field(
            writer, fields.SigFieldSpec(SEAL_FIELD, on_page=seal["page"], box=tuple(round(v, 2) for v in seal["box"]))
        )
    out = io.BytesIO()
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    signers.sign_pdf(writer, metadata, signer=signer, output=out)
    return out.getvalue()


@dataclass(frozen=True)
class PdfCheck:
    found: bool
    intact: bool
    whole_file: bool
    certificate: x509.Certificate | None
    keywords: str
    signing_time: str


def check_pdf(pdf: bytes) -> PdfCheck:
    """Whether the ipdesk signature is there, covers the file as it is, and what it was signed with.

    Trust is decided by the caller against its own list; this checks only integrity. Raises ValueError when
    the bytes are not a readable PDF.
    """
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        info = reader.trailer["/Info"] if "/Info" in reader.trailer else None
        keywords = str(info.get("/Keywords", "")) if info is not None else ""
        signature = next((s for s in reader.embedded_signatures if s.field_name == FIELD), None)
    except (PdfReadError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(str(error)) from error
    if signature is None:
        return PdfCheck(False, False, False, None, keywords, "")
    certificate = x509.load_der_x509_certificate(signature.signer_cert.dump())
    try:
        status = validate_pdf_signature(
            signature, ValidationContext(trust_roots=[signature.signer_cert], allow_fetching=False)
        )
    except (SignatureValidationError, ValueError):
        return PdfCheck(True, False, False, certificate, keywords, "")
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    when = status.signer_reported_dt.isoformat() if status.signer_reported_dt else ""
    # Later revisions may only fill in form fields (a seal system signing the empty seal field), nothing else.
    unchanged = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level is not None
        and status.modification_level <= ModificationLevel.FORM_FILLING
    )
    return PdfCheck(True, status.intact and status.valid, unchanged, certificate, keywords, when)

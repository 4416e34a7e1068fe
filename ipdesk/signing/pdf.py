"""The signed PDF: a standard PAdES (baseline B) signature by pyHanko, and its offline examination.

The visible stamp and the QR code are drawn by reportlab in the signature block (pyHanko's own stamp spaces Chinese
poorly and slowly); the signature field itself is invisible. The return document (format 2) is embedded in the signed
revision as the attachment ``ipdesk-return.json``, so unit, plan, period and version are read from what the
signature covers and never from the document information (``/Info``), which anyone can change afterwards. An empty,
visible signature field is left over the seal's place so that a unit's electronic-seal system can add its seal later.

``check_pdf`` reports what the ipdesk signature covers and everything added after it, revision by revision: a
later revision that only adds a signature (the seal) is reported as that signature, for the verifier to judge
against its trusted certificates; anything else is described in words.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ipdesk.signing.identity import Identity, fingerprint, signer_name, unit_of

FIELD = "ipdesk签署"
SEAL_FIELD = "单位电子印章"
RETURN_FILE = "ipdesk-return.json"
# What a later signature's own revision may change in the document information: the tool and the time of saving.
INFO_KEYS_A_SIGNATURE_MAY_TOUCH = {"/ModDate", "/Producer"}


def sign_pdf(pdf: bytes, identity: Identity, seal: dict, reason: str, location: str, return_text: str = "") -> bytes:
    """Sign ``pdf`` with the unit's key; ``return_text`` (the signed return's JSON) is embedded in the signed
    revision; the empty seal field is added where the layout left the seal's place."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils import embed
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
    signer = _loaded_key_signer(signers.SimpleSigner, identity)(
        signing_cert=certificate, signing_key=key, cert_registry=SimpleCertificateStore.from_certs([certificate])
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    if return_text:
        data = embed.EmbeddedFileObject.from_file_data(
            writer,
            return_text.encode("utf-8"),
            mime_type="application/json",
            params=embed.EmbeddedFileParams(embed_checksum=False),
        )
        embed.embed_file(
            writer,
            embed.FileSpec(
                file_spec_string=RETURN_FILE,
                file_name=RETURN_FILE,
                embedded_data=data,
                description="ipdesk 报送数据（签署时的报告内容，格式见 docs/return-format.md）",
            ),
        )
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
    signers.sign_pdf(writer, metadata, signer=signer, output=out, bytes_reserved=signature_room(identity))
    return out.getvalue()


def signature_room(identity: Identity) -> int:
    """The room kept in the PDF for the signature (the CMS object, written as hex digits). Left to itself, pyHanko
    makes a whole trial signature to measure it, which costs as much as the real one. The CMS holds the certificate
    twice (as the signer's and in the signer's certificate store), the issuer's name twice (the signer's identifier
    and the signing-certificate attribute), the signature value and about 300 bytes of fixed structure; 2 KB more is
    room to spare."""
    certificate = identity.certificate
    key = certificate.public_key()
    key_bytes = key.key_size // 8 if isinstance(key, rsa.RSAPublicKey) else 512
    size = 2 * len(certificate.public_bytes(serialization.Encoding.DER)) + 2 * len(certificate.issuer.public_bytes())
    return 2 * (size + key_bytes + 2048)


_HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}


def _loaded_key_signer(simple_signer: type, identity: Identity) -> type:
    """pyHanko's SimpleSigner for ``identity``, signing with the key already unlocked. pyHanko's own parses the key
    from DER on every signature, and OpenSSL checks an RSA key's primes each time it is loaded (about 0.1 s a time,
    twice per signed PDF); the signature made is the same (PKCS #1 v1.5 is deterministic)."""
    key = identity.key

    class LoadedKeySigner(simple_signer):
        def sign_raw(self, data: bytes, digest_algorithm: str, *args, **kwargs) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            if mechanism == "rsassa_pkcs1v15" and digest_algorithm in _HASHES and isinstance(key, rsa.RSAPrivateKey):
                return key.sign(data, padding.PKCS1v15(), _HASHES[digest_algorithm])
            return super().sign_raw(data, digest_algorithm, *args, **kwargs)

    return LoadedKeySigner


@dataclass(frozen=True)
class LaterSignature:
    """A signature added after the ipdesk signature (a seal, or anybody's)."""

    field: str
    certificate: x509.Certificate | None
    intact: bool  # its own signature checks, over exactly what it claims to cover

    @property
    def signer(self) -> str:
        if self.certificate is None:
            return "（无证书）"
        unit, person = unit_of(self.certificate), signer_name(self.certificate)
        return person if unit in ("", person) else f"{unit} {person}"

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate) if self.certificate is not None else ""


@dataclass(frozen=True)
class PdfCheck:
    found: bool  # the ipdesk signature field holds a signature
    intact: bool  # it checks against the bytes of its revision
    certificate: x509.Certificate | None
    signing_time: str
    return_text: str = ""  # the embedded return (format 2), read from the signed revision
    keywords: str = ""  # /Keywords of the signed revision's document information (format 1 names the unit there)
    later_signatures: tuple[LaterSignature, ...] = ()
    changes: tuple[str, ...] = field(default=())  # what was added after signing besides signatures, in words


def check_pdf(pdf: bytes) -> PdfCheck:
    """What the ipdesk signature covers and what came after it. Trust is decided by the caller.

    Raises ValueError when the bytes are not a readable PDF.
    """
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = list(reader.embedded_signatures)
    except (PdfError, KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError) as error:
        raise ValueError(str(error)) from error
    ours = next((s for s in signatures if s.field_name == FIELD), None)
    if ours is None:
        return PdfCheck(False, False, None, "")
    certificate = x509.load_der_x509_certificate(ours.signer_cert.dump())
    status = _validate(ours)
    if status is None or not (status.intact and status.valid):
        return PdfCheck(True, False, certificate, "")
    when = status.signer_reported_dt.isoformat() if status.signer_reported_dt else ""
    signed_revision = ours.signed_revision
    history = reader.get_historical_resolver(signed_revision)
    return_text = _embedded_return(history)
    keywords = _info(history).get("/Keywords", "")
    later = [s for s in signatures if s.signed_revision > signed_revision]
    changes = _later_changes(reader, signed_revision, status, later)
    return PdfCheck(
        True,
        True,
        certificate,
        when,
        return_text,
        str(keywords),
        tuple(_later_signature(s) for s in later),
        tuple(changes),
    )


def _validate(signature):
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko_certvalidator import ValidationContext

    try:
        return validate_pdf_signature(
            signature, ValidationContext(trust_roots=[signature.signer_cert], allow_fetching=False)
        )
    except (SignatureValidationError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _later_signature(signature) -> LaterSignature:
    try:
        certificate = x509.load_der_x509_certificate(signature.signer_cert.dump())
    except (ValueError, KeyError, TypeError, AttributeError):
        certificate = None
    status = _validate(signature)
    return LaterSignature(str(signature.field_name), certificate, bool(status and status.intact and status.valid))


def _embedded_return(history) -> str:
    """The text of ``ipdesk-return.json`` as it was in the signed revision ("" when there is none)."""
    try:
        names = history.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except (KeyError, TypeError):
        return ""
    found = []
    for index in range(0, len(names) - 1, 2):
        if str(names[index]) == RETURN_FILE:
            found.append(names[index + 1].get_object()["/EF"]["/F"].get_object().data)
    if len(found) != 1:
        return ""
    return found[0].decode("utf-8")


def _info(history) -> dict[str, str]:
    try:
        info = history.trailer_view["/Info"]
    except KeyError:
        return {}
    return {str(key): str(value) for key, value in info.items()}


_LEVEL_WORDS = {
    "ANNOTATIONS": "添加或修改了批注",
    "OTHER": "修改了页面或文档内容",
}


def _later_changes(reader, signed_revision: int, status, later: list) -> list[str]:
    """What the revisions after ``signed_revision`` changed, other than adding signatures, in words."""
    from pyhanko.sign.diff_analysis import ModificationLevel

    total = reader.xrefs.total_revisions
    if signed_revision >= total - 1:
        return []
    found: list[str] = []
    level = status.modification_level
    if level is None or level > ModificationLevel.FORM_FILLING:
        found.append(_LEVEL_WORDS.get(level.name if level else "OTHER", "修改了文档内容"))
        found += _changed_kinds(reader, signed_revision, total)
    signed_revisions = {s.signed_revision for s in later}
    unsigned = [r for r in range(signed_revision + 1, total) if r not in signed_revisions]
    if unsigned and not found:
        found.append("签署后另存了未经签名的修改（填写了表单或更新了文档）")
    before = _info(reader.get_historical_resolver(signed_revision))
    after = _info(reader.get_historical_resolver(total - 1))
    touched = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    if touched - INFO_KEYS_A_SIGNATURE_MAY_TOUCH or (touched and unsigned):
        names = "、".join(sorted(k.lstrip("/") for k in touched))
        found.append(f"修改了文档信息（{names}）")
    return list(dict.fromkeys(found))


_KIND_WORDS = {
    "/Annot": "批注",
    "/Page": "页面",
    "/XObject": "图形",
    "/Font": "字体",
    "/EmbeddedFile": "附件",
    "/Filespec": "附件",
    "/Metadata": "元数据",
    "/Action": "动作或脚本",
}


def _changed_kinds(reader, signed_revision: int, total: int) -> list[str]:
    """The kinds of objects written after the signed revision, for the message ("页面、批注")."""
    kinds = []
    for revision in range(signed_revision + 1, total):
        history = reader.get_historical_resolver(revision)
        for ref in reader.xrefs.explicit_refs_in_revision(revision):
            try:
                obj = history.get_object(ref)
                kind = str(obj.get("/Type", "")) if hasattr(obj, "get") else ""
                subtype = str(obj.get("/Subtype", "")) if hasattr(obj, "get") else ""
            except Exception:  # a damaged object is still a change; its kind is simply unknown
                kind = subtype = ""
            if kind == "/Annot" and subtype == "/Widget":
                continue
            word = _KIND_WORDS.get(kind)
            if word:
                kinds.append(f"新增或修改了{word}")
    return list(dict.fromkeys(kinds))

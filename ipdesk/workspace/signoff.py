"""签署: the reviewer signs a submitted period, which freezes its data; 修订 starts the next version.

Signing takes the period's snapshot as it is now, records who signed and when, signs its canonical JSON with the
unit's key, and makes the signed workbook and its detached ``.p7s`` at once. All of it is stored with the report
version, so that version's files can be exported again later byte for byte, whatever happens to the data after.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.periods import Period
from ipdesk.domain.plan import Unit
from ipdesk.domain.reports import ReportAction, ReportState, ReportStatus, next_status, person_name
from ipdesk.domain.signed_text import text_sha256
from ipdesk.paths import user_data_dir
from ipdesk.reports.files import report_file_name
from ipdesk.reports.snapshot import ReportSnapshot
from ipdesk.store import report_store
from ipdesk.workspace.plan import as_period

if TYPE_CHECKING:
    from cryptography import x509

    from ipdesk.signing.identity import Identity, KeyStore
    from ipdesk.signing.verify import Verdict
    from ipdesk.workspace.core import Workspace


@dataclasses.dataclass(frozen=True)
class SignedVersion:
    snapshot: ReportSnapshot
    signed_at: str
    signed_by: str
    files: dict[str, tuple[str, bytes]]  # kind → (file name, content)


class SignOff:
    def __init__(self, ws: Workspace, keys: KeyStore | None = None):
        self._ws = ws
        self._keys = keys

    @property
    def keys(self) -> KeyStore:
        """The unit keys of this computer (cryptography is imported only when they are needed)."""
        if self._keys is None:
            from ipdesk.signing.identity import KeyStore

            self._keys = KeyStore(user_data_dir() / "keys")
        return self._keys

    # -- the unit's identity ------------------------------------------------------------------------------------
    def identity(self, unit: str | Unit) -> Identity | None:
        name = self._ws.units.name_of(unit)
        return self.keys.public(name) if self.keys.exists(name) else None

    def create_identity(self, unit: str | Unit, passphrase: str, reviewer: str | None = None) -> Identity:
        """The unit's signing key and certificate, made for the named reviewer (the certificate's subject)."""
        name = self._ws.units.name_of(unit)
        signer = person_name(reviewer or self._ws.settings.get(self._ws.settings.REVIEWER_NAME))
        identity = self.keys.create(name, signer, passphrase)
        self.trust_certificate(identity.certificate)
        return identity

    # -- signing ------------------------------------------------------------------------------------------------
    def sign(
        self,
        unit: str | Unit,
        period: str | Period,
        passphrase: str,
        create: bool = False,
        now: dt.datetime | None = None,
        reviewer: str | None = None,
    ) -> ReportState:
        """Sign the submitted period as the named reviewer (``reviewer``, else the one in 设置).

        A wrong passphrase, a missing or expired key, no reviewer's name or a report that is not submitted change
        nothing.
        """
        ws = self._ws
        name, when = ws.units.name_of(unit), as_period(period)
        state = ws.reports.state(name, when)
        next_status(
            state.status if state else ReportStatus.DRAFT,
            ReportAction.SIGN,
            f"{when.chinese}的报告（v{state.version if state else 1}）",
        )
        assert state is not None
        signer = person_name(reviewer or ws.settings.get(ws.settings.REVIEWER_NAME))
        from cryptography.hazmat.primitives import serialization

        from ipdesk.signing import signatures

        if not self.keys.exists(name):
            if not create:
                raise InvalidInput(f"“{name}”还没有签署密钥，请先创建（第一次签署时设置审核人的签署口令）")
            self.create_identity(name, passphrase, signer)
        identity = self.keys.unlock(name, passphrase)
        assert identity.key is not None  # unlocked
        moment = now or dt.datetime.now(dt.UTC)
        problem = signatures.validity_problem(identity.certificate, moment)
        if problem:
            raise InvalidInput(f"不能签署：{problem}。请向市知识产权局申请新证书或重新创建签署密钥。")
        signed_at = moment.astimezone().isoformat(timespec="seconds")
        draft = ws.reports.snapshot(name, when)
        snapshot = dataclasses.replace(
            draft,
            header=dataclasses.replace(
                draft.header,
                version=state.version,
                status=ReportStatus.SIGNED.value,
                reviewer=signer,
                signed_at=signed_at,
                signed_by=signer,
                fingerprint=identity.fingerprint,
                created_at=state.created_at,
                submitted_at=state.submitted_at,
                submitted_by=state.submitted_by,
            ),
        )
        text = snapshot.canonical_json()
        digest = text_sha256(text)
        signature = signatures.sign(identity.key, text.encode("utf-8"))
        pem = identity.certificate.public_bytes(serialization.Encoding.PEM)
        files = self._make_files(snapshot, identity, text, digest, signature, pem)
        report_store.record_signature(
            ws.db,
            ws.ids.units[name],
            name,
            when.code,
            state.version,
            signed_at,
            signer,
            text,
            digest,
            signature,
            pem,
            files,
            ws.actor,
            ws.plan.code,
        )
        signed = ws.reports.state(name, when)
        assert signed is not None  # just recorded
        return signed

    def _make_files(
        self, snapshot: ReportSnapshot, identity: Identity, text: str, digest: str, signature: bytes, pem: bytes
    ) -> list[tuple[str, str, bytes, str]]:
        from ipdesk.reports.pdf import write_pdf
        from ipdesk.signing.cms import sign_detached
        from ipdesk.signing.pdf import sign_pdf
        from ipdesk.signing.workbook import SignedReturn, write_signed_workbook

        h = snapshot.header
        workbook_name = report_file_name(h.units, h.period, h.version, "xlsx", h.sample)
        with tempfile.TemporaryDirectory(prefix="ipdesk-sign-") as folder:
            path = Path(folder) / "signed.xlsx"
            write_signed_workbook(snapshot, path, SignedReturn(text, digest, signature, pem), identity)
            workbook = path.read_bytes()
            pdf_path = Path(folder) / "report.pdf"
            seal = write_pdf(snapshot, pdf_path, self._ws.settings.get(self._ws.settings.PDF_FONT))
            pdf = sign_pdf(
                pdf_path.read_bytes(),
                identity,
                seal,
                reason=f"{h.period_name}工作进展审核签署",
                location=h.unit_line,
                return_text=text,
            )
        p7s = sign_detached(identity, workbook)
        pdf_name = report_file_name(h.units, h.period, h.version, "pdf", h.sample)
        return [
            ("xlsx", workbook_name, workbook, hashlib.sha256(workbook).hexdigest()),
            ("p7s", workbook_name + ".p7s", p7s, hashlib.sha256(p7s).hexdigest()),
            ("pdf", pdf_name, pdf, hashlib.sha256(pdf).hexdigest()),
        ]

    def signed(self, unit: str | Unit, period: str | Period, version: int | None = None) -> SignedVersion | None:
        """The signed snapshot and files of ``version`` (default: the latest version), if it was signed."""
        ws = self._ws
        name, when = ws.units.name_of(unit), as_period(period)
        if version is None:
            state = ws.reports.state(name, when)
            if state is None:
                return None
            version = state.version
        record = report_store.signed_record(ws.db, ws.ids.units[name], when.code, version)
        if record is None:
            return None
        from ipdesk.reports.return_format import read_return  # a signed version's document: not for a draft

        return SignedVersion(
            read_return(record["snapshot_json"]).snapshot, record["signed_at"], record["signed_by"], record["files"]
        )

    def revise(self, unit: str | Unit, period: str | Period) -> int:
        """修订: a new draft version after a signed one, which stays as it is; returns its number."""
        return self._ws.reports.revise(unit, period)

    def export_certificate(self, unit: str | Unit, target: str | Path) -> Path:
        """Write ``unit``'s certificate (``.cer``) for the city office (or, for the office, the units) to register."""
        return self.keys.export_certificate(unit if isinstance(unit, str) else unit.name, Path(target))

    def import_identity(self, unit: str | Unit, source: str | Path, passphrase: str) -> Identity:
        """Take the signing key and certificate the city office issued to ``unit`` (PKCS#12), and trust it here."""
        identity = self.keys.import_pkcs12(unit if isinstance(unit, str) else unit.name, Path(source), passphrase)
        self.trust_certificate(identity.certificate)
        return identity

    # -- trust ----------------------------------------------------------------------------------------------
    def trust_certificate(self, certificate: x509.Certificate) -> bool:
        """Trust the unit's own new certificate (so that its own exports verify here)."""
        from cryptography.hazmat.primitives import serialization

        from ipdesk.signing.identity import fingerprint, unit_of
        from ipdesk.store import trust_store

        pem = certificate.public_bytes(serialization.Encoding.PEM)
        return trust_store.add(self._ws.db, fingerprint(certificate), unit_of(certificate), pem, "unit", self._ws.actor)

    def verify(self, path: str | Path) -> Verdict:
        """The verdict on a received file, trusting the certificates registered in this workspace."""
        from ipdesk.signing.verify import verify_file

        return verify_file(Path(path), self.trusted())

    @staticmethod
    def verify_with(path: str | Path, trusted: list[x509.Certificate]) -> Verdict:
        """The verdict on a file, trusting ``trusted`` only (no workspace needed: ``ipdesk verify --trust``)."""
        from ipdesk.signing.verify import verify_file

        return verify_file(Path(path), trusted)

    def trusted(self) -> list[x509.Certificate]:
        return self._ws.trust.certificates()

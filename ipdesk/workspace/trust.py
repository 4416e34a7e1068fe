"""``ws.trust``: the certificates this workspace trusts — the units' at the city office, the office's at a unit."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.returns import TrustedCertificate
from ipdesk.store import trust_store

if TYPE_CHECKING:
    from cryptography import x509

    from ipdesk.exchange.trust import Registration
    from ipdesk.workspace.core import Workspace


class Trust:
    def __init__(self, ws: Workspace):
        self._ws = ws

    def all(self) -> list[TrustedCertificate]:
        return trust_store.all_trusted(self._ws.db)

    def registered(self, kind: str | None = None) -> list[TrustedCertificate]:
        """The registrations (of ``kind``: "unit" or "city"), replaced ones included, with when they were replaced:
        what ``exchange.trust.replaced_key_problem`` judges a signed file by."""
        return [t for t in self.all() if kind is None or t.kind == kind]

    def certificates(self, kind: str | None = None) -> list[x509.Certificate]:
        """The trusted certificates (of ``kind``: "unit" or "city"), superseded ones included: they remain valid
        for what they signed before they were replaced."""
        from cryptography import x509

        return [x509.load_pem_x509_certificate(t.pem) for t in self.all() if kind is None or t.kind == kind]

    def check(self, path: str | Path) -> Registration:
        """What registering the certificate in ``path`` would do (nothing is changed)."""
        from ipdesk.exchange.trust import load_certificate

        return self.check_certificate(load_certificate(Path(path)))

    def check_certificate(self, certificate: x509.Certificate) -> Registration:
        from ipdesk.exchange.trust import plan_registration
        from ipdesk.store import plan_store

        ws = self._ws
        plans = [plan_store.read_plan(ws.db, p.id) for p in ws.plans.all() if p.id != ws.plan_id]
        units = list(dict.fromkeys(u.name for plan in [ws.plan, *plans] for u in plan.units))
        offices = tuple(plan.office_name for plan in plans)
        return plan_registration(certificate, units, ws.plan.office_name, self.all(), offices)

    def add(self, path: str | Path, key_change_confirmed: bool = False) -> Registration:
        """Register the certificate in ``path``. A holder that already has another current certificate is changing
        its key: refused unless ``key_change_confirmed``; the old certificate is then marked superseded."""
        from ipdesk.exchange.trust import load_certificate

        return self.add_certificate(load_certificate(Path(path)), key_change_confirmed)

    def add_certificate(self, certificate: x509.Certificate, key_change_confirmed: bool = False) -> Registration:
        from cryptography.hazmat.primitives import serialization

        ws = self._ws
        if ws.read_only:
            raise InvalidInput("以只读方式打开，不能登记证书")
        registration = self.check_certificate(certificate)
        if registration.already:
            return registration
        if registration.key_change and not key_change_confirmed:
            raise InvalidInput(
                f"“{registration.holder}”更换了签署证书，需要确认后才能登记（命令行加 --yes）。\n"
                + registration.describe()
            )
        if not ws.kind:
            ws.set_kind("unit" if registration.kind == "city" else "city")
        pem = certificate.public_bytes(serialization.Encoding.PEM)
        with ws.db.atomic():
            for old in registration.replaces:
                trust_store.supersede(ws.db, old.fingerprint, ws.actor)
            trust_store.add(ws.db, registration.fingerprint, registration.holder, pem, registration.kind, ws.actor)
        return registration

    def remove(self, fingerprint_text: str) -> TrustedCertificate:
        """Stop trusting a certificate, named by its fingerprint (colons optional) or a unique beginning of it."""
        from ipdesk.exchange.trust import normal_fingerprint

        ws = self._ws
        if ws.read_only:
            raise InvalidInput("以只读方式打开，不能修改信任的证书")
        wanted = normal_fingerprint(fingerprint_text)
        if len(wanted.replace(":", "")) < 8:
            raise InvalidInput("请写出证书指纹（至少前 8 位十六进制数字）")
        matches = [t for t in self.all() if t.fingerprint.startswith(wanted)]
        if not matches:
            raise InvalidInput(f"没有登记指纹为 {fingerprint_text} 的证书；用 ipdesk trust list 查看")
        if len(matches) > 1:
            raise InvalidInput(f"指纹 {fingerprint_text} 对应多个证书，请写得更完整")
        trust_store.remove(ws.db, matches[0].fingerprint, ws.actor)
        return matches[0]

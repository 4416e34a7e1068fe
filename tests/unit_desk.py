"""A unit's own workspace for tests that need signed returns made the way units make them."""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import itertools
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ipdesk import Workspace
from ipdesk.signing.identity import KeyStore
from ipdesk.workspace.sample_data import fill_sample

PASS = "单位签署口令"
_blank: list[Path] = []  # the blank workspace of this test process, made on first use
_KEYS = (Path(__file__).parent / "fixtures" / "test_keys" / "unit_keys.pem").read_text(encoding="ascii")
_PEMS = [f"-----BEGIN{part}" for part in _KEYS.split("-----BEGIN")[1:]]
_turn = itertools.count()


@contextlib.contextmanager
def premade_keys() -> Iterator[None]:
    """Within: the keys ipdesk generates come from the committed test keys (fixtures/test_keys/README.md), ten in
    turn, so that up to ten keys made together all differ. Certificates and key files are still ipdesk's own."""

    def take(public_exponent: int, key_size: int, backend: object = None) -> rsa.RSAPrivateKey:
        assert (public_exponent, key_size) == (65537, 2048)
        pem = _PEMS[next(_turn) % len(_PEMS)].encode("ascii")
        key = serialization.load_pem_private_key(pem, None, unsafe_skip_rsa_key_validation=True)  # ours, valid
        assert isinstance(key, rsa.RSAPrivateKey)
        return key

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rsa, "generate_private_key", take)
        yield


def new_workspace(path: Path, actor: str) -> Workspace:
    """A new workspace at ``path``, copied from a blank one made once per test process: building the embedded
    plan's tables takes about 0.1 s a workspace, and the tests of signed returns do not test that. The copies share
    the blank one's workspace identity, which only backups read."""
    if not _blank:
        folder = Path(tempfile.mkdtemp(prefix="ipdesk-blank-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        Workspace(folder / "blank.db", actor="模板").close()
        assert not (folder / "blank.db-wal").exists()  # all of it in the one file
        _blank.append(folder / "blank.db")
    shutil.copyfile(_blank[0], path)
    return Workspace(path, actor=actor)


class UnitDesk:
    """A unit's own workspace, with its key in a folder of its own."""

    def __init__(self, folder: Path, unit: str):
        self.unit, self.folder = unit, folder
        folder.mkdir(parents=True, exist_ok=True)
        self.ws = new_workspace(folder / "unit.db", actor="王芳")
        self.ws.signoff._keys = KeyStore(folder / "keys")
        self.ws.settings.update(
            {"unit": unit, "clerk_name": "王芳", "clerk_phone": "029-8888", "reviewer_name": "李强"}
        )

    def sign(self, period: str, out: Path, edit: str = "", now: dt.datetime | None = None) -> dict[str, Path]:
        """Fill (or edit), submit, sign and export ``period``; returns the files by suffix."""
        ws = self.ws
        rows = ws.progress.for_unit(self.unit, period)
        if not any(row.progress.status for row in rows):
            fill_sample(ws, self.unit, period, mark=False)
        if edit:
            first = next(row.progress for row in ws.progress.for_unit(self.unit, period) if row.progress.status)
            ws.progress.save(first.with_changes(achievements=edit))
        ws.reports.submit(self.unit, period)
        with premade_keys():
            ws.signoff.sign(self.unit, period, PASS, create=ws.signoff.identity(self.unit) is None, now=now)
        version = ws.reports.state(self.unit, period).version
        folder = out / f"{self.unit}-{period}-v{version}"
        folder.mkdir(parents=True, exist_ok=True)
        return {p.suffix: p for p in ws.reports.export(self.unit, period, folder)}

    def create_key(self, now: dt.datetime | None = None) -> None:
        """The unit's key and certificate, made by its reviewer 李强 (``now``: when the certificate starts)."""
        with premade_keys():
            self.ws.signoff.keys.create(self.unit, "李强", PASS, now=now)

    def certificate(self) -> Path:
        path = self.folder / f"{self.unit}.cer"
        self.ws.signoff.keys.export_certificate(self.unit, path)
        return path

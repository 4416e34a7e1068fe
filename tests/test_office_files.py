"""The envelope the city office's signed files travel in (plan file, feedback file), attacked directly: whatever a
forger, a damaged copy or a newer release makes of it, the reader says what is wrong in Chinese and accepts nothing."""

from __future__ import annotations

import json

import pytest

from ipdesk.domain import InvalidInput
from ipdesk.domain.returns import TrustedCertificate
from ipdesk.domain.signed_text import text_sha256
from ipdesk.exchange import envelope, feedback, plan_file
from ipdesk.signing.identity import KeyStore

OFFICE = "西安市知识产权强市建设工作领导小组办公室"
KINDS = [pytest.param(feedback.KIND, id="feedback"), pytest.param(plan_file.KIND, id="plan")]


def registered(*identities, replaced_at: str = "") -> list[TrustedCertificate]:
    """The identities as registered here (all replaced at ``replaced_at`` when given)."""
    return [
        TrustedCertificate(i.fingerprint, i.unit, "city", "2025-01-01T00:00:00+08:00", replaced_at) for i in identities
    ]


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    store = KeyStore(tmp_path_factory.mktemp("keys"))
    return store.create(OFFICE, "张主任", "市局签署口令"), store.create("碑林区人民政府", "李强", "市局签署口令")


def _write(tmp_path, name, data) -> object:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode("utf-8"))
    return path


@pytest.mark.parametrize("kind", KINDS)
def test_a_sound_file_opens_and_a_byte_order_mark_does_no_harm(kind, keys, tmp_path):
    office, _ = keys
    data = envelope.seal(kind, {"format": "x", "format_version": "1.0", "名": "值"}, office)
    opened = envelope.open_signed(kind, _write(tmp_path, "ok.json", b"\xef\xbb\xbf" + data))
    assert json.loads(opened.text)["名"] == "值"
    envelope.check_office(kind, tmp_path / "ok.json", opened.certificate, OFFICE, registered(office), "")


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_bad_file_is_refused_with_its_reason(kind, keys, tmp_path):
    office, unit = keys
    sound = json.loads(envelope.seal(kind, {"format": "x", "format_version": "1.0", "内容": "原文"}, office))
    cases = {
        "newer.json": ({**sound, "format_version": f"{kind.major + 1}.0"}, "较新的格式.*请升级"),
        "other-format.json": ({**sound, "format": "something-else"}, f"不是 ipdesk {kind.label}"),
        "list.json": ([sound], f"不是 ipdesk {kind.label}"),
        "no-signature.json": ({k: v for k, v in sound.items() if k != "signature"}, "已损坏"),
        "bad-base64.json": ({**sound, "signature": "@@@"}, "已损坏"),
        "bad-certificate.json": ({**sound, "certificate": "-----BEGIN CERTIFICATE-----\nAAAA"}, "已损坏"),
        "document-not-text.json": ({**sound, "document": {"内容": "原文"}}, "签名与内容不符"),
        "changed.json": ({**sound, "document": sound["document"].replace("原文", "改文")}, "签名与内容不符"),
        "changed-and-hashed.json": (
            {**sound, "document": (d := sound["document"].replace("原文", "改文")), "sha256": text_sha256(d)},
            "签名与内容不符",
        ),
    }
    for name, (content, reason) in cases.items():
        with pytest.raises(InvalidInput, match=reason):
            envelope.open_signed(kind, _write(tmp_path, name, content))
    for name, data, reason in (
        ("not-json.json", b"{not json", "已损坏"),
        ("gbk.json", "{“名”}".encode("gbk"), "已损坏"),
        ("deep.json", b"[" * 100000 + b"]" * 100000, "已损坏|不是 ipdesk"),
        ("huge.json", b" " * (kind.max_file + 1), "文件过大"),
    ):
        with pytest.raises(InvalidInput, match=reason):
            envelope.open_signed(kind, _write(tmp_path, name, data))
    with pytest.raises(InvalidInput, match="找不到文件"):
        envelope.open_signed(kind, tmp_path / "missing.json")
    # Signed by a unit with its own, registered key: still not the office's.
    forged = envelope.open_signed(kind, _write(tmp_path, "unit.json", envelope.seal(kind, {"a": 1}, unit)))
    with pytest.raises(InvalidInput, match=f"不是由{OFFICE}签发的（签发者：碑林区人民政府）"):
        envelope.check_office(kind, tmp_path / "unit.json", forged.certificate, OFFICE, registered(office, unit), "")
    # The office's name, a key nobody registered.
    stranger = KeyStore(tmp_path / "stranger").create(OFFICE, "冒名者", "市局签署口令")
    opened = envelope.open_signed(kind, _write(tmp_path, "stranger.json", envelope.seal(kind, {"a": 1}, stranger)))
    with pytest.raises(InvalidInput, match="未在本工作区登记"):
        envelope.check_office(kind, tmp_path / "stranger.json", opened.certificate, OFFICE, registered(office), "")


@pytest.mark.parametrize("kind", KINDS)
def test_a_newer_document_inside_a_sound_envelope_asks_for_an_upgrade(kind, keys, tmp_path):
    office, _ = keys
    document = {"format": "ipdesk-feedback" if kind is feedback.KIND else "ipdesk-plan", "format_version": "9.0"}
    path = _write(tmp_path, "newer-document.json", envelope.seal(kind, document, office))
    read = feedback.read if kind is feedback.KIND else plan_file.read
    args = (registered(office), OFFICE) if kind is feedback.KIND else (registered(office),)
    with pytest.raises(InvalidInput, match=r"较新的格式（9\.0）.*请升级"):
        read(path, *args)


@pytest.mark.parametrize("kind", KINDS)
def test_a_replaced_office_key_is_trusted_only_for_what_it_signed_before_the_replacement(kind, keys, tmp_path):
    """One rule (``exchange.trust.replaced_key_problem``) for feedback and plan files alike."""
    office, _ = keys
    path = tmp_path / "file.json"
    opened = envelope.open_signed(kind, _write(tmp_path, "file.json", envelope.seal(kind, {"a": 1}, office)))
    replaced = registered(office, replaced_at="2025-11-01T09:00:00+08:00")
    before = "2025-10-31T17:00:00+08:00"
    assert envelope.check_office(kind, path, opened.certificate, OFFICE, replaced, before).superseded_at
    for after in ("2025-11-01T09:00:01+08:00", "2026-03-01T10:00:00+08:00", "", "不是时间"):
        with pytest.raises(InvalidInput, match=f"更换证书.*此{kind.label}由更换前的旧证书在更换后签署"):
            envelope.check_office(kind, path, opened.certificate, OFFICE, replaced, after)

"""Sign-off, signed returns and offline verification — checked by ipdesk and, where installed, by pdfsig and openssl."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from openpyxl import load_workbook

from ipdesk import Workspace
from ipdesk.domain import InvalidInput
from ipdesk.domain.reports import ReportStatus
from ipdesk.reports.excel import HEADER_ROW
from ipdesk.signing.identity import KeyStore
from ipdesk.signing.verify import VerdictStatus, verify_file
from ipdesk.workspace.sample_data import fill_sample

from .conftest import open_copy

UNIT, PERIOD, PASS = "碑林区人民政府", "2025Q3", "签署口令2025"
needs = {
    tool: pytest.mark.skipif(not shutil.which(tool), reason=f"{tool} is not installed")
    for tool in ("pdfsig", "openssl", "pdftoppm", "zbarimg")
}


@pytest.fixture
def submitted(submitted_template, tmp_path):
    ws = open_copy(submitted_template, tmp_path / "ws.db", Path(os.environ["IPDESK_HOME"]))
    yield ws
    ws.close()


@pytest.fixture
def signed(signed_template, tmp_path):
    ws = open_copy(signed_template, tmp_path / "ws.db", Path(os.environ["IPDESK_HOME"]))
    folder = shutil.copytree(signed_template / "out", tmp_path / "out")
    paths = {p.suffix: p for p in Path(folder).iterdir()}
    yield ws, paths
    ws.close()


def trusted(ws):
    return ws.signoff.trusted()


# -- the identity -----------------------------------------------------------------------------------------------
def test_identity_is_created_stored_encrypted_and_unlocked(tmp_path):
    keys = KeyStore(tmp_path / "keys")
    identity = keys.create(UNIT, "李强", PASS)
    certificate = identity.certificate
    assert certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == UNIT
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert len(identity.fingerprint) == 95 and identity.fingerprint.count(":") == 31
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(keys.p12_path(UNIT).read_bytes(), None)  # encrypted
    with pytest.raises(InvalidInput) as error:
        keys.unlock(UNIT, "不对的口令")
    assert "口令不正确" in str(error.value)
    assert keys.unlock(UNIT, PASS).key is not None
    with pytest.raises(InvalidInput):
        keys.create(UNIT, "李强", PASS)
    with pytest.raises(InvalidInput):
        KeyStore(tmp_path / "other").create(UNIT, "李强", "123")


@needs["openssl"]
def test_exported_certificate_reads_in_openssl(tmp_path):
    keys = KeyStore(tmp_path / "keys")
    identity = keys.create(UNIT, "李强", PASS)
    cer = keys.export_certificate(UNIT, tmp_path / "碑林区.cer")
    out = subprocess.run(
        ["openssl", "x509", "-inform", "DER", "-in", str(cer), "-noout", "-fingerprint", "-sha256"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert identity.fingerprint in out.upper()


def _city_issued(tmp_path: Path, unit: str) -> Path:
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "西安市知识产权局根证书")])
    now = dt.datetime.now(dt.UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [x509.NameAttribute(NameOID.ORGANIZATION_NAME, unit), x509.NameAttribute(NameOID.COMMON_NAME, "张主任")]
            )
        )
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(root_key, hashes.SHA256())
    )
    path = tmp_path / f"{unit}.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"city", key, certificate, None, serialization.BestAvailableEncryption(b"city-pass")
        )
    )
    return path


def test_city_issued_pkcs12_is_imported_for_its_own_unit_only(tmp_path):
    keys = KeyStore(tmp_path / "keys")
    with pytest.raises(InvalidInput) as error:
        keys.import_pkcs12(UNIT, _city_issued(tmp_path, "雁塔区人民政府"), "city-pass")
    assert "雁塔区人民政府" in str(error.value)
    with pytest.raises(InvalidInput):
        keys.import_pkcs12(UNIT, _city_issued(tmp_path, UNIT), "wrong")
    identity = keys.import_pkcs12(UNIT, _city_issued(tmp_path, UNIT), "city-pass")
    assert identity.signer == "张主任"
    assert keys.unlock(UNIT, "city-pass").key is not None


# -- signing ----------------------------------------------------------------------------------------------------
def test_only_a_submitted_period_can_be_signed(tmp_path):
    ws = Workspace(tmp_path / "w.db")
    fill_sample(ws, UNIT, PERIOD)
    with pytest.raises(InvalidInput) as error:
        ws.signoff.sign(UNIT, PERIOD, PASS, create=True)
    assert "提交审核" in str(error.value)
    ws.close()


def test_wrong_passphrase_changes_nothing(submitted):
    submitted.signoff.create_identity(UNIT, PASS)
    before = len(submitted.audit.entries())
    with pytest.raises(InvalidInput) as error:
        submitted.signoff.sign(UNIT, PERIOD, "不对的口令")
    assert "口令不正确" in str(error.value)
    assert submitted.reports.status(UNIT, PERIOD) is ReportStatus.SUBMITTED
    assert submitted.signoff.signed(UNIT, PERIOD) is None
    assert len(submitted.audit.entries()) == before


def test_missing_or_expired_key(submitted, tmp_path):
    with pytest.raises(InvalidInput) as error:
        submitted.signoff.sign(UNIT, PERIOD, PASS)
    assert "还没有签署密钥" in str(error.value)
    submitted.signoff.keys.create(UNIT, "李强", PASS, now=dt.datetime(2010, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(InvalidInput) as error:
        submitted.signoff.sign(UNIT, PERIOD, PASS)
    assert "已过期" in str(error.value)
    assert submitted.reports.status(UNIT, PERIOD) is ReportStatus.SUBMITTED


def test_signing_locks_the_period_and_revising_starts_a_new_version(signed, tmp_path):
    ws, paths = signed
    state = ws.reports.state(UNIT, PERIOD)
    assert (state.status, state.version) == (ReportStatus.SIGNED, 1)
    version = ws.signoff.signed(UNIT, PERIOD)
    assert version.signed_by == "李强" and version.snapshot.header.fingerprint
    assert set(version.files) == {"xlsx", "p7s", "pdf"}
    with pytest.raises(InvalidInput) as error:
        ws.progress.save(ws.progress.get(47, UNIT, PERIOD).with_changes(achievements="签署后修改"))
    assert "已锁定" in str(error.value)

    assert ws.signoff.revise(UNIT, PERIOD) == 2
    assert ws.reports.status(UNIT, PERIOD) is ReportStatus.DRAFT
    ws.progress.save(ws.progress.get(47, UNIT, PERIOD).with_changes(achievements="第二版的修改"))
    again = tmp_path / "v1-again"
    again.mkdir()
    assert ws.signoff.signed(UNIT, PERIOD, version=1).files["xlsx"][1] == paths[".xlsx"].read_bytes()
    assert ws.signoff.signed(UNIT, PERIOD, version=1).snapshot.tasks[0].achievements != "第二版的修改"
    with pytest.raises(InvalidInput):
        ws.signoff.revise(UNIT, PERIOD)  # version 2 is a draft: edit it directly


def test_exporting_a_signed_version_twice_gives_the_same_bytes(signed, tmp_path):
    ws, paths = signed
    second = tmp_path / "second"
    second.mkdir()
    again = {p.suffix: p for p in ws.reports.export(UNIT, PERIOD, second)}
    for suffix in (".xlsx", ".p7s", ".pdf"):
        assert again[suffix].read_bytes() == paths[suffix].read_bytes()


# -- verification -----------------------------------------------------------------------------------------------
def test_untouched_files_are_valid(signed):
    ws, paths = signed
    for path in paths.values():
        verdict = verify_file(path, trusted(ws))
        assert verdict.status is VerdictStatus.VALID, (path, verdict.detail)
        assert (verdict.unit, verdict.period, verdict.version, verdict.signer) == (UNIT, PERIOD, 1, "李强")


def test_an_unknown_signer_is_said_so(signed):
    _, paths = signed
    for path in paths.values():
        verdict = verify_file(path, [])
        assert verdict.status is VerdictStatus.UNKNOWN_SIGNER
        assert "信任" in verdict.detail


def _cells(path: Path) -> list[tuple[str, str]]:
    book = load_workbook(path)
    found = []
    for name in ("任务进展情况", "佐证材料清单"):
        sheet = book[name]
        last = sheet.max_row if name != "任务进展情况" else HEADER_ROW + 30
        for number, row in enumerate(sheet.iter_rows(min_row=HEADER_ROW, max_row=last)):
            if number < 3 or number % 6 == 0:  # the header, the first rows in full, then every sixth row
                found += [(name, cell.coordinate) for cell in row if cell.value not in (None, "")]
    return found


def test_changing_any_visible_cell_is_detected(signed, tmp_path):
    ws, paths = signed
    cells = _cells(paths[".xlsx"])
    assert len(cells) > 30
    book = load_workbook(paths[".xlsx"])  # loaded once; each round changes a few cells and puts them back
    rounds = 8  # the view is compared cell by cell and every difference is listed: each changed cell must be named
    changed = tmp_path / "changed.xlsx"
    for batch in (cells[start::rounds] for start in range(rounds)):
        originals = []
        for sheet_name, coordinate in batch:
            cell = book[sheet_name][coordinate]
            originals.append((cell, cell.value))
            cell.value = (cell.value + 1) if isinstance(cell.value, (int, float)) else f"{cell.value}改"
        book.save(changed)
        for cell, value in originals:
            cell.value = value
        verdict = verify_file(changed, trusted(ws))
        assert verdict.status is VerdictStatus.MODIFIED, batch
        named = {text.partition("：")[0] for text in verdict.differences}
        assert named == {f"{sheet_name}!{coordinate}" for sheet_name, coordinate in batch}, (batch, named)
    book.save(changed)
    assert verify_file(changed, trusted(ws)).status is VerdictStatus.VALID  # every cell was put back as it was


def test_resaving_unchanged_keeps_the_workbook_valid(signed, tmp_path):
    ws, paths = signed
    book = load_workbook(paths[".xlsx"])
    resaved = tmp_path / "resaved.xlsx"
    book.save(resaved)
    assert verify_file(resaved, trusted(ws)).status is VerdictStatus.VALID


def test_tampered_signature_sheet_and_foreign_or_broken_files(signed, tmp_path):
    ws, paths = signed
    book = load_workbook(paths[".xlsx"])
    sheet = book["ipdesk签名"]
    row = next(r for r in sheet.iter_rows() if r[0].value == "return")
    row[1].value = row[1].value.replace("碑林区人民政府", "雁塔区人民政府", 1)
    forged = tmp_path / "forged.xlsx"
    book.save(forged)
    assert verify_file(forged, trusted(ws)).status is VerdictStatus.MODIFIED

    del book["ipdesk签名"]
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    assert verify_file(plain, trusted(ws)).status is VerdictStatus.NOT_IPDESK

    data = paths[".xlsx"].read_bytes()
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(data[: len(data) // 2])
    assert verify_file(truncated, trusted(ws)).status is VerdictStatus.DAMAGED
    text = tmp_path / "notes.txt"
    text.write_text("会议记录", encoding="utf-8")
    assert verify_file(text, trusted(ws)).status is VerdictStatus.NOT_IPDESK
    assert verify_file(tmp_path / "missing.xlsx", trusted(ws)).status is VerdictStatus.DAMAGED


def test_a_workbook_without_the_signature_sheet_is_told_apart_without_loading_it(tmp_path, monkeypatch):
    """The city office drops whatever is in the mail folder on the window: an ordinary (and possibly large)
    workbook is recognised from its list of sheets, not by loading every cell."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "汇总"
    book.active["A1"] = "不是报送文件"
    plain = tmp_path / "plain.xlsx"
    book.save(plain)

    def never(*args, **kwargs):
        raise AssertionError("loaded")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    verdict = verify_file(plain, [])
    assert verdict.status is VerdictStatus.NOT_IPDESK and verdict.detail == "工作簿中没有 ipdesk 签名数据"


def _forge(ws, identity, tmp_path, signed_at="2025-10-08T10:00:00+08:00") -> dict[str, Path]:
    """A return for 碑林区 made and signed outside the normal path, with ``identity``'s key."""
    import hashlib

    from ipdesk.reports.pdf import write_pdf
    from ipdesk.signing import signatures
    from ipdesk.signing.pdf import sign_pdf
    from ipdesk.signing.workbook import SignedReturn, write_signed_workbook

    snapshot = ws.reports.snapshot(UNIT, PERIOD)
    snapshot = dataclasses.replace(
        snapshot,
        header=dataclasses.replace(
            snapshot.header,
            status="signed",
            signed_at=signed_at,
            signed_by=identity.signer,
            fingerprint=identity.fingerprint,
        ),
    )
    text = snapshot.canonical_json()
    payload = SignedReturn(
        text,
        hashlib.sha256(text.encode()).hexdigest(),
        signatures.sign(identity.key, text.encode()),
        identity.certificate.public_bytes(serialization.Encoding.PEM),
    )
    workbook = tmp_path / "forged.xlsx"
    write_signed_workbook(snapshot, workbook, payload, identity)
    plain = tmp_path / "plain.pdf"
    seal = write_pdf(snapshot, plain)
    pdf = tmp_path / "forged.pdf"
    pdf.write_bytes(sign_pdf(plain.read_bytes(), identity, seal, reason="test", location=UNIT, return_text=text))
    return {".xlsx": workbook, ".pdf": pdf}


def test_a_return_signed_by_another_unit_is_caught(submitted, tmp_path):
    other = KeyStore(tmp_path / "elsewhere").create("雁塔区人民政府", "赵六", PASS)
    for path in _forge(submitted, other, tmp_path).values():
        verdict = verify_file(path, [other.certificate])
        assert verdict.status is VerdictStatus.UNKNOWN_SIGNER, path
        assert "雁塔区人民政府" in verdict.detail and "声称" in verdict.detail


def test_a_certificate_expired_when_it_signed(submitted, tmp_path):
    identity = KeyStore(tmp_path / "old").create(UNIT, "李强", PASS, now=dt.datetime(2010, 1, 1, tzinfo=dt.UTC))
    for path in _forge(submitted, identity, tmp_path).values():
        verdict = verify_file(path, [identity.certificate])
        assert verdict.status is VerdictStatus.UNKNOWN_SIGNER and "已过期" in verdict.detail, path


def test_flipping_a_byte_in_the_signed_pdf_is_detected(signed, tmp_path):
    ws, paths = signed
    data = bytearray(paths[".pdf"].read_bytes())
    marker = data.find(b"/Contents <")
    position = len(data) // 3 if marker < 0 or marker > len(data) // 3 + 100 else marker - 200
    data[position] ^= 0x01
    flipped = tmp_path / "flipped.pdf"
    flipped.write_bytes(bytes(data))
    assert verify_file(flipped, trusted(ws)).status is VerdictStatus.MODIFIED
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(bytes(data[:2000]))
    assert verify_file(truncated, trusted(ws)).status in (VerdictStatus.DAMAGED, VerdictStatus.NOT_IPDESK)


def test_an_unsigned_pdf_is_not_an_ipdesk_return(submitted, tmp_path):
    (path,) = submitted.reports.export(UNIT, PERIOD, tmp_path, ("pdf",))
    assert verify_file(path, []).status is VerdictStatus.NOT_IPDESK


def test_the_p7s_follows_its_workbook(signed, tmp_path):
    ws, paths = signed
    copy = tmp_path / "copy"
    copy.mkdir()
    workbook = shutil.copy(paths[".xlsx"], copy)
    p7s = Path(shutil.copy(paths[".p7s"], copy))
    assert verify_file(p7s, trusted(ws)).status is VerdictStatus.VALID
    Path(workbook).write_bytes(Path(workbook).read_bytes() + b" ")
    assert verify_file(p7s, trusted(ws)).status is VerdictStatus.MODIFIED
    Path(workbook).unlink()
    assert verify_file(p7s, trusted(ws)).status is VerdictStatus.DAMAGED


@needs["pdfsig"]
def test_pdfsig_agrees(signed, tmp_path):
    _, paths = signed
    good = subprocess.run(["pdfsig", str(paths[".pdf"])], capture_output=True, text=True).stdout
    assert "Signature is Valid" in good and "ipdesk签署" in good and "Total document signed" in good
    data = bytearray(paths[".pdf"].read_bytes())
    data[len(data) // 3] ^= 0x01
    flipped = tmp_path / "flipped.pdf"
    flipped.write_bytes(bytes(data))
    bad = subprocess.run(["pdfsig", str(flipped)], capture_output=True, text=True).stdout
    assert "Signature is Valid" not in bad


@needs["openssl"]
def test_openssl_agrees_on_the_p7s(signed, tmp_path):
    ws, paths = signed
    cert = tmp_path / "unit.pem"
    cert.write_bytes(ws.signoff.identity(UNIT).certificate.public_bytes(serialization.Encoding.PEM))

    def openssl(content: Path) -> int:
        return subprocess.run(
            [
                "openssl",
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                str(paths[".p7s"]),
                "-content",
                str(content),
                "-CAfile",
                str(cert),
                "-out",
                "/dev/null",
            ],
            capture_output=True,
        ).returncode

    assert openssl(paths[".xlsx"]) == 0
    changed = tmp_path / "changed.xlsx"
    changed.write_bytes(paths[".xlsx"].read_bytes() + b"x")
    assert openssl(changed) != 0


@needs["pdftoppm"]
@needs["zbarimg"]
def test_qr_code_says_unit_period_version_and_digest(signed, tmp_path):
    """zbar, a real reader, reads the printed QR code off the signed PDF's stamp (its page at 150 dpi)."""
    from ipdesk.reports.pdf import qr_text

    ws, paths = signed
    snapshot = ws.signoff.signed(UNIT, PERIOD).snapshot
    assert qr_text(snapshot) == f"ipdesk|{UNIT}|{PERIOD}|v1|{snapshot.sha256()}"
    pages = subprocess.run(["pdftotext", str(paths[".pdf"]), "-"], capture_output=True, text=True, check=True).stdout
    stamp = next(n for n, text in enumerate(pages.split("\f"), 1) if "电子签署" in text)
    page = tmp_path / "stamp"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-png",
            "-f",
            str(stamp),
            "-l",
            str(stamp),
            "-singlefile",
            str(paths[".pdf"]),
            str(page),
        ],
        check=True,
    )
    found = subprocess.run(["zbarimg", "-q", "--raw", "-Sbinary", str(page.with_suffix(".png"))], capture_output=True)
    assert found.returncode == 0 and found.stdout.rstrip(b"\n").decode("utf-8") == qr_text(snapshot)


# -- the commands -----------------------------------------------------------------------------------------------
def test_cli_todo_follows_a_month_until_it_is_marked_sent(tmp_path, capsys):
    from ipdesk.cli import main

    db = ["--db", str(tmp_path / "todo.db")]
    passphrase = tmp_path / "pass.txt"
    passphrase.write_text(PASS + "\n", encoding="utf-8")
    todo = [*db, "todo", "--unit", "碑林区", "--today", "2025-10-08", "--json"]

    def states() -> dict[str, tuple[str, str, str]]:
        assert main(todo) == 0
        return {i["period"]: (i["label"], i["deadline"], i["folder"]) for i in json.loads(capsys.readouterr().out)}

    before = states()
    # September is due on the 5th of October, a holiday: the first working day after the National Day week
    assert before["2025-09"] == ("待报送", "2025-10-09", "") and before["2025-10"][0] == "填报中"
    assert before["2025-08"][0] == "已逾期" and "2025-11" not in before
    assert main([*db, "sent", "--unit", "碑林区", "--period", "2025-09"]) == 2  # nothing signed yet
    assert "尚未签署" in capsys.readouterr().err
    assert main([*db, "demo", "--unit", "碑林区", "--period", "2025-09"]) == 0
    assert main([*db, "submit", "--unit", "碑林区", "--period", "2025-09"]) == 0
    capsys.readouterr()
    assert states()["2025-09"][0] == "待签署"
    sign = [*db, "sign", "--unit", "碑林区", "--period", "2025-09", "--passphrase-file", str(passphrase)]
    assert main([*sign, "--reviewer", "李强"]) == 0
    capsys.readouterr()
    assert states()["2025-09"][0] == "待导出"
    out = tmp_path / "发给市局"
    assert main([*db, "export", "--unit", "碑林区", "--period", "2025-09", "--out", str(out)]) == 0
    capsys.readouterr()
    label, deadline, folder = states()["2025-09"]
    assert label == "已导出，待报送" and deadline == "2025-10-09" and folder == str(out)
    assert main([*db, "todo", "--unit", "碑林区", "--today", "2025-10-08"]) == 0
    assert "2025年9月（2025-09）：已导出，待报送，截止日 2025年10月9日，文件在" in capsys.readouterr().out
    assert main([*db, "sent", "--unit", "碑林区", "--period", "2025-09", "--how", "电子邮件"]) == 0
    assert "已报送市局" in capsys.readouterr().out
    assert "2025-09" not in states() and "2025-08" in states()


def test_cli_submit_sign_export_verify(tmp_path, capsys):
    from ipdesk.cli import main

    db = tmp_path / "cli.db"
    passphrase = tmp_path / "pass.txt"
    passphrase.write_text(PASS + "\n", encoding="utf-8")
    assert main(["--db", str(db), "submit", "--unit", "碑林区", "--period", PERIOD]) == 2
    assert "未填写完整" in capsys.readouterr().err
    assert main(["--db", str(db), "demo", "--unit", "碑林区", "--period", PERIOD]) == 0
    assert main(["--db", str(db), "submit", "--unit", "碑林区", "--period", PERIOD]) == 0
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("另一个口令", encoding="utf-8")
    sign = ["--db", str(db), "sign", "--unit", "碑林区", "--period", PERIOD, "--passphrase-file"]
    assert main([*sign, str(passphrase)]) == 2  # nobody named to sign: not the operating-system account
    assert "审核人" in capsys.readouterr().err
    assert main([*sign, str(passphrase), "--reviewer", "李强"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "revise", "--unit", "碑林区", "--period", PERIOD, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["version"] == 2
    out = tmp_path / "out"
    out.mkdir()
    with Workspace(db) as ws:
        ws.reports.submit(UNIT, PERIOD)
    assert main([*sign, str(wrong), "--reviewer", "李强"]) == 2
    assert "口令不正确" in capsys.readouterr().err
    assert main([*sign, str(passphrase), "--reviewer", "李强", "--json"]) == 0
    signed = json.loads(capsys.readouterr().out)
    assert signed["version"] == 2 and signed["status"] == "signed" and not signed["created_identity"]
    assert signed["signer"] == "李强"
    assert main(["--db", str(db), "export", "--unit", "碑林区", "--period", PERIOD, "--out", str(out)]) == 0
    files = capsys.readouterr().out.split()
    assert len(files) == 3 and all("_v2." in f for f in files)
    assert main(["--db", str(db), "verify", *files, "--json"]) == 0
    verdicts = json.loads(capsys.readouterr().out)
    assert [v["verdict"] for v in verdicts] == ["有效"] * 3
    assert set(verdicts[0]) == {
        "file",
        "verdict",
        "detail",
        "unit",
        "period",
        "version",
        "signer",
        "signed_at",
        "fingerprint",
        "plan",
        "format",
    }
    assert {(v["plan"], v["format"]) for v in verdicts} == {("xian-2022-2025", "2.1")}
    cer = tmp_path / "unit.cer"
    assert main(["--db", str(db), "keys", "export-cert", "--unit", "碑林区", "--out", str(cer)]) == 0
    capsys.readouterr()
    other_db = tmp_path / "city.db"
    assert main(["--db", str(other_db), "verify", files[0]]) == 1
    assert "签名人未知" in capsys.readouterr().out
    assert main(["--db", str(other_db), "verify", files[0], "--trust", str(cer)]) == 0
    assert "有效" in capsys.readouterr().out
    assert not other_db.exists()  # verifying created no workspace
    assert main(["--db", str(db), "keys", "show", "--unit", "碑林区", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["unit"] == UNIT and len(shown["fingerprint"]) == 95


def test_cli_imports_a_city_issued_pkcs12(tmp_path, capsys):
    from ipdesk.cli import main

    db = tmp_path / "w.db"
    secret = tmp_path / "p.txt"
    secret.write_text("city-pass", encoding="utf-8")
    p12 = _city_issued(tmp_path, UNIT)
    command = [
        "--db",
        str(db),
        "keys",
        "import",
        "--unit",
        "碑林区",
        "--file",
        str(p12),
        "--passphrase-file",
        str(secret),
    ]
    assert main([*command, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["signer"] == "张主任"
    assert main(command) == 2
    assert "已有签署密钥" in capsys.readouterr().err


def test_a_key_file_of_another_unit_is_refused_for_signing(tmp_path):
    keys = KeyStore(tmp_path / "keys")
    keys.create("雁塔区人民政府", "赵六", PASS)
    shutil.copy(keys.p12_path("雁塔区人民政府"), keys.p12_path(UNIT))
    with pytest.raises(InvalidInput) as error:
        keys.unlock(UNIT, PASS)
    assert "雁塔区人民政府" in str(error.value)


def test_hostile_files_get_a_verdict_not_a_crash(tmp_path):
    samples = {
        "zipbomb.xlsx": b"PK\x03\x04" + b"\x00" * 100,
        "garbage.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 20,
        "empty.p7s": b"",
        "notcms.p7s": b"hello",
    }
    for name, data in samples.items():
        path = tmp_path / name
        path.write_bytes(data)
        if name.endswith(".p7s"):
            (tmp_path / name[:-4]).write_bytes(b"content")
        verdict = verify_file(path, [])
        assert verdict.status in (VerdictStatus.DAMAGED, VerdictStatus.NOT_IPDESK), name


def test_the_pdf_is_signed_with_the_unlocked_key_as_pyhanko_would_sign_it(tmp_path):
    """ipdesk signs with the key it unlocked instead of letting pyHanko parse it again for every signature: the
    signature value is exactly pyHanko's own (PKCS #1 v1.5 is deterministic), for each digest the signer may use."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from ipdesk.signing.pdf import _loaded_key_signer

    keys = KeyStore(tmp_path)
    keys.create("碑林区人民政府", "李强", "签署口令2025")
    identity = keys.unlock("碑林区人民政府", "签署口令2025")
    assert identity.key is not None
    certificate = asn1_x509.Certificate.load(identity.certificate.public_bytes(serialization.Encoding.DER))
    key = asn1_keys.PrivateKeyInfo.load(
        identity.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    made = dict(
        signing_cert=certificate, signing_key=key, cert_registry=SimpleCertificateStore.from_certs([certificate])
    )
    theirs = signers.SimpleSigner(**made)
    ours = _loaded_key_signer(signers.SimpleSigner, identity)(**made)
    for digest in ("sha256", "sha384", "sha512"):
        data = f"ipdesk {digest}".encode()
        assert ours.sign_raw(data, digest) == theirs.sign_raw(data, digest)


@pytest.mark.parametrize("key_size", [2048, 4096])
def test_the_room_kept_for_the_pdf_signature_holds_it_with_room_to_spare(tmp_path, key_size):
    """ipdesk tells pyHanko how much room the signature takes instead of letting it make a trial signature to
    measure: the room holds the real signature with at least 1 KB to spare, for a key of 4096 bits and for a
    certificate with long Chinese names and extensions, issued by a city authority with a long name of its own."""
    import io

    from asn1crypto import cms
    from pyhanko.pdf_utils.reader import PdfFileReader
    from reportlab.pdfgen.canvas import Canvas

    from ipdesk.signing.identity import Identity
    from ipdesk.signing.pdf import check_pdf, sign_pdf, signature_room

    unit = "西安高新技术产业开发区管理委员会知识产权和市场监督管理局" * 2
    now = dt.datetime.now(dt.UTC)
    issuer_key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    issuer = x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "西安市知识产权强市建设领导小组办公室电子认证中心" * 3)]
        + [x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"第{n}分中心证书签发部门") for n in range(6)]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, unit),
                    x509.NameAttribute(NameOID.COMMON_NAME, "欧阳" * 8),
                ]
            )
        )
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(f"u{n}.example.cn") for n in range(20)]), False)
        .sign(issuer_key, hashes.SHA256())
    )
    identity = Identity(unit, certificate, key)
    page = io.BytesIO()
    canvas = Canvas(page)
    canvas.drawString(72, 720, "ipdesk")
    canvas.save()
    signed = sign_pdf(page.getvalue(), identity, {}, reason="审核签署", location=unit, return_text='{"a": 1}')
    assert check_pdf(signed).intact
    contents = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0].sig_object["/Contents"]
    used = len(cms.ContentInfo.load(bytes(contents), strict=False).dump())
    room = signature_room(identity)
    assert len(contents) * 2 == room  # the hex digits kept
    assert room // 2 - used >= 1024, (room // 2, used)


# every workbook verified here is read both ways, and must give the same view (conftest.both_readers)
pytestmark = pytest.mark.usefixtures("both_readers")

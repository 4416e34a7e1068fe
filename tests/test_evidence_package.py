"""Evidence that travels: the 佐证材料 package written beside a signed return, its names safe for Windows, split for
mail when too large, and checked by the city office file by file against the list the return signed."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from ipdesk import Workspace
from ipdesk.domain import InvalidInput
from ipdesk.exchange.importing import Outcome
from ipdesk.reports.evidence_package import MAX_PATH_IN_PACKAGE, package_paths, safe_name
from ipdesk.reports.snapshot import EvidenceLine
from ipdesk.signing.identity import KeyStore

from .unit_desk import UnitDesk

TODAY = dt.date(2025, 11, 20)
# A file named CON.pdf cannot exist on Windows (a unit there never attaches one); elsewhere it can, and the package
# must not carry it under a name Windows refuses.
AWKWARD, IN_PACKAGE = ("CON.pdf", "_CON.pdf") if sys.platform != "win32" else ("CON 纪要.pdf", "CON 纪要.pdf")
UNIT = "碑林区人民政府"
PERIOD = "2025-10"
LONG = "关于" + "知识产权强市建设" * 20 + "的工作总结.docx"  # 172 characters: shortened in the package
ON_DISK = "关于" + "知识产权强市建设" * 9 + "的工作总结.docx"  # as long as a Linux file name takes (255 bytes)


def _write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """碑林区 attaches five files with awkward names to two tasks, signs October and exports it."""
    root = tmp_path_factory.mktemp("evidence")
    desk = UnitDesk(root / "unit", UNIT)
    ws = desk.ws
    rows = [r for r in ws.progress.for_unit(UNIT, PERIOD) if r.task.kind.value != "indicator"]
    first, second = rows[0].task.seq, rows[1].task.seq
    source = root / "source"
    attached = {
        (first, AWKWARD): b"%PDF-1.4 reserved name\n",
        (first, "会议纪要：第3次?.docx"): "纪要内容".encode() * 50,
        (first, ON_DISK): os.urandom(3000),
        (second, "Report.PDF"): b"upper case report",
    }
    for (seq, name), data in attached.items():
        safe = name.replace(":", "_").replace("?", "_").replace("：", "：")  # the file system here takes ：
        ws.evidence.add(seq, UNIT, PERIOD, _write(source / str(seq), safe, data))
    # the same name differing only in case, another content: Windows would take them for one file
    ws.evidence.add(second, UNIT, PERIOD, _write(source / "other", "report.pdf", b"lower case report"))
    files = desk.sign(PERIOD, root / "out")
    certificate = desk.certificate()
    yield ws, files, certificate, root, (first, second)
    ws.close()


@pytest.fixture
def city(tmp_path, signed):
    _, _, certificate, _, _ = signed
    ws = Workspace(tmp_path / "city.db", actor="张主任")
    ws.signoff._keys = KeyStore(tmp_path / "city-keys")
    ws.trust.add(certificate)
    yield ws
    ws.close()


def _package(files: dict[str, Path]) -> Path:
    xlsx = files[".xlsx"]
    return xlsx.with_name(xlsx.stem + "_佐证材料.zip")


def test_names_in_the_package_are_safe_for_windows_and_short():
    lines = [
        EvidenceLine(UNIT, 7, "任务", "CON.pdf", 1, "a" * 64),
        EvidenceLine(UNIT, 7, "任务", "nul.txt", 1, "b" * 64),
        EvidenceLine(UNIT, 7, "任务", 'a<b>c|d"e*.xlsx', 1, "c" * 64),
        EvidenceLine(UNIT, 7, "任务", LONG, 1, "d" * 64),
        EvidenceLine(UNIT, 7, "任务", "Report.pdf", 1, "e" * 64),
        EvidenceLine(UNIT, 7, "任务", "report.PDF", 1, "f" * 64),
        EvidenceLine(UNIT, 12, "任务", "Report.pdf", 1, "e" * 64),
        EvidenceLine(UNIT, 7, "任务", "trailing. ", 1, "0" * 64),
    ]
    paths = list(package_paths(lines))
    assert paths[0] == "第7项/_CON.pdf" and paths[1] == "第7项/_nul.txt"
    assert paths[2] == "第7项/a_b_c_d_e_.xlsx"
    assert paths[3].startswith("第7项/关于知识产权") and paths[3].endswith(".docx")
    assert paths[4] == "第7项/Report.pdf" and paths[5] == "第7项/report (2).PDF"  # one file on Windows otherwise
    assert paths[6] == "第12项/Report.pdf"  # another task's folder
    assert paths[7] == "第7项/trailing"
    assert all(len(p) <= MAX_PATH_IN_PACKAGE for p in paths)
    assert len({p.lower() for p in paths}) == len(paths)
    assert safe_name("COM1.tar.gz", 50) == "_COM1.tar.gz"


def test_export_writes_the_package_beside_the_return_with_the_signed_hashes(signed):
    ws, files, _, _, (first, second) = signed
    package = _package(files)
    assert package.is_file()
    signed_lines = ws.signoff.signed(UNIT, PERIOD).snapshot.evidence
    assert len(signed_lines) == 5
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        hashes = {name: hashlib.sha256(archive.read(name)).hexdigest() for name in names}
    assert sorted(hashes.values()) == sorted(line.sha256 for line in signed_lines)
    assert f"第{first}项/{IN_PACKAGE}" in names
    assert f"第{second}项/Report.PDF" in names and f"第{second}项/report (2).pdf" in names
    assert all(len(name) <= MAX_PATH_IN_PACKAGE for name in names)
    assert not any(set(name.split("/", 1)[1]) & set('\\:*?"<>|') for name in names)


def test_city_import_verifies_stores_and_opens_the_evidence(city, signed):
    _, files, _, _, (first, _) = signed
    result = city.city.import_files([files[".xlsx"]], today=TODAY)[0]
    assert result.outcome is Outcome.IMPORTED
    assert "佐证材料 5 个，与签署的清单一致" in result.reason
    evidence = city.city.evidence(UNIT, PERIOD)
    assert [e.state for e in evidence] == ["verified"] * 5
    opened = city.city.evidence_copy(UNIT, PERIOD, f"第{first}项/{IN_PACKAGE}")
    assert opened.name == IN_PACKAGE and opened.read_bytes() == b"%PDF-1.4 reserved name\n"
    assert city.city.evidence_copy(UNIT, PERIOD, "1").is_file()
    with pytest.raises(InvalidInput) as error:
        city.city.evidence_copy(UNIT, PERIOD, "不存在.pdf")
    assert "清单中有" in str(error.value)


def _tampered(files: dict[str, Path], folder: Path, change) -> Path:
    """A copy of the return with its package rewritten by ``change(entries) -> entries``."""
    folder.mkdir(parents=True)
    xlsx = Path(shutil.copy(files[".xlsx"], folder))
    with zipfile.ZipFile(_package(files)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(folder / _package(files).name, "w") as archive:
        for name, data in change(entries).items():
            archive.writestr(name, data)
    return xlsx


@pytest.mark.parametrize("fault", ["altered", "missing", "extra"])
def test_city_import_names_an_altered_missing_or_extra_file(city, signed, tmp_path, fault):
    _, files, _, _, (first, _) = signed
    target = f"第{first}项/{IN_PACKAGE}"

    def change(entries: dict[str, bytes]) -> dict[str, bytes]:
        if fault == "altered":
            entries[target] = b"%PDF-1.4 reserved nAme\n"  # same size, another content
        elif fault == "missing":
            del entries[target]
        else:
            entries[f"第{first}项/补充.txt"] = b"added after signing"
        return entries

    xlsx = _tampered(files, tmp_path / fault, change)
    result = city.city.import_files([xlsx], today=TODAY)[0]
    assert result.outcome is Outcome.IMPORTED  # the return itself is signed and valid …
    assert "佐证材料未通过核验" in result.reason  # … its evidence is not counted as verified
    named = f"第{first}项/补充.txt" if fault == "extra" else target
    assert named in result.reason
    states = {e.path: e.state for e in city.city.evidence(UNIT, PERIOD)}
    if fault == "extra":
        assert set(states.values()) == {"verified"} and f"第{first}项/补充.txt" not in states  # never stored
    else:
        assert states[target] == fault and sum(s == "verified" for s in states.values()) == 4
        with pytest.raises(InvalidInput):
            city.city.evidence_copy(UNIT, PERIOD, target)


def test_a_return_without_its_package_says_the_evidence_is_not_verified(city, signed, tmp_path):
    _, files, _, _, _ = signed
    alone = Path(shutil.copy(files[".xlsx"], tmp_path))
    result = city.city.import_files([alone], today=TODAY)[0]
    assert result.outcome is Outcome.IMPORTED and "未随附佐证材料包" in result.reason
    assert {e.state for e in city.city.evidence(UNIT, PERIOD)} == {"missing"}
    # the package arrives later with the PDF of the same version: checked and kept then
    shutil.copy(_package(files), tmp_path)
    shutil.copy(files[".pdf"], tmp_path)
    again = city.city.import_files([tmp_path / files[".pdf"].name], today=TODAY)[0]
    assert again.outcome is Outcome.DUPLICATE and "与签署的清单一致" in again.reason
    assert {e.state for e in city.city.evidence(UNIT, PERIOD)} == {"verified"}


def test_a_package_too_large_for_mail_is_split_and_the_parts_verify_together(tmp_path, signed):
    desk = UnitDesk(tmp_path / "big", "雁塔区人民政府")
    ws = desk.ws
    seq = next(r.task.seq for r in ws.progress.for_unit(desk.unit, PERIOD) if r.task.kind.value != "indicator")
    for number in range(3):
        ws.evidence.add(seq, desk.unit, PERIOD, _write(tmp_path / "src", f"照片{number}.jpg", os.urandom(450_000)))
    files = desk.sign(PERIOD, tmp_path / "out")
    folder = files[".xlsx"].parent
    assert len(list(folder.glob("*_佐证材料*.zip"))) == 1  # one package unless asked to split
    ws.settings.set("evidence_mail_mb", "1")
    assert ws.reports.evidence_size(desk.unit, PERIOD) == 1_350_000 > ws.settings.evidence_mail_bytes()
    written = ws.reports.export(desk.unit, PERIOD, folder, split_evidence=True)
    parts = sorted(p for p in written if p.suffix == ".zip")
    assert [p.name.rsplit("_", 1)[1] for p in parts] == ["第1包共2包.zip", "第2包共2包.zip"]
    assert sorted(folder.glob("*_佐证材料*.zip")) == parts  # the earlier single package is gone
    assert all(p.stat().st_size <= 1024 * 1024 + 4096 for p in parts)

    city = Workspace(tmp_path / "city.db", actor="张主任")
    city.signoff._keys = KeyStore(tmp_path / "city-keys")
    city.trust.add(desk.certificate())
    result = city.city.import_files([files[".xlsx"]], today=TODAY)[0]
    assert "佐证材料 3 个，与签署的清单一致" in result.reason
    city.close()
    ws.close()


# -- the city in batches ---------------------------------------------------------------------------------------------
def test_trust_add_takes_a_folder_and_accept_all_valid_leaves_returns_with_notes(tmp_path):
    units = ["碑林区人民政府", "雁塔区人民政府", "莲湖区人民政府", "新城区人民政府"]
    desks = {unit: UnitDesk(tmp_path / unit, unit) for unit in units}
    out = tmp_path / "out"
    files = {}
    for unit, desk in desks.items():
        if unit == "莲湖区人民政府":  # evidence listed in the return; its package will not travel
            seq = next(r.task.seq for r in desk.ws.progress.for_unit(unit, PERIOD) if r.task.kind.value != "indicator")
            desk.ws.evidence.add(seq, unit, PERIOD, _write(tmp_path / "src", "会议纪要.pdf", b"minutes"))
        files[unit] = desk.sign(PERIOD, out)
    certificates = tmp_path / "证书"
    certificates.mkdir()
    for desk in desks.values():
        shutil.copy(desk.certificate(), certificates)
    (certificates / "说明.txt").write_text("不是证书", encoding="utf-8")  # not searched for
    (certificates / "坏的.cer").write_bytes(b"not a certificate")

    city = Workspace(tmp_path / "city.db", actor="张主任")
    registered = city.trust.add_many([certificates])
    assert len(registered) == 5
    refused = [(path.name, reason) for path, registration, reason in registered if registration is None]
    assert len(refused) == 1 and refused[0][0] == "坏的.cer" and refused[0][1]
    assert {t.holder for t in city.trust.all()} == set(units)

    lianhu = files["莲湖区人民政府"][".xlsx"]
    for package in lianhu.parent.glob("*莲湖*_佐证材料*.zip"):
        package.unlink()
    city.city.import_files([f[".xlsx"] for f in files.values()], today=TODAY)
    city.city.accept("新城区人民政府", PERIOD)  # decided already
    accepted, skipped = city.city.accept_all_valid(PERIOD)
    assert sorted(accepted) == ["碑林区人民政府", "雁塔区人民政府"]
    reasons = dict(skipped)
    assert set(reasons) == {"莲湖区人民政府", "新城区人民政府"}
    assert "佐证材料 1 个未通过核验" in reasons["莲湖区人民政府"]
    assert "已接收" in reasons["新城区人民政府"]
    assert city.city.received("碑林区人民政府", PERIOD).status.label == "已接收"
    assert city.city.received("莲湖区人民政府", PERIOD).status.value == "signed"  # 待审
    assert city.city.accept_all_valid(PERIOD)[0] == []  # nothing left to accept
    city.close()
    for desk in desks.values():
        desk.ws.close()


def test_the_command_line_takes_a_folder_of_certificates_accepts_in_one_call_and_opens_evidence(
    signed, tmp_path, capsys
):
    import json

    from ipdesk.cli import main

    _, files, certificate, _, (first, _) = signed
    folder = tmp_path / "证书"
    folder.mkdir()
    shutil.copy(certificate, folder)
    db = str(tmp_path / "city.db")
    assert main(["--db", db, "trust", "add", str(folder), "--json"]) == 0
    registered = json.loads(capsys.readouterr().out)
    assert [r["holder"] for r in registered] == [UNIT] and not registered[0]["refused"]
    assert main(["--db", db, "city", "import", str(files[".xlsx"]), "--json"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "city", "show", "--unit", UNIT, "--period", PERIOD, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert {e["state"] for e in shown["evidence"]} == {"verified"} and shown["notes"] == []
    assert (
        main(
            ["--db", db, "city", "show", "--unit", UNIT, "--period", PERIOD, "--evidence", f"第{first}项/{IN_PACKAGE}"]
        )
        == 0
    )
    opened = Path(capsys.readouterr().out.strip())
    assert opened.read_bytes() == b"%PDF-1.4 reserved name\n"
    assert main(["--db", db, "city", "accept", "--period", PERIOD]) == 2  # neither --unit nor --all-valid
    capsys.readouterr()
    assert main(["--db", db, "city", "accept", "--period", PERIOD, "--all-valid", "--json"]) == 0
    batch = json.loads(capsys.readouterr().out)
    assert batch["accepted"] == [UNIT] and batch["skipped"] == []

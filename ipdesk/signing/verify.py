"""Checking a return without a network: one verdict per file — 有效, 已被修改, 内容不一致, 签名人未知, 需要升级,
不是ipdesk文件, 文件损坏.

Identity (unit, plan, period, version) is read only from what the unit's signature covers: the return document in a
workbook's signature sheet or embedded in the PDF's signed revision. A workbook is valid when the return and the view
of the workbook are what was signed, the file still shows exactly that view, the certificate names the unit the
return claims, was valid when it signed, and is trusted here. A PDF is valid when its ipdesk signature checks and
nothing but signatures by trusted certificates (a registered seal) came after it. A ``.p7s`` is valid when it signs
exactly the bytes of the file beside it (``X.xlsx`` for ``X.xlsx.p7s``) with a trusted certificate.

Whatever the file, the verdict is given in words: no exception and no third-party log line reaches the user.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import logging
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from cryptography import x509

from ipdesk.domain.signed_text import text_sha256
from ipdesk.reports.return_format import (
    BadDocument,
    FormatTooNew,
    InvalidField,
    ReturnDocument,
    read_return,
)
from ipdesk.signing import signatures
from ipdesk.signing.identity import fingerprint, signer_name, unit_of


class VerdictStatus(StrEnum):
    VALID = "有效"
    MODIFIED = "已被修改"
    INCONSISTENT = "内容不一致"  # signed so: the workbook's form shows other facts than its signed return
    UNKNOWN_SIGNER = "签名人未知"
    TOO_NEW = "需要升级"
    NOT_IPDESK = "不是ipdesk文件"
    DAMAGED = "文件损坏"


@dataclass(frozen=True)
class Verdict:
    file: str
    status: VerdictStatus
    detail: str = ""
    unit: str = ""
    period: str = ""
    version: int | None = None
    signer: str = ""
    signed_at: str = ""
    fingerprint: str = ""
    plan: str = ""  # the plan's code ("" for format 1, which names none)
    format: str = ""  # the return's format version: "1", "2.0" …
    unit_code: str = ""
    differences: tuple[str, ...] = field(default=())
    document: ReturnDocument | None = field(default=None, compare=False, repr=False)

    @property
    def valid(self) -> bool:
        return self.status is VerdictStatus.VALID

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "verdict": self.status.value,
            "detail": self.detail,
            "unit": self.unit,
            "period": self.period,
            "version": self.version,
            "signer": self.signer,
            "signed_at": self.signed_at,
            "fingerprint": self.fingerprint,
            "plan": self.plan,
            "format": self.format,
        }


THIRD_PARTY_LOGGERS = ("pyhanko", "pyhanko_certvalidator", "asn1crypto", "fontTools", "PIL", "openpyxl")
for _name in THIRD_PARTY_LOGGERS:
    # A library's log records (pyHanko logs a traceback for every suspicious revision) go to the program's own log
    # when it has one, and otherwise nowhere: never to the terminal through logging's last-resort handler, which
    # is used only when no handler at all is found on the way up. A NullHandler on each library's top logger is
    # found by every record of the library's modules.
    logging.getLogger(_name).addHandler(logging.NullHandler())


@contextlib.contextmanager
def quiet_third_parties() -> Iterator[None]:
    """While checking hostile files, libraries' warnings go nowhere (their log lines, see above, never reach the
    terminal)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def verify_file(path: Path, trusted: list[x509.Certificate]) -> Verdict:
    """The verdict on one file. Hostile or broken input gives a verdict, never an exception."""
    with quiet_third_parties():
        try:
            return _verify(Path(path), trusted)
        except RecursionError:
            return Verdict(str(path), VerdictStatus.DAMAGED, "文件结构嵌套过深，无法解析")
        except Exception as error:
            return Verdict(
                str(path), VerdictStatus.DAMAGED, f"文件已损坏，无法解析（技术信息：{type(error).__name__}）"
            )


def _verify(path: Path, trusted: list[x509.Certificate]) -> Verdict:
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as error:
        from ipdesk.domain.errors import os_error_text  # local: keeps this fix apart from the signing rewrite

        return Verdict(str(path), VerdictStatus.DAMAGED, f"无法读取文件：{os_error_text(error)}")
    if path.suffix.lower() == ".p7s":
        return _verify_p7s(path, trusted)
    if head.startswith(b"PK"):
        return _verify_workbook(path, trusted)
    if head.startswith(b"%PDF"):
        return _verify_pdf(path, trusted)
    return Verdict(str(path), VerdictStatus.NOT_IPDESK, "不是 ipdesk 导出的工作簿、PDF 或签名文件")


MAX_FILE = 100 * 1024 * 1024  # a return is a few hundred KB; a file this large is not one


def zip_problem(path: Path) -> str:
    """Why a workbook must not be loaded (damaged, a decompression bomb, or sheets beyond the bounds of a return:
    ``plans.workbook_bounds``), or "" when it may be."""
    from ipdesk.plans.workbook_bounds import RETURN, sheet_problem

    return sheet_problem(path, RETURN, "ipdesk 报送文件")


def _trusted_fingerprints(trusted: list[x509.Certificate]) -> set[str]:
    return {fingerprint(c) for c in trusted}


def _signer_checks(
    path: Path,
    certificate: x509.Certificate,
    claimed_unit: str,
    signing_time: str,
    trusted: list[x509.Certificate],
    valid_text: str,
    **facts,
) -> Verdict:
    """The checks on who signed, shared by every kind of file: the certificate names the unit the report claims,
    was valid when it signed, and is trusted here."""
    if unit_of(certificate) != claimed_unit:
        return Verdict(
            str(path),
            VerdictStatus.UNKNOWN_SIGNER,
            f"签名证书属于“{unit_of(certificate)}”，但报告声称来自“{claimed_unit}”",
            **facts,
        )
    try:
        when = dt.datetime.fromisoformat(signing_time) if signing_time else dt.datetime.now(dt.UTC)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
    except ValueError:
        return Verdict(str(path), VerdictStatus.DAMAGED, f"签署时间无法识别：{signing_time}", **facts)
    problem = signatures.validity_problem(certificate, when)
    if problem:
        return Verdict(str(path), VerdictStatus.UNKNOWN_SIGNER, problem, **facts)
    if fingerprint(certificate) not in _trusted_fingerprints(trusted):
        return Verdict(
            str(path),
            VerdictStatus.UNKNOWN_SIGNER,
            f"签名证书（指纹 {fingerprint(certificate)}）不在信任列表中；请用 --trust 指定该单位登记的证书",
            **facts,
        )
    return Verdict(str(path), VerdictStatus.VALID, valid_text, **facts)


def _facts(document: ReturnDocument, certificate: x509.Certificate) -> dict:
    h = document.snapshot.header
    return {
        "unit": h.unit_line,
        "period": h.period,
        "version": h.version,
        "signer": h.signed_by or signer_name(certificate),
        "signed_at": h.signed_at,
        "fingerprint": fingerprint(certificate),
        "plan": h.plan_code,
        "format": document.format_version,
        "unit_code": h.unit_codes[0] if h.unit_codes else "",
        "document": document,
    }


def _recorded_certificate_problem(document: ReturnDocument, certificate: x509.Certificate) -> str:
    """A format-2 return names the certificate it was signed with; it must be the one that signed it."""
    recorded = document.snapshot.header.fingerprint
    if document.major >= 2 and recorded != fingerprint(certificate):
        return f"报送数据中记载的签名证书（指纹 {recorded[:23]}…）不是实际签名的证书"
    return ""


def _too_new(path: Path, error: FormatTooNew) -> Verdict:
    return Verdict(str(path), VerdictStatus.TOO_NEW, str(error), format=error.version)


def _read_signed_return(path: Path, text: str, certificate: x509.Certificate) -> ReturnDocument | Verdict:
    try:
        document = read_return(text)
    except FormatTooNew as error:
        return _too_new(path, error)
    except InvalidField as error:
        return Verdict(str(path), VerdictStatus.DAMAGED, f"签名数据无效：{error}", fingerprint=fingerprint(certificate))
    except BadDocument:
        return Verdict(str(path), VerdictStatus.DAMAGED, "签名数据无法读取", fingerprint=fingerprint(certificate))
    if document.snapshot.several_units or not document.snapshot.header.units:
        return Verdict(str(path), VerdictStatus.DAMAGED, "签名数据不是一个单位的报告")
    problem = _recorded_certificate_problem(document, certificate)
    if problem:
        return Verdict(str(path), VerdictStatus.UNKNOWN_SIGNER, problem, **_facts(document, certificate))
    return document


# -- workbooks -----------------------------------------------------------------------------------------------------
def _verify_workbook(path: Path, trusted: list[x509.Certificate]) -> Verdict:
    from ipdesk.plans.workbook_bounds import RETURN, archive_problem
    from ipdesk.signing.sheet_xml import read_book
    from ipdesk.signing.workbook import FORMAT_1, FORMAT_2, SHEET, read_signature_sheet

    problem = archive_problem(path, RETURN, "ipdesk 报送文件")
    if problem:
        return Verdict(str(path), VerdictStatus.DAMAGED, problem)
    names = _sheet_names(path)
    if names is not None and SHEET not in names:  # any other workbook: said at once, without loading all of it
        return Verdict(str(path), VerdictStatus.NOT_IPDESK, "工作簿中没有 ipdesk 签名数据")
    # The sheet XML read directly (``sheet_xml``), held to the bounds of a return as it is read; the bounds checked
    # in full and openpyxl only where that reader stops: a bound passed, something it does not read exactly as
    # openpyxl does, or format 1, whose check is kept as release 0.1 made it.
    workbook = read_book(path, RETURN)
    try:
        sheet = read_signature_sheet(workbook) if workbook is not None else None
    except ValueError:
        sheet = None
    if workbook is None or sheet is None or sheet.format == FORMAT_1:
        problem = zip_problem(path)
        if problem:
            return Verdict(str(path), VerdictStatus.DAMAGED, problem)
        loaded = load_with_openpyxl(path)
        if isinstance(loaded, str):
            return Verdict(str(path), VerdictStatus.DAMAGED, loaded)
        workbook = loaded
        try:
            sheet = read_signature_sheet(workbook)
        except ValueError:
            return Verdict(str(path), VerdictStatus.DAMAGED, "签名数据已损坏，无法读取")
    if sheet is None:
        if names is None or SHEET in names:
            return Verdict(str(path), VerdictStatus.DAMAGED, "工作簿中的签名工作表已损坏，无法读取")
        return Verdict(str(path), VerdictStatus.NOT_IPDESK, "工作簿中没有 ipdesk 签名数据")
    if sheet.format not in (FORMAT_1, FORMAT_2):
        return _too_new(path, FormatTooNew(sheet.format.rsplit("/", 1)[-1]))
    signed = sheet.signed
    try:
        certificate = x509.load_pem_x509_certificate(signed.certificate_pem)
    except ValueError:
        return Verdict(str(path), VerdictStatus.DAMAGED, "签名数据中的证书已损坏")
    if not _signed_text_holds(certificate, signed.text, signed.sha256, signed.signature):
        return Verdict(
            str(path),
            VerdictStatus.MODIFIED,
            "签名数据与签名不符：签署后被改动过",
            fingerprint=fingerprint(certificate),
        )
    document = _read_signed_return(path, signed.text, certificate)
    if isinstance(document, Verdict):
        return document
    facts = _facts(document, certificate)
    if sheet.format == FORMAT_1:
        return _check_format1(path, workbook, document, certificate, trusted, facts)
    if not _signed_text_holds(certificate, sheet.view_text, sheet.view_sha256, sheet.view_signature):
        return Verdict(str(path), VerdictStatus.MODIFIED, "工作簿外观的签名数据与签名不符：签署后被改动过", **facts)
    from ipdesk.signing.workbook_view import VIEW_VERSION, compare, describe, invisible_cells, package_parts

    try:
        view = json.loads(sheet.view_text)
        if int(view.get("view", 0)) > VIEW_VERSION:
            return _too_new(path, FormatTooNew(f"{document.format_version}（外观描述版本 {view.get('view')}）"))
        if view.get("return_sha256") != signed.sha256:
            return Verdict(str(path), VerdictStatus.MODIFIED, "外观描述与报告数据不是同一次签署的", **facts)
        current = describe(workbook, skip=SHEET, parts=package_parts(path))
        differences = [d.text for d in compare(view, current)]
    except (ValueError, KeyError, TypeError, AttributeError):
        return Verdict(str(path), VerdictStatus.DAMAGED, "工作簿外观的签名数据无法读取", **facts)
    differences += [d.text for d in invisible_cells(workbook, SHEET)]
    if differences:
        shown = "；".join(differences[:5]) + (f"；等共 {len(differences)} 处" if len(differences) > 5 else "")
        return Verdict(
            str(path),
            VerdictStatus.MODIFIED,
            f"工作簿与签署时不一致：{shown}",
            differences=tuple(differences),
            **facts,
        )
    inconsistent = _view_and_return_disagree(path, view, document, facts)
    if inconsistent is not None:
        return inconsistent
    h = document.snapshot.header
    return _signer_checks(
        path, certificate, h.unit_line, h.signed_at, trusted, "签名有效，工作簿的内容和外观与签署时一致", **facts
    )


def load_with_openpyxl(path: Path):
    """The workbook loaded by openpyxl, or why it cannot be."""
    from openpyxl import load_workbook

    try:
        with _merged_cells_without_borders():
            return load_workbook(path, rich_text=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged package
        return f"工作簿已损坏，无法打开（技术信息：{type(error).__name__}）"


_BORDERS_NOT_READ: contextvars.ContextVar[bool] = contextvars.ContextVar("borders_not_read", default=False)


@contextlib.contextmanager
def _merged_cells_without_borders() -> Iterator[None]:
    """While a return is loaded to be checked, openpyxl does not copy each merged range's borders onto the cells it
    covers (a third of the time of a city import): nothing checked here reads borders, and those cells show nothing.
    The switch is per thread (a context variable), so a workbook written meanwhile on another thread, such as an
    export from the window, is merged as always."""
    from openpyxl.worksheet.merge import MergedCellRange

    if not getattr(MergedCellRange.format, "ipdesk_switchable", False):
        original = MergedCellRange.format

        def format_unless_switched_off(self) -> None:
            if not _BORDERS_NOT_READ.get():
                original(self)

        format_unless_switched_off.ipdesk_switchable = True  # type: ignore[attr-defined]
        MergedCellRange.format = format_unless_switched_off  # type: ignore[method-assign]
    token = _BORDERS_NOT_READ.set(True)
    try:
        yield
    finally:
        _BORDERS_NOT_READ.reset(token)


def _view_and_return_disagree(path: Path, view: dict, document: ReturnDocument, facts: dict) -> Verdict | None:
    """内容不一致 when the signed view shows other facts than the signed return (§ 4.4), naming the first cell."""
    from ipdesk.signing.view_facts import disagreements

    try:
        found = [d.text for d in disagreements(view, document.snapshot)]
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        return Verdict(str(path), VerdictStatus.DAMAGED, "工作簿外观的签名数据无法读取", **facts)
    if not found:
        return None
    more = f"（共 {len(found)} 处不一致）" if len(found) > 1 else ""
    return Verdict(
        str(path),
        VerdictStatus.INCONSISTENT,
        f"工作簿显示的内容与签署的报送数据不一致：{found[0]}{more}",
        differences=tuple(found),
        **facts,
    )


def _sheet_names(path: Path) -> list[str] | None:
    """The sheet names the package's workbook part lists, or None when it cannot be read (then openpyxl decides)."""
    from xml.etree import ElementTree

    try:
        with zipfile.ZipFile(path) as archive:
            root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    except (KeyError, OSError, zipfile.BadZipFile, ValueError, ElementTree.ParseError):
        return None
    return [element.get("name", "") for element in root.iter() if element.tag.rsplit("}", 1)[-1] == "sheet"]


def _signed_text_holds(certificate: x509.Certificate, text: str, sha256: str, signature: bytes) -> bool:
    data = text.encode("utf-8")
    return text_sha256(text) == sha256 and signatures.verify(certificate, data, signature)


def _check_format1(
    path: Path,
    workbook,
    document: ReturnDocument,
    certificate: x509.Certificate,
    trusted: list[x509.Certificate],
    facts: dict,
) -> Verdict:
    from ipdesk.signing.format1 import visible_differences

    try:
        differences = visible_differences(workbook, json.loads(document.text))
    except (KeyError, TypeError, ValueError, AttributeError):
        return Verdict(str(path), VerdictStatus.DAMAGED, "签名数据无法读取", **facts)
    if differences:
        shown = "、".join(differences[:5]) + (f" 等 {len(differences)} 处" if len(differences) > 5 else "")
        return Verdict(
            str(path),
            VerdictStatus.MODIFIED,
            f"表格内容与签署时不一致：{shown}",
            differences=tuple(differences),
            **facts,
        )
    h = document.snapshot.header
    return _signer_checks(
        path,
        certificate,
        h.unit_line,
        h.signed_at,
        trusted,
        "签名有效，表格中的数值与签署时一致（此文件为格式1：只保护表格中的数值，标题、格式和表格以外的内容不受保护）",
        **facts,
    )


# -- detached signatures -------------------------------------------------------------------------------------------
def _verify_p7s(path: Path, trusted: list[x509.Certificate]) -> Verdict:
    from ipdesk.signing.cms import check_detached

    content = path.with_suffix("")
    try:
        signature = path.read_bytes()
        data = content.read_bytes()
    except FileNotFoundError:
        return Verdict(str(path), VerdictStatus.DAMAGED, f"找不到被签名的文件：{content.name}（应与签名文件放在一起）")
    try:
        check = check_detached(signature, data)
    except (ValueError, KeyError, IndexError, TypeError):
        return Verdict(str(path), VerdictStatus.DAMAGED, "签名文件已损坏或不是 CMS 签名")
    certificate = check.certificate
    if certificate is None:
        return Verdict(str(path), VerdictStatus.DAMAGED, "签名文件中没有签名证书")
    if not (check.digest_matches and check.signature_valid):
        return Verdict(
            str(path),
            VerdictStatus.MODIFIED,
            f"“{content.name}”在签署后被改动过",
            signer=signer_name(certificate),
            fingerprint=fingerprint(certificate),
        )
    inner = _verify_workbook(content, trusted) if content.suffix.lower() == ".xlsx" else None
    if inner is None or inner.status in (VerdictStatus.NOT_IPDESK, VerdictStatus.DAMAGED):
        return Verdict(str(path), VerdictStatus.NOT_IPDESK, "被签名的文件不是 ipdesk 签署的工作簿")
    if inner.status is VerdictStatus.TOO_NEW:
        return Verdict(str(path), VerdictStatus.TOO_NEW, inner.detail, format=inner.format)
    if inner.status is not VerdictStatus.VALID:  # the bytes are intact, but what they say is not acceptable
        return replace(inner, file=str(path), detail=f"签名文件所签的工作簿：{inner.detail}")

    def verdict(status: VerdictStatus, detail: str) -> Verdict:
        return Verdict(
            str(path),
            status,
            detail,
            unit=inner.unit,
            period=inner.period,
            version=inner.version,
            signer=inner.signer or signer_name(certificate),
            signed_at=check.signing_time,
            fingerprint=fingerprint(certificate),
            plan=inner.plan,
            format=inner.format,
            unit_code=inner.unit_code,
            document=inner.document,
        )

    if fingerprint(certificate) != inner.fingerprint:
        return verdict(VerdictStatus.UNKNOWN_SIGNER, "签名文件与工作簿不是同一证书签署的")
    if fingerprint(certificate) not in _trusted_fingerprints(trusted):
        return verdict(VerdictStatus.UNKNOWN_SIGNER, f"签名证书（指纹 {fingerprint(certificate)}）不在信任列表中")
    return verdict(VerdictStatus.VALID, f"签名有效：“{content.name}”与签署时逐字节一致")


# -- PDFs ------------------------------------------------------------------------------------------------------------
def _verify_pdf(path: Path, trusted: list[x509.Certificate]) -> Verdict:
    from ipdesk.signing.pdf import check_pdf

    if path.stat().st_size > MAX_FILE:
        return Verdict(str(path), VerdictStatus.DAMAGED, "文件过大，不是 ipdesk 报送文件")
    try:
        check = check_pdf(path.read_bytes())
    except ValueError:
        return Verdict(str(path), VerdictStatus.DAMAGED, "PDF 文件已损坏，无法读取")
    if not check.found:
        return Verdict(str(path), VerdictStatus.NOT_IPDESK, "该 PDF 不含 ipdesk 签名")
    certificate = check.certificate
    assert certificate is not None
    if not check.intact:
        return Verdict(
            str(path),
            VerdictStatus.MODIFIED,
            "PDF 的 ipdesk 签名与签署的内容不符：签署后被改动过",
            signer=signer_name(certificate),
            fingerprint=fingerprint(certificate),
        )
    if check.return_text:
        document = _read_signed_return(path, check.return_text, certificate)
        if isinstance(document, Verdict):
            return document
        facts = _facts(document, certificate)
        facts["signed_at"] = check.signing_time or facts["signed_at"]
        claimed = document.snapshot.header.unit_line
    else:  # format 1: the unit, period and version were written in the signed revision's /Keywords
        parts = dict(part.split("=", 1) for part in check.keywords.split(";") if "=" in part)
        if not check.keywords.startswith("ipdesk") or not parts.get("unit"):
            return Verdict(str(path), VerdictStatus.NOT_IPDESK, "该 PDF 的签名不含 ipdesk 报告数据")
        claimed = parts["unit"]
        facts = {
            "unit": claimed,
            "period": parts.get("period", ""),
            "version": int(parts["version"]) if parts.get("version", "").isdigit() else None,
            "signer": signer_name(certificate),
            "signed_at": check.signing_time,
            "fingerprint": fingerprint(certificate),
            "format": "1",
        }
    problems = list(check.changes)
    seals = []
    fingerprints = _trusted_fingerprints(trusted)
    from ipdesk.signing.pdf import SEAL_FIELD

    for later in check.later_signatures:
        holder = unit_of(later.certificate) if later.certificate is not None else ""
        if not later.intact:
            problems.append(f"签署后加入的签名“{later.field}”（{later.signer}）本身无效")
        elif later.fingerprint not in fingerprints:
            problems.append(f"签署后被他人签名：{later.signer}（证书指纹 {later.fingerprint[:23]}…不在信任列表中）")
        elif later.field != SEAL_FIELD:
            problems.append(f"签署后在新加的签名域“{later.field}”中签名（{later.signer}），不是预留的单位电子印章位置")
        elif holder != claimed:
            problems.append(f"预留的单位电子印章位置由“{holder}”加盖，不是报送单位“{claimed}”")
        else:
            seals.append(later.signer)
    if problems:
        return Verdict(str(path), VerdictStatus.MODIFIED, "PDF 在签署后被改动过：" + "；".join(problems), **facts)
    text = "PDF 签名有效，签署后未被改动"
    if seals:
        text += "；另有" + "、".join(seals) + "在签署后加盖的电子印章（签名有效，证书已登记）"
    if facts.get("format") == "1":
        text += "（此文件为格式1）"
    return _signer_checks(path, certificate, claimed, check.signing_time, trusted, text, **facts)

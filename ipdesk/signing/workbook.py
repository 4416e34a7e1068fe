"""The signed workbook: a very-hidden sheet carrying the signed return and the signed view of the workbook.

Sheet ``ipdesk签名`` holds one value per row, keyed in column A (format 2, ``ipdesk-signed-workbook/2``):

- ``format``; ``certificate`` (PEM);
- ``return`` (the return document's JSON, in pieces: a cell holds at most 32,767 characters), ``return_sha256``,
  ``return_signature`` (base64, RSA PKCS#1 v1.5 with SHA-256 over the JSON's UTF-8 bytes);
- ``view`` (the workbook as exported, see ``workbook_view``, which names the return's SHA-256), ``view_sha256``,
  ``view_signature``.

The signatures cover data, not the file's bytes, so re-saving the workbook in Excel or LibreOffice keeps it valid;
verification instead checks that what the file shows is still the signed view. Format 1 (release 0.1) signed the
snapshot only; it is still read, and checked as it was (``format1``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ipdesk.domain.signed_text import canonical_json, text_sha256
from ipdesk.reports.snapshot import ReportSnapshot
from ipdesk.signing import signatures

if TYPE_CHECKING:
    from openpyxl import Workbook

    from ipdesk.signing.identity import Identity
    from ipdesk.signing.sheet_xml import Book

SHEET = "ipdesk签名"
FORMAT_PREFIX = "ipdesk-signed-workbook/"
FORMAT_1 = FORMAT_PREFIX + "1"
FORMAT_2 = FORMAT_PREFIX + "2"
CHUNK = 30_000


@dataclass(frozen=True)
class SignedReturn:
    """The return's signed text with its hash, signature and the signer's certificate."""

    text: str
    sha256: str
    signature: bytes
    certificate_pem: bytes


@dataclass(frozen=True)
class SignedSheet:
    """What a signature sheet holds. ``view`` fields are empty for format 1."""

    format: str
    signed: SignedReturn
    view_text: str = ""
    view_sha256: str = ""
    view_signature: bytes = b""

    @property
    def major(self) -> int:
        return int(self.format.removeprefix(FORMAT_PREFIX) or 0)


def write_signed_workbook(snapshot: ReportSnapshot, path: Path, signed: SignedReturn, identity: Identity) -> None:
    """Write the report's workbook with its signature sheet: the return and the signed view of the workbook.

    The view is the one a reader of the file gets: the workbook is written with an empty signature sheet, read back
    (``sheet_xml``, as verification reads it), described, and written again with the sheet filled."""
    from ipdesk.plans.workbook_bounds import RETURN
    from ipdesk.reports import workbook_writer
    from ipdesk.reports.excel import report_book
    from ipdesk.signing.sheet_xml import read_book
    from ipdesk.signing.workbook_view import describe, package_parts

    book = report_book(snapshot)
    sheet = workbook_writer.Sheet(SHEET, state="veryHidden")
    book.sheets.append(sheet)
    workbook_writer.save(book, path)
    written: Workbook | Book | None = read_book(path, RETURN)
    if written is None:  # beyond what that reader reads (a report past the bounds): as openpyxl reads it
        from ipdesk.signing.verify import load_with_openpyxl

        loaded = load_with_openpyxl(path)
        if isinstance(loaded, str):
            raise ValueError(loaded)
        written = loaded
    view = describe(written, skip=SHEET, parts=package_parts(path))
    view["return_sha256"] = signed.sha256
    view_text = canonical_json(view)
    assert identity.key is not None
    view_signature = signatures.sign(identity.key, view_text.encode("utf-8"))
    rows = [
        ("format", FORMAT_2),
        ("certificate", signed.certificate_pem.decode("ascii")),
        *_chunks("return", signed.text),
        ("return_sha256", signed.sha256),
        ("return_signature", base64.b64encode(signed.signature).decode("ascii")),
        *_chunks("view", view_text),
        ("view_sha256", text_sha256(view_text)),
        ("view_signature", base64.b64encode(view_signature).decode("ascii")),
    ]
    for number, (key, value) in enumerate(rows, 1):
        sheet.put(number, 1, key)
        sheet.put(number, 2, value)  # always a text: JSON never starts with "=", and the sheet takes no chances
    workbook_writer.save(book, path)


def _chunks(key: str, text: str) -> list[tuple[str, str]]:
    return [(key, text[i : i + CHUNK]) for i in range(0, len(text), CHUNK)] or [(key, "")]


def read_signature_sheet(workbook: Workbook | Book) -> SignedSheet | None:
    """The signed data in ``workbook``: None when it has no ipdesk signature sheet; ``ValueError`` when the sheet is
    there but unreadable. A format newer than this release knows is returned as it is (see ``SignedSheet.major``)."""
    if SHEET not in workbook.sheetnames:
        return None
    values: dict[str, list[str]] = {}
    for key, value in workbook[SHEET].iter_rows(min_col=1, max_col=2, values_only=True):
        if key is not None:
            values.setdefault(str(key), []).append("" if value is None else str(value))
    formats = values.get("format", [])
    if len(formats) != 1 or not formats[0].startswith(FORMAT_PREFIX):
        return None
    found = formats[0]
    if not found.removeprefix(FORMAT_PREFIX).isdigit():
        raise ValueError(f"unknown signature sheet format {found!r}")
    if found not in (FORMAT_1, FORMAT_2):
        return SignedSheet(found, SignedReturn("", "", b"", b""))
    try:
        if found == FORMAT_1:
            return SignedSheet(
                found,
                SignedReturn(
                    "".join(values.get("json", [])),
                    _one(values, "sha256"),
                    base64.b64decode(_one(values, "signature"), validate=True),
                    _one(values, "certificate").encode("ascii"),
                ),
            )
        return SignedSheet(
            found,
            SignedReturn(
                "".join(values.get("return", [])),
                _one(values, "return_sha256"),
                base64.b64decode(_one(values, "return_signature"), validate=True),
                _one(values, "certificate").encode("ascii"),
            ),
            view_text="".join(values.get("view", [])),
            view_sha256=_one(values, "view_sha256"),
            view_signature=base64.b64decode(_one(values, "view_signature"), validate=True),
        )
    except (KeyError, UnicodeEncodeError, ValueError) as error:
        raise ValueError(f"signature sheet unreadable: {error}") from error


def _one(values: dict[str, list[str]], key: str) -> str:
    found = values[key]
    if len(found) != 1:
        raise ValueError(f"{key} must appear once")
    return found[0]

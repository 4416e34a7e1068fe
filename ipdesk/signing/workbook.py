"""The signed workbook: a very-hidden sheet carrying the signed data, and the check of every visible cell.

Sheet ``ipdesk签名`` holds, one value per row: the format, the snapshot's canonical JSON (in pieces, a cell holds at
most 32,767 characters), its SHA-256, the signature (base64) and the signer's certificate (PEM). The signature covers
the JSON, not the file's bytes, so re-saving the workbook in Excel does not break it; instead, verification checks
that every visible data cell still says what the signed JSON says.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from openpyxl import Workbook

from ipdesk.reports.excel import HEADER_ROW
from ipdesk.reports.layout import tables
from ipdesk.reports.snapshot import ReportSnapshot

SHEET = "ipdesk签名"
FORMAT = "ipdesk-signed-workbook/1"
CHUNK = 30_000


@dataclass(frozen=True)
class SignedPayload:
    snapshot_json: str
    sha256: str
    signature: bytes
    certificate_pem: bytes


def add_signature_sheet(payload: SignedPayload):
    """A callback for ``write_workbook`` that adds the very-hidden signature sheet."""

    def extra(workbook: Workbook) -> None:
        sheet = workbook.create_sheet(SHEET)
        rows = [
            ("format", FORMAT),
            ("sha256", payload.sha256),
            ("signature", base64.b64encode(payload.signature).decode("ascii")),
            ("certificate", payload.certificate_pem.decode("ascii")),
        ]
        text = payload.snapshot_json
        rows += [("json", text[i : i + CHUNK]) for i in range(0, len(text), CHUNK)] or [("json", "")]
        for number, (key, value) in enumerate(rows, 1):
            sheet.cell(number, 1, key)
            cell = sheet.cell(number, 2, value)
            cell.data_type = "s"  # JSON never starts with "=", but the signature sheet takes no chances
        sheet.sheet_state = "veryHidden"

    return extra


def read_payload(workbook: Workbook) -> SignedPayload | None:
    """The signed data in ``workbook``, or None when it has no ipdesk signature sheet."""
    if SHEET not in workbook.sheetnames:
        return None
    sheet = workbook[SHEET]
    values: dict[str, list[str]] = {}
    for key, value in sheet.iter_rows(min_col=1, max_col=2, values_only=True):
        if key is not None:
            values.setdefault(str(key), []).append("" if value is None else str(value))
    if values.get("format") != [FORMAT]:
        return None
    try:
        return SignedPayload(
            snapshot_json="".join(values.get("json", [])),
            sha256=values["sha256"][0],
            signature=base64.b64decode(values["signature"][0], validate=True),
            certificate_pem=values["certificate"][0].encode("ascii"),
        )
    except (KeyError, IndexError, ValueError):
        return None


def visible_differences(workbook: Workbook, snapshot: ReportSnapshot) -> list[str]:
    """Every visible cell whose value is not what the signed snapshot says, as "sheet!cell" descriptions."""
    found = []
    for table in tables(snapshot):
        if table.sheet not in workbook.sheetnames:
            found.append(f"缺少工作表“{table.sheet}”")
            continue
        sheet = workbook[table.sheet]
        if sheet["A1"].value is None or snapshot.header.form_title not in str(sheet["A1"].value):
            found.append(f"{table.sheet}!A1")
        for column_number, column in enumerate(table.columns, 1):
            if sheet.cell(HEADER_ROW, column_number).value != column.header:
                found.append(f"{table.sheet}!{sheet.cell(HEADER_ROW, column_number).coordinate}")
        for offset, row in enumerate(table.rows, 1):
            for column_number, value in enumerate(row, 1):
                cell = sheet.cell(HEADER_ROW + offset, column_number)
                if not _same(cell.value, value):
                    found.append(f"{table.sheet}!{cell.coordinate}")
        extra_row = HEADER_ROW + len(table.rows) + 1
        if table.sheet != tables(snapshot)[0].sheet and any(
            sheet.cell(extra_row, c).value not in (None, "") for c in range(1, len(table.columns) + 1)
        ):
            found.append(f"{table.sheet} 第{extra_row}行（表格下方多出的数据）")
    return found


def _same(cell_value: object, expected: object) -> bool:
    if expected in (None, ""):
        return cell_value in (None, "")
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return isinstance(cell_value, (int, float)) and abs(float(cell_value) - float(expected)) < 1e-9
    return cell_value == expected

"""Writing a report's files: the workbook and/or the PDF, named by unit, period and version."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from ipdesk.domain.errors import InvalidInput
from ipdesk.reports.files import report_file_name, write_atomically
from ipdesk.reports.snapshot import ReportSnapshot

FORMATS = ("xlsx", "pdf")


def parse_formats(text: str) -> tuple[str, ...]:
    wanted = tuple(part.strip().lower().lstrip(".") for part in text.replace("，", ",").split(",") if part.strip())
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise InvalidInput(f"不支持的导出格式：{'、'.join(unknown) or '（空）'}；可选 xlsx、pdf")
    return tuple(dict.fromkeys(wanted))


def export_report(
    snapshot: ReportSnapshot, folder: Path, formats: tuple[str, ...] = FORMATS, face: str = ""
) -> list[Path]:
    """Write the requested files into ``folder``; returns their paths. Nothing is left half-written."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidInput(f"导出文件夹不存在：{folder}")
    h = snapshot.header
    written = []
    if "pdf" in formats:  # check the characters first, so a refusal leaves no workbook behind either
        from ipdesk.reports import fonts
        from ipdesk.reports.pdf import all_texts

        fonts.check_printable(fonts.register(face), all_texts(snapshot))
    for extension in formats:
        target = folder / report_file_name(h.units, h.period, h.version, extension, h.sample, draft=not h.signed)
        if extension == "xlsx":
            from ipdesk.reports.excel import write_workbook

            write_atomically(target, lambda path: write_workbook(snapshot, path))
        else:
            from ipdesk.reports.pdf import write_pdf

            write_atomically(target, lambda path: write_pdf(snapshot, path, face, checked=True))  # checked above
        written.append(target)
    return written


def export_signed(
    snapshot: ReportSnapshot,
    files: dict[str, tuple[str, bytes]],
    folder: Path,
    formats: tuple[str, ...] = FORMATS,
    face: str = "",
) -> list[Path]:
    """Write a signed version's stored files (the workbook with its ``.p7s``) and its PDF."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidInput(f"导出文件夹不存在：{folder}")
    written = []
    for extension in formats:
        if extension == "xlsx":
            for kind in ("xlsx", "p7s"):
                name, content = files[kind]
                written.append(write_atomically(folder / name, partial(Path.write_bytes, data=content)))
        elif "pdf" in files:
            name, content = files["pdf"]
            written.append(write_atomically(folder / name, partial(Path.write_bytes, data=content)))
        else:
            written += export_report(snapshot, folder, ("pdf",), face)
    return written

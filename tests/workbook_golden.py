"""Golden workbooks: what the report workbooks written by openpyxl (before ipdesk wrote its own package) held.

Each fixture in ``tests/fixtures/workbook_golden/`` keeps a report snapshot as its return document (``return``:
the files can be written again on any day) and what a reader of the workbook written from it found then:

- ``view``: ``workbook_view.describe`` of the file read back by openpyxl (the signed view of the return format);
- ``layout``: everything else openpyxl reads of it: each sheet's state, frozen panes, widths and heights (with their
  custom flags), merged ranges, print titles and area, page setup, fit, print options, margins, header and footer,
  row breaks; every cell's type and look (font, fill, border, alignment, number format, quote prefix, protection),
  empty styled cells included; the document's title, creator and subject.

``tests/test_workbook_writer.py`` requires today's writer to give exactly these. Regenerate (only when a change of
the printed form is meant) with ``python -m tests.workbook_golden``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from ipdesk.reports.snapshot import ReportSnapshot

FOLDER = Path(__file__).parent / "fixtures" / "workbook_golden"


# -- snapshots as JSON ------------------------------------------------------------------------------------------
def snapshot_from_json(document: dict) -> ReportSnapshot:
    """The report a golden was written from, kept as its return document (``return_format``, which reads it back
    whole: the goldens' snapshots are checked to come back equal when they are made)."""
    from ipdesk.reports.return_format import read_return

    return read_return(json.dumps(document, ensure_ascii=False)).snapshot


# -- what openpyxl reads of a workbook --------------------------------------------------------------------------
def _colour(colour) -> str | None:
    if colour is None:
        return None
    return f"{colour.type}:{colour.value}:{colour.tint}"


def _side(side) -> list | None:
    if side is None or side.style is None:
        return None
    return [side.style, _colour(side.color)]


def cell_look(cell) -> str:
    font, fill, border, alignment, protection = cell.font, cell.fill, cell.border, cell.alignment, cell.protection
    look = {
        "font": [font.name, font.sz, font.b, font.i, font.u, font.strike, _colour(font.color), font.family,
                 font.scheme, font.charset, font.vertAlign],
        "fill": [fill.fill_type, _colour(fill.fgColor), _colour(fill.bgColor)] if fill.fill_type else None,
        "border": [_side(border.left), _side(border.right), _side(border.top), _side(border.bottom),
                   _side(border.diagonal), border.diagonalUp, border.diagonalDown, border.outline],
        "alignment": [alignment.horizontal, alignment.vertical, alignment.wrap_text, alignment.shrink_to_fit,
                      alignment.indent, alignment.text_rotation],
        "format": cell.number_format,
        "quote": bool(cell.quotePrefix),
        "protection": [protection.locked, protection.hidden],
    }  # fmt: skip
    return json.dumps(look, ensure_ascii=False, sort_keys=True)


def _header_footer(sheet) -> dict:
    found = {}
    flags = sheet.HeaderFooter
    for kind in ("oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter"):
        item = getattr(flags, kind)
        for place in ("left", "center", "right"):
            part = getattr(item, place)
            if part.text:
                found[f"{kind}.{place}"] = [part.text, part.font, part.size, part.color]
    found["flags"] = [flags.differentFirst, flags.differentOddEven, flags.scaleWithDoc, flags.alignWithMargins]
    return found


def layout_of(path: Path) -> dict:
    """What openpyxl reads of the workbook at ``path`` beyond the view; looks numbered in order of first use."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    looks: dict[str, int] = {}
    sheets = []
    for sheet in book.worksheets:
        cells: dict[str, list[str]] = {}
        for _, cell in sorted(sheet._cells.items()):
            key = cell_look(cell)
            number = looks.setdefault(key, len(looks))
            tag = f"{number}:{cell.data_type}"
            cells.setdefault(tag, []).append(cell.coordinate)
        setup, margins, options = sheet.page_setup, sheet.page_margins, sheet.print_options
        fit = sheet.sheet_properties.pageSetUpPr
        view = sheet.sheet_view
        sheets.append(
            {
                "name": sheet.title,
                "state": sheet.sheet_state,
                "freeze": sheet.freeze_panes,
                "pane": None
                if view.pane is None
                else [view.pane.xSplit, view.pane.ySplit, view.pane.topLeftCell, view.pane.activePane, view.pane.state],
                "selection": [[s.activeCell, s.sqref, s.pane] for s in view.selection],
                "tab_selected": view.tabSelected,
                "columns": {
                    k: [d.width, d.customWidth, d.min, d.max, d.hidden]
                    for k, d in sorted(sheet.column_dimensions.items())
                    if d.width or d.hidden
                },
                "rows": {
                    str(k): [d.height, d.customHeight, d.hidden]
                    for k, d in sorted(sheet.row_dimensions.items())
                    if d.height is not None or d.hidden
                },
                "merged": sorted(str(r) for r in sheet.merged_cells.ranges),
                "print_titles": [sheet.print_title_rows, sheet.print_title_cols, sheet.print_area],
                "page_setup": [
                    setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight, setup.scale,
                    None if fit is None else fit.fitToPage,
                ],
                "print_options": [options.horizontalCentered, options.verticalCentered, options.gridLines,
                                  options.headings],
                "margins": [margins.left, margins.right, margins.top, margins.bottom, margins.header, margins.footer],
                "header_footer": _header_footer(sheet),
                "row_breaks": [[b.id, b.min, b.max, b.man] for b in sheet.row_breaks.brk],
                "column_breaks": [[b.id, b.min, b.max, b.man] for b in sheet.col_breaks.brk],
                "cells": cells,
            }
        )  # fmt: skip
    properties = book.properties
    return {
        "sheets": sheets,
        "looks": list(looks),
        "properties": [properties.title, properties.creator, properties.subject],
        "epoch": str(book.epoch),
    }


def views_of(path: Path) -> tuple[dict, dict | None]:
    """The view of the workbook read by openpyxl, and by ``sheet_xml`` (None when that reader leaves it)."""
    from ipdesk.plans.workbook_bounds import RETURN
    from ipdesk.signing import sheet_xml
    from ipdesk.signing.verify import load_with_openpyxl
    from ipdesk.signing.workbook import SHEET
    from ipdesk.signing.workbook_view import describe, package_parts

    parts = package_parts(path)
    loaded = load_with_openpyxl(path)
    assert not isinstance(loaded, str), loaded
    book = sheet_xml.read_book(path, RETURN)
    return describe(loaded, SHEET, parts), None if book is None else describe(book, SHEET, parts)


# -- the snapshots ----------------------------------------------------------------------------------------------
ODD_TEXTS = (
    "=SUM(A1:A3)",  # a formula's look: kept as text
    "+86 029",
    "-尚未开展",
    "@所有人",
    "#N/A",  # an error code's text
    "  前后空格  ",
    "<标签> & \"引号\" 'single'",
    "第一行\n第二行\r\n第三行\t制表",
    "",
    "𠀀𪚥 扩展汉字",
)


def _snapshots(folder: Path) -> dict[str, ReportSnapshot]:
    """The reports the goldens are made of (needs the test helpers; run from the repository's root)."""
    from ipdesk import Period, Workspace
    from ipdesk.reports.snapshot import EvidenceLine
    from ipdesk.workspace.sample_data import fill_sample

    from .test_report_pages import AGENCY, UNIT, write_long_words

    q3 = Period.parse("2025Q3")
    found = {}
    with Workspace(folder / "sample.db", actor="测试员") as ws:
        ws.settings.update({"unit": UNIT, "clerk_name": "王芳", "clerk_phone": "029-88886666", "reviewer_name": "李强"})
        fill_sample(ws, UNIT, q3)
        found["sample"] = ws.reports.snapshot(UNIT, q3)
        write_long_words(ws)
        found["long_words"] = ws.reports.snapshot(UNIT, q3)
    with Workspace(folder / "agency.db", actor="测试员") as ws:
        fill_sample(ws, AGENCY, q3)
        agency = ws.reports.snapshot(AGENCY, q3)
    # the agency's quarter (indicators and project targets) with evidence on its first tasks, signed, not sample
    tasks = list(agency.tasks)
    evidence = []
    for index, task in enumerate(tasks[:3]):
        names = tuple(f"佐证{index + 1}-{n}.pdf" for n in range(1, 3 + index))
        tasks[index] = dataclasses.replace(task, evidence=names)
        evidence += [
            EvidenceLine(task.unit, task.seq, task.name, name, 1000 * (n + 7) + 17, f"{n:x}" * 64)
            for n, name in enumerate(names, 1)
        ]
    header = dataclasses.replace(
        agency.header,
        sample=False,
        status="signed",
        signed_at="2025-10-08T10:00:00+08:00",
        signed_by="李强",
        fingerprint="AB:CD",
    )
    found["agency_signed"] = dataclasses.replace(agency, header=header, tasks=tuple(tasks), evidence=tuple(evidence))
    # texts a spreadsheet would read otherwise, and characters XML escapes
    sample = found["sample"]
    odd = [
        dataclasses.replace(task, achievements=ODD_TEXTS[i % len(ODD_TEXTS)], problems=ODD_TEXTS[(i + 3) % 10])
        for i, task in enumerate(sample.tasks)
    ]
    header = dataclasses.replace(sample.header, clerk="=王芳", phone="+86 029-88886666")
    found["odd_texts"] = dataclasses.replace(sample, header=header, tasks=tuple(odd))
    return found


def city_report():
    """A city office's report (``exchange.city_files``): a summary sheet and a long table of units in groups."""
    from ipdesk.exchange.city_files import CityReport

    from .test_table_engine import city_table

    return CityReport(
        title="西安市知识产权强市建设2025年第三季度督导报告",
        file_stem="西安市_2025Q3_季度督导报告",
        info=("市知识产权局", "截至2025年9月30日", "2025年10月8日"),
        summary=("全市43个单位报送了本季度进展。" * 4, "=重点任务推进总体平稳，" * 6),
        tables=(city_table(43),),
        notes=("完成率按本期实际值除以预期值计算。", "预警：绿灯为达到序时进度的95%以上。"),
    )


def main() -> None:
    import tempfile

    from ipdesk.reports.excel import write_workbook

    FOLDER.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        for name, snapshot in _snapshots(work).items():
            path = work / f"{name}.xlsx"
            write_workbook(snapshot, path)
            by_openpyxl, by_xml = views_of(path)
            assert by_xml == by_openpyxl, name
            data = {
                "return": snapshot.document(),
                "view": by_openpyxl,
                "layout": layout_of(path),
            }
            assert snapshot_from_json(json.loads(json.dumps(data["return"]))) == snapshot, name
            text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            (FOLDER / f"{name}.json").write_text(text + "\n", encoding="utf-8")
            print(name, len(text))
        from ipdesk.exchange.city_files import write_workbook as write_city_workbook

        path = work / "city.xlsx"
        write_city_workbook(city_report(), path)
        by_openpyxl, by_xml = views_of(path)
        assert by_xml == by_openpyxl
        text = json.dumps({"view": by_openpyxl, "layout": layout_of(path)}, ensure_ascii=False, sort_keys=True)
        (FOLDER / "city.json").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

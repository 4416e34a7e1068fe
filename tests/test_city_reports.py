"""The city office's reports from returns the tests make for several units: the numbers in the 季度督导报告, the
年度考核 and the 终期评估 checked against counts made here independently, and the files they are written to."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ipdesk import Workspace
from ipdesk.domain import InvalidInput
from ipdesk.domain.periods import Period
from ipdesk.domain.plan import Role
from ipdesk.domain.returns import Timeliness
from ipdesk.signing.identity import KeyStore

from .conftest import keep_for_review, libreoffice_convert, needs_soffice
from .test_report_pages import page_count
from .unit_desk import UnitDesk, new_workspace, premade_keys

SCJ, FAYUAN, BEILIN, KEJI = "市市场监管局(知识产权局)", "市法院", "碑林区人民政府", "市科技局"
TODAY = dt.date(2025, 10, 20)  # September's returns are due on 5 October
CITY_PASS = "市局签署口令"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """A city workspace with the returns of four units: 市法院 for July, August and September (every return here
    arrives after its due date, since they are imported now), 市市场监管局 (86 tasks: the biggest return) and 碑林区
    for September only, 市科技局 for September, then returned."""
    root = tmp_path_factory.mktemp("city-reports")
    desks = {unit: UnitDesk(root / unit, unit) for unit in (SCJ, FAYUAN, BEILIN, KEJI)}
    files = []
    for period in ("2025-07", "2025-08", "2025-09"):
        files.append(desks[FAYUAN].sign(period, root / "out")[".xlsx"])
    for unit in (SCJ, BEILIN, KEJI):
        files.append(desks[unit].sign("2025-09", root / "out")[".xlsx"])
    ws = new_workspace(root / "city.db", actor="张主任")
    ws.signoff._keys = KeyStore(root / "city-keys")
    for desk in desks.values():
        ws.trust.add(desk.certificate())
    results = ws.city.import_files(files, today=TODAY)
    assert {r.outcome.value for r in results} == {"已导入"}
    with premade_keys():
        ws.city.return_to_unit(KEJI, "2025-09", "请补充", None, root / "fb", CITY_PASS, "张主任", create=True)
    yield ws, desks, root
    ws.close()
    for desk in desks.values():
        desk.ws.close()


def signed(desks, unit: str, period: str):
    return desks[unit].ws.signoff.signed(unit, period).snapshot


# -- consolidation -------------------------------------------------------------------------------------------------
def test_the_quarter_takes_each_units_last_return_and_leaves_out_what_was_returned(city):
    ws, desks, _ = city
    consolidation = ws.city.reports.consolidation("2025Q3")
    positions = consolidation.positions
    assert set(positions) == {SCJ, FAYUAN, BEILIN}  # 市科技局's only return was sent back
    assert {u: p.source_period for u, p in positions.items()} == {SCJ: "2025-09", FAYUAN: "2025-09", BEILIN: "2025-09"}
    # every task part, counted here from the plan and the units' own signed returns
    expected: Counter[str] = Counter()
    for task in ws.plan.tasks:
        if task.kind.value == "indicator":
            continue
        for unit in (*task.lead_units, *task.coop_units):
            if unit in positions:
                line = next(t for t in signed(desks, unit, "2025-09").tasks if t.seq == task.seq)
                expected[line.status or ""] += 1
            else:
                expected["not_reported"] += 1
    assert consolidation.status_counts() == expected
    keji_parts = [p for p in consolidation.parts() if p.unit == KEJI]
    assert keji_parts and all(not p.reported for p in keji_parts)
    ordered = consolidation.ordered_tasks()
    flags = [(t.flagged, t.attention) for t in ordered]
    assert flags == sorted(flags, reverse=True)  # 【需关注】 first, then other red lights and 滞后
    assert any(t.flagged for t in ordered) and any(t.attention and not t.flagged for t in ordered)


def test_indicators_take_the_lead_units_figure_and_never_add_the_others(city):
    ws, desks, _ = city
    consolidation = ws.city.reports.consolidation("2025Q3")
    satisfaction = next(i for i in consolidation.indicators if i.indicator.seq == 15)  # 市法院 … cooperate
    lead_value = next(i for i in signed(desks, SCJ, "2025-09").indicators if i.seq == 15).actual
    court_value = next(i for i in signed(desks, FAYUAN, "2025-09").indicators if i.seq == 15).actual
    assert satisfaction.lead_unit == SCJ and satisfaction.city_value == lead_value
    assert dict(satisfaction.reference)[FAYUAN] == court_value
    assert dict(satisfaction.reference)["市公安局"] is None
    court = next(i for i in consolidation.indicators if i.indicator.seq == 14)
    assert court.lead_unit == FAYUAN
    assert court.city_value == next(i for i in signed(desks, FAYUAN, "2025-09").indicators if i.seq == 14).actual
    pledge = next(i for i in consolidation.indicators if i.indicator.seq == 6)  # two lead units: the first one's
    assert pledge.lead_unit == SCJ and [u for u, _ in pledge.reference] == [KEJI]


def test_an_indicator_that_names_its_own_units_is_consolidated_by_them(plan):
    """An imported plan's indicator table may name the units itself, with no task-list row behind the indicator."""
    from dataclasses import replace

    from ipdesk.exchange.consolidate import consolidate

    own = replace(plan.indicators[0], task_seq=None, lead_units=(FAYUAN,), coop_units=(BEILIN, KEJI))
    own_plan = replace(plan, indicators=(own,))
    (rollup,) = consolidate(own_plan, Period.parse("2025Q3"), {}).indicators
    assert (rollup.indicator, rollup.lead_unit, rollup.city_value) == (own, FAYUAN, None)
    assert rollup.reference == ((BEILIN, None), (KEJI, None))


def test_a_sub_target_delivered_in_parts_is_the_sum_of_each_owners_own_part(plan):
    from ipdesk.exchange.consolidate import Position, _targets
    from ipdesk.reports.snapshot import ReportHeader, ReportSnapshot, TargetLine

    project = plan.projects[4]
    target = next(t for t in project.targets if t.name.startswith("知识产权维权援助"))
    shared = type(target)(
        target.seq, target.name, target.value, target.unit_of_measure, target.op, target.measure, target.quote,
        (SCJ, BEILIN, "雁塔区人民政府", BEILIN),  # a unit named twice is still counted once
    )  # fmt: skip
    shared_plan = type(plan)(
        **{
            **plan.__dict__,
            "projects": (type(project)(project.no, project.name, project.goal, project.task_seq, (shared,)),),
        }
    )

    def position(unit: str, value: float) -> Position:
        line = TargetLine(
            unit, project.no, project.name, shared.name, 65, "≥", "家", "cumulative", value, "", "", shared.seq
        )
        header = ReportHeader("", "", (unit,), "2025-09", "", "", 1, "signed", "")
        return Position(unit, "2025-09", 1, None, ReportSnapshot(header, targets=(line,)))  # type: ignore[arg-type]

    positions = {SCJ: position(SCJ, 20), BEILIN: position(BEILIN, 12)}
    (rollup,) = _targets(shared_plan, positions)
    assert rollup.parts == ((SCJ, 20), (BEILIN, 12), ("雁塔区人民政府", None))
    assert rollup.total == 32 and rollup.reached is False


def test_timeliness_over_the_quarter(city):
    ws, _, _ = city
    on_time = ws.city.reports.timeliness(Period.parse("2025Q3").start, Period.parse("2025Q3").end, TODAY)
    # every return was imported after its due date: reported units are late; 市科技局's was returned
    assert on_time[FAYUAN] is Timeliness.LATE
    assert on_time[SCJ] is on_time[BEILIN] is Timeliness.MISSING  # July and August never came
    assert on_time[KEJI] is Timeliness.MISSING
    assert on_time["市委宣传部"] is Timeliness.MISSING


# -- the year's assessment -----------------------------------------------------------------------------------------
def test_scores_trace_every_point_to_its_cause(city):
    ws, desks, _ = city
    rules = ws.city.reports.default_rules()
    cards = {c.unit: c for c in ws.city.reports.scores(2025, dt.date(2026, 1, 20))}
    court = cards[FAYUAN]
    items = {item.cause: item for item in court.items}
    assert items["报送"].count == 12 and "按时 0 期，逾期 3 期" in items["报送"].detail  # July–September, all late
    assert court.parts["报送"] == pytest.approx(round(20 * 1.5 / 12, 2))
    tasks = signed(desks, FAYUAN, "2025-09").tasks
    assert items["任务推进"].count == len(tasks)
    assert court.total == pytest.approx(sum(court.parts.values()))
    assert "退回 1 次" in {item.cause: item for item in cards[KEJI].items}["材料质量"].detail
    silent = cards["市委宣传部"]
    assert silent.parts["报送"] == silent.parts["任务推进"] == silent.parts["指标完成"] == 0
    departments = sorted((c for c in cards.values() if c.group == "市级部门"), key=lambda c: c.rank)
    assert departments[0].rank == 1 and all(c.group_size == 22 for c in departments)
    totals = [c.total for c in departments]
    assert totals == sorted(totals, reverse=True)
    assert sum(1 for c in departments if c.grade == "优秀") <= 6  # ⌊30 % of 22⌋
    assert rules.report_weight + rules.task_weight + rules.indicator_weight + rules.material_weight == 100


def test_office_adjustments_count_with_their_reason(city):
    ws, _, _ = city
    before = {c.unit: c for c in ws.city.reports.scores(2025, dt.date(2026, 1, 20))}[BEILIN]
    ws.city.reports.add_adjustment(2025, BEILIN, 2, "通报表扬")
    with pytest.raises(InvalidInput):
        ws.city.reports.add_adjustment(2025, BEILIN, 1, "")
    after = {c.unit: c for c in ws.city.reports.scores(2025, dt.date(2026, 1, 20))}[BEILIN]
    assert after.total == pytest.approx(before.total + 2)
    assert any(item.cause == "加分：通报表扬" and item.points == 2 for item in after.items)
    ws.city.reports.remove_adjustment(2025, 0)
    assert ws.city.reports.adjustments(2025) == []


def test_a_change_of_rules_recomputes_at_once_and_travels_as_a_file(city, tmp_path):
    ws, _, _ = city
    from dataclasses import replace

    gentle = replace(ws.city.reports.default_rules(), late_share=1.0)
    before = {c.unit: c.total for c in ws.city.reports.scores(2025, dt.date(2026, 1, 20))}
    after = {c.unit: c.total for c in ws.city.reports.scores(2025, dt.date(2026, 1, 20), gentle)}
    assert after[FAYUAN] > before[FAYUAN]
    ws.city.reports.set_rules(gentle)
    assert {c.unit: c.total for c in ws.city.reports.scores(2025, dt.date(2026, 1, 20))} == after
    path = ws.city.reports.export_rules(tmp_path / "规则" / "rules.json")
    assert json.loads(path.read_text(encoding="utf-8"))["rules"]["late_share"] == 1
    ws.city.reports.set_rules(ws.city.reports.default_rules())
    assert ws.city.reports.import_rules(path) == gentle
    ws.city.reports.set_rules(ws.city.reports.default_rules())
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "ipdesk-scoring-rules", "rules": {"yellow": 5}}), encoding="utf-8")
    with pytest.raises(InvalidInput):
        ws.city.reports.import_rules(bad)
    bad.write_text("不是规则", encoding="utf-8")
    with pytest.raises(InvalidInput):
        ws.city.reports.import_rules(bad)
    assert ws.city.reports.rules() == ws.city.reports.default_rules()


# -- the files ------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def quarter_report(city, tmp_path_factory) -> list[Path]:
    """The 2025Q3 report's files (``report``'s order: workbook, PDF, 附件 workbook, 附件 PDF, 通报), written once for
    the test below and the LibreOffice tests, with the 通报's number and 抄送 (as
    ``test_the_notice_in_the_national_layout`` sets them)."""
    ws, _, _ = city
    ws.settings.update({"notice_number": "市知识产权强市办〔{年}〕N号", "notice_copy_to": "市委办公厅，市政府办公厅。"})
    return ws.city.reports.report("2025Q3", tmp_path_factory.mktemp("q3"), TODAY)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext, pdffonts) is not installed")
def test_the_quarterly_supervision_report_and_the_notice(city, quarter_report):
    from docx import Document

    ws, _, _ = city
    paths = quarter_report
    assert [p.name for p in paths] == [
        "西安市_2025Q3_季度督导报告.xlsx",
        "西安市_2025Q3_季度督导报告.pdf",
        "西安市_2025Q3_季度督导报告_附件_任务明细.xlsx",
        "西安市_2025Q3_季度督导报告_附件_任务明细.pdf",
        "西安市_2025Q3_通报（草稿）.docx",
    ]
    consolidation = ws.city.reports.consolidation("2025Q3")
    counts = consolidation.status_counts()
    book = load_workbook(paths[0])
    assert book.sheetnames == [
        "总体情况",
        "报送情况",
        "任务完成情况（按类别）",
        "任务完成情况（按单位）",
        "红灯和滞后任务",
        "主要指标",
    ]
    reporting = book["报送情况"]
    total_row = next(row for row in reporting.iter_rows(values_only=True) if row[0] == "合计")
    assert total_row[1:6] == (43, 0, 1, 0, 42)  # on time, late, returned, missing (市科技局 returned → missing)
    by_category = book["任务完成情况（按类别）"]
    total = next(row for row in by_category.iter_rows(values_only=True) if row[0] == "合计")
    assert total[1] == sum(counts.values()) and total[2] == counts["done"] and total[7] == counts["not_reported"]
    annex = load_workbook(paths[2])
    assert annex.sheetnames == ["总体情况", "重点任务进展情况", "示范工程目标"]
    tasks = annex["重点任务进展情况"]
    silent = [row for row in tasks.iter_rows(values_only=True) if row[0] == "市委宣传部"]
    assert silent and all(row[2] == "未报送" for row in silent)
    parts = [row for row in tasks.iter_rows(values_only=True) if row[1] in ("牵头", "协作")]
    assert len(parts) == sum(counts.values()) == 881  # every task × unit, in the annex only
    keep_for_review(paths[1], "city-quarterly-report")
    keep_for_review(paths[3], "city-quarterly-report-annex")
    assert page_count(paths[1]) <= 6  # a leader's report; the 39 pages of detail are the annex
    text = subprocess.run(["pdftotext", "-layout", str(paths[1]), "-"], capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert "季度督导报告" in text and "不重复计算" in text and "每个单位只计一次" in flat
    assert "见附件《西安市_2025Q3_季度督导报告_附件_任务明细.pdf》" in flat  # the main report names its annex
    assert "西安市_2025Q3_季度督导报告_附件_任务明细.xlsx" in flat
    assert "任务预警（按序时进度）：红灯" in flat and "黄灯" in flat  # the tasks' lights, 黄灯 included
    annex_text = re.sub(
        r"\s+", "", subprocess.run(["pdftotext", str(paths[3]), "-"], capture_output=True, text=True).stdout
    )
    assert "《西安市_2025Q3_季度督导报告.pdf》" in annex_text  # and the annex names the report it belongs to
    assert "本期未报送，无进展情况" in annex_text and "本期未报送，无进展情况" not in flat
    fonts = subprocess.run(["pdffonts", str(paths[1])], capture_output=True, text=True).stdout
    assert "no " not in "".join(line[-20:] for line in fonts.splitlines()[2:]).replace("yes", "")
    notice = Document(str(paths[4]))
    body = "\n".join(p.text for p in notice.paragraphs)
    assert "关于2025年第三季度西安市国家知识产权强市建设示范城市工作进展情况的通报" in body.replace("\n", "")
    assert f"共 {sum(counts.values())} 项次，其中已完成 {counts['done']} 项次" in body
    assert "本期应报送单位 43 个，按时报送 0 个" in body and "逾期报送 1 个" in body
    assert "一、总体情况" in body and "三、红黑榜" in body and "六、下步工作要求" in body
    title = next(p for p in notice.paragraphs if p.text.startswith("关于"))
    assert title.runs[0].font.size.pt == 22 and title.runs[0].font.name == "方正小标宋简体"
    addressee = next(p for p in notice.paragraphs if p.text == "各责任单位：")
    assert addressee.runs[0].font.name in (None, "仿宋")


def _east_asia(run) -> str:
    from docx.oxml.ns import qn

    properties = run._r.rPr
    fonts = properties.find(qn("w:rFonts")) if properties is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else ""


def test_the_notice_in_the_national_layout(city, tmp_path):
    """GB/T 9704-2012: 版头 (red 发文机关标志, 发文字号, red rule), the title's font chain and lines, headings, the
    grid, page numbers odd right and even left, 附件 for long lists, the 红黑榜 from the year's scores, the 版记."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    from ipdesk.exchange.notice import TITLE_WORDS

    ws, _, _ = city
    ws.settings.update({"notice_number": "市知识产权强市办〔{年}〕N号", "notice_copy_to": "市委办公厅，市政府办公厅。"})
    with pytest.raises(InvalidInput):
        ws.settings.set("notice_number", "市知识产权强市办[2025]3号")  # the year goes in 〔〕
    today = dt.date(2026, 1, 20)
    notice = Document(str(ws.city.reports.report("2025", tmp_path, today)[-1]))
    paragraphs = notice.paragraphs
    mark, number = paragraphs[0], paragraphs[1]
    assert mark.text == ws.city.name and str(mark.runs[0].font.color.rgb) == "FF0000"
    assert _east_asia(mark.runs[0]) == "方正小标宋简体" and mark.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert number.text == "市知识产权强市办〔2026〕N号"
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"  # the red separator line
    title = next(p for p in paragraphs if p.text.startswith("关于"))
    assert {(_east_asia(r), r.font.size.pt) for r in title.runs} == {("方正小标宋简体", 22)}
    lines = [r.text for r in title.runs]
    assert len(lines) >= 2 and all(len(line) <= 20 for line in lines)
    for before, after in itertools.pairwise(lines):  # never broken inside a word
        assert not any(w in before[-3:] + after[:3] and w not in before and w not in after for w in TITLE_WORDS)
    table = next(r.target_part for r in notice.part.rels.values() if r.reltype.endswith("/fontTable")).blob.decode()
    assert re.search(r'w:name="方正小标宋简体"><w:altName w:val="华文中宋"', table)
    assert re.search(r'w:name="华文中宋"><w:altName w:val="宋体"', table)
    heading = next(p for p in paragraphs if p.text == "一、总体情况")
    assert _east_asia(heading.runs[0]) == "黑体" and heading.runs[0].font.size.pt == 16
    # （一） headings in 楷体 (here the year's parts are all older returns, so none is quoted: drawn on their own)
    from ipdesk.exchange.notice import write_document

    write_document([("title", "关于测试的通报"), ("subheading", "（一）资金保障不足。")], tmp_path / "k.docx", "t", "o")
    kai = next(p for p in Document(str(tmp_path / "k.docx")).paragraphs if p.text.startswith("（一）"))
    assert _east_asia(kai.runs[0]) == "楷体" and kai.runs[0].font.size.pt == 16
    for paragraph in paragraphs:
        if re.fullmatch(r"（[一二三四五六]）[^。]{2,14}。", paragraph.text):
            assert _east_asia(paragraph.runs[0]) == "楷体"
    normal = notice.styles["Normal"]
    assert normal.font.size.pt == 16 and normal.font.name == "仿宋" and normal.paragraph_format.line_spacing.pt == 28.95
    grid = notice.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"  # 22 lines to the text block
    assert notice.settings.odd_and_even_pages_header_footer
    odd, even = notice.sections[0].footer.paragraphs[0], notice.sections[0].even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert {r.font.size.pt for r in odd.runs} == {14} and odd.text.startswith("— ")
    body = "\n".join(p.text for p in paragraphs)
    # 红黑榜 from the year's scores: here every unit is at the floor, so nobody stands out and nobody is praised
    cards = sorted(ws.city.reports.scores(2025, today), key=lambda c: (-c.total, c.unit))
    assert "三、红黑榜" in body
    if cards[0].total == cards[-1].total:
        assert "不设红黑榜" in body and "年度考核得分居前" not in body
    else:
        assert f"{cards[0].unit}（{cards[0].total:g}分）" in body and "年度考核得分居前" in body
    # the score table and the long lists are annexed, and named under the body
    assert "附件：1." in body and "年度考核得分" in body
    tables = [[c.text for c in t.rows[0].cells] for t in notice.tables]
    assert ["类别", "名次", "单位", "得分", "等次"] in tables
    scores = next(t for t in notice.tables if t.rows[0].cells[0].text == "类别")
    assert len(scores.rows) == 1 + len(cards)
    # 版记 at the foot of a last page of its own, with no page number: the last section's footers
    last = notice.sections[-1]
    assert len(notice.sections) == 2 and not last.footer.is_linked_to_previous
    for footer in (last.footer, last.even_page_footer):
        copy_to, issued = footer.paragraphs
        assert copy_to.text == "抄送：市委办公厅，市政府办公厅。" and issued.text.endswith("2026年1月20日印发")
        assert issued.text.startswith(ws.city.name) and "PAGE" not in footer._element.xml
        assert copy_to._p.pPr.find(qn("w:pBdr")).find(qn("w:top")) is not None


# LibreOffice prints what the tests below read, one document (or two) a run: a start of it costs a second or two, but
# printing the four documents in one run took 14 s, more than a test may take.
def printed(files: list[Path], folder: Path) -> dict[str, Path]:
    """``files`` printed by LibreOffice in one run: their PDFs by the files' stems."""
    assert len({path.stem for path in files}) == len(files)  # one folder holds what LibreOffice prints
    out = libreoffice_convert(files, folder)
    return {path.stem: out / (path.stem + ".pdf") for path in files}


def first_rows(source: Path, target: Path, rows: int) -> Path:
    """A copy of the workbook ``source`` whose sheets keep only their first ``rows`` rows (and the merged ranges
    within them); the columns, their widths, the styles and the page setup stay as they were written."""
    import zipfile

    def cut(text: str) -> str:
        def row(match: re.Match) -> str:
            number = re.search(r'\br="(\d+)"', match.group(1))
            assert number, match.group(1)  # every row says its number
            return match.group(0) if int(number.group(1)) <= rows else ""

        text = re.sub(r"<row\b([^>]*?)(?:/>|>.*?</row>)", row, text, flags=re.S)

        def merged(match: re.Match) -> str:
            last = int(re.findall(r"\d+", match.group(1))[-1])
            return match.group(0) if last <= rows else ""

        text = re.sub(r'<mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"\s*/>', merged, text)
        count = text.count("<mergeCell ")
        if count:
            return re.sub(r'<mergeCells count="\d+"', f'<mergeCells count="{count}"', text)
        return re.sub(r"<mergeCells\b[^>]*>\s*</mergeCells>|<mergeCells\b[^>]*/>", "", text)

    shorter = False
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if re.fullmatch(r"xl/worksheets/[^/]+\.xml", item.filename):
                text = data.decode("utf-8")
                data = cut(text).encode("utf-8")
                shorter = shorter or len(data) < len(text.encode("utf-8"))
            new.writestr(item, data)
    assert shorter, f"no sheet of {source.name} has more than {rows} rows"  # else this copy saves nothing
    return target


@pytest.fixture(scope="module")
def printed_notice(quarter_report, tmp_path_factory) -> Path:
    """LibreOffice's PDF of the 2025Q3 通报."""
    return printed([quarter_report[-1]], tmp_path_factory.mktemp("libreoffice-notice"))[quarter_report[-1].stem]


@pytest.fixture(scope="module")
def printed_month_notice(city, tmp_path_factory) -> Path:
    """LibreOffice's PDF of the 2025-09 通报."""
    ws, _, _ = city
    folder = tmp_path_factory.mktemp("libreoffice-month")
    notice = ws.city.reports.report("2025-09", folder / "09", TODAY)[-1]
    return printed([notice], folder)[notice.stem]


ANNEX_ROWS = 120  # of its 967: the heading, its first 20 tasks' parts and 5 pages


@pytest.fixture(scope="module", params=["workbook Q3", "annex Q3"])
def printed_sheets(request, quarter_report, tmp_path_factory) -> tuple[str, Path]:
    """(name, LibreOffice's PDF) of the 2025Q3 report's workbook, and of its 附件's first ``ANNEX_ROWS`` rows.

    The 附件 lists every task's part of each of 43 units (881 of them): LibreOffice takes 9 s to print its 44
    pages. Its rows past the first pages are more parts in the same columns — the columns' widths, the fit to the
    page's width and the wrapped text that decide whether anything prints past the edges are the sheet's, the same
    for every row — so the first pages of each sheet prove what all 44 would (the whole 附件's PDF, made by ipdesk
    itself, is read in ``test_the_quarterly_supervision_report_and_the_notice``)."""
    folder = tmp_path_factory.mktemp("libreoffice-sheets")
    if request.param == "workbook Q3":
        source = quarter_report[0]
    else:
        source = first_rows(quarter_report[2], folder / quarter_report[2].name, ANNEX_ROWS)
    return request.param, printed([source], folder)[source.stem]


@needs_soffice
def test_the_notices_pages_in_libreoffice(city, printed_notice):
    ws, _, _ = city
    pdf = printed_notice
    keep_for_review(pdf, "notice-page-1")
    keep_for_review(pdf, "notice-page-2", page=2)
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    first = [line.strip() for line in pages[0].splitlines() if line.strip()]
    assert first[0] == ws.city.name and first[1].replace(" ", "").startswith("市知识产权强市办〔2025〕")
    title = "".join(line for line in first if "通报" in line or line.startswith("关于"))
    assert "关于" in title and "的通报" in title
    for text in pages:  # 28 characters a line at most, about 22 lines
        body = [line for line in text.splitlines() if line.strip() and "—" not in line]
        assert len(body) <= 24
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    numbers = {}
    for number, page in enumerate(boxes.split("<page ")[1:], 1):
        dashes = [float(x) for x in re.findall(r'<word xMin="([\d.]+)"[^>]*>—', page)]
        if dashes:
            numbers[number] = max(dashes) if number % 2 else min(dashes)
    assert numbers[1] > 595 / 2 and numbers[2] < 595 / 2  # odd pages at the right, even at the left
    last = re.sub(r"\s+", "", pages[-1])  # (without 仿宋 here, its wide digits may wrap the 印发 line)
    assert last.startswith("抄送：") and last.endswith("印发") and "—" not in last  # 版记 alone, no page number


def test_the_red_and_black_lists_and_the_problems_summarised_across_units():
    from ipdesk.exchange.notice import NoticeFacts, Ranked, paragraphs, problem_kinds, rank_by_scores
    from ipdesk.exchange.scoring import ScoreCard

    def card(unit: str, total: float) -> ScoreCard:
        return ScoreCard(unit, "区县", (), total, total)

    cards = [
        card("甲区", 98.5),
        card("乙区", 91),
        card("丙区", 85),
        card("丁区", 80),
        card("戊区", 72),
        card("己区", 60),
    ]
    honours, shames = rank_by_scores(cards)
    assert honours == [Ranked("甲区", "98.5分"), Ranked("乙区", "91分"), Ranked("丙区", "85分")]
    assert shames == [Ranked("己区", "60分"), Ranked("戊区", "72分"), Ranked("丁区", "80分")]
    assert rank_by_scores([card("甲区", 80), card("乙区", 80)]) == ([], [])  # all alike: no list
    kinds = problem_kinds(
        [
            ("甲区", 17, "专项资金拨付进度较慢。"),
            ("乙区", 21, "资金不足，项目推进受影响"),
            ("甲区", 25, "专业人员不足"),
            ("丙区", 17, "财政预算尚未下达"),
        ]
    )
    money = kinds[0]
    assert (money.kind, money.units, money.tasks) == ("资金保障不足", ("甲区", "乙区", "丙区"), (17, 21))
    assert money.example in ("专项资金拨付进度较慢", "财政预算尚未下达", "资金不足，项目推进受影响")
    facts = NoticeFacts(
        Period.parse("2025"),
        "2025年宝鸡市知识产权强市建设工作进展情况",
        "宝鸡市知识产权强市建设工作方案",
        "宝鸡市知识产权强市建设工作领导小组办公室",
        dt.date(2026, 1, 20),
        {u: Timeliness.ON_TIME for u in ("甲区", "乙区", "丙区", "丁区", "戊区", "己区")},
        Counter({"done": 3, "in_progress": 2}),
        {},
        ["甲区", "乙区"],
        [],
        None,
        None,
        honours=honours,
        shames=shames,
        ranking_basis="年度考核得分",
        good_basis="年度考核得分居前",
        problem_kinds=kinds,
    )
    text = "\n".join(line for _, line in paragraphs(facts))
    assert "按年度考核得分，列入红榜的单位：甲区（98.5分）、乙区（91分）、丙区（85分）。" in text
    assert "列入黑榜的单位：己区（60分）、戊区（72分）、丁区（80分）" in text
    assert "甲区、乙区等 2 个单位年度考核得分居前" in text
    assert "（一）资金保障不足。\n涉及 3 个单位的 2 项任务（第17、21项），如" in text
    assert "（二）专业人员和服务力量不足。\n涉及 1 个单位的 1 项任务（第25项），如甲区反映：“专业人员不足”。" in text


def test_only_lead_units_red_lagging_or_silent_flag_a_task_and_co_leads_are_leads(city, tmp_path):
    from ipdesk.exchange.city_tables import indicator_table, task_parts_table

    ws, _, _ = city
    consolidation = ws.city.reports.consolidation("2025Q3")
    groups = task_parts_table(consolidation).groups
    flagged = {
        int(g.text.removeprefix("【需关注】第").split("项")[0]) for g in groups if g.text.startswith("【需关注】")
    }
    # counted here from the parts: a lead unit red, 滞后 or not reported
    expected = {
        t.seq
        for t in consolidation.tasks
        if any(p.role is Role.LEAD and (not p.reported or p.light == "red" or p.status == "lagging") for p in t.parts)
    }
    assert flagged == expected
    coop_only = {
        t.seq
        for t in consolidation.tasks
        if t.attention and t.seq not in expected  # a cooperating unit's red light alone
    }
    assert not coop_only & flagged
    assert len(flagged) < len(consolidation.tasks)
    # 知识产权年质押融资金额 has two lead units: both are 牵头, neither is a 协作单位 for reference
    table = indicator_table(consolidation, 2025)
    row = next(r for r in table.rows if r[0].value == 6)
    titles = [c.title for c in table.columns]
    lead_cell = row[titles.index("牵头单位")].text
    reference = row[next(i for i, t in enumerate(titles) if t.startswith("协作单位填报"))].text
    assert lead_cell.startswith(SCJ) and f"{KEJI}（共同牵头" in lead_cell
    assert KEJI not in reference


def test_the_notice_says_nothing_of_zeros_and_praises_only_finished_work():
    from ipdesk.exchange.notice import NOT_REPORTED, NoticeFacts, paragraphs, progress_subject

    assert progress_subject("宝鸡市知识产权强市建设工作进展情况表") == "宝鸡市知识产权强市建设工作进展情况"
    assert progress_subject("宝鸡市知识产权工作进展") == "宝鸡市知识产权工作进展情况"
    facts = NoticeFacts(
        Period.parse("2025Q3"),
        "2025年第三季度宝鸡市知识产权强市建设工作进展情况",
        "宝鸡市知识产权强市建设工作方案",
        "宝鸡市知识产权强市建设工作领导小组办公室",
        dt.date(2025, 10, 20),
        {"甲局": Timeliness.ON_TIME, "乙局": Timeliness.ON_TIME},
        Counter({"done": 3, "in_progress": 2, NOT_REPORTED: 0, "lagging": 0}),
        {},
        ["甲局"],
        [],
        Period.parse("2025-10"),
        dt.date(2025, 11, 5),
    )
    text = "\n".join(line for _, line in paragraphs(facts))
    assert "关于2025年第三季度宝鸡市知识产权强市建设工作进展情况的通报" in text
    assert "无逾期报送的单位；无未报送的单位。" in text
    assert "其中已完成 3 项次，占 60.0%；推进中 2 项次，占 40.0%。没有亮红灯或滞后的任务。" in text
    assert " 0 " not in text and "0 个" not in text and "0 项次" not in text
    assert "二、进展较好的单位\n甲局按时报送，所承担任务无红灯、无滞后" in text
    assert "一是各单位要对照任务清单和序时进度，持续推进各项任务" in text
    assert "二是各单位要继续落实专人负责" in text and "被退回" not in text


@needs_soffice
def test_the_notice_opens_in_libreoffice(printed_month_notice):
    pdf = printed_month_notice
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "通报" in text and "—1—" in text.replace(" ", "")
    pages = text.split("\f")
    signature_page = next(
        page for page in pages if re.search(r"领导小组办公室\n+\d{4} ?年 ?\d{1,2} ?月 ?\d{1,2} ?日\n", page)
    )
    assert "下步工作要求" in signature_page or "三是" in signature_page  # the signature never stands alone


@needs_soffice
def test_every_sheet_of_the_city_workbook_prints_within_the_page_width(printed_sheets):
    """The main report's workbook and its 附件's (each a case of ``printed_sheets``)."""
    name, pdf = printed_sheets
    phrase = {"workbook Q3": "有本期材料的单位", "annex Q3": "本期未报送，无进展情况"}[name]
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    lefts = [float(x) for x in re.findall(r'<word xMin="([\d.-]+)"', boxes)]
    rights = [float(x) for x in re.findall(r'xMax="([\d.-]+)"', boxes)]
    assert lefts and min(lefts) > 20 and max(rights) < 842 - 20, name  # A4 landscape: nothing past the edges
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert phrase in text.replace(" ", ""), name  # paragraphs and tables print whole, not cut at the sides
    if name == "workbook Q3":
        keep_for_review(pdf, "city-workbook-libreoffice")
    else:
        assert page_count(pdf) > 2  # the 附件's first rows still break over pages, under their repeated header


def test_the_annual_assessment(city, tmp_path):
    ws, _, _ = city
    paths = ws.city.reports.report("2025", tmp_path, dt.date(2026, 1, 20))
    assert [p.name for p in paths][2:4] == [
        "西安市_2025_年度考核_附件_任务明细.xlsx",
        "西安市_2025_年度考核_附件_任务明细.pdf",
    ]
    cards = {c.unit: c for c in ws.city.reports.scores(2025, dt.date(2026, 1, 20))}
    annex = load_workbook(paths[2])
    assert annex.sheetnames[1:] == ["重点任务进展情况", "示范工程目标", "考核排名", "得分明细"]
    rows = {row[1]: row for row in annex["考核排名"].iter_rows(values_only=True) if row[1] in cards}
    assert len(rows) == 43
    assert rows[FAYUAN][2] == cards[FAYUAN].total and rows[FAYUAN][0] == cards[FAYUAN].rank
    book = load_workbook(paths[0])
    # the main report's units table carries each unit's rank and score, in rank order within its kind
    units = [row for row in book["任务完成情况（按单位）"].iter_rows(values_only=True) if row[1] in cards]
    assert len(units) == 43
    assert next(r for r in units if r[1] == FAYUAN)[:4] == (
        cards[FAYUAN].rank,
        FAYUAN,
        cards[FAYUAN].total,
        cards[FAYUAN].grade,
    )
    departments = [r for r in units if cards[r[1]].group == cards[FAYUAN].group]
    assert [r[0] for r in departments] == sorted(r[0] for r in departments)
    text = "\n".join(str(c.value) for row in book["总体情况"].iter_rows() for c in row if c.value)
    assert "年度考核满分 100 分" in text
    assert page_count(paths[1]) <= 6
    keep_for_review(paths[1], "city-year-report")


def test_the_final_evaluation(city, tmp_path):
    from docx import Document

    ws, desks, _ = city
    paths = ws.city.reports.final(tmp_path, dt.date(2026, 11, 25))
    assert [p.suffix for p in paths] == [".xlsx", ".pdf", ".docx"]
    book = load_workbook(paths[0])
    indicators = {row[0]: row for row in book["主要指标终期"].iter_rows(values_only=True) if isinstance(row[0], int)}
    final_value = next(i for i in signed(desks, SCJ, "2025-09").indicators if i.seq == 2).actual
    target = ws.indicators.get(2).target
    assert indicators[2][5] == final_value and indicators[2][6] == "2025年9月"  # where the final figure comes from
    from ipdesk.domain.lights import Thresholds, judge_indicator

    september = judge_indicator(ws.indicators.get(2), final_value, Period.parse("2025-09"), Thresholds())
    # a September figure is judged as September's: 达标 once it reaches the target, else against 序时 (not 未达标)
    assert indicators[2][9] == september.verdict
    assert (september.verdict == "达标") == (final_value >= target)
    assert indicators[14][5] == next(i for i in signed(desks, FAYUAN, "2025-09").indicators if i.seq == 14).actual
    phases = [row[0] for row in book["分阶段"].iter_rows(min_row=5, values_only=True) if row[0]]
    assert phases == ["启动部署阶段", "推进实施阶段", "巩固提升阶段", "方案期末"]  # 2025-07 … 12 after the last phase
    units = {row[0]: row for row in book["分单位"].iter_rows(values_only=True)}
    assert units[FAYUAN][3] == 3 and units[SCJ][3] == units[BEILIN][3] == 1 and units["市委宣传部"][3] == 0
    body = "\n".join(p.text for p in Document(str(paths[2])).paragraphs)
    assert "一、主要发展指标完成情况" in body and "方案实施期内未报送过的单位" in body
    assert "（取自2025年9月的报送，2025年9月数据）" in body  # the lead unit's last figure is older than the plan's end
    # a percentage indicator short of its target is short by 个百分点, never by "%"
    percents = [i for i in ws.plan.indicators if i.unit_of_measure.strip() == "%"]
    lines = [line for line in body.splitlines() if any(line.startswith(f"{i.seq}. ") for i in percents)]
    assert lines and not any(re.search(r"差[\d.]+%", line) for line in lines)
    assert any("个百分点" in line for line in lines) or all("未达标" not in line for line in lines)


def test_report_commands(city, tmp_path, capsys):
    from ipdesk.cli import main

    ws, _, _ = city
    db = str(ws.backup_to(tmp_path / "copy.db"))  # a workspace of its own for the commands
    assert main(["--db", db, "city", "report", "--period", "2025Q3", "--out", str(tmp_path / "q"), "--json"]) == 0
    written = json.loads(capsys.readouterr().out)
    assert [Path(p).suffix for p in written] == [".xlsx", ".pdf", ".xlsx", ".pdf", ".docx"]
    assert Path(written[3]).name == "西安市_2025Q3_季度督导报告_附件_任务明细.pdf" and Path(written[3]).exists()
    assert main(["--db", db, "city", "report", "--final", "--out", str(tmp_path / "f")]) == 0
    assert "终期评估" in capsys.readouterr().out
    assert main(["--db", db, "city", "report", "--period", "2025", "--final", "--out", str(tmp_path)]) == 2
    assert "二者选一" in capsys.readouterr().err
    assert main(["--db", db, "city", "report", "--period", "2025H1", "--out", str(tmp_path)]) == 2
    capsys.readouterr()
    assert main(["--db", db, "city", "rules", "--export", str(tmp_path / "r.json"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["task_weight"] == 50
    assert main(["--db", db, "city", "rules", "--import", str(tmp_path / "r.json")]) == 0


def test_the_offices_thresholds_colour_the_city_report_not_the_units_own(plan):
    """A unit that set its lights to turn green at 5 % of 序时进度 still shows red at the city for 10 % done."""
    from ipdesk.domain.lights import Thresholds
    from ipdesk.exchange.consolidate import Position, consolidate
    from ipdesk.reports.snapshot import ReportHeader, ReportSnapshot, TaskLine

    task = next(t for t in plan.tasks if BEILIN in t.lead_units)
    line = TaskLine(BEILIN, task.seq, task.category, task.name, task.content, "lead", "in_progress", 10, 95, "green",
                    "进展", "", "")  # fmt: skip
    header = ReportHeader("", "", (BEILIN,), "2025-09", "", "", 1, "signed", "", light_green=0.05, light_yellow=0.01)
    positions = {BEILIN: Position(BEILIN, "2025-09", 1, None, ReportSnapshot(header, tasks=(line,)))}  # type: ignore[arg-type]
    as_sent = consolidate(plan, Period.parse("2025Q3"), positions)
    at_city = consolidate(plan, Period.parse("2025Q3"), positions, Thresholds())
    part = next(p for t in as_sent.tasks if t.seq == task.seq for p in t.parts if p.unit == BEILIN)
    recomputed = next(p for t in at_city.tasks if t.seq == task.seq for p in t.parts if p.unit == BEILIN)
    assert part.light == "green" and recomputed.light == "red"


def test_shares_held_by_several_units_are_not_added():
    from ipdesk.exchange.consolidate import TargetRollup

    share = TargetRollup(4, "工程4", 1, "强县工程试点占比", 80, "≥", "%", "level", ((SCJ, 50.0), (BEILIN, 40.0)))
    assert share.total is None and share.reached is False  # 50 % and 40 % are not 90 %
    both = TargetRollup(4, "工程4", 1, "强县工程试点占比", 80, "≥", "%", "level", ((SCJ, 85.0), (BEILIN, 90.0)))
    assert both.reached is True
    count = TargetRollup(5, "工程5", 6, "维权援助工作站", 65, "≥", "家", "cumulative", ((SCJ, 40.0), (BEILIN, 30.0)))
    assert count.total == 70 and count.reached is True


# -- an evaluation that agrees with itself ---------------------------------------------------------------------------
LIGHT_OF_VERDICT = {
    "达标": {"绿灯"},
    "未达标": {"黄灯", "红灯"},
    "达到序时进度": {"绿灯"},
    "略低于序时进度": {"黄灯"},
    "低于序时进度": {"红灯"},
}


def test_the_evaluation_prints_one_verdict_per_indicator_and_task(city, tmp_path):
    """Every verdict the plan-end evaluation prints — its tables, its text, its charts' lights — for each indicator
    and task is the same, and the quarter's report gives the same light to the same figure."""
    import re

    from docx import Document

    ws, _, _ = city
    paths = ws.city.reports.final(tmp_path, dt.date(2026, 11, 25))
    book = load_workbook(paths[0])
    body = [p.text for p in Document(str(paths[2])).paragraphs]
    plan = ws.plan
    consolidation = ws.city.reports.consolidation((plan.start_date, plan.end_date))
    quarter = {i.indicator.seq: i for i in ws.city.reports.consolidation("2025Q3").indicators}
    table = {row[0]: row for row in book["主要指标终期"].iter_rows(values_only=True) if isinstance(row[0], int)}
    for item in consolidation.indicators:
        seq = item.indicator.seq
        verdict = item.verdict
        assert table[seq][9] == verdict, seq
        text = next(line for line in body if line.startswith(f"{seq}. {item.indicator.name}："))
        if item.city_value is None:
            assert "未报送" in text and verdict == "未报送"
            continue
        others = [word for word in LIGHT_OF_VERDICT if word != verdict and word not in verdict]
        assert verdict in text and not any(word in text for word in others), text
        light = re.search(r"（(绿灯|黄灯|红灯)）。$", text).group(1)
        assert light == item.judgement.light.label and light in LIGHT_OF_VERDICT[verdict], text
        if item.source_period == quarter[seq].source_period:  # the same figure: the same light in the Q3 report
            assert quarter[seq].light == item.light and quarter[seq].verdict == verdict
        elif item.source_period != "2025-12":
            assert f"{Period.parse(item.source_period).chinese}数据" in text  # an older figure names its period
    tasks = {row[0]: row for row in book["重点任务终期"].iter_rows(values_only=True) if isinstance(row[0], int)}
    from ipdesk.exchange.consolidate import status_word

    for task in consolidation.tasks:
        assert tasks[task.seq][3] == status_word(task.overall)
        leads = [p for p in task.parts if p.role.value == "lead"]
        assert (task.overall == "done") == (bool(leads) and all(p.status_code == "done" for p in leads))
        line = next((t for t in body if t.startswith(f"第{task.seq}项“")), None)
        if task.overall == "done":
            assert line is None  # listed among the done ones only
        elif line is not None:
            assert line.split("：", 1)[1].startswith(status_word(task.overall))
    done = sum(1 for t in consolidation.tasks if t.overall == "done")
    assert any(f"牵头单位报告已完成的 {done} 项" in line for line in body)


def test_a_unit_silent_for_the_period_has_no_current_problems_quoted(plan):
    """周至县 sent August but not September: the Q3 通报 quotes none of its August problems as current, and the
    task table marks its part 8月数据."""
    from ipdesk.exchange.consolidate import Position, consolidate
    from ipdesk.exchange.notice import notice_facts
    from ipdesk.reports.snapshot import ReportHeader, ReportSnapshot, TaskLine

    zhouzhi = "周至县人民政府"
    task = next(t for t in plan.tasks if zhouzhi in t.lead_units)

    def position(unit: str, period: str, problems: str) -> Position:
        line = TaskLine(unit, task.seq, task.category, task.name, task.content, "lead", "lagging", 10, 75, "red",
                        "进展", problems, "")  # fmt: skip
        header = ReportHeader("", "", (unit,), period, "", "", 1, "signed", "")
        return Position(unit, period, 1, None, ReportSnapshot(header, tasks=(line,)))  # type: ignore[arg-type]

    positions = {zhouzhi: position(zhouzhi, "2025-08", "八月的老问题"), BEILIN: position(BEILIN, "2025-09", "本期问题")}
    quarter = consolidate(plan, Period.parse("2025Q3"), positions)
    facts = notice_facts(quarter, {}, "办公室", dt.date(2025, 10, 20), None, None)
    assert [unit for unit, _ in facts.problems] == [BEILIN] and zhouzhi not in facts.red_tasks
    part = next(p for t in quarter.tasks if t.seq == task.seq for p in t.parts if p.unit == zhouzhi)
    assert part.data_mark(quarter.period) == "8月数据"
    from ipdesk.exchange.city_tables import task_parts_table

    rows = [r for r in task_parts_table(quarter).items if isinstance(r, tuple) and r[0].value == zhouzhi]
    assert rows and "（8月数据）" in rows[0][2].value


def test_phases_before_collection_are_not_collected_and_no_chart_is_drawn_without_data(city, tmp_path):
    ws, _, _ = city
    copy = Workspace(ws.backup_to(tmp_path / "copy.db"), actor="张主任")
    copy.city.set_collecting_from("2025-07")
    phases = copy.city.reports._phases(dt.date(2026, 11, 25))
    assert [(phase.name, phase.collected) for phase in phases] == [
        ("启动部署阶段", False),
        ("推进实施阶段", False),
        ("巩固提升阶段", False),
        ("方案期末", True),
    ]
    assert all(phase.expected == 0 and not phase.counts and phase.rate is None for phase in phases[:3])
    plan = copy.plan
    consolidation = copy.city.reports.consolidation((plan.start_date, plan.end_date))
    drawn = copy.city.reports._trajectories(Period.parse(str(plan.end_year)), consolidation)
    reported = {i.indicator.seq for i in consolidation.indicators if i.city_value is not None}
    assert {line.seq for line in drawn} == reported  # an indicator nobody reported has no empty chart box
    copy.close()


def test_the_red_and_lagging_tasks_each_once_with_all_their_lead_units(plan):
    """Hand-made parts: the main report's table lists task 72 (a lead unit red and 滞后) once with both its lead
    units, names task 16 (only a cooperating unit red) in a closing line, leaves out 18 (a lead unit silent) and 20
    (a lead unit yellow); the annex marks 【需关注】 on 72 and 18 only, and both co-leads are 牵头 on their rows."""
    from ipdesk.exchange.city_tables import attention_table, task_parts_table, worst_units
    from ipdesk.exchange.consolidate import Position, consolidate
    from ipdesk.reports.snapshot import ReportHeader, ReportSnapshot, TaskLine

    assert plan.task(72).lead_units == (SCJ, KEJI) and BEILIN in plan.task(16).coop_units
    assert "市工信局" in plan.task(18).lead_units and plan.task(20).lead_units == (SCJ, KEJI)
    states = {  # (unit, task): (role, status, percent, light, problems)
        (SCJ, 72): ("lead", "in_progress", 80, "green", ""),
        (KEJI, 72): ("lead", "lagging", 20, "red", "科技局经费未到位，项目尚未立项"),
        (SCJ, 16): ("lead", "in_progress", 80, "green", ""),
        (KEJI, 16): ("lead", "in_progress", 80, "green", ""),
        (BEILIN, 16): ("coop", "in_progress", 30, "red", "碑林区专业人员不足"),
        (BEILIN, 72): ("coop", "lagging", 10, "red", "科技局经费未到位，项目尚未立项"),  # the same words: quoted once
        (SCJ, 18): ("lead", "in_progress", 80, "green", ""),
        (KEJI, 18): ("lead", "in_progress", 80, "green", ""),
        (SCJ, 20): ("lead", "in_progress", 60, "yellow", "进度略慢"),
        (KEJI, 20): ("lead", "done", 100, "none", ""),
    }

    def position(unit: str) -> Position:
        lines = tuple(
            TaskLine(
                unit,
                seq,
                plan.task(seq).category,
                plan.task(seq).name,
                plan.task(seq).content,
                role,
                status,
                percent,
                75,
                light,
                "进展",
                problems,
                "",
            )
            for (owner, seq), (role, status, percent, light, problems) in states.items()
            if owner == unit
        )
        header = ReportHeader("", "", (unit,), "2025-09", "", "", 1, "signed", "")
        return Position(unit, "2025-09", 1, None, ReportSnapshot(header, tasks=lines))  # type: ignore[arg-type]

    quarter = consolidate(plan, Period.parse("2025Q3"), {u: position(u) for u in (SCJ, KEJI, BEILIN)})
    table = attention_table(quarter)
    rows = {row[0].value: [c.text for c in row] for row in table.rows}
    assert len(rows) == len(table.rows)  # each task once
    assert set(rows) == {72}  # 16: only a cooperating unit is red; 18: a lead silent; 20: a lead yellow
    assert rows[72][1] == plan.task(72).name and rows[72][2] == f"{SCJ}、{KEJI}"  # both lead units, as 牵头
    assert rows[72][3] == f"{KEJI}：滞后，20%，红灯；{BEILIN}（协作）：滞后，10%，红灯"
    assert rows[72][4] == f"科技局经费未到位，项目尚未立项（{KEJI}、{BEILIN}）"
    assert [g.text for g in table.groups] == ["另有 1 项任务仅协作单位亮红灯或滞后（第16项），各单位的问题见附件。"]
    headings = {int(g.text.split("第")[1].split("项")[0]): g.text for g in task_parts_table(quarter).groups}
    assert headings[72].startswith("【需关注】") and headings[18].startswith("【需关注】")  # 18: 市工信局 silent
    assert not headings[16].startswith("【需关注】") and not headings[20].startswith("【需关注】")
    assert headings[72].endswith(f"（牵头：{SCJ}、{KEJI}）")
    detail = task_parts_table(quarter).items
    start = next(n for n, item in enumerate(detail) if getattr(item, "text", "").startswith("【需关注】第72项"))
    roles = {}
    for item in detail[start + 1 :]:
        if not isinstance(item, tuple):
            break
        roles[item[0].value] = item[1].value
    assert roles[SCJ] == roles[KEJI] == "牵头"  # a co-lead is 牵头 on its own row, never 协作
    groups = {SCJ: "市级部门", KEJI: "市级部门", BEILIN: "区县"}
    assert worst_units(quarter, groups) == {"市级部门": [(KEJI, 1)], "区县": [(BEILIN, 2)], "开发区（新区）": []}


def test_a_character_the_font_lacks_in_the_annex_writes_no_file_at_all(city, tmp_path, monkeypatch):
    """Both documents are judged before either is written: never a main report that names a missing 附件."""
    from ipdesk.reports import fonts

    ws, _, _ = city
    annex_only = "本期未报送，无进展情况"  # a cell of the 附件's task × unit table, not of the main report
    real = fonts.missing_glyphs

    def lacking(font_name, texts):
        found = [fonts.MissingGlyph(where, 1, "无") for where, text in texts if annex_only in text]
        return found[:1] or real(font_name, texts)

    monkeypatch.setattr(fonts, "missing_glyphs", lacking)
    folder = tmp_path / "reports"
    with pytest.raises(InvalidInput, match="所选字体无法显示以下字符"):
        ws.city.reports.report("2025Q3", folder, TODAY)
    assert not folder.exists() or list(folder.iterdir()) == []

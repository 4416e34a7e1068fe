"""The 通报 draft: a Word document laid out as an official notice (GB/T 9704), every number from the data.

Sections: the opening; 一、总体情况 (how many units reported on time, late, not at all; the tasks by status, as
counts and percentages); 二、进展较好的单位; 三、未按时报送和进展滞后的单位 (named, with their red-light tasks);
四、存在的主要问题 (from the returns' 存在问题); 五、下步工作要求 (with the next due date). A4 portrait, 28 mm binding
margin and 37 mm top margin, title 22 pt in 黑体 (for 小标宋, which Windows lacks), body 16 pt 仿宋, headings 一、 in
黑体, page numbers “— 1 —”. The office finishes it in WPS or Word.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ipdesk.domain.periods import Period, chinese_date
from ipdesk.domain.returns import Timeliness
from ipdesk.exchange.consolidate import NOT_REPORTED, Consolidation

CHINESE_NUMBERS = "一二三四五六七八九十"
TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, PAGE_FONT = "黑体", "仿宋", "黑体", "楷体", "宋体"


def percent(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


@dataclass(frozen=True)
class NoticeFacts:
    """Everything the notice says, computed from the returns: no number is typed by hand."""

    period: Period
    subject: str  # 2025年第三季度西安市国家知识产权强市建设示范城市工作进展情况
    plan_title: str
    office: str
    date: dt.date
    timeliness: dict[str, Timeliness]  # unit → how it reported the returns due in the period
    status_counts: Counter[str]  # task parts by status (NOT_REPORTED for parts of units that did not report)
    red_tasks: dict[str, list[tuple[int, str]]]  # unit → its red-light / 滞后 tasks (seq, name)
    good_units: list[str]
    problems: list[tuple[str, str]]  # (unit, what it wrote under 存在问题)
    next_period: Period | None  # None once every period of the plan is past its due date
    next_due: dt.date | None
    extra: list[str] = field(default_factory=list)  # more lines under 总体情况 (the year's scores …)

    @property
    def expected(self) -> int:
        return len(self.timeliness)

    def units(self, state: Timeliness) -> list[str]:
        return [unit for unit, value in self.timeliness.items() if value is state]

    @property
    def parts(self) -> int:
        return sum(self.status_counts.values())


STATUS_CLAUSES = (  # after 已完成, each said only when there are any
    ("in_progress", "推进中"),
    ("ongoing", "持续推进"),
    ("lagging", "滞后"),
    ("not_started", "未启动"),
    (NOT_REPORTED, "因未报送而无进展情况的"),
)


def progress_subject(report_title: str) -> str:
    """What the notice reports on, from the plan's form title: 西安市…工作进展情况表 → 西安市…工作进展情况."""
    subject = report_title.strip().removesuffix("表")
    return subject if subject.endswith("情况") else f"{subject}情况"


def notice_facts(
    consolidation: Consolidation,
    timeliness: dict[str, Timeliness],
    office: str,
    today: dt.date,
    next_period: Period | None,
    next_due: dt.date | None,
    extra: list[str] | None = None,
) -> NoticeFacts:
    parts = consolidation.parts()

    def current(part) -> bool:
        """Reported for this period itself: a unit that sent nothing for the period's last return has nothing
        quoted as its current state (its older figures are marked in the tables, 8月数据)."""
        return part.reported and not part.data_mark(consolidation.period)

    red: dict[str, list[tuple[int, str]]] = {}
    for task in consolidation.ordered_tasks():
        for part in task.parts:
            if part.needs_attention and current(part):
                red.setdefault(part.unit, []).append((task.seq, task.name))
    reported = {p.unit for p in parts if current(p)}
    candidates = []
    for unit in consolidation.reporting_units:
        own = [p for p in parts if p.unit == unit]
        if timeliness.get(unit) is not Timeliness.ON_TIME or unit in red or not own or unit not in reported:
            continue
        done = sum(1 for p in own if p.status == "done")
        if done:  # praised for what it finished, not merely for being on time
            candidates.append((-(done / len(own)), -len(own), unit))
    good = [unit for *_, unit in sorted(candidates)[:5]]
    problems, seen = [], set()
    for task in consolidation.ordered_tasks():
        for part in task.parts:
            text = part.problems.strip()
            if current(part) and text and text not in seen:
                seen.add(text)
                problems.append((part.unit, text))
    subject = f"{consolidation.period.chinese}{progress_subject(consolidation.plan.report_title)}"
    return NoticeFacts(
        consolidation.period,
        subject,
        consolidation.plan.title,
        office,
        today,
        timeliness,
        consolidation.status_counts(parts),
        red,
        good,
        problems[:8],
        next_period,
        next_due,
        list(extra or []),
    )


def paragraphs(facts: NoticeFacts) -> list[tuple[str, str]]:
    """The notice as (kind, text): kind is title, body, heading, signature, date."""
    c, total = facts.status_counts, facts.parts
    red_count = sum(len(v) for v in facts.red_tasks.values())
    on_time, late = facts.units(Timeliness.ON_TIME), facts.units(Timeliness.LATE)
    missing, returned = facts.units(Timeliness.MISSING), facts.units(Timeliness.RETURNED)
    out = [
        ("title", f"关于{facts.subject}的通报"),
        ("body", "各责任单位："),
        (
            "body",
            f"为推动《{facts.plan_title}》各项任务落实，按照“月报送、季督导、年考核”的工作要求，"
            f"领导小组办公室对各责任单位{facts.period.chinese}的工作进展情况进行了汇总和督导。现将有关情况通报如下：",
        ),
        ("heading", "一、总体情况"),
        (
            "body",
            f"本期应报送单位 {facts.expected} 个，按时报送 {len(on_time)} 个，"
            f"占 {percent(len(on_time), facts.expected)}；"
            + (f"逾期报送 {len(late)} 个，占 {percent(len(late), facts.expected)}；" if late else "无逾期报送的单位；")
            + (f"未报送 {len(missing)} 个，占 {percent(len(missing), facts.expected)}" if missing else "无未报送的单位")
            + (f"；报送材料被退回尚未重新报送 {len(returned)} 个" if returned else "")
            + "。",
        ),
        (
            "body",
            f"各单位承担的任务共 {total} 项次，其中已完成 {c['done']} 项次，占 {percent(c['done'], total)}"
            + "".join(
                f"；{label} {c[key]} 项次，占 {percent(c[key], total)}" for key, label in STATUS_CLAUSES if c[key]
            )
            + "。"
            + (
                f"亮红灯或滞后的任务共 {red_count} 项次，涉及 {len(facts.red_tasks)} 个单位。"
                if red_count
                else "没有亮红灯或滞后的任务。"
            ),
        ),
        *[("body", line) for line in facts.extra],
        ("heading", "二、进展较好的单位"),
        (
            "body",
            (
                "、".join(facts.good_units)
                + (f"等 {len(facts.good_units)} 个单位" if len(facts.good_units) > 1 else "")
                + "按时报送，所承担任务无红灯、无滞后，完成比例较高，予以通报表扬。"
            )
            if facts.good_units
            else "本期没有同时满足按时报送、无红灯、无滞后的单位。",
        ),
        ("heading", "三、未按时报送和进展滞后的单位"),
    ]
    if missing:
        out.append(("body", f"（一）未报送的单位：{'、'.join(missing)}。"))
    if late:
        out.append(("body", f"（{CHINESE_NUMBERS[1 if missing else 0]}）逾期报送的单位：{'、'.join(late)}。"))
    if returned:
        out.append(("body", f"报送材料被退回、尚未重新报送的单位：{'、'.join(returned)}。"))
    if facts.red_tasks:
        lines = [
            f"{unit}：" + "；".join(f"第{seq}项“{name}”" for seq, name in tasks)
            for unit, tasks in facts.red_tasks.items()
        ]
        out.append(("body", "进展滞后（亮红灯或状态为滞后）的单位及任务如下："))
        out += [("body", line + "。") for line in lines]
    if not (missing or late or returned or facts.red_tasks):
        out.append(("body", "本期各单位均按时报送，无亮红灯或滞后的任务。"))
    out.append(("heading", "四、存在的主要问题"))
    if facts.problems:
        out += [("body", f"（{CHINESE_NUMBERS[n]}）{text}（{unit}）") for n, (unit, text) in enumerate(facts.problems)]
    else:
        out.append(("body", "各单位本期未报告需要协调解决的问题。"))
    out.append(("heading", "五、下步工作要求"))
    behind = len(missing) + len(late)
    requirements = [
        (
            f"一是各单位要对照任务清单和序时进度，加快推进亮红灯和滞后的 {red_count} 项次任务，"
            "逐项说明原因、明确措施和完成时限。"
            if red_count
            else "一是各单位要对照任务清单和序时进度，持续推进各项任务，防止出现滞后。"
        ),
        (
            f"二是未按时报送的 {behind} 个单位要落实专人负责，严格按照报送时限报送工作进展情况"
            if behind
            else "二是各单位要继续落实专人负责，严格按照报送时限报送工作进展情况"
        )
        + ("；报送材料被退回的单位要按退回意见修改后重新签署报送。" if returned else "。"),
        (
            f"三是请各单位于{chinese_date(facts.next_due)}前报送{facts.next_period.chinese}工作进展情况及佐证材料。"
            if facts.next_period is not None and facts.next_due is not None
            else "三是方案实施期各期报送截止日均已过，尚未报送和被退回的单位要尽快补报，以便做好终期评估工作。"
        ),
    ]
    out += [("body", line) for line in requirements]
    out += [("signature", facts.office), ("date", chinese_date(facts.date))]
    return out


def write_notice(facts: NoticeFacts, path: Path) -> None:
    """Write the .docx (A4 portrait, 公文 margins and type)."""
    write_document(paragraphs(facts), path, f"关于{facts.subject}的通报", facts.office)


def write_document(items: list[tuple[str, str]], path: Path, title: str, author: str) -> None:
    """A Word document laid out as an official text: ``items`` are (kind, text) with kind title, heading, body,
    signature or date (see ``paragraphs``)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    normal = document.styles["Normal"]
    _font(normal, BODY_FONT, 16)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(28.9)  # 22 lines to the 225 mm text block
    normal.paragraph_format.space_after = Pt(0)
    for number, (kind, text) in enumerate(items):
        paragraph = document.add_paragraph()
        if number + 1 < len(items) and items[number + 1][0] in ("signature", "date"):
            # GB/T 9704: the signature and date are never alone on a page; they keep the last lines with them
            paragraph.paragraph_format.keep_with_next = True
        run = paragraph.add_run(text)
        if kind == "title":
            _font(run, TITLE_FONT, 22)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.line_spacing = Pt(36)
            paragraph.paragraph_format.space_after = Pt(28.9)
        elif kind == "heading":
            _font(run, HEADING_FONT, 16)
            paragraph.paragraph_format.first_line_indent = Pt(32)
        elif kind in ("signature", "date"):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.right_indent = Pt(64)
            if kind == "signature":
                paragraph.paragraph_format.space_before = Pt(57.8)
        elif text != "各责任单位：":
            paragraph.paragraph_format.first_line_indent = Pt(32)
    _page_numbers(section)
    document.core_properties.title = title
    document.core_properties.author = author
    document.save(str(path))


def _font(target, name: str, size: float) -> None:
    """Set the face for Chinese text too (Word keeps a separate East Asian font)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = target.font
    font.name = name
    font.size = Pt(size)
    element = target.element if hasattr(target, "element") else target._element
    properties = element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = properties.makeelement(qn("w:rFonts"), {})
        properties.append(fonts)
    for attribute in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), name)


def _page_numbers(section) -> None:
    """— 1 — under the text block, in 四号 宋体."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, field_code in (("— ", None), (None, "PAGE"), (" —", None)):
        run = paragraph.add_run(text or "")
        _font(run, PAGE_FONT, 14)
        if field_code:
            for kind, code in (("begin", None), (None, field_code), ("end", None)):
                if kind:
                    element = run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
                else:
                    element = run._r.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
                    element.text = code
                run._r.append(element)

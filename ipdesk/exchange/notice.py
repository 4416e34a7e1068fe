"""The 通报 draft: a Word document laid out as an official notice (GB/T 9704-2012), every number from the data.

版头: the 发文机关标志 (the office's name, red 小标宋) 35 mm below the top of the text block, the 发文字号 (a 设置
pattern such as 市知识产权强市办〔{年}〕N号, the number left for the office to fill) and the red separator line.
Then the title in 2号 小标宋 (named 方正小标宋简体, with 华文中宋 and 宋体 as the substitutes Word and WPS take when it
is missing), broken between words into a trapezoid, never inside a word; 各责任单位：; the body in 3号 仿宋 on the
22 lines × 28 characters grid, 一、 headings in 黑体 and （一） headings in 楷体. Sections: 一、总体情况 (how many
units reported on time, late, not at all; the tasks by status); 二、进展较好的单位 (the year's best by the scores in a
year 通报, else the quarter's); 三、红黑榜 (the best and the worst units, each with its figure);
四、未按时报送和进展滞后的单位; 五、存在的主要问题 (summarised across units by kind of problem, a unit quoted only
as an example); 六、下步工作要求.
A list longer than ``LIST_IN_BODY`` goes to an 附件 after the body (the red tasks by unit; the score table), named
in the 附件 line under the body. 署名 and 成文日期 four characters from the right; page numbers “— 1 —” in 4号 宋体,
odd pages right and even pages left; the 版记 (抄送, 印发机关 and 印发日期 between rules) at the foot of the last page.
The office finishes it in WPS or Word.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ipdesk.domain.periods import Period, chinese_date
from ipdesk.domain.returns import Timeliness
from ipdesk.exchange.consolidate import NOT_REPORTED, Consolidation

CHINESE_NUMBERS = "一二三四五六七八九十"
# GB/T 9704 faces, as Word and WPS name them; a missing face is replaced by its substitute (fontTable altName).
TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, PAGE_FONT = "方正小标宋简体", "仿宋", "黑体", "楷体", "宋体"
FONT_SUBSTITUTES = {"方正小标宋简体": "华文中宋", "华文中宋": "宋体", "仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体"}
RED = "FF0000"
LIST_IN_BODY = 5  # a list longer than this goes to an 附件
TITLE_CHARS = 20  # characters of 2号 (22 pt) type in the 156 mm text block
NUMBER_PATTERN = "市知识产权强市办〔{年}〕N号"  # the default 发文字号 pattern: {年} the year, N the number to fill in
# Where a title may break: between these words (and before or after a period or a unit's name), never inside one.
TITLE_WORDS = (
    "关于",
    "的通报",
    "的通知",
    "情况",
    "工作",
    "进展",
    "建设",
    "示范城市",
    "示范",
    "城市",
    "国家",
    "知识产权",
    "强市",
    "强省",
    "强国",
    "终期评估",
    "年度考核",
    "季度督导",
    "督导",
    "评估",
    "考核",
    "报告",
    "工作进展情况",
    "月度",
    "年度",
    "季度",
)


def percent(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


@dataclass(frozen=True)
class Ranked:
    """A unit on the 红黑榜 with the figure it is there for (98.5分, 绿灯率 95.0%, 红灯或滞后 4 项)."""

    unit: str
    figure: str


@dataclass(frozen=True)
class ProblemKind:
    """The problems of one kind the units wrote: how many units, which tasks, one unit's words as an example."""

    kind: str  # 资金保障, 人员力量 …
    units: tuple[str, ...]
    tasks: tuple[int, ...]
    example_unit: str
    example: str


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
    number: str = ""  # 发文字号, e.g. 市知识产权强市办〔2025〕N号
    copy_to: str = ""  # 抄送
    honours: list[Ranked] = field(default_factory=list)  # 红榜
    shames: list[Ranked] = field(default_factory=list)  # 黑榜
    ranking_basis: str = ""  # what the 红黑榜 ranks by: 年度考核得分 / 本期任务预警
    good_basis: str = ""  # why the good units are praised (the year's scores), "" for the period's own reasons
    score_rows: list[tuple[str, ...]] = field(default_factory=list)  # the 附件 score table (名次, 单位, 类别, 得分 …)
    problem_kinds: list[ProblemKind] = field(default_factory=list)

    @property
    def expected(self) -> int:
        """Units that owed returns in the period (those whose months all lie before collection began owe none)."""
        return sum(1 for value in self.timeliness.values() if value is not Timeliness.NOT_COLLECTED)

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


PROBLEM_KINDS = (  # what kind of problem a unit's words describe, by the words it uses (first match wins)
    ("资金保障不足", ("资金", "经费", "拨付", "预算")),
    ("审批和协调环节多", ("审批", "协调", "流程", "手续", "部门")),
    ("专业人员和服务力量不足", ("人员", "人手", "力量", "人才", "专业", "机构")),
    ("企业等主体参与不足", ("企业", "申报", "主体", "积极性")),
    ("进度和时间安排偏紧", ("周期", "时间", "进度", "滞后", "延期")),
)
OTHER_PROBLEMS = "其他问题"


def problem_kind(text: str) -> str:
    for kind, words in PROBLEM_KINDS:
        if any(word in text for word in words):
            return kind
    return OTHER_PROBLEMS


def problem_kinds(problems: list[tuple[str, int, str]]) -> list[ProblemKind]:
    """(unit, task, words) grouped by kind of problem, the kinds most units report first; the example is the
    shortest complete statement of the kind (a quotation, not the whole list)."""
    grouped: dict[str, list[tuple[str, int, str]]] = {}
    for unit, task, text in problems:
        grouped.setdefault(problem_kind(text), []).append((unit, task, text))
    kinds = []
    for kind, found in grouped.items():
        units = tuple(dict.fromkeys(unit for unit, _, _ in found))
        tasks = tuple(sorted({task for _, task, _ in found}))
        unit, _, text = min(found, key=lambda item: (len(item[2]) < 8, len(item[2])))
        kinds.append(ProblemKind(kind, units, tasks, unit, text.strip().rstrip("。；;")))
    kinds.sort(key=lambda k: (k.kind == OTHER_PROBLEMS, -len(k.units), -len(k.tasks), k.kind))
    return kinds


def rank_by_lights(
    consolidation: Consolidation, timeliness: dict[str, Timeliness]
) -> tuple[list[Ranked], list[Ranked]]:
    """红榜 and 黑榜 from the period's lights: the best share of green tasks (units on time with at least three
    tasks reported), and the most red or 滞后 tasks (then the units that did not report), each with its figure."""
    parts = consolidation.parts()
    best, worst = [], []
    for unit in consolidation.reporting_units:
        own = [p for p in parts if p.unit == unit and p.reported]
        if not own:
            continue
        red = sum(1 for p in own if p.needs_attention)
        green = sum(1 for p in own if p.light == "green")
        if timeliness.get(unit) is Timeliness.ON_TIME and len(own) >= 3 and not red:
            best.append((-green / len(own), -len(own), unit, f"绿灯率{green / len(own) * 100:.1f}%"))
        if red:
            worst.append((-red, unit, f"红灯或滞后任务{red}项"))
    honours = [Ranked(unit, figure) for *_, unit, figure in sorted(best)[:3]]
    shames = [Ranked(unit, figure) for _, unit, figure in sorted(worst)[:3]]
    silent = [u for u, value in timeliness.items() if value is Timeliness.MISSING]
    shames += [Ranked(unit, "未报送") for unit in silent[: max(0, 3 - len(shames))]]
    return honours, shames


def rank_by_scores(cards: list) -> tuple[list[Ranked], list[Ranked]]:
    """红榜 and 黑榜 from the year's score cards (``scoring``): the three highest and the three lowest totals."""
    ordered = sorted(cards, key=lambda c: (-c.total, c.unit))
    if not ordered or ordered[0].total == ordered[-1].total:
        return [], []  # all alike: nobody stands out
    top, bottom = ordered[0].total, ordered[-1].total
    honours = [c for c in ordered[:3] if c.total > bottom]
    lowest = [c for c in reversed(ordered[len(honours) :]) if c.total < top][:3]
    return [Ranked(c.unit, f"{c.total:g}分") for c in honours], [Ranked(c.unit, f"{c.total:g}分") for c in lowest]


def notice_facts(
    consolidation: Consolidation,
    timeliness: dict[str, Timeliness],
    office: str,
    today: dt.date,
    next_period: Period | None,
    next_due: dt.date | None,
    extra: list[str] | None = None,
    number: str = "",
    copy_to: str = "",
    cards: list | None = None,
) -> NoticeFacts:
    """The notice's facts. ``cards``: the year's score cards (``scoring.ScoreCard``, as ``CityReports.scores`` gives
    them) for a year's 通报: its 红黑榜 and the units it praises come from the scores, and the score table is
    annexed; without, the period's lights rank the units."""
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
    good_basis = ""
    problems, seen = [], set()
    worded: list[tuple[str, int, str]] = []
    for task in consolidation.ordered_tasks():
        for part in task.parts:
            text = part.problems.strip()
            if current(part) and text:
                worded.append((part.unit, task.seq, text))
                if text not in seen:
                    seen.add(text)
                    problems.append((part.unit, text))
    score_rows: list[tuple[str, ...]] = []
    if cards:
        honours, shames = rank_by_scores(cards)
        basis = "年度考核得分"
        ordered = sorted(cards, key=lambda c: (-c.total, c.unit))
        best = [c.unit for c in ordered[:5] if c.total > ordered[-1].total]  # the year's best, if any stand out
        if best:
            good, good_basis = best, "年度考核得分居前"
        for group in dict.fromkeys(c.group for c in cards):
            for c in sorted((c for c in cards if c.group == group), key=lambda c: (c.rank, c.unit)):
                score_rows.append((group, str(c.rank), c.unit, f"{c.total:g}", c.grade))
    else:
        honours, shames = rank_by_lights(consolidation, timeliness)
        basis = "本期任务预警"
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
        number=number,
        copy_to=copy_to,
        honours=honours,
        shames=shames,
        ranking_basis=basis,
        good_basis=good_basis,
        score_rows=score_rows,
        problem_kinds=problem_kinds(worded),
    )


def document_number(pattern: str, year: int) -> str:
    """The 发文字号 from the 设置 pattern: {年} becomes the year (市知识产权强市办〔2025〕N号)."""
    return (pattern or NUMBER_PATTERN).replace("{年}", str(year))


@dataclass(frozen=True)
class Annex:
    """An 附件 after the body: its title and a table (header, rows)."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...] = ()  # millimetres of each column ("" shares the 156 mm evenly)


def annexes(facts: NoticeFacts) -> list[Annex]:
    """The lists too long for the body: the red tasks by unit, the score table."""
    found = []
    red_count = sum(len(v) for v in facts.red_tasks.values())
    if red_count > LIST_IN_BODY:
        rows: tuple[tuple[str, ...], ...] = tuple(
            (str(n), unit, "；".join(f"第{seq}项{name}" for seq, name in tasks), str(len(tasks)))
            for n, (unit, tasks) in enumerate(facts.red_tasks.items(), 1)
        )
        header = ("序号", "单位", "任务", "项数")
        found.append(Annex("亮红灯或进展滞后的任务（按单位）", header, rows, (14, 40, 88, 14)))
    behind = [(unit, "未报送") for unit in facts.units(Timeliness.MISSING)]
    behind += [(unit, "逾期报送") for unit in facts.units(Timeliness.LATE)]
    behind += [(unit, "被退回，尚未重新报送") for unit in facts.units(Timeliness.RETURNED)]
    if len(behind) > LIST_IN_BODY:
        rows = tuple((str(n), unit, state) for n, (unit, state) in enumerate(behind, 1))
        found.append(Annex("未按时报送的单位", ("序号", "单位", "报送情况"), rows, (16, 80, 60)))
    if len(facts.score_rows) > LIST_IN_BODY:
        found.append(
            Annex(
                f"{facts.period.year}年度考核得分",
                ("类别", "名次", "单位", "得分", "等次"),
                tuple(facts.score_rows),
                (36, 16, 64, 20, 20),
            )
        )
    return found


def _listed(ranked: list[Ranked]) -> str:
    return "、".join(f"{r.unit}（{r.figure}）" for r in ranked)


def paragraphs(facts: NoticeFacts) -> list[tuple[str, str]]:
    """The notice as (kind, text): kind is title, body, heading, subheading, attachments, signature, date."""
    c, total = facts.status_counts, facts.parts
    red_count = sum(len(v) for v in facts.red_tasks.values())
    on_time, late = facts.units(Timeliness.ON_TIME), facts.units(Timeliness.LATE)
    missing, returned = facts.units(Timeliness.MISSING), facts.units(Timeliness.RETURNED)
    annexed = annexes(facts)
    annex_no = {annex.title: n for n, annex in enumerate(annexed, 1)}
    out = [
        ("title", f"关于{facts.subject}的通报"),
        ("addressee", "各责任单位："),
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
    ]
    if facts.good_units and facts.good_basis:
        out.append(
            (
                "body",
                "、".join(facts.good_units)
                + (f"等 {len(facts.good_units)} 个单位" if len(facts.good_units) > 1 else "")
                + f"{facts.good_basis}，工作扎实、成效明显，予以通报表扬。",
            )
        )
    else:
        out.append(
            (
                "body",
                (
                    "、".join(facts.good_units)
                    + (f"等 {len(facts.good_units)} 个单位" if len(facts.good_units) > 1 else "")
                    + "按时报送，所承担任务无红灯、无滞后，完成比例较高，予以通报表扬。"
                )
                if facts.good_units
                else "本期没有同时满足按时报送、无红灯、无滞后的单位。",
            )
        )
    out.append(("heading", "三、红黑榜"))
    if facts.honours or facts.shames:
        basis = f"按{facts.ranking_basis}，" if facts.ranking_basis else ""
        if facts.honours:
            out.append(("body", f"{basis}列入红榜的单位：{_listed(facts.honours)}。"))
        if facts.shames:
            out.append(("body", f"列入黑榜的单位：{_listed(facts.shames)}，请相关单位认真分析原因、限期整改。"))
    else:
        out.append(("body", "本期各单位得分或进展相当，不设红黑榜。"))
    out.append(("heading", "四、未按时报送和进展滞后的单位"))
    sub = 0
    if "未按时报送的单位" in annex_no:
        counts = [f"未报送 {len(missing)} 个" if missing else "", f"逾期报送 {len(late)} 个" if late else ""]
        counts.append(f"被退回尚未重新报送 {len(returned)} 个" if returned else "")
        out.append(
            (
                "body",
                f"（{CHINESE_NUMBERS[sub]}）未按时报送的单位共 {len(missing) + len(late) + len(returned)} 个，其中"
                + "、".join(c for c in counts if c)
                + f"，名单见附件{annex_no['未按时报送的单位']}。",
            )
        )
        sub += 1
    named = "未按时报送的单位" not in annex_no  # else named in the annex, not again here
    if missing and named:
        out.append(("body", f"（{CHINESE_NUMBERS[sub]}）未报送的单位：{'、'.join(missing)}。"))
        sub += 1
    if late and named:
        out.append(("body", f"（{CHINESE_NUMBERS[sub]}）逾期报送的单位：{'、'.join(late)}。"))
        sub += 1
    if returned and named:
        out.append(("body", f"报送材料被退回、尚未重新报送的单位：{'、'.join(returned)}。"))
    if facts.red_tasks:
        title = "亮红灯或进展滞后的任务（按单位）"
        if title in annex_no:
            worst = sorted(facts.red_tasks.items(), key=lambda item: -len(item[1]))[:3]
            out.append(
                (
                    "body",
                    f"进展滞后（亮红灯或状态为滞后）的任务共 {red_count} 项次，涉及 {len(facts.red_tasks)} 个单位，"
                    f"其中较多的是{_listed([Ranked(u, f'{len(t)}项') for u, t in worst])}；"
                    f"各单位的任务见附件{annex_no[title]}。",
                )
            )
        else:
            lines = [
                f"{unit}：" + "；".join(f"第{seq}项“{name}”" for seq, name in tasks)
                for unit, tasks in facts.red_tasks.items()
            ]
            out.append(("body", "进展滞后（亮红灯或状态为滞后）的单位及任务如下："))
            out += [("body", line + "。") for line in lines]
    if not (missing or late or returned or facts.red_tasks):
        out.append(("body", "本期各单位均按时报送，无亮红灯或滞后的任务。"))
    out.append(("heading", "五、存在的主要问题"))
    if facts.problem_kinds:
        all_units = {u for k in facts.problem_kinds for u in k.units}
        out.append(("body", f"从报送情况看，{len(all_units)} 个单位报告了工作中存在的问题，主要有以下几个方面："))
        for n, kind in enumerate(facts.problem_kinds[:6]):
            tasks = "、".join(str(t) for t in kind.tasks[:5]) + ("等" if len(kind.tasks) > 5 else "")
            out.append(("subheading", f"（{CHINESE_NUMBERS[n]}）{kind.kind}。"))
            out.append(
                (
                    "body",
                    f"涉及 {len(kind.units)} 个单位的 {len(kind.tasks)} 项任务（第{tasks}项），"
                    f"如{kind.example_unit}反映：“{kind.example}”。",
                )
            )
    elif facts.problems:  # facts made without kinds (a caller of an earlier release): the units' own words
        out += [("body", f"（{CHINESE_NUMBERS[n]}）{text}（{unit}）") for n, (unit, text) in enumerate(facts.problems)]
    else:
        out.append(("body", "各单位本期未报告需要协调解决的问题。"))
    out.append(("heading", "六、下步工作要求"))
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
    if annexed:
        listed = [f"{n}. {annex.title}" for n, annex in enumerate(annexed, 1)]
        out.append(("attachments", "附件：" + "\n".join(listed)))
    out += [("signature", facts.office), ("date", chinese_date(facts.date))]
    return out


@dataclass(frozen=True)
class Letterhead:
    """The 版头 and the 版记 of a notice."""

    office: str  # 发文机关标志 and 印发机关
    number: str  # 发文字号
    copy_to: str  # 抄送 ("" leaves the line for the office to fill)
    issued: dt.date  # 印发日期


def write_notice(facts: NoticeFacts, path: Path) -> None:
    """Write the .docx (GB/T 9704: 版头, title, body, 附件, 版记)."""
    head = Letterhead(facts.office, facts.number or document_number("", facts.date.year), facts.copy_to, facts.date)
    write_document(paragraphs(facts), path, f"关于{facts.subject}的通报", facts.office, head, annexes(facts))


def title_words(title: str) -> list[str]:
    """The title cut into the words a line may break between: the longest known word at each place; a period (2025年
    第三季度, 2025年11月) and a run of other characters stay whole."""
    pieces: list[str] = []
    period = re.compile(r"\d{4}年(?:第[一二三四]季度|上半年|下半年|\d{1,2}月)?(?:度)?")
    i = 0
    run = ""
    while i < len(title):
        found = period.match(title, i)
        word = (
            found.group(0)
            if found
            else next((w for w in sorted(TITLE_WORDS, key=len, reverse=True) if title.startswith(w, i)), "")
        )
        if word:
            if run:
                pieces.append(run)
                run = ""
            pieces.append(word)
            i += len(word)
        else:
            run += title[i]
            i += 1
    if run:
        pieces.append(run)
    return pieces


def title_lines(title: str, most: int = TITLE_CHARS) -> list[str]:
    """The title in as few lines as it needs, broken only between words, the lines as even as the words allow with
    the longer ones on top (a trapezoid)."""
    words = title_words(title)
    if len(title) <= most:
        return [title]
    count = -(-len(title) // most)
    while True:
        target = len(title) / count
        lines: list[str] = []
        line = ""
        for word in words:
            if line and (len(line) + len(word) > most or (len(line) >= target and len(lines) < count - 1)):
                lines.append(line)
                line = ""
            line += word
        lines.append(line)
        if all(len(x) <= most for x in lines) and len(lines) <= count:
            return lines
        count += 1
        if count > len(words):
            return lines


def _chars(text: str) -> float:
    """Width in characters of 3号 type: digits and Latin letters are half a character."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def signature_indents(office: str, date: str) -> tuple[float, float]:
    """Right indents, in characters, of the 署名 and the 成文日期: the date 4 characters from the right margin with
    the name centred over it; a name too long for that sits flush right with the date centred under it."""
    name, day = _chars(office), _chars(date)
    office_indent = 4 + day / 2 - name / 2
    if office_indent >= 0:
        return office_indent, 4.0
    return 0.0, max(0.0, name / 2 - day / 2)


def write_document(
    items: list[tuple[str, str]],
    path: Path,
    title: str,
    author: str,
    head: Letterhead | None = None,
    annexed: list[Annex] | None = None,
) -> None:
    """A Word document laid out as an official text (GB/T 9704): ``items`` are (kind, text) with kind title,
    addressee, heading (一、), subheading (（一）), body, attachments, signature or date (see ``paragraphs``);
    ``head`` adds the 版头 and the 版记, ``annexed`` the 附件 after the body."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(23)  # the page number 7 mm under the text block
    _grid(document, section)
    normal = document.styles["Normal"]
    _font(normal, BODY_FONT, 16)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(28.95)  # 22 lines to the 225 mm text block
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.widow_control = False  # lines stay on the grid
    if head is not None:
        _letterhead(document, head)
    for number, (kind, text) in enumerate(items):
        paragraph = document.add_paragraph()
        fmt = paragraph.paragraph_format
        if number + 1 < len(items) and items[number + 1][0] in ("signature", "date"):
            # GB/T 9704: the signature and date are never alone on a page; they keep the last lines with them
            fmt.keep_with_next = True
        if kind == "title":
            lines = title_lines(text)
            for n, line in enumerate(lines):
                run = paragraph.add_run(line)
                _font(run, TITLE_FONT, 22)
                if n + 1 < len(lines):
                    run.add_break(WD_BREAK.LINE)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt.line_spacing = Pt(36)
            fmt.space_after = Pt(28.95)
            fmt.keep_with_next = True
            _off_grid(paragraph)
            continue
        if kind == "attachments":  # 附件：1. … under the body, one blank line above, the items aligned
            first, *rest = text.split("\n")
            fmt.space_before = Pt(28.95)
            fmt.first_line_indent = Pt(32)
            run = paragraph.add_run(first)
            for line in rest:
                run.add_break(WD_BREAK.LINE)
                run = paragraph.add_run("　　　" + line)
            continue
        run = paragraph.add_run(text)
        if kind == "heading":
            _font(run, HEADING_FONT, 16)
            fmt.first_line_indent = Pt(32)
            fmt.keep_with_next = True
        elif kind == "subheading":
            _font(run, SUBHEADING_FONT, 16)
            fmt.first_line_indent = Pt(32)
            fmt.keep_with_next = True
        elif kind in ("signature", "date"):
            # 成文日期 four characters from the right margin, the office's name centred over it (or, a name too long
            # for that, flush right with the date centred under it)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            office = next((t for k, t in items if k == "signature"), "")
            date = next((t for k, t in items if k == "date"), "")
            office_indent, date_indent = signature_indents(office, date)
            fmt.right_indent = Pt(16 * (office_indent if kind == "signature" else date_indent))
            if kind == "signature":
                fmt.space_before = Pt(57.9)
                fmt.keep_with_next = True
        elif kind != "addressee":
            fmt.first_line_indent = Pt(32)
    for n, annex in enumerate(annexed or [], 1):
        _annex(document, n, annex)
    _page_numbers(document, section)  # before the 版记's section, which has none
    if head is not None:
        _record(document, head)
    _font_table(document)
    document.core_properties.title = title
    document.core_properties.author = author
    document.save(str(path))


def _letterhead(document, head: Letterhead) -> None:
    """发文机关标志 (red 小标宋, its top 35 mm below the text block's top), 发文字号, the red separator line."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    size = min(36.0, 442.0 / max(len(head.office), 1))  # one line within the 156 mm text block
    mark = document.add_paragraph()
    mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
    mark.paragraph_format.space_before = Mm(35)
    mark.paragraph_format.line_spacing = Pt(size * 1.3)
    run = mark.add_run(head.office)
    _font(run, TITLE_FONT, size)
    _off_grid(mark)
    run.font.color.rgb = RGBColor.from_string(RED)
    number = document.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number.paragraph_format.space_before = Pt(28.95 * 2)  # 空二行
    number.paragraph_format.space_after = Pt(8)
    _font(number.add_run(head.number), BODY_FONT, 16)
    _border(number, "bottom", RED, 8)  # the red separator line across the text block (1 pt)
    document.add_paragraph()  # the title stands two lines under the red line
    document.add_paragraph()


def _annex(document, number: int, annex: Annex) -> None:
    """附件N (黑体) on a new page, its title (2号 小标宋), the table in 仿宋 小四."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Mm, Pt

    label = document.add_paragraph()
    label.add_run().add_break(WD_BREAK.PAGE)
    _font(label.add_run(f"附件{number}"), HEADING_FONT, 16)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_after = Pt(14)
    _off_grid(title)
    for n, line in enumerate(title_lines(annex.title)):
        run = title.add_run(line)
        _font(run, TITLE_FONT, 22)
        if n + 1 < len(title_lines(annex.title)):
            run.add_break()
    table = document.add_table(rows=1, cols=len(annex.header))
    table.style = "Table Grid"
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, annex.header, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), HEADING_FONT, 12)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for row in annex.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(text), BODY_FONT, 12)
    widths = annex.widths or tuple(156 // len(annex.header) for _ in annex.header)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.line_spacing = Pt(18)
                paragraph.paragraph_format.first_line_indent = Pt(0)


def _record(document, head: Letterhead) -> None:
    """版记 on a page of its own after the body and the 附件, at the foot of the text block and with no page number:
    抄送, then 印发机关 and 印发日期 on one line, between rules (the first and the last thicker), in 4号 仿宋. It is the
    footer of a last section, which is how a word processor keeps it at the foot whatever comes before."""
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt

    last = document.add_section(WD_SECTION.NEW_PAGE)
    last.footer_distance = Mm(35)  # the footer's foot on the text block's
    for footer in (last.footer, last.even_page_footer):
        footer.is_linked_to_previous = False
        copy_to = footer.paragraphs[0]
        copy_to.paragraph_format.left_indent = Pt(14)
        copy_to.paragraph_format.right_indent = Pt(14)
        copy_to.paragraph_format.line_spacing = Pt(28)
        _font(copy_to.add_run(f"抄送：{head.copy_to}" if head.copy_to else "抄送："), BODY_FONT, 14)
        issued = footer.add_paragraph()  # half a character in at each side: a long office name and the date fit
        issued.paragraph_format.left_indent = Pt(7)
        issued.paragraph_format.right_indent = Pt(7)
        issued.paragraph_format.line_spacing = Pt(28)
        issued.paragraph_format.tab_stops.add_tab_stop(Pt(442 - 15), WD_TAB_ALIGNMENT.RIGHT)
        _font(issued.add_run(f"{head.office}\t{chinese_date(head.issued)}印发"), BODY_FONT, 14)
        _border(copy_to, "top", "000000", 8)
        _border(copy_to, "bottom", "000000", 4)
        _border(issued, "bottom", "000000", 8)


def _border(paragraph, side: str, colour: str, eighths: int) -> None:
    """A rule on one side of a paragraph (``eighths`` of a point thick)."""
    from docx.oxml.ns import qn

    borders = paragraph._p.get_or_add_pPr().find(qn("w:pBdr"))
    if borders is None:
        borders = _paragraph_property(paragraph, "w:pBdr", {})
    borders.append(  # sides in the schema's order: callers add top before bottom
        borders.makeelement(
            qn(f"w:{side}"),
            {qn("w:val"): "single", qn("w:sz"): str(eighths), qn("w:space"): "1", qn("w:color"): colour},
        )
    )


# The order of a paragraph's properties in the file (ECMA-376 CT_PPrBase); Word refuses a file that breaks it.
PPR_ORDER = (
    "w:pStyle",
    "w:keepNext",
    "w:keepLines",
    "w:pageBreakBefore",
    "w:framePr",
    "w:widowControl",
    "w:numPr",
    "w:suppressLineNumbers",
    "w:pBdr",
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _paragraph_property(paragraph, tag: str, attributes: dict):
    """Add a property element to a paragraph in its schema place; returns it."""
    from docx.oxml.ns import qn

    properties = paragraph._p.get_or_add_pPr()
    element = properties.makeelement(qn(tag), {qn(k): v for k, v in attributes.items()})
    later = PPR_ORDER[PPR_ORDER.index(tag) + 1 :]
    properties.insert_element_before(element, *later)
    return element


def _off_grid(paragraph) -> None:
    """Type larger than the body's (a title, the 发文机关标志) is not set on the character grid: on it each character
    would take two cells."""
    _paragraph_property(paragraph, "w:snapToGrid", {"w:val": "0"})


def _grid(document, section) -> None:
    """The 22 lines × 28 characters of 3号 type: a line grid of 28.95 pt, characters at a pitch of 15.75 pt; the
    document's default size is 3号 too, as Word counts a grid from it."""
    from docx.oxml.ns import qn

    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        run_defaults = defaults.find(qn("w:rPrDefault"))
        properties = run_defaults.find(qn("w:rPr")) if run_defaults is not None else None
        if properties is not None:
            for tag in ("w:sz", "w:szCs"):
                size = properties.find(qn(tag))
                if size is None:
                    size = properties.makeelement(qn(tag), {})
                    properties.append(size)
                size.set(qn("w:val"), "32")

    properties = section._sectPr
    grid = properties.find(qn("w:docGrid"))
    if grid is None:
        grid = properties.makeelement(qn("w:docGrid"), {})
        properties.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), "579")
    # 28 characters a line by the type's own spacing (-0.25 pt: a pitch of 15.75 pt), not by a character grid,
    # which LibreOffice reads as twice as wide
    normal = document.styles["Normal"].element.get_or_add_rPr()
    spacing = normal.makeelement(qn("w:spacing"), {qn("w:val"): "-5"})
    normal.insert_element_before(
        spacing,
        "w:w",
        "w:kern",
        "w:position",
        "w:sz",
        "w:szCs",
        "w:highlight",
        "w:u",
        "w:effect",
        "w:bdr",
        "w:shd",
        "w:fitText",
        "w:vertAlign",
        "w:rtl",
        "w:cs",
        "w:em",
        "w:lang",
        "w:eastAsianLayout",
    )


def _font_table(document) -> None:
    """Name each face's substitute (w:altName) so Word and WPS take 华文中宋, then 宋体, where 方正小标宋简体 is
    missing, instead of a face of their own choosing."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.ns import qn

    part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype == RT.FONT_TABLE)
    from lxml import etree  # type: ignore[import-untyped]

    root = etree.fromstring(part.blob)
    for name, substitute in FONT_SUBSTITUTES.items():
        for face, alternative in ((name, substitute), (substitute, FONT_SUBSTITUTES.get(substitute, ""))):
            if root.find(f"{qn('w:font')}[@{qn('w:name')}='{face}']") is not None:
                continue
            font = etree.SubElement(root, qn("w:font"), {qn("w:name"): face})
            if alternative:
                etree.SubElement(font, qn("w:altName"), {qn("w:val"): alternative})
            etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})
            etree.SubElement(font, qn("w:family"), {qn("w:val"): "roman"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


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


def _page_numbers(document, section) -> None:
    """— 1 — in 4号 宋体, 7 mm under the text block: odd pages at the right, even pages at the left, one character
    in (different odd and even footers)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document.settings.odd_and_even_pages_header_footer = True
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        fmt = paragraph.paragraph_format
        fmt.first_line_indent = Pt(0)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            fmt.right_indent = Pt(14)
        else:
            fmt.left_indent = Pt(14)
        _page_field(paragraph)


def _page_field(paragraph) -> None:
    from docx.oxml.ns import qn

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

"""年度考核: each unit's score for a year out of five weighted parts, every point traced to its cause, and its 等次
within its kind of unit.

The rules are data the office edits (设置 in the city window, or a JSON file it exports and imports). Defaults:

* **报送 (20)**: on-time returns ÷ returns due in the year, a late return counting half;
* **任务推进 (50)**: each task the unit holds scores by its light against 序时进度 in the year's last collected
  period — 已完成 or 绿灯 1, 黄灯 0.6, 红灯 0.2, 滞后 or not reported 0 — lead tasks weighing twice cooperating ones.
  The light is the task's light (``domain.lights.task_light``); a reason written under 存在问题 never changes it;
* **指标完成 (20)**: the indicators the unit leads, each min(1, value ÷ the value expected by the end of its period),
  by ``domain.lights.judge_indicator``; a unit that leads none (or none with an expected value yet) has this weight
  spread over the other parts in proportion, so that it neither gains nor loses by having none;
* **材料质量 (10)**: the share of 已完成 tasks with evidence (佐证材料) × 10, −2 per version sent back (退回), not
  below 0;
* **加分 / 扣分** the office enters per unit with a written reason (创新工作, 通报表扬/批评), capped at ±5 in all.

A unit that sent nothing in the year scores 0 for 报送, 任务推进 and 指标完成 (and has no material to judge).

**等次**: 优秀 needs ≥ 90 *and* a place within the best 30 % of its kind of unit (市级部门 / 区县 / 开发区（新区）):
at most ⌊30 % × the kind's units⌋ are 优秀, so a kind of three has none; 良好 ≥ 80, 一般 ≥ 60, 较差 below. Units are
ordered by total, then 任务推进, then 报送; units equal on all three share a place, and when such a tie straddles the
quota none of them is 优秀 (the quota is never exceeded and never decided by the alphabet).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import ClassVar

from ipdesk.domain.errors import InvalidInput, os_error_text
from ipdesk.domain.plan import Role, Unit

RULES_FORMAT = "ipdesk-scoring-rules"
RULES_VERSION = "2.0"
PARTS = ("报送", "任务推进", "指标完成", "材料质量")


@dataclass(frozen=True)
class ScoringRules:
    report_weight: float = 20.0
    task_weight: float = 50.0
    indicator_weight: float = 20.0
    material_weight: float = 10.0
    late_share: float = 0.5  # a late return counts this share of an on-time one
    lead_weight: float = 2.0  # a lead task weighs this many times …
    coop_weight: float = 1.0  # … what a cooperating task weighs
    done_or_green: float = 1.0
    yellow: float = 0.6
    red: float = 0.2
    lagging: float = 0.0  # 滞后, or not reported
    returned: float = 2.0  # points off 材料质量 per version sent back
    adjustment_cap: float = 5.0  # 加分 / 扣分 in all, at most this much either way
    excellent: float = 90.0
    good: float = 80.0
    fair: float = 60.0
    excellent_share: float = 0.3  # at most this share of a kind of unit is 优秀

    LABELS: ClassVar[dict[str, str]] = {
        "report_weight": "报送（权重）",
        "task_weight": "任务推进（权重）",
        "indicator_weight": "指标完成（权重）",
        "material_weight": "材料质量（权重）",
        "late_share": "逾期报送按按时报送的比例计",
        "lead_weight": "牵头任务权数",
        "coop_weight": "协作任务权数",
        "done_or_green": "已完成或绿灯任务得分系数",
        "yellow": "黄灯任务得分系数",
        "red": "红灯任务得分系数",
        "lagging": "滞后或未报送任务得分系数",
        "returned": "材料每被退回一次扣分",
        "adjustment_cap": "加分、扣分合计上限（±）",
        "excellent": "优秀分数线",
        "good": "良好分数线",
        "fair": "一般分数线",
        "excellent_share": "优秀名额占同类单位的比例上限",
    }

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            label = self.LABELS.get(item.name, item.name)
            if not isinstance(value, (int, float)) or value != value or not 0 <= value <= 1000:
                raise InvalidInput(f"考核规则“{label}”应为 0 到 1000 之间的数")
        for name in ("late_share", "done_or_green", "yellow", "red", "lagging", "excellent_share"):
            if getattr(self, name) > 1:
                raise InvalidInput(f"考核规则“{self.LABELS[name]}”应在 0 到 1 之间")
        if not self.done_or_green >= self.yellow >= self.red >= self.lagging:
            raise InvalidInput("考核规则的任务得分系数应满足：已完成或绿灯 ≥ 黄灯 ≥ 红灯 ≥ 滞后")
        if not self.excellent >= self.good >= self.fair:
            raise InvalidInput("考核规则的分数线应满足：优秀 ≥ 良好 ≥ 一般")
        if self.lead_weight <= 0 or self.coop_weight <= 0:
            raise InvalidInput("牵头任务和协作任务的权数应为正数")
        if self.weights_total <= 0:
            raise InvalidInput("考核规则的四项权重不能都为 0")

    @property
    def weights(self) -> dict[str, float]:
        return dict(
            zip(PARTS, (self.report_weight, self.task_weight, self.indicator_weight, self.material_weight), strict=True)
        )

    @property
    def weights_total(self) -> float:
        return self.report_weight + self.task_weight + self.indicator_weight + self.material_weight

    def to_json(self) -> str:
        data = {k: v for k, v in asdict(self).items()}
        document = {"format": RULES_FORMAT, "format_version": RULES_VERSION, "说明": self.described(), "rules": data}
        return json.dumps(document, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> ScoringRules:
        """Rules from their JSON; a rule the file does not name keeps its default (a file of the earlier per-event
        model, format 1.0, gives the defaults: its rules no longer exist)."""
        from ipdesk.domain.limits import number_problem

        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != RULES_FORMAT:
                raise InvalidInput("不是 ipdesk 考核规则文件")
            version = data.get("format_version")
            if not isinstance(version, str) or not version.partition(".")[0].isdigit():
                raise InvalidInput("考核规则文件的格式版本无法识别")
            if int(version.partition(".")[0]) > int(RULES_VERSION.partition(".")[0]):
                raise InvalidInput(f"考核规则文件的格式版本 {version[:10]} 比本程序新，请先升级 ipdesk")
            rules = data["rules"]
            if not isinstance(rules, dict):
                raise InvalidInput("考核规则文件中没有规则（rules）")
            known = {f.name for f in fields(cls)}
            values = {}
            for key, value in rules.items():
                if key not in known:
                    continue
                # each rule a number as written (never text, never true/false), finite and within bounds
                problem = number_problem(value, f"考核规则“{cls.LABELS[key]}”", 0, 1000)
                if problem:
                    raise InvalidInput(f"考核规则文件无效：{problem}，未导入")
                values[key] = float(value)
        except InvalidInput:
            raise
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            raise InvalidInput("考核规则文件已损坏，无法读取") from None
        return replace(cls(), **values)

    @classmethod
    def read_file(cls, path: Path) -> ScoringRules:
        try:
            if path.stat().st_size > 64 * 1024:
                raise InvalidInput("不是 ipdesk 考核规则文件（文件过大）")
            return cls.from_json(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise InvalidInput(f"找不到文件：{path}") from None
        except OSError as error:
            raise InvalidInput(f"无法读取考核规则文件：{path}（{os_error_text(error)}）") from None
        except UnicodeDecodeError:
            raise InvalidInput(f"“{path.name}”不是 ipdesk 考核规则文件（不是 UTF-8 文本）") from None

    def described(self) -> list[str]:
        """The rules in words, for the score table's 填表说明."""
        return [
            f"年度考核满分 {self.weights_total:g} 分：报送 {self.report_weight:g} 分（按时报送期数 ÷ 应报期数，"
            f"逾期报送按 {self.late_share:g} 期计）；任务推进 {self.task_weight:g} 分（年内最后一期各项任务按序时进度的"
            f"预警：已完成或绿灯计 {self.done_or_green:g}，黄灯 {self.yellow:g}，红灯 {self.red:g}，"
            f"滞后或未报送 {self.lagging:g}；"
            f"牵头任务权数 {self.lead_weight:g}，协作任务 {self.coop_weight:g}；填写原因不改变预警）；",
            f"指标完成 {self.indicator_weight:g} 分（牵头指标的数值 ÷ 本期应达值，每项最多计 1；不牵头指标的单位，"
            f"此项权重按比例分配到其他各项）；材料质量 {self.material_weight:g} 分（已完成任务有佐证材料的比例，"
            f"材料每被退回一次扣 {self.returned:g} 分）；加分、扣分由办公室按单位填写并注明原因，合计不超过"
            f" ±{self.adjustment_cap:g} 分。全年未报送的单位，报送、任务推进和指标完成均为 0 分。",
            f"等次：优秀须 ≥ {self.excellent:g} 分且位于同类单位前 {self.excellent_share * 100:g}%（名额向下取整），"
            f"良好 ≥ {self.good:g} 分，一般 ≥ {self.fair:g} 分，其余为较差；同分按任务推进、再按报送得分排序。",
        ]


@dataclass(frozen=True)
class Adjustment:
    """加分 (positive) or 扣分 (negative) the office enters for a unit, with its reason."""

    unit: str
    points: float
    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise InvalidInput("加分、扣分须写明原因（如 创新工作、通报表扬、通报批评）")
        if not isinstance(self.points, (int, float)) or self.points != self.points or self.points == 0:
            raise InvalidInput("加分、扣分应为不等于 0 的数（扣分写负数）")
        if abs(self.points) > 100:
            raise InvalidInput("加分、扣分的分值不合理")


@dataclass(frozen=True)
class TaskMark:
    """A task as the unit's year-end return leaves it: its part and light (from the consolidation)."""

    seq: int
    role: Role
    reported: bool
    status: str = ""  # a TaskStatus code
    light: str = "none"
    evidence: bool = False


@dataclass(frozen=True)
class UnitYear:
    """What a unit's year gives the assessment."""

    unit: Unit
    sent_anything: bool
    due: tuple[str, ...] = ()  # Chinese names of the periods whose returns were due in the year
    on_time: tuple[str, ...] = ()
    late: tuple[str, ...] = ()
    tasks: tuple[TaskMark, ...] = ()
    indicators: tuple[tuple[int, str, float | None], ...] = ()  # (seq, name, value ÷ expected; None: no figure)
    returned: tuple[str, ...] = ()  # the versions sent back: 2025年3月v1 …
    adjustments: tuple[Adjustment, ...] = ()

    @property
    def missing(self) -> list[str]:
        return [p for p in self.due if p not in self.on_time and p not in self.late]


@dataclass(frozen=True)
class ScoreItem:
    """One line of a unit's breakdown: what it is, how many things it counts, the points it brings, and why."""

    cause: str
    count: int
    points: float
    detail: str = ""


@dataclass(frozen=True)
class ScoreCard:
    unit: str
    group: str
    items: tuple[ScoreItem, ...]
    raw: float  # before the adjustments' cap
    total: float
    rank: int = 0  # within the group
    group_size: int = 0
    grade: str = ""
    parts: dict[str, float] = field(default_factory=dict)  # 报送, 任务推进, … → points

    def points(self, part: str) -> float:
        return self.parts.get(part, 0.0)


def _task_value(task: TaskMark, rules: ScoringRules) -> tuple[float, str]:
    if not task.reported:
        return rules.lagging, "未报送"
    if task.status == "lagging":
        return rules.lagging, "滞后"
    if task.status == "done" or task.light == "green":
        return rules.done_or_green, "已完成或绿灯"
    if task.light == "yellow":
        return rules.yellow, "黄灯"
    if task.light == "red":
        return rules.red, "红灯"
    return rules.yellow, "无预警（未填进度）"  # in progress without a figure: neither on schedule nor behind


def _seqs(seqs: list[int]) -> str:
    return "、".join(f"第{seq}项" for seq in seqs)


def score_unit(year: UnitYear, rules: ScoringRules) -> ScoreCard:
    """One unit's card (not yet ranked)."""
    shares: dict[str, float | None] = {}
    details: dict[str, str] = {}
    counts: dict[str, int] = {}
    silent = not year.sent_anything

    # 报送
    counts["报送"] = len(year.due)
    if not year.due:
        shares["报送"] = None
        details["报送"] = "本年无应报期次，本项权重按比例分配到其他各项"
    else:
        shares["报送"] = 0.0 if silent else (len(year.on_time) + rules.late_share * len(year.late)) / len(year.due)
        missing = year.missing
        details["报送"] = (
            f"应报 {len(year.due)} 期：按时 {len(year.on_time)} 期，"
            f"逾期 {len(year.late)} 期（各按 {rules.late_share:g} 期计）"
            + (f"（{'、'.join(year.late)}）" if year.late else "")
            + f"，未报送 {len(missing)} 期"
            + (f"（{'、'.join(missing)}）" if missing else "")
        )

    # 任务推进
    counts["任务推进"] = len(year.tasks)
    if silent:
        shares["任务推进"] = 0.0 if year.tasks else None
        details["任务推进"] = "全年未报送，计 0 分"
    elif not year.tasks:
        shares["任务推进"] = None
        details["任务推进"] = "不承担任务，本项权重按比例分配到其他各项"
    else:
        weighted = total = 0.0
        groups: dict[str, list[int]] = {}
        for task in year.tasks:
            weight = rules.lead_weight if task.role is Role.LEAD else rules.coop_weight
            value, word = _task_value(task, rules)
            weighted += weight * value
            total += weight
            groups.setdefault(word, []).append(task.seq)
        shares["任务推进"] = weighted / total
        details["任务推进"] = (
            "；".join(f"{word} {len(seqs)} 项（{_seqs(seqs)}）" for word, seqs in groups.items())
            + f"；牵头任务权数 {rules.lead_weight:g}，协作 {rules.coop_weight:g}"
        )

    # 指标完成
    counts["指标完成"] = len(year.indicators)
    if not year.indicators:
        shares["指标完成"] = None
        details["指标完成"] = "不牵头主要指标（或本年尚无预期值），本项权重按比例分配到其他各项"
    elif silent:
        shares["指标完成"] = 0.0
        details["指标完成"] = "全年未报送，计 0 分"
    else:
        values = [min(1.0, max(0.0, rate)) if rate is not None else 0.0 for _, _, rate in year.indicators]
        shares["指标完成"] = sum(values) / len(values)
        details["指标完成"] = "；".join(
            f"指标{seq}{name}："
            + ("未报送，计 0" if rate is None else f"完成本期应达值的 {rate * 100:.1f}%，计 {v:.2f}")
            for (seq, name, rate), v in zip(year.indicators, values, strict=True)
        )

    # 材料质量
    done = [t for t in year.tasks if t.reported and t.status == "done"]
    with_evidence = [t for t in done if t.evidence]
    counts["材料质量"] = len(done)
    if silent:
        shares["材料质量"] = 0.0
        details["材料质量"] = "全年未报送，无材料可评"
    else:
        share = len(with_evidence) / len(done) if done else 1.0
        off = rules.returned * len(year.returned)
        shares["材料质量"] = (
            max(0.0, share * rules.material_weight - off) / rules.material_weight if rules.material_weight else 0.0
        )
        details["材料质量"] = (
            f"已完成任务 {len(done)} 项，有佐证材料 {len(with_evidence)} 项" if done else "无已完成任务，佐证按满分计"
        ) + (f"；退回 {len(year.returned)} 次（{'、'.join(year.returned)}），扣 {off:g} 分" if year.returned else "")

    applicable = {part: w for part, w in rules.weights.items() if shares[part] is not None}
    scale = rules.weights_total / sum(applicable.values()) if sum(applicable.values()) else 0.0
    items: list[ScoreItem] = []
    parts: dict[str, float] = {}
    for part, weight in rules.weights.items():
        part_share = shares[part]
        points = 0.0 if part_share is None else round(part_share * weight * scale, 2)
        parts[part] = points
        detail = details[part]
        if part_share is not None and not math.isclose(scale, 1.0):
            detail += f"（含其他项按比例分配的权重，×{scale:.3f}）"
        items.append(ScoreItem(part, counts[part], points, detail))
    raw = round(sum(parts.values()), 2)
    adjusted = sum(a.points for a in year.adjustments)
    capped = max(-rules.adjustment_cap, min(rules.adjustment_cap, adjusted))
    for adjustment in year.adjustments:
        word = "加分" if adjustment.points > 0 else "扣分"
        items.append(ScoreItem(f"{word}：{adjustment.reason}", 1, round(adjustment.points, 2)))
    if not math.isclose(capped, adjusted):
        items.append(
            ScoreItem(f"加分、扣分合计超过 ±{rules.adjustment_cap:g}，按上限计", 1, round(capped - adjusted, 2))
        )
    parts["加分扣分"] = round(capped, 2)
    total = round(raw + capped, 2)
    return ScoreCard(year.unit.name, year.unit.kind.group, tuple(items), raw, total, parts=parts)


def _order_key(card: ScoreCard) -> tuple[float, float, float]:
    return (-card.total, -card.points("任务推进"), -card.points("报送"))


def grade_of(total: float, rules: ScoringRules) -> str:
    """The grade by score alone (优秀 also needs a place within the quota: ``rank``)."""
    if total >= rules.excellent:
        return "优秀"
    if total >= rules.good:
        return "良好"
    if total >= rules.fair:
        return "一般"
    return "较差"


def rank(cards: list[ScoreCard], rules: ScoringRules | None = None) -> list[ScoreCard]:
    """Rank within each kind of unit by total, then 任务推进, then 报送 (equal on all three: the same place), and
    give each its 等次 with the 优秀 quota; the cards come back in the order given."""
    rules = rules or ScoringRules()
    ranked: dict[str, ScoreCard] = {}
    groups: dict[str, list[ScoreCard]] = {}
    for card in cards:
        groups.setdefault(card.group, []).append(card)
    for members in groups.values():
        ordered = sorted(members, key=lambda c: (_order_key(c), c.unit))
        quota = math.floor(rules.excellent_share * len(ordered) + 1e-9)
        places: list[int] = []
        for position, card in enumerate(ordered):
            tied = position and _order_key(card) == _order_key(ordered[position - 1])
            places.append(places[-1] if tied else position + 1)
        for position, card in enumerate(ordered):
            place = places[position]
            tied_with = sum(1 for p in places if p == place)
            within = place - 1 + tied_with <= quota  # the whole tie fits in the quota
            grade = grade_of(card.total, rules)
            if grade == "优秀" and not within:
                grade = grade_of(min(card.total, rules.excellent - 1e-9), rules)
            ranked[card.unit] = replace(card, rank=place, group_size=len(ordered), grade=grade)
    return [ranked[card.unit] for card in cards]


def score_year(years: list[UnitYear], rules: ScoringRules) -> list[ScoreCard]:
    """Each unit's score card, ranked within its kind of unit, in the order given."""
    return rank([score_unit(year, rules) for year in years], rules)

"""年度考核: each unit's score for a year, every point traced to its cause, ranked within its kind of unit.

The rules are data the office edits (设置 in the city window, or a JSON file it exports and imports), with defaults
like those Chinese offices publish: a base of 100; points for each task completed (more for the lead unit than for a
cooperating one); deductions for each return missing or late, each red-light or 滞后 task without a reason, each
return sent back (退回); a cap and a floor.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import ClassVar

from ipdesk.domain.accounting import UnitAccount
from ipdesk.domain.errors import InvalidInput, os_error_text
from ipdesk.domain.periods import Period
from ipdesk.domain.plan import Role, Unit
from ipdesk.domain.returns import ReceivedReturn
from ipdesk.exchange.consolidate import Position

RULES_FORMAT = "ipdesk-scoring-rules"


@dataclass(frozen=True)
class ScoringRules:
    base: float = 100.0
    done_lead: float = 2.0  # per task completed as its lead unit
    done_coop: float = 1.0  # per task completed as a cooperating unit
    missing_return: float = -5.0  # per return due in the year and never received
    late_return: float = -1.0  # per return received after its due date
    unexplained: float = -2.0  # per red-light or 滞后 task whose problems are not written down
    returned: float = -2.0  # per version the office sent back (退回)
    cap: float = 110.0
    floor: float = 60.0

    LABELS: ClassVar[dict[str, str]] = {
        "base": "基础分",
        "done_lead": "牵头任务完成，每项加分",
        "done_coop": "协作任务完成，每项加分",
        "missing_return": "未报送，每期扣分",
        "late_return": "逾期报送，每期扣分",
        "unexplained": "红灯或滞后任务未说明原因，每项扣分",
        "returned": "报送材料被退回，每次扣分",
        "cap": "最高分",
        "floor": "最低分",
    }

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, (int, float)) or value != value or abs(value) > 1000:
                raise InvalidInput(f"考核规则“{self.LABELS.get(item.name, item.name)}”应为 -1000 到 1000 之间的数")
        if self.floor > self.cap:
            raise InvalidInput("考核规则的最低分不能高于最高分")
        for name in ("done_lead", "done_coop"):
            if getattr(self, name) < 0:
                raise InvalidInput(f"“{self.LABELS[name]}”应为正数或 0")
        for name in ("missing_return", "late_return", "unexplained", "returned"):
            if getattr(self, name) > 0:
                raise InvalidInput(f"“{self.LABELS[name]}”是扣分，应为负数或 0")

    def to_json(self) -> str:
        data = {k: v for k, v in asdict(self).items()}
        return json.dumps(
            {"format": RULES_FORMAT, "format_version": "1.0", "rules": data}, ensure_ascii=False, indent=1
        )

    @classmethod
    def from_json(cls, text: str) -> ScoringRules:
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != RULES_FORMAT:
                raise InvalidInput("不是 ipdesk 考核规则文件")
            rules = data["rules"]
            known = {f.name for f in fields(cls)}
            values = {k: float(v) for k, v in rules.items() if k in known}
        except InvalidInput:
            raise
        except (ValueError, KeyError, TypeError, AttributeError):
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
            f"基础分 {self.base:g} 分；每完成一项牵头任务加 {self.done_lead:g} 分，"
            f"每完成一项协作任务加 {self.done_coop:g} 分。",
            f"每期未报送扣 {-self.missing_return:g} 分，每期逾期报送扣 {-self.late_return:g} 分，"
            f"报送材料每被退回一次扣 {-self.returned:g} 分，红灯或滞后任务未说明原因每项扣 {-self.unexplained:g} 分。",
            f"总分最高 {self.cap:g} 分，最低 {self.floor:g} 分。",
        ]


@dataclass(frozen=True)
class ScoreItem:
    """One line of a unit's breakdown: what happened, how many times, the points it brings."""

    cause: str
    count: int
    points: float
    detail: str = ""  # which tasks or periods


@dataclass(frozen=True)
class ScoreCard:
    unit: str
    group: str
    items: tuple[ScoreItem, ...]
    raw: float  # before the cap and the floor
    total: float
    rank: int = 0  # within the group
    group_size: int = 0

    @property
    def grade(self) -> str:
        """A grade as provincial offices give them: 优秀 (≥ 95), 良好 (≥ 85), 一般 (≥ 70), 较差."""
        for threshold, word in ((95, "优秀"), (85, "良好"), (70, "一般")):
            if self.total >= threshold:
                return word
        return "较差"


def score_year(
    units: list[Unit],
    year_end: dict[str, Position],
    accounts: dict[str, UnitAccount],
    returned: dict[str, list[ReceivedReturn]],
    rules: ScoringRules,
    today: dt.date,
    lights: dict[tuple[str, int], str] | None = None,
) -> list[ScoreCard]:
    """Each unit's score card, ranked within its group.

    ``year_end``: the return that speaks for each unit at the year's end; ``accounts``: each unit's account of the
    returns due in the year (``domain.accounting``: periods before the office began collecting are in none, and
    cost nothing); ``returned``: the versions sent back.
    """
    cards = []
    for unit in units:
        items = [ScoreItem("基础分", 1, rules.base)]
        position = year_end.get(unit.name)
        lead_done: list[int] = []
        coop_done: list[int] = []
        unexplained: list[int] = []
        if position is not None:
            for task in position.snapshot.tasks:
                if task.status == "done":
                    (lead_done if task.role == Role.LEAD.value else coop_done).append(task.seq)
                light = lights.get((unit.name, task.seq), task.light) if lights is not None else task.light
                if (light == "red" or task.status == "lagging") and not task.problems.strip():
                    unexplained.append(task.seq)
        items.append(_item("完成牵头任务", lead_done, rules.done_lead, "第{}项"))
        items.append(_item("完成协作任务", coop_done, rules.done_coop, "第{}项"))
        own = accounts.get(unit.name)
        missing = own.missing if own is not None else []
        late = [r.period for r in own.late_returns] if own is not None else []
        items.append(_item("未报送", missing, rules.missing_return, None))
        items.append(_item("逾期报送", late, rules.late_return, None))
        items.append(_item("红灯或滞后任务未说明原因", unexplained, rules.unexplained, "第{}项"))
        sent_back = returned.get(unit.name, [])
        items.append(
            ScoreItem(
                "报送材料被退回",
                len(sent_back),
                round(len(sent_back) * rules.returned, 2),
                "、".join(f"{Period.parse(r.period).chinese}v{r.version}" for r in sent_back),
            )
        )
        raw = round(sum(item.points for item in items), 2)
        total = min(max(raw, rules.floor), rules.cap)
        cards.append(ScoreCard(unit.name, unit.kind.group, tuple(items), raw, total))
    return rank(cards)


def _item(cause: str, things: list, each: float, pattern: str | None) -> ScoreItem:
    if pattern is None:
        detail = "、".join(p.chinese for p in things)
    else:
        detail = "、".join(pattern.format(seq) for seq in things)
    return ScoreItem(cause, len(things), round(len(things) * each, 2), detail)


def rank(cards: list[ScoreCard]) -> list[ScoreCard]:
    """Rank within each group (市级部门 / 区县 / 开发区（新区）): equal totals share a rank (1, 2, 2, 4)."""
    ranked: list[ScoreCard] = []
    groups: dict[str, list[ScoreCard]] = {}
    for card in cards:
        groups.setdefault(card.group, []).append(card)
    for group_cards in groups.values():
        ordered = sorted(group_cards, key=lambda c: (-c.total, c.unit))
        for position, card in enumerate(ordered):
            place = position + 1
            if position and card.total == ordered[position - 1].total:
                place = next(r.rank for r in ranked if r.unit == ordered[position - 1].unit)
            ranked.append(replace(card, rank=place, group_size=len(ordered)))
    order = {card.unit: n for n, card in enumerate(cards)}
    return sorted(ranked, key=lambda c: order[c.unit])

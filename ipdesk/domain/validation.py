"""校验规则: checks across figures, modelled on DHIS2's validation rules.

A rule compares two expressions, ``left op right`` (``指标12 >= 上期(指标12)``: a cumulative count does not fall;
``工程3.2 <= 工程3.1``: a part is at most its total; ``指标11 <= 100``: a rate is at most 100), and carries a Chinese
message and an importance: 必须 (the report cannot be submitted while it is broken) or 提醒 (the clerk is asked once,
and the city sees it). Rules belong to the plan.

An expression is numbers and references joined by ``+ - * /`` and brackets:

* ``指标N`` the value of headline indicator N entered for the period;
* ``工程N.M`` the figure of sub-target M of project N (a target linked to an indicator is that indicator's value);
* ``上期(…)`` the same reference in the period before; ``本年上期(…)`` the same, only when that period is in the
  same year (a yearly amount so far this year never falls within a year, but starts again in January).

As DHIS2 does by default, a rule with a value missing on either side is skipped, not broken: nothing entered is not
a contradiction. Expressions are parsed here, never given to ``eval``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from ipdesk.domain.errors import InvalidInput


class Importance(StrEnum):
    REQUIRED = "必须"
    WARNING = "提醒"


OPS = {
    "<=": (lambda a, b: a <= b + 1e-9, "≤"),
    ">=": (lambda a, b: a >= b - 1e-9, "≥"),
    "<": (lambda a, b: a < b, "<"),
    ">": (lambda a, b: a > b, ">"),
    "==": (lambda a, b: abs(a - b) <= 1e-9, "="),
    "!=": (lambda a, b: abs(a - b) > 1e-9, "≠"),
}
_OP_SPELLINGS = {"≤": "<=", "≥": ">=", "≦": "<=", "≧": ">=", "=": "==", "≠": "!=", "＜": "<", "＞": ">"}

# A reference: (what, key, when). what "indicator" (key (seq,)) or "target" (key (project, seq));
# when "now", "previous" or "previous_same_year".
Reference = tuple[str, tuple[int, ...], str]
Figures = Callable[[Reference], float | None]

_TOKEN = re.compile(r"\s*(?:(本年上期|上期)\(|(指标)(\d+)|(工程)(\d+)\.(\d+)|(\d+(?:\.\d+)?)|([-+*/()]))")


@dataclass(frozen=True)
class Expression:
    """A side of a validation rule as written (``指标3+指标4``), parsed once."""

    text: str
    tree: tuple  # ("num", x) | ("ref", Reference) | (op, left, right) | ("neg", x)

    @property
    def references(self) -> list[Reference]:
        found: list[Reference] = []

        def walk(node: tuple) -> None:
            if node[0] == "ref":
                found.append(node[1])
            elif node[0] == "neg":
                walk(node[1])
            elif node[0] != "num":
                walk(node[1])
                walk(node[2])

        walk(self.tree)
        return found

    def value(self, figures: Figures) -> float | None:
        return _evaluate(self.tree, figures)


def parse_expression(text: str) -> Expression:
    """Read an expression; ``InvalidInput`` says where it cannot be read."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip()
    if not cleaned:
        raise InvalidInput("校验规则的表达式为空")
    tokens: list[tuple[str, object]] = []
    position = 0
    while position < len(cleaned):
        match = _TOKEN.match(cleaned, position)
        if not match or match.end() == position:
            raise InvalidInput(f"校验规则表达式“{text}”在“{cleaned[position:]}”处无法识别")
        position = match.end()
        if match.group(1):
            tokens.append(("func", "previous" if match.group(1) == "上期" else "previous_same_year"))
        elif match.group(2):
            tokens.append(("ref", ("indicator", (int(match.group(3)),), "now")))
        elif match.group(4):
            tokens.append(("ref", ("target", (int(match.group(5)), int(match.group(6))), "now")))
        elif match.group(7):
            tokens.append(("num", float(match.group(7))))
        else:
            tokens.append(("op", match.group(8)))
        while position < len(cleaned) and cleaned[position].isspace():
            position += 1
    parser = _Parser(tokens, text)
    tree = parser.sum()
    if parser.index != len(tokens):
        raise InvalidInput(f"校验规则表达式“{text}”有多余的内容")
    return Expression(cleaned, tree)


class _Parser:
    def __init__(self, tokens: list[tuple[str, object]], text: str):
        self.tokens, self.text, self.index = tokens, text, 0

    def _peek(self) -> tuple[str, object] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _fail(self) -> InvalidInput:
        return InvalidInput(
            f"校验规则表达式“{self.text}”写法有误（应为 指标N、工程N.M、数字、上期(…) 与 + - * / 括号）"
        )

    def sum(self) -> tuple:
        node = self.product()
        while (token := self._peek()) in (("op", "+"), ("op", "-")):
            self.index += 1
            node = (token[1], node, self.product())
        return node

    def product(self) -> tuple:
        node = self.unary()
        while (token := self._peek()) in (("op", "*"), ("op", "/")):
            self.index += 1
            node = (token[1], node, self.unary())
        return node

    def unary(self) -> tuple:
        token = self._peek()
        if token == ("op", "-"):
            self.index += 1
            return ("neg", self.unary())
        return self.atom()

    def atom(self) -> tuple:
        token = self._peek()
        if token is None:
            raise self._fail()
        self.index += 1
        kind, value = token
        if kind == "num":
            return ("num", value)
        if kind == "ref":
            return ("ref", value)
        if kind == "func":
            inner = self._peek()
            if inner is None or inner[0] != "ref":
                raise InvalidInput(f"校验规则表达式“{self.text}”：上期(…)、本年上期(…)中应写一个指标或工程目标")
            self.index += 1
            if self._peek() != ("op", ")"):
                raise self._fail()
            self.index += 1
            reference: Reference = inner[1]  # type: ignore[assignment]
            return ("ref", (reference[0], reference[1], value))
        if token == ("op", "("):
            node = self.sum()
            if self._peek() != ("op", ")"):
                raise self._fail()
            self.index += 1
            return node
        raise self._fail()


def _evaluate(node: tuple, figures: Figures) -> float | None:
    kind = node[0]
    if kind == "num":
        return float(node[1])
    if kind == "ref":
        return figures(node[1])
    if kind == "neg":
        inner = _evaluate(node[1], figures)
        return None if inner is None else -inner
    left, right = _evaluate(node[1], figures), _evaluate(node[2], figures)
    if left is None or right is None:
        return None
    if kind == "+":
        return left + right
    if kind == "-":
        return left - right
    if kind == "*":
        return left * right
    return None if right == 0 else left / right


def read_importance(text: str, seq: int = 0) -> Importance:
    """必须 or 提醒 from a cell (必填, 强制, 错误 read as 必须; 警告, 提示 as 提醒; empty as 提醒)."""
    cell = (text or "").strip()
    if cell in ("", "提醒", "警告", "提示", "warning"):
        return Importance.WARNING
    if cell in ("必须", "必填", "强制", "错误", "required"):
        return Importance.REQUIRED
    raise InvalidInput(f"校验规则第{seq}条的重要程度“{text}”应为“必须”或“提醒”")


@dataclass(frozen=True)
class ValidationRule:
    """One of the plan's checks between figures: ``left op right``, with the message shown when it fails."""

    seq: int
    left: str
    op: str  # one of OPS: <=, >=, <, >, ==, !=
    right: str
    message: str
    importance: Importance = Importance.WARNING

    def __post_init__(self) -> None:
        op = _OP_SPELLINGS.get(self.op.strip(), self.op.strip())
        if op not in OPS:
            raise InvalidInput(f"校验规则第{self.seq}条的比较符“{self.op}”无法识别（应为 ≤ ≥ < > = ≠）")
        object.__setattr__(self, "op", op)
        if not isinstance(self.importance, Importance):
            object.__setattr__(self, "importance", read_importance(str(self.importance), self.seq))
        if not self.message.strip():
            raise InvalidInput(f"校验规则第{self.seq}条没有提示信息")
        parse_expression(self.left)
        parse_expression(self.right)

    @property
    def expressions(self) -> tuple[Expression, Expression]:
        return parse_expression(self.left), parse_expression(self.right)

    @property
    def references(self) -> list[Reference]:
        left, right = self.expressions
        return left.references + right.references

    @property
    def text(self) -> str:
        return f"{self.left} {OPS[self.op][1]} {self.right}"

    def check(self, figures: Figures) -> Violation | None:
        """The violation, or None when the rule holds or a value is missing (skipped)."""
        left, right = self.expressions
        a, b = left.value(figures), right.value(figures)
        if a is None or b is None:
            return None
        return None if OPS[self.op][0](a, b) else Violation(self, a, b)


@dataclass(frozen=True)
class Violation:
    """A rule the figures entered do not meet, with both sides' values."""

    rule: ValidationRule
    left_value: float
    right_value: float

    @property
    def required(self) -> bool:
        return self.rule.importance is Importance.REQUIRED

    @property
    def text(self) -> str:
        shown = [
            f"{side} = {_plain(value)}"
            for side, value in ((self.rule.left, self.left_value), (self.rule.right, self.right_value))
            if parse_expression(side).references
        ]
        return f"【{self.rule.importance.value}】{self.rule.message}" + (f"（{'，'.join(shown)}）" if shown else "")


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}".rstrip("0").rstrip(".")


def check_rules(rules: tuple[ValidationRule, ...] | list[ValidationRule], figures: Figures) -> list[Violation]:
    """Every rule that ``figures`` break, in the rules' order."""
    return [v for rule in rules if (v := rule.check(figures)) is not None]


def unknown_references(
    rules: tuple[ValidationRule, ...] | list[ValidationRule],
    indicators: set[int],
    targets: set[tuple[int, int]],
) -> list[str]:
    """Why rules name indicators or targets the plan does not have (empty when every reference is known)."""
    problems = []
    for rule in rules:
        for what, key, _ in rule.references:
            if what == "indicator" and key[0] not in indicators:
                problems.append(f"校验规则第{rule.seq}条引用了不存在的指标{key[0]}")
            if what == "target" and (key[0], key[1]) not in targets:
                problems.append(f"校验规则第{rule.seq}条引用了不存在的工程{key[0]}第{key[1]}项目标")
    return problems

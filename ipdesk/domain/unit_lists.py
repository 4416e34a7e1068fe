"""Reading the unit columns of a task list (责任单位, 协作单位) into the names of real units.

Published lists mix single units, shared prefixes and suffixes, and collective names:

* ``市市场监管局(知识产权局)、市科技局,高新区管委会`` — three units, separated by 、 , ; / or a line break;
* ``高新区、经开区、浐灞生态区、国际港务区管委会`` — four committees sharing one 管委会 (``碑林区、雁塔区政府``
  likewise);
* ``区科技局、工信局`` — the second shares the first one's place: 区工信局 (``市科技局、工信局`` → 市工信局);
* ``各区县政府`` (各区县人民政府, 各区(县)政府 …) — every district and county government; ``各区政府``, ``各县政府``;
* ``各开发区管委会`` — every development zone's committee; ``西咸新区及各开发区管委会`` adds 西咸新区 to them;
* ``相关开发区管委会``, ``相关区县政府`` — the zones, districts and counties the task's own text names;
* ``市知识产权强市建设工作领导小组成员单位`` (any ``…成员单位``), ``市级各部门`` — every city-level department: the
  plans do not enumerate the leading group's members, so ipdesk takes every department of the roster.

Names are matched the way a person reads them (full-width and half-width brackets alike, no spaces) against a
roster of units. A resolver made with ``allow_new=True`` (importing a task list) takes a name it does not know as a
new unit, guessing its kind from how it ends (…区人民政府 a district, …管委会 a zone …); ``new_units`` lists them
for the user to check before the plan is saved. Without it (the embedded plan) an unknown name is an error.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.plan import Unit, UnitKind

MEMBER_UNITS = "市知识产权强市建设工作领导小组成员单位"
COMMITTEE = "管委会"
GOVERNMENT = "人民政府"

_SEPARATORS = set("、,;/|\n\r\t ")
_COMMITTEE_SUFFIXES = ("管理委员会", "管委会")
_GOVERNMENT_SUFFIXES = ("人民政府", "政府")
# The patterns that read collective names in a plan's unit columns, compiled when a plan is first read (the
# clerk's window never needs them).
_PATTERNS = {
    "ALL_DISTRICTS_AND_COUNTIES": (
        r"^各(区县|县区|区\(县\)|县\(区\)|区县\(市\)|区\(市\)县|区县\(市、区\)|县\(市、区\)|区、县)(人民)?政府$"
        r"|^各区县$|^各区\(市\)县$"
    ),
    "ALL_DISTRICTS": r"^各区(人民)?政府$",
    "ALL_COUNTIES": r"^各县(\(市\))?(人民)?政府$",
    "ALL_ZONES": r"^各(开发区|园区|开发区\(园区\)|开发区、园区)$",
    "ALL_DEPARTMENTS": r"^(市级各(有关|相关)?部门|市直各(有关|相关)?部门|市级各单位)$",
    "RELATED_DISTRICTS": r"^(相关|有关)(区县|区|县)(人民)?政府$|^(相关|有关)区县$",
    "VAGUE": r"^(各)?(相关|有关)(部门|单位|方面)$|^各部门$|^各单位$",
    # A department's short name that shares the place of the one before it (区科技局、工信局): 工信局, 财政局, 发改委 ….
    "DEPARTMENT_ENDING": r"^[\u4e00-\u9fff]{1,6}(局|委|办|部|院|厅|处|中心|队|所|站|署|室)$",
    # A place at the start of a name: 市 (not 市场), 区, 县, or a name ending in one of them (碑林区, 西安市).
    "BARE_PLACE": r"^[\u4e00-\u9fff]{1,6}[区县]$",
    "PLACE": r"^(?:市(?!场)|区|县|省|[\u4e00-\u9fff]{1,6}?(?:市(?!场)|区|县|省))",
}


@functools.cache
def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(_PATTERNS[name])


def normal(text: str) -> str:
    """Compare names the way a person reads them: full-width and half-width alike, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def split_units(text: str) -> list[str]:
    """The parts of a unit column, split on 、 , ; / and line breaks (never inside brackets), 等 removed."""
    parts, buffer, depth = [], "", 0
    for char in unicodedata.normalize("NFKC", text or ""):
        if char in "([":
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
        if char in _SEPARATORS and depth == 0:
            parts.append(buffer)
            buffer = ""
        else:
            buffer += char
    parts.append(buffer)
    cleaned = []
    for part in parts:
        part = normal(part)
        for ending in ("等单位", "等部门", "等"):
            if part.endswith(ending) and len(part) > len(ending):
                part = part[: -len(ending)]
                break
        if part:
            cleaned.append(part)
    return cleaned


def guess_unit(name: str) -> Unit:
    """A unit the roster does not know, its kind read from how its name ends."""
    for suffix in _COMMITTEE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            kind = UnitKind.NEW_AREA if stem.endswith("新区") and not stem.endswith("高新区") else UnitKind.ZONE
            return Unit(stem + COMMITTEE, kind, stem)
    for suffix in _GOVERNMENT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if stem.endswith("区"):
                return Unit(stem + GOVERNMENT, UnitKind.DISTRICT, stem)
            if stem.endswith(("县", "市", "旗")):
                return Unit(stem + GOVERNMENT, UnitKind.COUNTY, stem)
    return Unit(name, UnitKind.DEPARTMENT, name)


def place_of(name: str) -> str:
    """The place a department's name begins with (市科技局 → 市, 碑林区科技局 → 碑林区), or ""."""
    match = _pattern("PLACE").match(name)
    return match.group(0) if match and len(match.group(0)) < len(name) else ""


class UnitResolver:
    """Turns the text of a unit column into unit names, in the order the text gives them."""

    def __init__(self, units: Iterable[Unit], allow_new: bool = False, kinds: Mapping[str, UnitKind] | None = None):
        self.units: list[Unit] = []
        self.allow_new = allow_new
        self.kinds = dict(kinds or {})  # the user's corrections of guessed kinds, by name
        self.new_units: dict[str, Unit] = {}
        self._by_key: dict[str, str] = {}
        self._committees: dict[str, str] = {}
        self._governments: dict[str, str] = {}
        for unit in units:
            self._register(unit)

    def _register(self, unit: Unit) -> None:
        self.units.append(unit)
        for key in (unit.name, *unit.aliases):
            self._by_key.setdefault(normal(key), unit.name)
        short = normal(unit.short_name)
        if unit.kind in (UnitKind.ZONE, UnitKind.NEW_AREA):
            self._committees.setdefault(short, unit.name)
        elif unit.kind in (UnitKind.DISTRICT, UnitKind.COUNTY):
            self._governments.setdefault(short, unit.name)

    def prime(self, texts: Iterable[tuple[str, str]]) -> None:
        """Read every (unit column, context) of a list once, so that units named anywhere in it are known before a
        collective name (各区县政府) is expanded; what cannot be read is left for the real reading to report."""
        for text, context in texts:
            try:
                self.resolve(text, context)
            except InvalidInput:
                continue

    def of_kind(self, *kinds: UnitKind) -> list[str]:
        return [unit.name for unit in self.units if unit.kind in kinds]

    def resolve(self, text: str, context: str = "") -> list[str]:
        """Unit names for ``text``; ``context`` is the task's own text, read for 相关开发区管委会 and 相关区县政府.

        Raises ``InvalidInput`` naming the first part that cannot be read.
        """
        names: list[str] = []
        waiting: list[str] = []  # 高新区、经开区 … waiting for the 管委会 that ends the list
        place = ""  # of the last department named: 区科技局、工信局 → 区工信局
        for part in split_units(text):
            committee_stem = _strip(part, _COMMITTEE_SUFFIXES)
            government_stem = _strip(part, _GOVERNMENT_SUFFIXES)
            if part in self._by_key and not (waiting and committee_stem is not None):
                names += self._flush(waiting, text)
                names.append(self._by_key[part])
                place = self._place(self._by_key[part]) or place
            elif committee_stem is not None:
                names += [self._committee(stem, context, part) for stem in waiting]
                waiting = []
                names += self._committee_group(committee_stem, context, part)
            elif government_stem is not None and waiting and not self._collective(part, context, text):
                names += [self._government(stem, part) for stem in waiting]
                waiting = []
                names += self._government_group(government_stem, context, part, text)
            elif part in self._committees or (self.allow_new and _looks_like_zone(part)):
                waiting.append(part)
            elif (found := self._collective(part, context, text)) is not None:
                names += self._flush(waiting, text)
                names += found
            else:
                names += self._flush(waiting, text)
                name = self._single(part, place, text)
                names.append(name)
                place = self._place(name) or place
        names += self._flush(waiting, text, at_end=True)
        return _unique(names)

    # -- the parts ------------------------------------------------------------------------------------------------
    def _flush(self, waiting: list[str], text: str, at_end: bool = False) -> list[str]:
        """Places listed before something that is not their suffix: an error, unless new names are allowed."""
        if not waiting:
            return []
        if not self.allow_new:
            raise InvalidInput(f"“{'、'.join(waiting)}”后缺少“{COMMITTEE}”：{text}")
        found = []
        for stem in waiting:
            if stem in self._committees:
                found.append(self._committees[stem])
            else:
                raise InvalidInput(f"“{stem}”后缺少“{COMMITTEE}”或“政府”，无法确定是哪个单位{_within(stem, text)}")
        waiting.clear()
        return found

    def _committee(self, stem: str, context: str, part: str) -> str:
        if stem in self._committees:
            return self._committees[stem]
        return self._new(stem + COMMITTEE, part)

    def _government(self, stem: str, part: str) -> str:
        if stem in self._governments:
            return self._governments[stem]
        if self.allow_new and stem.endswith(("区", "县", "市", "旗")):
            return self._new(stem + GOVERNMENT, part)
        raise InvalidInput(f"未知单位：“{stem}{GOVERNMENT}”（在“{part}”中）")

    def _committee_group(self, stem: str, context: str, part: str) -> list[str]:
        if _pattern("ALL_ZONES").match(stem):
            return self._nonempty(self.of_kind(UnitKind.ZONE), part, "开发区")
        if stem.endswith("及各开发区"):
            head = stem[: -len("及各开发区")]
            return [*self._committee_group(head, context, part), *self._committee_group("各开发区", context, part)]
        if stem in ("相关开发区", "有关开发区"):
            related = self._mentioned(context, (UnitKind.ZONE,))
            if not related:
                raise InvalidInput(f"“{part}”无法从任务内容中确定是哪些开发区")
            return related
        if stem in self._committees:
            return [self._committees[stem]]
        if self.allow_new and stem and not stem.startswith(("各", "相关", "有关")):
            return [self._new(stem + COMMITTEE, part)]
        raise InvalidInput(f"未知单位：“{part}”")

    def _government_group(self, stem: str, context: str, part: str, text: str) -> list[str]:
        found = self._collective(part, context, text)
        if found is not None:
            return found
        return [self._government(stem, part)]

    def _collective(self, part: str, context: str, text: str) -> list[str] | None:
        """The units a collective name stands for, or None when ``part`` is not one."""
        if part == MEMBER_UNITS or (part.endswith("成员单位") and len(part) > 4):
            return self._nonempty(self.of_kind(UnitKind.DEPARTMENT), part, "市级部门")
        if _pattern("ALL_DEPARTMENTS").match(part):
            return self._nonempty(self.of_kind(UnitKind.DEPARTMENT), part, "市级部门")
        if _pattern("ALL_DISTRICTS_AND_COUNTIES").match(part):
            return self._nonempty(self.of_kind(UnitKind.DISTRICT, UnitKind.COUNTY), part, "区县")
        if _pattern("ALL_DISTRICTS").match(part):
            return self._nonempty(self.of_kind(UnitKind.DISTRICT), part, "区")
        if _pattern("ALL_COUNTIES").match(part):
            return self._nonempty(self.of_kind(UnitKind.COUNTY), part, "县")
        if _pattern("ALL_ZONES").match(part):
            return self._nonempty(self.of_kind(UnitKind.ZONE), part, "开发区")
        if _pattern("RELATED_DISTRICTS").match(part):
            related = self._mentioned(context, (UnitKind.DISTRICT, UnitKind.COUNTY))
            if not related:
                raise InvalidInput(f"“{part}”无法从任务内容中确定是哪些区县")
            return related
        if _pattern("VAGUE").match(part):
            raise InvalidInput(f"“{part}”不是具体的单位，请写明单位名称{_within(part, text)}")
        return None

    def _nonempty(self, names: list[str], part: str, what: str) -> list[str]:
        if not names:
            raise InvalidInput(f"“{part}”无法展开：单位名册中没有{what}，请先在单位名册中添加")
        return names

    def _mentioned(self, context: str, kinds: tuple[UnitKind, ...]) -> list[str]:
        """Units of ``kinds`` whose short name ``context`` mentions, in the order they first appear."""
        found = []
        text = normal(context)
        for unit in self.units:
            if unit.kind in kinds:
                position = text.find(normal(unit.short_name))
                if position >= 0:
                    found.append((position, unit.sort_order, unit.name))
        return [name for *_, name in sorted(found)]

    def _place(self, name: str) -> str:
        """The place a department's name begins with, to share with the departments named after it."""
        unit = next((u for u in self.units if u.name == name), None)
        return place_of(name) if unit is not None and unit.kind is UnitKind.DEPARTMENT else ""

    def _single(self, part: str, place: str, text: str) -> str:
        government_stem = _strip(part, _GOVERNMENT_SUFFIXES)
        if government_stem is not None and government_stem in self._governments:
            return self._governments[government_stem]
        if part in self._governments:
            return self._governments[part]
        if place and not place_of(part) and _pattern("DEPARTMENT_ENDING").match(part):
            shared = normal(place + part)
            if shared in self._by_key:
                return self._by_key[shared]
            if self.allow_new:
                return self._new(shared, text)
        if self.allow_new:
            if government_stem is not None and not government_stem.endswith(("区", "县", "市", "旗")):
                raise InvalidInput(f"“{part}”不是具体的单位，请写明单位名称{_within(part, text)}")
            if _pattern("BARE_PLACE").match(part):  # 锦江区 on its own: the district's government
                return self._new(part + GOVERNMENT, text)
            return self._new(part, text)
        raise InvalidInput(f"未知单位：“{part}”{_within(part, text)}")

    def _new(self, name: str, text: str) -> str:
        """A unit the roster does not have, taken as new (only when new names are allowed)."""
        if not self.allow_new:
            raise InvalidInput(f"未知单位：“{name}”{_within(name, text)}")
        guessed = guess_unit(name)
        if normal(guessed.name) in self._by_key:
            return self._by_key[normal(guessed.name)]
        kind = self.kinds.get(guessed.name, guessed.kind)
        unit = Unit(guessed.name, kind, guessed.short_name if kind is guessed.kind else _short(guessed.name, kind))
        self.new_units[unit.name] = unit
        self._register(unit)
        return unit.name


def _within(part: str, text: str) -> str:
    """Where a part was read, when the column says more than the part itself."""
    return "" if normal(part) == normal(text) else f"（在“{text}”中）"


def _strip(part: str, suffixes: tuple[str, ...]) -> str | None:
    for suffix in suffixes:
        if part.endswith(suffix):
            return part[: -len(suffix)]
    return None


def _looks_like_zone(part: str) -> bool:
    """A place a committee runs (…开发区, …新区, …基地, …园区, …港), listed before the 管委会 it shares."""
    return part.endswith(("开发区", "新区", "高新区", "经开区", "基地", "园区", "港务区", "生态区", "保税区", "园"))


def _short(name: str, kind: UnitKind) -> str:
    """The short name of a unit whose kind the user chose: the name without 人民政府 or 管委会."""
    if kind in (UnitKind.DISTRICT, UnitKind.COUNTY):
        return _strip(name, _GOVERNMENT_SUFFIXES) or name
    if kind in (UnitKind.ZONE, UnitKind.NEW_AREA):
        return _strip(name, _COMMITTEE_SUFFIXES) or name
    return name


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))

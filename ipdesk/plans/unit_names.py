"""Reading the unit columns of a task list (责任单位, 协作单位) into canonical unit names.

The published lists mix single units, collective names and shared suffixes:

* ``市市场监管局(知识产权局)、市科技局,高新区管委会`` — three units, separated by 、 or a comma;
* ``高新区、经开区、浐灞生态区、国际港务区管委会`` — four units sharing one 管委会;
* ``各区县政府`` — every district and county government;
* ``各开发区管委会`` — every development zone's committee; ``西咸新区及各开发区管委会`` adds 西咸新区 to them;
* ``相关开发区管委会`` — the zones the task's own text names;
* ``市知识产权强市建设工作领导小组成员单位`` — every member unit of the leading group, which the plan does not
  enumerate: we take every city-level department (see ``MEMBER_UNITS``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.plan import Unit, UnitKind

ALL_DISTRICTS_AND_COUNTIES = "各区县政府"
ALL_ZONES = "各开发区"
RELATED_ZONES = "相关开发区"
MEMBER_UNITS = "市知识产权强市建设工作领导小组成员单位"
COMMITTEE = "管委会"
GOVERNMENT = "政府"

_SEPARATORS = re.compile(r"[、,，;；]")


class UnitResolver:
    """Turns the text of a unit column into canonical unit names, in the order the text gives them."""

    def __init__(self, units: Iterable[Unit]):
        self.units = list(units)
        self.by_name = {unit.name: unit for unit in self.units}
        self._committees = {
            unit.short_name: unit.name for unit in self.units if unit.kind in (UnitKind.ZONE, UnitKind.NEW_AREA)
        }
        self._governments = {
            unit.short_name: unit.name for unit in self.units if unit.kind in (UnitKind.DISTRICT, UnitKind.COUNTY)
        }

    def of_kind(self, *kinds: UnitKind) -> list[str]:
        return [unit.name for unit in self.units if unit.kind in kinds]

    def resolve(self, text: str, context: str = "") -> list[str]:
        """Canonical names for ``text``; ``context`` is the task's content, read for 相关开发区管委会.

        Raises ``InvalidInput`` naming the first part that is not a known unit.
        """
        names: list[str] = []
        waiting_for_suffix: list[str] = []
        for raw in _SEPARATORS.split(text or ""):
            part = raw.strip()
            if not part:
                continue
            if part.endswith(COMMITTEE):
                stem = part[: -len(COMMITTEE)]
                names.extend(self._committees[s] for s in waiting_for_suffix)
                waiting_for_suffix = []
                names.extend(self._committee_group(stem, context, part))
            elif part in self._committees:
                waiting_for_suffix.append(part)  # 高新区、经开区…管委会: the suffix comes later
            elif waiting_for_suffix:
                raise InvalidInput(f"“{'、'.join(waiting_for_suffix)}”后缺少“管委会”：{text}")
            else:
                names.extend(self._single_or_collective(part, text))
        if waiting_for_suffix:
            raise InvalidInput(f"“{'、'.join(waiting_for_suffix)}”后缺少“管委会”：{text}")
        return _unique(names)

    def _committee_group(self, stem: str, context: str, part: str) -> list[str]:
        if stem == ALL_ZONES:
            return self.of_kind(UnitKind.ZONE)
        if stem.endswith("及" + ALL_ZONES):
            return [*self._committee_group(stem[: -len("及" + ALL_ZONES)], context, part), *self.of_kind(UnitKind.ZONE)]
        if stem == RELATED_ZONES:
            related = [name for short, name in self._zone_mentions(context)]
            if not related:
                raise InvalidInput(f"“{part}”无法从任务内容中确定是哪些开发区")
            return related
        if stem in self._committees:
            return [self._committees[stem]]
        raise InvalidInput(f"未知单位：“{part}”")

    def _zone_mentions(self, context: str) -> list[tuple[str, str]]:
        """Zones named in ``context``, in the order they first appear."""
        found = []
        for unit in self.units:
            if unit.kind is not UnitKind.ZONE:
                continue
            position = context.find(unit.short_name)
            if position >= 0:
                found.append((position, unit.short_name, unit.name))
        return [(short, name) for _, short, name in sorted(found)]

    def _single_or_collective(self, part: str, text: str) -> list[str]:
        if part in self.by_name:
            return [part]
        if part == ALL_DISTRICTS_AND_COUNTIES:
            return self.of_kind(UnitKind.DISTRICT, UnitKind.COUNTY)
        if part == MEMBER_UNITS:
            return self.of_kind(UnitKind.DEPARTMENT)
        for suffix in ("人民政府", GOVERNMENT):
            if part.endswith(suffix) and part[: -len(suffix)] in self._governments:
                return [self._governments[part[: -len(suffix)]]]
        if part in self._governments:
            return [self._governments[part]]
        raise InvalidInput(f"未知单位：“{part}”（在“{text}”中）")


def _unique(names: list[str]) -> list[str]:
    seen: set[str] = set()
    return [n for n in names if not (n in seen or seen.add(n))]

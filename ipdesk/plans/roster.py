"""Unit rosters (单位名册): the units of a city with their kinds, short names, codes and other names.

ipdesk ships the rosters it knows (``resources/rosters/*.json``: Xi'an's 43 units); a workspace keeps its own
changes and additions (``ws.plans.roster``). A task list's unit columns are read against the roster of the plan's
city, so that ``各区县政府`` becomes that city's districts and counties. A roster can be exported to a workbook,
edited in Excel or WPS, and read back.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.plan import Unit, UnitKind
from ipdesk.paths import resources_dir

ROSTER_FORMAT = 1
ROSTER_HEADERS = ("代码", "名称", "类别", "简称", "其他名称", "备注", "联系人", "联系电话")
_KIND_WORDS = {
    "市级部门": UnitKind.DEPARTMENT,
    "部门": UnitKind.DEPARTMENT,
    "区": UnitKind.DISTRICT,
    "县": UnitKind.COUNTY,
    "县级市": UnitKind.COUNTY,
    "新区": UnitKind.NEW_AREA,
    "开发区": UnitKind.ZONE,
    **{kind.value: kind for kind in UnitKind},
}
_CODE_LETTERS = {
    UnitKind.DEPARTMENT: "D",
    UnitKind.DISTRICT: "Q",
    UnitKind.COUNTY: "X",
    UnitKind.NEW_AREA: "K",
    UnitKind.ZONE: "K",
}


@dataclass(frozen=True)
class Roster:
    """A city's units. ``city_code`` is its administrative division code (610100); ``plan_code_prefix`` begins the
    codes of its plans (xian → xian-2026-2030)."""

    city: str
    units: tuple[Unit, ...] = ()
    city_code: str = ""
    plan_code_prefix: str = ""

    def unit(self, name: str) -> Unit | None:
        return next((u for u in self.units if u.name == name), None)


def kind_of(text: str) -> UnitKind:
    """A unit kind as written in a roster (市级部门, 区, 县, 新区, 开发区, or the stored code)."""
    try:
        return _KIND_WORDS[text.strip()]
    except KeyError:
        raise InvalidInput(f"类别“{text}”无法识别（应为市级部门、区、县、新区或开发区）") from None


@functools.cache
def shipped_rosters() -> dict[str, Roster]:
    """The rosters that come with ipdesk, by city."""
    found = {}
    folder = resources_dir() / "rosters"
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        roster = roster_from_dict(json.loads(path.read_text(encoding="utf-8")))
        found[roster.city] = roster
    return found


def roster_from_dict(data: dict) -> Roster:
    if data.get("format") != ROSTER_FORMAT:
        raise ValueError(f"unsupported roster format {data.get('format')!r}")
    units = tuple(
        Unit(
            u["name"],
            UnitKind(u["kind"]),
            u.get("short_name") or u["name"],
            number,
            u.get("note", ""),
            u.get("code", ""),
            tuple(u.get("aliases", ())),
        )
        for number, u in enumerate(data["units"], 1)
    )
    return Roster(data["city"], units, data.get("city_code", ""), data.get("plan_code_prefix", ""))


def with_codes(new: list[Unit], known: list[Unit], city_code: str) -> list[Unit]:
    """``new`` units with codes of their own: the city's code and a letter for the kind, numbered on from the
    highest such code already used (610100-D23, 610100-Q01 …)."""
    prefix = f"{city_code}-" if city_code else ""
    taken = {u.code for u in known if u.code}
    result = []
    for unit in new:
        if unit.code and unit.code not in taken:
            taken.add(unit.code)
            result.append(unit)
            continue
        letter = _CODE_LETTERS[unit.kind]
        numbers = [int(code[len(prefix) + 1 :]) for code in taken if _numbered(code, prefix + letter)]
        code = f"{prefix}{letter}{max(numbers, default=0) + 1:02d}"
        taken.add(code)
        result.append(replace(unit, code=code))
    return result


def _numbered(code: str, start: str) -> bool:
    return code.startswith(start) and code[len(start) :].isdigit()


def write_roster_workbook(roster: Roster, target: Path, contacts: dict[str, tuple[str, str]] | None = None) -> None:
    """The roster as a workbook to edit: one unit a row, with whom to call there (联系人, 联系电话)."""
    contacts = contacts or {}
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook comes with one worksheet
    sheet.title = "单位名册"
    sheet.append([f"{roster.city}责任单位名册" + (f"（{roster.city_code}）" if roster.city_code else "")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(list(ROSTER_HEADERS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for unit in roster.units:
        person, phone = contacts.get(unit.name, ("", ""))
        sheet.append(
            [unit.code, unit.name, unit.kind.label, unit.short_name, "、".join(unit.aliases), unit.note, person, phone]
        )
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.data_type = "s"
            cell.alignment = Alignment(vertical="top")
    for column, width in zip("ABCDEFGH", (14, 28, 10, 20, 36, 30, 10, 16), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    workbook.save(target)


def read_roster_workbook(path: Path) -> tuple[list[Unit], list[tuple[int, str]]]:
    """The units of a roster workbook, and (row, reason) for each row that cannot be read."""
    units, rejected, _ = read_roster_with_contacts(path)
    return units, rejected


def read_roster_with_contacts(
    path: Path,
) -> tuple[list[Unit], list[tuple[int, str]], dict[str, tuple[str, str]]]:
    """As ``read_roster_workbook``, with each unit's 联系人 and 联系电话 when the workbook has those columns."""
    from ipdesk.domain.unit_lists import guess_unit, normal
    from ipdesk.plans.sheets import header_key, one_line, read_workbook

    grids = read_workbook(path)
    for grid in grids:
        columns: dict[str, int] = {}
        for index, (_row, cells) in enumerate(grid.rows[:10]):  # noqa: B007 - the header's index is used below
            keys = [header_key(c.text) for c in cells]
            if "名称" in keys and "类别" in keys:
                columns = {key: keys.index(key) for key in ROSTER_HEADERS if key in keys}
                break
        else:
            continue
        units: list[Unit] = []
        rejected: list[tuple[int, str]] = []
        contacts: dict[str, tuple[str, str]] = {}
        seen: dict[str, int] = {}
        for row, cells in grid.rows[index + 1 :]:

            def text(key: str, cells=cells, columns=columns) -> str:
                column = columns.get(key)
                return cells[column].text if column is not None and column < len(cells) else ""

            def raw(key: str, cells=cells, columns=columns) -> object:
                column = columns.get(key)
                return cells[column].value if column is not None and column < len(cells) else None

            name = one_line(text("名称"))
            if not name:
                continue
            problem = _row_problem(text, raw)
            if problem:
                rejected.append((row, problem))
                continue
            if normal(name) in seen:
                rejected.append((row, f"单位“{name}”与第 {seen[normal(name)]} 行重复"))
                continue
            try:
                kind = kind_of(text("类别")) if text("类别") else guess_unit(name).kind
            except InvalidInput as error:
                rejected.append((row, str(error)))
                continue
            short = one_line(text("简称")) or _default_short(name, kind)
            aliases = tuple(a for a in (one_line(x) for x in text("其他名称").replace("，", "、").split("、")) if a)
            seen[normal(name)] = row
            units.append(Unit(name, kind, short, len(units) + 1, text("备注"), one_line(text("代码")), aliases))
            if "联系人" in columns or "联系电话" in columns:
                contacts[name] = (one_line(text("联系人")), one_line(text("联系电话")))
        return units, rejected, contacts
    raise InvalidInput(f"“{Path(path).name}”中找不到单位名册：应有一行表头，含“名称”和“类别”两列")


def _row_problem(text: Callable[[str], str], raw: Callable[[str], object]) -> str:
    """Why a roster row cannot be read as data ("" when it can), naming the column: every cell text (a number
    typed into a text column is read as the digits shown, a date is not), within its length, the code a code and
    the phone a number."""
    from ipdesk.domain.limits import MAX_NAME, code_problem, contact_problem, text_problem
    from ipdesk.plans.sheets import one_line

    for key in ("名称", "类别", "简称", "其他名称", "备注", "联系人"):
        value = raw(key)
        if isinstance(value, dt.date | dt.time | bool):
            return f"“{key}”一栏是日期或是非值，应为文字"
        problem = text_problem(text(key), f"“{key}”", MAX_NAME)
        if problem:
            return problem
    for alias in text("其他名称").replace("，", "、").split("、"):
        problem = text_problem(alias.strip(), "“其他名称”中的一个名称", 100)
        if problem:
            return problem
    code = raw("代码")
    if isinstance(code, dt.date | dt.time | bool):
        return "“代码”一栏是日期或是非值，应为代码"
    problem = code_problem(one_line(text("代码")), "“代码”", required=False)
    if problem:
        return problem
    phone = raw("联系电话")
    if isinstance(phone, dt.date | dt.time | bool):
        return "“联系电话”一栏是日期或是非值，应为电话号码"
    if (isinstance(phone, int) and not 0 <= phone < 10**15) or (
        isinstance(phone, float) and not (phone.is_integer() and 0 <= phone < 1e15)
    ):
        return f"“联系电话”{str(phone)[:24]} 不是电话号码"
    return contact_problem(one_line(text("联系人")), one_line(text("联系电话")))


def _default_short(name: str, kind: UnitKind) -> str:
    for suffix in ("人民政府", "政府", "管委会", "管理委员会"):
        if kind is not UnitKind.DEPARTMENT and name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name

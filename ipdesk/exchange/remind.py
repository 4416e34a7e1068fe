"""The 催报 list: the units still owing returns of a period — for a long period (a quarter under a monthly rhythm)
only those missing something, with the months missing — their clerk and phone from their last return, as a
workbook the office can print or send round."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ipdesk.domain.accounting import ReturnState, UnitAccount, UnitState
from ipdesk.domain.periods import Period, chinese_date


@dataclass(frozen=True)
class Reminder:
    unit: str
    kind: str  # 市级部门 / 区县 / 开发区（新区）
    state: UnitState
    due: dt.date  # the deadline of the earliest return still owed
    days_late: int  # days past that deadline (0 before it)
    clerk: str
    phone: str
    last_period: str  # the last period the unit reported, in words ("" when never)
    owed: tuple[Period, ...] = ()  # the periods whose return is missing, sent back, or coming due

    @property
    def owed_text(self) -> str:
        return "、".join(p.chinese for p in self.owed)

    def to_dict(self) -> dict:
        return {
            "unit": self.unit,
            "kind": self.kind,
            "state": self.state.label,
            "due": self.due.isoformat(),
            "days_late": self.days_late,
            "owed": [p.code for p in self.owed],
            "clerk": self.clerk,
            "phone": self.phone,
            "last_period": self.last_period,
        }


def reminders(
    accounts: list[UnitAccount], kinds: dict[str, str], contacts: dict[str, tuple[str, str, str]], today: dt.date
) -> list[Reminder]:
    """The owing units of a period, the returned first, then the most overdue. ``contacts``: unit → (clerk, phone,
    last period). A unit owes when a due return is missing or sent back; before a deadline, when nothing of the
    period has come yet (a reminder ahead of the deadline)."""
    found = []
    for item in accounts:
        if not (item.state.owing or item.state is UnitState.NOT_DUE):
            continue
        owed = [r for r in item.returns if r.state.owing and (item.state is UnitState.NOT_DUE or r.due)]
        if not owed:
            continue
        first = min(owed, key=lambda r: r.deadline)
        overdue = [r for r in owed if r.state is not ReturnState.NOT_DUE]
        late = max((today - r.deadline).days for r in overdue) if overdue else 0
        found.append(
            Reminder(
                item.unit,
                kinds.get(item.unit, ""),
                item.state,
                first.deadline,
                max(late, 0),
                *contacts.get(item.unit, ("", "", "")),
                owed=tuple(r.period for r in owed),
            )
        )
    order = {UnitState.RETURNED: 0, UnitState.OVERDUE: 1, UnitState.INCOMPLETE: 1, UnitState.NOT_DUE: 2}
    return sorted(found, key=lambda r: (order.get(r.state, 3), -r.days_late))


COLUMNS = (
    ("序号", 6),
    ("单位", 28),
    ("类别", 12),
    ("状态", 9),
    ("缺报期次", 20),
    ("应报日期", 14),
    ("逾期天数", 9),
    ("填报人", 10),
    ("联系电话", 16),
    ("上次报送", 16),
)


def write_reminders(items: list[Reminder], period: Period, office: str, today: dt.date, path: Path) -> None:
    """A printable 催报 list (A4 portrait, header repeated, 第 N 页 共 M 页)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook comes with one worksheet
    sheet.title = "催报名单"
    last = get_column_letter(len(COLUMNS))
    sheet["A1"] = f"{period.chinese}报送情况催报名单"
    sheet["A1"].font = Font(name="黑体", size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(f"A1:{last}1")
    sheet.row_dimensions[1].height = 30
    sheet["A2"] = f"{office}　　统计日期：{chinese_date(today)}　　共 {len(items)} 个单位"
    sheet["A2"].font = Font(name="宋体", size=11)
    sheet.merge_cells(f"A2:{last}2")
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for number, (header, width) in enumerate(COLUMNS, 1):
        cell = sheet.cell(3, number, header)
        cell.font = Font(name="黑体", size=11, bold=True)
        cell.fill = PatternFill("solid", fgColor="E7E6E6")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        sheet.column_dimensions[get_column_letter(number)].width = width
    rows: list[tuple[int | str | None, ...]] = [
        (
            n,
            r.unit,
            r.kind,
            r.state.label,
            r.owed_text,
            chinese_date(r.due),
            r.days_late or None,
            r.clerk,
            r.phone,
            r.last_period or "（从未报送）",
        )
        for n, r in enumerate(items, 1)
    ] or [("（无）", "本期各单位均已报送", "", "", "", "", None, "", "", "")]
    for offset, values in enumerate(rows, 4):
        for number, value in enumerate(values, 1):
            cell = sheet.cell(offset, number, value)
            cell.font = Font(name="宋体", size=11)
            cell.border = border
            cell.alignment = Alignment(
                vertical="center", wrap_text=True, horizontal="center" if number != 2 else "left"
            )
            if number == 9 and isinstance(value, str):
                cell.data_type = "s"  # a phone number is text, never a number or a formula
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    fit, footer = sheet.sheet_properties.pageSetUpPr, sheet.oddFooter
    assert fit is not None and footer is not None  # openpyxl makes them with every sheet
    fit.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.6
    sheet.page_margins.top = sheet.page_margins.bottom = 0.8
    sheet.page_margins.header = sheet.page_margins.footer = 0.4
    footer.center.text = "第 &P 页 共 &N 页"
    workbook.properties.creator = "ipdesk"
    workbook.properties.title = f"{period.chinese}催报名单"
    workbook.save(path)

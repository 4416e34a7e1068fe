"""The check of a format-1 signed workbook, frozen as release 0.1 made it.

Format 1 signed only the snapshot; its verification compared the values inside the tables (and the title cell) with
what the layout of release 0.1 printed from that snapshot. That layout is kept here, on the format-1 JSON exactly
as it was signed, so that later releases may lay their own workbooks out differently and still check every
format-1 return the same way. Format 1 protects only the tables' values: the verdict says so.
"""

from __future__ import annotations

from openpyxl import Workbook

HEADER_ROW = 4
SHEET = "ipdesk签名"
FORMAT = "ipdesk-signed-workbook/1"


def _tables(data: dict) -> list[tuple[str, list[str], list[list[object]]]]:
    """(sheet, column headers, rows) as release 0.1 wrote them for a one-unit report."""
    header = data["header"]
    cutoff = header["cutoff"]
    month_day = cutoff.split("年", 1)[1] if "年" in cutoff else cutoff
    found = [
        (
            "任务进展情况",
            [
                "序号",
                "任务类别",
                "任务名称",
                "任务内容",
                "本单位角色",
                "完成状态",
                "完成进度",
                "预警",
                f"工作进展及成效（截至{month_day}）",
                "存在问题",
                "下步计划",
                "佐证材料",
            ],
            [
                [
                    t["seq"],
                    t["category"],
                    t["name"],
                    t["content"],
                    t["role"],
                    t["status"],
                    t["percent"],
                    t["light"],
                    t["achievements"],
                    t["problems"],
                    t["next_steps"],
                    "\n".join(t["evidence"]),
                ]
                for t in data["tasks"]
            ],
        )
    ]
    indicators = data["indicators"]
    baseline_year = next((i["baseline_year"] for i in indicators if i["baseline_year"]), 2020)
    target_year = indicators[0]["target_year"] if indicators else 2025
    found.append(
        (
            "主要指标完成情况",
            [
                "序号",
                "指标",
                "单位",
                f"{baseline_year}年基数",
                f"{target_year}年目标",
                "年均预增",
                f"{header['period'][:4]}年预期值",
                "本期实际值",
                "完成率",
                "预警",
                "说明",
                "数据来源",
            ],
            [
                [
                    i["seq"],
                    i["name"],
                    i["unit_of_measure"],
                    i["baseline"],
                    _target_text(i["target_op"], i["target"]),
                    i["growth_text"] or "—",
                    None if i["expected"] is None else round(i["expected"], 2),
                    i["actual"],
                    i["rate"],
                    i["light"],
                    i["note"],
                    i["data_source"],
                ]
                for i in indicators
            ],
        )
    )
    if data["targets"]:
        measure = {"per_year": "（每年）", "cumulative": "", "level": ""}
        found.append(
            (
                "示范工程目标",
                ["示范工程", "目标", "目标值", "单位", "累计完成", "说明", "方案原文"],
                [
                    [
                        f"工程{t['project_no']}：{t['project_name']}",
                        t["name"],
                        _target_text(t["op"], t["target"]) + measure[t["measure"]],
                        t["unit_of_measure"],
                        t["value"],
                        t["note"],
                        t["quote"],
                    ]
                    for t in data["targets"]
                ],
            )
        )
    found.append(
        (
            "佐证材料清单",
            ["序号", "任务序号", "任务名称", "文件名", "大小（KB）", "SHA-256"],
            [
                [n, e["task_seq"], e["task_name"], e["file_name"], round(e["size"] / 1024, 1), e["sha256"]]
                for n, e in enumerate(data["evidence"], 1)
            ],
        )
    )
    return found


def _number_text(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _target_text(op: str, value: float) -> str:
    if op == "保持":
        return f"保持{_number_text(value)}"
    return f"{'' if op == '=' else op}{_number_text(value)}"


def visible_differences(workbook: Workbook, data: dict) -> list[str]:
    """Every table cell (and title) whose value is not what the signed format-1 JSON says, as "sheet!cell"."""
    found = []
    tables = _tables(data)
    form_title = data["header"]["form_title"]
    for number, (sheet_name, headers, rows) in enumerate(tables):
        if sheet_name not in workbook.sheetnames:
            found.append(f"缺少工作表“{sheet_name}”")
            continue
        sheet = workbook[sheet_name]
        if sheet["A1"].value is None or form_title not in str(sheet["A1"].value):
            found.append(f"{sheet_name}!A1")
        for column_number, text in enumerate(headers, 1):
            if sheet.cell(HEADER_ROW, column_number).value != text:
                found.append(f"{sheet_name}!{sheet.cell(HEADER_ROW, column_number).coordinate}")
        for offset, row in enumerate(rows, 1):
            for column_number, value in enumerate(row, 1):
                cell = sheet.cell(HEADER_ROW + offset, column_number)
                if not _same(cell.value, value):
                    found.append(f"{sheet_name}!{cell.coordinate}")
        extra_row = HEADER_ROW + len(rows) + 1
        if number > 0 and any(sheet.cell(extra_row, c).value not in (None, "") for c in range(1, len(headers) + 1)):
            found.append(f"{sheet_name} 第{extra_row}行（表格下方多出的数据）")
    return found


def _same(cell_value: object, expected: object) -> bool:
    if expected in (None, ""):
        return cell_value in (None, "")
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return isinstance(cell_value, (int, float)) and abs(float(cell_value) - float(expected)) < 1e-9
    return cell_value == expected

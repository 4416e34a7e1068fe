"""Build resources/plans/xian-2022-2025.json from the published text of Xi'an's plan.

Run from the repository root:  python tools/extract_plan.py [SOURCE.txt]

The task list (附件) is parsed row by row from the text; the indicator table, whose cells the text extraction
shifted where a cell was empty, and the projects' numeric sub-targets are written out below by hand, each checked
against the source text before anything is written. Running it again on the same source gives the same file
(tests/test_plan_data.py checks that), so every fact in the JSON can be traced back to the published text.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ipdesk.domain.plan import Unit  # noqa: E402
from ipdesk.domain.unit_lists import UnitResolver  # noqa: E402
from ipdesk.plans.roster import roster_from_dict  # noqa: E402

CODE = "xian-2022-2025"
DEFAULT_SOURCE = ROOT.parent / "shared" / "seeds" / "000_378689d36f51b196.txt"
OUT_DIR = ROOT / "resources" / "plans"

TITLE = "西安市国家知识产权强市建设示范城市工作方案(2022—2025年)"
TASK_LIST_TITLE = "西安市国家知识产权强市建设示范城市工作任务清单(2022—2025年)"
ISSUER = "西安市人民政府 陕西省知识产权局"
ISSUED_ON = "2022-11-21"

CITY = "西安市"
REPORT_TITLE = "西安市国家知识产权强市建设示范城市工作进展情况表"
# The units, with their kinds, short names and codes, are Xi'an's roster (resources/rosters/xian.json): city-level
# bodies in the order the task list first names them (关中海关 is a central body in the city, courts and
# procuratorate are judicial: all three report on their tasks like any department), the districts and counties with
# their administrative division codes (GB/T 2260), then 西咸新区 and the development zones.
ROSTER = ROOT / "resources" / "rosters" / "xian.json"

MEMBER_UNITS_NOTE = (
    "方案未列出“市知识产权强市建设工作领导小组成员单位”。ipdesk 将其展开为任务清单中出现的全部市级部门"
    "（含市法院、市检察院和关中海关），不含区县政府和开发区管委会——后者在同一栏中另行列出。"
)
CORRECTIONS = [
    "原文“西部经\ufffd\ufffd强市”有一个字损坏，应为“西部经济强市”（仅见于指导思想，不涉及任务清单）。",
    "主要发展指标表第10行原文抽取为“300 | —”，对照任务清单第10行（知识产权入园惠企服务企业300家），"
    "300 为2025年目标，2020年基数空缺。",
    "主要发展指标表第14、15行原文抽取时空单元格被略去，“≧95”“≧85”为2025年目标，2020年基数空缺。",
]

PHASES = [
    (1, "启动部署阶段", "2022-07", "2023-06", "第一阶段:启动部署阶段(2022年7月—2023年6月)"),
    (2, "推进实施阶段", "2023-07", "2024-06", "第二阶段:推进实施阶段(2023年7月—2024年6月)"),
    (3, "巩固提升阶段", "2024-07", "2025-06", "第三阶段:巩固提升阶段(2024年7月—2025年6月)"),
]

# (seq, group, name, unit, baseline, target, op, growth, growth_text, the source cells that must be on its line)
INDICATORS = [
    (1, "创造质量", "每万人口高价值发明专利拥有量", "件", 13, 20, "=", 0.09, "9.0%", ["13", "20", "9.0%"]),
    (2, "创造质量", "海外专利年申请量", "件", 449, 800, "=", 0.1225, "12.25%", ["449", "800", "12.25%"]),
    (3, "创造质量", "马德里商标国际注册量", "件", 181, 260, "=", 0.0751, "7.51%", ["181", "260", "7.51%"]),
    (4, "创造质量", "著作权登记数", "万件", 2.02, 3, "=", 0.0823, "8.23%", ["2.02", "3", "8.23%"]),
    (5, "运用效益", "全市技术合同成交额", "亿元", 1648, 2000, "=", 0.0395, "3.95%", ["1648", "2000", "3.95%"]),
    (6, "运用效益", "知识产权年质押融资金额", "亿元", 30, 30, "保持", None, "保持", ["30", "保持"]),
    (7, "管理效能", "版权示范单位、园区(基地)数量", "家", 11, 25, "=", 0.1784, "17.84%", ["11", "25", "17.84%"]),
    (8, "管理效能", "知识产权优势和示范企业数量", "家", 90, 180, "=", 0.1487, "14.87%", ["90", "180", "14.87%"]),
    (9, "服务保障", "知识产权服务业从业人员", "万人", 0.6, 1, "=", 0.1076, "10.76%", ["0.6", "1", "10.76%"]),
    (10, "服务保障", "知识产权入园惠企服务企业", "家", None, 300, "=", None, "", ["300", "—"]),
    (11, "服务保障", "知识产权公益服务满意度", "%", 85, 95, "≥", 0.0225, "2.25%", ["85", "≧95", "2.25%"]),
    (12, "保护水平", "专利预审备案主体", "家", 300, 1000, "≥", 0.2723, "27.23%", ["300", "≧1000", "27.23%"]),
    (13, "保护水平", "知识产权行政执法案件结案率", "%", 100, 95, "≥", None, "高于全国平均水平", ["100", "≧95"]),
    (14, "保护水平", "知识产权民事案件结收比", "%", None, 95, "≥", None, "", ["≧95"]),
    (15, "保护水平", "知识产权保护社会满意度", "分", None, 85, "≥", None, "", ["≧85"]),
]

# What kind of figure each indicator is (IndicatorKind: what is expected of it part-way through a year), from the
# published names. Where the name alone does not settle it, the note says how it was read.
INDICATOR_KINDS = {
    1: ("stock", ""),
    2: ("flow", ""),
    3: (
        "stock",
        "“马德里商标国际注册量”未写“年”：按截至当期的有效国际注册累计量（存量）理解；若改按当年新增统计，应改为年度流量。",
    ),
    4: (
        "flow",
        "“著作权登记数”按当年登记数（年度流量）理解：2020年2.02万件为当年登记数量级，累计量远大于此。",
    ),
    5: ("flow", ""),
    6: (
        "flow",
        "“知识产权年质押融资金额”为每年的金额（年度流量），“保持”指每年保持30亿元：年内按序时比较，"
        "全年不足30亿元为未达到。",
    ),
    7: ("stock", ""),
    8: ("stock", ""),
    9: ("stock", "“知识产权服务业从业人员”为期末在业人数（存量，可增可减），按基数到目标的路径比较。"),
    10: (
        "stock",
        "“知识产权入园惠企服务企业”未写“年”：按方案期内累计服务企业数（存量）理解；2020年基数空缺，2025年前不设预期值。",
    ),
    11: ("rate", ""),
    12: ("stock", "“专利预审备案主体”为累计备案的创新主体数（存量）。"),
    13: ("rate", ""),
    14: ("rate", "“结收比”为结案数与收案数之比（比率），可超过100%。"),
    15: ("rate", "“知识产权保护社会满意度”以分计（百分制），按比率（水平）比较。"),
}

# Project sub-targets that measure the same quantity as a headline indicator: (project, target name) → indicator.
# The unit enters the indicator; the target shows it, so the quantity has one figure and one verdict.
TARGET_INDICATORS = {
    (1, "每万人高价值发明专利拥有量"): 1,
    (2, "全市技术合同成交额"): 5,
    (3, "国家和省级知识产权优势示范企业"): 8,  # 知识产权优势和示范企业数量, 180 家 in both
    (5, "知识产权保护社会满意度"): 15,  # the plan writes 85% in 工程5 and ≧85分 in the table: one survey
    (5, "知识产权民事案件结收比"): 14,
    (5, "知识产权行政执法案件结案率"): 13,
    (6, "专利预审服务覆盖创新主体"): 12,  # 专利预审备案主体 ≧1000 家: the entities the pre-examination service covers
}

# 校验规则 that follow from the plan itself: (left, op, right, message, importance).
RULES = [
    ("指标11", "<=", "100", "知识产权公益服务满意度不能超过100%", "必须"),
    ("指标13", "<=", "100", "知识产权行政执法案件结案率不能超过100%", "必须"),
    ("指标15", "<=", "100", "知识产权保护社会满意度（百分制）不能超过100分", "必须"),
    ("工程2.2", "<=", "100", "辖区高校院所专利开放许可覆盖率不能超过100%", "必须"),
    ("工程4.1", "<=", "100", "入选强县工程试点（示范）的区县占比不能超过100%", "必须"),
    ("工程3.2", "<=", "工程3.1", "年度培育的知识产权优势示范企业不应多于累计培育总数", "提醒"),
    ("工程6.3", "<=", "工程6.2", "纠纷调解司法确认案件数不应多于调解场次", "提醒"),
    *(
        (f"指标{seq}", ">=", f"上期(指标{seq})", f"{name}为累计数（存量），一般不应低于上期，请核对", "提醒")
        for seq, name in (
            (1, "每万人口高价值发明专利拥有量"),
            (3, "马德里商标国际注册量"),
            (7, "版权示范单位、园区(基地)数量"),
            (8, "知识产权优势和示范企业数量"),
            (12, "专利预审备案主体"),
        )
    ),
    *(
        (f"指标{seq}", ">=", f"本年上期(指标{seq})", f"{name}填本年累计数，不应低于本年上期，请核对", "提醒")
        for seq, name in (
            (2, "海外专利年申请量"),
            (4, "著作权登记数"),
            (5, "全市技术合同成交额"),
            (6, "知识产权年质押融资金额"),
        )
    ),
]

# Numeric sub-targets of the projects, quoted from the plan's body (the project boxes and the text around them).
# (project, name, value, unit, op, measure, quote, owners)
PROJECT_TARGETS = [
    (
        1,
        "每万人高价值发明专利拥有量",
        20,
        "件",
        ">",
        "level",
        "全市每万人高价值发明专利拥有量突破20件",
        ["市市场监管局(知识产权局)"],
    ),
    (2, "专利开放许可", 1000, "件", "≥", "cumulative", "完成专利开放许可1000件", ["市市场监管局(知识产权局)"]),
    (
        2,
        "辖区高校院所专利开放许可覆盖率",
        100,
        "%",
        "≥",
        "level",
        "力争实现辖区高校院所专利开放许可全覆盖",
        ["市市场监管局(知识产权局)"],
    ),
    (2, "全市技术合同成交额", 2000, "亿元", ">", "level", "全市技术合同成交额超过2000亿元", ["市科技局"]),
    (
        3,
        "国家和省级知识产权优势示范企业",
        180,
        "家",
        "≥",
        "cumulative",
        "培育国家和省级知识产权优势示范企业180家",
        ["市市场监管局(知识产权局)"],
    ),
    (
        3,
        "年度培育知识产权优势示范企业",
        10,
        "家",
        "≥",
        "per_year",
        "每年培育不少于10家知识产权优势示范企业",
        ["市市场监管局(知识产权局)"],
    ),
    (3, "新增科技型上市企业", 10, "家", "≥", "cumulative", "新增10家以上科技型上市企业", ["市金融工作局"]),
    (3, "“专精特新”小巨人企业", 100, "家", "≥", "cumulative", "培育“专精特新”小巨人企业100家", ["市工信局"]),
    (3, "国家级高新技术企业", 10000, "家", ">", "level", "力争国家级高新技术企业突破万家", ["市科技局"]),
    (
        4,
        "入选国家和省知识产权强县工程试点(示范)的区县占比",
        80,
        "%",
        "≥",
        "level",
        "力争实现全市80%以上区县入选国家和陕西省知识产权强县工程试点(示范)区县",
        ["市市场监管局(知识产权局)"],
    ),
    (
        4,
        "新增入选国家和省知识产权试点(示范)园区的产业园区",
        1,
        "家",
        "≥",
        "cumulative",
        "新增1—2家产业园区入选国家和陕西省知识产权试点(示范)园区",
        ["市市场监管局(知识产权局)"],
    ),
    (5, "知识产权保护社会满意度", 85, "%", ">", "level", "知识产权保护社会满意度超过85%", ["市市场监管局(知识产权局)"]),
    (5, "知识产权民事案件结收比", 95, "%", ">", "level", "知识产权民事案件结收比超过95%", ["市法院"]),
    (5, "知识产权检察保护中心", 20, "家", "≥", "cumulative", "设立知识产权检察保护中心20家", ["市检察院"]),
    (5, "公安知识产权保护工作站", 50, "家", "≥", "cumulative", "设立公安知识产权保护工作站50家", ["市公安局"]),
    (
        5,
        "知识产权维权援助服务工作站",
        65,
        "家",
        "≥",
        "cumulative",
        "布局建设知识产权维权援助服务工作站65家",
        ["市市场监管局(知识产权局)"],
    ),
    (
        5,
        "知识产权行政执法案件结案率",
        95,
        "%",
        ">",
        "level",
        "知识产权行政执法案件结案率超过95%",
        ["市市场监管局(知识产权局)"],
    ),
    (
        6,
        "专利预审服务覆盖创新主体",
        1000,
        "家",
        "≥",
        "cumulative",
        "预审服务覆盖创新主体不少于1000家",
        ["市市场监管局(知识产权局)"],
    ),
    (
        6,
        "知识产权纠纷多元化解调解",
        30,
        "场次",
        "≥",
        "cumulative",
        "开展调解不少于30场次",
        ["市市场监管局(知识产权局)"],
    ),
    (
        6,
        "纠纷调解司法确认案件",
        1,
        "件",
        "≥",
        "cumulative",
        "实现纠纷调解司法确认案件零的突破",
        ["市市场监管局(知识产权局)"],
    ),
    (
        6,
        "知识产权纠纷判定咨询意见书出具量年增幅",
        10,
        "%",
        "≥",
        "per_year",
        "每年知识产权纠纷判定咨询意见书出具量增幅不少于10%",
        ["市市场监管局(知识产权局)"],
    ),
]

_ROW = re.compile(r"^(\d{1,3}) \| (.*)$")
_PROJECT = re.compile(r"^工程(\d):(.+)$")
_PROJECT_BOX = re.compile(r"^工程(\d):(.+?) \|\s*$")


def build_units() -> list[Unit]:
    """The plan's units in the order the task list names them, each with its stable code: Xi'an's roster."""
    roster = roster_from_dict(json.loads(ROSTER.read_text(encoding="utf-8")))
    return [dataclasses.replace(unit, aliases=()) for unit in roster.units]


def despace(text: str) -> str:
    """Remove the spaces the PDF's line breaks left inside cells ("培育 高价值 专利")."""
    return re.sub(r"\s+", "", text)


def parse_task_list(source: str, resolver: UnitResolver) -> tuple[list[dict], list[str]]:
    lines = source.splitlines()
    start = lines.index("附件") + 1
    rows = [line for line in lines[start:] if _ROW.match(line)]
    tasks: list[dict] = []
    categories: list[str] = []
    category = name = ""
    for line in rows:
        seq_text, rest = _ROW.match(line).groups()  # type: ignore[union-attr]
        cells = [cell.strip() for cell in rest.split("|")]
        while cells and not cells[-1]:
            cells.pop()

        def units_or_none(text: str, context: str) -> list[str] | None:
            try:
                return resolver.resolve(text, context)
            except ValueError:
                return None

        # The last one or two cells are unit columns; the cell before them is the content.
        if len(cells) >= 3 and units_or_none(cells[-1], cells[-3]) is not None and units_or_none(cells[-2], cells[-3]):
            lead_text, coop_text, content, prefix = cells[-2], cells[-1], cells[-3], cells[:-3]
        else:
            lead_text, coop_text, content, prefix = cells[-1], "", cells[-2], cells[:-2]
        if len(prefix) == 2:
            category, name = despace(prefix[0]), despace(prefix[1])
        elif len(prefix) == 1:
            name = despace(prefix[0])
        elif prefix:
            raise SystemExit(f"row {seq_text}: cannot read {cells}")
        if category not in categories:
            categories.append(category)
        lead = resolver.resolve(lead_text, content)
        coop = [u for u in resolver.resolve(coop_text, content) if u not in lead]
        project = _PROJECT.match(content)
        kind = "indicator" if category == "主要发展指标" else "project" if project else "task"
        tasks.append(
            {
                "seq": int(seq_text),
                "category": category,
                "name": name,
                "content": content,
                "kind": kind,
                "project_no": int(project.group(1)) if project else None,
                "indicator_seq": int(seq_text) if kind == "indicator" else None,
                "lead_text": lead_text,
                "coop_text": coop_text,
                "lead_units": lead,
                "coop_units": coop,
            }
        )
    if [t["seq"] for t in tasks] != list(range(1, 98)):
        raise SystemExit("the task list must have rows 1 to 97 in order")
    return tasks, categories


def indicator_rows(source: str) -> list[dict]:
    lines = source.splitlines()
    table = lines[
        lines.index("主要发展指标表 | |||||") + 2 : lines.index("备注:主要指标为截至2025年12月底的预期性指标。 |")
    ]
    result = []
    for (seq, group, name, unit, baseline, target, op, growth, growth_text, cells), line in zip(
        INDICATORS, table, strict=True
    ):
        if not line.startswith(f"{seq} | ") or f"{name}({unit})" not in line:
            raise SystemExit(f"indicator {seq} does not match its source line: {line}")
        for cell in cells + [group] * (line.count(group) > 0):
            if f" {cell} " not in f" {line} ".replace("|", " "):
                raise SystemExit(f"indicator {seq}: {cell!r} not on its source line: {line}")
        result.append(
            {
                "seq": seq,
                "group": group,
                "name": name,
                "unit": unit,
                "baseline": baseline,
                "baseline_year": 2020 if baseline is not None else None,
                "target": target,
                "target_year": 2025,
                "target_op": op,
                "growth": growth,
                "growth_text": growth_text,
                "task_seq": seq,
                "kind": INDICATOR_KINDS[seq][0],
            }
            | ({"kind_note": INDICATOR_KINDS[seq][1]} if INDICATOR_KINDS[seq][1] else {})
        )
    return result


def projects(source: str, tasks: list[dict]) -> list[dict]:
    flat = source.replace("\n", " ")
    result = []
    for line in source.splitlines():
        box = _PROJECT_BOX.match(line)
        if not box:
            continue
        no = int(box.group(1))
        body_start = source.index(line) + len(line)
        goal = source[body_start:].split("工程目标:", 1)[1].split(" 组织实施", 1)[0].split(" 区域布局", 1)[0].strip()
        row = next(t for t in tasks if t["project_no"] == no)
        targets = []
        for project_no, name, value, unit, op, measure, quote, owners in PROJECT_TARGETS:
            if project_no != no:
                continue
            if quote not in flat:
                raise SystemExit(f"工程{no}: quote not in source: {quote}")
            targets.append(
                {
                    "seq": len(targets) + 1,
                    "name": name,
                    "value": value,
                    "unit": unit,
                    "op": op,
                    "measure": measure,
                    "quote": quote,
                    "owners": owners,
                }
                | ({"indicator_seq": TARGET_INDICATORS[no, name]} if (no, name) in TARGET_INDICATORS else {})
            )
        result.append({"no": no, "name": box.group(2), "goal": goal, "task_seq": row["seq"], "targets": targets})
    if [p["no"] for p in result] != list(range(1, 9)):
        raise SystemExit("expected projects 工程1 to 工程8")
    linked = {(p["no"], t["name"]) for p in result for t in p["targets"] if "indicator_seq" in t}
    if linked != set(TARGET_INDICATORS):
        raise SystemExit(f"linked targets not found: {set(TARGET_INDICATORS) - linked}")
    return result


def build(source_path: Path) -> dict:
    source = source_path.read_text(encoding="utf-8")
    for *_, quote in PHASES:
        if quote not in source:
            raise SystemExit(f"phase not in source: {quote}")
    for needle in (TITLE, TASK_LIST_TITLE, ISSUER, "2022年11月21日"):
        if needle not in source:
            raise SystemExit(f"not in source: {needle}")
    units = build_units()
    resolver = UnitResolver(units)
    tasks, categories = parse_task_list(source, resolver)
    return {
        "format": 1,
        "code": CODE,
        "title": TITLE,
        "task_list_title": TASK_LIST_TITLE,
        "city": CITY,
        "report_title": REPORT_TITLE,
        "issuer": ISSUER,
        "issued_on": ISSUED_ON,
        "start_year": 2022,
        "end_year": 2025,
        "start_date": "2022-07-01",
        "end_date": "2025-12-31",
        "source": {"file": f"{CODE}.source.txt", "sha256": hashlib.sha256(source_path.read_bytes()).hexdigest()},
        "corrections": CORRECTIONS,
        "member_units_note": MEMBER_UNITS_NOTE,
        "phases": [{"seq": s, "name": n, "start_month": a, "end_month": b} for s, n, a, b, _ in PHASES],
        "categories": categories,
        "units": [
            {
                "code": u.code,
                "name": u.name,
                "kind": u.kind.value,
                "short_name": u.short_name,
                "sort_order": u.sort_order,
                "note": u.note,
            }
            for u in units
        ],
        "tasks": tasks,
        "indicators": indicator_rows(source),
        "projects": projects(source, tasks),
        "rules": [
            {"seq": n, "left": left, "op": op, "right": right, "message": message, "importance": importance}
            for n, (left, op, right, message, importance) in enumerate(RULES, 1)
        ],
    }


def render(plan: dict) -> str:
    return json.dumps(plan, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str]) -> int:
    source_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    plan = build(source_path)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / f"{CODE}.json").write_text(render(plan), encoding="utf-8")
    shutil.copyfile(source_path, OUT_DIR / f"{CODE}.source.txt")
    print(
        f"{len(plan['tasks'])} tasks, {len(plan['indicators'])} indicators, {len(plan['projects'])} projects, "
        f"{len(plan['units'])} units -> {OUT_DIR / (CODE + '.json')}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

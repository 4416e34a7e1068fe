"""``ipdesk export``, ``ipdesk submit``, ``ipdesk demo``: a unit's report for a period."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ipdesk.cli.common import EXIT_USAGE, Command, date, emit, open_workspace, plan_period


def register(command: Command) -> None:
    export = command("export", "导出某单位某期的报告：Excel 工作簿和可打印的 PDF，输出写入的文件路径", cmd_export)
    export.add_argument("--unit", required=True, metavar="单位", help="单位全称或其中唯一的一段")
    export.add_argument("--period", required=True, metavar="报送期", help="如 2025-11、2025Q3、2025H2、2025")
    export.add_argument("--format", default="xlsx,pdf", metavar="格式", help="xlsx、pdf 或 xlsx,pdf（默认两种都导出）")
    export.add_argument(
        "--out", type=Path, default=Path("."), metavar="文件夹", help="写入的文件夹（默认：当前文件夹）"
    )
    export.set_defaults(short=True)  # one report: little garbage, the collector stays paused (ipdesk.collector)
    export.add_argument(
        "--split-evidence",
        action="store_true",
        help="佐证材料包超过邮件附件上限（设置 evidence_mail_mb，默认 20 MB）时拆分为几个包",
    )
    submit = command("submit", "提交审核：检查某单位某期是否填报完整，完整则标记为已提交", cmd_submit)
    submit.add_argument("--unit", required=True, metavar="单位", help="单位全称或其中唯一的一段")
    submit.add_argument("--period", required=True, metavar="报送期", help="如 2025-11、2025Q3")
    todo = command(
        "todo", "待办：本单位仍欠的报送期及其状态（已逾期、待报送、填报中、待签署、待导出、已导出待报送）", cmd_todo
    )
    todo.add_argument("--unit", required=True, metavar="单位", help="单位全称或其中唯一的一段")
    todo.add_argument("--today", type=date, metavar="日期", help="按这一天计算（默认今天），如 2025-10-08")
    sent = command("sent", "已报送：签署并导出的报告已交给市局（邮件、U 盘等），待办中不再列出", cmd_sent)
    sent.add_argument("--unit", required=True, metavar="单位", help="单位全称或其中唯一的一段")
    sent.add_argument("--period", required=True, metavar="报送期", help="如 2025-11、2025Q3")
    sent.add_argument("--how", default="", metavar="方式", help="怎样报送的，如 电子邮件、U 盘（记入修改记录）")


def register_demo(command: Command) -> None:
    demo = command("demo", "用示例数据填满某单位某期（用于演示和培训；由此生成的报告都标明“示例数据”）", cmd_demo)
    demo.add_argument("--unit", required=True, metavar="单位", help="单位全称或其中唯一的一段")
    demo.add_argument("--period", required=True, metavar="报送期", help="如 2025-11、2025Q3")


def cmd_export(args: argparse.Namespace) -> int:
    from ipdesk.domain.periods import Period
    from ipdesk.workspace.reports import Reports

    formats = Reports.parse_formats(args.format)
    Period.parse(args.period)  # a period that cannot be read is said before the workspace is opened
    with open_workspace(args) as ws:
        unit = ws.units.find(args.unit)
        period = plan_period(ws, args.period)
        paths = ws.reports.export(unit, period, args.out, formats, split_evidence=args.split_evidence)
        data = [str(p) for p in paths]
        size, limit = ws.reports.evidence_size(unit, period), ws.settings.evidence_mail_bytes()
        if size > limit and not args.split_evidence and not args.json:  # said, not refused: a USB stick takes it
            print(
                f"注意：佐证材料共 {size / 1024 / 1024:.1f} MB，超过邮件附件上限 {limit // 1024 // 1024} MB；"
                "用邮件报送请加 --split-evidence 拆分",
                file=sys.stderr,
            )
        return emit(args, data, lambda: "\n".join(data))


def cmd_submit(args: argparse.Namespace) -> int:
    from ipdesk.domain.periods import Period

    Period.parse(args.period)
    with open_workspace(args) as ws:
        unit = ws.units.find(args.unit)
        period = plan_period(ws, args.period)
        missing = ws.reports.missing(unit, period)
        if missing:
            for item in missing:
                print(f"  {item.message}", file=sys.stderr)
            print(f"ipdesk：错误：{period.chinese}还有 {len(missing)} 处未填写完整，未提交", file=sys.stderr)
            return EXIT_USAGE
        state = ws.reports.submit(unit, period)
        data = {"unit": unit.name, "period": period.code, "version": state.version, "status": state.status.value}
        return emit(args, data, lambda: f"{unit.name}{period.chinese}的报告（v{state.version}）已提交审核")


def cmd_demo(args: argparse.Namespace) -> int:
    from ipdesk.domain.periods import Period
    from ipdesk.workspace.sample_data import fill_sample

    Period.parse(args.period)
    with open_workspace(args) as ws:
        unit = ws.units.find(args.unit)
        period = plan_period(ws, args.period)
        count = fill_sample(ws, unit, period)
        data = {"unit": unit.name, "period": period.code, "entries": count}
        message = f"已为{unit.name}填入{period.chinese}的示例数据 {count} 项（报告将标明“示例数据”）"
        return emit(args, data, lambda: message)


def cmd_todo(args: argparse.Namespace) -> int:
    from ipdesk.domain.periods import chinese_date

    with open_workspace(args) as ws:
        unit = ws.units.find(args.unit)
        items = ws.reports.due(unit, today=args.today)
        data = [
            {
                "period": item.period.code,
                "deadline": item.due_date.isoformat(),
                "state": item.state.value,
                "label": item.state.label,
                "folder": item.folder,
            }
            for item in items
        ]

        def table() -> str:
            if not items:
                return f"{unit.name}没有待办的报送期"
            lines = [f"{unit.name}的待办（{len(items)} 期）："]
            for item in items:
                folder = f"，文件在 {item.folder}" if item.folder else ""
                lines.append(
                    f"  {item.period.chinese}（{item.period.code}）：{item.state.label}，"
                    f"截止日 {chinese_date(item.due_date)}{folder}"
                )
            return "\n".join(lines)

        return emit(args, data, table)


def cmd_sent(args: argparse.Namespace) -> int:
    from ipdesk.domain.periods import Period

    Period.parse(args.period)
    with open_workspace(args) as ws:
        unit = ws.units.find(args.unit)
        period = plan_period(ws, args.period)
        ws.reports.mark_sent(unit, period, args.how)
        data = {"unit": unit.name, "period": period.code, "how": args.how.strip()}
        return emit(args, data, lambda: f"已记下：{unit.name}{period.chinese}的报告已报送市局，待办中不再列出")

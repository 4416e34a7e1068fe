"""The ``ipdesk`` command: the window by default, sub-commands for scripted work.

Every sub-command prints a readable Chinese table, or with ``--json`` a stable JSON structure for scripts.
User errors (an unknown unit, a file that is not an ipdesk database …) print a message in Chinese to stderr and
exit with status 2; nothing is changed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ipdesk import __version__

EXIT_OK = 0
EXIT_USAGE = 2

_ARGPARSE_CHINESE = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "show this help message and exit": "显示帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项：%(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个值",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
}


def _install_chinese_argparse() -> None:
    """argparse takes its messages through gettext; give it Chinese ones so bad input is explained in Chinese."""
    english = argparse._  # type: ignore[attr-defined]
    argparse._ = lambda message: _ARGPARSE_CHINESE.get(message, english(message))  # type: ignore[attr-defined]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}：错误：{message}\n")


def _year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"年份应为四位数字，如 2025，而不是“{text}”") from None
    if not 1900 <= year <= 9999:
        raise argparse.ArgumentTypeError(f"年份不合理：{year}")
    return year


def build_parser() -> argparse.ArgumentParser:
    _install_chinese_argparse()
    parser = _Parser(
        prog="ipdesk",
        description="ipdesk：知识产权强市建设示范城市工作方案的填报、审核与汇总（离线桌面程序）。"
        "不带子命令运行时打开程序窗口；下列子命令供脚本和批量工作使用。",
        epilog="示例：ipdesk tasks --unit 碑林区 --role lead",
    )
    parser.add_argument("--version", action="version", version=f"ipdesk {__version__}")
    parser.add_argument("--db", metavar="路径", type=Path, help="工作数据库文件（默认：用户数据目录下的 ipdesk.db）")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="打开程序窗口后立即关闭，输出“shown in N ms”（用于检查安装和启动速度）",
    )
    commands = parser.add_subparsers(dest="command", metavar="子命令", parser_class=_Parser)

    def command(name: str, summary: str, handler: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=summary, description=summary)
        sub.add_argument("--json", action="store_true", help="以 JSON 输出，供脚本使用")
        sub.set_defaults(handler=handler)
        return sub

    command("plan", "显示当前方案概况：名称、任务、指标、示范工程、阶段和单位的数量", cmd_plan)
    command("units", "列出全部单位及其类别（市级部门、区、县、新区、开发区）", cmd_units)
    tasks = command("tasks", "列出某单位牵头或协作的任务", cmd_tasks)
    tasks.add_argument("--unit", required=True, metavar="单位", help="单位全称或其中唯一的一段，如“碑林区”")
    tasks.add_argument("--role", choices=["lead", "coop"], help="只列牵头（lead）或协作（coop）的任务")
    indicators = command("indicators", "列出主要发展指标及某年的预期值", cmd_indicators)
    indicators.add_argument("--year", type=_year, metavar="年份", help="计算预期值的年份（默认：今年）")
    export = command("export", "导出某单位某期的报告：Excel 工作簿和可打印的 PDF，输出写入的文件路径", cmd_export)
    export.add_argument("--unit", required=True, metavar="单位", help="单位全称或其中唯一的一段")
    export.add_argument("--period", required=True, metavar="报送期", help="如 2025-11、2025Q3、2025H2、2025")
    export.add_argument("--format", default="xlsx,pdf", metavar="格式", help="xlsx、pdf 或 xlsx,pdf（默认两种都导出）")
    export.add_argument(
        "--out", type=Path, default=Path("."), metavar="文件夹", help="写入的文件夹（默认：当前文件夹）"
    )
    demo = command("demo", "用示例数据填满某单位某期（用于演示和培训；由此生成的报告都标明“示例数据”）", cmd_demo)
    demo.add_argument("--unit", required=True, metavar="单位", help="单位全称或其中唯一的一段")
    demo.add_argument("--period", required=True, metavar="报送期", help="如 2025-11、2025Q3")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    started = time.perf_counter()
    _prepare_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        from ipdesk.ui.app import run

        return run(args.db, smoke_test=args.smoke_test, started=started)
    from ipdesk.domain.errors import IpdeskError

    try:
        return args.handler(args)
    except IpdeskError as error:
        print(f"ipdesk：错误：{error}", file=sys.stderr)
        return EXIT_USAGE


def _prepare_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def _open_workspace(args: argparse.Namespace):
    from ipdesk.workspace import Workspace

    return Workspace(args.db)


def _emit(args: argparse.Namespace, data: object, table: Callable[[], str]) -> int:
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(table())
    return EXIT_OK


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 4)


# -- commands -------------------------------------------------------------------------------------------------
def cmd_plan(args: argparse.Namespace) -> int:
    from ipdesk.domain.periods import chinese_date

    with _open_workspace(args) as ws:
        plan = ws.plan
        data = {
            "title": plan.title,
            "tasks": len(plan.tasks),
            "indicators": len(plan.indicators),
            "projects": len(plan.projects),
            "phases": len(plan.phases),
            "units": len(plan.units),
        }

        def table() -> str:
            lines = [
                plan.title,
                f"发文单位：{plan.issuer}    印发日期：{chinese_date(plan.issued_on)}",
                f"任务清单 {data['tasks']} 项，主要发展指标 {data['indicators']} 项，示范工程 {data['projects']} 项，"
                f"单位 {data['units']} 个",
                "实施阶段：",
            ]
            lines += [f"  {p.name}（{_month(p.start_month)}—{_month(p.end_month)}）" for p in plan.phases]
            return "\n".join(lines)

        return _emit(args, data, table)


def _month(code: str) -> str:
    year, month = code.split("-")
    return f"{year}年{int(month)}月"


def cmd_units(args: argparse.Namespace) -> int:
    from ipdesk.console import render_table

    with _open_workspace(args) as ws:
        units = ws.units.all()
        data = [{"name": u.name, "kind": u.kind.value} for u in units]
        return _emit(
            args,
            data,
            lambda: render_table(
                ["序号", "单位", "类别"], [(i, u.name, u.kind.label) for i, u in enumerate(units, 1)], align=[">"]
            ),
        )


def cmd_tasks(args: argparse.Namespace) -> int:
    from ipdesk.console import render_table

    with _open_workspace(args) as ws:
        unit = ws.units.find(args.unit)
        assigned = ws.tasks.for_unit(unit, args.role)
        data = [
            {
                "seq": a.task.seq,
                "category": a.task.category,
                "name": a.task.name,
                "content": a.task.content,
                "role": a.role.value,
                "lead_units": list(a.task.lead_units),
                "coop_units": list(a.task.coop_units),
            }
            for a in assigned
        ]

        def table() -> str:
            rows = [(a.task.seq, a.role.label, a.task.category, a.task.name, a.task.content) for a in assigned]
            role = {"lead": "牵头", "coop": "协作"}.get(args.role or "", "牵头或协作")
            heading = f"{unit.name} {role}的任务：{len(assigned)} 项"
            return (
                heading
                + "\n"
                + render_table(
                    ["序号", "角色", "任务类别", "任务名称", "任务内容"],
                    rows,
                    max_widths=[None, None, 24, 20, 60],
                    align=[">"],
                )
            )

        return _emit(args, data, table)


def cmd_indicators(args: argparse.Namespace) -> int:
    from ipdesk.console import format_number, render_table

    year = args.year or dt.date.today().year
    with _open_workspace(args) as ws:
        indicators = ws.indicators.all()
        data = [
            {
                "seq": i.seq,
                "name": i.name,
                "unit": i.unit_of_measure,
                "baseline": _number(i.baseline),
                "baseline_year": i.baseline_year,
                "target": _number(i.target),
                "target_year": i.target_year,
                "target_op": i.target_op,
                "growth": i.growth,
                "expected": _number(ws.indicators.expected(i, year)),
            }
            for i in indicators
        ]

        def target_text(i) -> str:
            if i.target_op == "≥":
                return f"≥{format_number(i.target)}"
            if i.target_op == "保持":
                return f"{format_number(i.target)}（保持）"
            return format_number(i.target)

        def table() -> str:
            rows = [
                (
                    i.seq,
                    i.name,
                    i.unit_of_measure,
                    format_number(i.baseline),
                    target_text(i),
                    i.growth_text or "—",
                    format_number(ws.indicators.expected(i, year), 2),
                )
                for i in indicators
            ]
            baseline_year = next((i.baseline_year for i in indicators if i.baseline_year), ws.plan.start_year)
            target_year = max((i.target_year for i in indicators), default=ws.plan.end_year)
            headers = [
                "序号",
                "指标",
                "单位",
                f"{baseline_year}年基数",
                f"{target_year}年目标",
                "年均预增",
                f"{year}年预期值",
            ]
            return render_table(headers, rows, align=[">", "<", "<", ">", ">", ">", ">"])

        return _emit(args, data, table)


def cmd_export(args: argparse.Namespace) -> int:
    from ipdesk.domain.periods import Period
    from ipdesk.reports.export import parse_formats

    formats = parse_formats(args.format)
    period = Period.parse(args.period)
    with _open_workspace(args) as ws:
        unit = ws.units.find(args.unit)
        paths = ws.reports.export(unit, period, args.out, formats)
        data = [str(p) for p in paths]
        return _emit(args, data, lambda: "\n".join(data))


def cmd_demo(args: argparse.Namespace) -> int:
    from ipdesk.domain.periods import Period
    from ipdesk.workspace.sample_data import fill_sample

    period = Period.parse(args.period)
    with _open_workspace(args) as ws:
        unit = ws.units.find(args.unit)
        count = fill_sample(ws, unit, period)
        data = {"unit": unit.name, "period": period.code, "entries": count}
        message = f"已为{unit.name}填入{period.chinese}的示例数据 {count} 项（报告将标明“示例数据”）"
        return _emit(args, data, lambda: message)


if __name__ == "__main__":
    raise SystemExit(main())

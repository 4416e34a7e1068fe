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
from typing import NoReturn

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
    def error(self, message: str) -> NoReturn:
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
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="文件",
        help="与 --smoke-test 一起使用：把显示出来的程序窗口保存为 PNG 图片",
    )
    commands = parser.add_subparsers(dest="command", metavar="子命令", parser_class=_Parser)

    def command(name: str, summary: str, handler: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=summary, description=summary)
        sub.add_argument("--json", action="store_true", help="以 JSON 输出，供脚本使用")
        sub.set_defaults(handler=handler)
        return sub

    from ipdesk.cli_plans import register as register_plans

    register_plans(command, cmd_plan)
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
    export.add_argument(
        "--split-evidence",
        action="store_true",
        help="佐证材料包超过邮件附件上限（设置 evidence_mail_mb，默认 20 MB）时拆分为几个包",
    )
    submit = command("submit", "提交审核：检查某单位某期是否填报完整，完整则标记为已提交", cmd_submit)
    submit.add_argument("--unit", required=True, metavar="单位", help="单位全称或其中唯一的一段")
    submit.add_argument("--period", required=True, metavar="报送期", help="如 2025-11、2025Q3")
    sign = command(
        "sign", "签署：审核人用签署口令签署已提交的报告，该期数据随即锁定（第一次签署时创建签署密钥）", cmd_sign
    )
    sign.add_argument("--unit", required=True, metavar="单位", help="单位全称或其中唯一的一段")
    sign.add_argument("--period", required=True, metavar="报送期", help="如 2025-11、2025Q3")
    sign.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="文件",
        help="从文件第一行读取签署口令（供脚本使用）；不给出时在终端输入",
    )
    sign.add_argument(
        "--reviewer",
        metavar="姓名",
        help="签署的审核人姓名（默认：设置中的审核人；都没有时在终端询问）。签署人必须是具名的人",
    )
    revise = command(
        "revise", "修订：在已签署的报告之后新建一个可修改的版本（已签署的版本及其文件保持不变）", cmd_revise
    )
    revise.add_argument("--unit", required=True, metavar="单位", help="单位全称或其中唯一的一段")
    revise.add_argument("--period", required=True, metavar="报送期", help="如 2025-11、2025Q3")
    verify = command(
        "verify", "验证报送文件（xlsx、pdf、p7s）：有效 / 已被修改 / 签名人未知 / 不是ipdesk文件 / 文件损坏", cmd_verify
    )
    verify.add_argument("files", nargs="+", type=Path, metavar="文件", help="要验证的文件")
    verify.add_argument(
        "--trust",
        action="append",
        type=Path,
        default=[],
        metavar="证书",
        help="信任的单位证书（.cer/.pem，可多次给出）；工作区已登记的证书总是信任",
    )
    keys = command(
        "keys",
        "签署密钥：查看证书（keys show）、导出证书交对方登记（keys export-cert）、创建（keys create）；"
        "在市局汇总工作区中是市领导小组办公室的密钥",
        cmd_keys,
    )
    keys.add_argument(
        "action",
        choices=["show", "export-cert", "create", "import"],
        help="show 查看；export-cert 导出证书；create 创建签署密钥；import 导入市局签发的 PKCS#12（--file）",
    )
    keys.add_argument("--unit", metavar="单位", help="单位（默认：设置中的本单位）")
    keys.add_argument("--reviewer", metavar="姓名", help="create：证书持有人（审核人或经办人）姓名")
    keys.add_argument("--out", type=Path, metavar="文件", help="导出证书的文件名（默认：单位名.cer）")
    keys.add_argument("--file", type=Path, metavar="文件", help="要导入的 .p12/.pfx 文件（import 时）")
    keys.add_argument("--passphrase-file", type=Path, metavar="文件", help="从文件第一行读取 PKCS#12 的口令")
    backup = command("backup", "备份工作数据库（程序运行时也可以进行）；默认写入备份文件夹", cmd_backup)
    backup.add_argument("--out", type=Path, metavar="文件", help="备份文件路径（默认：数据库旁 backups/before/）")
    restore = command("restore", "从备份恢复：先检查备份完好，被替换的数据库改名保留", cmd_restore)
    restore.add_argument("file", type=Path, metavar="备份文件", help="要恢复的备份文件")
    audit = command("audit", "修改记录：audit verify 检查审计链是否完整，报告第一处断开", cmd_audit)
    audit.add_argument("action", choices=["verify"], help="verify 检查审计链")
    demo = command("demo", "用示例数据填满某单位某期（用于演示和培训；由此生成的报告都标明“示例数据”）", cmd_demo)
    demo.add_argument("--unit", required=True, metavar="单位", help="单位全称或其中唯一的一段")
    demo.add_argument("--period", required=True, metavar="报送期", help="如 2025-11、2025Q3")
    from ipdesk.cli_exchange import register

    register(command, commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    started = time.perf_counter()
    _prepare_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        from ipdesk.ui.app import run

        if args.screenshot is not None and not args.smoke_test:
            parser.error("--screenshot 需要与 --smoke-test 一起使用")
        return run(args.db, smoke_test=args.smoke_test, started=started, screenshot=args.screenshot)
    import sqlite3

    from ipdesk.domain.errors import CorruptDatabase, IpdeskError, os_error_text

    try:
        _prepare_output(args)
        return args.handler(args)
    except CorruptDatabase as error:
        print(f"ipdesk：错误：{error}{_backup_advice(args.db)}", file=sys.stderr)
        return EXIT_USAGE
    except IpdeskError as error:
        print(f"ipdesk：错误：{error}", file=sys.stderr)
        return EXIT_USAGE
    except sqlite3.Error as error:  # what the store did not foresee still reaches the user in Chinese
        from ipdesk.store.connection import storage_error_text

        print(f"ipdesk：错误：{storage_error_text(error)}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        where = f"：{error.filename}" if error.filename else ""
        print(f"ipdesk：错误：{os_error_text(error)}{where}", file=sys.stderr)
        return EXIT_USAGE


def _backup_advice(db: Path | None) -> str:
    """Where the newest good backup of a damaged database is, and the command that restores it."""
    from ipdesk.paths import default_database_path
    from ipdesk.workspace import Workspace

    database = db or default_database_path()
    try:
        newest = Workspace.newest_good_backup(database)
    except OSError:
        newest = None
    if newest is None:
        return "\n没有找到完好的备份（备份在数据库旁的 backups 文件夹中）。请不要再使用这个文件，并联系技术支持。"
    option = f'--db "{database}" ' if db else ""
    return (
        f"\n最近一份完好的备份：{newest.path}（{newest.made_at:%Y-%m-%d %H:%M}）。"
        f'\n恢复（损坏的文件会改名保留）：ipdesk {option}restore "{newest.path}"'
    )


def _prepare_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


READ_ONLY_COMMANDS = {"plan", "units", "tasks", "indicators", "verify", "keys"}
READ_ONLY_STEPS = {("city", "status"), ("city", "show"), ("city", "remind"), ("city", "report"), ("trust", "list")}


def _open_workspace(args: argparse.Namespace):
    """The workspace; commands that only read fall back to read-only when another ipdesk is writing it."""
    from ipdesk.domain.errors import WorkspaceInUse
    from ipdesk.workspace import Workspace

    try:
        return Workspace(args.db)
    except WorkspaceInUse:
        step = getattr(args, "city_command", None) or getattr(args, "action", None)
        if (args.command in READ_ONLY_COMMANDS and not (args.command == "keys" and step in ("import", "create"))) or (
            args.command,
            step,
        ) in READ_ONLY_STEPS:
            return Workspace(args.db, read_only=True)
        raise


def _plan_period(ws, text: str):
    """The --period given, checked against the plan's span (the same rule as in the window)."""
    return ws.plan_period(text)


# Where each command writes with --out: a folder (export) or a file (keys export-cert, backup) whose folder is made.
OUTPUT_IS_FOLDER = {"export": True, "keys": False, "backup": False}


def _prepare_output(args: argparse.Namespace) -> None:
    """Create the folder ``--out`` names (or the folder of the file it names) when it does not exist yet."""
    out = getattr(args, "out", None)
    if out is not None and args.command in OUTPUT_IS_FOLDER:
        _folder(out if OUTPUT_IS_FOLDER[args.command] else out.parent)


def _folder(path: Path) -> Path:
    """An output folder, created when it does not exist yet."""
    from ipdesk.domain.errors import InvalidInput, os_error_text

    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput(f"无法创建文件夹“{path}”：{os_error_text(error)}") from error
    if not path.is_dir():
        raise InvalidInput(f"“{path}”不是文件夹")
    return path


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
    from ipdesk.domain.plan import TaskKind

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
            indicators = sum(1 for a in assigned if a.task.kind is TaskKind.INDICATOR)
            if indicators:  # said the same way as in the window, where those rows are filled as indicator values
                heading += (
                    f"（其中 {indicators} 项是主要指标，在程序的“主要指标与示范工程”中填写数值；"
                    f"{len(assigned) - indicators} 项填写工作进展）"
                )
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
    Period.parse(args.period)  # a period that cannot be read is said before the workspace is opened
    with _open_workspace(args) as ws:
        unit = ws.units.find(args.unit)
        period = _plan_period(ws, args.period)
        paths = ws.reports.export(unit, period, args.out, formats, split_evidence=args.split_evidence)
        data = [str(p) for p in paths]
        size, limit = ws.reports.evidence_size(unit, period), ws.settings.evidence_mail_bytes()
        if size > limit and not args.split_evidence and not args.json:  # said, not refused: a USB stick takes it
            print(
                f"注意：佐证材料共 {size / 1024 / 1024:.1f} MB，超过邮件附件上限 {limit // 1024 // 1024} MB；"
                "用邮件报送请加 --split-evidence 拆分",
                file=sys.stderr,
            )
        return _emit(args, data, lambda: "\n".join(data))


def _passphrase(args: argparse.Namespace, creating: bool) -> str:
    from ipdesk.domain.errors import InvalidInput, os_error_text

    if args.passphrase_file:
        try:
            lines = args.passphrase_file.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise InvalidInput(f"无法读取口令文件：{args.passphrase_file}（{os_error_text(error)}）") from error
        if not lines or not lines[0]:
            raise InvalidInput(f"口令文件是空的：{args.passphrase_file}")
        return lines[0]
    if not sys.stdin.isatty():
        raise InvalidInput("没有终端可输入口令：请用 --passphrase-file 指定口令文件")
    import getpass

    first = getpass.getpass("审核人签署口令：")
    if creating and getpass.getpass("再输入一次（创建签署密钥）：") != first:
        raise InvalidInput("两次输入的口令不一致，未签署")
    return first


def _reviewer(args: argparse.Namespace, ws) -> str:
    """The reviewer who signs: --reviewer, else the one in 设置, else asked for at the terminal."""
    from ipdesk.domain.reports import person_name

    if args.reviewer:
        return person_name(args.reviewer)
    configured = ws.settings.get(ws.settings.REVIEWER_NAME)
    if configured:
        return person_name(configured)
    if not sys.stdin.isatty():
        return person_name("")  # says what to do: --reviewer or 设置
    return person_name(input("审核人姓名："))


def cmd_submit(args: argparse.Namespace) -> int:
    from ipdesk.domain.periods import Period

    Period.parse(args.period)
    with _open_workspace(args) as ws:
        unit = ws.units.find(args.unit)
        period = _plan_period(ws, args.period)
        missing = ws.reports.missing(unit, period)
        if missing:
            for item in missing:
                print(f"  {item.message}", file=sys.stderr)
            print(f"ipdesk：错误：{period.chinese}还有 {len(missing)} 处未填写完整，未提交", file=sys.stderr)
            return EXIT_USAGE
        state = ws.reports.submit(unit, period)
        data = {"unit": unit.name, "period": period.code, "version": state.version, "status": state.status.value}
        return _emit(args, data, lambda: f"{unit.name}{period.chinese}的报告（v{state.version}）已提交审核")


def cmd_sign(args: argparse.Namespace) -> int:
    from ipdesk.domain.periods import Period

    period = Period.parse(args.period)
    with _open_workspace(args) as ws:
        unit = ws.units.find(args.unit)
        reviewer = _reviewer(args, ws)
        creating = ws.signoff.identity(unit) is None
        state = ws.signoff.sign(unit, period, _passphrase(args, creating), create=True, reviewer=reviewer)
        identity = ws.signoff.identity(unit)
        assert identity is not None
        data = {
            "unit": unit.name,
            "period": period.code,
            "version": state.version,
            "status": state.status.value,
            "signer": state.signed_by,
            "fingerprint": identity.fingerprint,
            "created_identity": creating,
        }
        lines = [
            f"已签署：{unit.name}{period.chinese}（v{state.version}），签署人 {state.signed_by}",
            f"证书指纹（SHA-256）：{identity.fingerprint}",
            "用 ipdesk export 导出签署后的文件",
        ]
        if creating:
            lines.insert(0, "已创建本单位的签署密钥；请用 ipdesk keys export-cert 导出证书交市局登记")
        return _emit(args, data, lambda: "\n".join(lines))


def cmd_revise(args: argparse.Namespace) -> int:
    from ipdesk.domain.periods import Period

    period = Period.parse(args.period)
    with _open_workspace(args) as ws:
        unit = ws.units.find(args.unit)
        version = ws.signoff.revise(unit, period)
        data = {"unit": unit.name, "period": period.code, "version": version}
        return _emit(args, data, lambda: f"已新建{period.chinese}的第 {version} 版，可以修改；之前已签署的版本保持不变")


def cmd_verify(args: argparse.Namespace) -> int:
    from cryptography import x509

    from ipdesk.domain.errors import InvalidInput, IpdeskError
    from ipdesk.domain.periods import chinese_datetime
    from ipdesk.signing.verify import verify_file

    trusted = []
    for path in args.trust:
        try:
            data = path.read_bytes()
            trusted.append(
                x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else x509.load_der_x509_certificate(data)
            )
        except (OSError, ValueError) as error:
            raise InvalidInput(f"无法读取证书文件：{path}") from error
    from ipdesk.paths import default_database_path

    if (args.db or default_database_path()).exists():  # never create a workspace just to verify files
        from ipdesk.workspace import Workspace

        try:  # read-only: verifying neither takes the writer's place nor makes the day's backup
            with Workspace(args.db, read_only=True) as ws:
                trusted += ws.signoff.trusted()
        except IpdeskError:
            pass  # verifying needs no workspace; without a usable one only --trust counts
    verdicts = [verify_file(path, trusted) for path in args.files]
    data = [v.to_dict() for v in verdicts]

    def table() -> str:
        lines = []
        for v in verdicts:
            lines.append(f"{v.status.value}　{v.file}")
            if v.unit:
                lines.append(
                    f"　　{v.unit}　{v.period}　v{v.version}　签署人 {v.signer}　{chinese_datetime(v.signed_at)}"
                    f"　方案 {v.plan or '（未记录）'}　格式 {v.format}"
                )
            lines.append(f"　　{v.detail}")
        return "\n".join(lines)

    _emit(args, data, table)
    return EXIT_OK if all(v.valid for v in verdicts) else 1


def cmd_keys(args: argparse.Namespace) -> int:
    from ipdesk.domain.errors import InvalidInput

    with _open_workspace(args) as ws:
        city = ws.kind == ws.CITY
        if city:
            if args.unit:
                raise InvalidInput("这是市领导小组办公室的汇总工作区，这里的签署密钥是市局的；不要加 --unit")
            holder = ws.city.name
        else:
            name = args.unit or ws.settings.get(ws.settings.UNIT)
            if not name:
                raise InvalidInput("请用 --unit 指定单位（或先在程序的设置中选择本单位）")
            holder = ws.units.find(name).name
        if args.action == "import":
            if city:
                raise InvalidInput("市局汇总工作区不导入单位的 PKCS#12")
            if args.file is None:
                raise InvalidInput("请用 --file 指定要导入的 PKCS#12 文件")
            imported = ws.signoff.keys.import_pkcs12(holder, args.file, _passphrase(args, creating=False))
            ws.signoff.trust_certificate(imported.certificate)
        elif args.action == "create":
            from ipdesk.domain.reports import person_name

            if ws.signoff.keys.exists(holder):
                raise InvalidInput(f"“{holder}”已有签署密钥（指纹 {ws.signoff.keys.public(holder).fingerprint}）")
            signer = person_name(args.reviewer or ws.settings.get(ws.settings.REVIEWER_NAME), "证书持有人")
            passphrase = _passphrase(args, creating=True)
            if city:
                ws.city.create_identity(passphrase, signer)
            else:
                ws.signoff.create_identity(holder, passphrase, signer)
        keys = ws.signoff.keys
        identity = keys.public(holder) if keys.exists(holder) else None
        if identity is None:
            how = "ipdesk keys create" if city else "审核人第一次签署（ipdesk sign）时或用 ipdesk keys create"
            raise InvalidInput(f"“{holder}”还没有签署密钥；{how}创建")
        certificate = identity.certificate
        data = {
            "unit": holder,
            "signer": identity.signer,
            "fingerprint": identity.fingerprint,
            "not_before": certificate.not_valid_before_utc.isoformat(),
            "not_after": certificate.not_valid_after_utc.isoformat(),
        }
        if args.action == "export-cert":
            target = args.out or Path(f"{holder}.cer")
            keys.export_certificate(holder, target)
            data["file"] = str(target)
        lines = [
            f"{'市局' if city else '单位'}：{holder}",
            f"证书持有人：{identity.signer}",
            f"证书指纹（SHA-256）：{identity.fingerprint}",
            f"有效期：{certificate.not_valid_before_utc:%Y-%m-%d} 至 {certificate.not_valid_after_utc:%Y-%m-%d}",
        ]
        if args.action == "create":
            lines.insert(0, "已创建签署密钥")
        if "file" in data:
            lines.append(f"证书已导出：{data['file']}（请对方电话核对指纹后登记）")
        return _emit(args, data, lambda: "\n".join(lines))


# Backing up and checking only read the database: they run beside an open window too.
READ_ONLY_COMMANDS.update({"backup", "audit"})


def cmd_backup(args: argparse.Namespace) -> int:
    with _open_workspace(args) as ws:
        target = ws.backup_to(args.out) if args.out else ws.backup_before("manual")
        if target is None:
            from ipdesk.domain.errors import InvalidInput

            raise InvalidInput("内存中的工作区没有可备份的文件")
        data = {"file": str(target), "size": target.stat().st_size}
        return _emit(args, data, lambda: f"已备份到：{target}")


def cmd_restore(args: argparse.Namespace) -> int:
    from ipdesk.domain.errors import WorkspaceInUse
    from ipdesk.paths import default_database_path
    from ipdesk.store.backups import check, restore
    from ipdesk.store.writer_lock import WriterLock

    database = args.db or default_database_path()
    check(args.file)
    lock = WriterLock(database)
    if database.parent.is_dir() and not lock.acquire():
        raise WorkspaceInUse(f"数据库正在被使用（{lock.holder() or '未知进程'}），请先关闭 ipdesk 再恢复")
    try:
        if database.exists():
            from ipdesk.store.backups import BackupShelf, copy_database
            from ipdesk.store.connection import connect

            try:  # one more copy of what is being replaced, when it can still be read
                conn = connect(database)
                try:
                    copy_database(conn, BackupShelf(database).folder / "before" / f"{database.stem}-before-restore.db")
                finally:
                    conn.close()
            except Exception:
                pass
        kept = restore(database, args.file)
    finally:
        lock.release()
    data = {"database": str(database), "restored_from": str(args.file), "replaced_file": str(kept) if kept else None}
    lines = [f"已从 {args.file} 恢复 {database}"]
    if kept:
        lines.append(f"原来的数据库保留为：{kept}")
    return _emit(args, data, lambda: "\n".join(lines))


def cmd_audit(args: argparse.Namespace) -> int:
    from ipdesk.domain.errors import CorruptDatabase

    try:
        ws = _open_workspace(args)
    except CorruptDatabase as error:  # damage found on opening is the answer to "is it intact?"
        problem = str(error)
        data: dict[str, object] = {
            "entries": None,
            "intact": None,
            "first_broken_entry": None,
            "database_ok": False,
            "integrity": problem,
        }
        _emit(args, data, lambda: f"数据库完整性检查未通过：{problem}{_backup_advice(args.db)}")
        return 1
    with ws:
        integrity = ws.integrity_full()  # SQLite's own check first: a chain read from a damaged file proves nothing
        try:
            broken = ws.audit.verify()
            count = len(ws.audit.entries())
        except CorruptDatabase:
            broken, count = None, None
        database_ok = integrity == "ok"
        intact = broken is None and count is not None
        data = {
            "entries": count,
            "intact": intact if count is not None else None,
            "first_broken_entry": broken,
            "database_ok": database_ok,
            "integrity": integrity,
        }
        lines = []
        if database_ok:
            lines.append("数据库完整性检查通过（SQLite integrity_check）")
        else:
            lines.append(f"数据库完整性检查未通过：{integrity}{_backup_advice(args.db)}")
        if count is None:
            lines.append("审计链无法读取：数据库已损坏")
        elif broken is None:
            lines.append(f"审计链完整：共 {count} 条修改记录")
        else:
            lines.append(f"审计链在第 {broken} 条记录处断开：该条或之前的记录被改动或删除过")
        _emit(args, data, lambda: "\n".join(lines))
        return EXIT_OK if database_ok and intact else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from ipdesk.domain.periods import Period
    from ipdesk.workspace.sample_data import fill_sample

    Period.parse(args.period)
    with _open_workspace(args) as ws:
        unit = ws.units.find(args.unit)
        period = _plan_period(ws, args.period)
        count = fill_sample(ws, unit, period)
        data = {"unit": unit.name, "period": period.code, "entries": count}
        message = f"已为{unit.name}填入{period.chinese}的示例数据 {count} 项（报告将标明“示例数据”）"
        return _emit(args, data, lambda: message)


if __name__ == "__main__":
    raise SystemExit(main())

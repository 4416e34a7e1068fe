"""The commands between units and the city office: ``ipdesk city …`` (the office's month), ``ipdesk trust …``
(registered certificates) and ``ipdesk feedback import`` (a unit reading the office's 退回意见).

The first ``city`` or ``trust`` command on a new database makes it the city office's workspace.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ipdesk.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    Command,
    Parser,
    date,
    emit,
    open_workspace,
    passphrase,
    year,
)

EXIT_SOME_REFUSED = EXIT_REFUSED

UNIT_GROUPS = ("市级部门", "区县", "开发区（新区）")


class _Task(argparse.Action):
    """``--task N`` names the task the next ``--comment`` is about."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        if getattr(namespace, "pending_task", None) is not None:
            parser.error(f"第 {namespace.pending_task} 项任务后面缺少 --comment 意见")
        namespace.pending_task = values


class _Comment(argparse.Action):
    """``--comment 文字``: on the whole return, or (after ``--task N``) on that task."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        task = getattr(namespace, "pending_task", None)
        comments = list(getattr(namespace, "comments", None) or [])
        if task is None and any(seq is None for seq, _ in comments):
            parser.error("对整份报告的意见只能写一次 --comment；对具体任务的意见请在前面加 --task 序号")
        comments.append((task, values))
        namespace.comments, namespace.pending_task = comments, None


def _task_number(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 999:
        raise argparse.ArgumentTypeError(f"任务序号应为数字，如 47，而不是“{text}”")
    return int(text)


def register(command: Command, commands: argparse._SubParsersAction[Parser]) -> None:
    """Add ``city``, ``trust`` and ``feedback`` to the ``ipdesk`` parser."""
    city = commands.add_parser(
        "city",
        help="市领导小组办公室：导入各单位报送材料、查看报送情况、催报、接收或退回",
        description="市领导小组办公室的汇总工作（第一次在新数据库上使用即成为汇总工作区）",
    )
    steps = city.add_subparsers(
        dest="city_command", metavar="操作", parser_class=Parser, required=True, help="要做的事，见下"
    )

    def step(name: str, summary: str, handler: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        sub = steps.add_parser(name, help=summary, description=summary)
        sub.add_argument("--json", action="store_true", help="以 JSON 输出，供脚本使用")
        sub.set_defaults(handler=handler)
        return sub

    imp = step("import", "导入单位报送的签名文件（可给出文件或文件夹）；每个文件给出一个结果", cmd_city_import)
    imp.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="文件或文件夹",
        help="签名的 .xlsx / .pdf，或存放它们的文件夹（含子文件夹）",
    )
    imp.add_argument(
        "--received-on",
        type=date,
        metavar="日期",
        help="市局收到这些文件的日期，如 2025-10-03（默认今天）：是否按时报送以此为准",
    )
    status = step(
        "status",
        "某一报送期（月、季度、半年、年）各单位应报、已报、缺报的期次和状态："
        "未到期 / 已齐 / 缺报 / 逾期 / 待审 / 已接收 / 已退回 / 未纳入汇总",
        cmd_city_status,
    )
    status.add_argument("--period", required=True, metavar="报送期", help="如 2025-11、2025Q3、2025H2、2025")
    status.add_argument("--group", choices=UNIT_GROUPS, metavar="类别", help="只列市级部门、区县或开发区（新区）")
    remind = step("remind", "催报名单：仍欠该期报送的单位、所缺的期次及其填报人、电话，导出为 Excel", cmd_city_remind)
    remind.add_argument("--period", required=True, metavar="报送期", help="如 2025-11、2025Q3（列出缺报月份）")
    remind.add_argument("--out", required=True, type=Path, metavar="文件", help="写入的 .xlsx 文件")
    show = step("show", "查看收到的报送材料（只读）及与该单位上期相比的变化", cmd_city_show)
    show.add_argument("--unit", required=True, metavar="单位", help="单位全称或其中唯一的一段")
    show.add_argument("--period", required=True, metavar="报送期", help="如 2025-11、2025Q3")
    show.add_argument("--version", type=int, metavar="版本", help="默认为收到的最新版本")
    show.add_argument(
        "--evidence",
        metavar="序号或路径",
        help="写出一个核验一致的佐证材料（清单中的序号，或包中的路径如 第17项/专利清单.pdf）并给出文件位置",
    )
    accept = step(
        "accept",
        "接收某单位某期的报送材料（最新版本）；--all-valid 接收该期全部无提醒的待审报告",
        cmd_city_accept,
    )
    accept.add_argument("--unit", metavar="单位", help="单位全称或其中唯一的一段")
    accept.add_argument("--period", required=True, metavar="报送期", help="如 2025-11、2025Q3")
    accept.add_argument(
        "--all-valid",
        action="store_true",
        help="接收该期每一份签名有效且没有提醒（旧证书、佐证材料未通过核验、退回意见未处理、数据一致性）的待审报告，"
        "并列出其余单位及原因",
    )
    back = step(
        "return",
        "退回某单位某期的报送材料并写出市局签名的退回意见文件（--comment 对整份报告；--task 序号 --comment 对该任务）",
        cmd_city_return,
    )
    back.add_argument("--unit", required=True, metavar="单位", help="单位全称或其中唯一的一段")
    back.add_argument("--period", required=True, metavar="报送期", help="如 2025-11、2025Q3")
    back.add_argument(
        "--comment", action=_Comment, metavar="意见", help="退回意见；紧跟在 --task 之后时是对该任务的意见"
    )
    back.add_argument("--task", action=_Task, type=_task_number, metavar="序号", help="下一条 --comment 针对的任务")
    back.add_argument("--out", required=True, type=Path, metavar="文件夹", help="退回意见文件写入的文件夹")
    back.add_argument("--passphrase-file", type=Path, metavar="文件", help="从文件第一行读取市局签署口令")
    back.add_argument("--reviewer", metavar="姓名", help="经办人姓名（默认：设置中的审核人或证书持有人）")
    back.set_defaults(comments=[], pending_task=None)

    again = step("feedback", "重新写出某单位某期的退回意见文件（签署时保存在工作区中；如文件丢失）", cmd_city_feedback)
    again.add_argument("--unit", required=True, metavar="单位", help="单位全称或其中唯一的一段")
    again.add_argument("--period", required=True, metavar="报送期", help="如 2025-11、2025Q3")
    again.add_argument("--version", type=int, metavar="版本", help="默认为收到的最新版本")
    again.add_argument("--out", required=True, type=Path, metavar="文件夹", help="写入的文件夹")
    report = step(
        "report",
        "汇总报告：季度写季度督导报告，年度写年度考核，月份写月度汇总（Excel 和 PDF），另写通报草稿（.docx）；"
        "--final 写终期评估",
        cmd_city_report,
    )
    report.add_argument(
        "--period", metavar="报送期", help="如 2025Q3（季度督导）、2025（年度考核）、2025-09（月度汇总）"
    )
    report.add_argument("--final", action="store_true", help="方案终期评估（不需要 --period）")
    report.add_argument("--out", required=True, type=Path, metavar="文件夹", help="写入的文件夹（不存在时创建）")
    settings = step(
        "settings",
        "市局的设置：不带选项时显示；报送周期、开始汇总的报送期、截止日、预警阈值、经办人、电话、PDF 字体、"
        "通报的版头和版记（与窗口中的“设置”是同一组设置）",
        cmd_city_settings,
    )
    settings.add_argument(
        "--rhythm", choices=["month", "quarter", "half", "year"], help="各单位的报送周期：月、季度、半年、年"
    )
    settings.add_argument(
        "--from",
        dest="since",
        metavar="报送期",
        help="从哪一期开始汇总，如 2025-07 或 2025Q3（更早的报送期未纳入汇总）；all 表示方案实施以来全部",
    )
    settings.add_argument("--deadline-day", type=int, metavar="N", help="报送截止日：次月 N 日（1–28），遇节假日顺延")
    settings.add_argument("--green", metavar="X", help="绿灯阈值（达到序时进度的比例），如 0.95 或 95%%")
    settings.add_argument("--yellow", metavar="Y", help="黄灯阈值，如 0.85 或 85%%")
    settings.add_argument("--person", metavar="姓名", help="经办人（签发退回意见时使用）")
    settings.add_argument("--phone", metavar="电话", help="市局联系电话")
    settings.add_argument(
        "--pdf-font", metavar="字体", help="PDF 字体：simsun、fangsong、simhei（本机有时）；空为随程序提供"
    )
    settings.add_argument("--notice-office", metavar="机关", help="通报的发文机关标志（空为方案的牵头机构）")
    settings.add_argument("--notice-number", metavar="字号", help="通报的发文字号，如 市知识产权强市办〔{年}〕N号")
    settings.add_argument("--notice-copy-to", metavar="抄送", help="通报的抄送机关，如 市委办公厅，市政府办公厅。")
    rules = step("rules", "年度考核的计分规则：查看，或导出 / 导入规则文件（.json）", cmd_city_rules)
    rules.add_argument("--export", type=Path, metavar="文件", help="把当前规则导出为文件")
    rules.add_argument("--import", dest="import_file", type=Path, metavar="文件", help="导入规则文件并立即使用")
    adjust = step(
        "adjust",
        "年度考核的加分、扣分：列出某年的，给某单位加分（正数）或扣分（负数）并写明原因，或删除一条",
        cmd_city_adjust,
    )
    adjust.add_argument("--year", required=True, type=year, metavar="年份", help="考核年度，如 2025")
    adjust.add_argument("--unit", metavar="单位", help="加分或扣分的单位（全称或其中唯一的一段）")
    adjust.add_argument("--points", type=float, metavar="分", help="分值：加分为正数，扣分为负数，如 2 或 -1.5")
    adjust.add_argument("--reason", metavar="原因", help="原因，如 创新工作、通报表扬、通报批评（必填）")
    adjust.add_argument("--remove", type=int, metavar="N", help="删除列表中的第 N 条")

    trust = command("trust", "信任的证书：登记（add）、列出（list）、移除（remove）", cmd_trust)
    trust.add_argument("action", choices=["add", "list", "remove"], help="add 登记；list 列出；remove 移除")
    trust.add_argument(
        "targets",
        nargs="*",
        metavar="证书或指纹",
        help="add：一个或多个证书文件（.cer/.crt/.pem/.der），或存放它们的文件夹；remove：证书指纹",
    )
    trust.add_argument("--yes", action="store_true", help="确认登记更换后的新证书（单位更换签署密钥时需要）")

    feedback = command("feedback", "单位：导入市局的退回意见文件（feedback import 文件）", cmd_feedback)
    feedback.add_argument("action", choices=["import"], help="import 导入退回意见")
    feedback.add_argument("file", type=Path, metavar="文件", help="市局发来的退回意见文件（.json）")


# -- city ------------------------------------------------------------------------------------------------------
def cmd_city_import(args: argparse.Namespace) -> int:
    from ipdesk.console import clip, render_table
    from ipdesk.domain.returns import ImportOutcome

    def progress(done: int, total: int, name: str) -> None:
        if sys.stderr.isatty() and name:
            print(f"\r正在验证 {done + 1}/{total}：{clip(name, 40)}　　", end="", file=sys.stderr, flush=True)

    with open_workspace(args) as ws:
        results = ws.city.import_files(args.paths, progress=progress, received_on=args.received_on)
    if sys.stderr.isatty():
        print("\r" + " " * 60 + "\r", end="", file=sys.stderr)
    data = [r.to_dict() for r in results]

    def table() -> str:
        rows = [
            (
                r.outcome.value,
                clip(Path(r.file).name, 40),
                r.unit,
                r.period,
                f"v{r.version}" if r.version else "",
                r.reason,
            )
            for r in results
        ]
        counts: dict[str, int] = {}
        for r in results:
            counts[r.outcome.value] = counts.get(r.outcome.value, 0) + 1
        summary = "，".join(f"{k} {v} 个" for k, v in counts.items()) or "没有找到报送文件"
        return (
            render_table(
                ["结果", "文件", "单位", "报送期", "版本", "说明"], rows, max_widths=[None, 40, 24, None, None, 60]
            )
            + f"\n共 {len(results)} 个文件：{summary}"
        )

    emit(args, data, table)
    refused = any(r.outcome is ImportOutcome.REFUSED for r in results)
    return EXIT_SOME_REFUSED if refused or not results else EXIT_OK


def cmd_city_status(args: argparse.Namespace) -> int:
    from ipdesk.console import render_table
    from ipdesk.domain.accounting import UnitAccount
    from ipdesk.domain.periods import Period, chinese_date, chinese_datetime
    from ipdesk.domain.returns import ReceivedReturn

    period = Period.parse(args.period)
    with open_workspace(args) as ws:
        accounting = ws.city.accounting(period, unit_group=args.group)
        accounts = accounting.units()
        deadline = accounting.deadline()

        def newest(account: UnitAccount) -> ReceivedReturn | None:
            received = [r for r in account.returns if r.latest is not None]
            return received[-1].latest if received else None

        data = []
        for account in accounts:
            latest = newest(account)
            data.append(
                {
                    **{k: v for k, v in account.to_dict().items() if k != "returns"},
                    "summary": account.summary,
                    "deadline": deadline.isoformat() if deadline else "",
                    "version": latest.version if latest else None,
                    "signed_at": latest.signed_at if latest else "",
                    "received_at": latest.received_at if latest else "",
                    "returns": account.to_dict()["returns"],
                }
            )

        def table() -> str:
            rows = []
            for account in accounts:
                latest = newest(account)
                rows.append(
                    (
                        account.unit,
                        account.text,
                        account.summary,
                        chinese_datetime(latest.received_at) if latest else "",
                    )
                )
            head = f"{period.chinese}报送情况"
            head += f"（截止日 {chinese_date(deadline)}）：" if deadline else "："
            return head + accounting.tally_text() + "\n" + render_table(["单位", "状态", "报送情况", "最近收到"], rows)

        return emit(args, data, table)


def cmd_city_remind(args: argparse.Namespace) -> int:
    from ipdesk.domain.periods import Period

    period = Period.parse(args.period)
    with open_workspace(args) as ws:
        items = ws.city.reminders(period)
        path = ws.city.write_reminders(period, args.out)
        data = {"file": str(path), "period": period.code, "units": [r.to_dict() for r in items]}
        lines = [f"已写出催报名单（{len(items)} 个单位）：{path}"]
        lines += [f"{r.unit}：{r.state.label}，{r.owed_text}" for r in items]
        return emit(args, data, lambda: "\n".join(lines))


def cmd_city_settings(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        changing = any(
            value is not None
            for value in (
                args.rhythm,
                args.since,
                args.deadline_day,
                args.green,
                args.yellow,
                args.person,
                args.phone,
                args.pdf_font,
                args.notice_office,
                args.notice_number,
                args.notice_copy_to,
            )
        )
        changed = False
        if changing:
            whole = args.since is not None and args.since.strip() in ("all", "全部", "")
            changed = ws.city.change_settings(
                rhythm=args.rhythm,
                collecting_from=None if whole else args.since,
                whole_plan=whole,
                due_day=args.deadline_day,
                green=_threshold(args.green),
                yellow=_threshold(args.yellow),
                person=args.person,
                phone=args.phone,
                pdf_font=args.pdf_font,
                notice_office=args.notice_office,
                notice_number=args.notice_number,
                notice_copy_to=args.notice_copy_to,
            )
        office = ws.city.office_settings()
        data = {**office.to_dict(), "changed": changed}

        def table() -> str:
            since = office.collecting_from
            lines = [
                f"报送周期：{office.rhythm.label}（{office.rhythm.value}）",
                f"开始汇总：{since.chinese + '（' + since.code + '）' if since else '方案实施以来全部'}",
                f"报送截止日：次月 {office.due_day} 日（遇法定节假日或休息日顺延至下一个工作日）",
                f"绿灯阈值：{office.green * 100:g}%　黄灯阈值：{office.yellow * 100:g}%",
                f"经办人：{office.person or '（未设置）'}　联系电话：{office.phone or '（未设置）'}",
                f"PDF 字体：{office.pdf_font or '随程序提供的字体（文泉驿微米黑）'}",
                f"通报：发文机关标志 {office.notice_office or '（方案的牵头机构）'}　"
                f"发文字号 {office.notice_number or '（未设置）'}　抄送 {office.notice_copy_to or '（未设置）'}",
            ]
            if changing:
                lines.insert(0, "已保存设置：" if changed else "设置没有变化：")
            return "\n".join(lines)

        return emit(args, data, table)


def _threshold(text: str | None) -> float | None:
    """0.95, 95 or 95%: a light threshold as a fraction."""
    from ipdesk.domain import InvalidInput

    if text is None:
        return None
    cleaned = text.strip().rstrip("%％")
    try:
        value = float(cleaned)
    except ValueError:
        raise InvalidInput(f"预警阈值应为数字，如 0.95 或 95%：“{text}”") from None
    return value / 100 if text.strip().endswith(("%", "％")) or value > 1.5 else value


def cmd_city_show(args: argparse.Namespace) -> int:
    from ipdesk.console import render_table
    from ipdesk.domain.periods import Period, chinese_datetime

    period = Period.parse(args.period)
    with open_workspace(args) as ws:
        unit = ws.units.find(args.unit)
        item = ws.city.received(unit, period, args.version)
        snapshot = ws.city.snapshot(unit, period, args.version)
        changes = ws.city.changes(unit, period) if args.version in (None, item.version if item else None) else {}
        comments = ws.city.comments(unit, period, args.version)
        assert item is not None
        evidence = ws.city.evidence(unit, period, args.version)
        if args.evidence:
            copy = ws.city.evidence_copy(unit, period, args.evidence, args.version)
            return emit(args, {"evidence": args.evidence, "path": str(copy)}, lambda: str(copy))
        notes = ws.city.reminders_of(unit, period, args.version)
        data = {
            "unit": unit.name,
            "period": period.code,
            "version": item.version,
            "status": item.status.value,
            "received_at": item.received_at,
            "return": ws.city.document(unit, period, args.version),
            "changes": {str(k): v for k, v in changes.items()},
            "comments": [{"task": c.task_seq, "comment": c.comment} for c in comments],
            "evidence": [
                {"number": n, "path": e.path, "task": e.task_seq, "size": e.size, "sha256": e.sha256, "state": e.state}
                for n, e in enumerate(evidence, 1)
            ],
            "notes": notes,
        }

        def table() -> str:
            h = snapshot.header
            lines = [
                f"{unit.name} {period.chinese} v{item.version}（{item.status.label}）",
                f"签署：{h.signed_by} {chinese_datetime(h.signed_at)}　收到：{chinese_datetime(item.received_at)}"
                f"　填报人：{h.clerk} {h.phone}",
            ]
            rows = [
                (
                    t.seq,
                    t.role_label,
                    t.name,
                    t.status_label,
                    "" if t.percent is None else f"{t.percent:g}%",
                    t.light_label,
                    "；".join(changes.get(t.seq, [])),
                )
                for t in sorted(snapshot.tasks, key=lambda t: (t.light != "red", t.status != "lagging", t.seq))
            ]
            lines.append(
                render_table(
                    ["序号", "角色", "任务", "状态", "进度", "预警", "与上期相比"],
                    rows,
                    max_widths=[None, None, 24, None, None, None, 50],
                )
            )
            lines += [
                f"意见（{'整份报告' if c.task_seq is None else f'第{c.task_seq}项'}）：{c.comment}" for c in comments
            ]
            if evidence:
                lines.append("佐证材料（用 --evidence 序号 打开）：")
                lines += [f"  {n}. {e.path}（{e.size:,} 字节，{e.state_label}）" for n, e in enumerate(evidence, 1)]
            lines += [f"提醒：{note}" for note in notes]
            return "\n".join(lines)

        return emit(args, data, table)


def cmd_city_accept(args: argparse.Namespace) -> int:
    from ipdesk.domain.errors import InvalidInput
    from ipdesk.domain.periods import Period

    period = Period.parse(args.period)
    if args.all_valid == bool(args.unit):
        raise InvalidInput("请给出 --unit 单位（接收一份），或 --all-valid（接收该期全部无提醒的待审报告），二者选一")
    with open_workspace(args) as ws:
        if args.all_valid:
            accepted, skipped = ws.city.accept_all_valid(period)
            batch = {
                "period": period.code,
                "accepted": accepted,
                "skipped": [{"unit": unit, "reason": reason} for unit, reason in skipped],
            }

            def listing() -> str:
                lines = [
                    f"已接收{period.chinese}的报告 {len(accepted)} 份"
                    + ("：" + "、".join(accepted) if accepted else "")
                ]
                if skipped:
                    lines.append(f"未接收 {len(skipped)} 份：")
                    lines += [f"  {unit}：{reason}" for unit, reason in skipped]
                return "\n".join(lines)

            return emit(args, batch, listing)
        unit = ws.units.find(args.unit)
        item = ws.city.accept(unit, period)
        data = {"unit": unit.name, "period": period.code, "version": item.version, "status": item.status.value}
        return emit(args, data, lambda: f"已接收：{unit.name}{period.chinese}（v{item.version}）")


def cmd_city_return(args: argparse.Namespace) -> int:
    from ipdesk.domain.errors import InvalidInput
    from ipdesk.domain.periods import Period

    if args.pending_task is not None:
        raise InvalidInput(f"第 {args.pending_task} 项任务后面缺少 --comment 意见")
    whole = next((text for seq, text in args.comments if seq is None), "")
    tasks = {seq: text for seq, text in args.comments if seq is not None}
    period = Period.parse(args.period)
    with open_workspace(args) as ws:
        unit = ws.units.find(args.unit)
        creating = ws.city.identity() is None
        path = ws.city.return_to_unit(
            unit, period, whole, tasks, args.out, passphrase(args, creating), args.reviewer, create=creating
        )
        item = ws.city.received(unit, period)
        assert item is not None
        data = {
            "unit": unit.name,
            "period": period.code,
            "version": item.version,
            "status": item.status.value,
            "file": str(path),
        }
        lines = [f"已退回：{unit.name}{period.chinese}（v{item.version}）", f"退回意见文件：{path}（请发给该单位导入）"]
        if creating:
            lines.insert(0, "已创建市局签署密钥；请用 ipdesk keys export-cert 导出证书，发给各单位登记")
        return emit(args, data, lambda: "\n".join(lines))


def cmd_city_feedback(args: argparse.Namespace) -> int:
    from ipdesk.domain.periods import Period

    period = Period.parse(args.period)
    with open_workspace(args) as ws:
        unit = ws.units.find(args.unit)
        path = ws.city.write_feedback(unit, period, args.out, args.version)
        data = {"unit": unit.name, "period": period.code, "file": str(path)}
        return emit(args, data, lambda: f"已写出退回意见文件：{path}")


def cmd_city_report(args: argparse.Namespace) -> int:
    from ipdesk.domain.errors import InvalidInput
    from ipdesk.domain.periods import Period

    if args.final == bool(args.period):
        raise InvalidInput("请给出 --period 报送期，或 --final（终期评估），二者选一")
    with open_workspace(args) as ws:
        if args.final:
            paths = ws.city.reports.final(args.out)
        else:
            paths = ws.city.reports.report(Period.parse(args.period), args.out)
        data = [str(p) for p in paths]
        return emit(args, data, lambda: "\n".join(data))


def cmd_city_rules(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    with open_workspace(args) as ws:
        if args.import_file:
            ws.city.reports.import_rules(args.import_file)
        rules = ws.city.reports.rules()
        if args.export:
            ws.city.reports.export_rules(args.export)
        data = asdict(rules)
        labels = dict(ws.city.reports.rule_fields())
        lines = [f"{labels[k]}：{v:g}" for k, v in data.items()]
        if args.export:
            lines.append(f"已导出：{args.export}")
        return emit(args, data, lambda: "\n".join(lines))


def cmd_city_adjust(args: argparse.Namespace) -> int:
    from ipdesk.domain.errors import InvalidInput

    adding = args.unit is not None or args.points is not None or args.reason is not None
    if adding and args.remove is not None:
        raise InvalidInput("--remove 不能与 --unit、--points、--reason 同时使用")
    if adding and (args.unit is None or args.points is None or args.reason is None):
        raise InvalidInput("加分、扣分须同时给出 --unit 单位、--points 分值和 --reason 原因")
    with open_workspace(args) as ws:
        reports = ws.city.reports
        message = ""
        if adding:
            done = reports.add_adjustment(args.year, ws.units.find(args.unit), args.points, args.reason)
            message = f"已记下：{done.unit} {done.points:+g} 分（{done.reason}）"
        elif args.remove is not None:
            gone = reports.adjustments(args.year)
            if not 1 <= args.remove <= len(gone):
                raise InvalidInput(f"{args.year}年没有第 {args.remove} 条加分、扣分（共 {len(gone)} 条）")
            reports.remove_adjustment(args.year, args.remove - 1)
            item = gone[args.remove - 1]
            message = f"已删除：{item.unit} {item.points:+g} 分（{item.reason}）"
        items = reports.adjustments(args.year)
        cap = reports.rules().adjustment_cap
        data = {
            "year": args.year,
            "cap": cap,
            "adjustments": [{"unit": a.unit, "points": a.points, "reason": a.reason} for a in items],
        }

        def table() -> str:
            lines = [message] if message else []
            lines.append(f"{args.year}年度考核的加分、扣分（{len(items)} 条；每个单位合计不超过 ±{cap:g} 分）：")
            lines += [f"  {n}. {a.unit} {a.points:+g} 分：{a.reason}" for n, a in enumerate(items, 1)]
            return "\n".join(lines)

        return emit(args, data, table)


# -- trust -----------------------------------------------------------------------------------------------------
def cmd_trust(args: argparse.Namespace) -> int:
    from ipdesk.console import render_table
    from ipdesk.domain.errors import InvalidInput

    with open_workspace(args) as ws:
        if args.action == "list":
            items = ws.trust.all()
            listing = [
                {
                    "fingerprint": t.fingerprint,
                    "holder": t.holder,
                    "kind": t.kind,
                    "added_at": t.added_at,
                    "superseded_at": t.superseded_at,
                }
                for t in items
            ]
            rows = [
                (
                    t.holder,
                    "市局" if t.kind == "city" else "单位",
                    t.added_at[:10],
                    t.superseded_at[:10] or "当前",
                    t.fingerprint,
                )
                for t in items
            ]
            return emit(
                args,
                listing,
                lambda: render_table(["持有单位", "类别", "登记日期", "状态/更换日期", "指纹（SHA-256）"], rows),
            )
        if not args.targets:
            raise InvalidInput("请给出证书文件（add）或证书指纹（remove）")
        if args.action == "remove":
            if len(args.targets) > 1:
                raise InvalidInput("一次移除一个证书：请只给出一个指纹")
            removed = ws.trust.remove(args.targets[0])
            data = {"fingerprint": removed.fingerprint, "holder": removed.holder, "removed": True}
            return emit(args, data, lambda: f"已移除 {removed.holder} 的证书 {removed.fingerprint}")
        if len(args.targets) > 1 or Path(args.targets[0]).is_dir():  # several at once: one line per file
            results = ws.trust.add_many([Path(t) for t in args.targets], key_change_confirmed=args.yes)
            many = [
                {
                    "file": str(path),
                    "holder": r.holder if r else "",
                    "fingerprint": r.fingerprint if r else "",
                    "already": r.already if r else False,
                    "refused": reason,
                }
                for path, r, reason in results
            ]
            added = sum(1 for _, r, _ in results if r is not None and not r.already)

            def summary() -> str:
                lines = [
                    f"{path.name}：" + (reason if r is None else ("已登记过" if r.already else f"已登记 {r.holder}"))
                    for path, r, reason in results
                ]
                refused = sum(1 for _, r, _ in results if r is None)
                lines.append(
                    f"共 {len(results)} 个文件：新登记 {added} 个" + (f"，未登记 {refused} 个" if refused else "")
                )
                return "\n".join(lines)

            emit(args, many, summary)
            return 1 if any(r is None for _, r, _ in results) else 0
        target = args.targets[0]
        registration = ws.trust.check(target)
        if registration.key_change and not args.yes and sys.stdin.isatty():
            print(registration.describe())
            if input("确认登记新证书？（输入 是 或 yes）").strip().lower() in ("是", "yes", "y"):
                args.yes = True
        registration = ws.trust.add(target, key_change_confirmed=args.yes)
        data = {
            "fingerprint": registration.fingerprint,
            "holder": registration.holder,
            "kind": registration.kind,
            "signer": registration.signer,
            "already": registration.already,
            "replaced": [t.fingerprint for t in registration.replaces] if not registration.already else [],
        }
        verb = "该证书已登记过，未作改动" if registration.already else "已登记"
        return emit(args, data, lambda: f"{verb}：\n{registration.describe()}")


# -- feedback (a unit) ----------------------------------------------------------------------------------------------
def cmd_feedback(args: argparse.Namespace) -> int:
    from ipdesk.domain.reports import ReportStatus

    with open_workspace(args) as ws:
        result = ws.feedback.import_file(args.file)
        data = {
            "unit": result.unit,
            "period": result.period.code,
            "returned_version": result.returned_version,
            "draft_version": result.state.version,
            "imported": result.imported,
            "comments": [{"task": c.task_seq, "comment": c.comment} for c in result.comments],
        }
        if not result.imported:
            head = "该退回意见以前已导入，未作改动"
        elif result.state.version > result.returned_version + 1 or result.state.status is not ReportStatus.DRAFT:
            head = (
                f"已导入退回意见：{result.unit}{result.period.chinese}第 {result.returned_version} 版已退回；"
                f"本工作区已有第 {result.state.version} 版，请按意见修改后报送"
            )
        else:
            head = (
                f"已导入退回意见：{result.unit}{result.period.chinese}第 {result.returned_version} 版已退回，"
                f"已新建第 {result.state.version} 版供修改"
            )
        lines = [head]
        lines += [
            f"  {'整份报告' if c.task_seq is None else f'第{c.task_seq}项'}：{c.comment}" for c in result.comments
        ]
        return emit(args, data, lambda: "\n".join(lines))

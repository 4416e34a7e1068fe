"""``ipdesk plan …``: the plans of a workspace — show, list, switch, import a task list or the city's plan file,
export a plan as a task list, publish the signed plan file (city office), remove an unused plan, and the unit roster
task lists are read against.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ipdesk.cli.common import EXIT_OK, EXIT_REFUSED, Command, date, emit, open_workspace, passphrase

if TYPE_CHECKING:
    from ipdesk.workspace.plans import PlanImport

EXIT_NOT_SAVED = EXIT_REFUSED
ACTIONS = ("show", "list", "use", "import", "export", "publish", "remove", "roster")


def register(command: Command) -> argparse.ArgumentParser:
    """Add ``plan`` to the ``ipdesk`` parser."""
    plan = command(
        "plan",
        "方案：显示当前方案概况（plan 或 plan show）、列出（list）、切换（use）、导入任务清单或市局方案文件（import）、"
        "导出为任务清单（export）、市局签发方案文件（publish）、删除未使用的方案（remove）、单位名册（roster）",
        cmd_plan,
    )
    plan.add_argument("action", nargs="?", default="show", choices=ACTIONS, help="要做的事，默认 show（当前方案概况）")
    plan.add_argument(
        "target",
        nargs="?",
        metavar="文件或方案",
        help="import：任务清单（.xlsx/.csv）或市局方案文件（.json）；export：写入的 .xlsx；use、remove：方案代码",
    )
    plan.add_argument("--dry-run", action="store_true", help="import：只显示读到的内容，不保存")
    plan.add_argument("--accept-rejects", action="store_true", help="import：有无法读取的行时仍然保存（这些行被忽略）")
    plan.add_argument(
        "--confirm",
        action="store_true",
        help="import：已核对“须确认”的提醒（已填报任务的内容改变、较旧的方案文件等），仍保存",
    )
    plan.add_argument("--use", action="store_true", help="import：保存后改用此方案（成为当前方案）")
    plan.add_argument("--code", metavar="代码", help="import：方案代码（默认由城市和年份生成，如 xian-2026-2030）")
    plan.add_argument("--title", metavar="名称", help="import：方案名称（默认由任务清单的标题得出）")
    plan.add_argument("--city", metavar="城市", help="import、roster：城市（默认由方案名称得出，如 西安市）")
    plan.add_argument("--start", type=date, metavar="日期", help="import：实施起始日期，如 2026-01-01")
    plan.add_argument("--end", type=date, metavar="日期", help="import：实施截止日期，如 2030-12-31")
    plan.add_argument("--report-title", metavar="标题", help="import：报表标题（如 西安市…工作进展情况表）")
    plan.add_argument("--issuer", metavar="单位", help="import：发文单位")
    plan.add_argument("--plan", dest="plan_code", metavar="方案代码", help="export：导出的方案（默认当前方案）")
    plan.add_argument(
        "--unit", metavar="单位", help="use、import --use：本单位在新方案中的名称（与当前方案中的名称和代码都不同时）"
    )
    plan.add_argument("--out", type=Path, metavar="文件夹", help="publish：方案文件写入的文件夹（默认当前文件夹）")
    plan.add_argument("--passphrase-file", type=Path, metavar="文件", help="publish：从文件第一行读取市局签署口令")
    plan.add_argument("--reviewer", metavar="姓名", help="publish：签发的经办人姓名（默认设置中的审核人）")
    plan.add_argument(
        "--export", dest="roster_export", type=Path, metavar="文件", help="roster：把单位名册导出为 .xlsx"
    )
    plan.add_argument("--import", dest="roster_import", type=Path, metavar="文件", help="roster：从 .xlsx 读入单位名册")
    return plan


def cmd_plan(args: argparse.Namespace) -> int:
    from ipdesk.domain.errors import InvalidInput

    action = args.action
    needs_target = {"use", "import", "export", "remove"}
    if action in needs_target and not args.target:
        raise InvalidInput(f"plan {action} 需要给出{'方案代码' if action in ('use', 'remove') else '文件'}")
    if action == "show":
        return _show(args)
    return {
        "list": _list,
        "use": _use,
        "import": _import,
        "export": _export,
        "publish": _publish,
        "remove": _remove,
        "roster": _roster,
    }[action](args)


def _show(args: argparse.Namespace) -> int:
    """The current plan at a glance (``ipdesk plan``)."""
    from ipdesk.domain.periods import chinese_date

    with open_workspace(args) as ws:
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
                f"发文单位：{plan.issuer}    印发日期：{chinese_date(plan.issued_on) if plan.issued_on else '未记录'}",
                f"任务清单 {data['tasks']} 项，主要发展指标 {data['indicators']} 项，示范工程 {data['projects']} 项，"
                f"单位 {data['units']} 个",
                "实施阶段：",
            ]
            lines += [f"  {p.name}（{_month(p.start_month)}—{_month(p.end_month)}）" for p in plan.phases]
            return "\n".join(lines)

        return emit(args, data, table)


def _month(code: str) -> str:
    year, month = code.split("-")
    return f"{year}年{int(month)}月"


ORIGINS = {"embedded": "内置", "task_list": "任务清单导入", "plan_file": "市局方案文件"}


def _list(args: argparse.Namespace) -> int:
    from ipdesk.console import render_table

    with open_workspace(args) as ws:
        plans = ws.plans.all()
        data = [
            {
                "code": p.code,
                "title": p.title,
                "start_date": p.start_date,
                "end_date": p.end_date,
                "current": p.current,
                "origin": p.origin,
            }
            for p in plans
        ]
        rows = [
            (
                "当前" if p.current else "",
                p.code,
                p.title,
                f"{p.start_date}—{p.end_date}",
                ORIGINS.get(p.origin, p.origin),
            )
            for p in plans
        ]
        return emit(
            args, data, lambda: render_table(["", "代码", "方案", "实施期", "来源"], rows, max_widths=[None, None, 48])
        )


def _use(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        plan = ws.plans.use(args.target, args.unit)
        data = {"code": plan.code, "title": plan.title}
        return emit(args, data, lambda: f"当前方案：{plan.title}（{plan.code}）")


def _remove(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        record = ws.plans.remove(args.target)
        data = {"code": record.code, "title": record.title}
        return emit(args, data, lambda: f"已删除方案：{record.title}（{record.code}）")


def _export(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        target = ws.plans.export(args.target, args.plan_code)
        code = args.plan_code or ws.plan.code
        data = {"file": str(target), "code": code}
        return emit(args, data, lambda: f"已导出为任务清单：{target}")


def _publish(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        creating = ws.city.identity() is None
        target = ws.plans.publish(args.out or Path("."), passphrase(args, creating), args.reviewer, create=creating)
        data = {"file": str(target), "code": ws.plan.code, "sha256": ws.plan_sha256}
        lines = [
            f"已签发方案文件：{target}",
            f"方案：{ws.plan.title}（{ws.plan.code}），SHA-256 {ws.plan_sha256}",
            "请连同市局证书发给各单位；单位登记市局证书后用 ipdesk plan import 导入",
        ]
        return emit(args, data, lambda: "\n".join(lines))


def _import(args: argparse.Namespace) -> int:
    from ipdesk.domain.errors import InvalidInput
    from ipdesk.workspace.plans import PlanOptions

    options = PlanOptions(
        code=args.code or "",
        title=args.title or "",
        city=args.city or "",
        start=args.start,
        end=args.end,
        report_title=args.report_title or "",
        issuer=args.issuer or "",
    )
    with open_workspace(args) as ws:
        preview = ws.plans.read(args.target, options)
        data = preview.to_dict()
        data.update(
            origin=preview.origin,
            signed_by=preview.signed_by,
            published_at=preview.published_at,
            fingerprint=preview.fingerprint,
            saved=False,
            outcome=None,
            current=False,
        )
        problem = ""
        if args.dry_run:
            problem = "只预览（--dry-run），未保存"
        elif preview.plan is None:
            problem = (
                f"方案还不完整，未保存：缺少{'、'.join(preview.missing)}（可用 --title、--start、--end、--code 给出）"
            )
        elif preview.rejected_rows and not args.accept_rejects:
            problem = (
                f"有 {len(preview.rejected_rows)} 行无法读取，未保存。请修改文件后重新导入，"
                "或确认忽略这些行后加 --accept-rejects 保存"
            )
        elif preview.cautions and not args.confirm:
            problem = f"有 {len(preview.cautions)} 条须确认的提醒，未保存。请核对后加 --confirm 保存"
        else:
            saved = ws.plans.save(
                preview, accept_rejects=args.accept_rejects, use=args.use, unit=args.unit, confirmed=args.confirm
            )
            data.update(saved=True, outcome=saved.outcome, current=saved.current)
            if saved.unit_missing:
                preview.notes.append(
                    f"方案中没有本单位“{saved.unit_missing}”，未切换；用 ipdesk plan use {saved.code} --unit 单位 切换"
                )
                data["notes"] = list(preview.notes)
        emit(args, data, lambda: _describe(preview, data, problem))
        if problem and not args.json:
            print(f"ipdesk：{problem}", file=sys.stderr)
        if preview.plan is None and not args.dry_run:
            raise InvalidInput(problem)
        if args.dry_run:
            return EXIT_OK if not preview.rejected_rows and preview.plan is not None else EXIT_NOT_SAVED
        return EXIT_OK if data["saved"] else EXIT_NOT_SAVED


def _describe(preview: PlanImport, data: dict[str, object], problem: str) -> str:
    plan = preview.plan
    source = "市局方案文件" if preview.origin == "plan_file" else "任务清单"
    lines = [f"{source}：{preview.source}"]
    if plan is not None:
        lines.append(f"方案：{plan.title}（代码 {plan.code}，{plan.city}，{plan.start_date}—{plan.end_date}）")
        lines.append(f"报表标题：{plan.report_title}")
        new = f"（其中新增 {len(preview.new_units)} 个）" if preview.new_units else ""
        lines.append(
            f"任务清单 {len(plan.tasks)} 项，主要发展指标 {len(plan.indicators)} 项，示范工程 {len(plan.projects)} 项，"
            f"单位 {len(plan.units)} 个{new}"
        )
    else:
        fields = preview.fields
        lines.append(f"方案：{fields.get('title') or '（未读到名称）'}")
    if preview.origin == "plan_file":
        lines.append(f"签发：{preview.signed_by}，{preview.published_at}，证书指纹 {preview.fingerprint}")
    if preview.rejected_rows:
        lines.append(f"无法读取的行（{len(preview.rejected_rows)} 行）：")
        lines += [f"  {r.sheet} 第 {r.row} 行：{r.reason}" for r in preview.rejected_rows]
    if preview.missing:
        lines.append(f"缺少：{'、'.join(preview.missing)}")
    lines += [f"说明：{note}" for note in preview.notes]
    lines += [f"须确认：{caution}" for caution in preview.cautions]
    if data["saved"]:
        label = {
            "new": "已保存",
            "updated": "已更新为新版本（已填报的内容保留）",
            "same": "工作区中已是这一版本，未作改动",
        }
        current = "，并已设为当前方案" if data["current"] else "；用 ipdesk plan use 代码 切换到此方案"
        lines.append(f"{label[str(data['outcome'])]}{current}")
    return "\n".join(lines)


def _roster(args: argparse.Namespace) -> int:
    from ipdesk.console import render_table

    with open_workspace(args) as ws:
        city = args.city or ws.plan.city
        if args.roster_export:
            target = ws.plans.export_roster(args.roster_export, city)
            return emit(args, {"file": str(target), "city": city}, lambda: f"已导出{city}单位名册：{target}")
        if args.roster_import:
            roster, rejected = ws.plans.import_roster(args.roster_import, city)
            data = {
                "city": city,
                "units": len(roster.units),
                "rejected_rows": [{"row": row, "reason": reason} for row, reason in rejected],
            }
            if rejected:
                lines = [f"有 {len(rejected)} 行无法读取，单位名册未改动："]
                lines += [f"  第 {row} 行：{reason}" for row, reason in rejected]
                emit(args, data, lambda: "\n".join(lines))
                return EXIT_NOT_SAVED
            return emit(args, data, lambda: f"已更新{city}单位名册：{len(roster.units)} 个单位")
        roster = ws.plans.roster(city)
        data = {
            "city": city,
            "units": [
                {
                    "code": u.code,
                    "name": u.name,
                    "kind": u.kind.value,
                    "short_name": u.short_name,
                    "aliases": list(u.aliases),
                }
                for u in roster.units
            ],
        }
        rows = [(u.code, u.name, u.kind.label, u.short_name, "、".join(u.aliases)) for u in roster.units]

        def table() -> str:
            heading = f"{city}单位名册：{len(rows)} 个单位"
            return (
                heading
                + "\n"
                + render_table(["代码", "名称", "类别", "简称", "其他名称"], rows, max_widths=[None, 30, None, 20, 40])
            )

        return emit(args, data, table)

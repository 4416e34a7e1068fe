"""``ipdesk units``, ``ipdesk tasks``, ``ipdesk show``, ``ipdesk indicators``: what the current plan lists, and what a
unit entered for a period."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING

from ipdesk.cli.common import Command, emit, number, open_workspace, plan_period
from ipdesk.cli.common import year as parse_year
from ipdesk.domain.former_tasks import FORMER_GROUP, FormerTask, role_or_former_label

if TYPE_CHECKING:
    from ipdesk.domain.indicators import Indicator


def register(command: Command) -> None:
    command("units", "列出全部单位及其类别（市级部门、区、县、新区、开发区）", cmd_units)
    tasks = command("tasks", "列出某单位牵头或协作的任务", cmd_tasks)
    tasks.add_argument("--unit", required=True, metavar="单位", help="单位全称或其中唯一的一段，如“碑林区”")
    tasks.add_argument("--role", choices=["lead", "coop"], help="只列牵头（lead）或协作（coop）的任务")
    show = command("show", "显示某单位某期已填报的任务进展（含方案更新后已调整给其他单位的原承担任务，只读）", cmd_show)
    show.add_argument("--unit", required=True, metavar="单位", help="单位全称或其中唯一的一段")
    show.add_argument("--period", required=True, metavar="报送期", help="如 2025-11、2025Q3、2025H2、2025")
    show.add_argument("--task", type=int, metavar="序号", help="只显示这一项任务")
    indicators = command("indicators", "列出主要发展指标及某年的预期值", cmd_indicators)
    indicators.add_argument("--year", type=parse_year, metavar="年份", help="计算预期值的年份（默认：今年）")


def cmd_units(args: argparse.Namespace) -> int:
    from ipdesk.console import render_table

    with open_workspace(args) as ws:
        units = ws.units.all()
        data = [{"name": u.name, "kind": u.kind.value} for u in units]
        return emit(
            args,
            data,
            lambda: render_table(
                ["序号", "单位", "类别"], [(i, u.name, u.kind.label) for i, u in enumerate(units, 1)], align=[">"]
            ),
        )


def cmd_tasks(args: argparse.Namespace) -> int:
    from ipdesk.console import render_table
    from ipdesk.domain.plan import TaskKind

    with open_workspace(args) as ws:
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
        # Tasks a plan update gave to other units while this unit had entries for them: listed, never dropped
        # silently (domain.former_tasks); not with --role, which asks for what the unit answers for now.
        former = [] if args.role else ws.progress.former(unit)
        data += [
            {
                "seq": f.task.seq,
                "category": f.task.category,
                "name": f.task.name,
                "content": f.task.content,
                "role": "former",
                "lead_units": list(f.task.lead_units),
                "coop_units": list(f.task.coop_units),
                "moved_to": list(f.now_with),
                "periods_with_entries": [p.code for p in f.periods],
            }
            for f in former
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
                + _former_table(unit.name, former)
            )

        return emit(args, data, table)


def _former_table(unit: str, former: list[FormerTask]) -> str:
    if not former:
        return ""
    from ipdesk.console import render_table

    rows = [
        (f.task.seq, f.task.name, f.mark.removeprefix("已调整给"), "、".join(p.chinese for p in f.periods))
        for f in former
    ]
    return (
        f"\n\n{FORMER_GROUP}：{len(former)} 项（方案更新后已调整给其他单位；{unit}原填报的内容保留，只能查看，"
        "不再要求填报；用 ipdesk show --unit 单位 --period 报送期 查看）\n"
        + render_table(
            ["序号", "任务名称", "现由", "有填报记录的报送期"], rows, max_widths=[None, 20, 30, 40], align=[">"]
        )
    )


def _figure(value: float | None, unit_of_measure: str) -> str:
    from ipdesk.console import format_number

    return "" if value is None else f"{format_number(value)}{unit_of_measure}"


def cmd_show(args: argparse.Namespace) -> int:
    from ipdesk.console import render_table
    from ipdesk.domain.errors import InvalidInput
    from ipdesk.domain.plan import TaskKind

    with open_workspace(args) as ws:
        unit = ws.units.find(args.unit)
        period = plan_period(ws, args.period)
        rows = [r for r in ws.progress.seen(unit, period) if r.task.kind is not TaskKind.INDICATOR]
        if args.task is not None:
            rows = [r for r in rows if r.task.seq == args.task]
            if not rows:
                raise InvalidInput(f"{unit.name}{period.chinese}的任务中没有第 {args.task} 项")
        counts = ws.evidence.counts(unit, period)
        values = ws.indicator_values.for_unit(unit, period)
        owned = [(o.indicator, o.role, None) for o in ws.indicators.for_unit(unit)] if args.task is None else []
        former = ws.indicator_values.former(unit, period) if args.task is None else []
        indicators = owned + [(f.indicator, None, f) for f in former]
        indicator_data = [
            {
                "seq": indicator.seq,
                "name": indicator.name,
                "role": role.value if role is not None else "former",
                "editable": moved is None,
                "moved_to": list(moved.now_with) if moved is not None else [],
                "value": number(values[indicator.seq].value) if indicator.seq in values else None,
                "unit_of_measure": indicator.unit_of_measure,
                "note": values[indicator.seq].note if indicator.seq in values else "",
                "data_source": values[indicator.seq].data_source if indicator.seq in values else "",
            }
            for indicator, role, moved in indicators
        ]
        task_data = [
            {
                "seq": r.task.seq,
                "name": r.task.name,
                "role": r.role.value if r.role is not None else "former",
                "editable": r.former is None,
                "moved_to": list(r.former.now_with) if r.former is not None else [],
                "status": r.progress.status.value if r.progress.status else None,
                "percent": r.progress.percent,
                "achievements": r.progress.achievements,
                "problems": r.progress.problems,
                "next_steps": r.progress.next_steps,
                "evidence": [e.file_name for e in ws.evidence.for_task(r.task.seq, unit, period)]
                if counts.get(r.task.seq)
                else [],
                "updated_at": r.progress.updated_at,
            }
            for r in rows
        ]
        data = {"unit": unit.name, "period": period.code, "tasks": task_data, "indicators": indicator_data}

        def table() -> str:
            kept = sum(1 for r in rows if r.former is not None)
            lines = [
                f"{unit.name} {period.chinese}：{len(rows) - kept} 项任务"
                + (f"，另有原承担任务 {kept} 项" if kept else "")
            ]
            shown = [
                (
                    r.task.seq,
                    role_or_former_label(r.role),
                    r.task.name if r.former is None else f"{r.task.name}（{r.former.mark}，只能查看）",
                    r.progress.status.label if r.progress.status else "未填",
                    "" if r.progress.percent is None else f"{r.progress.percent:g}%",
                    r.progress.achievements,
                    r.progress.problems,
                    r.progress.next_steps,
                    counts.get(r.task.seq, 0) or "",
                )
                for r in rows
            ]
            lines.append(
                render_table(
                    ["序号", "角色", "任务名称", "状态", "进度", "工作进展", "存在问题", "下步计划", "佐证"],
                    shown,
                    max_widths=[None, None, 24, None, None, 40, 30, 30, None],
                    align=[">"],
                )
            )
            lines += [f"说明：{r.former.read_only_reason(unit.name)}" for r in rows if r.former is not None]
            if indicator_data:
                lines.append(f"\n主要指标：{len(indicator_data)} 项")
                lines.append(
                    render_table(
                        ["序号", "角色", "指标", "本期数值", "说明", "数据来源"],
                        [
                            (
                                indicator.seq,
                                role_or_former_label(role),
                                indicator.name if moved is None else f"{indicator.name}（{moved.mark}，只能查看）",
                                _figure(values[indicator.seq].value, indicator.unit_of_measure)
                                if indicator.seq in values
                                else "",
                                values[indicator.seq].note if indicator.seq in values else "",
                                values[indicator.seq].data_source if indicator.seq in values else "",
                            )
                            for indicator, role, moved in indicators
                        ],
                        max_widths=[None, None, 50, None, 30, 20],
                        align=[">"],
                    )
                )
                lines += [f"说明：{f.read_only_reason(unit.name)}" for f in former]
            return "\n".join(lines)

        return emit(args, data, table)


def cmd_indicators(args: argparse.Namespace) -> int:
    from ipdesk.console import format_number, render_table

    year = args.year or dt.date.today().year
    with open_workspace(args) as ws:
        indicators = ws.indicators.all()
        data = [
            {
                "seq": i.seq,
                "name": i.name,
                "unit": i.unit_of_measure,
                "baseline": number(i.baseline),
                "baseline_year": i.baseline_year,
                "target": number(i.target),
                "target_year": i.target_year,
                "target_op": i.target_op,
                "growth": i.growth,
                "expected": number(ws.indicators.expected(i, year)),
            }
            for i in indicators
        ]

        def target_text(i: Indicator) -> str:
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

        return emit(args, data, table)

"""Small charts of the indicators' path to their targets, drawn on the canvas with the embedded font only.

Honest by construction: only values the unit reported are joined, and only from one year to the next; the baseline
is its own marker, never joined to them; the value axis of a quantity starts at 0, so 30 → 28.96 looks like the 3.5%
it is; one reported value is no chart at all but a sentence — the value against the expected value and the target.
"""

from __future__ import annotations

import itertools
import math

from ipdesk.domain.numbers import is_count, number_text, target_text
from ipdesk.reports.layout import MM
from ipdesk.reports.linebreak import break_lines
from ipdesk.reports.pdf_pages import Block, draw_text, font_measure
from ipdesk.reports.snapshot import IndicatorLine
from ipdesk.reports.table_model import format_value

CHART_WIDTH, CHART_HEIGHT = 85 * MM, 52 * MM
EXPECTED = (0.45, 0.45, 0.45)
REPORTED = (0.12, 0.31, 0.47)


def _value(line: IndicatorLine, value: float | None) -> str:
    if value is None:
        return "—"
    if is_count(line.unit_of_measure, line.name):
        return format_value(value, "0")
    return number_text(value)


def reported_values(line: IndicatorLine) -> list[tuple[int, float]]:
    """The years' values the unit entered (the baseline year's value is the plan's baseline, not a report)."""
    return [
        (year, value)
        for year, _, value in line.path
        if value is not None and not (year == line.baseline_year and line.baseline is not None)
    ]


def in_words(line: IndicatorLine, period_year: int) -> list[str]:
    """A single value in words: what was entered, what was expected, the target, and how that reads."""
    unit = line.unit_of_measure
    reported = reported_values(line)
    words = []
    if reported:
        year, value = reported[-1]
        words.append(f"{year}年填报值：{_value(line, value)}{unit}")
    else:
        words.append("尚未填报数值")
    if line.expected is not None:
        prefix = "≥" if line.target_op == "≥" else ""
        words.append(f"{period_year}年预期值：{prefix}{_value(line, line.expected)}{unit}")
    words.append(f"{line.target_year}年目标：{target_text(line.target_op, line.target)}{unit}")
    if line.baseline is not None and line.baseline_year is not None:
        words.append(f"{line.baseline_year}年基数：{_value(line, line.baseline)}{unit}")
    if line.rate is not None:
        words.append(f"完成率 {format_value(line.rate, '0.0%')}，{line.light_label}")
    return words


def _nice_top(value: float) -> tuple[float, float]:
    """An axis top at or above ``value`` and its tick step (1, 2 or 5 times a power of ten, 4–6 ticks)."""
    if value <= 0:
        return 1.0, 0.25
    magnitude = 10 ** math.floor(math.log10(value / 4))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if value / step <= 5:
            return step * math.ceil(value / step - 1e-9), step
    return value, value / 4


class ChartGrid(Block):
    """The indicators' charts three to a row; splits between rows."""

    def __init__(self, lines: list[IndicatorLine], font: str, period_year: int, per_row: int = 3):
        self.lines, self.font, self.period_year, self.per_row = lines, font, period_year, per_row

    def _rows(self) -> list[list[IndicatorLine]]:
        return [self.lines[i : i + self.per_row] for i in range(0, len(self.lines), self.per_row)]

    def height(self, width: float) -> float:
        return len(self._rows()) * CHART_HEIGHT

    def min_height(self, width: float) -> float:
        return CHART_HEIGHT if self.lines else 0

    def split(self, width: float, available: float) -> tuple[Block, Block] | None:
        fit = int(available // CHART_HEIGHT)
        if fit < 1 or fit >= len(self._rows()):
            return None
        cut = fit * self.per_row
        return (
            ChartGrid(self.lines[:cut], self.font, self.period_year, self.per_row),
            ChartGrid(self.lines[cut:], self.font, self.period_year, self.per_row),
        )

    def draw(self, canvas, x: float, top: float, width: float) -> None:
        cell = width / self.per_row
        for row_number, row in enumerate(self._rows()):
            for column, line in enumerate(row):
                left = x + column * cell
                chart_top = top - row_number * CHART_HEIGHT
                draw_chart(canvas, self.font, line, left + 2, chart_top, cell - 8, CHART_HEIGHT - 6, self.period_year)


def draw_chart(canvas, font: str, line: IndicatorLine, x: float, top: float, w: float, h: float, year: int) -> None:
    title_size = 8.5
    measure = font_measure(font, title_size)
    title = f"{line.seq}. {line.name}（{line.unit_of_measure}）"
    title_lines = break_lines(title, w, measure)[:2]
    baseline = top - title_size
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setStrokeColorRGB(0, 0, 0)
    for text in title_lines:
        draw_text(canvas, font, title_size, x, baseline, text, bold=True)
        baseline -= title_size + 2.5
    body_top = top - len(title_lines) * (title_size + 2.5) - 4
    reported = reported_values(line)
    if len(reported) <= 1:
        _draw_words(canvas, font, in_words(line, year), x, body_top, w)
        return
    _draw_plot(canvas, font, line, reported, x, body_top, w, h - (top - body_top))


def _draw_words(canvas, font: str, words: list[str], x: float, top: float, w: float) -> None:
    size = 9.0
    measure = font_measure(font, size)
    canvas.setStrokeColorRGB(0.7, 0.7, 0.7)
    canvas.setLineWidth(0.5)
    lines = [part for text in words for part in break_lines(text, w - 12, measure)]
    height = len(lines) * (size + 3.5) + 8
    canvas.rect(x, top - height, w, height, stroke=1, fill=0)
    baseline = top - 4 - size
    canvas.setFillColorRGB(0, 0, 0)
    for text in lines:
        draw_text(canvas, font, size, x + 6, baseline, text)
        baseline -= size + 3.5


def _draw_plot(
    canvas, font: str, line: IndicatorLine, reported: list[tuple[int, float]], x: float, top: float, w: float, h: float
) -> None:
    label = 7.0
    years = [y for y, _, _ in line.path]
    expected = [(y, e) for y, e, _ in line.path if e is not None]
    values = [v for _, v in expected] + [v for _, v in reported] + [line.target]
    if line.baseline is not None:
        values.append(line.baseline)
    axis_top, step = _nice_top(max(values) * 1.05)
    measure = font_measure(font, label)
    ticks = [step * i for i in range(round(axis_top / step) + 1)]
    tick_labels = [number_text(t, 2) for t in ticks]
    left = x + max(measure(t) for t in tick_labels) + 4
    right = x + w - 4
    bottom = top - h + 2 * label + 10  # room for the years and the legend
    plot_top = top - 4
    span = max(years[-1] - years[0], 1)

    def px(year: float) -> float:
        return left + (year - years[0]) / span * (right - left - 16) + 8  # room for the markers at either end

    def py(value: float) -> float:
        return bottom + value / axis_top * (plot_top - bottom)

    canvas.setLineWidth(0.4)
    canvas.setStrokeColorRGB(0.85, 0.85, 0.85)
    for tick in ticks[1:]:
        canvas.line(left, py(tick), right, py(tick))
    canvas.setStrokeColorRGB(0, 0, 0)
    canvas.line(left, bottom, right, bottom)
    canvas.line(left, bottom, left, plot_top)
    canvas.setFillColorRGB(0, 0, 0)
    for tick, text in zip(ticks, tick_labels, strict=True):
        draw_text(canvas, font, label, left - 2 - measure(text), py(tick) - label * 0.35, text)
    for year in years:
        text = str(year)
        draw_text(canvas, font, label, px(year) - measure(text) / 2, bottom - label - 2, text)
    # the expected path: dashed
    canvas.setStrokeColorRGB(*EXPECTED)
    canvas.setDash(3, 2)
    canvas.setLineWidth(0.9)
    path = canvas.beginPath()
    for number, (year, value) in enumerate(expected):
        (path.moveTo if number == 0 else path.lineTo)(px(year), py(value))
    canvas.drawPath(path, stroke=1, fill=0)
    canvas.setDash()
    # the baseline: a hollow square of its own
    if line.baseline is not None and line.baseline_year is not None:
        canvas.setLineWidth(0.9)
        canvas.rect(px(line.baseline_year) - 2.5, py(line.baseline) - 2.5, 5, 5, stroke=1, fill=0)
    # reported values: dots, joined only from one year to the next
    canvas.setStrokeColorRGB(*REPORTED)
    canvas.setFillColorRGB(*REPORTED)
    canvas.setLineWidth(1.4)
    for (year, value), (next_year, next_value) in itertools.pairwise(reported):
        if next_year == year + 1:
            canvas.line(px(year), py(value), px(next_year), py(next_value))
    for year, value in reported:
        canvas.circle(px(year), py(value), 2.2, stroke=0, fill=1)
    last_year, last_value = reported[-1]
    text = _value(line, last_value)
    draw_text(canvas, font, label, min(px(last_year) + 3, right - measure(text)), py(last_value) + 3, text)
    # the legend
    legend_y = top - h + 1
    canvas.setFillColorRGB(0, 0, 0)
    cursor = left
    canvas.setStrokeColorRGB(*EXPECTED)
    canvas.setLineWidth(0.9)
    canvas.setDash(3, 2)
    canvas.line(cursor, legend_y + 2.5, cursor + 12, legend_y + 2.5)
    canvas.setDash()
    cursor += 14
    draw_text(canvas, font, label, cursor, legend_y, "预期")
    cursor += measure("预期") + 8
    canvas.setFillColorRGB(*REPORTED)
    canvas.circle(cursor + 2, legend_y + 2.5, 2.2, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    cursor += 7
    draw_text(canvas, font, label, cursor, legend_y, "填报值")
    cursor += measure("填报值") + 8
    if line.baseline is not None:
        canvas.setStrokeColorRGB(*EXPECTED)
        canvas.rect(cursor, legend_y, 5, 5, stroke=1, fill=0)
        draw_text(canvas, font, label, cursor + 7, legend_y, "基数")
    canvas.setStrokeColorRGB(0, 0, 0)
    canvas.setFillColorRGB(0, 0, 0)

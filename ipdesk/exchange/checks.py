"""What the city office is told about a received return before it accepts it: the plan's 校验规则 the return
breaks (必须 / 提醒) and its 数据一致性 notes (a project target linked to an indicator given another figure than the
indicator in the same return).

The checks read only what the return says and the plan the office holds: nothing in the signed return format is
needed for them, so returns of every format are checked alike. ``ReturnNotes.has_notes`` is what a batch
acceptance (``city accept --all-valid``) asks: a return with any note is left for a person to look at.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipdesk.domain.numbers import number_text
from ipdesk.domain.periods import Period
from ipdesk.domain.plan import Plan
from ipdesk.domain.validation import Reference, Violation, check_rules
from ipdesk.reports.snapshot import ReportSnapshot


@dataclass(frozen=True)
class ReturnNotes:
    violations: tuple[Violation, ...] = ()
    consistency: tuple[str, ...] = ()

    @property
    def required(self) -> list[Violation]:
        return [v for v in self.violations if v.required]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if not v.required]

    @property
    def has_notes(self) -> bool:
        """Whether the return carries any 校验规则 violation (提醒 or 必须) or 数据一致性 note."""
        return bool(self.violations or self.consistency)

    def lines(self) -> list[str]:
        """Every note in words, violations first."""
        return [v.text for v in self.violations] + [f"【数据一致性】{line}" for line in self.consistency]


def _figures_of(snapshot: ReportSnapshot | None) -> tuple[dict[int, float | None], dict[tuple[int, int], float | None]]:
    if snapshot is None:
        return {}, {}
    indicators = {i.seq: i.actual for i in snapshot.indicators}
    targets = {(t.project_no, t.seq): t.value for t in snapshot.targets if t.seq}
    return indicators, targets


def return_notes(plan: Plan, snapshot: ReportSnapshot, previous: ReportSnapshot | None = None) -> ReturnNotes:
    """The notes on one return: ``previous`` is the same unit's return for the period before (for ``上期(…)``)."""
    period = Period.parse(snapshot.header.period)
    previous_period = Period.parse(previous.header.period) if previous is not None else None
    now = _figures_of(snapshot)
    before = _figures_of(previous)
    linked = {(p.no, t.seq): t.indicator_seq for p in plan.projects for t in p.targets if t.indicator_seq is not None}

    def figures(reference: Reference) -> float | None:
        what, key, when = reference
        if when == "now":
            indicators, targets = now
        else:
            if previous_period is None or (when == "previous_same_year" and previous_period.year != period.year):
                return None
            indicators, targets = before
        if what == "indicator":
            return indicators.get(key[0])
        target = (key[0], key[1])
        if target in linked and linked[target] in indicators:  # the same quantity: the indicator's figure
            return indicators.get(linked[target])
        return targets.get(target)

    consistency = []
    indicators, targets = now
    for (project_no, seq), indicator_seq in linked.items():
        value, shown = targets.get((project_no, seq)), indicators.get(indicator_seq)
        if value is not None and shown is not None and value != shown:
            target = next(t for p in plan.projects if p.no == project_no for t in p.targets if t.seq == seq)
            consistency.append(
                f"工程{project_no}“{target.name}”填报{number_text(value)}{target.unit_of_measure}，与同一数据的"
                f"指标{indicator_seq}（{number_text(shown)}）不一致；汇总时采用指标的数值"
            )
    return ReturnNotes(tuple(check_rules(plan.rules, figures)), tuple(consistency))

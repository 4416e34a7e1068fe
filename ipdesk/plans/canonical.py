"""The plan's canonical document and its SHA-256: which plan, exactly, a return was filled against.

The fields are listed here one by one (never ``asdict``), so that adding a field to a dataclass in a later release
does not change the hash of a plan that did not change. ``docs/return-format.md`` describes the document, so that
a third party can compute the same hash.

Numbers of indicators and project targets are written as floating-point numbers (13.0, 2.02): a plan read back from
a workspace holds them so, and every return signed so far carries the hash computed that way. Fields added after
the first release appear only where a plan uses them (an explicit city or report title that its title does not
imply, a task's further columns, the units of an indicator that has no task-list row), so that the hash of every
plan that does not use them stays what it was.
"""

from __future__ import annotations

from ipdesk.domain.plan import Plan, city_of, report_title_of
from ipdesk.domain.signed_text import canonical_json, text_sha256

PLAN_DOCUMENT_VERSION = 1


def _number(value: float | None) -> float | None:
    return None if value is None else float(value)


def plan_document(plan: Plan) -> dict:
    """What a plan says: its identity, span, phases, units, task list, indicators and project targets."""
    document = {
        "plan_document": PLAN_DOCUMENT_VERSION,
        "code": plan.code,
        "title": plan.title,
        "issuer": plan.issuer,
        "issued_on": plan.issued_on.isoformat() if plan.issued_on else None,
        "start_date": plan.start_date.isoformat(),
        "end_date": plan.end_date.isoformat(),
        "phases": [[p.seq, p.name, p.start_month, p.end_month] for p in plan.phases],
        "units": [[u.code, u.name, u.kind.value] for u in plan.units],
        "tasks": [
            [t.seq, t.category, t.name, t.content, t.kind.value, list(t.lead_units), list(t.coop_units)]
            + ([[list(pair) for pair in t.extra]] if t.extra else [])
            for t in plan.tasks
        ],
        "indicators": [
            [
                i.seq,
                i.name,
                i.unit_of_measure,
                _number(i.baseline),
                i.baseline_year,
                _number(i.target),
                i.target_year,
                i.target_op,
                i.growth_text,
                i.task_seq,
            ]
            + ([list(i.lead_units), list(i.coop_units)] if i.task_seq is None else [])
            for i in plan.indicators
        ],
        "projects": [
            [
                p.no,
                p.name,
                p.task_seq,
                [
                    [t.seq, t.name, _number(t.value), t.unit_of_measure, t.op, t.measure, list(t.owners)]
                    for t in p.targets
                ],
            ]
            for p in plan.projects
        ],
    }
    if plan.city != city_of(plan.title):
        document["city"] = plan.city
    if plan.report_title != report_title_of(plan.title):
        document["report_title"] = plan.report_title
    return document


def plan_sha256(plan: Plan) -> str:
    return text_sha256(canonical_json(plan_document(plan)))

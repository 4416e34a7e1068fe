"""The plan's canonical document and its SHA-256: which plan, exactly, a return was filled against.

The fields are listed here one by one (never ``asdict``), so that adding a field to a dataclass in a later release
does not change the hash of a plan that did not change. ``docs/return-format.md`` describes the document, so that
a third party can compute the same hash.
"""

from __future__ import annotations

import hashlib
import json

from ipdesk.domain.plan import Plan

PLAN_DOCUMENT_VERSION = 1


def plan_document(plan: Plan) -> dict:
    """What a plan says: its identity, span, phases, units, task list, indicators and project targets."""
    return {
        "plan_document": PLAN_DOCUMENT_VERSION,
        "code": plan.code,
        "title": plan.title,
        "issuer": plan.issuer,
        "issued_on": plan.issued_on.isoformat(),
        "start_date": plan.start_date.isoformat(),
        "end_date": plan.end_date.isoformat(),
        "phases": [[p.seq, p.name, p.start_month, p.end_month] for p in plan.phases],
        "units": [[u.code, u.name, u.kind.value] for u in plan.units],
        "tasks": [
            [t.seq, t.category, t.name, t.content, t.kind.value, list(t.lead_units), list(t.coop_units)]
            for t in plan.tasks
        ],
        "indicators": [
            [
                i.seq,
                i.name,
                i.unit_of_measure,
                i.baseline,
                i.baseline_year,
                i.target,
                i.target_year,
                i.target_op,
                i.growth_text,
                i.task_seq,
            ]
            for i in plan.indicators
        ],
        "projects": [
            [
                p.no,
                p.name,
                p.task_seq,
                [[t.seq, t.name, t.value, t.unit_of_measure, t.op, t.measure, list(t.owners)] for t in p.targets],
            ]
            for p in plan.projects
        ],
    }


def plan_sha256(plan: Plan) -> str:
    text = json.dumps(plan_document(plan), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

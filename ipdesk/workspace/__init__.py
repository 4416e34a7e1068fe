"""The ``Workspace`` facade and the managers it holds."""

from __future__ import annotations

from ipdesk.store.evidence_store import Evidence
from ipdesk.workspace.core import MEMORY, Workspace
from ipdesk.workspace.entries import TaskProgress
from ipdesk.workspace.plan import AssignedTask, OwnedIndicator, OwnedTarget

__all__ = ["MEMORY", "AssignedTask", "Evidence", "OwnedIndicator", "OwnedTarget", "TaskProgress", "Workspace"]

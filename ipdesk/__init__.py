"""ipdesk: reporting on a city's IP-strong-city plan, offline.

Scripts start from ``Workspace``::

    from ipdesk import Workspace, Period
    ws = Workspace("ipdesk.db")
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Period", "Workspace", "__version__"]


def __getattr__(name: str):
    # Imported on first use so that `ipdesk --version` and the GUI's first paint do not pay for the store.
    if name == "Workspace":
        from ipdesk.workspace import Workspace

        return Workspace
    if name == "Period":
        from ipdesk.domain.periods import Period

        return Period
    raise AttributeError(name)

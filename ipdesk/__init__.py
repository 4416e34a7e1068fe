"""ipdesk: reporting on a city's IP-strong-city plan, offline."""

from __future__ import annotations

__version__ = "0.1.0"

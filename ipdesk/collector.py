"""Python's cyclic garbage collector while the program starts and when it ends.

Starting allocates some hundred thousand objects that live as long as the program — modules, classes, functions,
Qt's wrappers, the plan — and the collector, run every 700 new objects, walks the older ones again and again while
they are being made: about a tenth of the start's CPU time. ``pause`` stops it from the start of ``ipdesk``'s
``main``; ``resume`` (once the window is shown, or when a command's own work begins) freezes what exists out of
its way — ``gc.freeze``: those objects are never examined again — and turns it back on for everything made after.
A command that makes little garbage (``export``: one report) keeps it paused to the end. ``finish``, when ``main``
returns, freezes what is still alive: the interpreter's collections while it tears the modules down at exit would
walk all of it again (0.1 s after an export), for memory the operating system takes back anyway; every object is
still released and every ``atexit`` handler still runs.

A window made at start and later let go (a plan switch replaces it) would stay frozen with whatever cycles it was
part of: ``unfreeze`` hands everything back to the collector then.

Only the program's own process does this (``main`` called without ``argv``): tests and scripts calling ``main`` keep
their collector as it is.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Stop the collector until ``resume``; nothing happens when it was already off (someone else's choice)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Freeze what was made while paused and turn the collector back on; nothing happens when not paused."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def unfreeze() -> None:
    """Let the collector examine again what was frozen (a window made at start has been let go)."""
    gc.unfreeze()


def finish() -> None:
    """The program is ending: freeze what is alive, so that the collections at exit do not walk it again."""
    global _paused
    _paused = False
    gc.freeze()

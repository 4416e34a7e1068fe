# Runtime hook: the windowed ipdesk.exe has no console, so sys.stdout and sys.stderr are None; libraries that write a
# warning there would fail. Send such output nowhere instead.
import os
import sys

for _name in ("stdout", "stderr"):
    if getattr(sys, _name) is None:
        setattr(sys, _name, open(os.devnull, "w", encoding="utf-8"))

"""``python -m ipdesk.cli``: the same as ``ipdesk``."""

from ipdesk.cli import main

raise SystemExit(main())

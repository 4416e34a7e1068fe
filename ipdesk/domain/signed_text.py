"""The one canonical JSON text of ipdesk: what every signature and every content hash covers (a return, a view of a
workbook, a plan's canonical document, the office's feedback and plan files).

Keys sorted, no whitespace between tokens, non-ASCII characters as themselves, UTF-8; NaN and infinities refused (JSON
has no such numbers, and a text that is not JSON cannot be verified by anyone else). Specified in
``docs/return-format.md`` § 3.
"""

from __future__ import annotations

import hashlib
import json


def canonical_json(document: object) -> str:
    """Sorted keys, no spaces, UTF-8 characters as they are: the exact text a signature covers. ``ValueError`` for
    NaN or an infinity."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def text_sha256(text: str) -> str:
    """SHA-256 (hex) of the UTF-8 bytes of ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

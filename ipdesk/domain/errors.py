"""Errors the user is shown. Each carries a message in Chinese that says what is wrong and what to do."""

from __future__ import annotations


class IpdeskError(Exception):
    """Base of every error meant for the user; ``str(error)`` is the Chinese message."""


class InvalidInput(IpdeskError, ValueError):
    """A value typed or passed in that cannot be accepted; nothing was changed."""


class UnitNotFound(IpdeskError, LookupError):
    def __init__(self, query: str, suggestions: list[str]):
        self.query = query
        self.suggestions = suggestions
        hint = "；相近的单位：" + "、".join(suggestions) if suggestions else "；用 ipdesk units 查看全部单位"
        super().__init__(f"找不到单位“{query}”{hint}")


class AmbiguousUnit(IpdeskError, LookupError):
    def __init__(self, query: str, matches: list[str]):
        self.query = query
        self.matches = matches
        super().__init__(f"“{query}”对应多个单位，请写得更完整：" + "、".join(matches))


class DatabaseError(IpdeskError):
    """The database file cannot be used; the file was left as it was."""


class NotAnIpdeskDatabase(DatabaseError):
    pass


class DatabaseTooNew(DatabaseError):
    pass


class CorruptDatabase(DatabaseError):
    pass


class BadDatabasePath(DatabaseError):
    pass


class WorkspaceInUse(DatabaseError):
    """Another copy of ipdesk has the database open for writing."""

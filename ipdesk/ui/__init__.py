"""The desktop window (PySide6). The only part of ipdesk that imports Qt; it talks to the core through Workspace."""

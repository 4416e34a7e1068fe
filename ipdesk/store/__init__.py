"""SQLite storage through sqlite-utils. All of ipdesk's SQL lives in this package."""

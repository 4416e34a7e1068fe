"""The embedded plan and the reading of plans and their unit columns."""

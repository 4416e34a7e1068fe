"""Reports: the snapshot of a unit's period and the official Excel workbook and PDF made from it."""

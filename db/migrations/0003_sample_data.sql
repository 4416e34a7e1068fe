-- Periods filled by `ipdesk demo` with sample data: every report made from them says 示例数据.

CREATE TABLE sample_data (
    unit_id    INTEGER NOT NULL REFERENCES unit(id),
    period     TEXT NOT NULL REFERENCES period(code),
    created_at TEXT NOT NULL,
    PRIMARY KEY (unit_id, period)
) WITHOUT ROWID;

-- What units enter period by period: task progress, indicator values, project sub-target values, evidence
-- files kept by content hash, and the versions of each unit's report.

CREATE TABLE period (
    code       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('month', 'quarter', 'half', 'year')),
    start_date TEXT NOT NULL,
    end_date   TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE progress (
    unit_id      INTEGER NOT NULL REFERENCES unit(id),
    period       TEXT NOT NULL REFERENCES period(code),
    task_id      INTEGER NOT NULL REFERENCES task(id),
    status       TEXT CHECK (status IS NULL OR status IN ('not_started', 'in_progress', 'done', 'lagging', 'ongoing')),
    percent      REAL CHECK (percent IS NULL OR (percent >= 0 AND percent <= 100)),
    achievements TEXT NOT NULL DEFAULT '',
    problems     TEXT NOT NULL DEFAULT '',
    next_steps   TEXT NOT NULL DEFAULT '',
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    PRIMARY KEY (unit_id, period, task_id)
) WITHOUT ROWID;
CREATE INDEX progress_by_task ON progress(task_id, unit_id, period);

CREATE TABLE indicator_value (
    unit_id      INTEGER NOT NULL REFERENCES unit(id),
    period       TEXT NOT NULL REFERENCES period(code),
    indicator_id INTEGER NOT NULL REFERENCES indicator(id),
    value        REAL CHECK (value IS NULL OR value >= 0),
    note         TEXT NOT NULL DEFAULT '',
    data_source  TEXT NOT NULL DEFAULT '',
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    PRIMARY KEY (unit_id, period, indicator_id)
) WITHOUT ROWID;
CREATE INDEX indicator_value_by_indicator ON indicator_value(indicator_id, unit_id, period);

CREATE TABLE project_target_value (
    unit_id    INTEGER NOT NULL REFERENCES unit(id),
    period     TEXT NOT NULL REFERENCES period(code),
    target_id  INTEGER NOT NULL REFERENCES project_target(id),
    value      REAL CHECK (value IS NULL OR value >= 0),
    note       TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (unit_id, period, target_id)
) WITHOUT ROWID;

CREATE TABLE attachment (
    sha256    TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    size      INTEGER NOT NULL CHECK (size >= 0),
    extension TEXT NOT NULL DEFAULT '',   -- kept on the stored file so that it opens in the right program
    added_at  TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE progress_attachment (
    id        INTEGER PRIMARY KEY,
    unit_id   INTEGER NOT NULL REFERENCES unit(id),
    period    TEXT NOT NULL REFERENCES period(code),
    task_id   INTEGER NOT NULL REFERENCES task(id),
    sha256    TEXT NOT NULL REFERENCES attachment(sha256),
    file_name TEXT NOT NULL,
    added_at  TEXT NOT NULL,
    added_by  TEXT NOT NULL,
    UNIQUE (unit_id, period, task_id, sha256)
);

CREATE TABLE report (
    id              INTEGER PRIMARY KEY,
    unit_id         INTEGER NOT NULL REFERENCES unit(id),
    period          TEXT NOT NULL REFERENCES period(code),
    version         INTEGER NOT NULL CHECK (version >= 1),
    status          TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'signed', 'accepted', 'returned')),
    created_at      TEXT NOT NULL,
    submitted_at    TEXT,
    submitted_by    TEXT,
    signed_at       TEXT,
    signed_by       TEXT,
    snapshot_json   TEXT,
    snapshot_sha256 TEXT,
    signature       BLOB,
    city_comment    TEXT NOT NULL DEFAULT '',
    UNIQUE (unit_id, period, version)
);

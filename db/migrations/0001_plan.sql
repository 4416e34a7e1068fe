-- The plan as published: units, phases, categories, the task list with each unit's role, the headline
-- indicators with their yearly expected values, the demonstration projects and their sub-targets;
-- settings, and the audit log that records every change.

CREATE TABLE plan (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    title             TEXT NOT NULL,
    task_list_title   TEXT NOT NULL,
    issuer            TEXT NOT NULL,
    issued_on         TEXT NOT NULL,
    start_year        INTEGER NOT NULL,
    end_year          INTEGER NOT NULL,
    start_date        TEXT NOT NULL,
    end_date          TEXT NOT NULL,
    source_sha256     TEXT NOT NULL,
    member_units_note TEXT NOT NULL DEFAULT '',
    corrections       TEXT NOT NULL DEFAULT '[]',   -- JSON list of notes on the source text
    loaded_at         TEXT NOT NULL,
    is_active         INTEGER NOT NULL DEFAULT 0 CHECK (is_active IN (0, 1))
);
CREATE UNIQUE INDEX plan_one_active ON plan(is_active) WHERE is_active = 1;

CREATE TABLE phase (
    plan_id     INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    name        TEXT NOT NULL,
    start_month TEXT NOT NULL,
    end_month   TEXT NOT NULL,
    PRIMARY KEY (plan_id, seq)
) WITHOUT ROWID;

CREATE TABLE category (
    plan_id INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    name    TEXT NOT NULL,
    PRIMARY KEY (plan_id, seq),
    UNIQUE (plan_id, name)
) WITHOUT ROWID;

CREATE TABLE unit (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('department', 'district', 'county', 'new_area', 'zone')),
    short_name TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    note       TEXT NOT NULL DEFAULT ''
);

CREATE TABLE task (
    id         INTEGER PRIMARY KEY,
    plan_id    INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    category   TEXT NOT NULL,
    name       TEXT NOT NULL,
    content    TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('indicator', 'task', 'project')),
    project_no INTEGER,
    lead_text  TEXT NOT NULL,
    coop_text  TEXT NOT NULL DEFAULT '',
    start_date TEXT,   -- NULL: the plan's span
    end_date   TEXT,
    UNIQUE (plan_id, seq)
);

CREATE TABLE task_unit (
    task_id  INTEGER NOT NULL REFERENCES task(id) ON DELETE CASCADE,
    unit_id  INTEGER NOT NULL REFERENCES unit(id),
    role     TEXT NOT NULL CHECK (role IN ('lead', 'coop')),
    position INTEGER NOT NULL,   -- order within the published column
    PRIMARY KEY (task_id, unit_id)
) WITHOUT ROWID;
CREATE INDEX task_unit_by_unit ON task_unit(unit_id, task_id, role);

CREATE TABLE indicator (
    id              INTEGER PRIMARY KEY,
    plan_id         INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    indicator_group TEXT NOT NULL,
    name            TEXT NOT NULL,
    unit_of_measure TEXT NOT NULL,
    baseline        REAL,
    baseline_year   INTEGER,
    target          REAL NOT NULL,
    target_year     INTEGER NOT NULL,
    target_op       TEXT NOT NULL CHECK (target_op IN ('=', '≥', '保持')),
    growth          REAL,
    growth_text     TEXT NOT NULL DEFAULT '',
    task_id         INTEGER NOT NULL REFERENCES task(id),
    UNIQUE (plan_id, seq)
);

CREATE TABLE indicator_expected (
    indicator_id INTEGER NOT NULL REFERENCES indicator(id) ON DELETE CASCADE,
    year         INTEGER NOT NULL,
    value        REAL NOT NULL,
    PRIMARY KEY (indicator_id, year)
) WITHOUT ROWID;

CREATE TABLE project (
    id      INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    no      INTEGER NOT NULL,
    name    TEXT NOT NULL,
    goal    TEXT NOT NULL,
    task_id INTEGER NOT NULL REFERENCES task(id),
    UNIQUE (plan_id, no)
);

CREATE TABLE project_target (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    name            TEXT NOT NULL,
    value           REAL NOT NULL,
    unit_of_measure TEXT NOT NULL,
    op              TEXT NOT NULL CHECK (op IN ('=', '≥', '>')),
    measure         TEXT NOT NULL CHECK (measure IN ('cumulative', 'level', 'per_year')),
    quote           TEXT NOT NULL,
    UNIQUE (project_id, seq)
);

CREATE TABLE project_target_owner (
    target_id INTEGER NOT NULL REFERENCES project_target(id) ON DELETE CASCADE,
    unit_id   INTEGER NOT NULL REFERENCES unit(id),
    PRIMARY KEY (target_id, unit_id)
) WITHOUT ROWID;

CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Every change, field by field. Each entry's hash covers the previous entry's hash, so a removed or edited
-- entry breaks the chain from that point on.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    entity     TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    field      TEXT NOT NULL DEFAULT '',
    old_value  TEXT,
    new_value  TEXT,
    hash       TEXT NOT NULL   -- sha256 over the previous entry's hash and this entry's fields
);
CREATE INDEX audit_log_by_entity ON audit_log(entity, entity_key, field);

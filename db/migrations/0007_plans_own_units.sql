-- Several plans in one workspace: each plan owns its units, so 碑林区人民政府 of the 2022–2025 plan and of the
-- 2026–2030 plan are two rows, and everything a unit enters or signs (progress, reports, sample data, received
-- returns …) belongs to the plan of its unit. Indicators and demonstration projects may exist without a task-list
-- row (an indicator table with unit columns of its own assigns them), the plan records its city, the title of its
-- progress form and where it came from, tasks keep the task list's further columns (完成时限 …), and the workspace
-- keeps its own unit roster for reading task lists.
--
-- Existing units, with their ids (so every row that names them stays as it is), become the units of the current
-- plan. A plan saved beside it by an earlier release shared those units: it gets copies of the ones it names.
-- The migration runs with foreign-key enforcement off and checks every reference before it commits.

CREATE TEMP TABLE migration_main AS
SELECT coalesce((SELECT id FROM plan WHERE is_active = 1), (SELECT min(id) FROM plan)) AS plan_id;

CREATE TABLE unit_new (
    id         INTEGER PRIMARY KEY,
    plan_id    INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    code       TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('department', 'district', 'county', 'new_area', 'zone')),
    short_name TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    note       TEXT NOT NULL DEFAULT '',
    UNIQUE (plan_id, name)
);

INSERT INTO unit_new (id, plan_id, code, name, kind, short_name, sort_order, note)
SELECT u.id, m.plan_id, u.code, u.name, u.kind, u.short_name, u.sort_order, u.note
FROM unit u, migration_main m
WHERE m.plan_id IS NOT NULL;

-- Copies for the other plans, of the units their task rows and project targets name.
INSERT INTO unit_new (plan_id, code, name, kind, short_name, sort_order, note)
SELECT DISTINCT used.plan_id, u.code, u.name, u.kind, u.short_name, u.sort_order, u.note
FROM (
    SELECT t.plan_id AS plan_id, tu.unit_id AS unit_id FROM task_unit tu JOIN task t ON t.id = tu.task_id
    UNION
    SELECT p.plan_id, o.unit_id FROM project_target_owner o
        JOIN project_target pt ON pt.id = o.target_id JOIN project p ON p.id = pt.project_id
) AS used
JOIN unit u ON u.id = used.unit_id
WHERE used.plan_id != (SELECT plan_id FROM migration_main);

CREATE TEMP TABLE migration_unit_map AS
SELECT old.id AS old_id, copy.plan_id AS plan_id, copy.id AS new_id
FROM unit old JOIN unit_new copy ON copy.name = old.name
WHERE copy.plan_id != (SELECT plan_id FROM migration_main);

UPDATE task_unit SET unit_id = (
    SELECT m.new_id FROM migration_unit_map m JOIN task t ON t.plan_id = m.plan_id
    WHERE m.old_id = task_unit.unit_id AND t.id = task_unit.task_id
)
WHERE task_id IN (SELECT id FROM task WHERE plan_id != (SELECT plan_id FROM migration_main));

UPDATE project_target_owner SET unit_id = (
    SELECT m.new_id FROM migration_unit_map m
        JOIN project p ON p.plan_id = m.plan_id JOIN project_target pt ON pt.project_id = p.id
    WHERE m.old_id = project_target_owner.unit_id AND pt.id = project_target_owner.target_id
)
WHERE target_id IN (
    SELECT pt.id FROM project_target pt JOIN project p ON p.id = pt.project_id
    WHERE p.plan_id != (SELECT plan_id FROM migration_main)
);

-- What units entered against another plan's tasks goes with that plan's copy of the unit.
UPDATE progress SET unit_id = (
    SELECT m.new_id FROM migration_unit_map m JOIN task t ON t.plan_id = m.plan_id
    WHERE m.old_id = progress.unit_id AND t.id = progress.task_id
)
WHERE task_id IN (SELECT id FROM task WHERE plan_id != (SELECT plan_id FROM migration_main));

UPDATE progress_attachment SET unit_id = (
    SELECT m.new_id FROM migration_unit_map m JOIN task t ON t.plan_id = m.plan_id
    WHERE m.old_id = progress_attachment.unit_id AND t.id = progress_attachment.task_id
)
WHERE task_id IN (SELECT id FROM task WHERE plan_id != (SELECT plan_id FROM migration_main));

UPDATE indicator_value SET unit_id = (
    SELECT m.new_id FROM migration_unit_map m JOIN indicator i ON i.plan_id = m.plan_id
    WHERE m.old_id = indicator_value.unit_id AND i.id = indicator_value.indicator_id
)
WHERE indicator_id IN (SELECT id FROM indicator WHERE plan_id != (SELECT plan_id FROM migration_main));

UPDATE project_target_value SET unit_id = (
    SELECT m.new_id FROM migration_unit_map m
        JOIN project p ON p.plan_id = m.plan_id JOIN project_target pt ON pt.project_id = p.id
    WHERE m.old_id = project_target_value.unit_id AND pt.id = project_target_value.target_id
)
WHERE target_id IN (
    SELECT pt.id FROM project_target pt JOIN project p ON p.id = pt.project_id
    WHERE p.plan_id != (SELECT plan_id FROM migration_main)
);

DROP TABLE unit;
ALTER TABLE unit_new RENAME TO unit;
CREATE UNIQUE INDEX unit_code_in_plan ON unit(plan_id, code) WHERE code != '';

-- Indicators and projects without a task-list row.
CREATE TABLE indicator_new (
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
    task_id         INTEGER REFERENCES task(id),   -- NULL: the indicator table names its units
    UNIQUE (plan_id, seq)
);
INSERT INTO indicator_new SELECT id, plan_id, seq, indicator_group, name, unit_of_measure, baseline, baseline_year,
    target, target_year, target_op, growth, growth_text, task_id FROM indicator;
DROP TABLE indicator;
ALTER TABLE indicator_new RENAME TO indicator;

-- The units of an indicator that has no task-list row.
CREATE TABLE indicator_unit (
    indicator_id INTEGER NOT NULL REFERENCES indicator(id) ON DELETE CASCADE,
    unit_id      INTEGER NOT NULL REFERENCES unit(id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('lead', 'coop')),
    position     INTEGER NOT NULL,
    PRIMARY KEY (indicator_id, unit_id)
) WITHOUT ROWID;

CREATE TABLE project_new (
    id      INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    no      INTEGER NOT NULL,
    name    TEXT NOT NULL,
    goal    TEXT NOT NULL,
    task_id INTEGER REFERENCES task(id),   -- NULL: only the project sheet lists it
    UNIQUE (plan_id, no)
);
INSERT INTO project_new SELECT id, plan_id, no, name, goal, task_id FROM project;
DROP TABLE project;
ALTER TABLE project_new RENAME TO project;

ALTER TABLE plan ADD COLUMN city TEXT NOT NULL DEFAULT '';
ALTER TABLE plan ADD COLUMN report_title TEXT NOT NULL DEFAULT '';
ALTER TABLE plan ADD COLUMN origin TEXT NOT NULL DEFAULT 'embedded';   -- embedded, task_list or plan_file
ALTER TABLE plan ADD COLUMN origin_detail TEXT NOT NULL DEFAULT '';    -- the file, and for a plan file its signer
ALTER TABLE plan ADD COLUMN plan_file TEXT;                            -- a signed plan file as received, kept
ALTER TABLE plan ADD COLUMN legacy_audit_keys INTEGER NOT NULL DEFAULT 0;   -- audit keys written before 0007

-- Audit keys written before this step name no plan: they are the current plan's.
UPDATE plan SET legacy_audit_keys = 1 WHERE id = (SELECT plan_id FROM migration_main);

ALTER TABLE task ADD COLUMN extra TEXT NOT NULL DEFAULT '';   -- JSON list of [header, text]

-- The workspace's own unit roster: changes to and additions beyond the roster ipdesk ships, by city.
CREATE TABLE roster_unit (
    id         INTEGER PRIMARY KEY,
    city       TEXT NOT NULL,
    code       TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('department', 'district', 'county', 'new_area', 'zone')),
    short_name TEXT NOT NULL,
    aliases    TEXT NOT NULL DEFAULT '',   -- other names, separated by 、
    note       TEXT NOT NULL DEFAULT '',
    sort_order INTEGER NOT NULL DEFAULT 0,
    removed    INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),   -- hides a unit of the shipped roster
    UNIQUE (city, name)
);

DROP TABLE migration_unit_map;
DROP TABLE migration_main;

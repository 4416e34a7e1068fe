-- The 退回 loop as the clerk works it. A comment of the city office stays open until the clerk marks it 已处理,
-- with the answer given (kept here, in the audit log, and in the next return). A signed version's way out of the
-- office is recorded too, so that 待办 lists a period until it is sent: exported (when, to which folder), then
-- marked 已报送 by the clerk (or closed by the city's feedback/acceptance).
ALTER TABLE return_comment ADD COLUMN answer TEXT NOT NULL DEFAULT '';
ALTER TABLE return_comment ADD COLUMN answered_by TEXT;

CREATE TABLE report_sending (
    report_id   INTEGER PRIMARY KEY REFERENCES report(id),
    exported_at TEXT,
    exported_to TEXT,
    sent_at     TEXT,
    sent_by     TEXT
);

-- The city office's copy of a return's evidence package, checked file by file against the list the return signed:
-- 'verified' (stored under its SHA-256 in the workspace's evidence folder), 'missing' or 'altered' (not stored).
CREATE TABLE received_evidence (
    received_id INTEGER NOT NULL REFERENCES received_return(id),
    path        TEXT NOT NULL,      -- where it lies in the package: 第17项/专利清单.pdf
    task_seq    INTEGER NOT NULL,
    file_name   TEXT NOT NULL,      -- as the return lists it
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('verified', 'missing', 'altered')),
    checked_at  TEXT NOT NULL,
    PRIMARY KEY (received_id, path)
);

-- Whom the city office calls about a unit (催报): a contact person and phone per unit of a city's roster, kept
-- beside the roster (not in the plan: a changed phone number changes no plan), edited in the roster workbook.
CREATE TABLE unit_contact (
    city   TEXT NOT NULL,
    name   TEXT NOT NULL,
    person TEXT NOT NULL DEFAULT '',
    phone  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (city, name)
);

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

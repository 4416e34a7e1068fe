-- Which workspace a database is: one id, made when the workspace is made and never changed, carried by every copy
-- and backup of it. A restore compares it and refuses another workspace's backup.
--
-- A database made before this step takes the hash of its first audit entry (the audit chain's first link, which
-- never changes): its backups from earlier releases, which have no id of their own, yield the same value the same
-- way (ipdesk/store/backups.py, workspace_identity), so they are still known as its own. A database with no audit
-- entry yet takes a random id.

CREATE TABLE workspace_identity (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    id       TEXT NOT NULL CHECK (length(id) >= 32)
);

INSERT INTO workspace_identity (only_row, id)
VALUES (1, COALESCE((SELECT hash FROM audit_log ORDER BY id LIMIT 1), lower(hex(randomblob(16)))));

CREATE TRIGGER workspace_identity_frozen
BEFORE UPDATE ON workspace_identity
BEGIN
    SELECT RAISE(ABORT, 'a workspace keeps its identity');
END;

CREATE TRIGGER workspace_identity_kept
BEFORE DELETE ON workspace_identity
BEGIN
    SELECT RAISE(ABORT, 'a workspace keeps its identity');
END;

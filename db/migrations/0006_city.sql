-- The city office's side: the returns it received from units (each signed version kept with its files, the newest
-- one current, older ones as history), its decisions on them (接收 / 退回 with comments), and the kind of each
-- trusted certificate (a unit's, or the city office's own as a unit registers it) with the time a unit's key was
-- replaced.

ALTER TABLE trusted_certificate ADD COLUMN kind TEXT NOT NULL DEFAULT 'unit' CHECK (kind IN ('unit', 'city'));
ALTER TABLE trusted_certificate ADD COLUMN superseded_at TEXT;   -- when a newer key of the same holder was registered

CREATE TABLE received_return (
    id              INTEGER PRIMARY KEY,
    unit_id         INTEGER NOT NULL REFERENCES unit(id),
    period          TEXT NOT NULL REFERENCES period(code),
    version         INTEGER NOT NULL CHECK (version >= 1),
    plan_code       TEXT NOT NULL,
    format          TEXT NOT NULL,      -- the return's format version: "1", "2.0" …
    document        TEXT NOT NULL,      -- the signed return document, exactly as signed
    document_sha256 TEXT NOT NULL,
    signed_at       TEXT NOT NULL,
    signed_by       TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,      -- of the certificate that signed it
    received_at     TEXT NOT NULL,
    received_by     TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'signed' CHECK (status IN ('signed', 'accepted', 'returned')),
    decided_at      TEXT,
    decided_by      TEXT,
    comment         TEXT NOT NULL DEFAULT '',
    UNIQUE (unit_id, period, version)
);
CREATE INDEX received_return_by_period ON received_return(period, unit_id, version);

CREATE TABLE received_file (
    received_id INTEGER NOT NULL REFERENCES received_return(id),
    kind        TEXT NOT NULL CHECK (kind IN ('xlsx', 'p7s', 'pdf')),
    file_name   TEXT NOT NULL,
    content     BLOB NOT NULL,
    sha256      TEXT NOT NULL,
    PRIMARY KEY (received_id, kind)
) WITHOUT ROWID;

CREATE TABLE received_comment (
    id          INTEGER PRIMARY KEY,
    received_id INTEGER NOT NULL REFERENCES received_return(id),
    task_seq    INTEGER,             -- NULL: on the whole return
    comment     TEXT NOT NULL
);

-- What a unit signed is evidence at the city as well: the document and files never change.
CREATE TRIGGER received_return_frozen
BEFORE UPDATE OF unit_id, period, version, document, document_sha256, signed_at, signed_by, fingerprint
ON received_return
BEGIN
    SELECT RAISE(ABORT, 'a received return never changes');
END;

CREATE TRIGGER received_return_status
BEFORE UPDATE OF status ON received_return
WHEN NEW.status != OLD.status
    AND NOT (OLD.status = 'signed' AND NEW.status IN ('accepted', 'returned'))
    AND NOT (OLD.status = 'accepted' AND NEW.status = 'returned')
BEGIN
    SELECT RAISE(ABORT, 'illegal status change of a received return');
END;

CREATE TRIGGER received_file_frozen
BEFORE UPDATE ON received_file
BEGIN
    SELECT RAISE(ABORT, 'a received file never changes');
END;

-- Sign-off: the certificate each signed report version was signed with, the files made when it was signed
-- (kept byte for byte, so a later export of that version gives exactly the same files), and the certificates
-- this workspace trusts when verifying returns.

ALTER TABLE report ADD COLUMN certificate BLOB;

CREATE TABLE report_file (
    report_id INTEGER NOT NULL REFERENCES report(id),
    kind      TEXT NOT NULL CHECK (kind IN ('xlsx', 'p7s', 'pdf')),
    file_name TEXT NOT NULL,
    content   BLOB NOT NULL,
    sha256    TEXT NOT NULL,
    PRIMARY KEY (report_id, kind)
) WITHOUT ROWID;

CREATE TABLE trusted_certificate (
    fingerprint TEXT PRIMARY KEY,
    unit        TEXT NOT NULL,
    pem         BLOB NOT NULL,
    added_at    TEXT NOT NULL,
    added_by    TEXT NOT NULL
) WITHOUT ROWID;

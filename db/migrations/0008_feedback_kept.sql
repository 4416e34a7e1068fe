-- The feedback file (退回意见) the city office signed, kept with the decision: if the file is lost on the way, the
-- same signed file can be written out again.

CREATE TABLE feedback_file (
    received_id INTEGER PRIMARY KEY REFERENCES received_return(id),
    file_name   TEXT NOT NULL,
    content     BLOB NOT NULL,
    sha256      TEXT NOT NULL
);

CREATE TRIGGER feedback_file_frozen
BEFORE UPDATE ON feedback_file
BEGIN
    SELECT RAISE(ABORT, 'a signed feedback file never changes');
END;

-- Format 2 of the signed return. Units get the stable code every return carries; report versions record when
-- the city office accepted or returned them and its comments; signed versions and their files can never change.

ALTER TABLE unit ADD COLUMN code TEXT NOT NULL DEFAULT '';

-- The codes of the embedded plan's units (districts and counties by their administrative division code).
WITH codes(name, code) AS (VALUES
    ('市市场监管局(知识产权局)', '610100-D01'),
    ('市科技局', '610100-D02'),
    ('市委宣传部', '610100-D03'),
    ('市法院', '610100-D04'),
    ('市检察院', '610100-D05'),
    ('市公安局', '610100-D06'),
    ('市工信局', '610100-D07'),
    ('市文化旅游局', '610100-D08'),
    ('市农业农村局', '610100-D09'),
    ('市商务局', '610100-D10'),
    ('市国资委', '610100-D11'),
    ('市金融工作局', '610100-D12'),
    ('市财政局', '610100-D13'),
    ('市教育局', '610100-D14'),
    ('市发改委', '610100-D15'),
    ('市司法局', '610100-D16'),
    ('市大数据局', '610100-D17'),
    ('关中海关', '610100-D18'),
    ('市委组织部', '610100-D19'),
    ('市委军民融合办', '610100-D20'),
    ('市人社局', '610100-D21'),
    ('市科协', '610100-D22'),
    ('新城区人民政府', '610102'),
    ('碑林区人民政府', '610103'),
    ('莲湖区人民政府', '610104'),
    ('灞桥区人民政府', '610111'),
    ('未央区人民政府', '610112'),
    ('雁塔区人民政府', '610113'),
    ('阎良区人民政府', '610114'),
    ('临潼区人民政府', '610115'),
    ('长安区人民政府', '610116'),
    ('高陵区人民政府', '610117'),
    ('鄠邑区人民政府', '610118'),
    ('蓝田县人民政府', '610122'),
    ('周至县人民政府', '610124'),
    ('西咸新区管委会', '610100-K01'),
    ('高新区管委会', '610100-K02'),
    ('经开区管委会', '610100-K03'),
    ('曲江新区管委会', '610100-K04'),
    ('浐灞生态区管委会', '610100-K05'),
    ('国际港务区管委会', '610100-K06'),
    ('航空基地管委会', '610100-K07'),
    ('航天基地管委会', '610100-K08')
)
UPDATE unit SET code = coalesce((SELECT code FROM codes WHERE codes.name = unit.name), '');

ALTER TABLE report ADD COLUMN accepted_at TEXT;
ALTER TABLE report ADD COLUMN returned_at TEXT;
ALTER TABLE report ADD COLUMN decided_by TEXT;

-- The city office's comments on a returned version: on the whole report (task_seq NULL) or on one task. The unit
-- sees them beside the task in the next version until it has answered them.
CREATE TABLE return_comment (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES report(id),
    task_seq    INTEGER,
    comment     TEXT NOT NULL,
    answered_at TEXT
);
CREATE INDEX return_comment_by_report ON return_comment(report_id, task_seq);

-- A signed version is evidence: what was signed, by whom and when never changes, nor do its files, and its status
-- moves only along the life cycle (已签署 → 已接收 or 已退回, 已接收 → 已退回).
CREATE TRIGGER signed_report_frozen
BEFORE UPDATE OF unit_id, period, version, signed_at, signed_by, snapshot_json, snapshot_sha256, signature, certificate
ON report WHEN OLD.snapshot_json IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a signed report version never changes');
END;

CREATE TRIGGER signed_report_status
BEFORE UPDATE OF status ON report
WHEN OLD.status IN ('signed', 'accepted', 'returned') AND NEW.status != OLD.status
    AND NOT (OLD.status = 'signed' AND NEW.status IN ('accepted', 'returned'))
    AND NOT (OLD.status = 'accepted' AND NEW.status = 'returned')
BEGIN
    SELECT RAISE(ABORT, 'illegal status change of a signed report version');
END;

CREATE TRIGGER signed_report_kept
BEFORE DELETE ON report WHEN OLD.snapshot_json IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a signed report version is never deleted');
END;

CREATE TRIGGER report_file_frozen
BEFORE UPDATE ON report_file
BEGIN
    SELECT RAISE(ABORT, 'the files of a signed report version never change');
END;

CREATE TRIGGER report_file_kept
BEFORE DELETE ON report_file
BEGIN
    SELECT RAISE(ABORT, 'the files of a signed report version are never deleted');
END;

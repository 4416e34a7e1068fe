-- The city's judgement: what kind of figure each headline indicator is (flow, stock, rate, hold: what is expected of
-- it part-way through a year), the project sub-targets that measure the same quantity as an indicator (entered once,
-- as the indicator), and the plan's 校验规则 (checks across figures).
--
-- An empty kind is read from the indicator's name (``domain.indicators.guess_kind``), which gives the embedded plan's
-- published classification. Workspaces that loaded the embedded Xi'an plan before this step get its links and rules
-- here, matched by the plan's code and the rows' numbers and names, so that they judge as a new workspace does.

ALTER TABLE indicator ADD COLUMN kind TEXT NOT NULL DEFAULT '' CHECK (kind IN ('', 'flow', 'stock', 'rate', 'hold'));
ALTER TABLE indicator ADD COLUMN kind_note TEXT NOT NULL DEFAULT '';
ALTER TABLE project_target ADD COLUMN indicator_seq INTEGER;

CREATE TABLE validation_rule (
    plan_id    INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    left_expr  TEXT NOT NULL,
    op         TEXT NOT NULL CHECK (op IN ('<=', '>=', '<', '>', '==', '!=')),
    right_expr TEXT NOT NULL,
    message    TEXT NOT NULL,
    importance TEXT NOT NULL CHECK (importance IN ('必须', '提醒')),
    PRIMARY KEY (plan_id, seq)
) WITHOUT ROWID;

UPDATE indicator SET kind = 'stock', kind_note = ''
WHERE seq = 1 AND name = '每万人口高价值发明专利拥有量' AND plan_id IN (SELECT id FROM plan WHERE code = 'xian-2022-2025');
UPDATE indicator SET kind = 'flow', kind_note = ''
WHERE seq = 2 AND name = '海外专利年申请量' AND plan_id IN (SELECT id FROM plan WHERE code = 'xian-2022-2025');
UPDATE indicator SET kind = 'stock', kind_note = '“马德里商标国际注册量”未写“年”：按截至当期的有效国际注册累计量（存量）理解；若改按当年新增统计，应改为年度流量。'
WHERE seq = 3 AND name = '马德里商标国际注册量' AND plan_id IN (SELECT id FROM plan WHERE code = 'xian-2022-2025');
UPDATE indicator SET kind = 'flow', kind_note = '“著作权登记数”按当年登记数（年度流量）理解：2020年2.02万件为当年登记数量级，累计量远大于此。'
WHERE seq = 4 AND name = '著作权登记数' AND plan_id IN (SELECT id FROM plan WHERE code = 'xian-2022-2025');
UPDATE indicator SET kind = 'flow', kind_note = ''
WHERE seq = 5 AND name = '全市技术合同成交额' AND plan_id IN (SELECT id FROM plan WHERE code = 'xian-2022-2025');
UPDATE indicator SET kind = 'flow', kind_note = '“知识产权年质押融资金额”为每年的金额（年度流量），“保持”指每年保持30亿元：年内按序时比较，全年不足30亿元为未达到。'
WHERE seq = 6 AND name = '知识产权年质押融资金额' AND plan_id IN (SELECT id FROM plan WHERE code = 'xian-2022-2025');
UPDATE indicator SET kind = 'stock', kind_note = ''
WHERE seq = 7 AND name = '版权示范单位、园区(基地)数量' AND plan_id IN (SELECT id FROM plan WHERE code = 'xian-2022-2025');
UPDATE indicator SET kind = 'stock', kind_note = ''
WHERE seq = 8 AND name = '知识产权优势和示范企业数量' AND plan_id IN (SELECT id FROM plan WHERE code = 'xian-2022-2025');
UPDATE indicator SET kind = 'stock', kind_note = '“知识产权服务业从业人员”为期末在业人数（存量，可增可减），按基数到目标的路径比较。'
WHERE seq = 9 AND name = '知识产权服务业从业人员' AND plan_id IN (SELECT id FROM plan WHERE code = 'xian-2022-2025');
UPDATE indicator SET kind = 'stock', kind_note = '“知识产权入园惠企服务企业”未写“年”：按方案期内累计服务企业数（存量）理解；2020年基数空缺，2025年前不设预期值。'
WHERE seq = 10 AND name = '知识产权入园惠企服务企业' AND plan_id IN (SELECT id FROM plan WHERE code = 'xian-2022-2025');
UPDATE indicator SET kind = 'rate', kind_note = ''
WHERE seq = 11 AND name = '知识产权公益服务满意度' AND plan_id IN (SELECT id FROM plan WHERE code = 'xian-2022-2025');
UPDATE indicator SET kind = 'stock', kind_note = '“专利预审备案主体”为累计备案的创新主体数（存量）。'
WHERE seq = 12 AND name = '专利预审备案主体' AND plan_id IN (SELECT id FROM plan WHERE code = 'xian-2022-2025');
UPDATE indicator SET kind = 'rate', kind_note = ''
WHERE seq = 13 AND name = '知识产权行政执法案件结案率' AND plan_id IN (SELECT id FROM plan WHERE code = 'xian-2022-2025');
UPDATE indicator SET kind = 'rate', kind_note = '“结收比”为结案数与收案数之比（比率），可超过100%。'
WHERE seq = 14 AND name = '知识产权民事案件结收比' AND plan_id IN (SELECT id FROM plan WHERE code = 'xian-2022-2025');
UPDATE indicator SET kind = 'rate', kind_note = '“知识产权保护社会满意度”以分计（百分制），按比率（水平）比较。'
WHERE seq = 15 AND name = '知识产权保护社会满意度' AND plan_id IN (SELECT id FROM plan WHERE code = 'xian-2022-2025');
UPDATE project_target SET indicator_seq = 1
WHERE seq = 1 AND name = '每万人高价值发明专利拥有量' AND project_id IN
    (SELECT pr.id FROM project pr JOIN plan pl ON pl.id = pr.plan_id WHERE pl.code = 'xian-2022-2025' AND pr.no = 1);
UPDATE project_target SET indicator_seq = 5
WHERE seq = 3 AND name = '全市技术合同成交额' AND project_id IN
    (SELECT pr.id FROM project pr JOIN plan pl ON pl.id = pr.plan_id WHERE pl.code = 'xian-2022-2025' AND pr.no = 2);
UPDATE project_target SET indicator_seq = 8
WHERE seq = 1 AND name = '国家和省级知识产权优势示范企业' AND project_id IN
    (SELECT pr.id FROM project pr JOIN plan pl ON pl.id = pr.plan_id WHERE pl.code = 'xian-2022-2025' AND pr.no = 3);
UPDATE project_target SET indicator_seq = 15
WHERE seq = 1 AND name = '知识产权保护社会满意度' AND project_id IN
    (SELECT pr.id FROM project pr JOIN plan pl ON pl.id = pr.plan_id WHERE pl.code = 'xian-2022-2025' AND pr.no = 5);
UPDATE project_target SET indicator_seq = 14
WHERE seq = 2 AND name = '知识产权民事案件结收比' AND project_id IN
    (SELECT pr.id FROM project pr JOIN plan pl ON pl.id = pr.plan_id WHERE pl.code = 'xian-2022-2025' AND pr.no = 5);
UPDATE project_target SET indicator_seq = 13
WHERE seq = 6 AND name = '知识产权行政执法案件结案率' AND project_id IN
    (SELECT pr.id FROM project pr JOIN plan pl ON pl.id = pr.plan_id WHERE pl.code = 'xian-2022-2025' AND pr.no = 5);
UPDATE project_target SET indicator_seq = 12
WHERE seq = 1 AND name = '专利预审服务覆盖创新主体' AND project_id IN
    (SELECT pr.id FROM project pr JOIN plan pl ON pl.id = pr.plan_id WHERE pl.code = 'xian-2022-2025' AND pr.no = 6);
INSERT INTO validation_rule (plan_id, seq, left_expr, op, right_expr, message, importance)
SELECT pl.id, r.column1, r.column2, r.column3, r.column4, r.column5, r.column6
FROM plan pl, (VALUES
    (1, '指标11', '<=', '100', '知识产权公益服务满意度不能超过100%', '必须'),
    (2, '指标13', '<=', '100', '知识产权行政执法案件结案率不能超过100%', '必须'),
    (3, '指标15', '<=', '100', '知识产权保护社会满意度（百分制）不能超过100分', '必须'),
    (4, '工程2.2', '<=', '100', '辖区高校院所专利开放许可覆盖率不能超过100%', '必须'),
    (5, '工程4.1', '<=', '100', '入选强县工程试点（示范）的区县占比不能超过100%', '必须'),
    (6, '工程3.2', '<=', '工程3.1', '年度培育的知识产权优势示范企业不应多于累计培育总数', '提醒'),
    (7, '工程6.3', '<=', '工程6.2', '纠纷调解司法确认案件数不应多于调解场次', '提醒'),
    (8, '指标1', '>=', '上期(指标1)', '每万人口高价值发明专利拥有量为累计数（存量），一般不应低于上期，请核对', '提醒'),
    (9, '指标3', '>=', '上期(指标3)', '马德里商标国际注册量为累计数（存量），一般不应低于上期，请核对', '提醒'),
    (10, '指标7', '>=', '上期(指标7)', '版权示范单位、园区(基地)数量为累计数（存量），一般不应低于上期，请核对', '提醒'),
    (11, '指标8', '>=', '上期(指标8)', '知识产权优势和示范企业数量为累计数（存量），一般不应低于上期，请核对', '提醒'),
    (12, '指标12', '>=', '上期(指标12)', '专利预审备案主体为累计数（存量），一般不应低于上期，请核对', '提醒'),
    (13, '指标2', '>=', '本年上期(指标2)', '海外专利年申请量填本年累计数，不应低于本年上期，请核对', '提醒'),
    (14, '指标4', '>=', '本年上期(指标4)', '著作权登记数填本年累计数，不应低于本年上期，请核对', '提醒'),
    (15, '指标5', '>=', '本年上期(指标5)', '全市技术合同成交额填本年累计数，不应低于本年上期，请核对', '提醒'),
    (16, '指标6', '>=', '本年上期(指标6)', '知识产权年质押融资金额填本年累计数，不应低于本年上期，请核对', '提醒')
) AS r
WHERE pl.code = 'xian-2022-2025';

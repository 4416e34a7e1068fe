"""``ws.city``: the leading group's office — receiving returns, who has reported, review (接收 / 退回 with a signed
feedback file) and the 催报 list; and ``ws.feedback``: a unit reading the office's feedback file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.periods import Period, PeriodKind, chinese_datetime
from ipdesk.domain.plan import Unit, UnitKind
from ipdesk.domain.reports import ReportAction, ReportState, ReportStatus, ReturnComment, next_status, person_name
from ipdesk.domain.returns import ReceivedEvidence, ReceivedReturn
from ipdesk.store import city_store
from ipdesk.workspace.plan import as_period

if TYPE_CHECKING:
    from ipdesk.domain.accounting import Accounting, CollectionRules, Matrix, UnitAccount
    from ipdesk.exchange.checks import ReturnNotes
    from ipdesk.exchange.feedback import Feedback
    from ipdesk.exchange.importing import ImportResult, Incoming
    from ipdesk.exchange.remind import Reminder
    from ipdesk.reports.snapshot import ReportSnapshot
    from ipdesk.signing.identity import Identity
    from ipdesk.workspace.core import Workspace

Progress = Callable[[int, int, str], None]  # (done, total, file being read)


class CityOffice:
    """The city office's work on the units' returns. The first change makes a new workspace the office's."""

    def __init__(self, ws: Workspace):
        from ipdesk.workspace.city_reports import CityReports

        self._ws = ws
        self.reports = CityReports(ws)

    @property
    def name(self) -> str:
        return self._ws.plan.office_name

    def claim(self) -> None:
        """Make sure this is (or becomes) the office's workspace, and writable, before the office changes anything."""
        if self._ws.read_only:
            raise InvalidInput("以只读方式打开，不能修改：另一个 ipdesk 正在修改这个数据库")
        self._ws.set_kind(self._ws.CITY)

    def _check_side(self) -> None:
        if self._ws.kind == self._ws.UNIT:
            self._ws.set_kind(self._ws.CITY)  # raises, saying why

    # -- the office's own signing identity -------------------------------------------------------------------
    def identity(self) -> Identity | None:
        keys = self._ws.signoff.keys
        return keys.public(self.name) if keys.exists(self.name) else None

    def create_identity(self, passphrase: str, signer: str | None = None) -> Identity:
        """The office's key and certificate (for the feedback files it signs), made for a named person."""
        self.claim()
        name = person_name(signer or self._ws.settings.get(self._ws.settings.REVIEWER_NAME), "经办人")
        return self._ws.signoff.keys.create(self.name, name, passphrase)

    # -- receiving -------------------------------------------------------------------------------------------
    def import_files(
        self,
        paths: Sequence[str | Path],
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
        today: dt.date | None = None,
        received_on: dt.date | None = None,
    ) -> list[ImportResult]:
        """Import signed returns from files and folders: one result per file, one transaction per stored file.

        A backup is made first. ``progress`` is told of each file before it is read; when ``cancelled`` says so,
        the files not yet read are left alone (those already stored stay stored). ``received_on`` is the day the
        office received the files (a USB stick handed in last week; default: today): whether a return came on time
        is judged by it.
        """
        from ipdesk.exchange.importing import ImportResult, Outcome, collect

        self.claim()
        today = today or dt.date.today()
        if received_on is not None and received_on > today:
            raise InvalidInput(f"收到日期 {received_on:%Y-%m-%d} 晚于今天，请改正")
        files, results = collect([Path(p) for p in paths])
        if files:
            self._ws.backup_before("import")
        context = replace(self._context(today), received_on=received_on)
        for number, path in enumerate(files):
            if cancelled is not None and cancelled():
                results += [ImportResult(str(p), Outcome.REFUSED, "已取消，未读取") for p in files[number:]]
                break
            if progress is not None:
                progress(number, len(files), path.name)
            results.append(self._import_one(path, context))
        if progress is not None:
            progress(len(files), len(files), "")
        return results

    def _import_one(self, path: Path, context) -> ImportResult:
        """One file of a batch: whatever its content, a result for it and never an end to the batch. A file whose
        data the database refuses (a value no check foresaw) is refused with that reason, its transaction rolled
        back; only a failure of the database itself (locked, disk full, damaged) stops the batch."""
        from ipdesk.exchange.importing import ImportResult, Outcome, examine

        found = examine(path, context)
        if isinstance(found, ImportResult):
            return found
        if context.received_on is not None:
            found = replace(found, received_on=context.received_on)
        try:
            return self._store(found)
        except (sqlite3.IntegrityError, OverflowError, ValueError, KeyError) as error:
            return ImportResult(
                str(path),
                Outcome.REFUSED,
                f"文件中的数据不符合规定，未导入（技术信息：{type(error).__name__}）",
                found.unit,
                found.period,
                found.version,
            )

    def _context(self, today: dt.date):
        from ipdesk.exchange.importing import ImportContext, PlanFacts
        from ipdesk.plans.canonical import plan_sha256
        from ipdesk.store import plan_store

        ws = self._ws
        others = {}
        for record in ws.plans.all():
            if record.id != ws.plan_id:
                plan = plan_store.read_plan(ws.db, record.id)
                codes = {u.name: u.code for u in plan.units}
                others[plan.code] = PlanFacts(plan.title, plan_sha256(plan), codes, (plan.start_date, plan.end_date))
        return ImportContext(
            plan_code=ws.plan.code,
            plan_title=ws.plan.title,
            plan_sha256=ws.plan_sha256,
            unit_codes={u.name: u.code for u in ws.plan.units},
            span=(ws.plan.start_date, ws.plan.end_date),
            trusted=tuple(ws.trust.all()),
            today=today,
            other_plans=others,
        )

    def _received_at(self, incoming: Incoming) -> str | None:
        """When the office received the return: the day it says, at this hour (never before the return was signed)."""
        received_on = incoming.received_on
        if received_on is None:
            return None
        try:
            day = max(received_on, dt.datetime.fromisoformat(incoming.document.snapshot.header.signed_at).date())
        except ValueError:  # no readable signing time: the day given
            day = received_on
        moment = dt.datetime.combine(day, dt.datetime.now().time()).astimezone()
        return moment.isoformat(timespec="milliseconds")

    def _store(self, incoming: Incoming) -> ImportResult:
        from ipdesk.exchange.importing import ImportResult, Outcome
        from ipdesk.store import plan_store

        ws = self._ws
        unit, period, version = incoming.unit, as_period(incoming.period), incoming.version
        plan_id = plan_store.plan_id_of(ws.db, incoming.plan_code) if incoming.plan_code else None
        unit_id = (plan_store.unit_ids(ws.db, plan_id) if plan_id else ws.ids.units)[unit]

        def result(outcome: Outcome, reason: str) -> ImportResult:
            return ImportResult(str(incoming.path), outcome, reason, unit=unit, period=period.code, version=version)

        with ws.db.atomic():
            existing = city_store.received(ws.db, unit_id, period.code, version)
            if existing is not None:
                if existing.document_sha256 != incoming.sha256:
                    return result(
                        Outcome.REFUSED,
                        f"冲突：已于 {chinese_datetime(existing.received_at)} 收到同一版本（v{version}）"
                        "内容不同的文件，"
                        "请与该单位核实",
                    )
                added = [
                    kind
                    for kind, name, content, sha256 in incoming.files
                    if city_store.add_file(ws.db, existing.id, kind, name, content, sha256)
                ]
                note = f"；已一并保存本文件（{'、'.join(added)}）" if added else ""
                stored = city_store.evidence(ws.db, existing.id)
                if incoming.evidence_parts and any(e.state != "verified" for e in stored):
                    note += self._store_evidence(existing.id, incoming)  # the package came with this file
                return result(Outcome.DUPLICATE, f"已于 {chinese_datetime(existing.received_at)} 导入{note}")
            newest = city_store.received(ws.db, unit_id, period.code)
            header = incoming.document.snapshot.header
            identifier = city_store.insert(
                ws.db,
                unit_id,
                unit,
                period,
                version,
                header.plan_code,
                incoming.document.format_version,
                incoming.document.text,
                incoming.sha256,
                header.signed_at,
                header.signed_by,
                incoming.fingerprint,
                ws.actor,
                self._received_at(incoming),
            )
            for kind, name, content, sha256 in incoming.files:
                city_store.add_file(ws.db, identifier, kind, name, content, sha256)
            evidence = self._store_evidence(identifier, incoming)
        if newest is not None and newest.version > version:
            return result(Outcome.HISTORY, f"已有更新的 v{newest.version}，本版本作为历史版本保存{evidence}")
        replaced = f"，取代 v{newest.version}（保留为历史版本）" if newest is not None else ""
        warning = f"；{incoming.warning}" if incoming.warning else ""
        notes = ""
        if header.plan_code == ws.plan.code:  # the plan's rules judge returns filled against it
            lines = self.notes(unit, period, version).lines()
            notes = f"；校验发现 {len(lines)} 处需核对：" + "；".join(lines) if lines else ""
        return result(Outcome.IMPORTED, f"签名有效，待审{replaced}{evidence}{warning}{notes}")

    def _store_evidence(self, received_id: int, incoming: Incoming) -> str:
        """Check the evidence package beside the return against the list the return signed; keep the files that
        match (by SHA-256, in the evidence folder) and record each file's state. Returns a note for the result
        ("" when the return lists no evidence)."""
        from ipdesk.reports.evidence_package import check_package, package_paths
        from ipdesk.store import evidence_store

        lines = incoming.document.snapshot.evidence
        if not lines:
            return ""
        if not incoming.evidence_parts:
            found = [
                ReceivedEvidence(path, line.task_seq, line.file_name, line.sha256, line.size, "missing")
                for path, line in package_paths(lines).items()
            ]
            city_store.record_evidence(self._ws.db, received_id, found)
            return f"；未随附佐证材料包（清单列有 {len(found)} 个文件），佐证材料未核验"
        kept: dict[str, bytes] = {}
        check = check_package(list(incoming.evidence_parts), lines, kept)
        for line in check.verified.values():
            extension = Path(line.file_name).suffix.lower()[:16]
            evidence_store.store_bytes(self._ws.evidence.folder, line.sha256, kept[line.sha256], extension)
        found = [
            ReceivedEvidence(path, line.task_seq, line.file_name, line.sha256, line.size, "verified")
            for path, line in check.verified.items()
        ]
        found += [ReceivedEvidence(p, x.task_seq, x.file_name, x.sha256, x.size, "missing") for p, x in check.missing]
        found += [ReceivedEvidence(p, x.task_seq, x.file_name, x.sha256, x.size, "altered") for p, x in check.altered]
        city_store.record_evidence(self._ws.db, received_id, found)
        if check.complete:
            return f"；{check.summary()}"
        return f"；佐证材料未通过核验：{'；'.join(check.problems())}"

    # -- who has reported: the office's accounting --------------------------------------------------------------
    def collection_rules(self) -> CollectionRules:
        """The office's rules as stored now (rhythm, first collected month, deadline day): read afresh every time,
        so that a change in 设置 or ``city settings`` shows in every figure at once."""
        from ipdesk.domain.accounting import CollectionRules

        ws = self._ws
        since = ws.settings.get(ws.settings.CITY_FROM)
        return CollectionRules(
            rhythm=ws.settings.report_kind(),
            span=(ws.plan.start_date, ws.plan.end_date),
            due_day=ws.settings.due_day(),
            collecting_from=Period.parse(since).start if since else None,
        )

    def accounting(
        self,
        period: str | Period | tuple[dt.date, dt.date],
        today: dt.date | None = None,
        unit_group: str | None = None,
    ) -> Accounting:
        """Each unit's account of the returns due over ``period`` (any kind) or a span of days."""
        from ipdesk.domain.accounting import account

        ws = self._ws
        stretch = period if isinstance(period, tuple) else self.plan_period(period)
        units = [u.name for u in ws.plan.units if unit_group is None or u.kind.group == unit_group]
        received = city_store.all_received(ws.db, plan_id=ws.plan_id)
        return account(self.collection_rules(), units, received, stretch, today or dt.date.today())

    def matrix(
        self, kind: PeriodKind | None = None, unit_group: str | None = None, today: dt.date | None = None
    ) -> Matrix:
        """Every unit (of ``unit_group``: 市级部门, 区县 or 开发区（新区）) × every begun period of ``kind`` (the rhythm
        by default; a kind shorter than the rhythm is read as the rhythm) that owes a collected return."""
        from ipdesk.exchange.completeness import build_matrix

        ws = self._ws
        today = today or dt.date.today()
        rules = self.collection_rules()
        units = [u for u in ws.plan.units if unit_group is None or u.kind.group == unit_group]
        received = city_store.all_received(ws.db, plan_id=ws.plan_id)
        return build_matrix(rules, units, kind or rules.rhythm, received, today)

    def set_collecting_from(self, month: str | Period | None) -> None:
        """The first period this office collects with ipdesk (None: the plan's whole span), kept as its first month.
        Earlier periods are 未纳入汇总 everywhere — not chased, not counted, not scored — so that a newcomer is not
        greeted by years of 逾期."""
        self.claim()
        code = "" if month is None else self.plan_period(month).months()[0].code
        self._ws.settings.set(self._ws.settings.CITY_FROM, code)

    def collecting_from(self) -> Period | None:
        """The first month collected with ipdesk (None: the plan's whole span)."""
        code = self._ws.settings.get(self._ws.settings.CITY_FROM)
        return Period.parse(code) if code else None

    # -- the office's settings (设置 in the window, ``ipdesk city settings``) -----------------------------------------
    def office_settings(self) -> OfficeSettings:
        """Every setting of the office, as stored."""
        s = self._ws.settings
        thresholds = s.thresholds()
        return OfficeSettings(
            rhythm=s.report_kind(),
            collecting_from=self.collecting_from(),
            due_day=s.due_day(),
            green=thresholds.green,
            yellow=thresholds.yellow,
            person=s.get(s.REVIEWER_NAME),
            phone=s.get(s.CLERK_PHONE),
            pdf_font=s.get(s.PDF_FONT),
            notice_office=s.get(s.NOTICE_OFFICE),
            notice_number=s.get(s.NOTICE_NUMBER),
            notice_copy_to=s.get(s.NOTICE_COPY_TO),
        )

    def change_settings(
        self,
        *,
        rhythm: PeriodKind | str | None = None,
        collecting_from: str | Period | None = None,
        whole_plan: bool = False,
        due_day: int | None = None,
        green: float | None = None,
        yellow: float | None = None,
        person: str | None = None,
        phone: str | None = None,
        pdf_font: str | None = None,
        notice_office: str | None = None,
        notice_number: str | None = None,
        notice_copy_to: str | None = None,
    ) -> bool:
        """Change the office's settings given (None: left as it is) together, checked as a whole; ``whole_plan``
        collects from the plan's start. Returns False when nothing changed. Every figure is read afresh from these
        stored values (``collection_rules``), so a new rhythm or first period shows everywhere at once."""
        from ipdesk.domain.reports import person_name

        self.claim()
        s = self._ws.settings
        values: dict[str, str] = {}
        if rhythm is not None:
            try:
                values[s.REPORT_KIND] = PeriodKind(rhythm).value
            except ValueError:
                raise InvalidInput("报送周期应为 month（月）、quarter（季度）、half（半年）或 year（年）") from None
        if whole_plan:
            values[s.CITY_FROM] = ""
        elif collecting_from is not None:
            values[s.CITY_FROM] = self.plan_period(collecting_from).months()[0].code
        if due_day is not None:
            values[s.DUE_DAY] = str(due_day)
        if green is not None:
            values[s.LIGHT_GREEN] = _fraction(green)
        if yellow is not None:
            values[s.LIGHT_YELLOW] = _fraction(yellow)
        if person is not None:
            values[s.REVIEWER_NAME] = person_name(person, "经办人")
        if phone is not None:
            values[s.CLERK_PHONE] = phone.strip()
        if pdf_font is not None:
            if pdf_font and pdf_font not in self._ws.reports.pdf_faces():
                raise InvalidInput(f"没有这种 PDF 字体：{pdf_font}（可选：{'、'.join(self._ws.reports.pdf_faces())}）")
            values[s.PDF_FONT] = pdf_font
        for key, value in (
            (s.NOTICE_OFFICE, notice_office),
            (s.NOTICE_NUMBER, notice_number),
            (s.NOTICE_COPY_TO, notice_copy_to),
        ):
            if value is not None:
                values[key] = value.strip()
        return s.update(values) if values else False

    def timeliness_text(self, unit: str | Unit, period: str | Period) -> str:
        """截止日 2025年10月9日，逾期报送4天 — for the return of one unit and rhythm period ("" when the period is not
        one the office collects)."""
        from ipdesk.domain.periods import chinese_date

        name, when = self._ws.units.name_of(unit), as_period(period)
        rules = self.collection_rules()
        if when.kind is not rules.rhythm or not rules.collected(when):
            return ""
        found = self.accounting(when)[name].returns
        if not found:
            return ""
        due = found[0]
        return f"截止日 {chinese_date(due.deadline)}" + (f"，{due.timeliness_text}" if due.timeliness_text else "")

    def status(self, period: str | Period, today: dt.date | None = None) -> list[UnitAccount]:
        """Each unit's account for one period of any kind (a quarter under a monthly rhythm: its three months)."""
        return self.accounting(period, today).units()

    def plan_period(self, period: str | Period) -> Period:
        when = as_period(period)
        plan = self._ws.plan
        if when.end < plan.start_date or when.start > plan.end_date:
            raise InvalidInput(
                f"{when.chinese}不在方案实施期内（{plan.start_date.year}年{plan.start_date.month}月—"
                f"{plan.end_date.year}年{plan.end_date.month}月）"
            )
        return when

    def reminders(self, period: str | Period, today: dt.date | None = None) -> list[Reminder]:
        """The units still owing returns of ``period`` (for a long period, those missing one), with the clerk and
        phone of their last return."""
        from ipdesk.exchange.remind import reminders

        today = today or dt.date.today()
        accounts = self.status(period, today)
        kinds = {u.name: u.kind.group for u in self._ws.plan.units}
        return reminders(accounts, kinds, self._contacts(), today)

    def _contacts(self) -> dict[str, tuple[str, str, str]]:
        """Each unit's clerk and phone as its newest return gives them, and that return's period in words; for a unit
        without (a return that names a phone), the contact person and phone of the roster."""
        ws = self._ws
        newest: dict[str, ReceivedReturn] = {}
        for item in city_store.all_received(ws.db, plan_id=ws.plan_id):
            if item.unit not in newest or (item.received_at, item.version) > (
                newest[item.unit].received_at,
                newest[item.unit].version,
            ):
                newest[item.unit] = item
        found = {}
        for unit, item in newest.items():
            header = self._read(item).header
            found[unit] = (header.clerk, header.phone, header.period_name)
        # the roster's contact for a unit that never reported (or whose return named no phone): someone to call
        for unit, (person, phone) in ws.plans.contacts().items():
            clerk, known_phone, last = found.get(unit, ("", "", ""))
            if not known_phone:
                found[unit] = (clerk or person, phone, last)
        return found

    def write_reminders(self, period: str | Period, path: str | Path, today: dt.date | None = None) -> Path:
        from ipdesk.exchange.remind import write_reminders
        from ipdesk.reports.files import make_folder, write_atomically

        today = today or dt.date.today()
        when = self.plan_period(period)
        items = self.reminders(when, today)
        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        make_folder(target.parent)
        return write_atomically(target, lambda temp: write_reminders(items, when, self.name, today, temp))

    # -- review ----------------------------------------------------------------------------------------------------
    def received(self, unit: str | Unit, period: str | Period, version: int | None = None) -> ReceivedReturn | None:
        ws = self._ws
        name = ws.units.name_of(unit)
        return city_store.received(ws.db, ws.ids.units[name], as_period(period).code, version)

    def versions(self, unit: str | Unit, period: str | Period) -> list[ReceivedReturn]:
        ws = self._ws
        name = ws.units.name_of(unit)
        return city_store.versions(ws.db, ws.ids.units[name], as_period(period).code)

    def _require(self, unit: str | Unit, period: str | Period, version: int | None = None) -> ReceivedReturn:
        item = self.received(unit, period, version)
        if item is None:
            name, when = self._ws.units.name_of(unit), as_period(period)
            which = f"第 {version} 版" if version else "报送材料"
            raise InvalidInput(f"尚未收到{name}{when.chinese}的{which}")
        return item

    def _read(self, item: ReceivedReturn) -> ReportSnapshot:
        from ipdesk.reports.return_format import read_return

        return read_return(city_store.document(self._ws.db, item.id)).snapshot

    def snapshot(self, unit: str | Unit, period: str | Period, version: int | None = None) -> ReportSnapshot:
        """The received return as signed (read-only: the same data the unit's reviewer signed)."""
        return self._read(self._require(unit, period, version))

    def document(self, unit: str | Unit, period: str | Period, version: int | None = None) -> dict[str, Any]:
        """The received return as the signed return format's document (plain data, as ``--json`` prints it)."""
        from ipdesk.reports.return_format import to_document

        return to_document(self.snapshot(unit, period, version))

    def previous(self, unit: str | Unit, period: str | Period) -> ReportSnapshot | None:
        """What the newest return is compared with: version n−1 of the same period when there is one (the version
        the office returned), else the unit's newest return for the period before."""
        versions = self.versions(unit, period)
        if len(versions) > 1:
            return self._read(versions[-2])
        item = self.received(unit, as_period(period).previous())
        return self._read(item) if item is not None else None

    def compared_with(self, unit: str | Unit, period: str | Period) -> str:
        """上一版 when the review compares with version n−1, else 上期."""
        versions = self.versions(unit, period)
        return f"v{versions[-2].version}" if len(versions) > 1 else "上期"

    def notes(self, unit: str | Unit, period: str | Period, version: int | None = None) -> ReturnNotes:
        """The return's 校验规则 violations (必须 / 提醒) and 数据一致性 notes, against the current plan.

        ``notes(...).has_notes`` tells whether a person should look at it before it is accepted."""
        from ipdesk.exchange.checks import return_notes

        return return_notes(self._ws.plan, self.snapshot(unit, period, version), self.previous(unit, period))

    def changes(self, unit: str | Unit, period: str | Period) -> dict[int, list[str]]:
        """What changed, task by task, since version n−1 (after a 退回) or the unit's previous period."""
        from ipdesk.exchange.review import task_changes

        return task_changes(self.snapshot(unit, period), self.previous(unit, period), self.compared_with(unit, period))

    def review_notes(self, unit: str | Unit, period: str | Period, version: int | None = None) -> list[str]:
        """What the exchange itself tells about the return (``exchange.review.review_notes``): signed with a replaced
        key, evidence not verified, comments of a 退回 not handled."""
        from ipdesk.exchange.review import review_notes

        item = self._require(unit, period, version)
        trusted = next((t for t in self._ws.trust.all() if t.fingerprint == item.fingerprint), None)
        states = [e.state for e in city_store.evidence(self._ws.db, item.id)]
        return review_notes(self._read(item), states, bool(trusted and trusted.superseded_at))

    def reminders_of(self, unit: str | Unit, period: str | Period, version: int | None = None) -> list[str]:
        """Every 提醒 of the return: ``review_notes`` and, for a return of the current plan, its 校验规则 and 数据一致性
        notes (``notes``). [] when it may be accepted as it is (``accept_all_valid``)."""
        found = self.review_notes(unit, period, version)
        item = self._require(unit, period, version)
        if item.plan_code in ("", self._ws.plan.code):
            checked = self.notes(unit, period, version)
            if checked.has_notes:
                found += checked.lines()
        return found

    def accept_all_valid(self, period: str | Period) -> tuple[list[str], list[tuple[str, str]]]:
        """接收 every 待审 return of ``period`` that verified with no 提醒; returns the units accepted and, for every
        other unit with a return of the period, why it was left (待审 with 提醒, already decided …)."""
        self._check_side()
        self.claim()
        when = self.plan_period(period)
        newest: dict[str, ReceivedReturn] = {}
        for item in city_store.all_received(self._ws.db, [when.code], self._ws.plan_id):
            newest[item.unit] = item  # oldest version first: the last one is the newest
        accepted: list[str] = []
        skipped: list[tuple[str, str]] = []
        for unit in [u.name for u in self._ws.plan.units if u.name in newest]:
            item = newest[unit]
            if item.status is not ReportStatus.SIGNED:
                skipped.append((unit, f"v{item.version} {item.status.label}，无需接收"))
                continue
            notes = self.reminders_of(unit, when)
            if notes:
                skipped.append((unit, f"v{item.version} 有提醒：" + "；".join(notes)))
                continue
            with self._ws.db.atomic():
                new = next_status(item.status, ReportAction.ACCEPT, self._what(item))
                city_store.decide(self._ws.db, item, new, self._ws.actor)
            accepted.append(unit)
        return accepted, skipped

    def files(self, unit: str | Unit, period: str | Period, version: int | None = None) -> dict[str, tuple[str, bytes]]:
        """The files the return came in (kind → (name, bytes)), exactly as received."""
        return city_store.files(self._ws.db, self._require(unit, period, version).id)

    def copies_to_open(self, unit: str | Unit, period: str | Period, version: int | None = None) -> list[Path]:
        """The received files of a version (the newest by default) as files to open: written once into
        ``received-copies/`` beside the workspace (one folder per version, reused), never piling up in the temporary
        folder. A copy already there with the same content is left as it is (it may be open in Excel or a PDF
        reader)."""
        import tempfile

        from ipdesk.reports.files import safe_part, write_bytes_into

        item = self._require(unit, period, version)
        base = self._ws.path.parent if self._ws.path is not None else Path(tempfile.gettempdir())
        folder = base / "received-copies" / f"{safe_part(item.unit)}_{safe_part(item.period)}_v{item.version}"
        paths = []
        for name, content in city_store.files(self._ws.db, item.id).values():
            target = folder / name
            try:
                same = target.is_file() and target.read_bytes() == content
            except OSError:
                same = False
            paths.append(target if same else write_bytes_into(folder, name, content))
        return paths

    def evidence(self, unit: str | Unit, period: str | Period, version: int | None = None) -> list[ReceivedEvidence]:
        """The evidence files the return lists, each with what its package held (与签署一致 / 缺失 / 已被改动)."""
        return city_store.evidence(self._ws.db, self._require(unit, period, version).id)

    def evidence_copy(self, unit: str | Unit, period: str | Period, which: str, version: int | None = None) -> Path:
        """A verified evidence file of the return as a file to open, under its original name: written once into
        ``received-copies/…/佐证材料/`` beside the workspace. ``which`` is its place in the package (第17项/名称.pdf),
        its name, or its number in ``evidence()`` (from 1)."""
        import tempfile

        from ipdesk.reports.files import safe_part, write_bytes_into

        item = self._require(unit, period, version)
        files = city_store.evidence(self._ws.db, item.id)
        chosen = None
        if which.isdigit() and 1 <= int(which) <= len(files):
            chosen = files[int(which) - 1]
        else:
            chosen = next((f for f in files if which in (f.path, f.file_name)), None)
        if chosen is None:
            listed = "、".join(f.path for f in files) or "（无）"
            raise InvalidInput(f"该报告没有佐证材料“{which}”；清单中有：{listed}")
        if chosen.state != "verified":
            raise InvalidInput(f"佐证材料“{chosen.path}”{chosen.state_label}，没有可打开的副本")
        stored = self._ws.evidence.stored_copy(chosen.sha256, Path(chosen.file_name).suffix.lower()[:16])
        base = self._ws.path.parent if self._ws.path is not None else Path(tempfile.gettempdir())
        folder = base / "received-copies" / f"{safe_part(item.unit)}_{safe_part(item.period)}_v{item.version}"
        target = folder / chosen.path
        if target.is_file() and target.stat().st_size == chosen.size:
            return target
        return write_bytes_into(target.parent, target.name, stored.read_bytes())

    def comments(self, unit: str | Unit, period: str | Period, version: int | None = None) -> list[ReturnComment]:
        item = self._require(unit, period, version)
        whole = [ReturnComment(None, item.comment)] if item.comment else []
        return whole + city_store.comments(self._ws.db, item.id)

    def accept(self, unit: str | Unit, period: str | Period) -> ReceivedReturn:
        """接收 the newest version received."""
        self._check_side()
        self.claim()
        item = self._require(unit, period)
        new = next_status(item.status, ReportAction.ACCEPT, self._what(item))
        city_store.decide(self._ws.db, item, new, self._ws.actor)
        return self._require(unit, period)

    def return_to_unit(
        self,
        unit: str | Unit,
        period: str | Period,
        comment: str,
        task_comments: dict[int, str] | None,
        folder: str | Path,
        passphrase: str,
        signer: str | None = None,
        create: bool = False,
    ) -> Path:
        """退回 the newest version with the office's comments, signed with the office's key into a feedback file.

        The decision and the signed file are stored together, in one transaction; the file is then written into
        ``folder``, with the printable 退回意见 (a one-page PDF of the same name, see ``feedback_letter``) beside it.
        Should that fail (a full or pulled USB stick) the return stays decided and ``write_feedback``
        writes the same signed file again."""
        from ipdesk.exchange import feedback as feedback_file
        from ipdesk.reports.files import write_bytes_into

        self._check_side()
        self.claim()
        ws = self._ws
        item = self._require(unit, period)
        new = next_status(item.status, ReportAction.RETURN, self._what(item))
        comment = comment.strip()
        tasks = {seq: text.strip() for seq, text in (task_comments or {}).items() if text and text.strip()}
        if not comment and not tasks:
            raise InvalidInput("退回时请写明意见（对整份报告或对具体任务）")
        known = {t.seq for t in self._read(item).tasks}
        unknown = sorted(set(tasks) - known)
        if unknown:
            raise InvalidInput(f"第 {'、'.join(map(str, unknown))} 项任务不在该单位的报告中")
        identity = self._unlock(passphrase, signer, create)
        name = person_name(signer or ws.settings.get(ws.settings.REVIEWER_NAME) or identity.signer, "经办人")
        unit_record = ws.units.get(item.unit)
        content = feedback_file.Feedback(
            plan_code=ws.plan.code,
            plan_sha256=ws.plan_sha256,
            unit=item.unit,
            unit_code=unit_record.code,
            period=item.period,
            version=item.version,
            return_sha256=item.document_sha256,
            comment=comment,
            task_comments=tuple(ReturnComment(seq, text) for seq, text in sorted(tasks.items())),
            decided_at=dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
            decided_by=name,
            office=self.name,
        )
        data = feedback_file.signed_bytes(content, identity)
        file_name = feedback_file.file_name(content)
        with ws.db.atomic():  # the decision and the signed file it sends, together
            city_store.decide(ws.db, item, new, name, comment, list(content.task_comments))
            city_store.keep_feedback(ws.db, item.id, file_name, data, hashlib.sha256(data).hexdigest())
        try:
            written = write_bytes_into(Path(folder), file_name, data)
            self._write_letter(content, file_name, data, Path(folder))
        except InvalidInput as error:
            raise InvalidInput(
                f"已退回，退回意见已签署并保存在工作区中；但写出文件失败：{error}。"
                "请换一个文件夹“重新写出退回意见”（ipdesk city feedback）"
            ) from error
        return written

    def _write_letter(self, content: Feedback, file_name: str, data: bytes, folder: Path) -> Path:
        """The printable 退回意见 (PDF) beside the signed file, with that file's SHA-256 in its footer."""
        from ipdesk.exchange import feedback_letter
        from ipdesk.reports import fonts
        from ipdesk.reports.files import write_atomically

        ws = self._ws
        names: dict[int, str] = {}
        for comment in content.task_comments:
            if comment.task_seq is None:
                continue
            try:
                names[comment.task_seq] = ws.tasks.get(comment.task_seq).name
            except InvalidInput:  # a task of another plan's version: its number alone
                pass
        font = fonts.register(ws.settings.get(ws.settings.PDF_FONT))
        fonts.check_printable(font, feedback_letter.texts(content, names))
        sha = hashlib.sha256(data).hexdigest()
        target = folder / feedback_letter.letter_name(file_name)
        return write_atomically(
            target, lambda path: feedback_letter.write_letter(content, file_name, sha, names, path, font)
        )

    def letter_name(self, unit: str | Unit, period: str | Period, version: int | None = None) -> str:
        """The name of the printable 退回意见 written beside the signed feedback file ("" when there is none)."""
        from ipdesk.exchange.feedback_letter import letter_name

        kept = self.feedback_file_name(unit, period, version)
        return letter_name(kept) if kept else ""

    def feedback_file_name(self, unit: str | Unit, period: str | Period, version: int | None = None) -> str:
        """The name of the signed feedback file kept for a version that was returned ("" when there is none)."""
        kept = city_store.feedback(self._ws.db, self._require(unit, period, version).id)
        return kept[0] if kept else ""

    def write_feedback(
        self, unit: str | Unit, period: str | Period, folder: str | Path, version: int | None = None
    ) -> Path:
        """Write out again the signed feedback file the office sent with its 退回 (a lost USB stick), and the
        printable letter beside it."""
        from ipdesk.reports.files import write_bytes_into

        item = self._require(unit, period, version)
        kept = city_store.feedback(self._ws.db, item.id)
        if kept is None:
            raise InvalidInput(f"{self._what(item)}没有退回意见文件（未被退回，或在 ipdesk 较早的版本中退回）")
        name, data = kept
        written = write_bytes_into(Path(folder), name, data)
        from ipdesk.exchange.feedback import content_of

        self._write_letter(content_of(data, name), name, data, Path(folder))
        return written

    def unlock(self, passphrase: str, signer: str | None = None, create: bool = False) -> Identity:
        """The office's signing identity, unlocked with ``passphrase`` (made first when ``create`` and missing)."""
        return self._unlock(passphrase, signer, create)

    def _unlock(self, passphrase: str, signer: str | None, create: bool) -> Identity:
        keys = self._ws.signoff.keys
        if not keys.exists(self.name):
            if not create:
                raise InvalidInput(f"{self.name}还没有签署密钥：请先创建（ipdesk keys create）并把证书发给各单位登记")
            self.create_identity(passphrase, signer)
        return keys.unlock(self.name, passphrase)

    def _what(self, item: ReceivedReturn) -> str:
        return f"{item.unit}{as_period(item.period).chinese}的报告（v{item.version}）"

    def export_files(self, unit: str | Unit, period: str | Period, folder: str | Path) -> list[Path]:
        """Write the received files of the newest version into ``folder`` (to open or print them)."""
        from ipdesk.reports.files import write_bytes_into

        return [write_bytes_into(Path(folder), name, content) for name, content in self.files(unit, period).values()]

    def unit_groups(self) -> list[str]:
        """The groups units are filtered by: 市级部门, 区县, 开发区（新区）."""
        return list(dict.fromkeys(kind.group for kind in UnitKind))


@dataclass(frozen=True)
class OfficeSettings:
    """The office's settings: its reporting rhythm, first collected month, deadline day, light thresholds, the person
    who works it and the phone, the PDF font, and the 通报's 发文机关标志, 发文字号 pattern and 抄送."""

    rhythm: PeriodKind
    collecting_from: Period | None  # None: the plan's whole span
    due_day: int
    green: float
    yellow: float
    person: str
    phone: str
    pdf_font: str
    notice_office: str = ""  # "" the plan's office name
    notice_number: str = ""  # {年} the year, N the number the office fills in
    notice_copy_to: str = ""

    def to_dict(self) -> dict:
        return {
            "rhythm": self.rhythm.value,
            "from": self.collecting_from.code if self.collecting_from else "",
            "deadline_day": self.due_day,
            "green": self.green,
            "yellow": self.yellow,
            "person": self.person,
            "phone": self.phone,
            "pdf_font": self.pdf_font,
            "notice_office": self.notice_office,
            "notice_number": self.notice_number,
            "notice_copy_to": self.notice_copy_to,
        }


def _fraction(value: float) -> str:
    """A light threshold as stored: 0.95; 95 (a percentage) is read as 0.95."""
    if value != value:
        raise InvalidInput("预警阈值应为数字，如 0.95 或 95%")
    return f"{value / 100 if value > 1.5 else value:g}"


class FeedbackInbox:
    """A unit reading the city office's feedback file (退回意见)."""

    def __init__(self, ws: Workspace):
        self._ws = ws

    def import_file(self, path: str | Path) -> FeedbackImport:
        """Verify the feedback against the office's registered certificate, mark the version 已退回 with the
        comments and open version n+1 as a draft. Importing the same feedback again changes nothing."""
        from ipdesk.exchange import feedback as feedback_file

        ws = self._ws
        if ws.kind == ws.CITY:
            raise InvalidInput("这是市领导小组办公室的汇总工作区；退回意见应在单位的填报工作区导入")
        checked = feedback_file.read(Path(path), ws.trust.registered("city"), ws.plan.office_name)
        item = checked.feedback
        if item.plan_code != ws.plan.code:
            here = any(p.code == item.plan_code for p in ws.plans.all())
            hint = "，请先切换到该方案（ipdesk plan use）再导入" if here else ""
            raise InvalidInput(f"该退回意见属于另一个方案（{item.plan_code}），未导入{hint}")
        unit = ws.units.get(item.unit)
        if item.unit_code and unit.code and item.unit_code != unit.code:
            raise InvalidInput(f"该退回意见的单位代码（{item.unit_code}）与本方案不符，未导入")
        when = as_period(item.period)
        versions = {v.version: v for v in ws.reports.versions(unit, when)}
        returned = versions.get(item.version)
        signed = ws.signoff.signed(unit, when, item.version) if returned else None
        if returned is None or signed is None:
            raise InvalidInput(
                f"本工作区中没有{unit.name}{when.chinese}已签署的第 {item.version} 版，该退回意见无法对应"
            )
        sha = hashlib.sha256(signed_text(ws, unit.name, when, item.version).encode("utf-8")).hexdigest()
        if sha != item.return_sha256:
            raise InvalidInput(f"该退回意见针对的报送文件与本工作区签署的第 {item.version} 版内容不同，未导入")
        if returned.status is ReportStatus.RETURNED:
            current = ws.reports.state(unit, when)
            assert current is not None  # the report has versions, the returned one among them
            return FeedbackImport(unit.name, when, item.version, current, False, item.comments())
        task_comments = {c.task_seq: c.comment for c in item.task_comments if c.task_seq is not None}
        if max(versions) != item.version:
            # The unit has already begun a later version (修订): the comments are recorded on the version returned
            # and shown beside the later one, which is where they are answered.
            ws.reports.record_return(unit, when, item.version, item.comment, task_comments)
            current = ws.reports.state(unit, when)
            assert current is not None  # the report has versions, the returned one among them
            return FeedbackImport(unit.name, when, item.version, current, True, item.comments())
        state = ws.reports.act(unit, when, ReportAction.RETURN, item.comment, task_comments)
        return FeedbackImport(unit.name, when, item.version, state, True, item.comments())


@dataclass(frozen=True)
class FeedbackImport:
    unit: str
    period: Period
    returned_version: int
    state: ReportState  # of the newest version afterwards (the new draft)
    imported: bool  # False when this feedback had been imported before
    comments: list[ReturnComment]


def signed_text(ws: Workspace, unit: str, period: Period, version: int) -> str:
    """The exact text the unit signed for ``version``."""
    from ipdesk.store import report_store

    record = report_store.signed_record(ws.db, ws.ids.units[unit], period.code, version)
    return record["snapshot_json"] if record else ""

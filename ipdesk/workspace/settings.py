"""Workspace settings and the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.lights import Thresholds
from ipdesk.domain.periods import Period, PeriodKind
from ipdesk.domain.plan import Unit
from ipdesk.store import audit as audit_store
from ipdesk.store import entries_store, settings_store
from ipdesk.workspace.plan import as_period

if TYPE_CHECKING:
    from ipdesk.workspace.core import Workspace


class Settings:
    """Named settings of the workspace; every change is audited."""

    UNIT = "unit"
    CLERK_NAME = "clerk_name"
    CLERK_PHONE = "clerk_phone"
    REVIEWER_NAME = "reviewer_name"
    DUE_DAY = "due_day"
    REPORT_KIND = "report_kind"
    FIRST_PERIOD = "first_period"  # the period from which the unit reports with ipdesk (a code such as 2025-11)
    LIGHT_GREEN = "light_green"
    LIGHT_YELLOW = "light_yellow"
    PDF_FONT = "pdf_font"  # "" the bundled font; simsun, fangsong or simhei where Windows has them
    WORKSPACE_KIND = "workspace_kind"  # "unit" (填报) or "city" (市领导小组办公室汇总); unset for a new workspace
    CITY_FROM = "city_from"  # the first month the city office collects with ipdesk ("" all of the plan's span)
    EVIDENCE_MAIL_MB = "evidence_mail_mb"  # an evidence package larger than this (MB) is offered split at export
    NOTICE_OFFICE = "notice_office"  # the 通报's 发文机关标志 and 印发机关 ("" the plan's office name)
    NOTICE_NUMBER = "notice_number"  # the 发文字号 pattern: {年} the year, N the number the office fills in
    NOTICE_COPY_TO = "notice_copy_to"  # the 通报's 抄送 line ("" left for the office to fill in)

    DEFAULTS: ClassVar[dict[str, str]] = {
        DUE_DAY: "5",
        REPORT_KIND: PeriodKind.MONTH.value,
        LIGHT_GREEN: "0.95",
        LIGHT_YELLOW: "0.85",
        EVIDENCE_MAIL_MB: "20",
    }

    def __init__(self, ws: Workspace):
        self._ws = ws

    def get(self, key: str, default: str | None = None) -> str:
        fallback = self.DEFAULTS.get(key, "") if default is None else default
        return settings_store.read_all(self._ws.db).get(key, fallback)

    def all(self) -> dict[str, str]:
        return {**self.DEFAULTS, **settings_store.read_all(self._ws.db)}

    def set(self, key: str, value: str) -> bool:
        """Change one setting; returns False when it already had that value."""
        return self.update({key: value})

    def update(self, values: dict[str, str]) -> bool:
        """Change several settings together, checked as a whole (so both light thresholds can move at once)."""
        if self._ws.read_only:
            raise InvalidInput("以只读方式打开，不能修改设置")
        values = {key: str(value) for key, value in values.items()}
        for key, value in values.items():
            self._check(key, value, values)
        changed = False
        with self._ws.bulk():
            for key, value in values.items():
                changed = settings_store.write(self._ws.db, key, value, self._ws.actor) or changed
        return changed

    def _check(self, key: str, value: str, pending: dict[str, str]) -> None:
        if key == self.UNIT and value:
            self._ws.units.get(value)
            if self.get(self.WORKSPACE_KIND) == "city":
                raise InvalidInput("这是市领导小组办公室的汇总工作区，不能设置填报单位")
        elif key == self.CITY_FROM and value:
            when = Period.parse(value)
            if when.kind is not PeriodKind.MONTH:
                raise InvalidInput("起始报送期应写成月份，如 2025-09")
            self._ws.plan_period(when)
        elif key == self.NOTICE_NUMBER and value and not ("〔" in value and "〕" in value):
            raise InvalidInput(
                "发文字号应写成“机关代字〔年份〕序号号”，年份用六角括号〔〕，如 市知识产权强市办〔{年}〕N号"
            )
        elif key == self.WORKSPACE_KIND and value not in ("unit", "city"):
            raise InvalidInput("工作区类型应为单位填报（unit）或市领导小组办公室汇总（city）")
        elif key == self.DUE_DAY:
            if not value.isdigit() or not 1 <= int(value) <= 28:
                raise InvalidInput("报送截止日应为每月 1 日至 28 日之间的一天")
        elif key == self.REPORT_KIND:
            try:
                PeriodKind(value)
            except ValueError:
                raise InvalidInput("报送周期应为月、季度、半年或年") from None
        elif key == self.EVIDENCE_MAIL_MB:
            if not value.isdigit() or not 1 <= int(value) <= 2000:
                raise InvalidInput("邮件附件大小上限应为 1 至 2000 之间的整数（MB）")
        elif key == self.FIRST_PERIOD and value:
            self._ws.plan_period(value)
        elif key in (self.LIGHT_GREEN, self.LIGHT_YELLOW):
            values = {key: pending.get(key, self.get(key)) for key in (self.LIGHT_GREEN, self.LIGHT_YELLOW)}
            try:
                Thresholds(float(values[self.LIGHT_GREEN]), float(values[self.LIGHT_YELLOW]))
            except ValueError:
                raise InvalidInput("预警阈值应满足：0 < 黄灯阈值 ≤ 绿灯阈值") from None

    def unit(self) -> Unit | None:
        name = self.get(self.UNIT)
        return self._ws.units.get(name) if name else None

    def due_day(self) -> int:
        return int(self.get(self.DUE_DAY))

    def report_kind(self) -> PeriodKind:
        return PeriodKind(self.get(self.REPORT_KIND))

    def first_period(self) -> Period | None:
        """The period from which the unit reports with ipdesk (earlier ones were reported otherwise); None until
        it has been chosen."""
        code = self.get(self.FIRST_PERIOD)
        return Period.parse(code) if code else None

    def evidence_mail_bytes(self) -> int:
        """Above this size an evidence package is offered split into parts (what office mail takes)."""
        return int(self.get(self.EVIDENCE_MAIL_MB)) * 1024 * 1024

    def thresholds(self) -> Thresholds:
        values = self.all()  # both from one read
        return Thresholds(float(values[self.LIGHT_GREEN]), float(values[self.LIGHT_YELLOW]))


class AuditTrail:
    """Reading and checking the audit log."""

    def __init__(self, ws: Workspace):
        self._ws = ws

    def entries(
        self,
        entity: str | None = None,
        entity_key: str | None = None,
        field: str | None = None,
        limit: int | None = None,
    ) -> list[audit_store.AuditEntry]:
        return audit_store.entries(self._ws.db, entity, entity_key, field, limit)

    def for_progress(
        self, task_seq: int, unit: str | Unit, period: str | Period, field: str | None = None
    ) -> list[audit_store.AuditEntry]:
        ws = self._ws
        name, when = ws.units.name_of(unit), as_period(period)
        found = self.entries("progress", entries_store.progress_key(task_seq, name, when, ws.plan.code), field)
        if ws.plans.current().legacy_audit_keys:  # written before plans owned their units: the key names no plan
            found += self.entries("progress", entries_store.progress_key(task_seq, name, when), field)
            found.sort(key=lambda entry: entry.id, reverse=True)
        return found

    def verify(self) -> int | None:
        """The id of the first broken entry, or None when the chain is intact."""
        return audit_store.verify(self._ws.db)

"""``ws.plans``: the plans in a workspace — which one is current, switching, importing a task list or the city's
signed plan file (a preview first, saved only when accepted), exporting a plan as a task list, the city office
publishing its plan file, and the unit roster task lists are read against.

    preview = ws.plans.read("成都市任务清单.xlsx")        # nothing is saved yet
    print(preview.plan.title, len(preview.rejected_rows))
    ws.plans.save(preview, use=True)                        # saved, and the current plan from now on
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.limits import contact_problem, plan_problem
from ipdesk.domain.plan import Plan, Unit
from ipdesk.domain.unit_lists import normal
from ipdesk.store import audit, plan_store, roster_store
from ipdesk.store.plan_store import PlanRecord

if TYPE_CHECKING:
    from ipdesk.plans.plan_builder import PlanImport, PlanOptions
    from ipdesk.plans.roster import Roster
    from ipdesk.workspace.core import Workspace

__all__ = ["PlanImport", "PlanOptions", "PlanRecord", "Plans", "Roster", "SavedPlan"]


def __getattr__(name: str):
    """``PlanImport`` and ``PlanOptions`` for the window and scripts, read only when a plan is imported; ``Roster``
    when the roster is first asked for (the window opens without it)."""
    if name in ("PlanImport", "PlanOptions"):
        from ipdesk.plans import plan_builder

        return getattr(plan_builder, name)
    if name == "Roster":
        from ipdesk.plans.roster import Roster

        return Roster
    raise AttributeError(name)


@dataclass(frozen=True)
class SavedPlan:
    """What saving an imported plan did: which plan, new or updated, and whether it is now the current one."""

    code: str
    title: str
    outcome: str  # "new", "updated" (a new version of a plan already here) or "same" (nothing to do)
    current: bool
    unit_missing: str = ""  # asked to make it current, but this workspace's unit is not in it (not switched)

    @property
    def label(self) -> str:
        return {"new": "已保存", "updated": "已更新为新版本", "same": "工作区中已是这一版本"}[self.outcome]


class Plans:
    def __init__(self, ws: Workspace):
        self._ws = ws

    # -- the plans here -------------------------------------------------------------------------------------
    def all(self) -> list[PlanRecord]:
        return plan_store.plans(self._ws.db)

    def current(self) -> PlanRecord:
        return next(p for p in self.all() if p.id == self._ws.plan_id)

    def find(self, code: str) -> PlanRecord:
        """The plan with ``code`` (or the only one whose code or title contains it)."""
        plans = self.all()
        exact = [p for p in plans if p.code == code.strip()]
        found = exact or [p for p in plans if code.strip() and (code.strip() in p.code or code.strip() in p.title)]
        if len(found) == 1:
            return found[0]
        listed = "、".join(p.code for p in plans)
        if not found:
            raise InvalidInput(f"工作区中没有方案“{code}”；现有方案：{listed}")
        raise InvalidInput(f"“{code}”对应多个方案，请写出方案代码：{'、'.join(p.code for p in found)}")

    def get(self, code: str) -> Plan:
        return plan_store.read_plan(self._ws.db, self.find(code).id)

    def use(self, code: str, unit: str | None = None) -> Plan:
        """Make the plan ``code`` the current one: the window, the commands and the city's views work on it.

        A unit's workspace keeps its unit: the unit of the same name, or of the same code, in the plan chosen; when
        that plan has neither, ``unit`` says which of its units this workspace reports for (else ``InvalidInput``).
        """
        ws = self._ws
        record = self.find(code)
        if record.id == ws.plan_id:
            return ws.plan
        self._writable()
        configured = ws.settings.get(ws.settings.UNIT)
        target = plan_store.read_plan(ws.db, record.id)
        names = [u.name for u in target.units]
        own = self.unit_in(target, configured) if configured else None
        if unit is not None:
            wanted = normal(unit)
            partial = [n for n in names if wanted and wanted in normal(n)]
            own = next((n for n in names if normal(n) == wanted), None) or (partial[0] if len(partial) == 1 else None)
            if own is None:
                listed = f"：{'、'.join(partial)}" if partial else ""
                raise InvalidInput(f"方案“{target.title}”中没有唯一的单位“{unit}”{listed}")
        if configured and own is None:
            raise InvalidInput(
                f"方案“{target.title}”中没有本单位“{configured}”：请指定本单位在该方案中的名称"
                "（命令行加 --unit 单位，程序窗口中切换时会询问）"
            )
        previous = ws.plan_id
        try:
            with ws.db.atomic():
                plan_store.set_active(ws.db, record.id, ws.actor)
                ws.load_plan(record.id)
                if own is not None and own != configured:
                    ws.settings.set(ws.settings.UNIT, own)
        except BaseException:
            active = plan_store.active_plan_id(ws.db)  # the switch was rolled back
            ws.load_plan(active if active is not None else previous)
            raise
        return ws.plan

    def unit_in(self, plan: Plan, name: str) -> str | None:
        """The unit of ``plan`` that is the current plan's unit ``name``: the same name, or the same code."""
        if any(u.name == name for u in plan.units):
            return name
        code = next((u.code for u in self._ws.plan.units if u.name == name), "")
        return next((u.name for u in plan.units if code and u.code == code), None)

    def remove(self, code: str) -> PlanRecord:
        """Remove a plan nobody has entered, signed or received anything against (never the current one)."""
        ws = self._ws
        self._writable()
        record = self.find(code)
        if record.id == ws.plan_id:
            raise InvalidInput(f"方案 {record.code} 是当前方案，不能删除；请先切换到另一个方案")
        plan_store.delete_plan(ws.db, record.id, ws.actor)
        return record

    def _writable(self) -> None:
        if self._ws.read_only:
            raise InvalidInput("以只读方式打开，不能修改：另一个 ipdesk 正在修改这个数据库")

    # -- the roster -------------------------------------------------------------------------------------------
    def roster(self, city: str | None = None) -> Roster:
        """The units of ``city`` (default: the current plan's) that task lists are read against: the roster ipdesk
        ships for it, with this workspace's changes and additions."""
        city = city if city is not None else self._ws.plan.city
        from ipdesk.plans.roster import Roster, shipped_rosters

        shipped = shipped_rosters().get(city, Roster(city))
        kept = roster_store.entries(self._ws.db, city)
        changed = {unit.name: (unit, removed) for unit, removed in kept}
        units = []
        for unit in shipped.units:
            if unit.name in changed:
                replacement, removed = changed.pop(unit.name)
                if not removed:
                    units.append(replacement)
            else:
                units.append(unit)
        units += [unit for unit, removed in changed.values() if not removed]
        units = [dataclasses.replace(u, sort_order=n) for n, u in enumerate(units, 1)]
        return dataclasses.replace(shipped, units=tuple(units))

    def save_roster(self, city: str, units: list[Unit]) -> Roster:
        """Make ``units`` the roster of ``city`` (units of the shipped roster left out are hidden)."""
        from ipdesk.plans.roster import Roster, shipped_rosters  # when first used: the window opens without it

        self._writable()
        names = {u.name for u in units}
        gone = [u.name for u in self.roster(city).units if u.name not in names]
        shipped = {u.name: u for u in shipped_rosters().get(city, Roster(city)).units}
        kept = {unit.name for unit, _ in roster_store.entries(self._ws.db, city)}

        def as_shipped(unit: Unit) -> bool:
            other = shipped.get(unit.name)
            fields = ("kind", "short_name", "code", "aliases", "note")
            return other is not None and all(getattr(unit, f) == getattr(other, f) for f in fields)

        numbered = [dataclasses.replace(u, sort_order=n) for n, u in enumerate(units, 1)]
        changed = [u for u in numbered if u.name in kept or not as_shipped(u)]  # the shipped roster stays shipped
        roster_store.save(self._ws.db, city, changed, gone, self._ws.actor)
        return self.roster(city)

    def import_roster(self, path: str | Path, city: str | None = None) -> tuple[Roster, list[tuple[int, str]]]:
        """Read a roster workbook and make it the roster of ``city``; rows that cannot be read are returned and, if
        there are any, nothing is saved."""
        from ipdesk.plans.roster import read_roster_with_contacts

        units, rejected, contacts = read_roster_with_contacts(Path(path))
        city = city if city is not None else self._ws.plan.city
        if rejected:
            return self.roster(city), rejected
        if not units:
            raise InvalidInput(f"“{Path(path).name}”中没有单位")
        with self._ws.db.atomic():
            roster = self.save_roster(city, units)
            roster_store.save_contacts(self._ws.db, city, contacts, self._ws.actor)
        return roster, []

    def contacts(self, city: str | None = None) -> dict[str, tuple[str, str]]:
        """Unit → (联系人, 联系电话) of the roster of ``city`` (the current plan's by default): whom 催报 calls."""
        return roster_store.contacts(self._ws.db, city if city is not None else self._ws.plan.city)

    def set_contact(self, unit: str, person: str, phone: str, city: str | None = None) -> None:
        """Change the contact person and phone of ``unit`` (both empty: none)."""
        self._writable()
        person, phone = " ".join(person.split()), " ".join(phone.split())
        problem = contact_problem(person, phone)  # the same rule as a roster workbook's columns
        if problem:
            raise InvalidInput(problem)
        name = self._ws.units.name_of(unit)
        roster_store.save_contacts(
            self._ws.db, city if city is not None else self._ws.plan.city, {name: (person, phone)}, self._ws.actor
        )

    def export_roster(self, path: str | Path, city: str | None = None) -> Path:
        from ipdesk.plans.roster import write_roster_workbook
        from ipdesk.reports.files import write_atomically

        roster = self.roster(city)
        contacts = self.contacts(roster.city)
        return write_atomically(_xlsx(path), lambda temp: write_roster_workbook(roster, temp, contacts))

    # -- importing --------------------------------------------------------------------------------------------
    def read(self, path: str | Path, options: PlanOptions | None = None) -> PlanImport:
        """What the task-list workbook (or the city's signed plan file) at ``path`` holds; nothing is saved."""
        from ipdesk.exchange import plan_file

        path = Path(path)
        if plan_file.is_plan_file(path):
            return self._read_plan_file(path)
        from ipdesk.plans.plan_builder import build_plan
        from ipdesk.plans.task_list import read_book

        book = read_book(path)
        preview = build_plan(book, self.roster, options)
        problem = plan_problem(preview.plan) if preview.plan is not None else ""
        if problem:
            raise InvalidInput(f"“{path.name}”中的内容无效：{problem}，未导入")
        self._compare(preview)
        return preview

    def _read_plan_file(self, path: Path) -> PlanImport:
        from ipdesk.domain.returns import TrustedCertificate
        from ipdesk.exchange import plan_file
        from ipdesk.plans.plan_builder import PlanImport

        ws = self._ws
        trusted = ws.trust.registered("city")
        own = ws.city.identity()
        if own is not None:  # the office reading a plan file it signed itself
            trusted.append(TrustedCertificate(own.fingerprint, own.unit, "city", ""))
        checked = plan_file.read(path, trusted)
        preview = PlanImport(
            str(path),
            "plan_file",
            checked.plan,
            fields={"code": checked.plan.code, "title": checked.plan.title, "city": checked.plan.city},
            signed_by=f"{checked.office}（{checked.published_by or checked.signer}）",
            published_at=checked.published_at,
            fingerprint=checked.fingerprint,
        )
        preview.notes.append(
            f"方案文件由{checked.office}于 {_when(checked.published_at)} 签发，签名有效"
            f"（证书指纹 {checked.fingerprint}）"
        )
        preview.file_text = checked.text
        self._compare(preview)
        return preview

    def _compare(self, preview: PlanImport) -> None:
        """Against the version of the same plan already here: the same, an update (with what it changes under the
        work already recorded), or a file older than the one imported before — those need the user's confirmation."""
        from ipdesk.domain.plan_changes import compare
        from ipdesk.exchange import plan_file
        from ipdesk.plans.canonical import plan_sha256

        plan = preview.plan
        if plan is None:
            return
        record = next((p for p in self.all() if p.code == plan.code), None)
        if record is None:
            preview.existing = ""
            return
        db = self._ws.db
        old = plan_store.read_plan(db, record.id)
        if (old.city, old.office_name) != (plan.city, plan.office_name):
            raise InvalidInput(
                f"工作区中的方案 {record.code} 属于{old.city}（{old.office_name}），而“{Path(preview.source).name}”"
                f"属于{plan.city}（{plan.office_name}）：不能用另一城市的方案替换它，未导入"
            )
        preview.existing = "same" if plan_sha256(old) == plan_sha256(plan) else "update"
        if preview.existing != "update":
            return
        preview.notes.append(f"工作区中已有方案 {record.code} 的另一版本：保存后将更新为这一版本，已填报的内容保留")
        changes = compare(old, plan, plan_store.recorded_work(db, record.id))
        if changes.lost:
            preview.notes.append(
                f"新版本删去了已有填报或报送记录的{'、'.join(changes.lost)}：不能保存，请与市局核实方案文件"
            )
        preview.cautions += changes.changed
        kept = plan_store.plan_file_text(db, record.id) if preview.origin == "plan_file" else None
        if kept:
            before, signed_with = plan_file.publication(kept)
            if _earlier(preview.published_at, before):
                preview.cautions.append(
                    f"这份方案文件签发于 {_when(preview.published_at)}，早于工作区中已导入的方案文件"
                    f"（签发于 {_when(before)}）：可能是一份旧文件"
                )
            if signed_with and signed_with != preview.fingerprint:
                preview.cautions.append(
                    f"这份方案文件的签发证书（指纹 {preview.fingerprint}）与此前导入的方案文件（指纹 {signed_with}）"
                    "不同：请向市局电话核实其是否更换了证书"
                )

    def save(
        self,
        preview: PlanImport,
        accept_rejects: bool = False,
        use: bool = False,
        unit: str | None = None,
        confirmed: bool = False,
    ) -> SavedPlan:
        """Save a plan read with ``read``: a new plan, or a new version of one already here (same code); with ``use``
        make it the current plan (see ``use`` for the workspace's unit, which ``unit`` names in the new plan).
        A preview with ``cautions`` is saved only ``confirmed``."""
        from ipdesk.plans.canonical import plan_sha256

        ws = self._ws
        self._writable()
        plan = preview.plan
        if plan is None:
            raise InvalidInput(f"方案还不完整，未保存：缺少{'、'.join(preview.missing) or '方案内容'}")
        if preview.rejected_rows and not accept_rejects:
            raise InvalidInput(
                f"有 {len(preview.rejected_rows)} 行无法读取，未保存。请修改文件后重新导入，"
                "或确认忽略这些行后再保存（命令行加 --accept-rejects）"
            )
        if preview.cautions and not confirmed:
            more = f"等 {len(preview.cautions)} 条" if len(preview.cautions) > 1 else ""
            raise InvalidInput(f"请先核对提醒：{preview.cautions[0]}{more}。确认无误后再保存（命令行加 --confirm）")
        origin = preview.origin
        detail = Path(preview.source).name
        if origin == "plan_file":
            detail = f"{detail}；{preview.signed_by}；{preview.published_at}；证书指纹 {preview.fingerprint}"
        file_text = preview.file_text or None
        record = next((p for p in self.all() if p.code == plan.code), None)
        new_sha = plan_sha256(plan)
        with ws.db.atomic():
            if record is None:
                plan_store.save_plan(ws.db, plan, ws.actor, make_active=False, origin=origin, origin_detail=detail,
                                     plan_file=file_text)  # fmt: skip
                outcome = "new"
            else:
                old_sha = plan_sha256(plan_store.read_plan(ws.db, record.id))
                outcome = "same" if old_sha == new_sha else "updated"
                if outcome == "updated":
                    plan_store.update_plan(
                        ws.db, record.id, plan, ws.actor, old_sha, new_sha, origin, detail, file_text
                    )
            if origin == "task_list" and preview.new_units:
                known = self.roster(plan.city)
                added = [
                    dataclasses.replace(u, sort_order=len(known.units) + n, aliases=())
                    for n, u in enumerate((u for u in plan.units if u.name in preview.new_units), 1)
                    if known.unit(u.name) is None
                ]
                if added:
                    roster_store.save(ws.db, plan.city, added, [], ws.actor)
            plan_id = plan_store.plan_id_of(ws.db, plan.code)
            assert plan_id is not None
        if plan_id == ws.plan_id and outcome == "updated":
            configured = ws.settings.get(ws.settings.UNIT)
            ws.load_plan(plan_id)
            if configured and not any(u.name == configured for u in ws.plan.units):
                return SavedPlan(plan.code, plan.title, outcome, True, configured)
        missing = ""
        if use and plan_id != ws.plan_id:
            try:
                self.use(plan.code, unit)
            except InvalidInput:
                missing = ws.settings.get(ws.settings.UNIT)
                if not missing:
                    raise
        return SavedPlan(plan.code, plan.title, outcome, plan_id == ws.plan_id, missing)

    # -- exporting --------------------------------------------------------------------------------------------
    def export(self, path: str | Path, code: str | None = None) -> Path:
        """Write the plan (default: the current one) as a task-list workbook that imports back as the same plan."""
        from ipdesk.plans.task_list_export import write_task_list
        from ipdesk.reports.files import write_atomically

        plan = self.get(code) if code else self._ws.plan
        return write_atomically(_xlsx(path), lambda temp: write_task_list(plan, temp))

    def publish(self, folder: str | Path, passphrase: str, signer: str | None = None, create: bool = False) -> Path:
        """The city office: write the current plan as a plan file signed with the office's key, for every unit to
        import (``read`` and ``save`` at the unit, verified against the office's registered certificate)."""
        from ipdesk.domain.reports import person_name
        from ipdesk.exchange import plan_file
        from ipdesk.plans.canonical import plan_sha256
        from ipdesk.reports.files import write_bytes_into

        ws = self._ws
        if ws.kind == ws.UNIT:
            raise InvalidInput("方案文件由市领导小组办公室签发；这是单位的填报工作区，不能签发方案文件")
        self._writable()
        ws.set_kind(ws.CITY)
        identity = ws.city.unlock(passphrase, signer, create)
        name = person_name(signer or ws.settings.get(ws.settings.REVIEWER_NAME) or identity.signer, "经办人")
        data = plan_file.signed_bytes(ws.plan, identity, name)
        target = write_bytes_into(Path(folder), plan_file.file_name(ws.plan), data)
        with ws.db.atomic():
            audit.record(ws.db, name, "insert", "plan_file", ws.plan.code, [("sha256", None, plan_sha256(ws.plan))])
        return target


def _xlsx(path: str | Path) -> Path:
    from ipdesk.reports.files import make_folder

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        target = target.with_name(target.name + ".xlsx")
    make_folder(target.parent)
    return target


def _when(stamp: str) -> str:
    return stamp[:16].replace("T", " ")


def _earlier(stamp: str, than: str) -> bool:
    """Whether the moment ``stamp`` comes before ``than`` (ISO 8601, any offset); False when either is unreadable."""
    import datetime as dt

    try:
        first, second = dt.datetime.fromisoformat(stamp), dt.datetime.fromisoformat(than)
        if (first.tzinfo is None) != (second.tzinfo is None):
            first, second = first.replace(tzinfo=None), second.replace(tzinfo=None)
        return first < second
    except ValueError:
        return False

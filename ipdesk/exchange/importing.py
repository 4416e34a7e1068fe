"""Receiving units' signed returns: which files to read, and whether each may be stored.

A file is accepted only when verification says 有效 with a certificate registered here (a superseded key only for
what it signed before it was replaced), and the return is for a plan of this workspace (the plan it names, with the
same content), names a unit of it
with that unit's code, is a period within the plan's span that has begun, and is not sample data. Everything else
is refused with its reason; a refused file changes nothing. Storing is the workspace's business (one transaction
per file, ``ipdesk.workspace.city``); this module only decides.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509

from ipdesk.domain.errors import InvalidInput, os_error_text
from ipdesk.domain.periods import Period
from ipdesk.domain.reports import ReportStatus
from ipdesk.domain.returns import ImportOutcome, TrustedCertificate
from ipdesk.exchange.trust import replaced_key_note, replaced_key_problem, signing_moment
from ipdesk.reports.evidence_package import is_package, parts_beside
from ipdesk.reports.return_format import ReturnDocument
from ipdesk.signing.verify import VerdictStatus, verify_file

MAX_RETURN_FILE = 50 * 1024 * 1024  # a return is a few hundred KB
# A signing time later than the receiving computer's clock by more than this is refused: clocks of offices' PCs
# drift by minutes, and time zones by hours, never by a day.
CLOCK_TOLERANCE = dt.timedelta(days=1)
RETURN_SUFFIXES = (".xlsx", ".pdf")


Outcome = ImportOutcome  # the name the exchange modules and tests use


@dataclass(frozen=True)
class ImportResult:
    file: str
    outcome: Outcome
    reason: str = ""
    unit: str = ""
    period: str = ""
    version: int | None = None

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "unit": self.unit,
            "period": self.period,
            "version": self.version,
        }


@dataclass(frozen=True)
class PlanFacts:
    """What a return is checked against in one plan: its title and content hash, its units' codes, its span."""

    title: str
    sha256: str
    unit_codes: dict[str, str]  # unit name → code
    span: tuple[dt.date, dt.date]


@dataclass(frozen=True)
class ImportContext:
    """What a return is checked against: the workspace's current plan (and its other plans: a return is checked
    against the plan it names), its units and the trusted certificates."""

    plan_code: str
    plan_title: str
    plan_sha256: str
    unit_codes: dict[str, str]  # unit name → code
    span: tuple[dt.date, dt.date]
    trusted: tuple[TrustedCertificate, ...]
    today: dt.date
    received_on: dt.date | None = None  # when the office received the files (default: today)
    other_plans: dict[str, PlanFacts] = field(default_factory=dict)  # plan code → facts
    clock: dt.datetime | None = None  # the receiving computer's clock (aware; default: now)

    def certificates(self) -> list[x509.Certificate]:
        return list(_certificates(tuple(t.pem for t in self.trusted if t.kind == "unit")))

    def plans(self) -> dict[str, PlanFacts]:
        """Every plan of the workspace, the current one first."""
        current = PlanFacts(self.plan_title, self.plan_sha256, self.unit_codes, self.span)
        return {self.plan_code: current, **self.other_plans}


@functools.lru_cache(maxsize=4)  # read once per import, not once per file
def _certificates(pems: tuple[bytes, ...]) -> tuple[x509.Certificate, ...]:
    return tuple(x509.load_pem_x509_certificate(pem) for pem in pems)


@dataclass(frozen=True)
class Incoming:
    """A verified return, ready to be stored, with the files it came in."""

    path: Path
    document: ReturnDocument
    fingerprint: str
    files: tuple[tuple[str, str, bytes, str], ...] = field(default=())  # (kind, name, content, sha256)
    warning: str = ""  # accepted, but the office should know (signed with a key since replaced)
    received_on: dt.date | None = None  # the day the office received it, when not today
    plan_code: str = ""  # the workspace's plan the return was checked against
    evidence_parts: tuple[Path, ...] = ()  # the evidence package (or its parts) found beside the file

    @property
    def unit(self) -> str:
        return self.document.snapshot.header.units[0]

    @property
    def period(self) -> str:
        return self.document.snapshot.header.period

    @property
    def version(self) -> int:
        return self.document.snapshot.header.version

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.document.text.encode("utf-8")).hexdigest()


def collect(paths: list[Path]) -> tuple[list[Path], list[ImportResult]]:
    """The return files among ``paths`` (folders are searched, with their subfolders), and a refusal for each path
    that cannot be one. A ``.p7s`` travels with its workbook and is not imported on its own."""
    found: list[Path] = []
    refused: list[ImportResult] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in RETURN_SUFFIXES and not p.name.startswith(("~$", "."))
            )
        elif not path.exists():
            refused.append(ImportResult(str(path), Outcome.REFUSED, "找不到该文件或文件夹"))
        elif is_package(path):
            beside = [p for p in path.parent.glob("*") if p.suffix.lower() in RETURN_SUFFIXES]
            if not any(path.stem.startswith(p.stem) for p in beside):
                refused.append(
                    ImportResult(
                        str(path), Outcome.REFUSED, "佐证材料包随同名报送文件一起导入：请把它和报送文件放在同一文件夹"
                    )
                )
        elif path.suffix.lower() == ".p7s":
            refused.append(
                ImportResult(str(path), Outcome.REFUSED, "分离式签名文件随同名工作簿一起导入：请导入对应的 .xlsx 文件")
            )
        elif path.suffix.lower() not in RETURN_SUFFIXES:
            refused.append(ImportResult(str(path), Outcome.REFUSED, "不是报送文件（应为 ipdesk 签署的 .xlsx 或 .pdf）"))
        else:
            found.append(path)
    return list(dict.fromkeys(found)), refused


def examine(path: Path, context: ImportContext) -> Incoming | ImportResult:
    """Verify one file and check it against the workspace; a refusal says why."""

    def refuse(reason: str, unit: str = "", period: str = "", version: int | None = None) -> ImportResult:
        return ImportResult(str(path), Outcome.REFUSED, reason, unit, period, version)

    try:
        size = path.stat().st_size
    except OSError as error:
        return refuse(f"无法读取文件：{os_error_text(error)}")
    if size > MAX_RETURN_FILE:
        return refuse(f"文件过大（{size // 1024 // 1024} MB），不是报送文件")
    verdict = verify_file(path, context.certificates())
    facts = (verdict.unit, verdict.period, verdict.version)
    if verdict.status is VerdictStatus.NOT_IPDESK:
        if _made_by_ipdesk(path):
            return refuse("这是 ipdesk 导出的未签署文件（草稿），须由审核人签署后再报送")
        return refuse(f"不是 ipdesk 签署的报送文件：{verdict.detail}")
    if not verdict.valid:
        return refuse(f"{verdict.status.value}：{verdict.detail}", *facts)
    document = verdict.document
    if document is None:  # a format-1 PDF: its signature covers no return data, only the printed form
        return refuse("这是格式1（ipdesk 0.1）签署的 PDF，不含报送数据：请导入同名的 .xlsx 工作簿", *facts)
    header = document.snapshot.header
    future = _signed_in_the_future(header.signed_at, context.clock or dt.datetime.now(dt.UTC))
    if future:
        return refuse(future, *facts)
    trusted = next((t for t in context.trusted if t.fingerprint == verdict.fingerprint), None)
    if trusted is None:
        return refuse("签名证书未在本工作区登记", *facts)
    replaced = replaced_key_problem(trusted, header.signed_at, "报送文件")
    if replaced:
        return refuse(replaced, *facts)
    warning = replaced_key_note(trusted, header.signed_at)
    problem, plan_code = _mismatch(document, context)
    if problem:
        return refuse(problem, *facts)
    files = tuple(_files(path, verdict.fingerprint))
    parts = tuple(parts_beside(path))
    return Incoming(
        path, document, verdict.fingerprint, files, warning=warning, plan_code=plan_code, evidence_parts=parts
    )


def _signed_in_the_future(signed_at: str, clock: dt.datetime) -> str:
    """Why a signing time cannot be true ("" when it can): later than this computer's clock by more than a day."""
    moment = signing_moment(signed_at) if signed_at else None
    if signed_at and moment is None:
        return f"签署时间“{signed_at[:40]}”无法识别"
    if moment is not None and moment > clock + CLOCK_TOLERANCE:
        return (
            f"签署时间 {_shown(moment)} 晚于本机时间 {_shown(clock)}（允许误差 1 天）："
            "签署方或本机的时钟有误，请核实后重新签署或校正本机时间"
        )
    return ""


def _shown(moment: dt.datetime) -> str:
    """A moment as the clerk reads it, in this computer's time zone (built from numbers: no locale in a format)."""
    local = moment.astimezone()
    return f"{local.year}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"


def _mismatch(document: ReturnDocument, context: ImportContext) -> tuple[str, str]:
    """Why the return cannot be stored ("" when it can), and the code of the workspace's plan it belongs to."""
    h = document.snapshot.header
    if h.sample:
        return "这是用示例数据生成的报告（示例数据），不能作为正式报送", ""
    if h.status != ReportStatus.SIGNED.value:
        return f"报告状态为“{h.status_label}”，不是签署的报送文件", ""
    plans = context.plans()
    if document.major >= 2:
        if h.plan_code not in plans:
            here = "、".join(plans)
            return f"属于另一个方案（{h.plan_code or '未注明'}），本工作区没有该方案（本工作区的方案：{here}）", ""
        code = h.plan_code
        if h.plan_sha256 != plans[code].sha256:
            return "填报所依据的方案内容与本工作区的方案不一致（同一方案的不同版本），请先统一方案文件", code
    else:
        code = next((c for c, facts in plans.items() if facts.title == h.plan_title), "")
        if not code:
            return f"属于另一个方案（{h.plan_title}）", ""
    facts = plans[code]
    unit = h.units[0]
    if unit not in facts.unit_codes:
        return f"“{unit}”不是本方案的责任单位", code
    if document.major >= 2 and h.unit_codes and h.unit_codes[0] != facts.unit_codes[unit]:
        return f"单位代码不符：文件中为 {h.unit_codes[0]}，本方案中“{unit}”的代码为 {facts.unit_codes[unit]}", code
    try:
        period = Period.parse(h.period)
    except InvalidInput:
        return f"报送期“{h.period}”无法识别", code
    start, end = facts.span
    if period.end < start or period.start > end:
        span = f"{start.year}年{start.month}月—{end.year}年{end.month}月"  # from numbers: no strftime with 年
        return f"报送期 {period.chinese} 不在方案实施期内（{span}）", code
    if period.start > context.today:
        return f"报送期 {period.chinese} 尚未开始", code
    return "", code


def _made_by_ipdesk(path: Path) -> bool:
    """Whether an unsigned file is one ipdesk exported (a draft), by the creator it names."""
    try:
        if path.suffix.lower() == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                return (
                    re.search(rb"<dc:creator[^>]*>ipdesk</dc:creator>", archive.read("docProps/core.xml")) is not None
                )
        with path.open("rb") as handle:
            return b"/Creator (ipdesk)" in handle.read(4 * 1024 * 1024)
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return False


def _files(path: Path, fingerprint: str) -> list[tuple[str, str, bytes, str]]:
    """The file, and for a workbook its ``.p7s`` when one lies beside it and signs exactly these bytes with the
    certificate that signed the return."""
    content = path.read_bytes()
    kind = path.suffix.lower().lstrip(".")
    found = [(kind, path.name, content, hashlib.sha256(content).hexdigest())]
    p7s = path.with_name(path.name + ".p7s")
    if kind == "xlsx" and p7s.is_file() and p7s.stat().st_size < 1024 * 1024:
        from ipdesk.signing.cms import check_detached

        signature = p7s.read_bytes()
        try:
            check = check_detached(signature, content)
        except (ValueError, KeyError, IndexError, TypeError):
            return found
        from ipdesk.signing.identity import fingerprint as fingerprint_of

        same_signer = check.certificate is not None and fingerprint_of(check.certificate) == fingerprint
        if check.digest_matches and check.signature_valid and same_signer:
            found.append(("p7s", p7s.name, signature, hashlib.sha256(signature).hexdigest()))
    return found

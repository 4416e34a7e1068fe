"""``ipdesk sign``, ``ipdesk revise``, ``ipdesk verify``, ``ipdesk keys``: signing a report, the next version after a
signed one, verifying received files, and the signing key of the unit (or of the city office)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ipdesk.cli.common import EXIT_OK, EXIT_REFUSED, Command, emit, open_workspace, passphrase, reviewer

if TYPE_CHECKING:
    from cryptography import x509


def register(command: Command) -> None:
    sign = command(
        "sign", "签署：审核人用签署口令签署已提交的报告，该期数据随即锁定（第一次签署时创建签署密钥）", cmd_sign
    )
    sign.add_argument("--unit", required=True, metavar="单位", help="单位全称或其中唯一的一段")
    sign.add_argument("--period", required=True, metavar="报送期", help="如 2025-11、2025Q3")
    sign.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="文件",
        help="从文件第一行读取签署口令（供脚本使用）；不给出时在终端输入",
    )
    sign.add_argument(
        "--reviewer",
        metavar="姓名",
        help="签署的审核人姓名（默认：设置中的审核人；都没有时在终端询问）。签署人必须是具名的人",
    )
    revise = command(
        "revise", "修订：在已签署的报告之后新建一个可修改的版本（已签署的版本及其文件保持不变）", cmd_revise
    )
    revise.add_argument("--unit", required=True, metavar="单位", help="单位全称或其中唯一的一段")
    revise.add_argument("--period", required=True, metavar="报送期", help="如 2025-11、2025Q3")
    verify = command(
        "verify", "验证报送文件（xlsx、pdf、p7s）：有效 / 已被修改 / 签名人未知 / 不是ipdesk文件 / 文件损坏", cmd_verify
    )
    verify.add_argument("files", nargs="+", type=Path, metavar="文件", help="要验证的文件")
    verify.add_argument(
        "--trust",
        action="append",
        type=Path,
        default=[],
        metavar="证书",
        help="信任的单位证书（.cer/.pem，可多次给出）；工作区已登记的证书总是信任",
    )
    keys = command(
        "keys",
        "签署密钥：查看证书（keys show）、导出证书交对方登记（keys export-cert）、创建（keys create）；"
        "在市局汇总工作区中是市领导小组办公室的密钥",
        cmd_keys,
    )
    keys.add_argument(
        "action",
        choices=["show", "export-cert", "create", "import"],
        help="show 查看；export-cert 导出证书；create 创建签署密钥；import 导入市局签发的 PKCS#12（--file）",
    )
    keys.add_argument("--unit", metavar="单位", help="单位（默认：设置中的本单位）")
    keys.add_argument("--reviewer", metavar="姓名", help="create：证书持有人（审核人或经办人）姓名")
    keys.add_argument("--out", type=Path, metavar="文件", help="导出证书的文件名（默认：单位名.cer）")
    keys.add_argument("--file", type=Path, metavar="文件", help="要导入的 .p12/.pfx 文件（import 时）")
    keys.add_argument("--passphrase-file", type=Path, metavar="文件", help="从文件第一行读取 PKCS#12 的口令")


def cmd_sign(args: argparse.Namespace) -> int:
    from ipdesk.domain.periods import Period

    period = Period.parse(args.period)
    with open_workspace(args) as ws:
        unit = ws.units.find(args.unit)
        signer = reviewer(args, ws)
        creating = ws.signoff.identity(unit) is None
        state = ws.signoff.sign(unit, period, passphrase(args, creating), create=True, reviewer=signer)
        identity = ws.signoff.identity(unit)
        assert identity is not None
        data = {
            "unit": unit.name,
            "period": period.code,
            "version": state.version,
            "status": state.status.value,
            "signer": state.signed_by,
            "fingerprint": identity.fingerprint,
            "created_identity": creating,
        }
        lines = [
            f"已签署：{unit.name}{period.chinese}（v{state.version}），签署人 {state.signed_by}",
            f"证书指纹（SHA-256）：{identity.fingerprint}",
            "用 ipdesk export 导出签署后的文件",
        ]
        if creating:
            lines.insert(0, "已创建本单位的签署密钥；请用 ipdesk keys export-cert 导出证书交市局登记")
        return emit(args, data, lambda: "\n".join(lines))


def cmd_revise(args: argparse.Namespace) -> int:
    from ipdesk.domain.periods import Period

    period = Period.parse(args.period)
    with open_workspace(args) as ws:
        unit = ws.units.find(args.unit)
        version = ws.signoff.revise(unit, period)
        data = {"unit": unit.name, "period": period.code, "version": version}
        return emit(args, data, lambda: f"已新建{period.chinese}的第 {version} 版，可以修改；之前已签署的版本保持不变")


def cmd_verify(args: argparse.Namespace) -> int:
    from cryptography import x509

    from ipdesk.domain.errors import InvalidInput, IpdeskError
    from ipdesk.domain.periods import chinese_datetime
    from ipdesk.workspace.signoff import SignOff

    trusted: list[x509.Certificate] = []
    for path in args.trust:
        try:
            data = path.read_bytes()
            trusted.append(
                x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else x509.load_der_x509_certificate(data)
            )
        except (OSError, ValueError) as error:
            raise InvalidInput(f"无法读取证书文件：{path}") from error
    from ipdesk.paths import default_database_path

    if (args.db or default_database_path()).exists():  # never create a workspace just to verify files
        from ipdesk.workspace import Workspace

        try:  # read-only: verifying neither takes the writer's place nor makes the day's backup
            with Workspace(args.db, read_only=True) as ws:
                trusted += ws.signoff.trusted()
        except IpdeskError:
            pass  # verifying needs no workspace; without a usable one only --trust counts
    verdicts = [SignOff.verify_with(path, trusted) for path in args.files]
    listing = [v.to_dict() for v in verdicts]

    def table() -> str:
        lines = []
        for v in verdicts:
            lines.append(f"{v.status.value}　{v.file}")
            if v.unit:
                lines.append(
                    f"　　{v.unit}　{v.period}　v{v.version}　签署人 {v.signer}　{chinese_datetime(v.signed_at)}"
                    f"　方案 {v.plan or '（未记录）'}　格式 {v.format}"
                )
            lines.append(f"　　{v.detail}")
        return "\n".join(lines)

    emit(args, listing, table)
    return EXIT_OK if all(v.valid for v in verdicts) else EXIT_REFUSED


def cmd_keys(args: argparse.Namespace) -> int:
    from ipdesk.domain.errors import InvalidInput

    with open_workspace(args) as ws:
        city = ws.kind == ws.CITY
        if city:
            if args.unit:
                raise InvalidInput("这是市领导小组办公室的汇总工作区，这里的签署密钥是市局的；不要加 --unit")
            holder = ws.city.name
        else:
            name = args.unit or ws.settings.get(ws.settings.UNIT)
            if not name:
                raise InvalidInput("请用 --unit 指定单位（或先在程序的设置中选择本单位）")
            holder = ws.units.find(name).name

        if args.action == "import":
            if city:
                raise InvalidInput("市局汇总工作区不导入单位的 PKCS#12")
            if args.file is None:
                raise InvalidInput("请用 --file 指定要导入的 PKCS#12 文件")
            ws.signoff.import_identity(holder, args.file, passphrase(args, creating=False))
        elif args.action == "create":
            from ipdesk.domain.reports import person_name

            existing = ws.city.identity() if city else ws.signoff.identity(holder)
            if existing is not None:
                raise InvalidInput(f"“{holder}”已有签署密钥（指纹 {existing.fingerprint}）")
            signer = person_name(args.reviewer or ws.settings.get(ws.settings.REVIEWER_NAME), "证书持有人")
            secret = passphrase(args, creating=True)
            if city:
                ws.city.create_identity(secret, signer)
            else:
                ws.signoff.create_identity(holder, secret, signer)
        identity = ws.city.identity() if city else ws.signoff.identity(holder)
        if identity is None:
            how = "ipdesk keys create" if city else "审核人第一次签署（ipdesk sign）时或用 ipdesk keys create"
            raise InvalidInput(f"“{holder}”还没有签署密钥；{how}创建")
        certificate = identity.certificate
        data = {
            "unit": holder,
            "signer": identity.signer,
            "fingerprint": identity.fingerprint,
            "not_before": certificate.not_valid_before_utc.isoformat(),
            "not_after": certificate.not_valid_after_utc.isoformat(),
        }
        if args.action == "export-cert":
            target = args.out or Path(f"{holder}.cer")
            ws.signoff.export_certificate(holder, target)
            data["file"] = str(target)
        lines = [
            f"{'市局' if city else '单位'}：{holder}",
            f"证书持有人：{identity.signer}",
            f"证书指纹（SHA-256）：{identity.fingerprint}",
            f"有效期：{certificate.not_valid_before_utc:%Y-%m-%d} 至 {certificate.not_valid_after_utc:%Y-%m-%d}",
        ]
        if args.action == "create":
            lines.insert(0, "已创建签署密钥")
        if "file" in data:
            lines.append(f"证书已导出：{data['file']}（请对方电话核对指纹后登记）")
        return emit(args, data, lambda: "\n".join(lines))

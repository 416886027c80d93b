"""``motcua replay CODE``: the processing-control slip, straight from the dossier's events."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from application.access_log import AccessContext
from application.errors import DossierNotFound
from domain.actor import Actor, Role
from ops.settings import Settings

CLI_AUDITOR = Actor(id="cli", role=Role.AUDITOR, name="motcua replay")


def print_slip(settings: Settings, code: str, reason: str = "motcua replay") -> int:
    from ops.wiring import build_container

    console = Console()
    container = build_container(settings, projections=False)
    try:
        try:
            rows = container.services.audit.history(CLI_AUDITOR, code, AccessContext(ip="cli", reason=reason))
        except DossierNotFound:
            console.print(f"[red]Không tìm thấy hồ sơ / dossier not found:[/red] {code}")
            return 1
        zone = ZoneInfo(settings.timezone)
        table = Table(title=f"Phiếu kiểm soát quá trình giải quyết hồ sơ {code}")
        for column in ("#", "thời điểm / at (local)", "sự kiện / event", "người / actor", "đơn vị / unit", "TT", "bước / step", "đánh giá"):
            table.add_column(column)
        for row in rows:
            at = row.at.astimezone(zone)
            table.add_row(
                str(row.version), at.strftime("%Y-%m-%d %H:%M"), row.event, f"{row.actor_role} {row.actor_id[:8]}",
                row.actor_unit or "", str(row.national_status), row.step_name or "", row.grade or "",
            )
        console.print(table)
        return 0
    finally:
        container.close()

"""Turning index pages into wire pages (shared by the applicant's list and the worklist)."""

from __future__ import annotations

from api.dossier_schemas import DossierListItem, DossierPage
from application.dossier_queries import DossierQueries, Listing


def to_page(listing: Listing, queries: DossierQueries) -> DossierPage:
    return DossierPage(
        items=[
            DossierListItem(
                code=r.code, procedure_code=r.procedure_code, procedure_name=r.procedure_name, channel=r.channel,
                applicant_name=r.applicant_name, receiving_unit=r.receiving_unit, current_unit=r.current_unit,
                current_officer=r.current_officer, status=r.status, national_status=r.national_status,
                submitted_at=r.submitted_at, received_at=r.received_at, appointment=r.appointment,
                original_due=r.original_due, waiting=r.waiting, overdue=queries.overdue(r), ended_at=r.ended_at,
                version=r.version,
            )
            for r in listing.page.items
        ],
        next_cursor=listing.page.next_cursor,
        caught_up=listing.caught_up,
        position=listing.position,
    )

"""JSON routes of the data lake: search office documents, read one with its quality indicators."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from ipops.core.bounds import PageLimit
from ipops.lake import service
from ipops.lake.store import LakeStore

router = APIRouter(prefix="/lake", tags=["lake"])


def store_of(request: Request) -> LakeStore:
    """The lake configured for this app."""
    return service.open_store(request.app.state.settings.lake_dir)


@router.get("/documents")
def search_documents(
    request: Request,
    limit: PageLimit,
    q: Annotated[str | None, Query(max_length=200, description="title or abstract, any language")] = None,
    applicant: Annotated[str | None, Query(max_length=200)] = None,
    ipc: Annotated[
        str | None, Query(max_length=20, description="IPC/CPC prefix, e.g. H01L or G06F 16")
    ] = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    office: Annotated[str | None, Query(max_length=2)] = None,
    ip_type: str | None = None,
) -> list[dict[str, Any]]:
    """Search lake documents by title/abstract, applicant, IPC prefix, filing date, office and type."""
    return service.search(
        store=store_of(request),
        text=q,
        applicant=applicant,
        ipc=ipc,
        date_from=date_from,
        date_to=date_to,
        office=office,
        ip_type=ip_type,
        limit=limit,
    )


@router.get("/documents/{doc_id}")
def get_document(doc_id: str, request: Request) -> dict[str, Any]:
    """One document with parties, classifications, citations, priorities, legal events and OECD indicators."""
    return service.document_detail(store=store_of(request), doc_id=doc_id)


@router.get("/stats")
def lake_stats(request: Request) -> dict[str, Any]:
    """What the lake holds."""
    return service.lake_summary(store=store_of(request))

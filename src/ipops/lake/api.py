"""JSON routes of the data lake: search office documents, read one with its quality indicators."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from ipops.core.bounds import PageLimit
from ipops.lake import service
from ipops.lake.store import LakeStore

router = APIRouter(prefix="/lake", tags=["lake"])


def store_of(request: Request) -> LakeStore:
    """The lake configured for this app."""
    return service.open_store(request.app.state.settings.lake_dir)


Text = Annotated[str | None, Query(max_length=200, description="words of the title, abstract, applicants")]
Applicant = Annotated[str | None, Query(max_length=200, description="words of an applicant's name")]
Ipc = Annotated[str | None, Query(max_length=20, description="IPC/CPC prefix, e.g. H01L or G06F 16")]
Office = Annotated[str | None, Query(max_length=2)]
IpType = Annotated[str | None, Query(max_length=40)]
Region = Annotated[str | None, Query(pattern=r"^\d{6}$", description="GB/T 2260 code of an applicant")]
Field = Annotated[str | None, Query(pattern=r"^\d{1,2}$", description="WIPO technology field (1-35)")]
Offset = Annotated[int, Query(ge=0, le=10_000)]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("/documents")
def search_documents(
    request: Request,
    response: Response,
    limit: PageLimit,
    q: Text = None,
    applicant: Applicant = None,
    ipc: Ipc = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    office: Office = None,
    ip_type: IpType = None,
    region: Region = None,
    field: Field = None,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """Lake documents ranked by BM25 with highlights; the total is in X-Total-Count (facets: /search)."""
    page = service.search_page(
        store=store_of(request),
        text=q,
        applicant=applicant,
        ipc=ipc,
        date_from=date_from,
        date_to=date_to,
        office=office,
        ip_type=ip_type,
        region=region,
        field=field,
        offset=offset,
        limit=limit,
        facets=(),
    )
    response.headers["X-Total-Count"] = str(page["total"])
    items: list[dict[str, Any]] = page["items"]
    return items


@router.get("/search")
def search_page(
    request: Request,
    q: Text = None,
    applicant: Applicant = None,
    ipc: Ipc = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    office: Office = None,
    ip_type: IpType = None,
    region: Region = None,
    field: Field = None,
    offset: Offset = 0,
    limit: Limit = 20,
) -> dict[str, Any]:
    """One page of ranked lake documents with the total and counts per office, filing year and field."""
    return service.search_page(
        store=store_of(request),
        text=q,
        applicant=applicant,
        ipc=ipc,
        date_from=date_from,
        date_to=date_to,
        office=office,
        ip_type=ip_type,
        region=region,
        field=field,
        offset=offset,
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

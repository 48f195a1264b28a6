"""HTML routes of the data lake: a search page with HTMX results and a document page with indicators."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ipops.lake import service
from ipops.lake.api import store_of
from ipops.web.templating import render

router = APIRouter(prefix="/lake", include_in_schema=False)

INDICATOR_ROWS = (
    ("forward_citations_window", "forward_citations_window_norm"),
    ("backward_citations", "backward_citations_norm"),
    ("family_size", "family_size_norm"),
    ("claims", "claims_norm"),
    ("patent_scope", "patent_scope_norm"),
    ("originality", "originality_norm"),
    ("generality", "generality_norm"),
    ("radicalness", "radicalness_norm"),
    ("grant_lag_days", "grant_lag_norm"),
)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


PAGE_SIZE = 20


@router.get("", response_class=HTMLResponse)
def lake_search(
    request: Request,
    q: Annotated[str, Query(max_length=200)] = "",
    applicant: Annotated[str, Query(max_length=200)] = "",
    ipc: Annotated[str, Query(max_length=20)] = "",
    date_from: str = "",
    date_to: str = "",
    office: Annotated[str, Query(max_length=2)] = "",
    ip_type: Annotated[str, Query(max_length=40)] = "",
    region: Annotated[str, Query(pattern=r"^(\d{6})?$")] = "",
    field: Annotated[str, Query(pattern=r"^(\d{1,2})?$")] = "",
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> Response:
    """Search office documents (ranked, with facets and highlights); HTMX requests get only the results."""
    store = store_of(request)
    filters = {
        "q": q,
        "applicant": applicant,
        "ipc": ipc,
        "date_from": date_from,
        "date_to": date_to,
        "office": office,
        "ip_type": ip_type,
        "region": region,
        "field": field,
    }
    page = service.search_page(
        store=store,
        text=q,
        applicant=applicant,
        ipc=ipc,
        date_from=_date(date_from),
        date_to=_date(date_to),
        office=office,
        ip_type=ip_type,
        region=region,
        field=field,
        offset=offset,
        limit=PAGE_SIZE,
    )
    template = "lake/_results.html" if request.headers.get("hx-request") == "true" else "lake/search.html"
    kept = {name: value for name, value in filters.items() if value}
    context = {
        "results": page["items"],
        "page": page,
        "filters": filters,
        "query_of": lambda **changes: urlencode({**kept, **changes, "offset": changes.get("offset", 0)}),
    }
    if template == "lake/search.html":
        context["summary"] = service.lake_summary(store=store)
    return render(request, template, context)


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def lake_document(doc_id: str, request: Request) -> Response:
    """One document with its parties, classes, citations and OECD quality indicators."""
    detail = service.document_detail(store=store_of(request), doc_id=doc_id)
    return render(request, "lake/document.html", {"detail": detail, "indicator_rows": INDICATOR_ROWS})

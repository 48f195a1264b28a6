"""HTML routes for the IP registry: browse with HTMX filters, create, view and edit."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ipops.alliance.service import list_organisations
from ipops.assets import service
from ipops.assets.models import EventKind, IpType, LegalStatus
from ipops.assets.schemas import AssetCreate, AssetFilter, AssetUpdate, EventCreate, OwnerIn, TransferRequest
from ipops.core.authz import Action, RecordScope, Visibility, can
from ipops.core.errors import DomainError
from ipops.web.deps import PrincipalDep, SignedInDep, UowDep
from ipops.web.forms import error_lines, split_list
from ipops.web.templating import render

router = APIRouter(prefix="/assets", include_in_schema=False)


def _choices() -> dict[str, Any]:
    return {"ip_types": list(IpType), "statuses": list(LegalStatus), "visibilities": list(Visibility)}


@router.get("", response_class=HTMLResponse)
def asset_list(
    request: Request,
    uow: UowDep,
    actor: PrincipalDep,
    filters: Annotated[AssetFilter, Depends()],
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """The registry list; HTMX requests get only the results table."""
    result = service.list_assets(uow=uow, actor=actor, filters=filters, page=page, size=20)
    context = {"result": result, "filters": filters, **_choices()}
    template = "assets/_table.html" if request.headers.get("hx-request") == "true" else "assets/list.html"
    return render(request, template, context)


@router.get("/new", response_class=HTMLResponse)
def asset_new(request: Request, uow: UowDep, actor: SignedInDep) -> Response:
    """The form for a new asset."""
    orgs = list_organisations(uow=uow, actor=actor)
    return render(request, "assets/form.html", {"orgs": orgs, "errors": [], "form": {}, **_choices()})


@router.post("/new", response_class=HTMLResponse)
def asset_create(
    request: Request,
    uow: UowDep,
    actor: SignedInDep,
    ip_type: Annotated[str, Form()],
    title: Annotated[str, Form()],
    owner_org_id: Annotated[str, Form()] = "",
    owner_name: Annotated[str, Form()] = "",
    title_en: Annotated[str, Form()] = "",
    application_number: Annotated[str, Form()] = "",
    application_date: Annotated[str, Form()] = "",
    legal_status: Annotated[str, Form()] = "pending",
    visibility: Annotated[str, Form()] = "private",
    ipc_classes: Annotated[str, Form()] = "",
    nice_classes: Annotated[str, Form()] = "",
    region_code: Annotated[str, Form()] = "",
    abstract: Annotated[str, Form()] = "",
) -> Response:
    """Create an asset from the form, or show the form again with the errors."""
    form = {
        "ip_type": ip_type,
        "title": title,
        "owner_org_id": owner_org_id,
        "owner_name": owner_name,
        "title_en": title_en,
        "application_number": application_number,
        "application_date": application_date,
        "legal_status": legal_status,
        "visibility": visibility,
        "ipc_classes": ipc_classes,
        "nice_classes": nice_classes,
        "region_code": region_code,
        "abstract": abstract,
    }
    errors: list[str] = []
    try:
        owner = OwnerIn(org_id=int(owner_org_id)) if owner_org_id else OwnerIn(name=owner_name or None)
        data = AssetCreate(
            ip_type=IpType(ip_type),
            title=title,
            title_en=title_en or None,
            abstract=abstract or None,
            application_number=application_number or None,
            application_date=dt.date.fromisoformat(application_date) if application_date else None,
            legal_status=LegalStatus(legal_status),
            visibility=Visibility(visibility),
            ipc_classes=split_list(ipc_classes),
            nice_classes=[int(n) for n in split_list(nice_classes)],
            region_code=region_code or None,
            owners=[owner],
        )
        created = service.create_asset(uow=uow, actor=actor, data=data)
        return RedirectResponse(f"/assets/{created.id}", status_code=303)
    except (ValidationError, DomainError, ValueError) as exc:
        errors = error_lines(request, exc)
    orgs = list_organisations(uow=uow, actor=actor)
    return render(
        request,
        "assets/form.html",
        {"orgs": orgs, "errors": errors, "form": form, **_choices()},
        status_code=422,
    )


@router.get("/{asset_id}", response_class=HTMLResponse)
def asset_detail(asset_id: int, request: Request, uow: UowDep, actor: PrincipalDep) -> Response:
    """One asset with owners and history."""
    asset = service.get_asset(uow=uow, actor=actor, asset_id=asset_id)
    scope = RecordScope(
        alliance_id=asset.alliance_id,
        region_code=asset.region_code,
        visibility=asset.visibility,
        owner_org_ids=frozenset(o.org_id for o in asset.owners if o.org_id is not None),
    )
    return render(
        request,
        "assets/detail.html",
        {
            "asset": asset,
            "can_edit": can(actor, Action.UPDATE, scope),
            "can_transfer": can(actor, Action.TRANSFER, scope) and not asset.pledged,
            "orgs": list_organisations(uow=uow, actor=actor) if actor.is_authenticated else [],
            "event_kinds": [k for k in EventKind if k not in SPECIAL_EVENTS],
            "errors": [],
            **_choices(),
        },
    )


SPECIAL_EVENTS = (EventKind.TRANSFERRED, EventKind.PLEDGED, EventKind.PLEDGE_RELEASED, EventKind.UPDATED)


def _detail_with_errors(
    request: Request, uow: UowDep, actor: SignedInDep, asset_id: int, errors: list[str]
) -> Response:
    asset = service.get_asset(uow=uow, actor=actor, asset_id=asset_id)
    context = {
        "asset": asset,
        "can_edit": True,
        "can_transfer": not asset.pledged,
        "orgs": list_organisations(uow=uow, actor=actor),
        "event_kinds": [k for k in EventKind if k not in SPECIAL_EVENTS],
        "errors": errors,
        **_choices(),
    }
    return render(request, "assets/detail.html", context, status_code=422)


@router.post("/{asset_id}/events", response_class=HTMLResponse)
def asset_record_event(
    asset_id: int,
    request: Request,
    uow: UowDep,
    actor: SignedInDep,
    kind: Annotated[str, Form()],
    occurred_on: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    """Record a legal event from the detail page."""
    try:
        data = EventCreate(
            kind=EventKind(kind), occurred_on=dt.date.fromisoformat(occurred_on), note=note or None
        )
        service.record_event(uow=uow, actor=actor, asset_id=asset_id, data=data)
        return RedirectResponse(f"/assets/{asset_id}", status_code=303)
    except (ValidationError, DomainError, ValueError) as exc:
        return _detail_with_errors(request, uow, actor, asset_id, error_lines(request, exc))


@router.post("/{asset_id}/transfer", response_class=HTMLResponse)
def asset_transfer(
    asset_id: int,
    request: Request,
    uow: UowDep,
    actor: SignedInDep,
    version: Annotated[int, Form()],
    new_owner_org_id: Annotated[str, Form()],
    occurred_on: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    """Transfer the asset to one organisation from the detail page."""
    try:
        data = TransferRequest(
            version=version,
            new_owners=[OwnerIn(org_id=int(new_owner_org_id))],
            occurred_on=dt.date.fromisoformat(occurred_on),
            note=note or None,
        )
        service.transfer_asset(uow=uow, actor=actor, asset_id=asset_id, data=data)
        return RedirectResponse(f"/assets/{asset_id}", status_code=303)
    except (ValidationError, DomainError, ValueError) as exc:
        return _detail_with_errors(request, uow, actor, asset_id, error_lines(request, exc))


@router.get("/{asset_id}/edit", response_class=HTMLResponse)
def asset_edit(asset_id: int, request: Request, uow: UowDep, actor: SignedInDep) -> Response:
    """The edit form."""
    asset = service.get_asset(uow=uow, actor=actor, asset_id=asset_id)
    return render(request, "assets/edit.html", {"asset": asset, "errors": [], **_choices()})


@router.post("/{asset_id}/edit", response_class=HTMLResponse)
def asset_update(
    asset_id: int,
    request: Request,
    uow: UowDep,
    actor: SignedInDep,
    version: Annotated[int, Form()],
    title: Annotated[str, Form()],
    title_en: Annotated[str, Form()] = "",
    legal_status: Annotated[str, Form()] = "pending",
    visibility: Annotated[str, Form()] = "private",
    ipc_classes: Annotated[str, Form()] = "",
    nice_classes: Annotated[str, Form()] = "",
) -> Response:
    """Save the edit form."""
    try:
        data = AssetUpdate(
            version=version,
            title=title,
            title_en=title_en or None,
            legal_status=LegalStatus(legal_status),
            visibility=Visibility(visibility),
            ipc_classes=split_list(ipc_classes),
            nice_classes=[int(n) for n in split_list(nice_classes)],
        )
        service.update_asset(uow=uow, actor=actor, asset_id=asset_id, data=data)
        return RedirectResponse(f"/assets/{asset_id}", status_code=303)
    except (ValidationError, DomainError, ValueError) as exc:
        errors = error_lines(request, exc)
    asset = service.get_asset(uow=uow, actor=actor, asset_id=asset_id)
    return render(
        request, "assets/edit.html", {"asset": asset, "errors": errors, **_choices()}, status_code=422
    )

"""HTML routes for the IP registry: browse with HTMX filters, create, view and edit."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ipops.alliance.service import list_organisations
from ipops.assets import service
from ipops.assets.encumbrance_rules import Act
from ipops.assets.ip_types import EventKind, IpType, LegalStatus
from ipops.assets.schemas import (
    SPECIAL_EVENTS,
    AssetCreate,
    AssetFilter,
    AssetUpdate,
    ConsentCreate,
    EventCreate,
    OwnerIn,
    TransferRequest,
)
from ipops.core.authz import Action, Principal, Visibility
from ipops.core.errors import DomainError
from ipops.web.deps import PrincipalDep, SignedInDep, UowDep
from ipops.web.forms import error_lines, split_list
from ipops.web.guards import require_may
from ipops.web.templating import render

router = APIRouter(prefix="/assets", include_in_schema=False)


def _choices() -> dict[str, Any]:
    return {
        "ip_types": list(IpType),
        "statuses": list(LegalStatus),
        "visibilities": [v for v in Visibility if v != Visibility.RESTRICTED],  # trade secrets are, by type
    }


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
    """The form for a new asset (owners' and the region's administrators' accounts)."""
    require_may(actor, "asset", Action.CREATE)
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
    require_may(actor, "asset", Action.CREATE)
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


def _detail(
    request: Request,
    uow: UowDep,
    actor: Principal,
    asset_id: int,
    errors: list[str],
    *,
    status_code: int = 200,
) -> Response:
    asset, actions = service.get_asset_with_actions(uow=uow, actor=actor, asset_id=asset_id)
    consents = (
        service.list_consents(uow=uow, actor=actor, asset_id=asset_id) if actor.is_authenticated else []
    )
    grants = service.list_access(uow=uow, actor=actor, asset_id=asset_id) if Action.GRANT in actions else []
    return render(
        request,
        "assets/detail.html",
        {
            "asset": asset,
            "actions": actions,
            "joint": sum(1 for o in asset.owners) > 1,
            "consents": consents,
            "grants": grants,
            "consent_acts": [a for a in Act],
            "orgs": list_organisations(uow=uow, actor=actor) if actor.is_authenticated else [],
            "event_kinds": [k for k in EventKind if k not in SPECIAL_EVENTS],
            "errors": errors,
            **_choices(),
        },
        status_code=status_code,
    )


@router.get("/{asset_id}", response_class=HTMLResponse)
def asset_detail(asset_id: int, request: Request, uow: UowDep, actor: PrincipalDep) -> Response:
    """One asset with owners, encumbrances and history, and the forms of the acts the reader may take."""
    return _detail(request, uow, actor, asset_id, [])


def _detail_with_errors(
    request: Request, uow: UowDep, actor: SignedInDep, asset_id: int, errors: list[str]
) -> Response:
    return _detail(request, uow, actor, asset_id, errors, status_code=422)


def _require_on(uow: UowDep, actor: Principal, asset_id: int, action: str) -> None:
    """404 or 403 unless the actor may take `action` on the asset (before a form is shown or posted)."""
    service.require_asset_action(uow=uow, actor=actor, asset_id=asset_id, action=action)


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
    """Record a legal event from the detail page (the region's office)."""
    _require_on(uow, actor, asset_id, Action.RECORD_LEGAL_EVENT)
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
    _require_on(uow, actor, asset_id, Action.TRANSFER)
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
    """The edit form (owners and the region's administrators)."""
    _require_on(uow, actor, asset_id, Action.UPDATE)
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
    visibility: Annotated[str, Form()] = "private",
    ipc_classes: Annotated[str, Form()] = "",
    nice_classes: Annotated[str, Form()] = "",
) -> Response:
    """Save the edit form."""
    _require_on(uow, actor, asset_id, Action.UPDATE)
    try:
        data = AssetUpdate(
            version=version,
            title=title,
            title_en=title_en or None,
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


@router.post("/{asset_id}/ownership/{decision}", response_class=HTMLResponse)
def asset_ownership(
    asset_id: int, decision: str, request: Request, uow: UowDep, actor: SignedInDep
) -> Response:
    """Accept or decline the share the actor's organisation was named for."""
    _require_on(uow, actor, asset_id, Action.ACCEPT_OWNERSHIP)
    try:
        if decision == "accept":
            service.accept_ownership(uow=uow, actor=actor, asset_id=asset_id)
        elif decision == "decline":
            service.decline_ownership(uow=uow, actor=actor, asset_id=asset_id)
        else:
            raise ValueError(f"unknown decision {decision}")
        return RedirectResponse(f"/assets/{asset_id}", status_code=303)
    except (ValidationError, DomainError, ValueError) as exc:
        return _detail_with_errors(request, uow, actor, asset_id, error_lines(request, exc))


@router.post("/{asset_id}/consents", response_class=HTMLResponse)
def asset_consent(
    asset_id: int,
    request: Request,
    uow: UowDep,
    actor: SignedInDep,
    action: Annotated[str, Form()],
    counterparty_org_id: Annotated[str, Form()] = "",
    terms: Annotated[str, Form()] = "",
) -> Response:
    """Consent, as a co-owner or as the pledgee, to one act."""
    _require_on(uow, actor, asset_id, Action.CONSENT)
    try:
        data = ConsentCreate(
            action=Act(action),
            counterparty_org_id=int(counterparty_org_id) if counterparty_org_id else None,
            terms=terms or None,
        )
        service.give_consent(uow=uow, actor=actor, asset_id=asset_id, data=data)
        return RedirectResponse(f"/assets/{asset_id}", status_code=303)
    except (ValidationError, DomainError, ValueError) as exc:
        return _detail_with_errors(request, uow, actor, asset_id, error_lines(request, exc))

"""HTML routes: sign in, sign out and the language switch."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ipops.alliance import service
from ipops.alliance.api import client_of
from ipops.alliance.models import Alliance, OrgKind
from ipops.alliance.schemas import OrganisationCreate, OrganisationRead
from ipops.core.authz import Principal, Role
from ipops.core.errors import DomainError, ErrorCode, error_title
from ipops.web.deps import LOCALE_COOKIE, SESSION_COOKIE, PrincipalDep, SignedInDep, UowDep, request_locale
from ipops.web.forms import error_lines
from ipops.web.i18n import normalise_locale
from ipops.web.templating import render

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only same-site relative redirects, never an open redirect."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:  # noqa: A002 - the query parameter's name
    """The sign-in page."""
    return render(request, "login.html", {"next": safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    uow: UowDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",  # noqa: A002
) -> Response:
    """Check credentials, set the session cookie and go on."""
    try:
        issued = service.log_in(
            uow=uow, username=username, password=password, client=client_of(request), kind="session"
        )
    except DomainError as exc:
        message = error_title(exc.code, request_locale(request))
        return render(
            request,
            "login.html",
            {"next": safe_next(next), "error": message, "username": username},
            status_code=exc.status,
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=settings.session_hours * 3600,
    )
    if issued.user.locale:
        response.set_cookie(LOCALE_COOKIE, issued.user.locale, samesite="lax", max_age=365 * 86400)
    return response


@router.post("/logout")
def logout(request: Request, uow: UowDep) -> Response:
    """Revoke the session and clear the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        service.log_out(uow=uow, token=token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/alliance", response_class=HTMLResponse)
def alliance_page(request: Request, uow: UowDep, actor: SignedInDep) -> Response:
    """The alliance: member regions and organisations; administrators can register an organisation."""
    if actor.alliance_id is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    alliance = service.get_alliance(uow=uow, alliance_id=actor.alliance_id)
    orgs = service.list_organisations(uow=uow, actor=actor)
    return render(request, "alliance.html", _alliance_context(alliance, orgs, actor, errors=[], form={}))


@router.post("/alliance/organisations", response_class=HTMLResponse)
def organisation_create(
    request: Request,
    uow: UowDep,
    actor: SignedInDep,
    name: Annotated[str, Form()],
    kind: Annotated[str, Form()],
    uscc: Annotated[str, Form()],
    region_code: Annotated[str, Form()],
    address: Annotated[str, Form()] = "",
) -> Response:
    """Register an organisation from the form."""
    form = {"name": name, "kind": kind, "uscc": uscc, "region_code": region_code, "address": address}
    try:
        data = OrganisationCreate(
            name=name, kind=OrgKind(kind), uscc=uscc, region_code=region_code, address=address or None
        )
        service.create_organisation(uow=uow, actor=actor, data=data)
        return RedirectResponse("/alliance", status_code=303)
    except (ValidationError, DomainError, ValueError) as exc:
        errors = error_lines(request, exc)
    if actor.alliance_id is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    alliance = service.get_alliance(uow=uow, alliance_id=actor.alliance_id)
    orgs = service.list_organisations(uow=uow, actor=actor)
    return render(
        request,
        "alliance.html",
        _alliance_context(alliance, orgs, actor, errors=errors, form=form),
        status_code=422,
    )


def _alliance_context(
    alliance: Alliance,
    orgs: list[OrganisationRead],
    actor: Principal,
    *,
    errors: list[str],
    form: dict[str, str],
) -> dict[str, object]:
    provinces = [r for r in alliance.regions if r.level == "province"]
    cities = {p.code: [r for r in alliance.regions if r.parent_code == p.code] for p in provinces}
    return {
        "alliance": alliance,
        "provinces": provinces,
        "cities": cities,
        "orgs": orgs,
        "org_kinds": list(OrgKind),
        "can_register": actor.role in (Role.ALLIANCE_ADMIN, Role.REGION_ADMIN),
        "errors": errors,
        "form": form,
    }


@router.get("/lang/{locale}")
def switch_language(
    locale: str, request: Request, uow: UowDep, actor: PrincipalDep, next: str = "/"
) -> Response:  # noqa: A002
    """Switch the interface language, remembering it in a cookie and in the user's preference."""
    chosen = normalise_locale(locale) or "zh_CN"
    if actor.is_authenticated:
        service.set_locale(uow=uow, actor=actor, locale=chosen)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(LOCALE_COOKIE, chosen, samesite="lax", max_age=365 * 86400)
    return response

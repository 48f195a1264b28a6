"""HTML routes: sign in and out, the alliance, account administration, one's own account, the language."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ipops.alliance import service
from ipops.alliance.api import client_of
from ipops.alliance.models import Alliance, OrgKind
from ipops.alliance.schemas import (
    OrganisationCreate,
    OrganisationRead,
    PasswordChange,
    PasswordReset,
    UserCreate,
)
from ipops.core.authz import Action, Principal, Tenancy, may_ever
from ipops.core.authz.roles import grantable_roles
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
        "can_register": may_ever(actor, "organisation", Action.CREATE),
        "errors": errors,
        "form": form,
    }


def _users_page(
    request: Request,
    uow: UowDep,
    actor: Principal,
    *,
    errors: list[str] | None = None,
    form: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    users = service.list_users(uow=uow, actor=actor)
    visible = service.list_organisations(uow=uow, actor=actor)
    context = {
        "users": users,
        "actions": service.user_actions(uow=uow, actor=actor, user_ids=[u.id for u in users]),
        # an organisation administrator creates accounts for its own organisation only
        "orgs": [o for o in visible if actor.tenancy != Tenancy.ORGANISATION or o.id == actor.org_id],
        "org_names": {o.id: o.name for o in visible},
        "roles": grantable_roles(actor.spec.groups, actor.role),  # the least powerful is preselected
        "errors": errors or [],
        "form": form or {},
        "notice": notice,
    }
    return render(request, "users.html", context, status_code=status_code)


@router.get("/alliance/users", response_class=HTMLResponse)
def users_page(request: Request, uow: UowDep, actor: SignedInDep) -> Response:
    """The accounts the signed-in administrator administers, with create, deactivate and reset."""
    return _users_page(request, uow, actor)


@router.post("/alliance/users", response_class=HTMLResponse)
def user_create(
    request: Request,
    uow: UowDep,
    actor: SignedInDep,
    username: Annotated[str, Form()],
    display_name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    region_code: Annotated[str, Form()] = "",
    org_id: Annotated[str, Form()] = "",
) -> Response:
    """Create an account from the form."""
    form = {
        "username": username,
        "display_name": display_name,
        "role": role,
        "region_code": region_code,
        "org_id": org_id,
    }
    try:
        data = UserCreate(
            username=username,
            display_name=display_name,
            password=password,
            role=role,
            region_code=region_code or None,
            org_id=int(org_id) if org_id else None,
        )
        service.create_user(uow=uow, actor=actor, data=data)
        return RedirectResponse("/alliance/users", status_code=303)
    except (ValidationError, DomainError, ValueError) as exc:
        errors = error_lines(request, exc)
    return _users_page(request, uow, actor, errors=errors, form=form, status_code=422)


@router.post("/alliance/users/{user_id}/active", response_class=HTMLResponse)
def user_set_active(
    user_id: int, uow: UowDep, actor: SignedInDep, active: Annotated[int, Form()]
) -> Response:
    """Deactivate or reactivate an account."""
    service.set_user_active(uow=uow, actor=actor, user_id=user_id, active=bool(active))
    return RedirectResponse("/alliance/users", status_code=303)


@router.post("/alliance/users/{user_id}/password", response_class=HTMLResponse)
def user_reset_password(
    request: Request, user_id: int, uow: UowDep, actor: SignedInDep, new_password: Annotated[str, Form()]
) -> Response:
    """Set a new password for an account (its sessions are signed out)."""
    try:
        PasswordReset(new_password=new_password)
        service.reset_password(uow=uow, actor=actor, user_id=user_id, new_password=new_password)
    except ValidationError as exc:
        return _users_page(request, uow, actor, errors=error_lines(request, exc), status_code=422)
    return _users_page(request, uow, actor, notice="password_reset")


def _account_page(
    request: Request,
    uow: UowDep,
    actor: Principal,
    *,
    errors: list[str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    names = {o.id: o.name for o in service.list_organisations(uow=uow, actor=actor)}
    context = {
        "organisation": names.get(actor.org_id) if actor.org_id else None,
        "errors": errors or [],
        "notice": notice,
    }
    return render(request, "account.html", context, status_code=status_code)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, uow: UowDep, actor: SignedInDep) -> Response:
    """The signed-in user's account: who they are and a password change form."""
    return _account_page(request, uow, actor)


@router.post("/account/password", response_class=HTMLResponse)
def account_password(
    request: Request,
    uow: UowDep,
    actor: SignedInDep,
    current_password: Annotated[str, Form()],
    new_password: Annotated[str, Form()],
) -> Response:
    """Change the signed-in user's password; other sessions are signed out."""
    try:
        body = PasswordChange(current_password=current_password, new_password=new_password)
        service.change_password(
            uow=uow,
            actor=actor,
            current_password=body.current_password,
            new_password=body.new_password,
            keep_token=request.cookies.get(SESSION_COOKIE),
        )
    except (ValidationError, DomainError) as exc:
        return _account_page(request, uow, actor, errors=error_lines(request, exc), status_code=422)
    return _account_page(request, uow, actor, notice="password_changed")


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

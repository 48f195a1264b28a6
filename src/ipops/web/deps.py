"""Request dependencies: the unit of work, the acting principal and the interface language."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ipops.alliance.service import principal_for_token
from ipops.core.authz import ANONYMOUS, Principal
from ipops.core.config import get_settings
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.uow import UnitOfWork
from ipops.web.i18n import negotiate

SESSION_COOKIE = "ipops_session"
LOCALE_COOKIE = "ipops_lang"


def get_uow(request: Request) -> UnitOfWork:
    """A fresh unit of work on the app's session factory."""
    return UnitOfWork(request.app.state.session_factory)


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _refuse_credential(request: Request) -> None:
    """An API client that sends a credential expects 401 for a bad one, never the public view."""
    request.state.principal, request.state.user_locale = (
        ANONYMOUS,
        None,
    )  # the error page renders as anonymous
    raise DomainError(ErrorCode.UNAUTHENTICATED, msgid="The bearer token is not valid.")


def current_principal(request: Request) -> Principal:
    """Who is calling: a bearer token (API) or a session cookie (web), else the anonymous visitor."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    principal, user_locale = ANONYMOUS, None
    bearer = _bearer_token(request)
    token = bearer or request.cookies.get(SESSION_COOKIE)
    if token:
        found = principal_for_token(uow=get_uow(request), token=token)
        if found is not None:
            principal, user = found
            user_locale = user.locale
            request.state.display_name = user.display_name
        elif bearer is not None:
            _refuse_credential(request)
    elif request.headers.get("authorization"):
        _refuse_credential(request)
    request.state.principal = principal
    request.state.user_locale = user_locale
    return principal


def signed_in(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    """The principal, refusing anonymous callers."""
    if not principal.is_authenticated:
        raise DomainError(ErrorCode.UNAUTHENTICATED)
    return principal


def request_locale(request: Request) -> str:
    """The interface language for this request."""
    cached = getattr(request.state, "locale", None)
    if isinstance(cached, str):
        return cached
    current_principal(request)
    locale = negotiate(
        explicit=request.query_params.get("lang")
        or request.headers.get("x-ipops-lang")
        or request.cookies.get(LOCALE_COOKIE),
        user_pref=getattr(request.state, "user_locale", None),
        accept_language=request.headers.get("accept-language"),
        default=get_settings().default_locale,
    )
    request.state.locale = locale
    return locale


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
PrincipalDep = Annotated[Principal, Depends(current_principal)]
SignedInDep = Annotated[Principal, Depends(signed_in)]
LocaleDep = Annotated[str, Depends(request_locale)]

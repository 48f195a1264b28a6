"""JSON routes: tokens, the caller, the alliance, organisations and users."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from ipops.alliance import service
from ipops.alliance.schemas import (
    AllianceRead,
    OrganisationCreate,
    OrganisationRead,
    PasswordChange,
    PasswordReset,
    TokenRead,
    TokenRequest,
    UserCreate,
    UserRead,
)
from ipops.core.authz import Principal
from ipops.core.errors import DomainError, ErrorCode
from ipops.web.deps import SignedInDep, UowDep, _bearer_token

router = APIRouter(tags=["alliance"])


def client_of(request: Request) -> str:
    """The caller's address for rate limiting."""
    return request.client.host if request.client else "unknown"


@router.post("/auth/token", response_model=TokenRead)
def issue_token(body: TokenRequest, request: Request, uow: UowDep) -> TokenRead:
    """Exchange a username and password for a bearer token (rate-limited on failures)."""
    issued = service.log_in(
        uow=uow, username=body.username, password=body.password, client=client_of(request), kind="api"
    )
    return TokenRead(access_token=issued.token, expires_at=issued.expires_at, user=issued.user)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(request: Request, uow: UowDep, actor: SignedInDep) -> None:
    """Revoke the bearer token used for this call."""
    token = _bearer_token(request)
    if token:
        service.log_out(uow=uow, token=token)


@router.get("/me", response_model=dict[str, object])
def me(actor: SignedInDep) -> dict[str, object]:
    """Who the token belongs to and the tenancy it acts in."""
    return {
        "user_id": actor.user_id,
        "username": actor.username,
        "role": actor.role,
        "alliance_id": actor.alliance_id,
        "region_code": actor.region_code,
        "org_id": actor.org_id,
    }


def _alliance_id(actor: Principal) -> int:
    if actor.alliance_id is None:
        raise DomainError(ErrorCode.NOT_FOUND, "this account belongs to no alliance")
    return actor.alliance_id


@router.get("/alliance", response_model=AllianceRead)
def my_alliance(uow: UowDep, actor: SignedInDep) -> AllianceRead:
    """The caller's alliance and its member regions."""
    return AllianceRead.model_validate(service.get_alliance(uow=uow, alliance_id=_alliance_id(actor)))


@router.get("/organisations", response_model=list[OrganisationRead])
def list_organisations(uow: UowDep, actor: SignedInDep) -> list[OrganisationRead]:
    """The organisations of the caller's alliance."""
    return service.list_organisations(uow=uow, actor=actor)


@router.post("/organisations", response_model=OrganisationRead, status_code=status.HTTP_201_CREATED)
def create_organisation(body: OrganisationCreate, uow: UowDep, actor: SignedInDep) -> OrganisationRead:
    """Register an organisation (alliance or region administrators)."""
    return service.create_organisation(uow=uow, actor=actor, data=body)


@router.post("/users", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, uow: UowDep, actor: SignedInDep) -> UserRead:
    """Create a user within what the caller administers."""
    return service.create_user(uow=uow, actor=actor, data=body)


@router.get("/users", response_model=list[UserRead])
def list_users(uow: UowDep, actor: SignedInDep) -> list[UserRead]:
    """The accounts the caller administers (alliance, region and below, or its own organisation)."""
    return service.list_users(uow=uow, actor=actor)


@router.post("/users/{user_id}/deactivate", response_model=UserRead)
def deactivate_user(user_id: int, uow: UowDep, actor: SignedInDep) -> UserRead:
    """Deactivate an account the caller administers; its sessions and tokens stop working at once."""
    return service.set_user_active(uow=uow, actor=actor, user_id=user_id, active=False)


@router.post("/users/{user_id}/activate", response_model=UserRead)
def activate_user(user_id: int, uow: UowDep, actor: SignedInDep) -> UserRead:
    """Reactivate an account the caller administers."""
    return service.set_user_active(uow=uow, actor=actor, user_id=user_id, active=True)


@router.post("/users/{user_id}/password", status_code=status.HTTP_204_NO_CONTENT)
def reset_password(user_id: int, body: PasswordReset, uow: UowDep, actor: SignedInDep) -> None:
    """Set a new password for an account the caller administers (its sessions are signed out)."""
    service.reset_password(uow=uow, actor=actor, user_id=user_id, new_password=body.new_password)


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(body: PasswordChange, request: Request, uow: UowDep, actor: SignedInDep) -> None:
    """Change the caller's own password; every other session and token is signed out."""
    service.change_password(
        uow=uow,
        actor=actor,
        current_password=body.current_password,
        new_password=body.new_password,
        keep_token=_bearer_token(request),
    )

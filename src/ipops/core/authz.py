"""The one authorisation policy: what a role in a region or organisation may read or write.

Every service calls `require` before acting on a record and `readable_clause` on every list query, so the
rules below are the only place access is decided. Tests check that `can` and `readable_clause` agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, false, or_
from sqlalchemy.orm import InstrumentedAttribute

from ipops.core.errors import DomainError, ErrorCode


class Role(StrEnum):
    """Platform roles."""

    ALLIANCE_ADMIN = "alliance_admin"
    REGION_ADMIN = "region_admin"
    CENTRE_STAFF = "centre_staff"
    ORG_ADMIN = "org_admin"
    ORG_MEMBER = "org_member"
    APPRAISER = "appraiser"
    FINANCIER = "financier"
    PUBLIC = "public"


class Visibility(StrEnum):
    """Who may see a record beyond its owners."""

    PUBLIC = "public"  # anyone, including anonymous visitors (published patents, registered marks)
    ALLIANCE = "alliance"  # any signed-in member of the same alliance (not the public role)
    PRIVATE = "private"  # owners, plus the record's region and alliance administration
    RESTRICTED = "restricted"  # owners only (trade secrets): not even administrators


class Action(StrEnum):
    """What a principal wants to do with a record."""

    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    TRANSFER = "transfer"
    DELETE = "delete"


ORG_ROLES = frozenset({Role.ORG_ADMIN, Role.ORG_MEMBER})
REGION_ROLES = frozenset({Role.REGION_ADMIN, Role.CENTRE_STAFF})


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: the user, their role and the tenancy they act in."""

    user_id: int | None
    username: str
    role: Role
    alliance_id: int | None = None
    region_code: str | None = None
    org_id: int | None = None

    @property
    def is_authenticated(self) -> bool:
        """Whether this is a signed-in user rather than an anonymous visitor."""
        return self.user_id is not None


ANONYMOUS = Principal(user_id=None, username="anonymous", role=Role.PUBLIC)
SYSTEM = Principal(user_id=None, username="system", role=Role.ALLIANCE_ADMIN)


@dataclass(frozen=True, slots=True)
class RecordScope:
    """The tenancy facts of one record that the policy needs."""

    alliance_id: int
    region_code: str | None
    visibility: Visibility
    owner_org_ids: frozenset[int] = field(default_factory=frozenset)


def region_prefix(region_code: str) -> str:
    """The GB/T 2260 prefix that covers a region and everything below it (32 for 320000, 3205 for 320500)."""
    if region_code.endswith("0000"):
        return region_code[:2]
    if region_code.endswith("00"):
        return region_code[:4]
    return region_code


def region_contains(outer: str, inner: str | None) -> bool:
    """Whether region `inner` lies in region `outer` (a province contains its cities and counties)."""
    return inner is not None and inner.startswith(region_prefix(outer))


def _is_member(principal: Principal, alliance_id: int) -> bool:
    """A signed-in member of the alliance; the public role is a visitor, not a member."""
    return (
        principal.is_authenticated and principal.role != Role.PUBLIC and principal.alliance_id == alliance_id
    )


def _is_owner(principal: Principal, record: RecordScope) -> bool:
    return (
        principal.role in ORG_ROLES
        and principal.org_id is not None
        and principal.org_id in record.owner_org_ids
    )


def _administers(principal: Principal, record: RecordScope, roles: Iterable[Role]) -> bool:
    if principal.alliance_id != record.alliance_id or principal.role not in roles:
        return False
    if principal.role == Role.ALLIANCE_ADMIN:
        return True
    return principal.region_code is not None and region_contains(principal.region_code, record.region_code)


def can(principal: Principal, action: Action, record: RecordScope) -> bool:
    """The policy decision for one principal, action and record."""
    if action == Action.READ:
        if record.visibility == Visibility.RESTRICTED:
            return _is_owner(principal, record)
        if record.visibility == Visibility.PUBLIC:
            return True
        if record.visibility == Visibility.ALLIANCE and _is_member(principal, record.alliance_id):
            return True
        return _is_owner(principal, record) or _administers(
            principal, record, (Role.ALLIANCE_ADMIN, Role.REGION_ADMIN, Role.CENTRE_STAFF)
        )
    if record.visibility == Visibility.RESTRICTED:
        return _is_owner(principal, record) and (
            action in (Action.CREATE, Action.UPDATE) or principal.role == Role.ORG_ADMIN
        )
    if _is_owner(principal, record):
        return action in (Action.CREATE, Action.UPDATE) or principal.role == Role.ORG_ADMIN
    return _administers(principal, record, (Role.ALLIANCE_ADMIN, Role.REGION_ADMIN))


def require(principal: Principal, action: Action, record: RecordScope) -> None:
    """Raise unless allowed; a refused read looks like a missing record so existence does not leak."""
    if can(principal, action, record):
        return
    if not principal.is_authenticated and action != Action.READ:
        raise DomainError(ErrorCode.UNAUTHENTICATED)
    if action == Action.READ or not can(principal, Action.READ, record):
        raise DomainError(ErrorCode.NOT_FOUND)
    raise DomainError(ErrorCode.FORBIDDEN, f"{principal.role.value} may not {action.value} this record")


def readable_clause(
    principal: Principal,
    *,
    alliance_id: InstrumentedAttribute[int],
    region_code: InstrumentedAttribute[str | None],
    visibility: InstrumentedAttribute[str],
    owned_by: Callable[[int], ColumnElement[bool]],
) -> ColumnElement[bool]:
    """The SQL form of `can(principal, READ, record)` for list queries; `owned_by(org_id)` is an EXISTS."""
    is_owner: ColumnElement[bool] = (
        owned_by(principal.org_id)
        if principal.role in ORG_ROLES and principal.org_id is not None
        else false()
    )
    administers: ColumnElement[bool] = false()
    if principal.alliance_id is not None:
        if principal.role == Role.ALLIANCE_ADMIN:
            administers = alliance_id == principal.alliance_id
        elif principal.role in REGION_ROLES and principal.region_code is not None:
            administers = and_(
                alliance_id == principal.alliance_id,
                region_code.startswith(region_prefix(principal.region_code), autoescape=True),
            )
    same_alliance: ColumnElement[bool] = (
        alliance_id == principal.alliance_id
        if principal.alliance_id is not None and _is_member(principal, principal.alliance_id)
        else false()
    )
    return or_(
        and_(visibility == Visibility.RESTRICTED.value, is_owner),
        visibility == Visibility.PUBLIC.value,
        and_(visibility == Visibility.ALLIANCE.value, same_alliance),
        and_(
            visibility.in_([Visibility.ALLIANCE.value, Visibility.PRIVATE.value]), or_(is_owner, administers)
        ),
    )

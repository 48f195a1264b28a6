"""Alliance use cases: sign-in with rate limiting, tokens, organisations and users."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from pwdlib import PasswordHash
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ipops.alliance.models import Alliance, AuthToken, LoginAttempt, Organisation, Region, User
from ipops.alliance.schemas import AllianceRead, OrganisationCreate, OrganisationRead, UserCreate, UserRead
from ipops.alliance.scope import (
    new_user_facts,
    organisation_columns,
    organisation_facts,
    user_columns,
    user_facts,
)
from ipops.core import codes, regions
from ipops.core.audit import record_audit
from ipops.core.authz import (
    Action,
    Principal,
    Role,
    Tenancy,
    clause,
    may_ever,
    region_contains,
    require,
    role_spec,
)
from ipops.core.config import get_settings
from ipops.core.db import db_now
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.uow import UnitOfWork

password_hasher = PasswordHash.recommended()
# A real argon2 hash to verify against when the user does not exist, so timing does not reveal usernames.
_DUMMY_HASH = password_hasher.hash("ipops-timing-equaliser")


def hash_token(token: str) -> str:
    """The stored form of a session or API token."""
    return hashlib.sha256(token.encode()).hexdigest()


def principal_of(user: User) -> Principal:
    """The principal a user acts as."""
    return Principal(
        user_id=user.id,
        username=user.username,
        role=user.role,
        alliance_id=user.alliance_id,
        region_code=user.region_code,
        org_id=user.org_id,
    )


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly issued token and its owner."""

    token: str
    expires_at: dt.datetime
    user: UserRead


def _recent_failures(session: Session, *, username: str, client: str, since: dt.datetime) -> int:
    stmt = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.succeeded.is_(False),
        LoginAttempt.at >= since,
        (LoginAttempt.username == username) | (LoginAttempt.client == client),
    )
    return int(session.execute(stmt).scalar_one())


def log_in(*, uow: UnitOfWork, username: str, password: str, client: str, kind: str) -> IssuedToken:
    """Check credentials under a failure rate limit and issue a session or API token."""
    settings = get_settings()
    with uow:
        session = uow.session
        now = db_now(session)
        window_start = now - dt.timedelta(seconds=settings.login_window_seconds)
        if _recent_failures(session, username=username, client=client, since=window_start) >= (
            settings.login_max_failures
        ):
            raise DomainError(ErrorCode.RATE_LIMITED, retry_after=settings.login_window_seconds)
        user = session.scalar(select(User).where(User.username == username))
        verified, updated_hash = password_hasher.verify_and_update(
            password, user.password_hash if user else _DUMMY_HASH
        )
        ok = bool(user and user.is_active and verified)
        session.add(LoginAttempt(username=username[:64], client=client[:64], succeeded=ok))
        if not ok or user is None:
            uow.commit()  # the failed attempt must count even though the use case fails
            raise DomainError(ErrorCode.INVALID_CREDENTIALS)
        if updated_hash is not None:  # parameters were raised since this hash was made
            user.password_hash = updated_hash
        token = secrets.token_urlsafe(32)
        lifetime = (
            dt.timedelta(hours=settings.session_hours)
            if kind == "session"
            else dt.timedelta(days=settings.api_token_days)
        )
        expires_at = now + lifetime
        session.add(
            AuthToken(token_hash=hash_token(token), user_id=user.id, kind=kind, expires_at=expires_at)
        )
        record_audit(
            session,
            actor=principal_of(user),
            action=f"auth.{kind}_issued",
            entity_type="user",
            entity_id=user.id,
            region_code=user.region_code,
            org_id=user.org_id,
        )
        uow.commit()
        return IssuedToken(token=token, expires_at=expires_at, user=UserRead.model_validate(user))


def principal_for_token(*, uow: UnitOfWork, token: str) -> tuple[Principal, User] | None:
    """The principal behind a live, unrevoked token, or None."""
    with uow:
        session = uow.session
        row = session.execute(
            select(AuthToken, User)
            .join(User, User.id == AuthToken.user_id)
            .where(
                AuthToken.token_hash == hash_token(token),
                AuthToken.revoked_at.is_(None),
                AuthToken.expires_at > func.now(),
                User.is_active.is_(True),
            )
        ).first()
        if row is None:
            return None
        _, user = row
        return principal_of(user), user


def log_out(*, uow: UnitOfWork, token: str) -> None:
    """Revoke a token (idempotent)."""
    with uow:
        session = uow.session
        session.execute(
            update(AuthToken)
            .where(AuthToken.token_hash == hash_token(token), AuthToken.revoked_at.is_(None))
            .values(revoked_at=func.now())
        )
        uow.commit()


def set_locale(*, uow: UnitOfWork, actor: Principal, locale: str) -> None:
    """Store a user's interface language."""
    if locale not in ("zh_CN", "en") or actor.user_id is None:
        return
    with uow:
        user = uow.session.get(User, actor.user_id, with_for_update=True)
        if user is None or user.locale == locale:
            return
        record_audit(
            uow.session,
            actor=actor,
            action="user.locale_changed",
            entity_type="user",
            entity_id=user.id,
            before={"locale": user.locale},
            after={"locale": locale},
        )
        user.locale = locale
        uow.commit()


def get_alliance(*, uow: UnitOfWork, alliance_id: int) -> Alliance:
    """An alliance with its regions loaded."""
    with uow:
        alliance = uow.session.get(Alliance, alliance_id)
        if alliance is None:
            raise DomainError(ErrorCode.NOT_FOUND)
        _ = alliance.regions
        return alliance


def member_region_for(session: Session, *, alliance_id: int, region_code: str) -> Region:
    """The alliance member region that contains a code, or REGION_NOT_IN_ALLIANCE."""
    members = session.scalars(select(Region).where(Region.alliance_id == alliance_id)).all()
    containing = [m for m in members if region_contains(m.code, region_code)]
    if not containing:
        raise DomainError(ErrorCode.REGION_NOT_IN_ALLIANCE, f"{region_code} is outside the alliance")
    return max(containing, key=lambda m: len(m.code.rstrip("0")))


def create_organisation(*, uow: UnitOfWork, actor: Principal, data: OrganisationCreate) -> OrganisationRead:
    """Register an organisation in the actor's alliance after checking its USCC and region."""
    if actor.alliance_id is None:
        raise DomainError(ErrorCode.FORBIDDEN)
    try:
        codes.validate_uscc(data.uscc)
        codes.validate_region_code(data.region_code)
    except codes.InvalidCodeError as exc:
        raise DomainError(ErrorCode.INVALID_CODE, str(exc), field_code=exc.code) from exc
    with uow:
        session = uow.session
        require(
            session,
            actor,
            Action.CREATE,
            organisation_facts(None, alliance_id=actor.alliance_id, region_code=data.region_code),
        )
        member_region_for(session, alliance_id=actor.alliance_id, region_code=data.region_code)
        org = Organisation(alliance_id=actor.alliance_id, **data.model_dump())
        session.add(org)
        try:
            uow.flush()
        except IntegrityError as exc:
            raise DomainError(ErrorCode.DUPLICATE, f"USCC {data.uscc} is already registered") from exc
        record_audit(
            session,
            actor=actor,
            action="organisation.created",
            entity_type="organisation",
            entity_id=org.id,
            after=data.model_dump(),
            region_code=org.region_code,
            org_id=org.id,
        )
        uow.commit()
        return OrganisationRead.model_validate(org)


def list_organisations(*, uow: UnitOfWork, actor: Principal) -> list[OrganisationRead]:
    """Organisations the actor may read (the alliance's directory, for its members), by id."""
    with uow:
        rows = uow.session.scalars(
            select(Organisation)
            .where(clause(actor, Action.READ, organisation_columns()))
            .order_by(Organisation.id)
        )
        return [OrganisationRead.model_validate(o) for o in rows]


def _check_account_tenancy(data: UserCreate, org: Organisation | None) -> None:
    """A role's tenancy decides what an account names: an organisation (of the right kind) or a region."""
    spec = role_spec(data.role)
    if spec.tenancy == Tenancy.ORGANISATION:
        if org is None:
            raise DomainError(ErrorCode.VALIDATION_ERROR, f"role {data.role} needs an organisation")
        if spec.org_kinds and org.kind not in spec.org_kinds:
            raise DomainError(
                ErrorCode.VALIDATION_ERROR, f"role {data.role} is held at {', '.join(sorted(spec.org_kinds))}"
            )
        if data.region_code is not None and data.region_code != org.region_code:
            raise DomainError(
                ErrorCode.VALIDATION_ERROR,
                f"an account of {org.name} is in its region {org.region_code}, not {data.region_code}",
            )
    elif org is not None:
        raise DomainError(ErrorCode.VALIDATION_ERROR, f"role {data.role} belongs to no organisation")
    if spec.tenancy == Tenancy.REGION and data.region_code is None:
        raise DomainError(ErrorCode.VALIDATION_ERROR, f"role {data.role} needs a region")


def create_user(
    *, uow: UnitOfWork, actor: Principal, data: UserCreate, alliance_id: int | None = None
) -> UserRead:
    """Open an account where the policy lets the actor; an organisation's account takes its region."""
    target_alliance = alliance_id if alliance_id is not None else actor.alliance_id
    with uow:
        session = uow.session
        org: Organisation | None = session.get(Organisation, data.org_id) if data.org_id else None
        if data.org_id and (org is None or org.alliance_id != target_alliance):
            raise DomainError(ErrorCode.NOT_FOUND, "organisation not found in this alliance")
        region_code = org.region_code if org is not None else data.region_code
        facts = new_user_facts(
            session, alliance_id=target_alliance, region_code=region_code, org=org, role=data.role
        )
        require(session, actor, Action.CREATE, facts)  # on the organisation's own region, not the request's
        _check_account_tenancy(data, org)
        if target_alliance is not None and region_code is not None and org is None:
            member_region_for(session, alliance_id=target_alliance, region_code=region_code)
        user = User(
            username=data.username,
            display_name=data.display_name,
            password_hash=password_hasher.hash(data.password),
            role=data.role,
            alliance_id=target_alliance,
            region_code=region_code,
            org_id=data.org_id,
            locale=data.locale,
        )
        session.add(user)
        try:
            uow.flush()
        except IntegrityError as exc:
            raise DomainError(ErrorCode.DUPLICATE, f"username {data.username} is taken") from exc
        record_audit(
            session,
            actor=actor,
            action="user.created",
            entity_type="user",
            entity_id=user.id,
            after=data.model_dump(exclude={"password"}),
            region_code=region_code,
            org_id=data.org_id,
        )
        uow.commit()
        return UserRead.model_validate(user)


def may_manage_accounts(actor: Principal) -> bool:
    """Whether the actor's role may open accounts at all (the accounts page and its menu entry)."""
    return actor.user_id is not None and may_ever(actor, "user", Action.CREATE)


def list_users(*, uow: UnitOfWork, actor: Principal) -> list[UserRead]:
    """The other accounts the actor may see (its organisation's, or its region's and below), by id."""
    if not may_manage_accounts(actor):
        raise DomainError(ErrorCode.FORBIDDEN, "only administrators manage accounts")
    with uow:
        users = uow.session.scalars(
            select(User)
            .where(clause(actor, Action.READ, user_columns()), User.id != actor.user_id)
            .order_by(User.id)
        ).all()
        return [UserRead.model_validate(u) for u in users]


def user_actions(*, uow: UnitOfWork, actor: Principal, user_ids: list[int]) -> dict[int, frozenset[str]]:
    """What the actor may do to each listed account (the accounts page shows only those buttons)."""
    from ipops.core.authz import allowed_actions

    with uow:
        session = uow.session
        users = session.scalars(select(User).where(User.id.in_(user_ids))).all()
        return {u.id: allowed_actions(session, actor, user_facts(session, u)) for u in users}


def _administered_user(session: Session, actor: Principal, user_id: int, action: str) -> User:
    user = session.scalars(select(User).where(User.id == user_id).with_for_update()).one_or_none()
    if user is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    require(session, actor, action, user_facts(session, user))  # 404 to those who may not see it
    return user


def _revoke_tokens(session: Session, *, user_id: int, keep_token: str | None = None) -> None:
    condition = [AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None)]
    if keep_token is not None:
        condition.append(AuthToken.token_hash != hash_token(keep_token))
    session.execute(update(AuthToken).where(*condition).values(revoked_at=func.now()))


def set_user_active(*, uow: UnitOfWork, actor: Principal, user_id: int, active: bool) -> UserRead:
    """Deactivate (signing out every session and token) or reactivate an account the actor administers."""
    with uow:
        session = uow.session
        user = _administered_user(session, actor, user_id, Action.ACTIVATE if active else Action.DEACTIVATE)
        before = user.is_active
        user.is_active = active
        if not active:
            _revoke_tokens(session, user_id=user.id)
        record_audit(
            session,
            actor=actor,
            action="user.activated" if active else "user.deactivated",
            entity_type="user",
            entity_id=user.id,
            before={"is_active": before},
            after={"is_active": active},
            region_code=user.region_code,
            org_id=user.org_id,
        )
        uow.commit()
        return UserRead.model_validate(user)


def _set_password(
    session: Session, actor: Principal, user: User, new_password: str, *, action: str, keep_token: str | None
) -> None:
    """Store a new hash, sign out every other session and token of the account, and audit it."""
    user.password_hash = password_hasher.hash(new_password)
    _revoke_tokens(session, user_id=user.id, keep_token=keep_token)
    record_audit(
        session,
        actor=actor,
        action=action,
        entity_type="user",
        entity_id=user.id,
        region_code=user.region_code,
        org_id=user.org_id,
    )


def reset_password(*, uow: UnitOfWork, actor: Principal, user_id: int, new_password: str) -> None:
    """An administrator sets a new password for an account it administers; its sessions are signed out."""
    with uow:
        session = uow.session
        user = _administered_user(session, actor, user_id, Action.RESET_PASSWORD)
        _set_password(session, actor, user, new_password, action="user.password_reset", keep_token=None)
        uow.commit()


def change_password(
    *, uow: UnitOfWork, actor: Principal, current_password: str, new_password: str, keep_token: str | None
) -> None:
    """A user changes their own password (the current one is checked); other sessions are signed out."""
    if actor.user_id is None:
        raise DomainError(ErrorCode.UNAUTHENTICATED)
    with uow:
        session = uow.session
        user = session.scalars(select(User).where(User.id == actor.user_id).with_for_update()).one()
        if not password_hasher.verify(current_password, user.password_hash):
            raise DomainError(ErrorCode.VALIDATION_ERROR, "the current password is wrong")
        _set_password(
            session, actor, user, new_password, action="user.password_changed", keep_token=keep_token
        )
        uow.commit()


def create_alliance(
    *, uow: UnitOfWork, actor: Principal, code: str, name_zh: str, name_en: str, region_codes: list[str]
) -> int:
    """Create an alliance with member regions named from the bundled GB/T 2260 table (system use)."""
    if not actor.system and actor.role != Role.ALLIANCE_ADMIN:
        raise DomainError(ErrorCode.FORBIDDEN)
    table = regions.load_regions()
    with uow:
        session = uow.session
        alliance = Alliance(code=code, name_zh=name_zh, name_en=name_en)
        session.add(alliance)
        try:
            uow.flush()
        except IntegrityError as exc:
            raise DomainError(ErrorCode.DUPLICATE, f"alliance {code} exists") from exc
        for region_code in sorted(set(region_codes)):
            region = table.get(region_code)
            if region is None:
                raise DomainError(ErrorCode.INVALID_CODE, f"{region_code} is not a GB/T 2260 code")
            session.add(
                Region(
                    alliance_id=alliance.id,
                    code=region_code,
                    name_zh=region.name,
                    name_en=table.name(region_code, lang="en"),
                    level=region.level,
                    parent_code=region.parent_code,
                )
            )
        record_audit(
            session,
            actor=actor,
            action="alliance.created",
            entity_type="alliance",
            entity_id=alliance.id,
            after={"code": code, "regions": sorted(set(region_codes))},
        )
        uow.commit()
        return alliance.id


def organisations_by_id(session: Session, ids: set[int]) -> dict[int, OrganisationRead]:
    """Organisations by id inside the caller's transaction (other domains name their parties with these)."""
    if not ids:
        return {}
    rows = session.scalars(select(Organisation).where(Organisation.id.in_(sorted(ids))))
    return {o.id: OrganisationRead.model_validate(o) for o in rows}


def principal_by_username(session: Session, *, username: str, alliance_id: int) -> Principal:
    """The principal of an account of an alliance (the sample's story acts as its users)."""
    user = session.scalars(
        select(User).where(User.username == username, User.alliance_id == alliance_id)
    ).one_or_none()
    if user is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"no account {username} in this alliance")
    return principal_of(user)


def alliance_id_for_code(session: Session, *, code: str) -> int | None:
    """The id of the alliance with this code, if there is one."""
    found = session.scalar(select(Alliance.id).where(Alliance.code == code))
    return int(found) if found is not None else None


def alliances(session: Session) -> list[AllianceRead]:
    """Every alliance with its regions, by code."""
    return [AllianceRead.model_validate(a) for a in session.scalars(select(Alliance).order_by(Alliance.code))]


def alliance_read_by_code(session: Session, *, code: str) -> AllianceRead | None:
    """An alliance with its member regions, by code."""
    found = session.scalar(select(Alliance).where(Alliance.code == code))
    return AllianceRead.model_validate(found) if found is not None else None


def display_name_of(session: Session, *, user_id: int) -> str:
    """An account's display name (a signature shows who signed, not a login name)."""
    name = session.scalar(select(User.display_name).where(User.id == user_id))
    if name is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    return str(name)


def active_user_ids(
    session: Session, *, user_ids: tuple[int, ...], org_ids: tuple[int, ...], roles: tuple[str, ...] = ()
) -> list[int]:
    """Active users among `user_ids`, plus the active users of `org_ids` (only `roles`, if given)."""
    chosen: set[int] = set()
    if user_ids:
        chosen |= set(session.scalars(select(User.id).where(User.id.in_(user_ids), User.is_active.is_(True))))
    if org_ids:
        stmt = select(User.id).where(User.org_id.in_(org_ids), User.is_active.is_(True))
        if roles:
            stmt = stmt.where(User.role.in_(roles))
        chosen |= set(session.scalars(stmt))
    return sorted(chosen)

"""Accounts and organisations as the policy sees them (`Facts` for one record, `Columns` for lists)."""

from __future__ import annotations

from sqlalchemy import exists, false
from sqlalchemy.orm import Session

from ipops.alliance.models import Organisation, User
from ipops.core.authz import Columns, Facts


def _org_has_accounts(session: Session, org_id: int | None) -> bool:
    if org_id is None:
        return False
    return bool(session.scalar(exists().where(User.org_id == org_id).select()))


def user_facts(session: Session, user: User) -> Facts:
    """An existing account's facts."""
    return Facts(
        entity="user",
        record_id=user.id,
        alliance_id=user.alliance_id,
        region_code=user.region_code,
        parties={
            "organisation": frozenset({user.org_id} if user.org_id is not None else ()),
            "self": frozenset({user.id}),
        },
        flags={"org_account": user.org_id is not None, "org_onboarding": False},
        subject_role=user.role,
    )


def new_user_facts(
    session: Session, *, alliance_id: int | None, region_code: str | None, org: Organisation | None, role: str
) -> Facts:
    """The facts of an account about to be opened (its organisation's region, not the request's)."""
    return Facts(
        entity="user",
        record_id=None,
        alliance_id=alliance_id,
        region_code=org.region_code if org is not None else region_code,
        parties={"organisation": frozenset({org.id} if org is not None else ())},
        flags={
            "org_account": org is not None,
            "org_onboarding": org is not None and not _org_has_accounts(session, org.id),
        },
        subject_role=role,
    )


def user_columns() -> Columns:
    """Accounts as SQL for list queries."""
    return Columns(
        entity="user",
        record_id=User.id,
        alliance_id=User.alliance_id,
        region_code=User.region_code,
        parties={
            "organisation": lambda org_id: User.org_id == org_id,
            "self": lambda user_id: User.id == user_id,
        },
        flags={
            "org_account": User.org_id.is_not(None),
            "org_onboarding": false(),  # an existing account's organisation has at least that account
        },
        subject_role=User.role,
    )


def organisation_facts(org: Organisation | None, *, alliance_id: int | None, region_code: str) -> Facts:
    """An organisation's facts (or those of one about to be registered)."""
    return Facts(
        entity="organisation",
        record_id=org.id if org is not None else None,
        alliance_id=org.alliance_id if org is not None else alliance_id,
        region_code=org.region_code if org is not None else region_code,
        parties={"self": frozenset({org.id} if org is not None else ())},
    )


def organisation_columns() -> Columns:
    """Organisations as SQL for list queries."""
    return Columns(
        entity="organisation",
        record_id=Organisation.id,
        alliance_id=Organisation.alliance_id,
        region_code=Organisation.region_code,
        parties={"self": lambda org_id: Organisation.id == org_id},
    )

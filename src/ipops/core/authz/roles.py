"""Roles as data: each role's tenancy, the groups the rules name, and who may give it to an account.

A later module adds its roles (a trading-centre operator, a case handler, a credit officer...) by calling
`register_role` with a `RoleSpec`; the entity rules name groups, so a new role that joins a group gets that
group's rights everywhere without a new branch in any rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Tenancy(StrEnum):
    """What part of the alliance an account acts for."""

    ALLIANCE = "alliance"  # the whole alliance
    REGION = "region"  # a region and everything below it (a province covers its cities)
    ORGANISATION = "organisation"  # one organisation
    VISITOR = "visitor"  # nothing: the public role


class Group(StrEnum):
    """Groups of roles that the entity rules name."""

    EVERYONE = "everyone"  # anybody, anonymous visitors included
    MEMBER = "member"  # any signed-in account of the alliance except the public visitor
    ADMINISTRATION = "administration"  # alliance and region administrators
    ALLIANCE_ADMINISTRATION = "alliance_administration"  # the alliance's own administrators
    REGION_OFFICE = "region_office"  # reads what happens in its region (administrators, centre staff)
    ORGANISATION = "organisation"  # acts for its organisation (enterprises, universities, agencies)
    ORG_ADMIN = "org_admin"  # signs for its organisation
    LENDER = "lender"  # a bank's account
    APPRAISER = "appraiser"  # an appraisal firm's licensed appraiser


class Role(StrEnum):
    """The built-in roles (later modules register more with `register_role`)."""

    ALLIANCE_ADMIN = "alliance_admin"
    REGION_ADMIN = "region_admin"
    CENTRE_STAFF = "centre_staff"
    ORG_ADMIN = "org_admin"
    ORG_MEMBER = "org_member"
    APPRAISER = "appraiser"
    FINANCIER = "financier"
    PUBLIC = "public"


@dataclass(frozen=True, slots=True)
class RoleSpec:
    """One role: its tenancy, its groups, the organisation kinds it belongs to and who may grant it."""

    name: str
    tenancy: Tenancy
    groups: frozenset[str]
    org_kinds: frozenset[str] = frozenset()  # the organisation kinds it is held at; empty for any kind
    granted_by: frozenset[str] = frozenset()  # groups whose members may open an account with this role
    rank: int = 50  # how much the role may do, for ordering choices (the least powerful is offered first)


ROLES: dict[str, RoleSpec] = {}


def register_role(spec: RoleSpec) -> RoleSpec:
    """Add a role to the policy (idempotent for the same spec; a different spec under a taken name fails)."""
    existing = ROLES.get(spec.name)
    if existing is not None and existing != spec:
        raise ValueError(f"role {spec.name} is already registered differently")
    ROLES[spec.name] = spec
    return spec


VISITOR = RoleSpec(name=Role.PUBLIC, tenancy=Tenancy.VISITOR, groups=frozenset())


def role_spec(name: str) -> RoleSpec:
    """The registered spec of a role; an unknown name acts as the visitor, never as anything more."""
    return ROLES.get(name, VISITOR)


def grantable_roles(principal_groups: frozenset[str], role: str) -> list[str]:
    """The roles an account of `role` may give, least powerful first (forms offer the safest by default)."""
    mine = principal_groups | {role}
    specs = [s for s in ROLES.values() if not mine.isdisjoint(s.granted_by)]
    return [s.name for s in sorted(specs, key=lambda s: (s.rank, s.name))]


def known_role(name: str) -> str:
    """The name, if it is a registered role (for validating account data)."""
    if name not in ROLES:
        raise ValueError(f"{name!r} is not a role")
    return name


_ORG_GRANTORS = frozenset({Group.ORG_ADMIN, Group.ADMINISTRATION})
for _spec in (
    RoleSpec(
        Role.ALLIANCE_ADMIN,
        Tenancy.ALLIANCE,
        frozenset({Group.MEMBER, Group.ADMINISTRATION, Group.ALLIANCE_ADMINISTRATION, Group.REGION_OFFICE}),
        granted_by=frozenset({Group.ALLIANCE_ADMINISTRATION}),
        rank=90,
    ),
    RoleSpec(
        Role.REGION_ADMIN,
        Tenancy.REGION,
        frozenset({Group.MEMBER, Group.ADMINISTRATION, Group.REGION_OFFICE}),
        granted_by=frozenset({Group.ADMINISTRATION}),
        rank=80,
    ),
    RoleSpec(
        Role.CENTRE_STAFF,
        Tenancy.REGION,
        frozenset({Group.MEMBER, Group.REGION_OFFICE}),
        granted_by=frozenset({Group.ADMINISTRATION}),
        rank=60,
    ),
    RoleSpec(
        Role.ORG_ADMIN,
        Tenancy.ORGANISATION,
        frozenset({Group.MEMBER, Group.ORGANISATION, Group.ORG_ADMIN}),
        granted_by=_ORG_GRANTORS,
        rank=40,
    ),
    RoleSpec(
        Role.ORG_MEMBER,
        Tenancy.ORGANISATION,
        frozenset({Group.MEMBER, Group.ORGANISATION}),
        granted_by=_ORG_GRANTORS,
        rank=10,
    ),
    RoleSpec(
        Role.APPRAISER,
        Tenancy.ORGANISATION,
        frozenset({Group.MEMBER, Group.APPRAISER}),
        org_kinds=frozenset({"appraiser"}),
        granted_by=_ORG_GRANTORS,
        rank=20,
    ),
    RoleSpec(
        Role.FINANCIER,
        Tenancy.ORGANISATION,
        frozenset({Group.MEMBER, Group.LENDER}),
        org_kinds=frozenset({"financier"}),
        granted_by=_ORG_GRANTORS,
        rank=20,
    ),
    RoleSpec(
        Role.PUBLIC,
        Tenancy.VISITOR,
        frozenset(),
        granted_by=frozenset({Group.ALLIANCE_ADMINISTRATION}),
        rank=0,
    ),
):
    register_role(_spec)

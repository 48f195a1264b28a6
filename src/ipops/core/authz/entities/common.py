"""Shorthands the entity rules share: groups as sets, and the relations and conditions they use most."""

from __future__ import annotations

from ipops.core.authz.facts import Visibility
from ipops.core.authz.roles import Group
from ipops.core.authz.terms import VisibilityIn


def groups(*names: str) -> frozenset[str]:
    """A set of groups (or role names) for `Allow.who`."""
    return frozenset(names)


EVERYONE = groups(Group.EVERYONE)
MEMBERS = groups(Group.MEMBER)
ADMINISTRATION = groups(Group.ADMINISTRATION)
REGION_OFFICE = groups(Group.REGION_OFFICE)
ORGANISATION = groups(Group.ORGANISATION)
ORG_ADMIN = groups(Group.ORG_ADMIN)
LENDER = groups(Group.LENDER)
APPRAISER = groups(Group.APPRAISER)

NOT_RESTRICTED = VisibilityIn(frozenset({Visibility.PUBLIC, Visibility.ALLIANCE, Visibility.PRIVATE}))

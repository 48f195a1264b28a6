"""The vocabulary of the rules: relations between a principal and a record, and conditions on the record.

Every relation and condition answers twice: `holds` on a record's `Facts` (Python) and `clause` on the
entity's `Columns` (SQL). The two are written side by side so that each pair can be read as one rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import ColumnElement, and_, false, not_, or_, true

from ipops.core.authz.facts import Columns, Facts, GrantFact
from ipops.core.authz.grants import grant_clause, holds
from ipops.core.authz.principal import Principal
from ipops.core.authz.roles import ROLES, Tenancy
from ipops.core.authz.tenancy import covers, covers_clause


class Relation(Protocol):
    """How a principal stands to a record."""

    def holds(
        self, principal: Principal, facts: Facts, grants: Sequence[GrantFact], now: dt.datetime
    ) -> bool:
        """Python form."""
        ...

    def clause(self, principal: Principal, columns: Columns, now: dt.datetime | None) -> ColumnElement[bool]:
        """SQL form."""
        ...


class Condition(Protocol):
    """A fact about the record that must hold as well."""

    def holds(self, principal: Principal, facts: Facts) -> bool:
        """Python form."""
        ...

    def clause(self, principal: Principal, columns: Columns) -> ColumnElement[bool]:
        """SQL form."""
        ...


@dataclass(frozen=True, slots=True)
class Anyone:
    """Everybody, anonymous visitors included."""

    def holds(
        self, principal: Principal, facts: Facts, grants: Sequence[GrantFact], now: dt.datetime
    ) -> bool:
        return True

    def clause(self, principal: Principal, columns: Columns, now: dt.datetime | None) -> ColumnElement[bool]:
        return true()


@dataclass(frozen=True, slots=True)
class AllianceMember:
    """An account of the record's alliance."""

    def holds(
        self, principal: Principal, facts: Facts, grants: Sequence[GrantFact], now: dt.datetime
    ) -> bool:
        return facts.alliance_id is not None and principal.alliance_id == facts.alliance_id

    def clause(self, principal: Principal, columns: Columns, now: dt.datetime | None) -> ColumnElement[bool]:
        if principal.alliance_id is None:
            return false()
        return columns.alliance_id == principal.alliance_id


@dataclass(frozen=True, slots=True)
class InRegion:
    """The principal acts for the alliance, or for a region containing the record's region."""

    def holds(
        self, principal: Principal, facts: Facts, grants: Sequence[GrantFact], now: dt.datetime
    ) -> bool:
        return covers(principal, alliance_id=facts.alliance_id, region_code=facts.region_code)

    def clause(self, principal: Principal, columns: Columns, now: dt.datetime | None) -> ColumnElement[bool]:
        return covers_clause(principal, alliance_id=columns.alliance_id, region_code=columns.region_code)


@dataclass(frozen=True, slots=True)
class Party:
    """The principal's organisation is one of the record's parties of this name (owner, bank, ...)."""

    name: str

    def holds(
        self, principal: Principal, facts: Facts, grants: Sequence[GrantFact], now: dt.datetime
    ) -> bool:
        return (
            principal.tenancy == Tenancy.ORGANISATION
            and principal.org_id is not None
            and principal.alliance_id == facts.alliance_id
            and principal.org_id in facts.parties.get(self.name, frozenset())
        )

    def clause(self, principal: Principal, columns: Columns, now: dt.datetime | None) -> ColumnElement[bool]:
        party = columns.parties.get(self.name)
        if principal.tenancy != Tenancy.ORGANISATION or principal.org_id is None or party is None:
            return false()
        return and_(columns.alliance_id == principal.alliance_id, party(principal.org_id))


@dataclass(frozen=True, slots=True)
class SelfUser:
    """The record is the principal's own account."""

    def holds(
        self, principal: Principal, facts: Facts, grants: Sequence[GrantFact], now: dt.datetime
    ) -> bool:
        return principal.user_id is not None and principal.user_id in facts.parties.get("self", frozenset())

    def clause(self, principal: Principal, columns: Columns, now: dt.datetime | None) -> ColumnElement[bool]:
        party = columns.parties.get("self")
        if principal.user_id is None or party is None:
            return false()
        return party(principal.user_id)


@dataclass(frozen=True, slots=True)
class Grant:
    """A live grant of `action` on this record (or on the related record `on`) held by the principal."""

    action: str
    on: str | None = None  # e.g. "asset": a grant on the valued asset counts for its valuations

    def holds(
        self, principal: Principal, facts: Facts, grants: Sequence[GrantFact], now: dt.datetime
    ) -> bool:
        if principal.alliance_id is None or principal.alliance_id != facts.alliance_id:
            return False
        target = self._target(facts)
        return target is not None and any(
            (g.entity_type, g.entity_id) == target
            and self.action in g.actions
            and g.active(now)
            and holds(principal, g)
            for g in grants
        )

    def _target(self, facts: Facts) -> tuple[str, int] | None:
        kind = self.on or facts.entity
        for target in facts.targets():
            if target[0] == kind:
                return target
        return None

    def clause(self, principal: Principal, columns: Columns, now: dt.datetime | None) -> ColumnElement[bool]:
        kind = self.on or columns.entity
        ident = columns.target_id(kind)
        if ident is None:
            return false()
        return grant_clause(
            principal,
            entity_type=kind,
            entity_id=ident,
            action=self.action,
            alliance_id=columns.alliance_id,
            now=now,
        )


# ------------------------------------------------------------------ conditions on the record


@dataclass(frozen=True, slots=True)
class VisibilityIn:
    """The record's visibility is one of these."""

    values: frozenset[str]

    def holds(self, principal: Principal, facts: Facts) -> bool:
        return facts.visibility in self.values

    def clause(self, principal: Principal, columns: Columns) -> ColumnElement[bool]:
        return false() if columns.visibility is None else columns.visibility.in_(sorted(self.values))


@dataclass(frozen=True, slots=True)
class StatusIn:
    """The record's state is one of these (a state condition: failing it is a 409, not a 403)."""

    values: frozenset[str]
    state: bool = True

    def holds(self, principal: Principal, facts: Facts) -> bool:
        return facts.status in self.values

    def clause(self, principal: Principal, columns: Columns) -> ColumnElement[bool]:
        return false() if columns.status is None else columns.status.in_(sorted(self.values))


@dataclass(frozen=True, slots=True)
class Flag:
    """A yes/no fact of the record has this value."""

    name: str
    value: bool = True
    state: bool = False  # True when the flag is a stage of the record's life (pledge registered)

    def holds(self, principal: Principal, facts: Facts) -> bool:
        return facts.flags.get(self.name, False) is self.value

    def clause(self, principal: Principal, columns: Columns) -> ColumnElement[bool]:
        column = columns.flags.get(self.name)
        if column is None:
            return true() if self.value is False else false()
        return column if self.value else not_(column)


@dataclass(frozen=True, slots=True)
class NotSelf:
    """The record is not the principal's own account (nobody deactivates or resets themselves here)."""

    def holds(self, principal: Principal, facts: Facts) -> bool:
        return principal.user_id not in facts.parties.get("self", frozenset())

    def clause(self, principal: Principal, columns: Columns) -> ColumnElement[bool]:
        party = columns.parties.get("self")
        if party is None or principal.user_id is None:
            return true()
        return not_(party(principal.user_id))


@dataclass(frozen=True, slots=True)
class SubjectRoleGrantable:
    """The account's role is one the principal may give (each role says which groups grant it)."""

    def holds(self, principal: Principal, facts: Facts) -> bool:
        spec = ROLES.get(facts.subject_role or "")
        return spec is not None and principal.in_groups(spec.granted_by)

    def clause(self, principal: Principal, columns: Columns) -> ColumnElement[bool]:
        grantable = sorted(name for name, spec in ROLES.items() if principal.in_groups(spec.granted_by))
        if columns.subject_role is None or not grantable:
            return false()
        return columns.subject_role.in_(grantable)


@dataclass(frozen=True, slots=True)
class Allow:
    """One way to be allowed: a role in `who`, standing in `via` to the record, with `when` holding."""

    who: frozenset[str]
    via: Relation
    when: tuple[Condition, ...] = ()

    def applies_to(self, principal: Principal) -> bool:
        """Whether the principal's role is named (so the SQL need not carry terms that cannot match)."""
        return principal.in_groups(self.who)

    def holds(
        self, principal: Principal, facts: Facts, grants: Sequence[GrantFact], now: dt.datetime
    ) -> bool:
        """Python form."""
        return (
            self.applies_to(principal)
            and self.via.holds(principal, facts, grants, now)
            and all(c.holds(principal, facts) for c in self.when)
        )

    def holds_but_for_state(
        self, principal: Principal, facts: Facts, grants: Sequence[GrantFact], now: dt.datetime
    ) -> bool:
        """Whether only a state condition fails (the record is in the wrong stage for this step)."""
        return (
            self.applies_to(principal)
            and self.via.holds(principal, facts, grants, now)
            and all(c.holds(principal, facts) for c in self.when if not getattr(c, "state", False))
        )

    def clause(self, principal: Principal, columns: Columns, now: dt.datetime | None) -> ColumnElement[bool]:
        """SQL form."""
        if not self.applies_to(principal):
            return false()
        return and_(
            self.via.clause(principal, columns, now), *(c.clause(principal, columns) for c in self.when)
        )


def any_clause(clauses: Sequence[ColumnElement[bool]]) -> ColumnElement[bool]:
    """OR of clauses, false when there are none."""
    return or_(false(), *clauses)

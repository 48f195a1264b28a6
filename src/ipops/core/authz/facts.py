"""What the policy knows about a record: its tenancy facts in Python, and the same facts as SQL columns.

A domain describes each of its records once, as `Facts` for a single record and as `Columns` for a list
query; the rules read nothing else, so the Python check and the SQL clause look at the same things.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import QueryableAttribute


class Visibility(StrEnum):
    """Who may see a record beyond its parties."""

    PUBLIC = "public"  # anyone, including anonymous visitors (published patents, registered marks)
    ALLIANCE = "alliance"  # any signed-in member of the same alliance (not the public role)
    PRIVATE = "private"  # its parties, plus the record's region office and the alliance administration
    RESTRICTED = "restricted"  # its owners only (trade secrets): not even administrators


class Action(StrEnum):
    """The actions the built-in rules decide (rules of later modules may name their own)."""

    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    TRANSFER = "transfer"
    PLEDGE = "pledge"
    LICENCE_EXCLUSIVE = "licence_exclusive"
    LICENCE_NON_EXCLUSIVE = "licence_non_exclusive"
    LIST = "list"
    CONSENT = "consent"
    ACCEPT_OWNERSHIP = "accept_ownership"
    RECORD_LEGAL_EVENT = "record_legal_event"
    ENCUMBER = "encumber"
    GRANT = "grant"
    APPRAISE = "appraise"
    REQUEST_VALUATION = "request_valuation"
    READ_VALUATIONS = "read_valuations"
    RUN = "run"
    SIGN = "sign"
    SET = "set"
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    REJECT = "reject"
    REGISTER_PLEDGE = "register_pledge"
    DISBURSE = "disburse"
    REPAY = "repay"
    DEFAULT = "default"
    DISPOSE = "dispose"
    POOL = "pool"
    WRITE = "write"
    DEACTIVATE = "deactivate"
    ACTIVATE = "activate"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - an action name


@dataclass(frozen=True, slots=True)
class GrantFact:
    """One record grant as the policy sees it."""

    entity_type: str
    entity_id: int
    actions: frozenset[str]
    expires_at: dt.datetime
    org_id: int | None = None
    region_code: str | None = None
    revoked_at: dt.datetime | None = None

    def active(self, now: dt.datetime) -> bool:
        """Neither revoked nor past its expiry at `now` (the database clock)."""
        return self.revoked_at is None and self.expires_at > now


@dataclass(frozen=True, slots=True)
class Facts:
    """The tenancy facts of one record (or of one about to be created, with `record_id` None)."""

    entity: str
    record_id: int | None
    alliance_id: int | None
    region_code: str | None = None
    visibility: str | None = None
    status: str | None = None
    parties: Mapping[str, frozenset[int]] = field(default_factory=dict)  # relation -> org (or user) ids
    flags: Mapping[str, bool] = field(default_factory=dict)
    subject_role: str | None = None  # the role of the account a user record holds or will hold
    grant_targets: tuple[tuple[str, int], ...] = ()  # records whose grants count for this one

    def targets(self) -> tuple[tuple[str, int], ...]:
        """The record itself, then the related records whose grants count."""
        own = ((self.entity, self.record_id),) if self.record_id is not None else ()
        return own + tuple(t for t in self.grant_targets if t not in own)


PartyClause = Callable[[int], ColumnElement[bool]]
# a mapped column or any SQL expression (a correlated subquery, say)
SqlValue = ColumnElement[Any] | QueryableAttribute[Any]


@dataclass(frozen=True, slots=True)
class Columns:
    """The same facts as SQL expressions on the entity's table, for list queries."""

    entity: str
    record_id: SqlValue
    alliance_id: SqlValue
    region_code: SqlValue | None = None
    visibility: SqlValue | None = None
    status: SqlValue | None = None
    parties: Mapping[str, PartyClause] = field(default_factory=dict)
    flags: Mapping[str, ColumnElement[bool]] = field(default_factory=dict)
    subject_role: SqlValue | None = None
    grant_targets: Mapping[str, SqlValue] = field(default_factory=dict)  # entity -> id column

    def target_id(self, entity: str) -> SqlValue | None:
        """The column holding the id of `entity` for grants on it (the record's own id for itself)."""
        if entity == self.entity:
            return self.record_id
        return self.grant_targets.get(entity)

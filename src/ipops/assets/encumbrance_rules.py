"""Which encumbrance blocks which act on an asset (pure: no ORM, no I/O).

- A pledge, registered or reserved by a submitted application (民法典 art. 444): transfer, exclusive and
  non-exclusive licences only with the pledgee's consent; another pledge and a listing are blocked.
- A judicial freeze blocks every act.
- A live listing for assignment or an exclusive licence: transfer and exclusive licence only through the
  listing's own deal; a pledge and a second such listing are blocked; a non-exclusive licence is allowed.
- An exclusive licence in force: a transfer (the buyer takes it subject to the licence) and a listing are
  allowed and disclose it; a pledge is allowed; a licence overlapping its field, territory and term is
  blocked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Act(StrEnum):
    """What an owner wants to do with the asset."""

    TRANSFER = "transfer"
    PLEDGE = "pledge"
    LICENCE_EXCLUSIVE = "licence_exclusive"
    LICENCE_NON_EXCLUSIVE = "licence_non_exclusive"
    LISTING = "list"


class Kind(StrEnum):
    """Kinds of encumbrance."""

    PLEDGE = "pledge"
    JUDICIAL_FREEZE = "judicial_freeze"
    LISTING = "listing"
    EXCLUSIVE_LICENCE = "exclusive_licence"


# listings that take the asset off the market for others (a listing for a non-exclusive licence does not)
EXCLUSIVE_LISTINGS = frozenset({"assignment", "exclusive_licence"})
PLEDGE_LIVE = frozenset({"reserved", "approved", "registered"})


@dataclass(frozen=True, slots=True)
class Scope:
    """A licence's field of use, territory and term; None means all fields, everywhere, open-ended."""

    field: str | None = None
    territory: str | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None

    def overlaps(self, other: Scope) -> bool:
        """Field, territory and term all overlap."""
        return (
            _words_overlap(self.field, other.field)
            and _words_overlap(self.territory, other.territory)
            and (self.starts_on or dt.date.min) <= (other.ends_on or dt.date.max)
            and (other.starts_on or dt.date.min) <= (self.ends_on or dt.date.max)
        )


def _words(text: str | None) -> set[str] | None:
    if text is None or not text.strip() or text.strip().casefold() in {"all", "全部", "全领域", "全国"}:
        return None
    return {w.strip().casefold() for w in text.replace("，", ",").replace("、", ",").split(",") if w.strip()}


def _words_overlap(left: str | None, right: str | None) -> bool:
    a, b = _words(left), _words(right)
    return a is None or b is None or bool(a & b)


@dataclass(frozen=True, slots=True)
class Encumbrance:
    """One encumbrance as the rules see it."""

    id: int
    kind: str
    status: str
    source: str  # "loan:12", "listing:3": an act "via" this source is the encumbrance's own deal
    holder_org_id: int | None = None
    purpose: str | None = None
    scope: Scope = field(default_factory=Scope)

    def live(self, today: dt.date) -> bool:
        """Still binding on `today`."""
        if self.status == "released":
            return False
        if self.kind == Kind.PLEDGE:
            return self.status in PLEDGE_LIVE
        if self.kind == Kind.EXCLUSIVE_LICENCE:
            return (self.scope.ends_on or dt.date.max) >= today
        return True


@dataclass(frozen=True, slots=True)
class Proposal:
    """The act being checked."""

    act: Act
    today: dt.date
    via: str | None = None  # the listing whose deal this act completes
    scope: Scope = field(default_factory=Scope)  # for a licence
    purpose: str | None = None  # for a listing


@dataclass(frozen=True, slots=True)
class Outcome:
    """Blocking encumbrances (with the reason code) and those the act must disclose."""

    blocked: tuple[tuple[Encumbrance, str], ...]
    disclosed: tuple[Encumbrance, ...]
    pledgee_consents_needed: tuple[int, ...]

    @property
    def allowed(self) -> bool:
        """Nothing blocks the act."""
        return not self.blocked


def _pledge(enc: Encumbrance, proposal: Proposal, consented: set[int]) -> str | None:
    if proposal.act in (Act.PLEDGE, Act.LISTING):
        return "pledged"
    if enc.holder_org_id is not None and enc.holder_org_id in consented:
        return None
    return "pledgee_consent_required"


def _listing(enc: Encumbrance, proposal: Proposal) -> str | None:
    if enc.purpose not in EXCLUSIVE_LISTINGS:
        return None
    if proposal.act in (Act.TRANSFER, Act.LICENCE_EXCLUSIVE):
        return None if proposal.via == enc.source else "listed"
    if proposal.act == Act.PLEDGE:
        return "listed"
    if proposal.act == Act.LISTING and proposal.purpose in EXCLUSIVE_LISTINGS:
        return "already_listed"
    return None


def _licence(enc: Encumbrance, proposal: Proposal) -> str | None:
    licensing = proposal.act in (Act.LICENCE_EXCLUSIVE, Act.LICENCE_NON_EXCLUSIVE)
    if licensing and enc.scope.overlaps(proposal.scope):
        return "exclusive_licence_overlaps"
    return None


def assess(
    proposal: Proposal, encumbrances: Iterable[Encumbrance], *, pledgee_consents: Iterable[int] = ()
) -> Outcome:
    """Apply the blocking matrix to every live encumbrance of the asset."""
    consented = set(pledgee_consents)
    blocked: list[tuple[Encumbrance, str]] = []
    disclosed: list[Encumbrance] = []
    needs: list[int] = []
    for enc in encumbrances:
        if not enc.live(proposal.today):
            continue
        reason: str | None
        if enc.kind == Kind.JUDICIAL_FREEZE:
            reason = "frozen"
        elif enc.kind == Kind.PLEDGE:
            reason = _pledge(enc, proposal, consented)
            if reason == "pledgee_consent_required" and enc.holder_org_id is not None:
                needs.append(enc.holder_org_id)
        elif enc.kind == Kind.LISTING:
            reason = _listing(enc, proposal)
        elif enc.kind == Kind.EXCLUSIVE_LICENCE:
            reason = _licence(enc, proposal)
            if reason is None and proposal.act in (Act.TRANSFER, Act.LISTING):
                disclosed.append(enc)
        else:
            reason = "unknown_encumbrance"
        if reason is not None:
            blocked.append((enc, reason))
    return Outcome(blocked=tuple(blocked), disclosed=tuple(disclosed), pledgee_consents_needed=tuple(needs))


def describe(blocked: Sequence[tuple[Encumbrance, str]]) -> str:
    """A short English summary of what blocks (the catalogue translates the error code's title)."""
    return "; ".join(f"{enc.kind} {enc.source}: {reason}" for enc, reason in blocked)

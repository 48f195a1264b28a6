"""The blocking matrix of encumbrances (issue 10 part 2), cell by cell, written out as the issue states it."""

from __future__ import annotations

import datetime as dt

import pytest

from ipops.assets.encumbrance_rules import Act, Encumbrance, Proposal, Scope, assess

TODAY = dt.date(2026, 1, 15)
BANK = 50

PLEDGE = Encumbrance(id=1, kind="pledge", status="registered", source="loan:7", holder_org_id=BANK)
RESERVED = Encumbrance(id=2, kind="pledge", status="reserved", source="loan:8", holder_org_id=BANK)
FREEZE = Encumbrance(id=3, kind="judicial_freeze", status="active", source="court_order:(2026)苏05执保1号")
LISTING = Encumbrance(id=4, kind="listing", status="active", source="listing:9", purpose="assignment")
EXCLUSIVE = Encumbrance(
    id=5,
    kind="exclusive_licence",
    status="active",
    source="licence:L-1",
    scope=Scope(
        field="新能源汽车", territory="中国", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2029, 12, 31)
    ),
)

ALL_ACTS = (Act.TRANSFER, Act.PLEDGE, Act.LICENCE_EXCLUSIVE, Act.LICENCE_NON_EXCLUSIVE, Act.LISTING)
OVERLAPPING = Scope(
    field="新能源汽车", territory="中国", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 12, 31)
)
ELSEWHERE = Scope(
    field="储能电站", territory="中国", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 12, 31)
)

# (encumbrance, act) -> "blocked", "allowed", "disclosed" or "consent" (blocked unless the pledgee consents)
MATRIX = {
    (PLEDGE, Act.TRANSFER): "consent",
    (PLEDGE, Act.PLEDGE): "blocked",
    (PLEDGE, Act.LICENCE_EXCLUSIVE): "consent",
    (PLEDGE, Act.LICENCE_NON_EXCLUSIVE): "consent",
    (PLEDGE, Act.LISTING): "blocked",
    (RESERVED, Act.TRANSFER): "consent",
    (RESERVED, Act.PLEDGE): "blocked",
    (RESERVED, Act.LICENCE_EXCLUSIVE): "consent",
    (RESERVED, Act.LICENCE_NON_EXCLUSIVE): "consent",
    (RESERVED, Act.LISTING): "blocked",
    (FREEZE, Act.TRANSFER): "blocked",
    (FREEZE, Act.PLEDGE): "blocked",
    (FREEZE, Act.LICENCE_EXCLUSIVE): "blocked",
    (FREEZE, Act.LICENCE_NON_EXCLUSIVE): "blocked",
    (FREEZE, Act.LISTING): "blocked",
    (LISTING, Act.TRANSFER): "blocked",  # except through the listing's deal, below
    (LISTING, Act.PLEDGE): "blocked",
    (LISTING, Act.LICENCE_EXCLUSIVE): "blocked",
    (LISTING, Act.LICENCE_NON_EXCLUSIVE): "allowed",
    (LISTING, Act.LISTING): "blocked",  # a second listing for assignment
    (EXCLUSIVE, Act.TRANSFER): "disclosed",  # the buyer takes it subject to the licence
    (EXCLUSIVE, Act.PLEDGE): "allowed",
    (EXCLUSIVE, Act.LICENCE_EXCLUSIVE): "blocked",  # in an overlapping field, territory and term
    (EXCLUSIVE, Act.LICENCE_NON_EXCLUSIVE): "blocked",
    (EXCLUSIVE, Act.LISTING): "disclosed",
}


def _proposal(act: Act, **kw: object) -> Proposal:
    values: dict[str, object] = {"act": act, "today": TODAY, "scope": OVERLAPPING, "purpose": "assignment"}
    values.update(kw)
    return Proposal(**values)  # type: ignore[arg-type]


def _answer(encumbrance: Encumbrance, act: Act, consents: tuple[int, ...] = ()) -> str:
    outcome = assess(_proposal(act), [encumbrance], pledgee_consents=consents)
    if outcome.pledgee_consents_needed:
        return "consent"
    if not outcome.allowed:
        return "blocked"
    return "disclosed" if outcome.disclosed else "allowed"


@pytest.mark.parametrize(("encumbrance", "act"), list(MATRIX), ids=lambda v: getattr(v, "kind", v))
def test_every_cell_of_the_matrix(encumbrance: Encumbrance, act: Act) -> None:
    assert _answer(encumbrance, act) == MATRIX[(encumbrance, act)]


def test_the_matrix_covers_every_kind_and_act() -> None:
    assert {act for _, act in MATRIX} == set(ALL_ACTS)
    assert {enc.kind for enc, _ in MATRIX} == {"pledge", "judicial_freeze", "listing", "exclusive_licence"}


def test_the_pledgee_consent_lifts_what_it_may() -> None:
    for act in (Act.TRANSFER, Act.LICENCE_EXCLUSIVE, Act.LICENCE_NON_EXCLUSIVE):
        assert _answer(PLEDGE, act, consents=(BANK,)) == "allowed"
        assert _answer(PLEDGE, act, consents=(BANK + 1,)) == "consent"  # another bank's consent is no use
    assert _answer(PLEDGE, Act.PLEDGE, consents=(BANK,)) == "blocked"


def test_a_listing_s_own_deal_may_complete_and_other_listings_are_free() -> None:
    assert assess(_proposal(Act.TRANSFER, via="listing:9"), [LISTING]).allowed
    assert assess(_proposal(Act.LICENCE_EXCLUSIVE, via="listing:9"), [LISTING]).allowed
    assert not assess(_proposal(Act.TRANSFER, via="listing:10"), [LISTING]).allowed
    non_exclusive_listing = Encumbrance(
        id=6, kind="listing", status="active", source="listing:11", purpose="licence"
    )
    assert assess(_proposal(Act.TRANSFER), [non_exclusive_listing]).allowed
    assert assess(_proposal(Act.LISTING, purpose="licence"), [LISTING]).allowed  # only a second such listing


def test_licences_that_do_not_overlap_are_allowed_and_ended_ones_bind_nothing() -> None:
    assert assess(_proposal(Act.LICENCE_EXCLUSIVE, scope=ELSEWHERE), [EXCLUSIVE]).allowed
    later = Scope(field="新能源汽车", territory="中国", starts_on=dt.date(2030, 1, 1))
    assert assess(_proposal(Act.LICENCE_NON_EXCLUSIVE, scope=later), [EXCLUSIVE]).allowed
    abroad = Scope(field="新能源汽车", territory="德国")
    assert assess(_proposal(Act.LICENCE_NON_EXCLUSIVE, scope=abroad), [EXCLUSIVE]).allowed
    released = Encumbrance(id=7, kind="judicial_freeze", status="released", source="court_order:x")
    assert assess(_proposal(Act.TRANSFER), [released]).allowed
    assert assess(_proposal(Act.LICENCE_EXCLUSIVE), [EXCLUSIVE]).allowed is False
    assert assess(
        Proposal(act=Act.LICENCE_EXCLUSIVE, today=dt.date(2030, 6, 1), scope=OVERLAPPING), [EXCLUSIVE]
    ).allowed

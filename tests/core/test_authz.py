"""The policy decides reads and writes by alliance, region, organisation and role; refusals are proven.

These are unit checks of the pure decision on registry assets; `tests/authz/test_matrix.py` holds the full
table of every entity on real rows.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ipops.core.authz import (
    ANONYMOUS,
    ROLES,
    Action,
    Facts,
    GrantFact,
    Group,
    Principal,
    Role,
    RoleSpec,
    Tenancy,
    Visibility,
    decide,
    refusal,
    region_contains,
    region_prefix,
    register_role,
)
from ipops.core.errors import DomainError, ErrorCode

NOW = dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC)


def can(principal: Principal, action: str, facts: Facts, grants: tuple[GrantFact, ...] = ()) -> bool:
    return decide(principal, action, facts, grants=grants, now=NOW)


def require(principal: Principal, action: str, facts: Facts) -> None:
    if not can(principal, action, facts):
        raise refusal(principal, action, facts, can_read=can(principal, Action.READ, facts), now=NOW)


YRD = 1
OTHER_ALLIANCE = 2
SUZHOU, NANJING, HANGZHOU, JIANGSU = "320500", "320100", "330100", "320000"
ENTERPRISE_A, ENTERPRISE_B = 10, 11


def person(
    role: Role, *, region: str | None = None, org: int | None = None, alliance: int = YRD
) -> Principal:
    return Principal(
        user_id=1, username=role.value, role=role, alliance_id=alliance, region_code=region, org_id=org
    )


def record(
    visibility: Visibility, *, region: str = SUZHOU, owners: tuple[int, ...] = (ENTERPRISE_A,)
) -> Facts:
    return Facts(
        entity="asset",
        record_id=7,
        alliance_id=YRD,
        region_code=region,
        visibility=visibility,
        parties={"owner": frozenset(owners)},
    )


def test_region_hierarchy() -> None:
    assert region_prefix("320000") == "32"
    assert region_prefix("320500") == "3205"
    assert region_prefix("320506") == "320506"
    assert region_contains(JIANGSU, SUZHOU)
    assert region_contains(SUZHOU, "320506")
    assert not region_contains(SUZHOU, NANJING)
    assert not region_contains(SUZHOU, None)


PRIVATE_SUZHOU = record(Visibility.PRIVATE)

READ_PRIVATE_CASES = [
    (person(Role.ORG_MEMBER, org=ENTERPRISE_A, region=SUZHOU), True),
    (person(Role.ORG_ADMIN, org=ENTERPRISE_B, region=SUZHOU), False),  # another enterprise, same city
    (person(Role.CENTRE_STAFF, region=SUZHOU), True),
    (person(Role.CENTRE_STAFF, region=NANJING), False),  # region B's staff, region A's record
    (person(Role.REGION_ADMIN, region=HANGZHOU), False),
    (person(Role.REGION_ADMIN, region=JIANGSU), True),  # the province contains the city
    (person(Role.ALLIANCE_ADMIN), True),
    (person(Role.ALLIANCE_ADMIN, alliance=OTHER_ALLIANCE), False),
    (person(Role.APPRAISER, org=99, region=SUZHOU), False),
    (person(Role.FINANCIER, org=98, region=SUZHOU), False),
    (person(Role.PUBLIC), False),
    (ANONYMOUS, False),
]


@pytest.mark.parametrize(
    ("principal", "allowed"), READ_PRIVATE_CASES, ids=lambda v: getattr(v, "username", v)
)
def test_read_private_record(principal: Principal, allowed: bool) -> None:
    assert can(principal, Action.READ, PRIVATE_SUZHOU) is allowed


def test_public_and_alliance_visibility() -> None:
    assert can(ANONYMOUS, Action.READ, record(Visibility.PUBLIC))
    assert not can(ANONYMOUS, Action.READ, record(Visibility.ALLIANCE))
    assert can(person(Role.APPRAISER, org=99), Action.READ, record(Visibility.ALLIANCE))
    assert not can(
        person(Role.APPRAISER, org=99, alliance=OTHER_ALLIANCE), Action.READ, record(Visibility.ALLIANCE)
    )
    assert not can(person(Role.PUBLIC), Action.READ, record(Visibility.ALLIANCE))


def test_trade_secret_is_owner_only_even_for_administrators() -> None:
    secret = record(Visibility.RESTRICTED)
    assert can(person(Role.ORG_MEMBER, org=ENTERPRISE_A), Action.READ, secret)
    for outsider in (
        person(Role.ALLIANCE_ADMIN),
        person(Role.REGION_ADMIN, region=SUZHOU),
        person(Role.CENTRE_STAFF, region=SUZHOU),
        person(Role.ORG_ADMIN, org=ENTERPRISE_B),
    ):
        assert not can(outsider, Action.READ, secret)
        assert not can(outsider, Action.UPDATE, secret)
    assert not can(person(Role.ORG_MEMBER, org=ENTERPRISE_A), Action.TRANSFER, secret)
    assert can(person(Role.ORG_ADMIN, org=ENTERPRISE_A), Action.TRANSFER, secret)


def test_writes() -> None:
    public = record(Visibility.PUBLIC)
    assert can(person(Role.ORG_MEMBER, org=ENTERPRISE_A), Action.UPDATE, public)
    assert not can(person(Role.ORG_MEMBER, org=ENTERPRISE_A), Action.TRANSFER, public)
    assert can(person(Role.ORG_ADMIN, org=ENTERPRISE_A), Action.TRANSFER, public)
    assert not can(person(Role.ORG_ADMIN, org=ENTERPRISE_B), Action.UPDATE, public)
    assert not can(person(Role.CENTRE_STAFF, region=SUZHOU), Action.UPDATE, public)  # staff read, not edit
    assert can(person(Role.REGION_ADMIN, region=SUZHOU), Action.UPDATE, public)
    # only an owner's administrator disposes of the right; the office records legal events
    assert not can(person(Role.REGION_ADMIN, region=SUZHOU), Action.TRANSFER, public)
    assert can(person(Role.REGION_ADMIN, region=SUZHOU), Action.RECORD_LEGAL_EVENT, public)
    assert not can(person(Role.ORG_ADMIN, org=ENTERPRISE_A), Action.RECORD_LEGAL_EVENT, public)
    assert not can(person(Role.REGION_ADMIN, region=NANJING), Action.UPDATE, public)
    assert not can(ANONYMOUS, Action.UPDATE, public)


def test_require_hides_existence_on_refused_read() -> None:
    with pytest.raises(DomainError) as info:
        require(person(Role.ORG_ADMIN, org=ENTERPRISE_B), Action.READ, PRIVATE_SUZHOU)
    assert info.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(DomainError) as info:
        require(person(Role.ORG_ADMIN, org=ENTERPRISE_B), Action.UPDATE, PRIVATE_SUZHOU)
    assert info.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(DomainError) as info:
        require(person(Role.CENTRE_STAFF, region=SUZHOU), Action.UPDATE, PRIVATE_SUZHOU)
    assert info.value.code == ErrorCode.FORBIDDEN  # may see it, may not change it
    with pytest.raises(DomainError) as info:
        require(ANONYMOUS, Action.UPDATE, record(Visibility.PUBLIC))
    assert info.value.code == ErrorCode.UNAUTHENTICATED


def grant(org: int | None = None, region: str | None = None, **kw: object) -> GrantFact:
    values: dict[str, object] = {
        "entity_type": "asset",
        "entity_id": 7,
        "actions": frozenset({"read"}),
        "expires_at": NOW + dt.timedelta(days=1),
        "org_id": org,
        "region_code": region,
    }
    values.update(kw)
    return GrantFact(**values)  # type: ignore[arg-type]


def test_record_grants_open_one_record_while_live() -> None:
    outsider = person(Role.ORG_MEMBER, org=ENTERPRISE_B)
    hangzhou_staff = person(Role.CENTRE_STAFF, region=HANGZHOU)
    assert not can(outsider, Action.READ, PRIVATE_SUZHOU)
    assert can(outsider, Action.READ, PRIVATE_SUZHOU, (grant(org=ENTERPRISE_B),))
    assert not can(outsider, Action.UPDATE, PRIVATE_SUZHOU, (grant(org=ENTERPRISE_B),))  # read, not write
    assert not can(outsider, Action.READ, PRIVATE_SUZHOU, (grant(org=ENTERPRISE_B, expires_at=NOW),))
    assert not can(outsider, Action.READ, PRIVATE_SUZHOU, (grant(org=ENTERPRISE_B, revoked_at=NOW),))
    assert not can(outsider, Action.READ, PRIVATE_SUZHOU, (grant(org=ENTERPRISE_B, entity_id=8),))
    # a region's grant (a referral) reaches that region's office and the province over it
    assert can(hangzhou_staff, Action.READ, PRIVATE_SUZHOU, (grant(region=HANGZHOU),))
    assert can(
        person(Role.REGION_ADMIN, region="330000"), Action.READ, PRIVATE_SUZHOU, (grant(region=HANGZHOU),)
    )
    assert not can(
        person(Role.CENTRE_STAFF, region=NANJING), Action.READ, PRIVATE_SUZHOU, (grant(region=HANGZHOU),)
    )
    assert not can(
        person(Role.ORG_MEMBER, org=ENTERPRISE_B, alliance=OTHER_ALLIANCE),
        Action.READ,
        PRIVATE_SUZHOU,
        (grant(org=ENTERPRISE_B),),
    )


def test_a_later_module_adds_a_role_as_data() -> None:
    """A case handler of a protection centre reads its region's private records: one spec, no new branch."""
    handler = RoleSpec(
        "case_handler_test",
        Tenancy.REGION,
        frozenset({Group.MEMBER, Group.REGION_OFFICE}),
        granted_by=frozenset({Group.ADMINISTRATION}),
    )
    register_role(handler)
    try:
        suzhou_handler = Principal(
            user_id=5, username="h", role="case_handler_test", alliance_id=YRD, region_code=SUZHOU
        )
        nanjing_handler = Principal(
            user_id=6, username="n", role="case_handler_test", alliance_id=YRD, region_code=NANJING
        )
        assert can(suzhou_handler, Action.READ, PRIVATE_SUZHOU)
        assert not can(nanjing_handler, Action.READ, PRIVATE_SUZHOU)
        assert not can(suzhou_handler, Action.UPDATE, PRIVATE_SUZHOU)
        assert not can(suzhou_handler, Action.READ, record(Visibility.RESTRICTED))
    finally:
        del ROLES["case_handler_test"]


def test_an_unknown_role_acts_as_the_visitor() -> None:
    ghost = Principal(user_id=9, username="g", role="no_such_role", alliance_id=YRD, org_id=ENTERPRISE_A)
    assert not can(ghost, Action.READ, PRIVATE_SUZHOU)
    assert can(ghost, Action.READ, record(Visibility.PUBLIC))


def test_the_right_party_at_the_wrong_stage_gets_409() -> None:
    loan = Facts(
        entity="loan",
        record_id=3,
        alliance_id=YRD,
        region_code=SUZHOU,
        status="draft",
        parties={"borrower": frozenset({ENTERPRISE_A}), "bank": frozenset({50})},
    )
    bank = person(Role.FINANCIER, org=50)
    with pytest.raises(DomainError) as info:
        require(bank, Action.APPROVE, loan)
    assert info.value.code == ErrorCode.NOT_FOUND  # a draft is not the bank's to see yet
    submitted = Facts(
        entity="loan",
        record_id=3,
        alliance_id=YRD,
        region_code=SUZHOU,
        status="approved",
        parties=loan.parties,
    )
    with pytest.raises(DomainError) as info:
        require(bank, Action.APPROVE, submitted)
    assert info.value.code == ErrorCode.INVALID_STATE
    with pytest.raises(DomainError) as info:
        require(person(Role.ORG_ADMIN, org=ENTERPRISE_A), Action.APPROVE, submitted)
    assert info.value.code == ErrorCode.FORBIDDEN


def test_a_later_module_extends_a_rule_with_its_role() -> None:
    """A bank's credit officer approves loans: a role and one more way to be allowed, both as data."""
    from ipops.core.authz import RULES, Allow, Party, StatusIn, extend_rule

    officer = RoleSpec(
        "credit_officer_test",
        Tenancy.ORGANISATION,
        frozenset({Group.MEMBER}),
        org_kinds=frozenset({"financier"}),
        granted_by=frozenset({Group.ORG_ADMIN}),
    )
    saved = RULES["loan"]
    register_role(officer)
    try:
        extend_rule(
            "loan",
            Action.APPROVE,
            Allow(frozenset({"credit_officer_test"}), Party("bank"), (StatusIn(frozenset({"submitted"})),)),
        )
        loan = Facts(
            entity="loan",
            record_id=3,
            alliance_id=YRD,
            region_code=SUZHOU,
            status="submitted",
            parties={"borrower": frozenset({ENTERPRISE_A}), "bank": frozenset({50})},
        )
        at_bank = Principal(user_id=8, username="c", role="credit_officer_test", alliance_id=YRD, org_id=50)
        elsewhere = Principal(user_id=9, username="d", role="credit_officer_test", alliance_id=YRD, org_id=51)
        assert can(at_bank, Action.APPROVE, loan)
        assert not can(elsewhere, Action.APPROVE, loan)
        assert not can(at_bank, Action.READ, loan)  # the module grants reading where it needs it
    finally:
        RULES["loan"] = saved
        del ROLES["credit_officer_test"]

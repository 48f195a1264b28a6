"""The policy decides reads and writes by alliance, region, organisation and role; refusals are proven."""

from __future__ import annotations

import pytest

from ipops.core.authz import (
    ANONYMOUS,
    Action,
    Principal,
    RecordScope,
    Role,
    Visibility,
    can,
    region_contains,
    region_prefix,
    require,
)
from ipops.core.errors import DomainError, ErrorCode

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
) -> RecordScope:
    return RecordScope(
        alliance_id=YRD, region_code=region, visibility=visibility, owner_org_ids=frozenset(owners)
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
    assert can(person(Role.REGION_ADMIN, region=SUZHOU), Action.TRANSFER, public)
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

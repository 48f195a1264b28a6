"""Region geometry and the one definition of "covers this region", in Python and in SQL."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false

from ipops.core.authz.facts import SqlValue
from ipops.core.authz.principal import Principal
from ipops.core.authz.roles import Tenancy


def region_prefix(region_code: str) -> str:
    """The GB/T 2260 prefix that covers a region and everything below it (32 for 320000, 3205 for 320500)."""
    if region_code.endswith("0000"):
        return region_code[:2]
    if region_code.endswith("00"):
        return region_code[:4]
    return region_code


def region_contains(outer: str, inner: str | None) -> bool:
    """Whether region `inner` lies in region `outer` (a province contains its cities and counties)."""
    return inner is not None and inner.startswith(region_prefix(outer))


def covers(principal: Principal, *, alliance_id: int | None, region_code: str | None) -> bool:
    """The principal acts for the whole alliance, or for a region that contains the record's region."""
    if alliance_id is None or principal.alliance_id != alliance_id:
        return False
    if principal.tenancy == Tenancy.ALLIANCE:
        return True
    return (
        principal.tenancy == Tenancy.REGION
        and principal.region_code is not None
        and region_contains(principal.region_code, region_code)
    )


def covers_clause(
    principal: Principal, *, alliance_id: SqlValue, region_code: SqlValue | None
) -> ColumnElement[bool]:
    """`covers` as a WHERE clause."""
    if principal.alliance_id is None:
        return false()
    same_alliance = alliance_id == principal.alliance_id
    if principal.tenancy == Tenancy.ALLIANCE:
        return same_alliance
    if principal.tenancy == Tenancy.REGION and principal.region_code and region_code is not None:
        return and_(
            same_alliance, region_code.startswith(region_prefix(principal.region_code), autoescape=True)
        )
    return false()

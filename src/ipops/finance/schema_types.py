"""Field types the finance wire models share."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints

from ipops.assets.ip_types import IpType

Fraction = Annotated[Decimal, Field(ge=0, le=1, max_digits=9, decimal_places=6)]
AnnualRate = Annotated[Decimal, Field(ge=0, le=1, max_digits=9, decimal_places=6)]
Text200 = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Note = Annotated[str, StringConstraints(max_length=500)] | None
RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]

DEFAULT_HAIRCUTS: dict[IpType, Decimal] = {
    IpType.INVENTION: Decimal("0.30"),
    IpType.UTILITY_MODEL: Decimal("0.40"),
    IpType.DESIGN: Decimal("0.45"),
    IpType.TRADEMARK: Decimal("0.35"),
    IpType.SOFTWARE_COPYRIGHT: Decimal("0.45"),
}

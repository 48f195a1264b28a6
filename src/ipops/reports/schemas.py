"""Wire models for reports: imported datasets and the report's figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class DatasetKind(StrEnum):
    """What an imported table holds."""

    OFFICIAL = "official"
    POPULATION = "population"


class DatasetMeta(BaseModel):
    """Where an imported table comes from and the date its numbers are as of."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
    as_of: dt.date
    kind: DatasetKind = DatasetKind.OFFICIAL
    publisher: Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)] = ""
    reference: Annotated[str, StringConstraints(max_length=500, strip_whitespace=True)] = ""
    scope_region_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] | None = None
    visibility: Annotated[str, StringConstraints(pattern="^(public|alliance)$")] = "public"


class DatasetRead(BaseModel):
    """An imported table as stored."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    alliance_id: int
    kind: DatasetKind
    name: str
    publisher: str
    reference: str
    as_of: dt.date
    scope_region_code: str | None
    visibility: str
    row_count: int


class FigureRead(BaseModel):
    """One reported number with its source and as-of date, and the other source's number when both exist."""

    indicator: str
    region_code: str
    year: int
    value: Decimal
    source_kind: str
    source: str
    as_of: dt.date
    derivation: str = ""
    lake_value: Decimal | None = None
    official_value: Decimal | None = None
    relative_difference: Decimal | None = None
    flagged: bool = False


class ReportRead(BaseModel):
    """An innovation-strength report as JSON."""

    alliance_code: str
    year: int
    generated_at: dt.datetime
    tolerance: Decimal
    regions: list[dict[str, str | None]]
    figures: list[FigureRead]
    sources: list[dict[str, str]]
    flagged: int = Field(description="how many figures disagree between the lake and official statistics")
    omissions: list[str]

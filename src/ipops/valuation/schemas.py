"""Wire models of the valuation service."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ipops.core.money import MoneyModel
from ipops.valuation.engine.indicators import Scenario

MethodName = Literal[
    "relief_from_royalty",
    "discounted_cash_flow",
    "multi_period_excess_earnings",
    "market_comparables",
    "cost",
]


class ValuationRequestCreate(BaseModel):
    """A request to value a registry asset.

    inputs: engine inputs, each a number or a distribution object ({"dist": "triangular", ...}). For relief
    from royalty, royalty_rate may be left out: it is then drawn from the bundled prior narrowed by the
    indicator-tree score. life_years may be left out: it is then derived from the asset's legal term, status
    and `technology_cycle_years`.

    market_comparables: inputs {"comparables": [{price, date, type, industry, remaining_life, exclusivity,
    region, maturity?, reference?}, ...], "subject": {industry, exclusivity, region?, maturity?},
    "policy": {price_index?, discount_rate?, ...}}; the subject's type and remaining life come from the asset.
    cost: inputs {"cost_items": {name: amount}, "basis": "replacement" | "reproduction", cost_index?,
    developer_profit_rate?, physical?, functional?, economic?} (rates may be distributions); physical
    obsolescence defaults to the share of the asset's life already used.
    """

    model_config = ConfigDict(extra="forbid")

    asset_id: int
    scenario: Scenario = Scenario.LICENSING_TRANSFER
    method: MethodName = "relief_from_royalty"
    inputs: dict[str, Any]
    settings: dict[str, Any] = Field(default_factory=dict)
    indicator_scores: dict[str, Annotated[float, Field(ge=0, le=100)]] = Field(default_factory=dict)
    industry: Annotated[str, Field(max_length=60)] = "all"
    technology_cycle_years: Annotated[float, Field(ge=0, le=100)] | None = None
    valuation_date: dt.date | None = None
    appraiser_org_id: int | None = None


class ValuationRequestRead(BaseModel):
    """A stored request."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    asset_id: int
    scenario: Scenario
    method: str
    inputs: dict[str, Any]
    requested_by_org_id: int | None
    appraiser_org_id: int | None
    created_at: dt.datetime


class RunRequest(BaseModel):
    """Options for one run: a seed (default: the request's or the engine's)."""

    model_config = ConfigDict(extra="forbid")

    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] | None = None


class SignatureRead(BaseModel):
    """An appraiser's signature on a report."""

    model_config = ConfigDict(from_attributes=True)

    user_id: int
    org_id: int
    signer_name: str
    signed_at: dt.datetime


class SealRead(BaseModel):
    """The engaged firm's seal on a signed report."""

    org_id: int
    name: str
    sealed_at: dt.datetime


class ValuationReportRead(BaseModel):
    """A stored report: inputs as run, method version, seed, range and the full result JSON."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    request_id: int
    asset_id: int
    method: str
    method_version: str
    inputs: dict[str, Any]
    seed: int
    paths: int
    currency: str
    p10: MoneyModel
    p50: MoneyModel
    p90: MoneyModel
    result: dict[str, Any]
    context: dict[str, Any]
    status: Literal["draft", "signing", "signed"]
    signed_by_user_id: int | None
    signed_at: dt.datetime | None
    signatures: list[SignatureRead] = []
    seal: SealRead | None = None
    created_at: dt.datetime


class RerunRead(BaseModel):
    """Outcome of re-running a stored report."""

    report_id: int
    reproduced: bool
    p10: MoneyModel
    p50: MoneyModel
    p90: MoneyModel


class ValuationRangeRead(BaseModel):
    """The latest signed range of an asset."""

    report_id: int
    p10: MoneyModel
    p50: MoneyModel
    p90: MoneyModel
    signed_at: dt.datetime
    method_version: str

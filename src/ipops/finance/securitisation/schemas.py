"""Wire models for securitisation: contracts, deals, pools, tranches and runs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ipops.assets.ip_types import IpType
from ipops.core.money import MoneyModel
from ipops.finance.models import ContractKind
from ipops.finance.schema_types import AnnualRate, Fraction, RegionCode, Text200


class ContractCreate(BaseModel):
    """A licence, lease or receivable contract of the caller's organisation."""

    kind: ContractKind
    reference: Annotated[str, StringConstraints(min_length=1, max_length=60, strip_whitespace=True)]
    obligor: Text200
    obligor_region_code: RegionCode | None = None
    asset_id: int | None = None
    currency: Annotated[str, StringConstraints(pattern="^[A-Z]{3}$")] = "CNY"
    amount: Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=2)] | None = None
    annual_rate: AnnualRate | None = None
    term_months: Annotated[int, Field(ge=1, le=600)] | None = None
    residual: Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=2)] | None = None
    first_due: dt.date
    royalties: list[Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=2)]] = Field(
        default_factory=list, max_length=600
    )

    @model_validator(mode="after")
    def _fields_of_kind(self) -> ContractCreate:
        if self.kind == ContractKind.LICENCE:
            if self.asset_id is None:
                raise ValueError("a licence is recorded on a registry asset: give asset_id")
            if not self.royalties or sum(self.royalties, Decimal(0)) <= 0:
                raise ValueError("a licence needs its royalty schedule (monthly amounts)")
            self.amount = sum(self.royalties, Decimal(0))
        elif self.kind == ContractKind.LEASE:
            if self.asset_id is None:
                raise ValueError("a sale-leaseback is of a registry asset: give asset_id")
            if not self.amount or self.annual_rate is None or self.term_months is None:
                raise ValueError("a lease needs amount (financed), annual_rate and term_months")
            if (self.residual or Decimal(0)) > self.amount:
                raise ValueError("the residual cannot exceed the financed amount")
        elif not self.amount:
            raise ValueError("a receivable needs its face amount")
        return self


class ContractRead(BaseModel):
    """A contract as stored."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    originator_org_id: int
    kind: ContractKind
    reference: str
    obligor: str
    obligor_region_code: str | None
    asset_id: int | None
    currency: str
    amount: Decimal
    annual_rate: Decimal | None
    term_months: int | None
    residual: Decimal | None
    first_due: dt.date
    royalties: list[str]


class ImportProblem(BaseModel):
    """A CSV row that was not imported, by its line number in the file (the header is line 1)."""

    line: int
    reference: str | None
    errors: list[str]


class ImportReport(BaseModel):
    """What a CSV import did: rows read = imported + rejected."""

    rows: int
    imported: int
    rejected: list[ImportProblem]
    contract_ids: list[int]


class EligibilityCriteria(BaseModel):
    """What every contract in a pool must satisfy."""

    require_in_force: bool = True  # the asset is granted (or protected)
    life_covers_term: bool = True  # the asset outlives the deal
    exclude_pledged: bool = True  # the asset is not pledged elsewhere
    kinds: list[ContractKind] = Field(default_factory=lambda: list(ContractKind), min_length=1)
    ip_types: list[IpType] | None = None  # None: any IP type


class ConcentrationLimits(BaseModel):
    """Largest share of the pool balance one obligor, region or IP type may hold."""

    max_obligor_share: Fraction = Decimal("0.4")
    max_region_share: Fraction = Decimal("0.7")
    max_ip_type_share: Fraction = Decimal("0.8")


class DealCreate(BaseModel):
    """A new securitisation: the originator, the arranging bank, dates, rates and pool rules."""

    name: Text200
    originator_org_id: int | None = None  # defaults to the caller's organisation
    arranger_org_id: int | None = None  # a financier creating the deal arranges it
    currency: Annotated[str, StringConstraints(pattern="^[A-Z]{3}$")] = "CNY"
    start_date: dt.date
    term_months: Annotated[int, Field(ge=1, le=360)]
    discount_rate: AnnualRate = Decimal("0.06")
    servicer_fee_rate: AnnualRate = Decimal("0.003")
    trustee_fee: Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=2)] = Decimal(0)
    criteria: EligibilityCriteria = Field(default_factory=EligibilityCriteria)
    limits: ConcentrationLimits = Field(default_factory=ConcentrationLimits)


class PoolRequest(BaseModel):
    """Contracts to add to a deal's pool; breaches refuse the request or are flagged and kept."""

    contract_ids: list[int] = Field(min_length=1, max_length=500)
    on_breach: Literal["refuse", "flag"] = "refuse"


class PoolReason(BaseModel):
    """Why a contract breaks a criterion or a limit."""

    contract_id: int
    reference: str
    rule: str
    message: str


class PoolReport(BaseModel):
    """The outcome of adding contracts: added, left out as ineligible, and flagged concentrations."""

    added: list[int]
    excluded: list[PoolReason]
    flagged: list[PoolReason]
    pool_balance: MoneyModel


class TrancheIn(BaseModel):
    """A class of notes."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=40, strip_whitespace=True)]
    seniority: Literal["senior", "mezzanine", "subordinated"]
    balance: Annotated[Decimal, Field(gt=0, max_digits=20, decimal_places=2)]
    coupon_kind: Literal["fixed", "floating", "step_up"] = "fixed"
    rate: AnnualRate = Decimal(0)  # fixed rate, spread over the index, or rate before the step-up
    index_name: Annotated[str, StringConstraints(max_length=20)] | None = None
    step_up: AnnualRate | None = None
    step_from_period: Annotated[int, Field(ge=1)] | None = None

    @model_validator(mode="after")
    def _coupon_fields(self) -> TrancheIn:
        if self.coupon_kind == "floating" and not self.index_name:
            self.index_name = "LPR1Y"
        if self.coupon_kind == "step_up" and (self.step_up is None or self.step_from_period is None):
            raise ValueError("a step-up coupon needs step_up and step_from_period")
        return self


class StructureRequest(BaseModel):
    """The tranches in order of priority (senior first); replaces any earlier structure."""

    tranches: list[TrancheIn] = Field(min_length=1, max_length=8)

    @model_validator(mode="after")
    def _ordered(self) -> StructureRequest:
        rank = {"senior": 0, "mezzanine": 1, "subordinated": 2}
        ranks = [rank[t.seniority] for t in self.tranches]
        if ranks != sorted(ranks):
            raise ValueError("list tranches senior first, then mezzanine, then subordinated")
        if len({t.name for t in self.tranches}) != len(self.tranches):
            raise ValueError("tranche names must be unique")
        return self


class TrancheRead(TrancheIn):
    """A tranche as stored."""

    model_config = ConfigDict(from_attributes=True)

    seq: int


class RunRequest(BaseModel):
    """A CDR x CPR grid (annual rates) with a recovery assumption and the index level for floaters."""

    cdr: list[Fraction] = Field(default_factory=lambda: [Decimal(0), Decimal("0.05"), Decimal("0.1")])
    cpr: list[Fraction] = Field(default_factory=lambda: [Decimal(0), Decimal("0.1")])
    recovery_rate: Fraction = Decimal("0.3")
    recovery_lag: Annotated[int, Field(ge=0, le=60)] = 6
    index_rate: AnnualRate = Decimal("0.0345")

    @model_validator(mode="after")
    def _grid_size(self) -> RunRequest:
        if not 1 <= len(self.cdr) <= 10 or not 1 <= len(self.cpr) <= 10:
            raise ValueError("give 1 to 10 CDR and 1 to 10 CPR values")
        return self


class TrancheOutcome(BaseModel):
    """A tranche's result in one scenario."""

    loss: Decimal  # share of the original balance never repaid
    principal_lost: MoneyModel
    wal: Decimal | None
    irr: Decimal | None


class ScenarioOutcome(BaseModel):
    """One scenario of a run."""

    index: int
    cdr: Decimal
    cpr: Decimal
    recovery_rate: Decimal
    tranches: dict[str, TrancheOutcome]


class DealRunRead(BaseModel):
    """A stored run: the grid, outcomes per scenario and breakeven CDR per tranche."""

    id: int
    deal_id: int
    created_at: dt.datetime
    request: RunRequest
    scenarios: list[ScenarioOutcome]
    breakeven_cdr: dict[str, Decimal | None]


class DealContractRead(BaseModel):
    """A contract in a deal's pool."""

    contract: ContractRead
    balance: MoneyModel
    flags: list[str]
    ip_type: str | None


class DealRead(BaseModel):
    """A deal's header."""

    id: int
    name: str
    originator_org_id: int
    originator_name: str
    arranger_org_id: int | None
    region_code: str
    currency: str
    start_date: dt.date
    term_months: int
    discount_rate: Decimal
    servicer_fee_rate: Decimal
    trustee_fee: MoneyModel
    criteria: EligibilityCriteria
    limits: ConcentrationLimits
    pool_balance: MoneyModel
    tranche_total: MoneyModel
    version: int
    created_at: dt.datetime


class DealDetail(DealRead):
    """A deal with its pool, tranches and runs."""

    contracts: list[DealContractRead]
    tranches: list[TrancheRead]
    run_ids: list[int]


class DealPage(BaseModel):
    """One page of deals."""

    items: list[DealRead]
    total: int
    page: int
    size: int

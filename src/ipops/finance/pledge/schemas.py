"""Wire models for pledge financing: lending policies, appraisals, loans and their steps, alerts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ipops.assets.ip_types import IpType, LegalStatus
from ipops.core.money import MoneyModel
from ipops.finance.models import LoanStatus
from ipops.finance.schema_types import DEFAULT_HAIRCUTS, AnnualRate, Fraction, Note


class LendingPolicyIn(BaseModel):
    """A bank's pledge-lending terms."""

    max_ltv_p10: Annotated[Decimal, Field(gt=0, le=1, max_digits=9, decimal_places=6)] = Decimal("0.5")
    default_haircut: Fraction = Decimal("0.5")
    haircuts: dict[IpType, Fraction] = Field(default_factory=lambda: dict(DEFAULT_HAIRCUTS))
    min_remaining_life_months: Annotated[int, Field(ge=0, le=600)] = 36
    eligible_statuses: list[LegalStatus] = Field(default_factory=lambda: [LegalStatus.GRANTED], min_length=1)


class LendingPolicyRead(LendingPolicyIn):
    """A bank's policy as stored."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    bank_org_id: int
    version: int
    updated_at: dt.datetime


class AppraisalCreate(BaseModel):
    """An outside appraisal report's value range for one asset."""

    asset_id: int
    report_number: Annotated[str, StringConstraints(min_length=1, max_length=60, strip_whitespace=True)]
    p10: MoneyModel
    p50: MoneyModel
    p90: MoneyModel
    appraised_on: dt.date

    @model_validator(mode="after")
    def _ordered_range(self) -> AppraisalCreate:
        if len({self.p10.currency, self.p50.currency, self.p90.currency}) != 1:
            raise ValueError("P10, P50 and P90 must be in one currency")
        if not Decimal(0) < self.p10.amount <= self.p50.amount <= self.p90.amount:
            raise ValueError("the range must satisfy 0 < P10 <= P50 <= P90")
        return self


class AppraisalRead(BaseModel):
    """An appraisal as stored."""

    id: int
    asset_id: int
    appraiser_org_id: int
    report_number: str
    p10: MoneyModel
    p50: MoneyModel
    p90: MoneyModel
    appraised_on: dt.date
    created_at: dt.datetime


class LoanCreate(BaseModel):
    """A pledge-loan application by the caller's organisation, addressed to a bank."""

    bank_org_id: int
    amount: MoneyModel
    term_months: Annotated[int, Field(ge=1, le=360)]
    annual_rate: AnnualRate
    asset_ids: list[int] = Field(min_length=1, max_length=50)
    purpose: Annotated[str, StringConstraints(max_length=300)] | None = None
    bank_share: Fraction = Decimal("0.5")
    government_share: Fraction = Decimal("0.4")
    guarantor_share: Fraction = Decimal("0.1")

    @model_validator(mode="after")
    def _positive(self) -> LoanCreate:
        if self.amount.amount <= 0:
            raise ValueError("the amount must be positive")
        return self


class StepRequest(BaseModel):
    """A dated state change with an optional note."""

    occurred_on: dt.date
    note: Note = None


class ApproveRequest(StepRequest):
    """The bank's approval; it may set the risk-compensation shares (all three, adding up to 100 %)."""

    bank_share: Fraction | None = None
    government_share: Fraction | None = None
    guarantor_share: Fraction | None = None


class RegistrationRequest(BaseModel):
    """The office's pledge registration (质押登记): its number and date make the pledge effective."""

    registration_number: Annotated[str, StringConstraints(min_length=1, max_length=60, strip_whitespace=True)]
    registered_on: dt.date
    note: Note = None


class DefaultRequest(StepRequest):
    """A default, with the principal outstanding at that date."""

    outstanding: MoneyModel


class DisposalRequest(StepRequest):
    """The collateral's disposal and what it fetched."""

    proceeds: MoneyModel


class CollateralLineRead(BaseModel):
    """One asset's line in the LTV assessment."""

    asset_id: int
    title: str
    ip_type: str
    legal_status: str
    p10: MoneyModel | None
    p50: MoneyModel | None
    haircut: Decimal
    lendable: MoneyModel
    valuation_source: str | None
    valuation_reference: str | None
    problems: list[str]


class AssessmentRead(BaseModel):
    """The LTV assessment of a loan under its bank's current policy and the latest valuations."""

    lines: list[CollateralLineRead]
    collateral_value: MoneyModel
    max_amount: MoneyModel
    requested: MoneyModel
    ltv: Decimal | None
    max_ltv_p10: Decimal
    problems: list[str]
    approvable: bool


class LoanAssetRead(BaseModel):
    """A pledged asset: its registry facts now and what was recorded at approval."""

    asset_id: int
    title: str
    ip_type: str
    legal_status: str
    pledged: bool
    status_at_pledge: str | None
    last_seen_status: str | None
    valuation_source: str | None
    valuation_reference: str | None
    p10: Decimal | None
    p50: Decimal | None
    haircut: Decimal | None
    lendable_value: Decimal | None


class LoanEventRead(BaseModel):
    """One step of a loan's life."""

    model_config = ConfigDict(from_attributes=True)

    from_status: str | None
    to_status: str
    occurred_on: dt.date
    at: dt.datetime
    note: str | None
    data: dict[str, Any]


class PledgeAlertRead(BaseModel):
    """An alert on a pledged asset's legal status."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    loan_id: int
    asset_id: int
    status_at_pledge: str
    previous_status: str
    current_status: str
    detected_at: dt.datetime


class LossShare(BaseModel):
    """Who bears the loss on default, by the risk-compensation shares."""

    loss: MoneyModel
    bank: MoneyModel
    government: MoneyModel
    guarantor: MoneyModel


class LoanRead(BaseModel):
    """A loan application or loan."""

    id: int
    status: LoanStatus
    borrower_org_id: int
    borrower_name: str
    bank_org_id: int
    bank_name: str
    region_code: str
    amount: MoneyModel
    term_months: int
    annual_rate: Decimal
    purpose: str | None
    bank_share: Decimal
    government_share: Decimal
    guarantor_share: Decimal
    collateral_value: MoneyModel | None
    max_amount: MoneyModel | None
    ltv: Decimal | None
    outstanding_at_default: MoneyModel | None
    disposal_proceeds: MoneyModel | None
    loss_shares: LossShare | None
    pledge_registration_number: str | None = None
    pledge_registered_on: dt.date | None = None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    asset_ids: list[int]


class LoanDetail(LoanRead):
    """A loan with its collateral, history and alerts."""

    assets: list[LoanAssetRead]
    events: list[LoanEventRead]
    alerts: list[PledgeAlertRead]
    allowed: list[str] = []  # the steps the reader may take now (pages show only these)


class LoanPage(BaseModel):
    """One page of loans."""

    items: list[LoanRead]
    total: int
    page: int
    size: int


class MonitorReport(BaseModel):
    """What a monitoring scan looked at and found."""

    loans: int
    assets: int
    new_alerts: list[PledgeAlertRead]

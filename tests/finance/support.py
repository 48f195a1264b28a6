"""Builders shared by the finance service, API and page tests (this module holds no tests itself)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tests.world import World, _user

from ipops.alliance.models import OrgKind
from ipops.alliance.schemas import OrganisationCreate
from ipops.alliance.service import create_organisation
from ipops.assets.models import IpType, LegalStatus
from ipops.assets.schemas import AssetCreate, OwnerIn
from ipops.assets.service import create_asset
from ipops.core.authz import Role, Visibility
from ipops.core.money import MoneyModel
from ipops.core.uow import UnitOfWork
from ipops.finance import deals, pledge
from ipops.finance.schemas import (
    AppraisalCreate,
    ContractCreate,
    DealCreate,
    LendingPolicyIn,
    LoanCreate,
    StepRequest,
    StructureRequest,
    TrancheIn,
)
from ipops.sample import fictional_uscc

TODAY = dt.date(2026, 1, 15)
FAR = dt.date(2045, 12, 31)


def money(amount: str, currency: str = "CNY") -> MoneyModel:
    return MoneyModel(amount=Decimal(amount), currency=currency)


def step(day: dt.date = TODAY, note: str | None = None) -> StepRequest:
    return StepRequest(occurred_on=day, note=note)


def make_asset(
    uow: UnitOfWork,
    world: World,
    *,
    owner: str = "suzhou_ent",
    by: str = "ent_admin",
    ip_type: IpType = IpType.INVENTION,
    status: LegalStatus = LegalStatus.GRANTED,
    expiry: dt.date | None = FAR,
    title: str = "一种锂电池隔膜的制备方法",
    visibility: Visibility = Visibility.PRIVATE,
) -> int:
    created = create_asset(
        uow=uow,
        actor=world.users[by],
        data=AssetCreate(
            ip_type=ip_type,
            title=title,
            legal_status=status,
            expiry_date=expiry,
            visibility=visibility,
            owners=[OwnerIn(org_id=world.orgs[owner])],
        ),
    )
    return created.id


def publish_policy(uow: UnitOfWork, world: World, **overrides: Any) -> None:
    pledge.set_lending_policy(
        uow=uow,
        actor=world.users["banker"],
        bank_org_id=world.orgs["shanghai_bank"],
        data=LendingPolicyIn(**overrides),
    )


def appraise(
    uow: UnitOfWork,
    world: World,
    asset_id: int,
    *,
    p10: str = "1000000",
    p50: str = "1500000",
    p90: str = "2200000",
    report: str | None = None,
    day: dt.date = TODAY,
    owner_admin: str = "ent_admin",
) -> None:
    engage_appraiser(uow, world, asset_id, by=owner_admin)
    pledge.record_appraisal(
        uow=uow,
        actor=world.users["appraiser"],
        data=AppraisalCreate(
            asset_id=asset_id,
            report_number=report or f"HZPG-{asset_id}-{day.isoformat()}",
            p10=money(p10),
            p50=money(p50),
            p90=money(p90),
            appraised_on=day,
        ),
    )


def engage_appraiser(uow: UnitOfWork, world: World, asset_id: int, *, by: str = "ent_admin") -> None:
    """The owner opens the asset to the appraisal firm it engages (a record grant with a reason)."""
    from ipops.assets.schemas import GrantCreate
    from ipops.assets.service import grant_access, list_access

    org = world.orgs["hangzhou_appraiser"]
    if any(
        g.grantee_org_id == org and g.revoked_at is None
        for g in list_access(uow=uow, actor=world.users[by], asset_id=asset_id)
    ):
        return
    grant_access(
        uow=uow,
        actor=world.users[by],
        asset_id=asset_id,
        data=GrantCreate(
            org_id=org, actions=["read", "appraise"], reason="外部评估委托 appraisal engagement"
        ),
    )


def register(uow: UnitOfWork, world: World, loan_id: int, *, day: dt.date = TODAY) -> None:
    """The bank records the pledge registration (质押登记) of an approved loan."""
    from ipops.finance.schemas import RegistrationRequest

    pledge.register_pledge(
        uow=uow,
        actor=world.users["banker"],
        loan_id=loan_id,
        step=RegistrationRequest(registration_number=f"Y{day:%Y%m%d}{loan_id:04d}", registered_on=day),
    )


def draft_loan(
    uow: UnitOfWork, world: World, asset_ids: list[int], *, amount: str = "350000", **overrides: Any
) -> int:
    body: dict[str, Any] = {
        "bank_org_id": world.orgs["shanghai_bank"],
        "amount": money(amount),
        "term_months": 24,
        "annual_rate": Decimal("0.0385"),
        "asset_ids": asset_ids,
        "purpose": "研发投入",
    }
    body.update(overrides)
    return pledge.create_loan(uow=uow, actor=world.users["ent_admin"], data=LoanCreate(**body)).id


def approved_loan(uow: UnitOfWork, world: World, *, amount: str = "350000") -> tuple[int, int]:
    """A loan approved on one appraised invention, its pledge registered: (loan id, asset id)."""
    from ipops.finance.schemas import ApproveRequest

    asset_id = make_asset(uow, world)
    publish_policy(uow, world)
    loan_id = draft_loan(uow, world, [asset_id], amount=amount)
    appraise(uow, world, asset_id)  # the owner engages the appraisal firm for the asset
    pledge.submit_loan(uow=uow, actor=world.users["ent_admin"], loan_id=loan_id, step=step())
    pledge.approve_loan(
        uow=uow, actor=world.users["banker"], loan_id=loan_id, step=ApproveRequest(occurred_on=TODAY)
    )
    register(uow, world, loan_id)
    return loan_id, asset_id


def second_bank(uow: UnitOfWork, world: World) -> int:
    """Another bank with its own financier `banker2`."""
    org = create_organisation(
        uow=uow,
        actor=world.users["alliance_admin"],
        data=OrganisationCreate(
            name="杭州示例商业银行",
            kind=OrgKind.FINANCIER,
            uscc=fictional_uscc("330100", 40),
            region_code="330100",
        ),
    )
    world.orgs["hangzhou_bank"] = org.id
    _user(uow, world, "banker2", Role.FINANCIER, world.alliance_id, org=org.id)
    return org.id


CSV_HEADER = (
    "kind,reference,obligor,obligor_region_code,asset_id,currency,amount,annual_rate,term_months,residual,"
    "first_due,royalties"
)


def licence(
    asset_id: int, reference: str, obligor: str, region: str, monthly: str = "50000"
) -> ContractCreate:
    return ContractCreate(
        kind="licence",
        reference=reference,
        obligor=obligor,
        obligor_region_code=region,
        asset_id=asset_id,
        first_due=dt.date(2026, 2, 28),
        royalties=[Decimal(monthly)] * 36,
    )


def lease(
    asset_id: int, reference: str, obligor: str, region: str, amount: str = "1500000"
) -> ContractCreate:
    return ContractCreate(
        kind="lease",
        reference=reference,
        obligor=obligor,
        obligor_region_code=region,
        asset_id=asset_id,
        amount=Decimal(amount),
        annual_rate=Decimal("0.06"),
        term_months=36,
        residual=Decimal("100"),
        first_due=dt.date(2026, 2, 28),
    )


def receivable(reference: str, obligor: str, region: str, amount: str, due: dt.date) -> ContractCreate:
    return ContractCreate(
        kind="receivable",
        reference=reference,
        obligor=obligor,
        obligor_region_code=region,
        amount=Decimal(amount),
        first_due=due,
    )


def open_deal(uow: UnitOfWork, world: World, *, by: str = "ent_admin", **overrides: Any) -> int:
    body: dict[str, Any] = {
        "name": "苏州知识产权证券化 2026-1 IP ABS",
        "start_date": dt.date(2026, 1, 31),
        "term_months": 36,
        "arranger_org_id": world.orgs["shanghai_bank"],
    }
    body.update(overrides)
    return deals.create_deal(uow=uow, actor=world.users[by], data=DealCreate(**body)).id


def diversified_pool(uow: UnitOfWork, world: World) -> list[int]:
    """Four contracts of suzhou_ent over three obligors, two regions and two IP types."""
    invention = make_asset(uow, world, title="发明一")
    mark = make_asset(uow, world, ip_type=IpType.TRADEMARK, title="商标一")
    software = make_asset(uow, world, ip_type=IpType.SOFTWARE_COPYRIGHT, title="软件一")
    actor = world.users["ent_admin"]
    return [
        deals.create_contract(uow=uow, actor=actor, data=data).id
        for data in (
            licence(invention, "LIC-001", "无锡示例电子有限公司", "320200"),
            licence(mark, "LIC-002", "上海示例零售有限公司", "310000", monthly="45000"),
            lease(software, "LSE-001", "南京示例软件有限公司", "320100"),
            receivable("REC-001", "上海示例零售有限公司", "310000", "300000", dt.date(2026, 7, 31)),
        )
    ]


def structure(uow: UnitOfWork, world: World, deal_id: int, *, pool: Decimal) -> None:
    senior = (pool * Decimal("0.80")).quantize(Decimal("0.01"))
    mezz = (pool * Decimal("0.12")).quantize(Decimal("0.01"))
    sub = pool - senior - mezz
    deals.set_structure(
        uow=uow,
        actor=world.users["ent_admin"],
        deal_id=deal_id,
        data=StructureRequest(
            tranches=[
                TrancheIn(name="Senior A", seniority="senior", balance=senior, rate=Decimal("0.032")),
                TrancheIn(
                    name="Mezz B",
                    seniority="mezzanine",
                    balance=mezz,
                    coupon_kind="floating",
                    rate=Decimal("0.015"),
                ),
                TrancheIn(name="Sub C", seniority="subordinated", balance=sub),
            ]
        ),
    )

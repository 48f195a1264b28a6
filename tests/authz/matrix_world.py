"""The world of the authorisation matrix: one record of every entity, and a principal in every position.

Positions: the record's own organisation (admin and member), a co-owner, another organisation in the same
city, the city's office and staff, the province's office over it, another region's office and organisation,
the alliance administrator, a second alliance, the record's bank and appraisal firm and others of their
kind, the public visitor, an anonymous visitor, and the holders of an active, an expired and a revoked
grant on the record. Records are made through the services, as the platform makes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select, update

from ipops.alliance.kinds import OrgKind
from ipops.alliance.models import User
from ipops.alliance.schemas import OrganisationCreate, UserCreate
from ipops.alliance.service import create_alliance, create_organisation, create_user, principal_of
from ipops.assets.schemas import AssetCreate, GrantCreate, OwnerIn
from ipops.assets.service import accept_ownership, create_asset, grant_access
from ipops.core.audit import AuditEntry
from ipops.core.authz import ANONYMOUS, SYSTEM, Principal, RecordGrant, Role, issue_grant, revoke_grants
from ipops.core.db import db_now
from ipops.core.money import MoneyModel
from ipops.core.uow import UnitOfWork
from ipops.finance import pledge
from ipops.finance import securitisation as deals
from ipops.finance.schemas import (
    AppraisalCreate,
    ApproveRequest,
    ContractCreate,
    DealCreate,
    LendingPolicyIn,
    LoanCreate,
    RegistrationRequest,
    StepRequest,
)
from ipops.reports.models import StatDataset
from ipops.sample import fictional_uscc
from ipops.valuation import service as valuation
from ipops.valuation.schemas import ValuationRequestCreate

PASSWORD = "correct-horse-battery"  # noqa: S105 - test credential
SUZHOU, JIANGSU, NANJING, HANGZHOU, ZHEJIANG, SHANGHAI = (
    "320500",
    "320000",
    "320100",
    "330100",
    "330000",
    "310000",
)
TODAY = dt.date(2026, 1, 15)

ORGS = [
    # key, kind, region
    ("own", OrgKind.ENTERPRISE, SUZHOU),
    ("coowner", OrgKind.ENTERPRISE, HANGZHOU),
    ("city", OrgKind.ENTERPRISE, SUZHOU),
    ("other_region", OrgKind.UNIVERSITY, NANJING),
    ("bank", OrgKind.FINANCIER, SHANGHAI),
    ("other_bank", OrgKind.FINANCIER, HANGZHOU),
    ("firm", OrgKind.APPRAISER, HANGZHOU),
    ("other_firm", OrgKind.APPRAISER, NANJING),
    ("grant_active", OrgKind.ENTERPRISE, SHANGHAI),
    ("grant_expired", OrgKind.ENTERPRISE, SHANGHAI),
    ("grant_revoked", OrgKind.ENTERPRISE, SHANGHAI),
]

PRINCIPALS = [
    # name, role, region, org key (None: not an organisation's account)
    ("own.admin", Role.ORG_ADMIN, None, "own"),
    ("own.member", Role.ORG_MEMBER, None, "own"),
    ("coowner.admin", Role.ORG_ADMIN, None, "coowner"),
    ("city.org_admin", Role.ORG_ADMIN, None, "city"),
    ("city.office", Role.REGION_ADMIN, SUZHOU, None),
    ("city.staff", Role.CENTRE_STAFF, SUZHOU, None),
    ("province.office", Role.REGION_ADMIN, JIANGSU, None),
    ("other_region.office", Role.REGION_ADMIN, HANGZHOU, None),
    ("other_region.org_admin", Role.ORG_ADMIN, None, "other_region"),
    ("alliance.admin", Role.ALLIANCE_ADMIN, None, None),
    ("bank.financier", Role.FINANCIER, None, "bank"),
    ("other_bank.financier", Role.FINANCIER, None, "other_bank"),
    ("firm.appraiser", Role.APPRAISER, None, "firm"),
    ("other_firm.appraiser", Role.APPRAISER, None, "other_firm"),
    ("public", Role.PUBLIC, None, None),
    ("grant.active", Role.ORG_MEMBER, None, "grant_active"),
    ("grant.expired", Role.ORG_MEMBER, None, "grant_expired"),
    ("grant.revoked", Role.ORG_MEMBER, None, "grant_revoked"),
]


@dataclass
class MatrixWorld:
    """Ids of the records (by name) and the principals (by position)."""

    alliance_id: int
    orgs: dict[str, int] = field(default_factory=dict)
    principals: dict[str, Principal] = field(default_factory=dict)
    records: dict[str, tuple[str, int]] = field(default_factory=dict)  # name -> (entity, id)


def _account(
    uow: UnitOfWork, world: MatrixWorld, name: str, role: str, alliance: int, **tenancy: object
) -> None:
    created = create_user(
        uow=uow,
        actor=SYSTEM,
        alliance_id=alliance,
        data=UserCreate(
            username=name.replace(".", "_"),
            display_name=name,
            password=PASSWORD,
            role=role,
            **tenancy,  # type: ignore[arg-type]
        ),
    )
    with uow:
        user = uow.session.get(User, created.id)
        assert user is not None
        world.principals[name] = principal_of(user)


def _asset(uow: UnitOfWork, actor: Principal, title: str, owners: list[OwnerIn], **extra: object) -> int:
    data = AssetCreate.model_validate(
        {
            "ip_type": "invention",
            "title": title,
            "legal_status": "granted",
            "expiry_date": "2045-12-31",
            "owners": owners,
            **extra,
        }
    )
    return create_asset(uow=uow, actor=actor, data=data).id


def _appraised(uow: UnitOfWork, world: MatrixWorld, asset_id: int) -> None:
    own, firm = world.principals["own.admin"], world.principals["firm.appraiser"]
    grant_access(
        uow=uow,
        actor=own,
        asset_id=asset_id,
        data=GrantCreate(org_id=world.orgs["firm"], actions=["read", "appraise"], reason="评估委托"),
    )
    pledge.record_appraisal(
        uow=uow,
        actor=firm,
        data=AppraisalCreate(
            asset_id=asset_id,
            report_number=f"浙评[2026]{asset_id:03d}",
            p10=MoneyModel(amount=Decimal("1000000")),
            p50=MoneyModel(amount=Decimal("1500000")),
            p90=MoneyModel(amount=Decimal("2000000")),
            appraised_on=TODAY,
        ),
    )


def _loan(uow: UnitOfWork, world: MatrixWorld, asset_id: int, stage: str) -> int:
    own, bank = world.principals["own.admin"], world.principals["bank.financier"]
    loan = pledge.create_loan(
        uow=uow,
        actor=own,
        data=LoanCreate(
            bank_org_id=world.orgs["bank"],
            amount=MoneyModel(amount=Decimal("100000")),
            term_months=24,
            annual_rate=Decimal("0.04"),
            asset_ids=[asset_id],
        ),
    ).id
    step = StepRequest(occurred_on=TODAY)
    if stage == "draft":
        return loan
    pledge.submit_loan(uow=uow, actor=own, loan_id=loan, step=step)
    if stage == "submitted":
        return loan
    pledge.approve_loan(uow=uow, actor=bank, loan_id=loan, step=ApproveRequest(occurred_on=TODAY))
    if stage == "approved":
        return loan
    pledge.register_pledge(
        uow=uow,
        actor=bank,
        loan_id=loan,
        step=RegistrationRequest(registration_number="Y1", registered_on=TODAY),
    )
    pledge.disburse_loan(uow=uow, actor=bank, loan_id=loan, step=step)
    return loan


def _grants(uow: UnitOfWork, world: MatrixWorld, entity: str, ident: int, actions: tuple[str, ...]) -> None:
    """An active, an expired and a revoked grant on the record (expiry is moved into the past directly)."""
    with uow:
        session = uow.session
        expires = db_now(session) + dt.timedelta(days=30)
        for key in ("grant_active", "grant_expired", "grant_revoked"):
            issue_grant(
                session,
                actor=SYSTEM,
                alliance_id=world.alliance_id,
                entity_type=entity,
                entity_id=ident,
                actions=actions,
                reason=f"matrix {key}",
                expires_at=expires,
                grantee_org_id=world.orgs[key],
                source=f"matrix:{key}",
            )
        session.execute(
            update(RecordGrant)
            .where(
                RecordGrant.entity_type == entity,
                RecordGrant.entity_id == ident,
                RecordGrant.grantee_org_id == world.orgs["grant_expired"],
            )
            .values(expires_at=db_now(session) - dt.timedelta(days=1))
        )
        revoke_grants(
            session, actor=SYSTEM, entity_type=entity, entity_id=ident, source="matrix:grant_revoked"
        )
        uow.commit()


def build_matrix_world(uow: UnitOfWork) -> MatrixWorld:
    """Build the alliance, its accounts and one record of each entity."""
    alliance_id = create_alliance(
        uow=uow,
        actor=SYSTEM,
        code="matrix",
        name_zh="矩阵测试联盟",
        name_en="Matrix test alliance",
        region_codes=[SHANGHAI, JIANGSU, SUZHOU, NANJING, ZHEJIANG, HANGZHOU],
    )
    other_id = create_alliance(
        uow=uow,
        actor=SYSTEM,
        code="matrix-gba",
        name_zh="第二联盟",
        name_en="Second alliance",
        region_codes=["440300"],
    )
    world = MatrixWorld(alliance_id=alliance_id)
    _account(uow, world, "alliance.admin", Role.ALLIANCE_ADMIN, alliance_id)
    for index, (key, kind, region) in enumerate(ORGS):
        org = create_organisation(
            uow=uow,
            actor=world.principals["alliance.admin"],
            data=OrganisationCreate(
                name=f"矩阵示例{key}单位",
                kind=kind,
                uscc=fictional_uscc(region, 500 + index),
                region_code=region,
            ),
        )
        world.orgs[key] = org.id
    for name, role, region, org_key in PRINCIPALS:
        if name == "alliance.admin":
            continue
        _account(
            uow,
            world,
            name,
            role,
            alliance_id,
            region_code=region,
            org_id=world.orgs[org_key] if org_key else None,
        )
    _account(uow, world, "second_alliance.admin", Role.ALLIANCE_ADMIN, other_id)
    gba_admin = world.principals["second_alliance.admin"]
    gba_org = create_organisation(
        uow=uow,
        actor=gba_admin,
        data=OrganisationCreate(
            name="第二联盟示例企业",
            kind=OrgKind.ENTERPRISE,
            uscc=fictional_uscc("440300", 590),
            region_code="440300",
        ),
    )
    _account(uow, world, "second_alliance.org_admin", Role.ORG_ADMIN, other_id, org_id=gba_org.id)
    world.principals["anonymous"] = ANONYMOUS
    _records(uow, world)
    return world


def _records(uow: UnitOfWork, world: MatrixWorld) -> None:
    p, o = world.principals, world.orgs
    own = p["own.admin"]
    sole = [OwnerIn(org_id=o["own"])]
    assets = {
        "asset:private": _asset(
            uow,
            own,
            "矩阵共有私有专利",
            [
                OwnerIn(org_id=o["own"], share=Decimal("0.6")),
                OwnerIn(org_id=o["coowner"], share=Decimal("0.4")),
            ],
        ),
        "asset:public": _asset(uow, own, "矩阵公开专利", sole, visibility="public"),
        "asset:alliance": _asset(uow, own, "矩阵联盟专利", sole, visibility="alliance"),
        "asset:secret": _asset(
            uow, own, "矩阵商业秘密", sole, ip_type="trade_secret", legal_status="protected", expiry_date=None
        ),
        "asset:invited": _asset(
            uow,
            own,
            "矩阵待确认共有专利",
            [OwnerIn(org_id=o["own"], share=Decimal("0.5")), OwnerIn(org_id=o["city"], share=Decimal("0.5"))],
        ),
    }
    accept_ownership(uow=uow, actor=p["coowner.admin"], asset_id=assets["asset:private"])
    for name, ident in assets.items():
        world.records[name] = ("asset", ident)
        _grants(uow, world, "asset", ident, ("read", "read_valuations"))
    request = valuation.create_request(
        uow=uow,
        actor=own,
        data=ValuationRequestCreate.model_validate(
            {
                "asset_id": assets["asset:private"],
                "scenario": "finance",
                "method": "relief_from_royalty",
                "inputs": {
                    "revenue": {"dist": "lognormal", "p10": 8_000_000, "p90": 14_000_000},
                    "discount_rate": {"dist": "triangular", "low": 0.1, "mode": 0.13, "high": 0.18},
                    "growth": {"dist": "pert", "low": -0.02, "mode": 0.04, "high": 0.08},
                },
                "settings": {"paths": 500, "seed": 3},
                "technology_cycle_years": 8,
                "valuation_date": "2025-01-01",
                "appraiser_org_id": o["firm"],
            }
        ),
    )
    report = valuation.run_request(uow=uow, actor=own, request_id=request.id)
    world.records["valuation_request"] = ("valuation_request", request.id)
    world.records["valuation_report"] = ("valuation_report", report.id)
    pledge.record_appraisal(
        uow=uow,
        actor=p["firm.appraiser"],
        data=AppraisalCreate(
            asset_id=assets["asset:private"],
            report_number="浙评[2026]矩阵",
            p10=MoneyModel(amount=Decimal("900000")),
            p50=MoneyModel(amount=Decimal("1200000")),
            p90=MoneyModel(amount=Decimal("1600000")),
            appraised_on=TODAY,
        ),
    )
    pledge.set_lending_policy(
        uow=uow, actor=p["bank.financier"], bank_org_id=o["bank"], data=LendingPolicyIn()
    )
    with uow:
        from ipops.finance.models import Appraisal, LendingPolicy

        appraisal_id = uow.session.scalars(
            select(Appraisal.id).where(Appraisal.report_number == "浙评[2026]矩阵")
        ).one()
        policy_id = uow.session.scalars(
            select(LendingPolicy.id).where(LendingPolicy.bank_org_id == o["bank"])
        ).one()
    world.records["appraisal"] = ("appraisal", appraisal_id)
    world.records["lending_policy"] = ("lending_policy", policy_id)
    extra = {stage: _asset(uow, own, f"矩阵质押专利 {stage}", sole) for stage in ("approved", "disbursed")}
    for asset_id in (assets["asset:alliance"], *extra.values()):
        _appraised(uow, world, asset_id)
    loans = {
        "loan:draft": _loan(uow, world, assets["asset:public"], "draft"),
        "loan:submitted": _loan(uow, world, assets["asset:alliance"], "submitted"),
        "loan:approved": _loan(uow, world, extra["approved"], "approved"),
        "loan:disbursed": _loan(uow, world, extra["disbursed"], "disbursed"),
    }
    for name, ident in loans.items():
        world.records[name] = ("loan", ident)
        _grants(uow, world, "loan", ident, ("read",))
    contract = deals.create_contract(
        uow=uow,
        actor=own,
        data=ContractCreate.model_validate(
            {
                "kind": "receivable",
                "reference": "MX-1",
                "obligor": "无锡示例",
                "amount": "100000",
                "first_due": "2026-06-30",
            }
        ),
    )
    deal = deals.create_deal(
        uow=uow,
        actor=own,
        data=DealCreate(name="矩阵专项计划", start_date=TODAY, term_months=12, arranger_org_id=o["bank"]),
    )
    world.records["contract"] = ("contract", contract.id)
    world.records["deal"] = ("deal", deal.id)
    _grants(uow, world, "contract", contract.id, ("read",))
    _grants(uow, world, "deal", deal.id, ("read",))
    with uow:
        session = uow.session
        own_member = p["own.member"].user_id
        staff = p["city.staff"].user_id
        assert own_member is not None and staff is not None
        world.records["user:own_member"] = ("user", own_member)
        world.records["user:city_staff"] = ("user", staff)
        world.records["organisation"] = ("organisation", o["own"])
        created = session.scalars(
            select(AuditEntry.id).where(
                AuditEntry.action == "asset.created", AuditEntry.entity_id == str(assets["asset:private"])
            )
        ).one()
        policy_set = session.scalars(
            select(AuditEntry.id).where(
                AuditEntry.action == "finance.policy.set", AuditEntry.entity_id == str(policy_id)
            )
        ).one()
        world.records["audit:asset_created"] = ("audit_entry", created)
        world.records["audit:bank_policy"] = ("audit_entry", policy_set)
        for visibility in ("public", "alliance"):
            dataset = StatDataset(
                alliance_id=world.alliance_id,
                kind="official",
                name=f"矩阵统计 {visibility}",
                as_of=TODAY,
                scope_region_code=SUZHOU,
                visibility=visibility,
            )
            session.add(dataset)
            session.flush()
            world.records[f"dataset:{visibility}"] = ("statistics_dataset", dataset.id)
        uow.commit()

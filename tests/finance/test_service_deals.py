"""Securitisation deals: CSV import, eligibility and concentration limits, structure, runs and exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.finance.support import (
    CSV_HEADER,
    approved_loan,
    diversified_pool,
    licence,
    make_asset,
    open_deal,
    receivable,
    structure,
)
from tests.world import World

from ipops.assets.encumbrance_rules import Act
from ipops.assets.models import AssetEvent, IpType, LegalStatus
from ipops.assets.schemas import ConsentCreate
from ipops.assets.service import give_consent
from ipops.core.audit import audit_trail
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.uow import UnitOfWork
from ipops.finance import deals, exports
from ipops.finance.schemas import ConcentrationLimits, PoolRequest, RunRequest


def test_csv_import_takes_good_rows_and_reports_bad_ones(
    uow: UnitOfWork, world: World, db_session: Session
) -> None:
    software = make_asset(uow, world, ip_type=IpType.SOFTWARE_COPYRIGHT)
    other_org_asset = make_asset(uow, world, owner="hangzhou_ent", by="hz_admin")
    text = "\n".join(
        [
            CSV_HEADER,
            f"lease,LSE-100,南京示例软件有限公司,320100,{software},CNY,1200000,0.055,36,100,2026-02-28,",
            "receivable,REC-100,上海示例零售有限公司,310000,,CNY,250000,,,,2026-06-30,",
            "receivable,REC-101,上海示例零售有限公司,310000,,CNY,,,,,2026-06-30,",  # no face amount
            f"licence,LIC-100,无锡示例电子有限公司,320200,{software},CNY,,,,,2026-02-28,10000;10000;10000",
            "receivable,REC-100,重复的编号,310000,,CNY,1000,,,,2026-06-30,",  # duplicate reference
            "lease,LSE-101,某公司,320100,,CNY,1000,0.05,12,,2026-02-28,",  # no asset
            f"licence,LIC-101,某公司,320100,{other_org_asset},CNY,,,,,2026-02-28,500",  # not the originator's
            "receivable,REC-102,某公司,320100,,CNY,1000,,,,not-a-date,",
        ]
    )
    report = deals.import_contracts(uow=uow, actor=world.users["ent_admin"], text=text)
    assert report.rows == 8
    assert report.imported + len(report.rejected) == report.rows
    assert report.imported == 3
    assert [p.line for p in report.rejected] == [4, 6, 7, 8, 9]
    assert [p.reference for p in report.rejected] == ["REC-101", "REC-100", "LSE-101", "LIC-101", "REC-102"]
    assert "duplicate" in report.rejected[1].errors[0]
    assert "forbidden" in report.rejected[3].errors[0]
    contracts = deals.list_contracts(uow=uow, actor=world.users["ent_member"])
    assert [c.reference for c in contracts] == ["LSE-100", "REC-100", "LIC-100"]
    assert contracts[2].amount == Decimal("30000.00")
    # the imported licence is in the registry's event history; the rejected LIC-101 left no event
    licensed = db_session.scalars(
        select(AssetEvent).where(AssetEvent.kind == "licensed").order_by(AssetEvent.id)
    ).all()
    assert [(e.asset_id, e.data["reference"], e.data["licensee"]) for e in licensed] == [
        (software, "LIC-100", "无锡示例电子有限公司")
    ]
    assert audit_trail(db_session, entity_type="asset", entity_id=software)[-1].action == "asset.licensed"
    assert len(audit_trail(db_session, entity_type="organisation", entity_id=world.orgs["suzhou_ent"])) >= 1
    with pytest.raises(DomainError) as no_columns:
        deals.import_contracts(uow=uow, actor=world.users["ent_admin"], text="a,b\n1,2\n")
    assert no_columns.value.code == ErrorCode.VALIDATION_ERROR
    with pytest.raises(DomainError) as bank:
        deals.import_contracts(uow=uow, actor=world.users["banker"], text=text)
    assert bank.value.code == ErrorCode.FORBIDDEN


def test_eligibility_refuses_with_reasons(uow: UnitOfWork, world: World) -> None:
    actor = world.users["ent_admin"]
    lapsed = make_asset(uow, world, status=LegalStatus.LAPSED)
    short = make_asset(uow, world, expiry=dt.date(2027, 12, 31))
    _, pledged = approved_loan(uow, world)
    give_consent(  # a pledged asset is licensed only with the pledgee's consent (民法典 art. 444)
        uow=uow,
        actor=world.users["banker"],
        asset_id=pledged,
        data=ConsentCreate(action=Act.LICENCE_NON_EXCLUSIVE),
    )
    ids = [
        deals.create_contract(uow=uow, actor=actor, data=licence(asset, ref, "某公司", "320500")).id
        for asset, ref in ((lapsed, "L-1"), (short, "L-2"), (pledged, "L-3"))
    ]
    deal_id = open_deal(
        uow, world, limits=ConcentrationLimits(max_obligor_share=1, max_region_share=1, max_ip_type_share=1)
    )
    with pytest.raises(DomainError) as refused:
        deals.add_to_pool(uow=uow, actor=actor, deal_id=deal_id, data=PoolRequest(contract_ids=ids))
    reasons = refused.value.extra["reasons"]
    assert [(r["reference"], r["rule"]) for r in reasons] == [
        ("L-1", "legal_status"),
        ("L-2", "remaining_life"),
        ("L-3", "pledged"),
    ]
    assert "before the deal matures on 2029-01-31" in reasons[1]["message"]
    assert deals.get_deal(uow=uow, actor=actor, deal_id=deal_id).contracts == []
    flagged = deals.add_to_pool(
        uow=uow, actor=actor, deal_id=deal_id, data=PoolRequest(contract_ids=ids, on_breach="flag")
    )
    assert flagged.added == [] and len(flagged.excluded) == 3  # ineligible contracts never enter the pool


def test_concentration_limits_refuse_or_flag(uow: UnitOfWork, world: World) -> None:
    actor = world.users["ent_admin"]
    ids = diversified_pool(uow, world)
    deal_id = open_deal(uow, world)
    report = deals.add_to_pool(uow=uow, actor=actor, deal_id=deal_id, data=PoolRequest(contract_ids=ids))
    assert report.added == ids and report.flagged == []
    balance = report.pool_balance.amount
    big = deals.create_contract(
        uow=uow,
        actor=actor,
        data=receivable("REC-BIG", "上海示例零售有限公司", "310000", "3000000", dt.date(2026, 12, 31)),
    )
    with pytest.raises(DomainError) as refused:
        deals.add_to_pool(uow=uow, actor=actor, deal_id=deal_id, data=PoolRequest(contract_ids=[big.id]))
    rules = {(r["reference"], r["rule"]) for r in refused.value.extra["reasons"]}
    assert ("REC-BIG", "concentration_obligor") in rules
    assert ("LIC-002", "concentration_obligor") in rules  # everyone in the bucket is named
    assert ("REC-BIG", "concentration_region") not in rules  # 310000 holds 0.6 < 0.7 of the pool
    assert "上海示例零售有限公司 holds" in refused.value.detail
    kept = deals.add_to_pool(
        uow=uow, actor=actor, deal_id=deal_id, data=PoolRequest(contract_ids=[big.id], on_breach="flag")
    )
    assert kept.added == [big.id]
    assert kept.pool_balance.amount == balance + Decimal("3000000")
    detail = deals.get_deal(uow=uow, actor=actor, deal_id=deal_id)
    flagged = {c.contract.reference: c.flags for c in detail.contracts}
    assert flagged["REC-BIG"] and flagged["REC-001"] and not flagged["LSE-001"]
    in_other = open_deal(uow, world, name="another deal")
    with pytest.raises(DomainError) as taken:
        deals.add_to_pool(uow=uow, actor=actor, deal_id=in_other, data=PoolRequest(contract_ids=[ids[0]]))
    assert taken.value.extra["reasons"][0]["rule"] == "in_other_deal"


def test_deal_run_end_to_end(uow: UnitOfWork, world: World, db_session: Session) -> None:
    actor = world.users["ent_admin"]
    deal_id = open_deal(uow, world, trustee_fee=Decimal("20000"))
    ids = diversified_pool(uow, world)
    pool = deals.add_to_pool(
        uow=uow, actor=actor, deal_id=deal_id, data=PoolRequest(contract_ids=ids)
    ).pool_balance
    with pytest.raises(DomainError) as unstructured:
        deals.run_scenarios(uow=uow, actor=actor, deal_id=deal_id, request=RunRequest())
    assert unstructured.value.code == ErrorCode.INVALID_STATE
    structure(uow, world, deal_id, pool=pool.amount)
    run = deals.run_scenarios(
        uow=uow,
        actor=world.users["banker"],  # the arranging bank runs it
        deal_id=deal_id,
        request=RunRequest(
            cdr=[Decimal(0), Decimal("0.1"), Decimal("0.5")], cpr=[Decimal(0), Decimal("0.2")]
        ),
    )
    assert len(run.scenarios) == 6
    base, worst = run.scenarios[0], run.scenarios[-1]
    assert (base.cdr, base.cpr) == (Decimal(0), Decimal(0))
    assert all(o.loss == 0 for o in base.tranches.values())
    losses = [worst.tranches[n].loss for n in ("Sub C", "Mezz B", "Senior A")]
    assert losses == sorted(losses, reverse=True) and losses[0] > losses[2]
    assert worst.tranches["Sub C"].principal_lost.amount > 0
    assert Decimal(0) < run.breakeven_cdr["Sub C"] < run.breakeven_cdr["Senior A"]
    assert base.tranches["Senior A"].wal is not None and base.tranches["Senior A"].irr is not None

    fetched, inputs = deals.get_run(uow=uow, actor=world.users["ent_member"], deal_id=deal_id, run_id=run.id)
    assert fetched == run
    tables = exports.cashflow_tables(inputs)
    header, rows = tables["tranches"]
    base_rows = [dict(zip(header, r, strict=True)) for r in rows if r[0] == 0]
    for name, tranche in (("Senior A", "Senior A"), ("Sub C", "Sub C")):
        paid = sum(r["principal_paid"] for r in base_rows if r["tranche"] == tranche)
        original = next(
            t.balance
            for t in deals.get_deal(uow=uow, actor=actor, deal_id=deal_id).tranches
            if t.name == name
        )
        assert abs(paid - original) <= Decimal("0.05")  # repaid in full when nothing defaults
    pool_header, pool_rows = tables["pool"]
    assert len(pool_rows) == 6 * 36
    opening = pool_rows[0][pool_header.index("beginning_balance")]
    assert abs(opening - pool.amount) <= Decimal("0.05")

    text = exports.cashflow_csv(inputs)
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == header and len(parsed) == len(rows) + 1
    book = load_workbook(io.BytesIO(exports.cashflow_xlsx(inputs, run)))
    assert book.sheetnames == ["summary", "pool", "tranches"]
    assert book["tranches"].max_row == len(rows) + 1
    actions = [a.action for a in audit_trail(db_session, entity_type="deal", entity_id=deal_id)]
    assert actions == [
        "finance.deal.created",
        "finance.deal.pool_added",
        "finance.deal.structured",
        "finance.deal.run",
    ]


def test_summary_pdf_names_the_deal_and_its_tranches(uow: UnitOfWork, world: World) -> None:
    actor = world.users["ent_admin"]
    deal_id = open_deal(uow, world)
    pool = deals.add_to_pool(
        uow=uow, actor=actor, deal_id=deal_id, data=PoolRequest(contract_ids=diversified_pool(uow, world))
    ).pool_balance
    structure(uow, world, deal_id, pool=pool.amount)
    run = deals.run_scenarios(
        uow=uow,
        actor=actor,
        deal_id=deal_id,
        request=RunRequest(cdr=[Decimal(0), Decimal("0.2")], cpr=[Decimal(0)]),
    )
    detail = deals.get_deal(uow=uow, actor=actor, deal_id=deal_id)
    _, inputs = deals.get_run(uow=uow, actor=actor, deal_id=deal_id, run_id=run.id)
    html = exports.render_summary_document(detail, run, inputs, locale="en")
    assert "<svg" in html and 'data-chart="balances"' in html and 'data-chart="losses"' in html
    pdf = exports.render_summary_pdf(detail, run, inputs, locale="zh_CN")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    squeezed = text.replace(" ", "").replace("\n", "")
    assert "IPABS" in squeezed and "苏州知识产权证券化" in squeezed
    for name in ("SeniorA", "MezzB", "SubC"):
        assert name in squeezed


def test_structure_cannot_exceed_the_pool(uow: UnitOfWork, world: World) -> None:
    actor = world.users["ent_admin"]
    deal_id = open_deal(uow, world)
    pool = deals.add_to_pool(
        uow=uow, actor=actor, deal_id=deal_id, data=PoolRequest(contract_ids=diversified_pool(uow, world))
    ).pool_balance
    with pytest.raises(DomainError) as refused:
        structure(uow, world, deal_id, pool=pool.amount + Decimal("10"))
    assert refused.value.code == ErrorCode.VALIDATION_ERROR
    with pytest.raises(DomainError) as member:
        deals.remove_from_pool(uow=uow, actor=world.users["ent_member"], deal_id=deal_id, contract_id=1)
    assert member.value.code == ErrorCode.FORBIDDEN
    with pytest.raises(DomainError) as stranger:
        deals.get_deal(uow=uow, actor=world.users["hz_admin"], deal_id=deal_id)
    assert stranger.value.code == ErrorCode.NOT_FOUND

"""Pledge LTV takes the P10 of the valuation module's signed report when one exists."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient
from tests.finance.support import draft_loan, publish_policy
from tests.valuation.test_valuation_api import make_asset, request_body
from tests.world import World, bearer

from ipops.core.uow import UnitOfWork
from ipops.finance import pledge


def test_signed_valuation_drives_the_loan_assessment(
    client: TestClient, uow: UnitOfWork, world: World
) -> None:
    asset_id = make_asset(client, world)
    owner = bearer(client, "ent_admin")
    created = client.post("/api/v1/valuations/requests", json=request_body(asset_id, world), headers=owner)
    report = client.post(f"/api/v1/valuations/requests/{created.json()['id']}/run", headers=owner).json()
    publish_policy(uow, world)
    loan_id = draft_loan(uow, world, [asset_id], amount="100000")

    unsigned = pledge.assess_loan(uow=uow, actor=world.users["ent_admin"], loan_id=loan_id)
    assert unsigned.lines[0].valuation_source is None  # a draft report does not count
    for signer in ("appraiser", "appraiser2"):  # two appraisers of the engaged firm, then it counts
        signed = client.post(
            f"/api/v1/valuations/reports/{report['id']}/sign", headers=bearer(client, signer)
        )
        assert signed.status_code == 200, signed.text
        if signer == "appraiser":
            half = pledge.assess_loan(uow=uow, actor=world.users["ent_admin"], loan_id=loan_id)
            assert half.lines[0].valuation_source is None  # one signature is not a signed report

    assessment = pledge.assess_loan(uow=uow, actor=world.users["ent_admin"], loan_id=loan_id)
    line = assessment.lines[0]
    assert line.valuation_source == "valuation"
    assert line.valuation_reference == str(report["id"])
    assert line.p10 is not None and line.p10.amount == Decimal(report["p10"]["amount"])
    assert line.lendable.amount == (line.p10.amount * (1 - line.haircut)).quantize(Decimal("0.01"))

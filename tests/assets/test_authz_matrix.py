"""The authorisation matrix: every world user against every kind of record, through SQL, service and HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.world import World, bearer

from ipops.assets.models import Asset, IpType, LegalStatus
from ipops.assets.schemas import AssetCreate, AssetFilter, OwnerIn
from ipops.assets.scope import asset_facts
from ipops.assets.service import create_asset, get_asset, list_assets
from ipops.core.authz import ANONYMOUS, Action, Visibility, can
from ipops.core.errors import DomainError
from ipops.core.uow import UnitOfWork


def _make(
    uow: UnitOfWork,
    world: World,
    creator: str,
    org: str,
    visibility: Visibility,
    title: str,
    ip_type: IpType = IpType.UTILITY_MODEL,
) -> int:
    asset = create_asset(
        uow=uow,
        actor=world.users[creator],
        data=AssetCreate(
            ip_type=ip_type,
            title=title,
            visibility=visibility,
            legal_status=LegalStatus.GRANTED,
            owners=[OwnerIn(org_id=world.orgs[org])],
        ),
    )
    return asset.id


def _records(uow: UnitOfWork, world: World) -> dict[str, int]:
    return {
        "suzhou_private": _make(uow, world, "ent_admin", "suzhou_ent", Visibility.PRIVATE, "苏州A私有"),
        "suzhou_alliance": _make(uow, world, "ent_admin", "suzhou_ent", Visibility.ALLIANCE, "苏州A联盟"),
        "suzhou_public": _make(uow, world, "ent_admin", "suzhou_ent", Visibility.PUBLIC, "苏州A公开"),
        "suzhou_secret": _make(
            uow, world, "ent_admin", "suzhou_ent", Visibility.PRIVATE, "苏州A秘密", IpType.TRADE_SECRET
        ),
        "suzhou2_private": _make(uow, world, "ent2_admin", "suzhou_ent2", Visibility.PRIVATE, "苏州B私有"),
        "hangzhou_private": _make(uow, world, "hz_admin", "hangzhou_ent", Visibility.PRIVATE, "杭州私有"),
    }


# Who may read which record: the expected matrix, written out by hand from the policy's rules.
EXPECTED_READS: dict[str, set[str]] = {
    "alliance_admin": {
        "suzhou_private",
        "suzhou_alliance",
        "suzhou_public",
        "suzhou2_private",
        "hangzhou_private",
    },
    "suzhou_admin": {"suzhou_private", "suzhou_alliance", "suzhou_public", "suzhou2_private"},
    "jiangsu_admin": {"suzhou_private", "suzhou_alliance", "suzhou_public", "suzhou2_private"},
    "suzhou_staff": {"suzhou_private", "suzhou_alliance", "suzhou_public", "suzhou2_private"},
    "nanjing_staff": {"suzhou_alliance", "suzhou_public"},
    "ent_admin": {"suzhou_private", "suzhou_alliance", "suzhou_public", "suzhou_secret"},
    "ent_member": {"suzhou_private", "suzhou_alliance", "suzhou_public", "suzhou_secret"},
    "ent2_admin": {"suzhou_alliance", "suzhou_public", "suzhou2_private"},
    "hz_admin": {"suzhou_alliance", "suzhou_public", "hangzhou_private"},
    "appraiser": {"suzhou_alliance", "suzhou_public"},
    "appraiser2": {"suzhou_alliance", "suzhou_public"},
    "banker": {"suzhou_alliance", "suzhou_public"},
    "visitor": {"suzhou_public"},  # the public role is a visitor, not an alliance member
    "gba_admin": {"suzhou_public"},
}


def test_read_matrix_in_sql_service_and_policy(uow: UnitOfWork, world: World) -> None:
    records = _records(uow, world)
    by_id = {v: k for k, v in records.items()}
    assert set(EXPECTED_READS) == set(world.users)
    for username, principal in world.users.items():
        listed = list_assets(uow=uow, actor=principal, filters=AssetFilter(), size=100)
        assert {by_id[a.id] for a in listed.items} == EXPECTED_READS[username], username
        for name, asset_id in records.items():
            with uow:
                asset = uow.session.get(Asset, asset_id)
                assert asset is not None
                decided = can(uow.session, principal, Action.READ, asset_facts(asset))
            assert decided is (name in EXPECTED_READS[username]), (username, name)
            try:
                get_asset(uow=uow, actor=principal, asset_id=asset_id)
                served = True
            except DomainError:
                served = False
            assert served is decided, (username, name)
    anonymous = list_assets(uow=uow, actor=ANONYMOUS, filters=AssetFilter(), size=100)
    assert {by_id[a.id] for a in anonymous.items} == {"suzhou_public"}


def test_refusals_over_http(client: TestClient, uow: UnitOfWork, world: World) -> None:
    records = _records(uow, world)
    private = records["suzhou_private"]
    # Region B's staff cannot read region A's private record, and an enterprise cannot read another's.
    for outsider in ("nanjing_staff", "ent2_admin", "hz_admin", "gba_admin", "appraiser"):
        response = client.get(f"/api/v1/assets/{private}", headers=bearer(client, outsider))
        assert response.status_code == 404, outsider
        assert response.json()["code"] == "not_found"
    assert client.get(f"/api/v1/assets/{private}").status_code == 404
    assert client.get(f"/api/v1/assets/{private}", headers=bearer(client, "suzhou_staff")).status_code == 200
    # Trade secrets: even the alliance administrator is refused.
    secret = records["suzhou_secret"]
    assert client.get(f"/api/v1/assets/{secret}", headers=bearer(client, "alliance_admin")).status_code == 404
    assert client.get(f"/api/v1/assets/{secret}", headers=bearer(client, "ent_member")).status_code == 200
    # Writes: staff may read but not edit; another region's administrator sees nothing.
    edit = {"version": 1, "title": "改名"}
    staff = client.patch(f"/api/v1/assets/{private}", json=edit, headers=bearer(client, "suzhou_staff"))
    assert (staff.status_code, staff.json()["code"]) == (403, "forbidden")
    other_region = client.patch(
        f"/api/v1/assets/{records['hangzhou_private']}", json=edit, headers=bearer(client, "suzhou_admin")
    )
    assert other_region.status_code == 404
    assert (
        client.patch(
            f"/api/v1/assets/{private}", json=edit, headers=bearer(client, "suzhou_admin")
        ).status_code
        == 200
    )
    # An enterprise cannot record an asset in another enterprise's name.
    foreign = {"ip_type": "trademark", "title": "冒名", "owners": [{"org_id": world.orgs["hangzhou_ent"]}]}
    response = client.post("/api/v1/assets", json=foreign, headers=bearer(client, "ent_admin"))
    assert response.status_code in (403, 404)

"""A small Yangtze River Delta world for integration tests: regions, organisations and one user per role."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi.testclient import TestClient

from ipops.alliance.models import OrgKind, User
from ipops.alliance.schemas import OrganisationCreate, UserCreate
from ipops.alliance.service import create_alliance, create_organisation, create_user, principal_of
from ipops.core.authz import SYSTEM, Principal, Role
from ipops.core.uow import UnitOfWork
from ipops.sample import fictional_uscc

PASSWORD = "correct-horse-battery"  # noqa: S105 - test credential

SHANGHAI, JIANGSU, SUZHOU, NANJING, ZHEJIANG, HANGZHOU = (
    "310000",
    "320000",
    "320500",
    "320100",
    "330000",
    "330100",
)


@dataclass
class World:
    """Ids and principals of the test alliance."""

    alliance_id: int
    other_alliance_id: int
    orgs: dict[str, int] = field(default_factory=dict)
    users: dict[str, Principal] = field(default_factory=dict)


def build_world(uow: UnitOfWork) -> World:
    """Build the alliance through the services, exactly as the platform would."""
    alliance_id = create_alliance(
        uow=uow,
        actor=SYSTEM,
        code="yrd-test",
        name_zh="长三角测试联盟",
        name_en="YRD test alliance",
        region_codes=[SHANGHAI, JIANGSU, SUZHOU, NANJING, ZHEJIANG, HANGZHOU],
    )
    other_id = create_alliance(
        uow=uow,
        actor=SYSTEM,
        code="gba-test",
        name_zh="大湾区测试联盟",
        name_en="GBA test alliance",
        region_codes=["440300"],
    )
    world = World(alliance_id=alliance_id, other_alliance_id=other_id)
    admin = _user(uow, world, "alliance_admin", Role.ALLIANCE_ADMIN, alliance_id)
    specs = [
        ("suzhou_ent", OrgKind.ENTERPRISE, SUZHOU, "苏州示例科技有限公司"),
        ("suzhou_ent2", OrgKind.ENTERPRISE, SUZHOU, "苏州另一示例制造有限公司"),
        ("nanjing_uni", OrgKind.UNIVERSITY, NANJING, "南京示例大学"),
        ("hangzhou_ent", OrgKind.ENTERPRISE, HANGZHOU, "杭州示例网络有限公司"),
        ("shanghai_bank", OrgKind.FINANCIER, SHANGHAI, "上海示例银行股份有限公司"),
        ("hangzhou_appraiser", OrgKind.APPRAISER, HANGZHOU, "杭州示例资产评估有限公司"),
    ]
    for index, (key, kind, region, name) in enumerate(specs):
        org = create_organisation(
            uow=uow,
            actor=admin,
            data=OrganisationCreate(
                name=name, kind=kind, uscc=fictional_uscc(region, index), region_code=region
            ),
        )
        world.orgs[key] = org.id
    _user(uow, world, "suzhou_admin", Role.REGION_ADMIN, alliance_id, region=SUZHOU)
    _user(uow, world, "suzhou_staff", Role.CENTRE_STAFF, alliance_id, region=SUZHOU)
    _user(uow, world, "nanjing_staff", Role.CENTRE_STAFF, alliance_id, region=NANJING)
    _user(uow, world, "jiangsu_admin", Role.REGION_ADMIN, alliance_id, region=JIANGSU)
    _user(uow, world, "ent_admin", Role.ORG_ADMIN, alliance_id, org=world.orgs["suzhou_ent"])
    _user(uow, world, "ent_member", Role.ORG_MEMBER, alliance_id, org=world.orgs["suzhou_ent"])
    _user(uow, world, "ent2_admin", Role.ORG_ADMIN, alliance_id, org=world.orgs["suzhou_ent2"])
    _user(uow, world, "hz_admin", Role.ORG_ADMIN, alliance_id, org=world.orgs["hangzhou_ent"])
    _user(uow, world, "appraiser", Role.APPRAISER, alliance_id, org=world.orgs["hangzhou_appraiser"])
    _user(uow, world, "appraiser2", Role.APPRAISER, alliance_id, org=world.orgs["hangzhou_appraiser"])
    _user(uow, world, "banker", Role.FINANCIER, alliance_id, org=world.orgs["shanghai_bank"])
    _user(uow, world, "visitor", Role.PUBLIC, alliance_id)
    _user(uow, world, "gba_admin", Role.ALLIANCE_ADMIN, other_id)
    return world


def _user(
    uow: UnitOfWork,
    world: World,
    username: str,
    role: Role,
    alliance_id: int,
    *,
    region: str | None = None,
    org: int | None = None,
) -> Principal:
    created = create_user(
        uow=uow,
        actor=SYSTEM,
        alliance_id=alliance_id,
        data=UserCreate(
            username=username,
            display_name=username,
            password=PASSWORD,
            role=role,
            region_code=region,
            org_id=org,
        ),
    )
    with uow:
        user = uow.session.get(User, created.id)
        assert user is not None
        principal = principal_of(user)
    world.users[username] = principal
    return principal


def bearer(client: TestClient, username: str) -> dict[str, str]:
    """Bearer headers for a world user, obtained through the token endpoint."""
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}

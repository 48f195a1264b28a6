"""The bundled sample: the Yangtze River Delta alliance with its cities, organisations, users and assets.

Organisations and assets are fictional and labelled 示例 (sample); codes are generated with valid check
characters so that every validator runs on them. Regions come from the bundled GB/T 2260 table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from ipops.alliance.models import Alliance, Organisation, OrgKind, User
from ipops.alliance.schemas import OrganisationCreate, UserCreate
from ipops.alliance.service import create_alliance, create_organisation, create_user, principal_of
from ipops.assets.models import IpType, LegalStatus
from ipops.assets.schemas import AssetCreate, OwnerIn
from ipops.assets.service import accept_ownership, create_asset
from ipops.core import codes, regions
from ipops.core.authz import SYSTEM, Principal, Role, Visibility
from ipops.core.db import make_engine, make_session_factory
from ipops.core.migrate import upgrade_database
from ipops.core.uow import UnitOfWork

SAMPLE_PASSWORD = "ipops-demo-2026"  # noqa: S105 - printed by `ipops load-sample`; dev data only
YRD_PROVINCES = ("310000", "320000", "330000", "340000")  # Shanghai, Jiangsu, Zhejiang, Anhui


def fictional_uscc(region_code: str, index: int, *, authority_type: str = "91") -> str:
    """A syntactically valid but fictional unified social credit code for sample organisations."""
    org_body = f"MA{index:05d}"[:8].ljust(8, "0")
    org_code = org_body + codes.organisation_code_check_char(org_body)
    first17 = authority_type + region_code + org_code
    return first17 + codes.uscc_check_char(first17)


def fictional_cnipa_number(year: int, type_digit: int, serial: int) -> str:
    """A valid 12-digit CNIPA application number with its check digit, e.g. 202310012345.6."""
    digits = f"{year:04d}{type_digit}{serial:07d}"
    return f"{digits}.{codes.cnipa_check_digit(digits)}"


@dataclass
class SampleUser:
    """A sample account as printed for the user."""

    username: str
    role: str
    region_code: str | None
    organisation: str | None


@dataclass
class SampleReport:
    """What load-sample did."""

    alliance_code: str
    regions: int
    organisations: int
    assets: int
    already_loaded: bool
    users: list[SampleUser] = field(default_factory=list)


ORGS: list[tuple[str, OrgKind, str, str, str]] = [
    # key, kind, region, Chinese name, English name
    (
        "sh_centre",
        OrgKind.OPERATION_CENTRE,
        "310100",
        "上海示例知识产权运营中心",
        "Shanghai IP Operation Centre (sample)",
    ),
    (
        "sz_protect",
        OrgKind.PROTECTION_CENTRE,
        "320500",
        "苏州示例知识产权保护中心",
        "Suzhou IP Protection Centre (sample)",
    ),
    (
        "sz_semi",
        OrgKind.ENTERPRISE,
        "320500",
        "苏州示例半导体有限公司",
        "Suzhou Sample Semiconductor Co., Ltd.",
    ),
    ("sz_bio", OrgKind.ENTERPRISE, "320500", "苏州示例生物医药有限公司", "Suzhou Sample Biopharma Co., Ltd."),
    ("nj_uni", OrgKind.UNIVERSITY, "320100", "南京示例理工大学", "Nanjing Sample University of Technology"),
    (
        "hz_net",
        OrgKind.ENTERPRISE,
        "330100",
        "杭州示例网络科技有限公司",
        "Hangzhou Sample Network Technology Co., Ltd.",
    ),
    (
        "hf_ev",
        OrgKind.ENTERPRISE,
        "340100",
        "合肥示例新能源汽车有限公司",
        "Hefei Sample New Energy Vehicle Co., Ltd.",
    ),
    ("sh_bank", OrgKind.FINANCIER, "310100", "上海示例银行股份有限公司", "Shanghai Sample Bank Co., Ltd."),
    (
        "hz_appraiser",
        OrgKind.APPRAISER,
        "330100",
        "杭州示例资产评估有限公司",
        "Hangzhou Sample Appraisal Co., Ltd.",
    ),
    ("sz_law", OrgKind.LAW_FIRM, "320500", "苏州示例律师事务所", "Suzhou Sample Law Firm"),
]

USERS: list[tuple[str, str, Role, str | None, str | None]] = [
    # username, display name, role, region, org key
    ("admin", "联盟管理员 Alliance admin", Role.ALLIANCE_ADMIN, None, None),
    ("suzhou", "苏州市知识产权局 Suzhou IP office", Role.REGION_ADMIN, "320500", None),
    ("jiangsu", "江苏省知识产权局 Jiangsu IP office", Role.REGION_ADMIN, "320000", None),
    ("protect", "苏州保护中心 Suzhou protection centre", Role.CENTRE_STAFF, "320500", None),
    ("semi", "示例半导体 IP 负责人", Role.ORG_ADMIN, None, "sz_semi"),
    ("semi_staff", "示例半导体 员工", Role.ORG_MEMBER, None, "sz_semi"),
    ("hznet", "杭州示例网络 IP 负责人", Role.ORG_ADMIN, None, "hz_net"),
    ("university", "南京示例理工大学 技术转移", Role.ORG_ADMIN, None, "nj_uni"),
    ("appraiser", "示例评估师", Role.APPRAISER, None, "hz_appraiser"),
    ("appraiser2", "示例评估师（复核）", Role.APPRAISER, None, "hz_appraiser"),
    ("banker", "示例银行 客户经理", Role.FINANCIER, None, "sh_bank"),
    ("guest", "公众访客 Public", Role.PUBLIC, None, None),
]
HF_ADMIN = ("hf_admin", "合肥示例新能源 IP 负责人", Role.ORG_ADMIN, None, "hf_ev")


def _assets(orgs: dict[str, int]) -> list[tuple[str, AssetCreate]]:
    """Sample assets with the username that records each (the owner organisation's administrator)."""
    inv, um, de = 1, 2, 3
    rows: list[tuple[str, AssetCreate]] = [
        (
            "semi",
            AssetCreate(
                ip_type=IpType.INVENTION,
                title="一种三维存储器的字线制备方法",
                title_en="Method for forming word lines of a 3D memory",
                application_number=fictional_cnipa_number(2019, inv, 1012345),
                application_date=dt.date(2019, 3, 14),
                grant_date=dt.date(2021, 8, 3),
                legal_status=LegalStatus.GRANTED,
                ipc_classes=["H10B 43/27", "H01L 21/768"],
                visibility=Visibility.PUBLIC,
                owners=[OwnerIn(org_id=orgs["sz_semi"])],
            ),
        ),
        (
            "semi",
            AssetCreate(
                ip_type=IpType.INVENTION,
                title="一种晶圆级封装结构及其制造方法",
                title_en="Wafer-level package and its manufacture",
                application_number=fictional_cnipa_number(2020, inv, 1100871),
                application_date=dt.date(2020, 6, 2),
                grant_date=dt.date(2022, 11, 22),
                legal_status=LegalStatus.GRANTED,
                ipc_classes=["H01L 23/31"],
                visibility=Visibility.PUBLIC,
                owners=[
                    OwnerIn(org_id=orgs["sz_semi"], share=Decimal("0.6")),
                    OwnerIn(org_id=orgs["nj_uni"], share=Decimal("0.4")),
                ],
            ),
        ),
        (
            "semi",
            AssetCreate(
                ip_type=IpType.UTILITY_MODEL,
                title="一种芯片测试夹具",
                title_en="Chip test fixture",
                application_number=fictional_cnipa_number(2022, um, 2034567),
                application_date=dt.date(2022, 9, 9),
                grant_date=dt.date(2023, 2, 17),
                legal_status=LegalStatus.GRANTED,
                ipc_classes=["G01R 1/04"],
                visibility=Visibility.PRIVATE,
                owners=[OwnerIn(org_id=orgs["sz_semi"])],
            ),
        ),
        (
            "semi",
            AssetCreate(
                ip_type=IpType.TRADE_SECRET,
                title="刻蚀工艺参数配方（元数据）",
                title_en="Etch recipe parameters (metadata)",
                legal_status=LegalStatus.PROTECTED,
                details={"measures": ["access control", "NDA"], "custodian": "工艺部"},
                owners=[OwnerIn(org_id=orgs["sz_semi"])],
            ),
        ),
        (
            "semi",
            AssetCreate(
                ip_type=IpType.TRADEMARK,
                title="示例芯",
                title_en="SAMPLECORE",
                registration_number="45012345",
                application_date=dt.date(2020, 1, 6),
                grant_date=dt.date(2021, 1, 7),
                legal_status=LegalStatus.GRANTED,
                nice_classes=[9, 42],
                visibility=Visibility.PUBLIC,
                owners=[OwnerIn(org_id=orgs["sz_semi"])],
            ),
        ),
        (
            "semi",
            AssetCreate(
                ip_type=IpType.IC_LAYOUT,
                title="示例 28nm 电源管理芯片布图设计",
                title_en="28nm PMIC layout design (sample)",
                registration_number="BS.215012345",
                application_date=dt.date(2021, 4, 1),
                grant_date=dt.date(2021, 7, 30),
                legal_status=LegalStatus.GRANTED,
                visibility=Visibility.ALLIANCE,
                owners=[OwnerIn(org_id=orgs["sz_semi"])],
            ),
        ),
        (
            "hznet",
            AssetCreate(
                ip_type=IpType.INVENTION,
                title="一种基于联邦学习的风控模型训练方法",
                title_en="Federated-learning risk model training",
                application_number=fictional_cnipa_number(2021, inv, 1234560),
                application_date=dt.date(2021, 2, 25),
                grant_date=dt.date(2023, 5, 12),
                legal_status=LegalStatus.GRANTED,
                ipc_classes=["G06N 20/00", "G06Q 40/03"],
                visibility=Visibility.PUBLIC,
                owners=[OwnerIn(org_id=orgs["hz_net"])],
            ),
        ),
        (
            "hznet",
            AssetCreate(
                ip_type=IpType.SOFTWARE_COPYRIGHT,
                title="示例网络智能客服系统 V3.0",
                title_en="Sample smart customer service V3.0",
                registration_number="2022SR0123456",
                application_date=dt.date(2022, 1, 10),
                grant_date=dt.date(2022, 1, 25),
                legal_status=LegalStatus.GRANTED,
                visibility=Visibility.PUBLIC,
                details={"version": "V3.0"},
                owners=[OwnerIn(org_id=orgs["hz_net"])],
            ),
        ),
        (
            "hznet",
            AssetCreate(
                ip_type=IpType.DESIGN,
                title="智能音箱（示例）",
                title_en="Smart speaker (sample)",
                application_number=fictional_cnipa_number(2023, de, 3056789),
                application_date=dt.date(2023, 3, 3),
                legal_status=LegalStatus.PENDING,
                visibility=Visibility.PRIVATE,
                owners=[OwnerIn(org_id=orgs["hz_net"])],
            ),
        ),
        (
            "university",
            AssetCreate(
                ip_type=IpType.INVENTION,
                title="一种高镍三元正极材料的包覆改性方法",
                title_en="Coating modification of high-nickel NCM cathode",
                application_number=fictional_cnipa_number(2018, inv, 1654321),
                application_date=dt.date(2018, 11, 20),
                grant_date=dt.date(2020, 12, 1),
                legal_status=LegalStatus.GRANTED,
                ipc_classes=["H01M 4/525", "H01M 4/36"],
                visibility=Visibility.PUBLIC,
                owners=[OwnerIn(org_id=orgs["nj_uni"])],
            ),
        ),
        (
            "university",
            AssetCreate(
                ip_type=IpType.PLANT_VARIETY,
                title="宁示稻 1 号",
                title_en="Ningshi Rice No. 1 (sample)",
                registration_number="CNA20190012.3",
                application_date=dt.date(2019, 5, 5),
                grant_date=dt.date(2022, 6, 30),
                legal_status=LegalStatus.GRANTED,
                visibility=Visibility.PUBLIC,
                details={"genus": "Oryza sativa L."},
                owners=[OwnerIn(org_id=orgs["nj_uni"])],
            ),
        ),
        (
            "admin",
            AssetCreate(
                ip_type=IpType.GEOGRAPHICAL_INDICATION,
                title="阳澄湖大闸蟹",
                title_en="Yangcheng Lake hairy crab",
                registration_number="GI-sample-320500",
                legal_status=LegalStatus.GRANTED,
                nice_classes=[31],
                visibility=Visibility.PUBLIC,
                region_code="320500",
                details={
                    "product": "中华绒螯蟹",
                    "note": "sample record; see CNIPA GI register for the official entry",
                },
                owners=[OwnerIn(name="苏州市阳澄湖大闸蟹行业协会（示例）", address="江苏省苏州市相城区")],
            ),
        ),
        (
            "hf_admin",
            AssetCreate(
                ip_type=IpType.INVENTION,
                title="一种动力电池热失控预警方法",
                title_en="Early warning of battery thermal runaway",
                application_number=fictional_cnipa_number(2020, inv, 1888888),
                application_date=dt.date(2020, 10, 8),
                grant_date=dt.date(2022, 4, 15),
                legal_status=LegalStatus.GRANTED,
                ipc_classes=["H01M 10/48", "B60L 58/16"],
                visibility=Visibility.PUBLIC,
                owners=[OwnerIn(org_id=orgs["hf_ev"])],
            ),
        ),
        (
            "hf_admin",
            AssetCreate(
                ip_type=IpType.UTILITY_MODEL,
                title="一种电池包液冷板",
                title_en="Liquid cooling plate for battery packs",
                application_number=fictional_cnipa_number(2021, um, 2222222),
                application_date=dt.date(2021, 7, 19),
                grant_date=dt.date(2021, 12, 24),
                legal_status=LegalStatus.LAPSED,
                ipc_classes=["H01M 10/6556"],
                visibility=Visibility.PUBLIC,
                owners=[OwnerIn(org_id=orgs["hf_ev"])],
            ),
        ),
    ]
    return rows


def load_sample_data(*, database_url: str) -> SampleReport:
    """Migrate, then load the sample alliance once (a second run reports what is there)."""
    upgrade_database(url=database_url)
    factory = make_session_factory(make_engine(database_url))
    uow = UnitOfWork(factory)
    with factory() as session:
        existing = session.scalar(select(Alliance).where(Alliance.code == "yrd"))
        if existing is not None:
            return SampleReport(
                alliance_code="yrd",
                regions=len(existing.regions),
                organisations=len(session.scalars(select(Organisation.id)).all()),
                assets=0,
                already_loaded=True,
                users=[
                    SampleUser(
                        u.username, u.role, u.region_code, u.organisation.name if u.organisation else None
                    )
                    for u in session.scalars(select(User).order_by(User.id))
                ],
            )
    table = regions.load_regions()
    member_codes = list(YRD_PROVINCES)
    for province in YRD_PROVINCES:
        member_codes.extend(r.code for r in table.children(province) if r.level == "city")
    alliance_id = create_alliance(
        uow=uow,
        actor=SYSTEM,
        code="yrd",
        name_zh="长三角知识产权运营服务联盟（示例）",
        name_en="Yangtze River Delta IP Operations Alliance (sample)",
        region_codes=member_codes,
    )
    principals: dict[str, Principal] = {}
    report = SampleReport(
        alliance_code="yrd", regions=len(set(member_codes)), organisations=0, assets=0, already_loaded=False
    )

    def add_user(
        username: str, name: str, role: Role, region: str | None, org_id: int | None, org_name: str | None
    ) -> None:
        created = create_user(
            uow=uow,
            actor=SYSTEM,
            alliance_id=alliance_id,
            data=UserCreate(
                username=username,
                display_name=name,
                password=SAMPLE_PASSWORD,
                role=role,
                region_code=region,
                org_id=org_id,
            ),
        )
        with factory() as session:
            user = session.get(User, created.id)
            assert user is not None  # noqa: S101 - just created
            principals[username] = principal_of(user)
        report.users.append(SampleUser(username, role.value, created.region_code, org_name))

    add_user("admin", USERS[0][1], Role.ALLIANCE_ADMIN, None, None, None)
    org_ids: dict[str, int] = {}
    for index, (key, kind, region, name, name_en) in enumerate(ORGS, start=1):
        org = create_organisation(
            uow=uow,
            actor=principals["admin"],
            data=OrganisationCreate(
                name=name,
                name_en=name_en,
                kind=kind,
                uscc=fictional_uscc(region, index),
                region_code=region,
                address=_address(table, region),
            ),
        )
        org_ids[key] = org.id
    report.organisations = len(org_ids)
    org_names = {key: name for key, _, _, name, _ in ORGS}
    for username, display, role, user_region, org_key in USERS[1:]:
        add_user(
            username,
            display,
            role,
            user_region,
            org_ids.get(org_key) if org_key else None,
            org_names.get(org_key) if org_key else None,
        )
    add_user(HF_ADMIN[0], HF_ADMIN[1], HF_ADMIN[2], None, org_ids["hf_ev"], org_names["hf_ev"])
    for username, asset in _assets(org_ids):
        created = create_asset(uow=uow, actor=principals[username], data=asset)
        report.assets += 1
        for owner in created.owners:  # a co-owner named by another organisation accepts its share
            if owner.status == "pending" and owner.org_id is not None:
                accept_ownership(
                    uow=uow, actor=principals[_org_admin_of(owner.org_id, org_ids)], asset_id=created.id
                )
    from ipops.domains import load_samples

    load_samples(actor=SYSTEM, uow=uow, alliance_id=alliance_id)
    return report


def _org_admin_of(org_id: int, org_ids: dict[str, int]) -> str:
    """The sample user who administers an organisation."""
    key = next(k for k, v in org_ids.items() if v == org_id)
    return next(u for u, _, role, _, org in [*USERS, HF_ADMIN] if org == key and role == Role.ORG_ADMIN)


def _address(table: regions.RegionTable, region_code: str) -> str:
    """A plausible address string made of the region's official names."""
    names = []
    for code in (region_code[:2] + "0000", region_code):
        region = table.get(code)
        if region is not None and region.name not in names:
            names.append(region.name)
    return "".join(names)

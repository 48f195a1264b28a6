"""Linking registry assets to lake documents by number."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.lake.test_indicators_data import CN, EP_B1, A, build_constructed_lake

from ipops.core.uow import UnitOfWork
from ipops.lake.link import AssetLink, AssetNumbers, link_documents_to_assets, match_assets, number_key
from ipops.lake.store import LakeStore


@pytest.mark.parametrize(
    ("number", "office", "key"),
    [
        ("CN112345678A", "CN", "112345678A"),
        ("202010123456.7", "CN", "202010123456"),
        ("US 7,654,321", "US", "7654321"),
        ("0900002", "US", "900002"),
        ("", "US", None),
    ],
)
def test_number_key(number: str, office: str, key: str | None) -> None:
    assert number_key(number, office=office) == key


def test_publication_key_drops_kind_code() -> None:
    assert number_key("CN112345678A", office="CN", strip_kind=True) == "112345678"
    assert number_key("EP 2 000 001 B1", office="EP", strip_kind=True) == "2000001"


def test_match_assets_prefers_grants(tmp_path: Path) -> None:
    store = build_constructed_lake(tmp_path)
    links = match_assets(
        store,
        [
            AssetNumbers(1, "US", "invention", application_number="US1000001", publication_number=None),
            AssetNumbers(2, "EP", "invention", application_number=None, publication_number="EP2000001"),
            AssetNumbers(3, "CN", "invention", application_number=None, publication_number="CN112345678A"),
            AssetNumbers(4, "CN", "invention", application_number="CN999", publication_number=None),
            AssetNumbers(5, "US", "trademark", application_number="US1000001", publication_number=None),
        ],
    )
    assert links == [
        AssetLink(1, A, "application_number"),
        AssetLink(2, EP_B1, "publication_number"),  # B1 (grant) over A1
        AssetLink(3, CN, "publication_number"),
    ]


def test_link_sets_lake_doc_id_with_audit(uow: UnitOfWork, tmp_path: Path) -> None:
    from sqlalchemy import select
    from tests.world import build_world

    from ipops.assets.models import Asset
    from ipops.assets.schemas import AssetCreate, OwnerIn
    from ipops.assets.service import create_asset
    from ipops.core.audit import audit_trail

    world = build_world(uow)
    asset = create_asset(
        uow=uow,
        actor=world.users["alliance_admin"],
        data=AssetCreate(
            title="硅碳负极材料",
            ip_type="invention",
            jurisdiction="CN",
            region_code="320500",
            publication_number="CN112345678A",
            owners=[OwnerIn(org_id=world.orgs["suzhou_ent"])],
        ),
    )
    store: LakeStore = build_constructed_lake(tmp_path)
    con = store.duckdb()
    (main_ipc,) = con.execute(
        "SELECT symbol FROM classifications WHERE doc_id = ? AND scheme = 'IPC' AND is_main", [CN]
    ).fetchone() or (None,)
    con.close()
    assert link_documents_to_assets(store=store, uow=uow, dry_run=True) == [
        AssetLink(asset.id, CN, "publication_number")
    ]
    links = link_documents_to_assets(store=store, uow=uow)
    assert [link.doc_id for link in links] == [CN]
    with uow:
        stored = uow.session.scalars(select(Asset).where(Asset.id == asset.id)).one()
        assert stored.lake_doc_id == CN
        # empty registry fields are filled from the office record; the registry's own title is kept
        assert stored.title == "硅碳负极材料"
        assert stored.application_date is not None and stored.publication_date is not None
        assert stored.ipc_classes and stored.ipc_classes[0] == main_ipc
        trail = audit_trail(uow.session, entity_type="asset", entity_id=asset.id)
        assert trail[-1].action == "asset.lake_document_linked"
        assert trail[-1].summary["after"]["ipc_classes"] == stored.ipc_classes
    assert link_documents_to_assets(store=store, uow=uow) == []  # already linked

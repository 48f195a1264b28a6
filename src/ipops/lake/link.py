"""Link registry assets to lake documents by application / publication / registration number."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa

from ipops.lake.store import LakeStore

if TYPE_CHECKING:
    from ipops.core.authz import Principal
    from ipops.core.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class AssetNumbers:
    """The numbers of one registry asset that can identify it in the lake."""

    asset_id: int
    jurisdiction: str
    ip_type: str
    application_number: str | None
    publication_number: str | None
    registration_number: str | None = None


@dataclass(frozen=True, slots=True)
class AssetLink:
    """A lake document found for an asset, and the number that matched."""

    asset_id: int
    doc_id: str
    matched_on: str  # application_number | publication_number | registration_number


def number_key(number: str | None, *, office: str, strip_kind: bool = False) -> str | None:
    """Comparable form: no check digit (".7"), upper alphanumerics, no office prefix, no leading zeros."""
    if not number:
        return None
    key = re.sub(r"[^0-9A-Z]", "", number.split(".", 1)[0].upper())
    office = office.upper()
    if key.startswith(office) and len(key) > len(office):
        key = key[len(office) :]
    if strip_kind:  # publication numbers often carry the kind code: CN112345678A, EP2000001B1
        key = re.sub(r"(?<=[0-9])[A-Z][0-9]?$", "", key)
    key = key.lstrip("0")
    return key or None


def _sql_key(column: str) -> str:
    """number_key in SQL over a lake column (the row's own office column is the office)."""
    k = f"regexp_replace(upper(split_part({column}, '.', 1)), '[^0-9A-Z]', '', 'g')"
    unprefixed = (
        f"CASE WHEN starts_with({k}, upper(office)) THEN substr({k}, length(office) + 1) ELSE {k} END"
    )
    return f"nullif(ltrim({unprefixed}, '0'), '')"


def match_assets(store: LakeStore, assets: Iterable[AssetNumbers]) -> list[AssetLink]:
    """The best lake document per asset (a grant before an application, then the latest publication)."""
    keys: list[dict[str, object]] = []
    for asset in assets:
        office = asset.jurisdiction.upper()
        kind = "trademark" if asset.ip_type == "trademark" else "patent"
        for field in ("application_number", "publication_number", "registration_number"):
            key = number_key(getattr(asset, field), office=office, strip_kind=field == "publication_number")
            if key:
                keys.append(
                    {"asset_id": asset.asset_id, "office": office, "kind": kind, "field": field, "key": key}
                )
    if not keys:
        return []
    con = store.duckdb()
    try:
        con.register("asset_keys", pa.Table.from_pylist(keys))
        sql = f"""
            WITH lake AS (
                SELECT doc_id, office, 'patent' AS kind, 'application_number' AS field,
                       {_sql_key("application_number")} AS key, status = 'grant' AS granted,
                       publication_date AS day
                FROM documents
                UNION ALL
                SELECT doc_id, office, 'patent', 'publication_number', {_sql_key("doc_number")},
                       status = 'grant', publication_date FROM documents
                UNION ALL
                SELECT doc_id, office, 'trademark', 'application_number', {_sql_key("application_number")},
                       registration_date IS NOT NULL, application_date FROM trademarks
                UNION ALL
                SELECT doc_id, office, 'trademark', 'registration_number', {_sql_key("registration_number")},
                       true, registration_date FROM trademarks
            ),
            hits AS (
                SELECT a.asset_id, l.doc_id, a.field,
                       row_number() OVER (PARTITION BY a.asset_id
                           ORDER BY l.granted DESC, l.day DESC NULLS LAST, l.doc_id) AS rank
                FROM asset_keys a
                JOIN lake l ON l.office = a.office AND l.kind = a.kind AND l.field = a.field AND l.key = a.key
            )
            SELECT asset_id, doc_id, field FROM hits WHERE rank = 1 ORDER BY asset_id
        """  # noqa: S608 - only our own column names are interpolated
        rows = con.execute(sql).fetchall()
    finally:
        con.close()
    return [AssetLink(int(asset_id), str(doc_id), str(field)) for asset_id, doc_id, field in rows]


def office_facts(store: LakeStore, doc_ids: Iterable[str]) -> dict[str, dict[str, object]]:
    """What the office record says of each patent document: dates, publication number, abstract, IPC."""
    wanted = sorted(set(doc_ids))
    if not wanted:
        return {}
    con = store.duckdb()
    try:
        con.register("wanted", pa.table({"doc_id": wanted}))
        rows = con.execute(
            """
            SELECT d.doc_id, d.office || d.doc_number || coalesce(d.kind, '') AS publication_number,
                   d.application_date, d.publication_date, d.grant_date, d.abstract,
                   list(c.symbol ORDER BY c.is_main DESC, c.symbol) FILTER (WHERE c.symbol IS NOT NULL)
            FROM documents d
            JOIN wanted w USING (doc_id)
            LEFT JOIN classifications c ON c.doc_id = d.doc_id AND upper(c.scheme) = 'IPC'
            GROUP BY ALL
            """
        ).fetchall()
    finally:
        con.close()
    return {
        str(doc_id): {
            "publication_number": publication_number,
            "application_date": application_date,
            "publication_date": publication_date,
            "grant_date": grant_date,
            "abstract": abstract,
            "ipc_classes": list(dict.fromkeys(ipc or [])),
        }
        for doc_id, publication_number, application_date, publication_date, grant_date, abstract, ipc in rows
    }


def link_documents_to_assets(
    *, store: LakeStore, uow: UnitOfWork, actor: Principal | None = None, dry_run: bool = False
) -> list[AssetLink]:
    """Link unlinked assets to lake documents and fill the assets' empty fields from those records."""
    from ipops.assets.service import link_lake_documents, unlinked_asset_numbers
    from ipops.core.authz import SYSTEM

    numbers = [
        AssetNumbers(
            asset_id=row["id"],
            jurisdiction=row["jurisdiction"],
            ip_type=row["ip_type"],
            application_number=row["application_number"],
            publication_number=row["publication_number"],
            registration_number=row["registration_number"],
        )
        for row in unlinked_asset_numbers(uow=uow)
    ]
    links = match_assets(store, numbers)
    if not dry_run:
        facts = office_facts(store, (link.doc_id for link in links))
        link_lake_documents(
            uow=uow,
            actor=actor or SYSTEM,
            links={link.asset_id: (link.doc_id, link.matched_on) for link in links},
            office_facts={link.asset_id: facts[link.doc_id] for link in links if link.doc_id in facts},
        )
    return links

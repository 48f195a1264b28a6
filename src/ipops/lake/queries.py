"""Lake queries written once in Ibis; they run unchanged on DuckDB and PySpark backends (see engines.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import ibis

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

    from ipops.lake.classify import IndustryConcordance

Table = Any  # ibis.expr.types.Table; ibis ships no type information, so expressions are Any to mypy
DOCUMENT_DIMENSIONS = ("office", "filing_year", "ip_type", "status", "kind", "language", "is_pct")
REGION_DIMENSIONS = ("region", "applicant_country")
APPLICANT_ROLES = ("applicant", "assignee", "owner")


def compact_symbol(symbol: Any) -> Any:
    """ "H01L 21/768" -> "H01L21/768", the compact form the concordances are keyed by."""
    return symbol.upper().re_replace(r"\s+", "")


def normalised_number(number: Any) -> Any:
    """Document numbers compared across sources: alphanumerics only, upper case, no leading zeros."""
    return number.upper().re_replace(r"[^0-9A-Z]", "").re_replace(r"^0+", "")


def ipc_symbols(con: BaseBackend, *, schemes: Sequence[str] = ("IPC",)) -> Table:
    """doc_id, compact symbol and is_main of every classification in the given schemes."""
    cls = con.table("classifications")
    return cls.filter(cls.scheme.upper().isin([s.upper() for s in schemes]), cls.symbol.notnull()).select(
        doc_id=cls.doc_id, symbol=compact_symbol(cls.symbol), is_main=cls.is_main.fill_null(False)
    )


def ipc_subclasses(con: BaseBackend, *, schemes: Sequence[str] = ("IPC",)) -> Table:
    """Distinct (doc_id, 4-character IPC subclass) pairs."""
    symbols = ipc_symbols(con, schemes=schemes)
    return (
        symbols.select(doc_id=symbols.doc_id, subclass=symbols.symbol.substr(0, 4))
        .filter(lambda t: t.subclass.re_search(r"^[A-H][0-9]{2}[A-Z]$"))
        .distinct()
    )


def longest_prefix_matches(symbols: Table, concordance: Table, *, prefix_lengths: Sequence[int]) -> Table:
    """Join symbols (doc_id, symbol, ...) to a concordance keyed by ipc_prefix, keeping the longest match.

    One equi-join per distinct prefix length keeps this a hash join on both engines (a LIKE join would not).
    """
    parts = []
    for length in sorted(set(prefix_lengths)):
        keyed = symbols.mutate(
            ipc_prefix=symbols.symbol.substr(0, length), prefix_length=ibis.literal(length)
        )
        parts.append(keyed.join(concordance, "ipc_prefix"))
    if not parts:
        raise ValueError("concordance has no prefixes")
    matched = ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]
    window = ibis.window(group_by=[matched.doc_id, matched.symbol])
    # Window in a mutate, then a separate filter: Spark cannot resolve a window inside the filter's subquery.
    ranked = matched.mutate(longest=matched.prefix_length.max().over(window))
    return ranked.filter(ranked.prefix_length == ranked.longest).drop("longest")


def _wipo_prefix_lengths() -> list[int]:
    from ipops.lake.classify import load_wipo_concordance

    return sorted({len(p) for p in load_wipo_concordance().prefixes})


def document_fields(con: BaseBackend, *, schemes: Sequence[str] = ("IPC",)) -> Table:
    """(doc_id, field_number, symbols, has_main): every WIPO field a document's IPC symbols map to."""
    matched = longest_prefix_matches(
        ipc_symbols(con, schemes=schemes), con.table("ipc_technology"), prefix_lengths=_wipo_prefix_lengths()
    )
    return matched.group_by(["doc_id", "field_number"]).aggregate(
        symbols=matched.symbol.nunique(), has_main=ibis.ifelse(matched.is_main, 1, 0).max()
    )


def main_fields(con: BaseBackend, *, schemes: Sequence[str] = ("IPC",)) -> Table:
    """One WIPO field per document: its main IPC's, else its most frequent one (lowest number on ties)."""
    fields = document_fields(con, schemes=schemes)
    ranked = fields.mutate(
        rank=ibis.row_number().over(
            group_by=fields.doc_id,
            order_by=[fields.has_main.desc(), fields.symbols.desc(), fields.field_number.asc()],
        )
    )
    return ranked.filter(ranked["rank"] == 0).select("doc_id", "field_number")


def document_regions(con: BaseBackend) -> Table:
    """(doc_id, region, applicant_country) from the first applicant/assignee; region is the province code."""
    parties = con.table("parties")
    applicants = parties.filter(parties.role.isin(list(APPLICANT_ROLES)))
    ranked = applicants.mutate(
        rank=ibis.row_number().over(
            group_by=applicants.doc_id, order_by=[applicants.seq.asc(), applicants.name.asc()]
        )
    )
    first = ranked.filter(ranked["rank"] == 0)
    return first.select(
        doc_id=first.doc_id,
        region=ibis.ifelse(
            first.region_code.re_search(r"^[0-9]{6}$"),
            first.region_code.substr(0, 2) + "0000",
            ibis.null("string"),
        ),
        applicant_country=first.country,
    )


def counts_by(con: BaseBackend, *, dimensions: Sequence[str] = ("office", "filing_year")) -> Table:
    """Document counts grouped by any of DOCUMENT_DIMENSIONS and REGION_DIMENSIONS."""
    unknown = set(dimensions) - set(DOCUMENT_DIMENSIONS) - set(REGION_DIMENSIONS)
    if unknown or not dimensions:
        raise ValueError(
            f"dimensions must be among {DOCUMENT_DIMENSIONS + REGION_DIMENSIONS}, got {dimensions}"
        )
    docs = con.table("documents")
    if set(dimensions) & set(REGION_DIMENSIONS):
        docs = docs.left_join(document_regions(con), "doc_id").drop("doc_id_right")
    return (
        docs.group_by(list(dimensions))
        .aggregate(documents=docs.doc_id.nunique())
        .order_by([ibis.asc(d) for d in dimensions])
    )


def top_applicants(
    con: BaseBackend,
    *,
    limit: int = 20,
    office: str | None = None,
    roles: Sequence[str] = ("applicant", "assignee"),
) -> Table:
    """The applicants (or assignees) with the most documents, most first."""
    parties = con.table("parties")
    parties = parties.filter(parties.role.isin(list(roles)), parties.name.notnull())
    if office is not None:
        parties = parties.filter(parties.doc_id.startswith(office.upper() + "-"))
    name = parties.name.strip()
    return (
        parties.mutate(name=name)
        .group_by("name")
        .aggregate(documents=parties.doc_id.nunique(), country=parties.country.max())
        .order_by([ibis.desc("documents"), ibis.asc("name")])
        .limit(limit)
    )


def technology_field_composition(
    con: BaseBackend, *, by: Sequence[str] = ("filing_year",), schemes: Sequence[str] = ("IPC",)
) -> Table:
    """Fractional document counts per WIPO field (a document split evenly over its fields), by `by`."""
    fields = document_fields(con, schemes=schemes)
    per_doc = fields.group_by("doc_id").aggregate(n_fields=fields.field_number.nunique())
    weighted = fields.join(per_doc, "doc_id").mutate(weight=1.0 / per_doc.n_fields.cast("float64"))
    docs = con.table("documents").select("doc_id", *by)
    joined = weighted.join(docs, "doc_id")
    names = con.table("technology_fields")
    grouped = joined.group_by([*by, "field_number"]).aggregate(
        documents=joined.weight.sum(), whole_documents=joined.doc_id.nunique()
    )
    return (
        grouped.join(names, "field_number")
        .select(*by, "field_number", "field_en", "field_zh", "sector_en", "documents", "whole_documents")
        .order_by([*[ibis.asc(b) for b in by], ibis.asc("field_number")])
    )


def industry_composition(
    con: BaseBackend,
    *,
    concordance: IndustryConcordance,
    by: Sequence[str] = (),
    schemes: Sequence[str] = ("IPC",),
) -> Table:
    """Weighted document counts per industry: matched IPC prefixes split evenly, times their weights."""
    table = ibis.memtable(concordance.to_arrow())
    matched = longest_prefix_matches(
        ipc_symbols(con, schemes=schemes), table, prefix_lengths=concordance.prefix_lengths()
    )
    prefixes = matched.select("doc_id", "ipc_prefix").distinct()
    k = prefixes.group_by("doc_id").aggregate(k=prefixes.ipc_prefix.count())
    shares = prefixes.join(k, "doc_id").join(table, "ipc_prefix")
    shares = shares.mutate(weight=shares.weight / shares.k)
    docs = con.table("documents").select("doc_id", *by)
    joined = shares.join(docs, "doc_id")
    return (
        joined.group_by([*by, "industry_code", "industry_name"])
        .aggregate(documents=joined.weight.sum())
        .order_by([*[ibis.asc(b) for b in by], ibis.desc("documents"), ibis.asc("industry_code")])
    )


def search_documents(
    con: BaseBackend,
    *,
    text: str | None = None,
    applicant: str | None = None,
    ipc_prefix: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    date_field: str = "application_date",
    office: str | None = None,
    ip_type: str | None = None,
    limit: int = 100,
) -> Table:
    """Documents matching every filter given; text/applicant are case-insensitive substrings (any script)."""
    docs = con.table("documents")
    if text:
        needle = text.strip().lower()
        docs = docs.filter(
            docs.title.lower().contains(needle).fill_null(False)
            | docs.abstract.lower().contains(needle).fill_null(False)
        )
    if applicant:
        parties = con.table("parties")
        hits = (
            parties.filter(parties.name.lower().contains(applicant.strip().lower()))
            .select("doc_id")
            .distinct()
        )
        docs = docs.semi_join(hits, "doc_id")
    if ipc_prefix:
        symbols = ipc_symbols(con, schemes=("IPC", "CPC"))
        from ipops.lake.classify import compact_ipc

        hits = symbols.filter(symbols.symbol.startswith(compact_ipc(ipc_prefix))).select("doc_id").distinct()
        docs = docs.semi_join(hits, "doc_id")
    if date_field not in {"application_date", "publication_date", "grant_date"}:
        raise ValueError(
            f"date_field must be application_date, publication_date or grant_date, not {date_field}"
        )
    if date_from is not None:
        docs = docs.filter(docs[date_field] >= date_from)
    if date_to is not None:
        docs = docs.filter(docs[date_field] <= date_to)
    if office:
        docs = docs.filter(docs.office == office.upper())
    if ip_type:
        docs = docs.filter(docs.ip_type == ip_type)
    return (
        docs.select(
            "doc_id",
            "office",
            "ip_type",
            "status",
            "title",
            "application_date",
            "publication_date",
            "grant_date",
        )
        .order_by([ibis.desc(date_field), ibis.asc("doc_id")])
        .limit(limit)
    )

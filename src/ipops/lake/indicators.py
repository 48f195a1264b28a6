"""Patent quality indicators after Squicciarini, Dernis & Criscuolo (2013, OECD STI WP 2013/03), in Ibis.

Every indicator is computed inside the lake, so coverage is the lake's: forward citations count only citing
documents that are in the lake, and originality / generality / radicalness only see cited or citing documents
that are in the lake and carry IPC codes. A recent cohort is truncated (few years in which to be cited);
forward_window_complete says whether the lake's newest publication is at least the window past the focal one.
IPC classes are 4-character subclasses, as in the OECD paper. Each indicator is normalised within its cohort
(main WIPO technology field x filing year) as value / cohort maximum; the composite indices are the plain
means of the normalised components (missing counts as 0): quality_index_4 = forward citations (window),
family size, claims, generality; quality_index_6 adds backward citations and grant lag (1 - lag / cohort
maximum lag, so a faster grant scores higher).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import ibis

from ipops.lake.queries import Table, ipc_subclasses, main_fields, normalised_number

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

    from ipops.lake.store import LakeStore

RAW_INDICATORS = (
    "forward_citations",
    "forward_citations_window",
    "backward_citations",
    "npl_citations",
    "family_size",
    "claims",
    "patent_scope",
    "originality",
    "generality",
    "radicalness",
    "grant_lag_days",
)
NORMALISED = (
    "forward_citations_window",
    "backward_citations",
    "family_size",
    "claims",
    "patent_scope",
    "originality",
    "generality",
    "radicalness",
)


def _herfindahl_complement(rows: Table, *, key: str) -> Table:
    """1 - sum_j s_j^2 per key, from rows (key, subclass, w) with each item's weights summing to 1."""
    per_class = rows.group_by([key, "subclass"]).aggregate(w=rows.w.sum())
    totals = per_class.group_by(key).aggregate(sw=per_class.w.sum(), sw2=(per_class.w * per_class.w).sum())
    return totals.select(key, value=1.0 - totals.sw2 / (totals.sw * totals.sw))


def _share_of_max(value: Any, cohort: Any) -> Any:
    """value / cohort maximum (0 when the maximum is 0); null stays null."""
    top = value.max().over(cohort)
    ratio = ibis.ifelse(top > 0, value.cast("float64") / top, ibis.literal(0.0))
    return ibis.ifelse(value.isnull(), ibis.null("float64"), ratio)


def _weighted_subclasses(subclasses: Table, *, key: str) -> Table:
    """(key, subclass, w = 1/k): an item with k subclasses counts 1/k in each (fractional counting)."""
    k = subclasses.group_by(key).aggregate(k=subclasses.subclass.count())
    joined = subclasses.join(k, key)
    return joined.select(
        key, "subclass", w=1.0 / joined.k.cast("float64")
    )  # a float operand: Spark divides decimals otherwise


def indicator_table(con: BaseBackend, *, window_years: int = 5, schemes: Sequence[str] = ("IPC",)) -> Table:
    """One row per document: raw indicators, cohort (field x filing year) normalised values and composites."""
    docs = con.table("documents")
    cit = con.table("citations")
    pri = con.table("priorities")
    sub = ipc_subclasses(con, schemes=schemes)

    # A cited "entity" is office + number, so A1 and B1 of one EP number (or repeated copies) are one patent.
    entity = docs.select(
        doc_id=docs.doc_id, entity=docs.office.upper() + "|" + normalised_number(docs.doc_number)
    )
    entity_sub = entity.join(sub, "doc_id").select("entity", "subclass").distinct()
    entity_pub = (
        entity.join(docs.select("doc_id", "publication_date"), "doc_id")
        .group_by("entity")
        .aggregate(entity_pub=lambda t: t.publication_date.min())
    )

    patent_cites = cit.filter(~cit.is_npl.fill_null(False), cit.cited_number.notnull())
    cited_office = patent_cites.cited_office.upper().fill_null(patent_cites.doc_id.re_extract(r"^([^-]+)", 1))
    cited_key = cited_office + "|" + normalised_number(patent_cites.cited_number)
    backward = patent_cites.mutate(cited_key=cited_key)
    backward = backward.group_by(backward.doc_id).aggregate(backward_citations=backward.cited_key.nunique())
    npl = cit.filter(cit.is_npl.fill_null(False))
    npl = npl.group_by("doc_id").aggregate(npl_citations=npl.count())

    # Citation links that resolve inside the lake, self-citations (same entity) left out.
    links = patent_cites.select(citing=patent_cites.doc_id, entity=cited_key).distinct()
    links = links.join(entity_pub.select("entity"), "entity")
    own = entity.select(citing=entity.doc_id, own_entity=entity.entity)
    links = links.join(own, "citing")
    links = links.filter(links.own_entity != links.entity).select("citing", "entity")

    citing_pub = docs.select(citing=docs.doc_id, citing_pub=docs.publication_date)
    newest = docs.publication_date.max()
    timed = links.join(citing_pub, "citing").join(entity_pub, "entity")
    in_window = timed.citing_pub <= timed.entity_pub + ibis.interval(years=window_years)
    forward = timed.group_by("entity").aggregate(
        forward_citations=timed.citing.nunique(),
        forward_citations_window=timed.citing.nunique(where=in_window),
    )
    resolved = links.group_by("citing").aggregate(backward_citations_in_lake=links.entity.nunique())

    # Originality over cited patents, generality over citing ones, radicalness against the focal subclasses.
    cited_classes = links.join(_weighted_subclasses(entity_sub, key="entity"), "entity")
    originality = _herfindahl_complement(
        cited_classes.select(doc_id="citing", subclass="subclass", w="w"), key="doc_id"
    )
    citing_classes = links.join(
        _weighted_subclasses(sub, key="doc_id").rename(citing="doc_id"), "citing"
    ).select("entity", "subclass", "w")
    generality = _herfindahl_complement(citing_classes, key="entity")
    pairs = links.join(entity_sub, "entity").select(doc_id="citing", subclass="subclass")
    focal = sub.mutate(in_focal=ibis.literal(1))
    marked = pairs.semi_join(sub.select("doc_id").distinct(), "doc_id").left_join(
        focal, ["doc_id", "subclass"]
    )
    radicalness = marked.group_by(marked.doc_id).aggregate(
        radicalness=marked.in_focal.isnull().ifelse(1, 0).sum().cast("float64") / marked.count()
    )

    # Family: family_id, else the earliest priority, else the document alone; size = distinct offices.
    pri_key = pri.mutate(
        pkey=pri.office.upper() + "|" + normalised_number(pri.number),
    )
    pri_key = pri_key.mutate(
        rank=ibis.row_number().over(
            group_by=pri_key.doc_id, order_by=[pri_key.date.asc(), pri_key.pkey.asc()]
        )
    )
    first_pri = pri_key.filter(pri_key["rank"] == 0).select("doc_id", "pkey")
    family = docs.left_join(first_pri, "doc_id").select(
        doc_id=docs.doc_id,
        office=docs.office,
        family=ibis.coalesce("F:" + docs.family_id, "P:" + first_pri.pkey, "D:" + docs.doc_id),
    )
    priority_offices = family.join(pri.select("doc_id", priority_office="office"), "doc_id").select(
        "family", office="priority_office"
    )
    offices = ibis.union(family.select("family", "office"), priority_offices, distinct=True)
    offices = offices.filter(offices.office.notnull())
    family_size = offices.group_by("family").aggregate(family_size=offices.office.nunique())
    family = family.view().join(family_size, "family").select("doc_id", "family_size")

    scope = sub.group_by("doc_id").aggregate(patent_scope=sub.subclass.count())
    fields_ = main_fields(con, schemes=schemes)

    base = docs.select(
        "doc_id",
        "office",
        "filing_year",
        "publication_date",
        claims="claims_count",
        grant_lag_days=ibis.ifelse(
            docs.grant_date.notnull() & docs.application_date.notnull(),
            docs.grant_date.delta(docs.application_date, unit="day"),
            ibis.null("int64"),
        ),
    )
    rows = (
        base.left_join(entity, "doc_id")
        .drop("doc_id_right")
        .left_join(fields_, "doc_id")
        .drop("doc_id_right")
        .left_join(forward, "entity")
        .drop("entity_right")
        .left_join(entity_pub, "entity")
        .drop("entity_right")
        .left_join(generality.rename(generality="value"), "entity")
        .drop("entity_right")
        .left_join(backward, "doc_id")
        .drop("doc_id_right")
        .left_join(npl, "doc_id")
        .drop("doc_id_right")
        .left_join(resolved.rename(doc_id="citing"), "doc_id")
        .drop("doc_id_right")
        .left_join(originality.rename(originality="value"), "doc_id")
        .drop("doc_id_right")
        .left_join(radicalness, "doc_id")
        .drop("doc_id_right")
        .left_join(family, "doc_id")
        .drop("doc_id_right")
        .left_join(scope, "doc_id")
        .drop("doc_id_right")
    )
    rows = rows.mutate(
        forward_citations=rows.forward_citations.fill_null(0),
        forward_citations_window=rows.forward_citations_window.fill_null(0),
        forward_window_complete=(rows.entity_pub + ibis.interval(years=window_years)) <= newest,
        backward_citations=rows.backward_citations.fill_null(0),
        backward_citations_in_lake=rows.backward_citations_in_lake.fill_null(0),
        npl_citations=rows.npl_citations.fill_null(0),
        family_size=rows.family_size.fill_null(1),
        patent_scope=rows.patent_scope.fill_null(0),
    ).drop("entity", "entity_pub")

    return cohort_normalise(rows)


def cohort_normalise(rows: Table) -> Table:
    """Add <indicator>_norm (value / cohort max), grant_lag_norm, cohort_size and the composite indices.

    rows needs doc_id, field_number, filing_year, grant_lag_days and every column in NORMALISED.
    """
    cohort = ibis.window(group_by=[rows.field_number, rows.filing_year])
    normalised: dict[str, Any] = {f"{name}_norm": _share_of_max(rows[name], cohort) for name in NORMALISED}
    lag_top = rows.grant_lag_days.max().over(cohort)
    normalised["grant_lag_norm"] = ibis.ifelse(
        rows.grant_lag_days.isnull(),
        ibis.null("float64"),
        ibis.ifelse(lag_top > 0, 1.0 - rows.grant_lag_days.cast("float64") / lag_top, ibis.literal(1.0)),
    )
    normalised["cohort_size"] = rows.doc_id.count().over(cohort)
    rows = rows.mutate(**normalised)
    index4 = ["forward_citations_window_norm", "family_size_norm", "claims_norm", "generality_norm"]
    index6 = [*index4, "backward_citations_norm", "grant_lag_norm"]
    return rows.mutate(
        quality_index_4=sum((rows[c].fill_null(0.0) for c in index4), ibis.literal(0.0)) / len(index4),
        quality_index_6=sum((rows[c].fill_null(0.0) for c in index6), ibis.literal(0.0)) / len(index6),
    )


@dataclass(frozen=True, slots=True)
class DocumentIndicators:
    """The OECD quality indicators of one document, raw and normalised within its cohort."""

    doc_id: str
    office: str | None
    filing_year: int | None
    field_number: int | None
    cohort_size: int
    forward_citations: int
    forward_citations_window: int
    forward_window_complete: bool | None
    backward_citations: int
    backward_citations_in_lake: int
    npl_citations: int
    family_size: int
    claims: int | None
    patent_scope: int
    originality: float | None
    generality: float | None
    radicalness: float | None
    grant_lag_days: int | None
    forward_citations_window_norm: float | None
    backward_citations_norm: float | None
    family_size_norm: float | None
    claims_norm: float | None
    patent_scope_norm: float | None
    originality_norm: float | None
    generality_norm: float | None
    radicalness_norm: float | None
    grant_lag_norm: float | None
    quality_index_4: float
    quality_index_6: float


def _clean(value: object) -> object:
    """Arrow/pandas values -> plain Python (NaN -> None)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def document_indicators(
    source: LakeStore | BaseBackend, *, doc_id: str, window_years: int = 5
) -> DocumentIndicators | None:
    """The indicators of one document (None if the lake does not hold it)."""
    from ipops.lake.store import LakeStore

    con = source.connect() if isinstance(source, LakeStore) else source
    table = indicator_table(con, window_years=window_years)
    rows = table.filter(table.doc_id == doc_id).to_pyarrow().to_pylist()
    if not rows:
        return None
    row = rows[0]
    wanted = {f.name for f in fields(DocumentIndicators)}
    return DocumentIndicators(**{k: _clean(v) for k, v in row.items() if k in wanted})  # type: ignore[arg-type]


def cohort_summary(con: BaseBackend, *, window_years: int = 5) -> Table:
    """Per cohort (field x filing year): documents and mean raw / composite indicators."""
    table = indicator_table(con, window_years=window_years)
    return (
        table.group_by(["field_number", "filing_year"])
        .aggregate(
            documents=table.doc_id.count(),
            forward_citations=table.forward_citations.mean(),
            family_size=table.family_size.mean(),
            claims=table.claims.mean(),
            patent_scope=table.patent_scope.mean(),
            quality_index_4=table.quality_index_4.mean(),
            quality_index_6=table.quality_index_6.mean(),
        )
        .order_by(["field_number", "filing_year"])
    )

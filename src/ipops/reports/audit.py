"""The figure audit: recompute what a published statement implies and say which claims hold, and why.

Pure: no ORM, no web. Numbers are Decimal throughout; TOML floats are read as Decimal so 30.88 stays 30.88.
A claim's default tolerance is half a unit in the last place it was stated to (2.3 → ±0.05), because a
published figure is a rounded one; levels compared with an independent figure use a relative tolerance.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from enum import StrEnum
from pathlib import Path
from typing import Any

from ipops.reports.figures import format_number, quantize_places

NATION = "CN"
DEFAULT_RELATIVE_TOLERANCE = Decimal("0.005")  # 0.5 % between a stated level and an independent figure


class ClaimKind(StrEnum):
    """What a claim in a statement asserts."""

    LEVEL = "level"  # a count or amount, e.g. 499,167 grants
    GROWTH = "growth"  # year-on-year growth of a level claim, in percent
    PER_10K = "per_10k"  # a count per 10,000 population
    RATIO = "ratio"  # a multiple of a reference figure, e.g. 2.3× the national average


class Verdict(StrEnum):
    """The outcome of checking one claim."""

    CONSISTENT = "consistent"
    INCONSISTENT = "inconsistent"
    PERIOD_MISMATCH = "period_mismatch"  # holds only against a figure of another period
    UNVERIFIABLE = "unverifiable"  # implied values computed, but no independent figure to compare with


VERDICT_SEVERITY = {
    Verdict.CONSISTENT: 0,
    Verdict.UNVERIFIABLE: 1,
    Verdict.PERIOD_MISMATCH: 2,
    Verdict.INCONSISTENT: 3,
}
VERDICT_TEXT = {
    Verdict.CONSISTENT: ("一致", "consistent"),
    Verdict.INCONSISTENT: ("不一致", "inconsistent"),
    Verdict.PERIOD_MISMATCH: ("仅与其他时点一致", "holds only for another period"),
    Verdict.UNVERIFIABLE: ("无法核实（仅推算）", "unverifiable (implied values only)"),
}


class AuditFileError(ValueError):
    """An audit file is malformed; the message names the statement or claim."""


@dataclass(frozen=True, slots=True)
class Both:
    """A term given in both languages (an indicator's name, a verdict, a source)."""

    zh: str
    en: str

    def pick(self, locale: str) -> str:
        """The term in a locale."""
        return self.zh if locale.startswith("zh") else self.en


def _same(message: str) -> str:
    return message


@dataclass(frozen=True, slots=True)
class Text:
    """A message of the audit: an English catalogue msgid with {named} parts, translated when shown."""

    msgid: str
    params: tuple[tuple[str, str | Both | Text], ...] = ()

    def render(self, gettext: Callable[[str], str] = _same, locale: str = "en") -> str:
        """The message in a locale, its parts rendered the same way."""
        values = {
            key: value.render(gettext, locale)
            if isinstance(value, Text)
            else value.pick(locale)
            if isinstance(value, Both)
            else value
            for key, value in self.params
        }
        return gettext(self.msgid).format(**values)

    def __str__(self) -> str:
        return self.render()

    def __contains__(self, part: str) -> bool:
        return part in str(self)


def text(msgid: str, **params: str | Both | Text) -> Text:
    """A translatable audit message with its parts."""
    return Text(msgid, tuple(params.items()))


def term(indicator: str) -> Both:
    """An indicator's name in both languages (the key itself when the catalogue does not know it)."""
    from ipops.reports.indicators import indicator_of

    try:
        meta = indicator_of(indicator)
    except KeyError:
        return Both(indicator, indicator)
    return Both(meta.zh, meta.en)


def verdict_term(verdict: Verdict) -> Both:
    """A verdict in both languages."""
    return Both(*VERDICT_TEXT[verdict])


@dataclass(frozen=True, slots=True)
class Reference:
    """An independent figure a claim is checked against: population, a national average, an official count."""

    name: str  # indicator name, e.g. "population", "invention_in_force_per_10k"
    region: str  # GB/T 2260 code or "CN" for the nation
    year: int
    value: Decimal
    as_of: dt.date
    source: str
    unit: str = ""
    source_zh: str = ""

    @property
    def citation(self) -> Text:
        """Source and date, for the arithmetic."""
        return text(
            "{source}, as of {date}",
            source=Both(self.source_zh or self.source, self.source),
            date=self.as_of.isoformat(),
        )


@dataclass(frozen=True, slots=True)
class Claim:
    """One number asserted by a statement."""

    id: str
    kind: ClaimKind
    value: Decimal
    indicator: str = ""
    of: str = ""  # the claim a growth or ratio claim is about
    reference: str = ""  # ratio: the reference indicator name
    reference_region: str = NATION
    compare_years: tuple[int, ...] = ()  # ratio: reference years to try, the statement's own period first
    tolerance: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Statement:
    """A published statement broken into claims about some regions in one year."""

    id: str
    text_zh: str
    text_en: str
    regions: tuple[str, ...]
    region_label: str
    year: int
    claims: tuple[Claim, ...]
    source: str = ""


@dataclass(frozen=True, slots=True)
class AuditFile:
    """Statements to audit with the reference figures they are checked against."""

    title: str
    statements: tuple[Statement, ...]
    references: tuple[Reference, ...]
    relative_tolerance: Decimal = DEFAULT_RELATIVE_TOLERANCE


@dataclass
class ClaimResult:
    """The verdict on one claim, the implied values and the arithmetic that shows it."""

    statement_id: str
    claim_id: str
    kind: ClaimKind
    stated: Decimal
    verdict: Verdict
    summary: Text
    steps: list[Text] = field(default_factory=list)
    implied: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class StatementResult:
    """All claim results of one statement."""

    statement: Statement
    claims: list[ClaimResult]

    @property
    def verdict(self) -> Verdict:
        """The worst claim verdict."""
        return max(
            (c.verdict for c in self.claims), key=VERDICT_SEVERITY.__getitem__, default=Verdict.CONSISTENT
        )


@dataclass
class AuditResult:
    """The audit of a whole file."""

    title: str
    statements: list[StatementResult]

    def counts(self) -> dict[Verdict, int]:
        """How many claims got each verdict."""
        totals = dict.fromkeys(Verdict, 0)
        for statement in self.statements:
            for claim in statement.claims:
                totals[claim.verdict] += 1
        return totals


# ------------------------------------------------------------------------------------------------------------
# Arithmetic helpers


def half_unit(value: Decimal) -> Decimal:
    """Half a unit in the last stated place: the rounding uncertainty of a published figure (2.3 → 0.05)."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        raise AuditFileError(f"{value} is not a finite number")
    return Decimal(5).scaleb(exponent - 1)


def places_of(value: Decimal) -> int:
    """How many decimals a value was stated with."""
    exponent = value.as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0


def _n(value: Decimal, places: int = 0) -> str:
    return format_number(value, places)


def _pct(value: Decimal, places: int = 2) -> str:
    return f"{format_number(value * 100, places)}%"


def _citations(refs: Iterable[Reference]) -> Text:
    parts = list(refs)
    if len(parts) == 1:
        return parts[0].citation
    return text(
        "; ".join(f"{{c{i}}}" for i in range(len(parts))),
        **{f"c{i}": r.citation for i, r in enumerate(parts)},
    )


_EMPTY = Text("")


class ReferenceBook:
    """Reference figures by (name, region, year), with region sums."""

    def __init__(self, references: Iterable[Reference]) -> None:
        self._by_key: dict[tuple[str, str, int], Reference] = {}
        for ref in references:
            self._by_key[(ref.name, ref.region, ref.year)] = ref

    def get(self, name: str, region: str, year: int) -> Reference | None:
        """One reference figure, or None."""
        return self._by_key.get((name, region, year))

    def total(self, name: str, regions: Iterable[str], year: int) -> tuple[Decimal, list[Reference]] | None:
        """The sum over regions, or None unless every region has the figure."""
        found = [self.get(name, region, year) for region in regions]
        if not found or any(r is None for r in found):
            return None
        refs = [r for r in found if r is not None]
        return sum((r.value for r in refs), Decimal(0)), refs


# ------------------------------------------------------------------------------------------------------------
# Claim checks


def _check_level(statement: Statement, claim: Claim, book: ReferenceBook, rel_tol: Decimal) -> ClaimResult:
    found = book.total(claim.indicator, statement.regions, statement.year)
    result = ClaimResult(statement.id, claim.id, claim.kind, claim.value, Verdict.UNVERIFIABLE, _EMPTY)
    indicator = term(claim.indicator)
    if found is None:
        result.summary = text(
            "stated {value}; no independent {indicator} figure for {region} {year} to confirm it",
            value=_n(claim.value, places_of(claim.value)),
            indicator=indicator,
            region=statement.region_label,
            year=str(statement.year),
        )
        result.steps.append(
            text(
                "the references hold no {indicator} for {year}", indicator=indicator, year=str(statement.year)
            )
        )
        return result
    reference, refs = found
    difference = claim.value - reference
    relative = difference / reference if reference else Decimal(0)
    tolerance = claim.tolerance if claim.tolerance is not None else rel_tol
    result.verdict = Verdict.CONSISTENT if abs(relative) <= tolerance else Verdict.INCONSISTENT
    result.steps.append(
        text(
            "independent figure {value} ({citations})",
            value=_n(reference, places_of(reference)),
            citations=_citations(refs),
        )
    )
    result.steps.append(
        text(
            "stated − independent = {difference} ({relative}); tolerance ±{tolerance}",
            difference=_n(difference, places_of(claim.value)),
            relative=_pct(relative),
            tolerance=_pct(tolerance),
        )
    )
    result.summary = text(
        "{verdict}: differs by {relative} from the independent figure",
        verdict=verdict_term(result.verdict),
        relative=_pct(relative),
    )
    return result


def _check_growth(
    statement: Statement, claim: Claim, level: Claim, book: ReferenceBook, rel_tol: Decimal
) -> ClaimResult:
    base_year = statement.year - 1
    factor = 1 + claim.value / 100
    implied_base = level.value / factor
    result = ClaimResult(statement.id, claim.id, claim.kind, claim.value, Verdict.UNVERIFIABLE, _EMPTY)
    result.implied[f"{level.indicator}_{base_year}"] = quantize_places(implied_base, 1)
    result.steps.append(
        text(
            "implied {year} base = {level} / (1 + {rate}%) = {level} / {factor} = {base}",
            year=str(base_year),
            level=_n(level.value),
            rate=str(claim.value),
            factor=str(factor),
            base=_n(implied_base, 1),
        )
    )
    places = places_of(claim.value)
    reproducing = [
        base
        for base in {
            implied_base.to_integral_value(ROUND_FLOOR),
            implied_base.to_integral_value(ROUND_CEILING),
        }
        if base > 0 and quantize_places((level.value / base - 1) * 100, places) == claim.value
    ]
    internally = bool(reproducing) and places_of(level.value) == 0
    if reproducing:
        base = min(reproducing)
        result.steps.append(
            text(
                "an integer base {base} reproduces the stated rate: "
                "{level} / {base} − 1 = {growth} → {rate}%",
                base=_n(base),
                level=_n(level.value),
                growth=_pct(level.value / base - 1, places + 2),
                rate=str(claim.value),
            )
        )
    elif places_of(level.value) == 0:
        result.steps.append(
            text(
                "no integer {year} count reproduces +{rate}% exactly",
                year=str(base_year),
                rate=str(claim.value),
            )
        )
    found = book.total(level.indicator, statement.regions, base_year)
    if found is None:
        result.verdict = Verdict.UNVERIFIABLE if internally else Verdict.INCONSISTENT
        result.summary = text(
            "implied {year} base {base}; internally consistent; no {year} figure to confirm it"
            if internally
            else "implied {year} base {base}; not reproducible with an integer base; "
            "no {year} figure to confirm it",
            year=str(base_year),
            base=_n(implied_base),
        )
        return result
    reference, refs = found
    actual_growth = level.value / reference - 1
    relative = (implied_base - reference) / reference
    tolerance = claim.tolerance if claim.tolerance is not None else rel_tol
    result.steps.append(
        text(
            "independent {year} figure {reference} ({citations}): {level} / {reference} − 1 = {growth}",
            year=str(base_year),
            reference=_n(reference),
            citations=_citations(refs),
            level=_n(level.value),
            growth=_pct(actual_growth),
        )
    )
    result.verdict = Verdict.CONSISTENT if abs(relative) <= tolerance else Verdict.INCONSISTENT
    result.summary = text(
        "{verdict}: stated +{rate}%, the {year} figure gives {growth}",
        verdict=verdict_term(result.verdict),
        rate=str(claim.value),
        year=str(base_year),
        growth=_pct(actual_growth),
    )
    return result


def _check_per_10k(statement: Statement, claim: Claim, book: ReferenceBook) -> ClaimResult:
    result = ClaimResult(statement.id, claim.id, claim.kind, claim.value, Verdict.UNVERIFIABLE, _EMPTY)
    indicator = term(claim.indicator)
    population = book.total("population", statement.regions, statement.year)
    if population is None:
        result.summary = text(
            "no population for every region of {region} in {year}",
            region=statement.region_label,
            year=str(statement.year),
        )
        result.steps.append(result.summary)
        return result
    total, refs = population
    parts = " + ".join(_n(r.value) for r in refs) + " = " if len(refs) > 1 else ""
    unit = Both("万人", refs[0].unit) if refs[0].unit else Both("万人", "10k persons")
    result.steps.append(
        text(
            "population {year} ({unit}) = {parts}{total} ({citation})",
            year=str(statement.year),
            unit=unit,
            parts=parts,
            total=_n(total),
            citation=refs[0].citation,
        )
    )
    numerator = claim.value * total  # population is in 10,000 persons, so rate × population = count
    tolerance = claim.tolerance if claim.tolerance is not None else half_unit(claim.value)
    low, high = (claim.value - tolerance) * total, (claim.value + tolerance) * total
    result.implied[claim.indicator] = quantize_places(numerator, 0)
    result.steps.append(
        text(
            "implied {indicator} = {rate} × {total} = {count} "
            "(range {low}–{high} for a rate rounded to ±{tolerance})",
            indicator=indicator,
            rate=str(claim.value),
            total=_n(total),
            count=_n(numerator, 2),
            low=_n(low),
            high=_n(high),
            tolerance=str(tolerance),
        )
    )
    found = book.total(claim.indicator, statement.regions, statement.year)
    if found is None:
        result.summary = text(
            "implies {count} {indicator} in {region}; no independent count to confirm it",
            count=_n(numerator),
            indicator=indicator,
            region=statement.region_label,
        )
        return result
    count, count_refs = found
    rate = count / total
    result.steps.append(
        text(
            "independent count {count} ({citations}): {count} / {total} = {rate} per 10k",
            count=_n(count),
            citations=_citations(count_refs),
            total=_n(total),
            rate=_n(rate, places_of(claim.value) + 2),
        )
    )
    result.verdict = Verdict.CONSISTENT if abs(rate - claim.value) <= tolerance else Verdict.INCONSISTENT
    result.summary = text(
        "{verdict}: the independent count gives {rate}",
        verdict=verdict_term(result.verdict),
        rate=_n(rate, places_of(claim.value)),
    )
    return result


def _check_ratio(statement: Statement, claim: Claim, numerator: Claim, book: ReferenceBook) -> ClaimResult:
    result = ClaimResult(statement.id, claim.id, claim.kind, claim.value, Verdict.INCONSISTENT, _EMPTY)
    tolerance = claim.tolerance if claim.tolerance is not None else half_unit(claim.value)
    places = places_of(claim.value)
    implied_ref = numerator.value / claim.value
    low, high = numerator.value / (claim.value + tolerance), numerator.value / (claim.value - tolerance)
    reference = term(claim.reference)
    region = Both("全国", "CN") if claim.reference_region == NATION else Both(*(claim.reference_region,) * 2)
    result.implied[f"{claim.reference}_implied"] = quantize_places(implied_ref, 2)
    result.steps.append(
        text(
            "{value}× implies a reference of {numerator} / {value} = {implied} "
            "({low}–{high} allowing for rounding to ±{tolerance})",
            value=str(claim.value),
            numerator=str(numerator.value),
            implied=_n(implied_ref, 2),
            low=_n(low, 2),
            high=_n(high, 2),
            tolerance=str(tolerance),
        )
    )
    years = claim.compare_years or (statement.year,)
    matches: list[int] = []
    for year in years:
        ref = book.get(claim.reference, claim.reference_region, year)
        if ref is None:
            result.steps.append(
                text(
                    "no {reference} for {region} at end-{year}",
                    reference=reference,
                    region=region,
                    year=str(year),
                )
            )
            continue
        ratio = numerator.value / ref.value
        ok = abs(ratio - claim.value) <= tolerance
        if ok:
            matches.append(year)
        result.implied[f"ratio_vs_{year}"] = quantize_places(ratio, 4)
        result.steps.append(
            text(
                "against end-{year} {region} {reference} ({citation}): {numerator} / {reference} = {ratio} "
                "→ {rounded}× {sign} {value}× (±{tolerance})",
                year=str(year),
                region=region,
                reference=_n(ref.value, places_of(ref.value)),
                citation=ref.citation,
                numerator=str(numerator.value),
                ratio=_n(ratio, 4),
                rounded=_n(ratio, places + 1),
                sign="=" if ok else "≠",
                value=str(claim.value),
                tolerance=str(tolerance),
            )
        )
    if not matches and all(book.get(claim.reference, claim.reference_region, y) is None for y in years):
        result.verdict = Verdict.UNVERIFIABLE
        result.summary = text(
            "no {reference} reference for {region} to compare with", reference=reference, region=region
        )
    elif years[0] in matches:
        result.verdict = Verdict.CONSISTENT
        result.summary = text(
            "consistent: {value}× holds against the end-{year} reference",
            value=str(claim.value),
            year=str(years[0]),
        )
    elif matches:
        result.verdict = Verdict.PERIOD_MISMATCH
        own = book.get(claim.reference, claim.reference_region, years[0])
        others = Both("、".join(f"{y} 年末" for y in matches), ", ".join(f"end-{y}" for y in matches))
        if own:
            result.summary = text(
                "inconsistent for {year}: against end-{own_year} ({own}) it is {own_ratio}×; "
                "{value}× holds only against {others}",
                year=str(statement.year),
                own_year=str(years[0]),
                own=str(own.value),
                own_ratio=_n(numerator.value / own.value, places + 1),
                value=str(claim.value),
                others=others,
            )
        else:
            result.summary = text(
                "inconsistent for {year}: {value}× holds only against {others}",
                year=str(statement.year),
                value=str(claim.value),
                others=others,
            )
    else:
        result.summary = text("inconsistent: no reference year gives {value}×", value=str(claim.value))
    return result


def audit(file: AuditFile) -> AuditResult:
    """Check every claim of every statement against the references and each other."""
    book = ReferenceBook(file.references)
    results: list[StatementResult] = []
    with localcontext() as ctx:
        ctx.prec = 28
        for statement in file.statements:
            by_id = {c.id: c for c in statement.claims}
            claim_results: list[ClaimResult] = []
            for claim in statement.claims:
                if claim.kind == ClaimKind.LEVEL:
                    claim_results.append(_check_level(statement, claim, book, file.relative_tolerance))
                elif claim.kind == ClaimKind.GROWTH:
                    claim_results.append(
                        _check_growth(statement, claim, by_id[claim.of], book, file.relative_tolerance)
                    )
                elif claim.kind == ClaimKind.PER_10K:
                    claim_results.append(_check_per_10k(statement, claim, book))
                else:
                    claim_results.append(_check_ratio(statement, claim, by_id[claim.of], book))
            results.append(StatementResult(statement, claim_results))
    return AuditResult(file.title, results)


# ------------------------------------------------------------------------------------------------------------
# Reading audit files


def _decimal(value: object, *, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise AuditFileError(f"{where}: {value!r} is not a number")
    try:
        return Decimal(str(value).replace(",", ""))
    except ArithmeticError as exc:
        raise AuditFileError(f"{where}: {value!r} is not a number") from exc


def _date(value: object, *, where: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise AuditFileError(f"{where}: {value!r} is not a date") from exc
    raise AuditFileError(f"{where}: an as_of date is required")


def _claim(raw: Mapping[str, Any], *, where: str, ids: set[str]) -> Claim:
    try:
        kind = ClaimKind(raw["kind"])
    except (KeyError, ValueError) as exc:
        raise AuditFileError(f"{where}: kind must be one of {[k.value for k in ClaimKind]}") from exc
    claim = Claim(
        id=str(raw.get("id") or kind.value),
        kind=kind,
        value=_decimal(raw.get("value"), where=where),
        indicator=str(raw.get("indicator", "")),
        of=str(raw.get("of", "")),
        reference=str(raw.get("reference", "")),
        reference_region=str(raw.get("reference_region", NATION)),
        compare_years=tuple(int(y) for y in raw.get("compare_years", ())),
        tolerance=_decimal(raw["tolerance"], where=where) if "tolerance" in raw else None,
    )
    if kind in (ClaimKind.LEVEL, ClaimKind.PER_10K) and not claim.indicator:
        raise AuditFileError(f"{where}: a {kind.value} claim names its indicator")
    if kind in (ClaimKind.GROWTH, ClaimKind.RATIO) and claim.of not in ids:
        raise AuditFileError(f"{where}: 'of' must name an earlier claim of the statement, not {claim.of!r}")
    if kind == ClaimKind.RATIO and not claim.reference:
        raise AuditFileError(f"{where}: a ratio claim names its reference indicator")
    return claim


def parse_audit_file(data: Mapping[str, Any]) -> AuditFile:
    """Build an AuditFile from parsed TOML/JSON data; raise AuditFileError naming the faulty entry."""
    references = tuple(
        Reference(
            name=str(raw["name"]),
            region=str(raw.get("region", NATION)),
            year=int(raw["year"]),
            value=_decimal(raw.get("value"), where=f"reference {raw.get('name')}"),
            as_of=_date(raw.get("as_of"), where=f"reference {raw.get('name')} {raw.get('region')}"),
            source=str(raw.get("source", "")),
            unit=str(raw.get("unit", "")),
            source_zh=str(raw.get("source_zh", "")),
        )
        for raw in data.get("reference", ())
    )
    statements = []
    for index, raw in enumerate(data.get("statement", ()), start=1):
        sid = str(raw.get("id") or f"statement-{index}")
        ids: set[str] = set()
        claims = []
        for c_index, raw_claim in enumerate(raw.get("claim", ()), start=1):
            claim = _claim(raw_claim, where=f"statement {sid} claim {c_index}", ids=ids)
            ids.add(claim.id)
            claims.append(claim)
        if "year" not in raw or not raw.get("regions"):
            raise AuditFileError(f"statement {sid}: year and regions are required")
        statements.append(
            Statement(
                id=sid,
                text_zh=str(raw.get("text_zh", "")),
                text_en=str(raw.get("text_en", "")),
                regions=tuple(str(r) for r in raw["regions"]),
                region_label=str(raw.get("region_label", "+".join(raw["regions"]))),
                year=int(raw["year"]),
                claims=tuple(claims),
                source=str(raw.get("source", "")),
            )
        )
    tolerance = data.get("relative_tolerance", DEFAULT_RELATIVE_TOLERANCE)
    return AuditFile(
        title=str(data.get("title", "")),
        statements=tuple(statements),
        references=references,
        relative_tolerance=_decimal(tolerance, where="relative_tolerance"),
    )


def load_audit_file(path: Path) -> AuditFile:
    """Read a .toml or .json audit file (numbers keep their written digits)."""
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text, parse_float=Decimal)
        else:
            data = tomllib.loads(text, parse_float=Decimal)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise AuditFileError(f"{path.name}: {exc}") from exc
    return parse_audit_file(data)


def with_population(file: AuditFile, values: Mapping[tuple[str, int], Decimal], *, source: str) -> AuditFile:
    """The file with population references added from a table (10k persons) where the file has none."""
    have = {(r.name, r.region, r.year) for r in file.references}
    extra = tuple(
        Reference("population", region, year, value, dt.date(year, 12, 31), source, "10k persons", source)
        for (region, year), value in sorted(values.items())
        if ("population", region, year) not in have
    )
    return AuditFile(file.title, file.statements, file.references + extra, file.relative_tolerance)


# ------------------------------------------------------------------------------------------------------------
# Output


def format_audit(result: AuditResult, *, gettext: Callable[[str], str] = _same, locale: str = "en") -> str:
    """The audit as plain text: each statement, each claim's verdict, and the arithmetic."""
    lines = [result.title, "=" * len(result.title)] if result.title else []
    for statement_result in result.statements:
        st = statement_result.statement
        zh, en = VERDICT_TEXT[statement_result.verdict]
        lines.append("")
        lines.append(f"[{st.id}] {st.region_label} {st.year} — {zh} · {en}")
        for statement_text in (st.text_zh, st.text_en):
            if statement_text:
                lines.append(f"  “{statement_text}”")
        for claim in statement_result.claims:
            zh, en = VERDICT_TEXT[claim.verdict]
            summary = claim.summary.render(gettext, locale)
            lines.append(f"  · {claim.claim_id} ({claim.kind.value} {claim.stated}): {zh} · {en} · {summary}")
            lines.extend(f"      {step.render(gettext, locale)}" for step in claim.steps)
    counts = result.counts()
    lines.append("")
    lines.append("claims: " + ", ".join(f"{VERDICT_TEXT[v][1]} {n}" for v, n in counts.items() if n))
    return "\n".join(lines)


def audit_as_dict(result: AuditResult, *, zh_gettext: Callable[[str], str] = _same) -> dict[str, Any]:
    """The audit as JSON-ready data (Decimals as strings; summaries and steps in English and Chinese)."""
    return {
        "title": result.title,
        "counts": {v.value: n for v, n in result.counts().items()},
        "statements": [
            {
                "id": s.statement.id,
                "region": s.statement.region_label,
                "year": s.statement.year,
                "text_zh": s.statement.text_zh,
                "text_en": s.statement.text_en,
                "verdict": s.verdict.value,
                "claims": [
                    {
                        "id": c.claim_id,
                        "kind": c.kind.value,
                        "stated": str(c.stated),
                        "verdict": c.verdict.value,
                        "summary": str(c.summary),
                        "summary_zh": c.summary.render(zh_gettext, "zh_CN"),
                        "steps": [str(step) for step in c.steps],
                        "steps_zh": [step.render(zh_gettext, "zh_CN") for step in c.steps],
                        "implied": {k: str(v) for k, v in c.implied.items()},
                    }
                    for c in s.claims
                ],
            }
            for s in result.statements
        ],
    }


def claim_title(statement: Statement, claim_id: str) -> Text:
    """What a claim is about, for a reader: the indicator's name, or the growth or ratio of another claim."""
    claims = {c.id: c for c in statement.claims}
    claim = claims[claim_id]
    if claim.kind == ClaimKind.LEVEL:
        return text("{indicator}", indicator=term(claim.indicator))
    if claim.kind == ClaimKind.PER_10K:
        rate = f"{claim.indicator}_per_10k"
        named = term(rate)
        if named.en == rate:
            return text("{indicator} per 10,000 population", indicator=term(claim.indicator))
        return text("{indicator}", indicator=named)
    base = claim_title(statement, claim.of) if claim.of in claims else text("{x}", x=claim.of)
    if claim.kind == ClaimKind.GROWTH:
        return text("{of}, year-on-year growth", of=base)
    region = (
        Both("全国", "national") if claim.reference_region == NATION else Both(*(claim.reference_region,) * 2)
    )
    return text("{of}, multiple of the {region} figure", of=base, region=region)

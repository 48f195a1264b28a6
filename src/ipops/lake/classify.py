"""Classification concordances: IPC -> WIPO 35 technology fields, IPC -> industries, and Nice classes."""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa

from ipops.core.paths import shared_data_dir

DATA_DIR = Path(__file__).resolve().parent / "data"
WIPO_CONCORDANCE_CSV = DATA_DIR / "wipo_ipc_technology_concordance_35fields.csv"
WIPO_FIELDS_ZH_CSV = DATA_DIR / "wipo_fields_zh.csv"
NICE_CLASSES_CSV = DATA_DIR / "nice_classes.csv"
NACE_DIR_ENV = "IPOPS_NACE_CONCORDANCE_DIR"

_IPC_RE = re.compile(r"^([A-H])\s*(\d{2})\s*([A-Z])\s*0*(\d{1,4})?\s*(?:/\s*(\d+))?")


def compact_ipc(symbol: str) -> str:
    """Normalise an IPC/CPC symbol to the compact prefix form, e.g. "H01L  21/768" -> "H01L21/768"."""
    text = symbol.strip().upper()
    match = _IPC_RE.match(text)
    if match is None:
        return re.sub(r"\s+", "", text)
    section, cls, subclass, group, subgroup = match.groups()
    key = f"{section}{cls}{subclass}"
    if group is not None:
        key += f"{int(group)}/"
        if subgroup is not None:
            key += subgroup
    return key


def _longest_prefix(key: str, table: Mapping[str, object]) -> str | None:
    """The longest prefix of key that is a key of table."""
    for end in range(len(key), 0, -1):
        if key[:end] in table:
            return key[:end]
    return None


@dataclass(frozen=True, slots=True)
class TechnologyField:
    """One of the 35 WIPO technology fields (Schmoch 2008) with its sector."""

    number: int
    name_en: str
    sector_en: str
    name_zh: str
    sector_zh: str


class TechnologyConcordance:
    """IPC prefix -> WIPO technology field, resolved by longest prefix."""

    def __init__(self, *, prefixes: Mapping[str, int], fields: Mapping[int, TechnologyField]) -> None:
        self.prefixes = dict(prefixes)
        self.fields = dict(fields)

    def field_of(self, symbol: str) -> TechnologyField | None:
        """The technology field of one IPC symbol, or None when no prefix matches."""
        prefix = _longest_prefix(compact_ipc(symbol), self.prefixes)
        return None if prefix is None else self.fields[self.prefixes[prefix]]

    def to_arrow(self) -> pa.Table:
        """The concordance as a table (ipc_prefix in compact form) for joins inside the lake."""
        prefixes = sorted(self.prefixes)
        fields = [self.fields[self.prefixes[p]] for p in prefixes]
        return pa.table(
            {
                "ipc_prefix": pa.array(prefixes, pa.string()),
                "field_number": pa.array([f.number for f in fields], pa.int16()),
                "field_en": pa.array([f.name_en for f in fields], pa.string()),
                "sector_en": pa.array([f.sector_en for f in fields], pa.string()),
                "field_zh": pa.array([f.name_zh for f in fields], pa.string()),
                "sector_zh": pa.array([f.sector_zh for f in fields], pa.string()),
            }
        )

    def fields_table(self) -> pa.Table:
        """One row per technology field."""
        fields = [self.fields[n] for n in sorted(self.fields)]
        return pa.table(
            {
                "field_number": pa.array([f.number for f in fields], pa.int16()),
                "field_en": [f.name_en for f in fields],
                "sector_en": [f.sector_en for f in fields],
                "field_zh": [f.name_zh for f in fields],
                "sector_zh": [f.sector_zh for f in fields],
            }
        )


def _wipo_prefix(code: str) -> str:
    """Concordance codes look like "F21H%" or "H04N   3/%"; turn them into compact prefixes."""
    return compact_ipc(code.rstrip("%").strip()) if "/" in code else code.rstrip("%").strip().upper()


def load_wipo_concordance(path: Path | None = None) -> TechnologyConcordance:
    """Read the WIPO IPC-technology concordance CSV (the bundled copy unless a path is given)."""
    if path is None:
        return _bundled_wipo_concordance()
    return _read_wipo_concordance(path)


@cache
def _bundled_wipo_concordance() -> TechnologyConcordance:
    return _read_wipo_concordance(WIPO_CONCORDANCE_CSV)


def _read_wipo_concordance(path: Path) -> TechnologyConcordance:
    zh: dict[int, tuple[str, str]] = {}
    with WIPO_FIELDS_ZH_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            zh[int(row["field_number"])] = (row["field_zh"], row["sector_zh"])
    prefixes: dict[str, int] = {}
    fields: dict[int, TechnologyField] = {}
    with path.open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            number = int(row["Field_number"])
            name_zh, sector_zh = zh.get(number, ("", ""))
            fields.setdefault(
                number,
                TechnologyField(
                    number, row["Field_en"].strip(), row["Sector_en"].strip(), name_zh, sector_zh
                ),
            )
            prefixes[_wipo_prefix(row["IPC_code"])] = number
    return TechnologyConcordance(prefixes=prefixes, fields=fields)


def wipo_field(symbol: str) -> TechnologyField | None:
    """The WIPO technology field of an IPC symbol per the bundled concordance."""
    return _bundled_wipo_concordance().field_of(symbol)


@dataclass(frozen=True, slots=True)
class IndustryShare:
    """The weight with which an IPC prefix belongs to one industry."""

    ipc_prefix: str
    industry_code: str
    industry_name: str
    weight: float


class IndustryConcordance:
    """IPC prefix -> industries with (probabilistic) weights, by longest prefix; loadable from CSV."""

    def __init__(self, *, name: str, shares: Iterable[IndustryShare]) -> None:
        self.name = name
        self.by_prefix: dict[str, list[IndustryShare]] = {}
        for share in shares:
            self.by_prefix.setdefault(share.ipc_prefix, []).append(share)

    def shares_of(self, symbol: str) -> list[IndustryShare]:
        """Industry shares of one IPC symbol (largest weight first); empty when no prefix matches."""
        prefix = _longest_prefix(compact_ipc(symbol), self.by_prefix)
        if prefix is None:
            return []
        return sorted(self.by_prefix[prefix], key=lambda s: (-s.weight, s.industry_code))

    def distribution(self, symbols: Iterable[str]) -> dict[str, float]:
        """A document's industry distribution: each of k distinct matched prefixes counts 1/k."""
        matched = {p for s in symbols if (p := _longest_prefix(compact_ipc(s), self.by_prefix)) is not None}
        result: dict[str, float] = {}
        for prefix in matched:
            for share in self.by_prefix[prefix]:
                result[share.industry_code] = result.get(share.industry_code, 0.0) + share.weight / len(
                    matched
                )
        return result

    def prefix_lengths(self) -> list[int]:
        """Distinct prefix lengths, so lake joins can use one equi-join per length."""
        return sorted({len(p) for p in self.by_prefix})

    def to_arrow(self) -> pa.Table:
        """The concordance as a table: ipc_prefix (compact), industry_code, industry_name, weight."""
        rows = [s for shares in self.by_prefix.values() for s in shares]
        return pa.table(
            {
                "ipc_prefix": pa.array([s.ipc_prefix for s in rows], pa.string()),
                "industry_code": pa.array([s.industry_code for s in rows], pa.string()),
                "industry_name": pa.array([s.industry_name for s in rows], pa.string()),
                "weight": pa.array([s.weight for s in rows], pa.float64()),
            }
        )


def load_industry_csv(path: Path, *, name: str | None = None) -> IndustryConcordance:
    """Load any IPC->industry concordance CSV: ipc_prefix, industry_code[, industry_name][, weight]."""
    shares: list[IndustryShare] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"ipc_prefix", "industry_code"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: missing column(s) {sorted(missing)}")
        for row in reader:
            prefix = (row.get("ipc_prefix") or "").strip()
            code = (row.get("industry_code") or "").strip()
            if not prefix or not code:
                continue
            weight_text = (row.get("weight") or "").strip()
            shares.append(
                IndustryShare(
                    ipc_prefix=compact_ipc(prefix),
                    industry_code=code,
                    industry_name=(row.get("industry_name") or "").strip(),
                    weight=float(weight_text) if weight_text else 1.0,
                )
            )
    return IndustryConcordance(name=name or path.stem, shares=shares)


def nace_concordance_dir() -> Path:
    """Where the Fraunhofer NACE tables live: $IPOPS_NACE_CONCORDANCE_DIR, else the shared data folder."""
    configured = os.environ.get(NACE_DIR_ENV)
    if configured:
        return Path(configured)
    return shared_data_dir() / "classification" / "fraunhofer_nace_ipc_concordance"


def load_fraunhofer_nace(directory: Path | None = None) -> IndustryConcordance:
    """Fraunhofer ISI (Neuhäusler et al. 2019) IPC 3-digit -> NACE Rev.2 2-digit shares P(NACE | IPC)."""
    from openpyxl import load_workbook

    folder = directory or nace_concordance_dir()
    labels = _nace_labels(folder / "nace.xlsx")
    book = load_workbook(folder / "nace_ipc.xlsx", read_only=True, data_only=True)
    try:
        rows = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    header = rows[0]
    shares: list[IndustryShare] = []
    for row in rows[1:]:
        if row[0] is None or not str(row[0]).strip().isdigit():
            continue  # skips a trailing "Total" row
        code = f"{int(str(row[0]).strip()):02d}"
        for column, value in zip(header[1:], row[1:], strict=False):
            if column is None or not isinstance(value, int | float) or value <= 0:
                continue
            shares.append(
                IndustryShare(str(column).strip().upper(), code, labels.get(code, ""), float(value))
            )
    return IndustryConcordance(name="fraunhofer-nace-rev2", shares=shares)


def _nace_labels(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        labels: dict[str, str] = {}
        for row in book.worksheets[0].iter_rows(min_row=2, values_only=True):
            if len(row) >= 3 and row[1] is not None and row[2] is not None:
                labels[str(row[1]).strip()] = str(row[2]).strip()
        return labels
    finally:
        book.close()


@dataclass(frozen=True, slots=True)
class NiceClass:
    """One Nice class (NCL 11): English heading and sector from NSF table 10583, Chinese short name."""

    number: int
    kind: str  # goods (1-34) | services (35-45)
    heading_en: str
    sector_en: str
    short_name_zh: str

    @property
    def label_zh(self) -> str:
        """ "第9类 科学仪器" style label."""
        return f"第{self.number}类 {self.short_name_zh}"


@cache
def nice_classes() -> tuple[NiceClass, ...]:
    """All 45 Nice classes, in class order."""
    with NICE_CLASSES_CSV.open(encoding="utf-8") as handle:
        return tuple(
            NiceClass(
                number=int(row["nice_class"]),
                kind=row["kind"],
                heading_en=row["heading_en"],
                sector_en=row["sector_en"],
                short_name_zh=row["short_name_zh"],
            )
            for row in csv.DictReader(handle)
        )


def nice_class(number: int) -> NiceClass:
    """One Nice class by number (1-45)."""
    if not 1 <= number <= 45:
        raise ValueError(f"Nice class must be 1-45, got {number}")
    return nice_classes()[number - 1]


def nice_classes_table() -> pa.Table:
    """The Nice classes as a lake table."""
    classes: Sequence[NiceClass] = nice_classes()
    return pa.table(
        {
            "nice_class": pa.array([c.number for c in classes], pa.int16()),
            "kind": [c.kind for c in classes],
            "heading_en": [c.heading_en for c in classes],
            "sector_en": [c.sector_en for c in classes],
            "label_zh": [c.label_zh for c in classes],
        }
    )

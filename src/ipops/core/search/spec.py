"""What a named index holds and what a search asks of it: plain data shared by every index."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class IndexSpec:
    """The fields of one named index (lake, market listings, patent watch...)."""

    name: str
    text_fields: Mapping[str, float]  # analysed text (jieba + English stems), field -> ranking boost
    keyword_fields: tuple[str, ...] = ()  # exact values (multi-valued): filters and facets
    prefix_fields: tuple[str, ...] = ()  # keyword fields that are also filtered by prefix (IPC)
    number_fields: tuple[str, ...] = ()  # integers: range filters, facets, sorting (dates as yyyymmdd)
    default_order: str | None = None  # number field ordering a search without text (newest first)
    version: int = 1  # bump when the fields change: the index is then rebuilt from its source


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """One document of an index: its id, texts, keywords, numbers and what a hit shows (payload)."""

    doc_id: str
    text: Mapping[str, str | None]
    keywords: Mapping[str, Iterable[str]] = field(default_factory=dict)
    numbers: Mapping[str, int | None] = field(default_factory=dict)
    payload: Mapping[str, Any] = field(default_factory=dict)  # JSON values


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A ranked search: text, exact and prefix filters, integer ranges, facets wanted and a page."""

    text: str = ""
    filters: Mapping[str, str] = field(default_factory=dict)  # keyword field -> value
    prefixes: Mapping[str, str] = field(default_factory=dict)  # prefix field -> prefix
    ranges: Mapping[str, tuple[int | None, int | None]] = field(default_factory=dict)  # inclusive bounds
    within: Mapping[str, str] = field(default_factory=dict)  # text field -> words it must hold (applicant)
    facets: tuple[str, ...] = ()  # keyword or number fields to count values of
    facet_size: int = 50
    offset: int = 0
    limit: int = 20
    highlight: bool = True


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One ranked document: its BM25 score (None when ordered by a field), payload and highlights."""

    doc_id: str
    score: float | None
    payload: dict[str, Any]
    highlights: dict[str, str]  # text field -> escaped HTML fragment with <mark> around matches


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of hits, the total number of matches and the facet counts over all of them."""

    total: int
    offset: int
    limit: int
    hits: list[SearchHit]
    facets: dict[str, list[tuple[str, int]]]  # field -> (value, count), most first


@dataclass(frozen=True, slots=True)
class IndexSource:
    """Where a named index lives and how it is rebuilt from its source of truth."""

    spec: IndexSpec
    directory: Callable[[], Path]
    documents: Callable[[], Iterable[SearchDocument]]

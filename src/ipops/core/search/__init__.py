"""One search service for every named index (the lake; market listings and demands; the patent watch)."""

from ipops.core.search.engine import IndexVersionError, SearchIndex, build_index
from ipops.core.search.registry import (
    index_source,
    open_index,
    open_or_build,
    rebuild,
    register_index,
    registered_indexes,
)
from ipops.core.search.spec import (
    IndexSource,
    IndexSpec,
    SearchDocument,
    SearchHit,
    SearchPage,
    SearchRequest,
)

__all__ = [
    "IndexSource",
    "IndexSpec",
    "IndexVersionError",
    "SearchDocument",
    "SearchHit",
    "SearchIndex",
    "SearchPage",
    "SearchRequest",
    "build_index",
    "index_source",
    "open_index",
    "open_or_build",
    "rebuild",
    "register_index",
    "registered_indexes",
]

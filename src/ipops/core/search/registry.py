"""The named indexes: each domain registers its index and source; one open handle per index per process."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from ipops.core.search.engine import IndexVersionError, SearchIndex, build_index
from ipops.core.search.spec import IndexSource, IndexSpec

_SOURCES: dict[str, IndexSource] = {}
_OPEN: dict[tuple[str, int], tuple[int, SearchIndex]] = {}
_LOCK = threading.Lock()
_BUILD_LOCK = threading.Lock()  # one build at a time in a process: concurrent first searches wait for it


def register_index(source: IndexSource) -> None:
    """Make a named index known to `ipops search` (rebuild, query); re-registering replaces it."""
    _SOURCES[source.spec.name] = source


def registered_indexes() -> list[str]:
    """The names of every registered index."""
    return sorted(_SOURCES)


def index_source(name: str) -> IndexSource:
    """The registered source of a named index."""
    try:
        return _SOURCES[name]
    except KeyError:
        raise KeyError(f"no search index named {name!r}; known: {', '.join(registered_indexes())}") from None


def open_index(spec: IndexSpec, directory: Path) -> SearchIndex:
    """The process's handle on an index folder (reopened when a rebuild swapped the folder)."""
    key = (str(Path(directory).resolve()), spec.version)
    inode = os.stat(directory).st_ino if Path(directory).exists() else -1
    with _LOCK:
        cached = _OPEN.get(key)
        if cached is not None and cached[0] == inode:
            return cached[1]
        index = SearchIndex(spec, Path(directory))
        _OPEN[key] = (os.stat(directory).st_ino, index)
        return index


def forget(directory: Path) -> None:
    """Drop the cached handles on a folder (after a rebuild or in tests)."""
    resolved = str(Path(directory).resolve())
    with _LOCK:
        for key in [k for k in _OPEN if k[0] == resolved]:
            del _OPEN[key]


def rebuild(source: IndexSource, *, directory: Path | None = None) -> int:
    """Recreate an index from its source of truth; returns how many documents it holds."""
    target = directory or source.directory()
    total = build_index(source.spec, target, source.documents())
    forget(target)
    return total


def open_or_build(source: IndexSource, *, directory: Path | None = None) -> SearchIndex:
    """The index, built from its source first if it is missing or was built for other fields."""
    target = directory or source.directory()
    try:
        if target.exists():
            return open_index(source.spec, target)
    except IndexVersionError:
        forget(target)
    with _BUILD_LOCK:
        try:
            if target.exists():  # built by another thread while this one waited
                return open_index(source.spec, target)
        except IndexVersionError:
            forget(target)
        rebuild(source, directory=target)
        return open_index(source.spec, target)

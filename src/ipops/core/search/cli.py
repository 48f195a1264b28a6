"""`ipops search ...`: rebuild a named index from its source, query it, list the indexes."""

from __future__ import annotations

import importlib
import json
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ipops.core.search.registry import index_source, open_or_build, rebuild, registered_indexes
from ipops.core.search.spec import SearchRequest

search_app = typer.Typer(
    help="全文检索索引：重建、查询 · full-text search indexes: rebuild, query",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()


def _load_indexes() -> None:
    from ipops.domains import SEARCH_INDEX_MODULES

    for module in SEARCH_INDEX_MODULES:
        importlib.import_module(module)


def _pairs(values: list[str], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name:
            raise typer.BadParameter(f"{option} takes NAME=VALUE, got {value!r}")
        pairs[name] = text
    return pairs


@search_app.command("list")
def list_indexes() -> None:
    """列出索引 · List the named indexes and their document counts."""
    _load_indexes()
    table = Table(title="检索索引 · search indexes")
    for column in ("索引 · index", "目录 · folder", "文献 · documents"):
        table.add_column(column)
    for name in registered_indexes():
        source = index_source(name)
        directory = source.directory()
        count = str(open_or_build(source).count()) if directory.exists() else "—"
        table.add_row(name, str(directory), count)
    console.print(table)


@search_app.command("rebuild")
def rebuild_index(name: Annotated[str, typer.Argument(help="索引名 · index name, e.g. lake")]) -> None:
    """从数据源重建索引 · Recreate a named index from its source of truth."""
    _load_indexes()
    try:
        source = index_source(name)
    except KeyError as exc:
        raise typer.BadParameter(str(exc.args[0])) from None
    started = time.perf_counter()
    total = rebuild(source)
    console.print(
        f"索引 {name} 已重建 · rebuilt: {total:,} 篇 documents, {time.perf_counter() - started:.1f} s "
        f"→ {source.directory()}"
    )


@search_app.command("query")
def query_index(
    name: Annotated[str, typer.Argument(help="索引名 · index name")],
    text: Annotated[str, typer.Argument(help="检索词 · words (Chinese or English)")] = "",
    filters: Annotated[list[str] | None, typer.Option("--filter", help="NAME=VALUE, e.g. office=CN")] = None,
    prefixes: Annotated[list[str] | None, typer.Option("--prefix", help="NAME=PREFIX, e.g. ipc=H01M")] = None,
    facets: Annotated[list[str] | None, typer.Option("--facet", help="count values of a field")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 10,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """检索 · Search a named index: ranked hits with highlights, the total and facet counts."""
    _load_indexes()
    try:
        source = index_source(name)
    except KeyError as exc:
        raise typer.BadParameter(str(exc.args[0])) from None
    request = SearchRequest(
        text=text,
        filters=_pairs(filters or [], "--filter"),
        prefixes=_pairs(prefixes or [], "--prefix"),
        facets=tuple(facets or ()),
        limit=limit,
        offset=offset,
    )
    started = time.perf_counter()
    try:
        page = open_or_build(source).search(request)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    elapsed = (time.perf_counter() - started) * 1000
    if as_json:
        hits = [
            {"doc_id": h.doc_id, "score": h.score, **h.payload, "highlights": h.highlights} for h in page.hits
        ]
        print(json.dumps({"total": page.total, "hits": hits, "facets": page.facets}, ensure_ascii=False))  # noqa: T201
        return
    table = Table(title=f"{name}: {page.total:,} 篇 documents · {elapsed:.1f} ms")
    for column in ("#", "doc_id", "score", "title"):
        table.add_column(column)
    for rank, hit in enumerate(page.hits, start=offset + 1):
        title = str(hit.payload.get("title") or hit.payload.get("name") or "")
        table.add_row(str(rank), hit.doc_id, f"{hit.score:.2f}" if hit.score is not None else "", title)
    console.print(table)
    for field, buckets in page.facets.items():
        console.print(f"[bold]{field}[/bold]: " + " · ".join(f"{v} ({n})" for v, n in buckets))

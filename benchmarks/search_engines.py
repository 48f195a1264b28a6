"""Search engines compared: tantivy (ipops.core.search) vs bm25s, over one synthetic corpus of real sentences.

    python -m benchmarks.search_engines [--docs 100000] [--queries 300]

Both engines get the same analysis (jieba words for Chinese, tantivy's English stems), so the figures
compare the engines: index build time, and query p50/p99 for top-10 ranked hits. tantivy is also timed
with what the lake page asks for (a filter, facets and highlights), which bm25s does not offer.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.synthetic_corpus import compose, real_sentences

from ipops.core.search import IndexSpec, SearchDocument, SearchIndex, SearchRequest
from ipops.core.search.text import chinese_words, english_analyzer, has_cjk, query_units

SPEC = IndexSpec(
    name="bench",
    text_fields={"title": 3.0, "abstract": 1.0},
    keyword_fields=("office",),
    number_fields=("filing_year",),
)


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def timed(run: Callable[[str], object], queries: list[str]) -> tuple[float, float]:
    """p50 and p99 in milliseconds of run(query) over the queries (after one warm-up pass)."""
    for query in queries[:20]:
        run(query)
    seconds = []
    for query in queries:
        started = time.perf_counter()
        run(query)
        seconds.append((time.perf_counter() - started) * 1000)
    return statistics.median(seconds), percentile(seconds, 0.99)


def tokens_of(text: str) -> list[str]:
    """The same terms tantivy indexes: English stems and jieba words."""
    terms = [t for t in english_analyzer().analyze(text) if not has_cjk(t)]
    return terms + chinese_words(text).split() if has_cjk(text) else terms


def main() -> None:
    """Build both indexes over the corpus and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    import bm25s

    sentences = real_sentences()
    rows = list(compose(sentences, args.docs))
    rng = random.Random(7)
    words_zh = [w for t in sentences.titles_zh for w in chinese_words(t).split() if len(w) >= 2]
    words_en = [u.word for t in sentences.titles_en for u in query_units(t) if len(u.word) >= 4]
    queries = [rng.choice(words_zh) if i % 2 else rng.choice(words_en) for i in range(args.queries)]
    print(
        f"corpus: {len(rows):,} documents from {len(sentences.titles_zh)} + {len(sentences.titles_en)} real "
        f"titles (zh + en), {len(sentences.sentences_zh)} + {len(sentences.sentences_en)} real sentences; "
        f"{len(queries)} queries"
    )

    documents = [
        SearchDocument(
            doc_id=str(r["doc_id"]),
            text={"title": str(r["title"]), "abstract": str(r["abstract"])},
            keywords={"office": [str(r["office"])]},
            numbers={"filing_year": int(r["filing_year"])},  # type: ignore[call-overload]
            payload={"title": r["title"]},
        )
        for r in rows
    ]
    with tempfile.TemporaryDirectory() as folder:
        index = SearchIndex(SPEC, Path(folder) / "bench")
        started = time.perf_counter()
        index.load(documents)
        tantivy_build = time.perf_counter() - started

        started = time.perf_counter()
        corpus_tokens = [tokens_of(f"{r['title']} {r['abstract']}") for r in rows]
        analysis = time.perf_counter() - started
        retriever = bm25s.BM25()
        started = time.perf_counter()
        retriever.index(corpus_tokens, show_progress=False)
        bm25s_build = time.perf_counter() - started

        def tantivy_top10(query: str) -> object:
            return index.search(SearchRequest(text=query, limit=10, highlight=False))

        def tantivy_page(query: str) -> object:
            return index.search(
                SearchRequest(
                    text=query,
                    limit=20,
                    filters={"office": "CN"} if has_cjk(query) else {},
                    facets=("office", "filing_year"),
                )
            )

        def bm25s_top10(query: str) -> object:
            return retriever.retrieve([tokens_of(query)], k=10, show_progress=False, n_threads=1)

        t50, t99 = timed(tantivy_top10, queries)
        p50, p99 = timed(tantivy_page, queries)
        b50, b99 = timed(bm25s_top10, queries)

    print(f"{'engine':<34}{'build s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    print(f"{'tantivy top-10':<34}{tantivy_build:>10.1f}{t50:>10.2f}{t99:>10.2f}")
    print(f"{'tantivy page (filter+facets+hl)':<34}{'':>10}{p50:>10.2f}{p99:>10.2f}")
    print(
        f"{'bm25s top-10 (+analysis ' + f'{analysis:.1f}s)':<34}{bm25s_build:>10.1f}{b50:>10.2f}{b99:>10.2f}"
    )
    print(
        f"ratio bm25s/tantivy: build {(bm25s_build + analysis) / tantivy_build:.2f}x (with analysis), "
        f"query p50 {b50 / t50:.2f}x, p99 {b99 / t99:.2f}x"
    )


if __name__ == "__main__":
    main()

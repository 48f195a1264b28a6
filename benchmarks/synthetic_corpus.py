"""A synthetic patent corpus composed of real sentences of ../shared/data (Chinese and English).

Shared by benchmarks/search_engines.py and benchmarks/web_load.py: titles and abstract sentences come from
the documents the lake parses out of the shared data, so Chinese and English queries find something
meaningful; offices, dates, IPC symbols, applicants and regions are drawn from fixed lists.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ipops.lake.ingest import ListSink, ingest_paths

SHARED = Path(os.environ.get("IPOPS_SHARED_DATA", "../shared/data"))
_SENTENCE_END = re.compile(r"(?<=[。；！？])|(?<=[.;!?])\s+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
SYMBOLS = ("H01L 21/768", "G06F 16/27", "A61K 31/00", "H01M 10/0525", "B60L 58/16", "G06Q 40/04", "A61N 5/10")
REGIONS = ("310100", "320100", "320500", "330100", "330200", "340100", "110000", "440300")
APPLICANTS_ZH = (
    "浙商银行股份有限公司",
    "北京大基康明医疗设备有限公司",
    "江苏某某新能源科技有限公司",
    "苏州纳米科技有限公司",
)
APPLICANTS_EN = ("Acme Semiconductor Inc.", "Boxco Ltd", "Lithium Works LLC", "Radiant Devices Corp.")


@dataclass(frozen=True, slots=True)
class Sentences:
    """Real titles and abstract sentences, split by script."""

    titles_zh: list[str]
    titles_en: list[str]
    sentences_zh: list[str]
    sentences_en: list[str]


def real_sentences(shared: Path = SHARED) -> Sentences:
    """Titles and abstract sentences of every patent document in the shared data."""
    sink = ListSink()
    ingest_paths([shared / "patents"], sink=sink)
    titles_zh, titles_en, sentences_zh, sentences_en = [], [], [], []
    for row in sink.batch.documents:
        title = str(row.get("title") or "").strip()
        if title:
            (titles_zh if _CJK.search(title) else titles_en).append(title)
        for sentence in _SENTENCE_END.split(str(row.get("abstract") or "")):
            sentence = sentence.strip()
            if len(sentence) >= 8:
                (sentences_zh if _CJK.search(sentence) else sentences_en).append(sentence)
    return Sentences(
        sorted(set(titles_zh)), sorted(set(titles_en)), sorted(set(sentences_zh)), sorted(set(sentences_en))
    )


def compose(
    sentences: Sentences, count: int, *, seed: int = 14, chinese_share: float = 0.4
) -> Iterator[dict[str, object]]:
    """`count` document rows (lake `documents` columns plus applicant, region and IPC), reproducibly."""
    rng = random.Random(seed)
    start = dt.date(2005, 1, 1)
    for i in range(count):
        chinese = rng.random() < chinese_share
        titles = sentences.titles_zh if chinese else sentences.titles_en
        pool = sentences.sentences_zh if chinese else sentences.sentences_en
        joiner = "" if chinese else " "
        filed = start + dt.timedelta(days=rng.randrange(7000))
        office = "CN" if chinese else rng.choice(("US", "EP", "US", "JP"))
        yield {
            "doc_id": f"{office}-{i:09d}-A",
            "office": office,
            "doc_number": f"{i:09d}",
            "kind": "A",
            "ip_type": rng.choice(("invention", "invention", "utility_model")),
            "status": rng.choice(("application", "grant")),
            "application_date": filed,
            "publication_date": filed + dt.timedelta(days=540),
            "filing_year": filed.year,
            "title": rng.choice(titles),
            "abstract": joiner.join(rng.choice(pool) for _ in range(rng.randint(2, 4))),
            "language": "zh" if chinese else "en",
            "applicant": rng.choice(APPLICANTS_ZH if chinese else APPLICANTS_EN),
            "region_code": rng.choice(REGIONS) if chinese else None,
            "symbol": rng.choice(SYMBOLS),
        }

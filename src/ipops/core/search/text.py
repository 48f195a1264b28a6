"""Analysis shared by indexing and querying: jieba words for Chinese, tantivy's English stems for the rest.

tantivy's Python bindings cannot call jieba as a tokenizer, so every text field is handed to tantivy
pre-tokenised: the terms computed here, with their character offsets (used again for highlighting).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache, lru_cache

import jieba
import tantivy

# CJK Unified Ideographs (+ extension A and compatibility ideographs): the runs jieba segments.
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
MAX_TEXT_CHARS = 100_000  # bounds one field of one document (a claims text can be long)

jieba.setLogLevel(60)  # jieba logs its dictionary load at INFO on first use


@dataclass(frozen=True, slots=True)
class Term:
    """One index term and the characters of the original text it came from."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class QueryUnit:
    """One word of a query: an English stem, or a Chinese word (matched as a jieba word or as characters)."""

    word: str
    chinese: bool
    # the characters to match in sequence, for a word jieba may segment otherwise in a document: one that is
    # not in its dictionary (跨链). A dictionary word is always among a document's search-mode words.
    chars: tuple[str, ...] = ()


ENGLISH_ANALYZER = "ipops_en"


@cache
def english_analyzer() -> tantivy.TextAnalyzer:
    """tantivy's en_stem pipeline plus English stop words (Chinese is segmented by jieba instead)."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stopword("english"))
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def has_cjk(text: str) -> bool:
    """Whether the text holds any Chinese character."""
    return _CJK_CHAR.search(text) is not None


@lru_cache(maxsize=262_144)
def _segment(run: str) -> tuple[tuple[str, int, int], ...]:
    # Cached per run of Chinese characters: titles and abstracts repeat set phrases (本发明公开了一种...).
    return tuple((word, start, end) for word, start, end in jieba.tokenize(run, mode="search"))


def _english_terms(text: str) -> list[Term]:
    tokens = english_analyzer().pre_tokenize(text).tokens
    return [Term(t.text, t.char_offset_from, t.char_offset_to) for t in tokens if not has_cjk(t.text)]


_WORD = re.compile(r"[^\W\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@lru_cache(maxsize=131_072)
def _stem(word: str) -> str | None:
    # highlighting stems each word of a hit's text once: cached, since hits repeat common words
    terms = english_analyzer().analyze(word)
    return terms[0] if terms else None


def chinese_words(text: str) -> str:
    """jieba's search-mode words of every Chinese run, space separated (for a whitespace-tokenised field)."""
    return " ".join(word for run in _CJK_RUN.findall(text[:MAX_TEXT_CHARS]) for word, _, _ in _segment(run))


def chinese_chars(text: str) -> str:
    """Every Chinese character, space separated, so any Chinese substring can be matched as a phrase."""
    return " ".join(_CJK_CHAR.findall(text[:MAX_TEXT_CHARS]))


def _in_dictionary(word: str) -> bool:
    return bool(jieba.dt.FREQ.get(word))


def _query_words(run: str) -> list[str]:
    """jieba's precise words, consecutive single characters joined (跨/链 -> 跨链, matched as a phrase)."""
    words: list[str] = []
    single = ""
    for word in jieba.lcut(run):
        if len(word) == 1:
            single += word
            continue
        if single:
            words.append(single)
            single = ""
        words.append(word)
    if single:
        words.append(single)
    return words


def query_units(query: str) -> list[QueryUnit]:
    """The words a query asks for: jieba's precise-mode words of its Chinese runs, stems of the rest."""
    units = [QueryUnit(term.text, False) for term in _english_terms(query)]
    for run in _CJK_RUN.finditer(query):
        units += [
            QueryUnit(word, True, () if len(word) > 1 and _in_dictionary(word) else tuple(word))
            for word in _query_words(run.group())
        ]
    seen: set[str] = set()
    unique = []
    for unit in units:
        if unit.word not in seen:
            seen.add(unit.word)
            unique.append(unit)
    return unique


def _match_spans(text: str, units: list[QueryUnit]) -> list[tuple[int, int]]:
    stems = {u.word for u in units if not u.chinese}
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text) if _stem(m.group()) in stems] if stems else []
    for unit in units:
        if unit.chinese:
            spans += [(m.start(), m.end()) for m in re.finditer(re.escape(unit.word), text)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, units: list[QueryUnit], *, max_chars: int = 160) -> str | None:
    """An HTML-escaped fragment of text around the first match, matches in <mark>; None when none match."""
    spans = _match_spans(text, units)
    if not spans:
        return None
    start = max(0, spans[0][0] - max_chars // 4)
    end = min(len(text), start + max_chars)
    parts = ["…" if start > 0 else ""]
    cursor = start
    for span_start, span_end in spans:
        if span_start >= end:
            break
        span_start = max(span_start, cursor)
        parts += [
            html.escape(text[cursor:span_start]),
            "<mark>",
            html.escape(text[span_start:span_end]),
            "</mark>",
        ]
        cursor = span_end
    if cursor < end:
        parts.append(html.escape(text[cursor:end]))
    parts.append("…" if end < len(text) else "")
    return "".join(parts)

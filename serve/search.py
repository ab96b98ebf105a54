"""Chinese full-text search on SQLite FTS5 by overlapping character bigrams.

FTS5's unicode61 tokenizer keeps a run of Chinese characters as one token, and the
trigram tokenizer cannot match two-character words such as 复议. So the text is
indexed as terms: each run of CJK characters becomes its overlapping bigrams plus
its last character alone (行政复议 -> 行政 政复 复议 议), other words stay whole.
A query is turned into the same terms. The index keeps no positions (it is
contentless with ``detail=none``: a third of a positional index), so it finds the
texts holding every term of the query; ``contains`` then keeps those where each word
of the query occurs as a substring (folded as the index folds), which is exactly what
a phrase of the bigrams found before:

- two or more characters: every bigram of the word;
- a single character: a prefix query (every position of a character starts a
  bigram, or is the lone last character of its run).

Search in SQL is ``f match nianbao_match(:q) and nianbao_contains(text, :q)``.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Iterable

# Names the way ``index_terms`` makes terms: change it whenever their output changes, so
# a build re-indexes every report (the contentless index deletes by exact terms).
TERMS_VERSION = "bigrams-2"

# CJK ideographs (unified, extension A, compatibility).
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_IS_CJK = re.compile(rf"[{_CJK}]")
_WORD_CHARACTER = re.compile(rf"[^\W_{_CJK}]")  # of a run kept whole as one term


def splits_word(text: str, at: int) -> bool:
    """Whether position ``at`` of ``text`` falls inside a word the index keeps whole (not
    CJK: a run of CJK characters is cut into bigrams, so a piece of it has no term the
    whole lacks). A piece of the text cut there would have terms the text has not."""
    return 0 < at < len(text) and bool(
        _WORD_CHARACTER.match(text[at - 1]) and _WORD_CHARACTER.match(text[at])
    )


def _fold(text: str) -> str:
    # Full-width letters and digits to ASCII, as FTS5's unicode61 does not.
    return unicodedata.normalize("NFKC", text).lower()


def _run_terms(run: str) -> Iterable[str]:
    if len(run) == 1 or not _IS_CJK.match(run):
        return (run,)
    return (*map(operator.add, run[:-1], run[1:]), run[-1])


def terms(texts: Iterable[str | None]) -> str:
    """The texts as space-separated index terms, each term once (what goes into the FTS
    column: the index keeps no positions, so a repeat would only cost time)."""
    found = dict.fromkeys(
        term for text in texts if text for run in _RUN.findall(_fold(text)) for term in _run_terms(run)
    )
    return " ".join(found)


def index_terms(text: str | None) -> str:
    """One text as index terms (``terms``)."""
    return terms([text])


def _terms_query(run: str) -> str:
    if _IS_CJK.match(run):
        if len(run) == 1:
            return f'"{run}" *'
        return " AND ".join(f'"{run[i : i + 2]}"' for i in range(len(run) - 1))
    return f'"{run}"'


def match_query(query: str | None) -> str:
    """An FTS5 MATCH expression finding the texts that hold every term of every word of
    ``query`` (a superset of those containing the words: ``contains`` keeps those).

    Words are separated by spaces or punctuation; all must occur (AND). Returns
    an expression that matches nothing when the query has no searchable word.
    """
    runs = _RUN.findall(_fold(query or ""))
    if not runs:
        return '""'  # FTS5 accepts it and matches no row
    return " AND ".join(_terms_query(run) for run in dict.fromkeys(runs))


def contains(text: str | None, query: str | None) -> bool:
    """Whether every word of ``query`` occurs in ``text``, both folded as the index folds
    them: the exact test after ``match_query``'s index lookup. No word: False."""
    words = _words(query)
    if not text or not words:
        return False
    folded = _fold(text)
    return all(word in folded for word in words)


def _words(query: str | None) -> list[str]:
    return [w for w in _RUN.findall(_fold(query or "")) if w]


def _folded(text: str) -> tuple[str, list[int]]:
    """The text folded as the index folds it, with each folded character's index in ``text``."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold(ch)
        out.append(folded)
        where.extend([i] * len(folded))
    return "".join(out), where


def matches(text: str | None, query: str | None) -> list[tuple[int, int]]:
    """Spans (start, end) of ``text`` where a word of ``query`` occurs, in order, not overlapping."""
    words = _words(query)
    if not text or not words:
        return []
    folded, where = _folded(text)
    spans: list[tuple[int, int]] = []
    for word in words:
        start = folded.find(word)
        while start >= 0:
            end = start + len(word)
            spans.append((where[start], where[end - 1] + 1))
            start = folded.find(word, end)
    spans.sort()
    kept: list[tuple[int, int]] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def snippet(text: str | None, query: str | None, width: int = 40) -> str:
    """About ``width`` characters either side of the first place ``query`` occurs in ``text``
    (the start of the text if it does not), on one line, with … where it is cut."""
    if not text:
        return ""
    found = matches(text, query)
    start = max(0, found[0][0] - width) if found else 0
    end = min(len(text), (found[0][1] if found else 0) + 2 * width)
    piece = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + piece + ("…" if end < len(text) else "")

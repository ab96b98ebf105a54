"""Chinese full-text search finds exactly the reports whose text contains the words."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import unicodedata

import pytest
from nianbao.parse import parse_path
from nianbao.serve.app import make_datasette
from nianbao.serve.schema import FTS, FTS_SQL
from nianbao.serve.search import contains, index_terms, match_query

QUERIES = ["复议", "诉讼", "行政复议", "政府信息公开", "复", "申请 公开"]


def _contains(text: str, query: str) -> bool:
    text = unicodedata.normalize("NFKC", text).lower()
    return all(word in text for word in query.split())


def test_index_lookup_then_exact_test_is_substring_search():
    """On random Chinese strings, the database's search (the index as serve/schema.py makes
    it, then ``contains``) agrees with Python's ``in`` for queries of 1-4 characters; the
    index alone never misses a text."""
    rng = random.Random(7)
    alphabet = "复议诉讼行政政府公开申请年度报告"
    texts = ["".join(rng.choice(alphabet + "，。 ") for _ in range(rng.randint(0, 40))) for _ in range(300)]
    db = sqlite3.connect(":memory:")
    db.execute(FTS_SQL)
    db.executemany(
        f"insert into {FTS} (rowid, terms) values (?, ?)", [(i, index_terms(t)) for i, t in enumerate(texts)]
    )
    for _ in range(200):
        query = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4)))
        expected = {i for i, t in enumerate(texts) if query in t}
        looked_up = {
            r[0] for r in db.execute(f"select rowid from {FTS} where {FTS} match ?", [match_query(query)])
        }
        assert looked_up >= expected, query
        assert {i for i in looked_up if contains(texts[i], query)} == expected, query


def test_queries_without_words_match_nothing():
    db = sqlite3.connect(":memory:")
    db.execute("create virtual table t using fts5(terms, content='', detail=none)")
    db.execute("insert into t (rowid, terms) values (1, ?)", [index_terms("行政复议")])
    for query in ("", "  ", "，。", '"'):
        assert db.execute("select count(*) from t where t match ?", [match_query(query)]).fetchone()[0] == 0


async def _get_json(ds, path: str) -> list[dict]:
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.text[:300])
    return response.json()


@pytest.mark.parametrize("query", QUERIES)
def test_search_finds_exactly_the_reports_containing_the_words(built, query):
    expected = set()
    for path in built.inputs:
        result = parse_path(path)
        if _contains(result.text, query):
            expected.add(result.record["sha256"])
    assert expected, "the corpus should hold the words"
    ds = make_datasette(built.data.database)

    async def run():
        canned = await _get_json(ds, f"/nianbao/search.json?q={query}&_shape=array")
        table = await _get_json(ds, f"/nianbao/reports.json?_search={query}&_shape=array&_size=max")
        return {r["sha256"] for r in canned}, {r["sha256"] for r in table}

    canned, table = asyncio.run(run())
    assert canned == expected
    assert table == expected


@pytest.mark.parametrize("query", QUERIES)
def test_section_search_finds_exactly_the_sections_containing_the_words(built, query):
    """Whether a section is stored as a span of the text or with its own text."""
    expected = set()
    for path in built.inputs:
        record = parse_path(path).record
        for number, text in (record["sections"] or {}).items():
            if text is not None and _contains(text, query):
                expected.add((record["sha256"], int(number)))
    assert expected, "the corpus's sections should hold the words"
    ds = make_datasette(built.data.database)
    rows = asyncio.run(_get_json(ds, f"/nianbao/sections.json?_search={query}&_shape=array&_size=max"))
    shas = dict(sqlite3.connect(built.data.database).execute("select id, sha256 from reports").fetchall())
    assert {(shas[r["report"]], r["number"]) for r in rows} == expected
    assert all(_contains(r["text"], query) for r in rows)

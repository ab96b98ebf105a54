"""Sections stored as spans of the report's text (the text once), read back by the view
``sections`` exactly as the parser gave them; their own text only where the prose is not
in the text."""

from __future__ import annotations

import sqlite_utils
from nianbao.parse import parse_path
from nianbao.serve.build import build, remove_report, write_report
from nianbao.serve.documents import from_paths
from nianbao.serve.rows import ReportRows, section_spans, section_text


def test_a_section_found_in_the_text_is_a_span():
    text = "一、总体情况\n本机关依法公开。\n二、主动公开\n详见表二。"
    spans = section_spans(text, [(1, "本机关依法公开。"), (2, "详见表二。")])
    assert [(s["start"], s["end"], s["text"]) for s in spans] == [(7, 15, None), (23, 28, None)]
    assert [section_text(text, s) for s in spans] == ["本机关依法公开。", "详见表二。"]


def test_sections_are_looked_for_in_order_each_after_the_previous():
    text = "甲乙丙\n丁戊"
    spans = section_spans(text, [(1, "丁戊"), (2, "甲乙")])
    assert (spans[0]["start"], spans[1]["start"], spans[1]["text"]) == (4, None, "甲乙")


def test_prose_not_in_the_text_or_cutting_a_word_keeps_its_own_text():
    text = "report2023 总体情况\n行政复议"
    spans = section_spans(text, [(1, "2023"), (2, "行政\n复议"), (3, "复议")])
    assert [s["text"] for s in spans] == ["2023", "行政\n复议", None]
    # A NUL in the text: SQLite's substr would not read past it, so nothing is a span.
    assert section_spans("甲\x00乙", [(1, "乙")])[0]["text"] == "乙"


def test_the_sections_view_reads_what_the_parser_gave(built):
    db = sqlite_utils.Database(built.data.database)
    spans = own = 0
    for path in built.inputs:
        record = parse_path(path).record
        report_id = db.execute("select id from reports where sha256 = ?", [record["sha256"]]).fetchone()[0]
        stored = {
            r["number"]: r["text"] for r in db.query("select * from sections where report = ?", [report_id])
        }
        assert stored == {int(n): t for n, t in (record["sections"] or {}).items() if t is not None}
        for start, text in db.execute("select start, text from section_spans where report = ?", [report_id]):
            spans += start is not None and text is None
            own += start is None
    # The parser's sections are slices of its text: every one a span (own text: above, below).
    assert spans and not own


def test_removing_a_report_removes_the_terms_of_its_own_section_texts(built_copy):
    """The contentless index deletes by the very terms it was given: those of the text and
    of each section kept with its own text, recomputed from what is stored."""
    db = sqlite_utils.Database(built_copy.data.database)
    text = "一、总体情况\n依法公开。"
    sections = section_spans(text, [(1, "依法公开。"), (2, "另有说明zqx")])
    rows = ReportRows(
        report={"sha256": "f" * 64, "parser_version": "test"},
        tables={"sections": sections, "report_texts": [{"text": text}]},
    )
    report_id = write_report(db, rows)
    query = "select rowid from report_texts_fts where report_texts_fts match ?"
    terms = ("依法", "另有", "zqx")
    assert all(report_id in {r[0] for r in db.execute(query, [f'"{t}"'])} for t in terms)
    assert [r["text"] for r in db.query("select text from sections where report = ?", [report_id])] == [
        "依法公开。",
        "另有说明zqx",
    ]
    remove_report(db.conn, report_id)
    db.conn.commit()
    assert not any(report_id in {r[0] for r in db.execute(query, [f'"{t}"'])} for t in terms)
    db.execute("insert into report_texts_fts (report_texts_fts) values ('integrity-check')")


def test_a_database_of_the_older_layout_is_built_again(built_copy):
    db = sqlite_utils.Database(built_copy.data.database)
    db.execute("update build_info set value = '2' where key = 'schema_version'")
    db.execute("create table leftover (x)")
    db.conn.commit()
    db.close()
    stats = build(built_copy.data.database, from_paths(built_copy.inputs))
    assert stats.parsed == len(built_copy.inputs)
    db = sqlite_utils.Database(built_copy.data.database)
    assert not db["leftover"].exists()
    assert db.execute("select count(*) from sections").fetchone()[0] == db["section_spans"].count > 0

"""nianbao build: every document is a row, tables match the parser's record, builds are incremental."""

from __future__ import annotations

import sqlite_utils
from nianbao.parse import PARSER_VERSION, parse_path
from nianbao.parse.form import TABLE3_COLUMNS
from nianbao.replicas.render.text import render_text
from nianbao.replicas.synth import synthetic_report
from nianbao.serve.build import build
from nianbao.serve.documents import from_paths


def _db(built) -> sqlite_utils.Database:
    return sqlite_utils.Database(built.data.database)


def test_every_document_is_a_report_row(built):
    db = _db(built)
    assert db["reports"].count == len(built.inputs) == built.stats.parsed
    failed = list(db.query("select * from reports where status = 'failed'"))
    assert [r["local_path"].rsplit("/", 1)[-1] for r in failed] == ["garbage.bin"]
    assert "not a document" in failed[0]["errors"]
    assert all(r["parser_version"] == PARSER_VERSION for r in db["reports"].rows)


def test_tables_match_the_parsers_record(built):
    db = _db(built)
    for path in built.inputs:
        record = parse_path(path).record
        report = next(db["reports"].rows_where("sha256 = ?", [record["sha256"]]))
        sha = report["id"]  # child tables refer to the report by its integer id
        assert (report["body"], report["year"], report["form"], report["status"]) == (
            record["organization"],
            record["year"],
            record["template"],
            record["status"],
        )
        t3 = {r["row_key"]: r for r in db["applications"].rows_where("report = ?", [sha])}
        assert set(t3) == set(record["applications"] or {})
        for row_key, columns in (record["applications"] or {}).items():
            assert {c.key: t3[row_key][c.key] for c in TABLE3_COLUMNS} == columns
        t4 = {r["group_key"]: r for r in db["review_litigation"].rows_where("report = ?", [sha])}
        for group, results in (record["review_litigation"] or {}).items():
            assert {k: t4[group][k] for k in results} == results
        t2 = {r["row_key"]: r for r in db["active_disclosure"].rows_where("report = ?", [sha])}
        for row_key, fields in (record["active_disclosure"] or {}).items():
            assert {k: t2[row_key][k] for k in fields} == fields
        cells = db.execute("select count(*) from cells where report = ?", [sha]).fetchone()[0]
        assert cells == sum(
            len(v)
            for t in ("active_disclosure", "applications", "review_litigation")
            for v in (record[t] or {}).values()
        )
        checks = {
            r["check_id"]: r["ok"] for r in db["checks"].rows_where("report = ? and scope = 'report'", [sha])
        }
        assert checks == {c["id"]: int(c["ok"]) for c in record["checks"]}


def test_findings_are_checks_not_errors(built):
    db = _db(built)
    failing = {
        (r["body"], r["year"], r["check_id"])
        for r in db.query(
            "select r.body, r.year, c.check_id from checks c join reports r on r.id = c.report where c.ok = 0"
        )
    }
    assert ("示例市自然资源局", 2022, "T3-BALANCE") in failing
    assert ("示例区卫生健康委员会", 2023, "YEAR-CARRY") in failing
    assert ("示例区卫生健康委员会", 2023, "T2-IN-FORCE") in failing
    assert ("示例县教育局", 2023, "ON-TIME") in failing
    # The linked series passes every audit; the government published before 31 March.
    assert not [f for f in failing if f[0] in ("示例县交通运输局", "示例县人民政府")]
    passed = {
        (r["body"], r["year"], r["check_id"])
        for r in db.query(
            "select r.body, r.year, c.check_id from checks c join reports r on r.id = c.report where c.ok = 1 and c.scope = 'audit'"
        )
    }
    assert {("示例县交通运输局", 2023, "YEAR-CARRY"), ("示例县交通运输局", 2023, "T2-IN-FORCE")} <= passed
    assert ("示例县人民政府", 2023, "ON-TIME") in passed
    # A failed check leaves the status alone: everything was read.
    unbalanced = next(
        db.query("select status, checks_failed from reports where body = '示例市自然资源局' and year = 2022")
    )
    assert unbalanced == {"status": "ok", "checks_failed": 1}


def test_summary_table_has_the_headline_figures(built):
    db = _db(built)
    for path in built.inputs:
        record = parse_path(path).record
        t3 = record["applications"]
        if not t3:
            continue
        row = next(
            db.query(
                "select s.* from report_summary s join reports r on r.id = s.report where r.sha256 = ?",
                [record["sha256"]],
            )
        )
        assert row["requests_received"] == t3["new_received"]["total"]
        assert row["granted"] == t3["granted"]["total"]
        if t3["results_total"]["total"]:
            assert row["granted_share"] == round(t3["granted"]["total"] / t3["results_total"]["total"], 4)


def test_a_second_build_with_nothing_new_parses_nothing(built_copy):
    stats = build(built_copy.data.database, from_paths(built_copy.inputs))
    assert (stats.documents, stats.parsed, stats.unchanged) == (
        len(built_copy.inputs),
        0,
        len(built_copy.inputs),
    )
    assert stats.reports == len(built_copy.inputs)


def test_reports_of_an_older_parser_are_parsed_again(built_copy):
    db = sqlite_utils.Database(built_copy.data.database)
    db.execute("update reports set parser_version = 'older' where body = '示例县交通运输局'")
    db.conn.commit()
    db.close()
    stats = build(built_copy.data.database, from_paths(built_copy.inputs))
    assert stats.parsed == 3
    db = sqlite_utils.Database(built_copy.data.database)
    assert db.execute("select count(*) from reports where parser_version = ?", [PARSER_VERSION]).fetchone()[
        0
    ] == len(built_copy.inputs)
    # Rewritten, not doubled.
    assert (
        db.execute(
            "select count(*) from applications a join reports r on r.id = a.report where r.body = '示例县交通运输局'"
        ).fetchone()[0]
        == 3 * 25
    )


def test_a_new_document_adds_one_report(built_copy, tmp_path):
    from nianbao.replicas.render.text import render_text
    from nianbao.replicas.synth import synthetic_report

    extra = tmp_path / "new.txt"
    extra.write_bytes(render_text(synthetic_report("示例县民政局", 2024, seed=99)))
    stats = build(built_copy.data.database, from_paths([*built_copy.inputs, extra]))
    assert (stats.parsed, stats.reports) == (1, len(built_copy.inputs) + 1)


def test_a_failed_build_leaves_the_database_untouched(built_copy):
    before = built_copy.data.database.read_bytes()

    def exploding():
        yield from from_paths(built_copy.inputs[:1])
        raise RuntimeError("disk gone")

    try:
        build(built_copy.data.database, exploding())
    except RuntimeError:
        pass
    assert built_copy.data.database.read_bytes() == before
    assert not built_copy.data.database.with_name("nianbao.db.building").exists()


def test_a_reparsed_report_keeps_its_id_and_its_search(built_copy):
    """Re-parsing removes the report's old terms from the contentless index (else it would
    hold them twice or fail) and keeps its integer id, so links stay right."""
    db = sqlite_utils.Database(built_copy.data.database)
    before = {r["sha256"]: r["id"] for r in db.query("select id, sha256 from reports")}
    db.execute("update reports set parser_version = 'older'")
    db.conn.commit()
    db.close()
    build(built_copy.data.database, from_paths(built_copy.inputs))
    db = sqlite_utils.Database(built_copy.data.database)
    assert {r["sha256"]: r["id"] for r in db.query("select id, sha256 from reports")} == before
    found = [
        r[0] for r in db.execute("select rowid from report_texts_fts where report_texts_fts match '\"公开\"'")
    ]
    assert len(found) == len(set(found)) == len(before) - 1  # every report but garbage.bin, once
    db.execute("insert into report_texts_fts (report_texts_fts) values ('integrity-check')")


def test_a_build_from_files_holds_no_registry_unless_sources_are_given(tmp_path):
    """Files on disk come from no crawl: `nianbao build --from` leaves the crawler's
    registry out of `sources` (3,178 portals, 1 MB a database), and --sources adds those given."""
    from click.testing import CliRunner

    from nianbao.cli import main

    report = tmp_path / "report.txt"
    report.write_bytes(render_text(synthetic_report("示例县水利局", 2023, seed=7)))
    extra = tmp_path / "mine.yaml"
    extra.write_text("- {id: mine-county, name: 示例县人民政府}\n", encoding="utf-8")
    runner = CliRunner()

    done = runner.invoke(main, ["--data", str(tmp_path / "a"), "build", "--quiet", "--from", str(report)])
    assert done.exit_code == 0, done.output
    db = sqlite_utils.Database(tmp_path / "a" / "nianbao.db")
    assert db["reports"].count == 1
    assert db["sources"].count == 0

    done = runner.invoke(
        main,
        ["--data", str(tmp_path / "b"), "build", "--quiet", "--sources", str(extra), "--from", str(report)],
    )
    assert done.exit_code == 0, done.output
    ids = [r["id"] for r in sqlite_utils.Database(tmp_path / "b" / "nianbao.db")["sources"].rows]
    assert ids == ["mine-county"]

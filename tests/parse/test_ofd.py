"""OFD (GB/T 33190): renderings of the report PDFs read back to the same record, the
layout reconstructed from positions (CTM, DeltaX, ruled cells), hostile packages refused."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from nianbao.parse import detect, parse_bytes, parse_path
from nianbao.parse.extract.ofd import Glyph, Rule, extract_ofd, page_items
from nianbao.parse.extract.ofd_scan import ofd_as_pdf

from tests.fixtures.ofd.generate import many_members, ofd_from_pdf
from tests.parse.records import assert_same

OFD = Path(__file__).parents[1] / "fixtures" / "ofd"
REPORTS = Path(__file__).parents[1] / "fixtures" / "reports"
REAL = Path(__file__).parents[1] / "fixtures" / "real"
EXPECTED_SEEDS = Path(__file__).parent / "expected"


def _same_record(ofd: dict, pdf: dict) -> None:
    """The same numbers, metadata, checks and prose as the PDF's record. Sections 2-4
    hold the tables' raw text, laid out as each extractor emits it, so they differ; and
    where a layout spaces CJK from digits, pdfium's text has a space that positions
    alone do not decide, so prose is compared without its spaces."""
    assert_same(ofd, pdf)
    assert (ofd["status"], ofd["checks"], ofd["errors"]) == (pdf["status"], pdf["checks"], pdf["errors"])
    for section in "156":
        ours, theirs = ofd["sections"].get(section), pdf["sections"].get(section)
        assert (ours is None) == (theirs is None), section
        if ours is not None:
            assert "".join(ours.split()) == "".join(theirs.split()), section


@pytest.mark.parametrize(
    "document",
    sorted(
        p
        for p in OFD.glob("*.ofd")
        if not p.name.startswith(("hostile-", "real-"))
        and not p.name.endswith((".scan.ofd", ".outlines.ofd"))
    ),
    ids=lambda p: p.name,
)
def test_report_ofd_reads_as_its_pdf(document: Path) -> None:
    stem = document.name.split(".")[0]
    want = json.loads((REPORTS / f"{stem}.expected.json").read_text())
    result = parse_path(document)
    assert (result.kind, result.extraction.split(";")[0]) == ("ofd", "ofd")
    assert_same(result.record, want)
    assert result.record["status"] == "ok", result.record["errors"]
    failing = {c["id"] for c in result.record["checks"] if not c["ok"]}
    assert failing == ({"T3-BALANCE"} if stem.startswith("unbalanced") else set())
    _same_record(result.record, parse_path(REPORTS / f"{stem}.pdf").record)


def test_committed_renderings_are_what_the_generator_makes() -> None:
    """The fixtures are reproducible from the PDFs, so a change to the writer shows here."""
    assert (OFD / "dept-2021.ofd").read_bytes() == ofd_from_pdf(REPORTS / "dept-2021.pdf")
    assert (OFD / "dept-2021.ctm.ofd").read_bytes() == ofd_from_pdf(REPORTS / "dept-2021.pdf", "ctm")


def test_ctm_and_per_glyph_deltas_place_text_as_the_plain_rendering() -> None:
    """Objects in points under a scaling, offset CTM, every DeltaX written out and rules
    as thin filled rectangles: the same lines as the millimetre rendering."""
    with zipfile.ZipFile(OFD / "dept-2021.ctm.ofd") as z:
        page = z.read("Doc_0/Pages/Page_1/Content.xml").decode()
    assert 'CTM="0.353 0 0 0.353 2 3"' in page and "g " not in page and 'Fill="true"' in page
    plain = extract_ofd((OFD / "dept-2021.ofd").read_bytes()).lines
    assert extract_ofd((OFD / "dept-2021.ctm.ofd").read_bytes()).lines == plain


def page_lines(glyphs: list[Glyph], rules: list[Rule]) -> list[str]:
    return [item.text for item in page_items(glyphs, rules)]


def _run(text: str, x: float, baseline: float, size: float = 4.0) -> list[Glyph]:
    return [Glyph(c, x + i * size, x + (i + 1) * size, baseline, size) for i, c in enumerate(text)]


def _grid(
    xs: list[float], ys: list[float], missing: set[tuple[str, float, float]] = frozenset()
) -> list[Rule]:
    """Every rule of a grid, each cell side its own segment; ``missing`` leaves some out:
    ("h", y, x-middle) or ("v", x, y-middle)."""
    rules = []
    for y in ys:
        for a, b in zip(xs, xs[1:], strict=False):
            if ("h", y, (a + b) / 2) not in missing:
                rules.append(Rule(True, y, a, b))
    for x in xs:
        for a, b in zip(ys, ys[1:], strict=False):
            if ("v", x, (a + b) / 2) not in missing:
                rules.append(Rule(False, x, a, b))
    return rules


def test_ruled_cells_keep_blanks_and_a_merged_cell_stands_once() -> None:
    # Three columns, three rows; the first column's cell spans rows 2 and 3 (no rule
    # between them), and row 2's middle cell is blank.
    xs, ys = [10.0, 60.0, 90.0, 120.0], [20.0, 30.0, 40.0, 50.0]
    rules = _grid(xs, ys, missing={("h", 40.0, 35.0)})
    glyphs = (
        _run("标题", 12, 27)
        + _run("甲", 62, 27)
        + _run("乙", 92, 27)
        + _run("合并", 12, 37)
        + _run("1", 92, 37)
        + _run("2", 62, 47)
        + _run("3", 92, 47)
        + _run("表外的一行", 10, 60)
    )
    assert page_lines(glyphs, rules) == ["标题\t甲\t乙", "合并\t\t1", "2\t3", "表外的一行"]


def test_a_frame_round_the_page_is_not_a_table() -> None:
    frame = _grid([5.0, 205.0], [5.0, 292.0])
    glyphs = _run("第一行", 10, 20) + _run("第二行", 10, 30)
    assert page_lines(glyphs, frame) == ["第一行", "第二行"]


def test_wrapped_label_in_one_cell_reads_as_one() -> None:
    rules = _grid([10.0, 50.0, 70.0], [20.0, 40.0])
    glyphs = _run("本机关不掌", 11, 27) + _run("握的信息", 11, 33) + _run("4", 52, 30)
    assert page_lines(glyphs, rules) == ["本机关不掌握的信息\t4"]


def test_free_text_gaps_become_spaces_and_tabs() -> None:
    line = _run("行政许可", 10, 20) + _run("149", 60, 20, 4.0)
    assert page_lines(line, []) == ["行政许可\t149"]
    assert page_lines(_run("2023", 10, 20) + _run("年", 27.5, 20), []) == ["2023 年"]


def test_table_cut_by_the_page_runs_on_and_its_last_column_splits() -> None:
    """Text beside a table, in its rows: the table was printed wider than the page and
    its right border cut off (as on the PDF path). It runs on there, and the text past
    the cut forms columns of its own where no text crosses a gap."""
    rules = _grid([10.0, 40.0, 70.0], [20.0, 30.0, 40.0])
    glyphs = (
        _run("甲", 12, 27)
        + _run("乙", 42, 27)
        + _run("丙", 80, 27)
        + _run("丁", 100, 27)
        + _run("1", 12, 37)
        + _run("2", 42, 37)
        + _run("3", 80, 37)
        + _run("4", 100, 37)
    )
    assert page_lines(glyphs, rules) == ["甲\t乙\t丙\t丁", "1\t2\t3\t4"]


def test_free_text_lines_follow_the_drawing_order_as_pdfium_does() -> None:
    """A label set between the two lines of a wrapped value: pdfium puts it on the line
    drawn next to it, and so does the OFD reading; a step back to the left is a new line."""
    glyphs = _run("标题", 10, 24.5) + _run("年度报", 30, 21.5) + _run("告", 30, 27.5)
    assert page_lines(glyphs, []) == ["标题\t年度报", "告"]
    # Drawn the other way round, the label goes with the line before it.
    glyphs = _run("年度报", 30, 21.5) + _run("标题", 10, 24.5) + _run("告", 30, 27.5)
    assert page_lines(glyphs, []) == ["年度报", "标题\t告"]
    # A page without tables keeps its lines in drawing order, as pdfium's text has them.
    assert page_lines(_run("第二行", 10, 30) + _run("第一行", 10, 20), []) == ["第二行", "第一行"]


def test_delta_abbreviation_and_template_page(tmp_path: Path) -> None:
    """DeltaX "g N D" repeats a step; a template page's text is drawn with the page."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    package = tmp_path / "t.ofd"
    with zipfile.ZipFile(package, "w") as z:
        z.writestr(
            "OFD.xml",
            f"<ofd:OFD {ns}><ofd:DocBody><ofd:DocInfo><ofd:Title>题名</ofd:Title></ofd:DocInfo>"
            "<ofd:DocRoot>/Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        z.writestr(
            "Doc_0/Document.xml",
            f"<ofd:Document {ns}><ofd:CommonData>"
            '<ofd:TemplatePage ID="2" BaseLoc="Tpls/T.xml"/></ofd:CommonData><ofd:Pages>'
            '<ofd:Page ID="3" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>',
        )
        z.writestr(
            "Doc_0/Tpls/T.xml",
            f'<ofd:Page {ns}><ofd:Content><ofd:Layer><ofd:TextObject Boundary="10 5 50 5"'
            ' Size="4"><ofd:TextCode X="0" Y="4">页眉文字</ofd:TextCode></ofd:TextObject></ofd:Layer>'
            "</ofd:Content></ofd:Page>",
        )
        z.writestr(
            "Doc_0/Pages/Page_0/Content.xml",
            f'<ofd:Page {ns}><ofd:Template TemplateID="2"/>'
            '<ofd:Content><ofd:Layer><ofd:PageBlock><ofd:TextObject Boundary="10 20 100 6" Size="4">'
            '<ofd:TextCode X="0" Y="4" DeltaX="g 3 4 20 4">正文四字一二</ofd:TextCode>'
            "</ofd:TextObject></ofd:PageBlock></ofd:Layer></ofd:Content></ofd:Page>",
        )
    extracted = extract_ofd(package.read_bytes())
    assert extracted.lines == ["页眉文字", "正文四字\t一二"]
    assert extracted.title_hint == "题名"


def test_a_rounded_box_is_no_table(tmp_path: Path) -> None:
    """A path with curves in it (a rounded button, as Chromium prints one) draws no
    rules, as on the PDF path: the text in it reads as lines, not as a table's cells."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    box = (
        "M 10.5 20 L 59.5 20 B 59.8 20 60 20.2 60 20.5 L 60 39.5 B 60 39.8 59.8 40 59.5 40"
        " L 10.5 40 B 10.2 40 10 39.8 10 39.5 L 10 20.5 B 10 20.2 10.2 20 10.5 20 C"
    )

    def text(x: float, y: float, chars: str) -> str:
        return (
            f'<ofd:TextObject Boundary="{x} {y - 4} 40 6" Size="4"><ofd:TextCode X="0" Y="4"'
            f' DeltaX="g {len(chars)} 4">{chars}</ofd:TextCode></ofd:TextObject>'
        )

    def package(paths: list[str]) -> bytes:
        drawn = "".join(
            f'<ofd:PathObject Boundary="0 0 210 297"><ofd:AbbreviatedData>{data}</ofd:AbbreviatedData>'
            "</ofd:PathObject>"
            for data in paths
        )
        with zipfile.ZipFile(tmp_path / "t.ofd", "w") as z:
            z.writestr(
                "OFD.xml",
                f"<ofd:OFD {ns}><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
            )
            z.writestr(
                "Doc_0/Document.xml",
                f'<ofd:Document {ns}><ofd:Pages><ofd:Page BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>',
            )
            z.writestr(
                "Doc_0/Pages/Page_0/Content.xml",
                f"<ofd:Page {ns}><ofd:Content><ofd:Layer>{drawn}"
                f"{text(11, 27, '本机关不掌')}{text(11, 33, '握的信息一')}{text(42, 30, '4')}"
                "</ofd:Layer></ofd:Content></ofd:Page>",
            )
        return (tmp_path / "t.ofd").read_bytes()

    divider = "M 40 20 L 40 40"
    assert extract_ofd(package([box, divider])).lines == ["本机关不掌", "握的信息一\t4"]
    # The same box drawn square is a table of two cells.
    square = "M 10 20 L 60 20 L 60 40 L 10 40 C"
    assert extract_ofd(package([square, divider])).lines == ["本机关不掌握的信息一\t4"]


def test_report_of_the_corpus_as_ofd(corpus: Path, tmp_path: Path) -> None:
    """A real report (Huai'an 2024, a Word-exported PDF) rendered as OFD at test time."""
    source = corpus / "huaian-2024-city.pdf"
    if not source.exists():
        pytest.skip("huaian-2024-city.pdf is not in the corpus")
    document = tmp_path / "huaian-2024-city.ofd"
    document.write_bytes(ofd_from_pdf(source))
    record = parse_path(document).record
    assert_same(record, json.loads((EXPECTED_SEEDS / "huaian-2024-city.json").read_text()))
    assert record["status"] == "ok", record["errors"]


@pytest.mark.parametrize(
    "stem", sorted(p.stem for p in EXPECTED_SEEDS.glob("*.json") if p.stem != "huaian-2024-city")
)
def test_seed_rendered_as_ofd(corpus: Path, stem: str, tmp_path: Path) -> None:
    """A real report's text and numbers, printed as a ruled PDF (as test_fixtures does)
    and that PDF as OFD: the same record as the PDF, and every cell as labelled."""
    from tests.fixtures.from_seed import render_variants

    source = next(corpus.glob(f"**/{stem}.*"))
    seed = parse_path(source).record  # its prose, for rendering; never committed
    want = json.loads((EXPECTED_SEEDS / f"{stem}.json").read_text())
    prose = {k: (v if k in "156" else None) for k, v in seed["sections"].items()}
    pdf = render_variants({**seed, **want, "sections": prose}, tmp_path, kinds=("pdf",))["pdf"]
    document = tmp_path / f"{stem}.ofd"
    document.write_bytes(ofd_from_pdf(pdf))
    record = parse_path(document).record
    assert_same(record, want)
    assert record["status"] == "ok", record["errors"]
    _same_record(record, parse_path(pdf).record)


def real_layouts() -> list[Path]:
    return sorted(p.parent for p in REAL.glob("*/libreoffice.pdf") if (p.parent / "expected.json").exists())


@pytest.mark.parametrize("rendering", ["libreoffice.pdf", "chromium.pdf"])
@pytest.mark.parametrize("folder", real_layouts(), ids=lambda p: p.name)
def test_real_layout_ofd(folder: Path, rendering: str, tmp_path: Path) -> None:
    """Real report pages laid out by LibreOffice and printed by Chromium
    (tests/fixtures/real), rendered as OFD here: the same record as that PDF, and every
    cell, the title and the issuing body as labelled (where the PDF is a known miss of
    tests/parse/test_real_layouts.py, so is this)."""
    from tests.parse.test_real_layouts import KNOWN_MISSES

    pdf = folder / rendering
    if not pdf.exists():
        pytest.skip(f"{folder.name} has no {rendering}")
    document = tmp_path / f"{folder.name}.ofd"
    document.write_bytes(ofd_from_pdf(pdf))
    record = parse_path(document).record
    _same_record(record, parse_path(pdf).record)
    miss = KNOWN_MISSES.get((folder.name, rendering))
    if miss:
        pytest.xfail(f"as its PDF: {miss}")
    assert_same(record, json.loads((folder / "expected.json").read_text()))


def _ink(pdf: bytes) -> list:
    """Each page as 4-pixel blocks (at 72 dpi) that hold any ink."""
    import numpy

    document = pdfium.PdfDocument(pdf)
    pages = []
    try:
        for page in document:
            dark = numpy.asarray(page.render(scale=1.0, grayscale=True).to_pil().convert("L")) < 160
            h, w = dark.shape[0] // 4 * 4, dark.shape[1] // 4 * 4
            pages.append(dark[:h, :w].reshape(h // 4, 4, w // 4, 4).any(axis=(1, 3)))
    finally:
        document.close()
    return pages


def _covered_by(inked, other) -> float:  # noqa: ANN001 - numpy arrays
    """The share of ``inked`` blocks with ink in ``other`` at or next to them."""
    import numpy

    near = numpy.zeros_like(other)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            near |= numpy.roll(numpy.roll(other, dy, axis=0), dx, axis=1)
    return (inked & near).sum() / max(inked.sum(), 1)


@pytest.mark.parametrize(
    ("document", "pdf"),
    [("pre2019.outlines.ofd", "pre2019.pdf"), ("pre2019.scan.ofd", "pre2019.scan.pdf")],
)
def test_pages_without_text_redrawn_for_ocr(document: str, pdf: str) -> None:
    """Type as glyph outlines, or a scanned image: no text to read, so the reading says
    scan, and the pages redrawn as PDF (for OCR) print what the original prints."""
    data = (OFD / document).read_bytes()
    assert extract_ofd(data).kind == "scan"
    drawn, printed = _ink(ofd_as_pdf(data)), _ink((REPORTS / pdf).read_bytes())
    assert len(drawn) == len(printed)
    for ours, theirs in zip(drawn, printed, strict=True):
        assert ours.shape == theirs.shape and theirs.sum() > 500
        assert _covered_by(ours, theirs) > 0.98 and _covered_by(theirs, ours) > 0.98


@pytest.mark.ocr
def test_scanned_ofd_through_ocr() -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    result = parse_path(OFD / "pre2019.scan.ofd")
    assert (result.kind, result.extraction.split(";")[0]) == ("scan", "ocr")
    assert_same(result.record, json.loads((REPORTS / "pre2019.expected.json").read_text()))
    assert result.record["status"] == "ok", result.record["errors"]


def test_detected_as_ofd_not_docx() -> None:
    assert detect.detect_kind((OFD / "dept-2021.ofd").read_bytes()) == detect.OFD
    assert detect.detect_kind((REPORTS / "dept-2021.docx").read_bytes()) == detect.DOCX


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("hostile-bomb.ofd", "inflates to"),
        ("hostile-traversal-member.ofd", "unsafe member name"),
        ("hostile-traversal-reference.ofd", "outside the package"),
        ("hostile-billion-laughs.ofd", "declares a DTD"),
        ("hostile-flood.ofd", "more than 200000 characters"),
    ],
)
def test_hostile_package_is_a_failed_record(name: str, reason: str) -> None:
    record = parse_path(OFD / name).record
    assert record["status"] == "failed"
    assert any(reason in error for error in record["errors"]), record["errors"]


def test_a_million_members_refused_before_listing_them() -> None:
    record = parse_bytes(many_members(), "many.ofd").record
    assert record["status"] == "failed"
    assert record["errors"] == ["OFD package has 1000000 members; more than 10000 is refused"]


def test_damaged_package_is_a_failed_record() -> None:
    data = (OFD / "dept-2021.ofd").read_bytes()
    record = parse_bytes(data[:-200] + b"\0" * 200, "damaged.ofd").record
    assert record["status"] == "failed" and record["errors"]


def test_cli_parses_an_ofd() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "nianbao", "parse", "--json", str(OFD / "dept-2021.ofd")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (record,) = json.loads(done.stdout)
    assert_same(record, json.loads((REPORTS / "dept-2021.expected.json").read_text()))

"""Reports in UTF-16 and UTF-32 (with a byte-order mark, or UTF-16 declared in the page's
meta without one) and UTF-8 with a mark read to the same record as their UTF-8 form."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest
from nianbao.parse import parse_bytes
from nianbao.parse.detect import HTML, TEXT, detect_kind

from tests.conftest import CORPUS
from tests.parse.records import assert_same

FIXTURES = Path(__file__).parents[1] / "fixtures" / "reports"
MARKED = {
    "utf-8-bom": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "utf-16-le-bom": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "utf-16-be-bom": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "utf-32-le-bom": lambda text: codecs.BOM_UTF32_LE + text.encode("utf-32-le"),
    "utf-32-be-bom": lambda text: codecs.BOM_UTF32_BE + text.encode("utf-32-be"),
}
_META = re.compile(r"charset\s*=\s*[\"']?utf-8", re.I)


def _declared_utf16(text: str, order: str) -> bytes:
    """The page with its meta saying UTF-16, in UTF-16 without a byte-order mark."""
    assert _META.search(text), "the page declares its charset"
    return _META.sub("charset=utf-16", text).encode(f"utf-16-{order}")


def documents() -> list[Path]:
    found = sorted(FIXTURES.glob("*.html")) + sorted(FIXTURES.glob("*.txt"))
    found = [p for p in found if not p.name.endswith(".gbk.html")]
    if CORPUS.is_dir():  # the real ones, when ../shared is here
        found += sorted((CORPUS / "seeds").glob("*.txt")) + [CORPUS / "portal" / "pingtan-report-2018.html"]
    return found


@pytest.mark.parametrize("document", documents(), ids=lambda p: p.name)
def test_same_record_in_every_unicode_encoding(document: Path) -> None:
    data = document.read_bytes()
    text = data.decode("utf-8")
    want = parse_bytes(data, document.name).record
    assert want["status"] == "ok", want["errors"]
    variants = {name: encode(text) for name, encode in MARKED.items()}
    if document.suffix == ".html":
        variants |= {f"utf-16-{o}-meta": _declared_utf16(text, o) for o in ("le", "be")}
    for name, encoded in variants.items():
        assert detect_kind(encoded) == (HTML if document.suffix == ".html" else TEXT), name
        record = parse_bytes(encoded, document.name).record
        assert record["status"] == "ok", (name, record["errors"])
        assert_same(record, want)
        assert record["sections"] == want["sections"], name


def test_a_utf16_declaration_on_ascii_bytes_is_a_mislabel() -> None:
    """Bytes readable as ASCII cannot be UTF-16 whatever the page says: read as UTF-8."""
    text = (FIXTURES / "dept-2021.html").read_text(encoding="utf-8")
    want = parse_bytes(text.encode("utf-8"), "utf-8").record
    record = parse_bytes(_META.sub("charset=utf-16", text).encode("utf-8"), "mislabelled").record
    assert_same(record, want)
    record = parse_bytes(text.encode("utf-8"), "header", content_type="text/html; charset=UTF-16").record
    assert_same(record, want)

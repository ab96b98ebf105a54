"""Text normalisation shared by every parser: folding, compact text, tokens.

Extractors hand the parser *lines*; inside a line, table cells are separated by
tabs. From those lines the table readers build a token stream in which label text
is glued back together (a label wrapped over lines, or broken by stray characters,
reads as one) while numbers stay separate tokens.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from nianbao.parse.form import NULL_MARKERS

# Page furniture that extractors leave in the flow: "- 3 -", "第 3 页", "3 / 12".
# OCR often loses one of the dashes around a page number.
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-－—–]\s*\d{1,3}\s*[-－—–]?|\d{1,3}\s*[-－—–]|第\s*\d{1,3}\s*页(?:\s*共\s*\d+\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$"
)
_SPACE = re.compile(r"[ \u3000\xa0\u2002\u2003\u200b]+")
_CJK_GAP = re.compile(
    r"(?<=[^\x00-\x7f]) +(?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) +(?=[A-Za-z(])|(?<=[A-Za-z)]) +(?=[^\x00-\x7f])"
)


def fold(text: str) -> str:
    """NFKC (full-width digits, brackets and commas to ASCII) and quotes folded."""
    text = unicodedata.normalize("NFKC", text)
    return text.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")


def compact(text: str) -> str:
    """Folded text with all whitespace removed: what label patterns match against."""
    return re.sub(r"\s+", "", fold(text)).lstrip("#")


def is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(line))


def clean_line(line: str) -> str:
    """One printed line, tidied for prose: odd spaces folded, CJK-internal gaps closed."""
    line = _SPACE.sub(" ", line.replace("\r", "")).strip()
    return _CJK_GAP.sub("", line)


# --- tokens ---------------------------------------------------------------------------

TEXT, NUMBER, NULL, BLANK = "text", "number", "null", "blank"

# An enumerator before a label: "1." "2、" "(3)" — never a cell value.
_ENUMERATOR = re.compile(r"^(?:\d{1,2}\s*[.、．](?!\d)|\(\d{1,2}\))")
_NUMBER = re.compile(r"[+\-]?\d[\d,]*(?:\.\d+)?")
# A number glued to a date or unit word is prose, not a cell.
_NOT_A_CELL_AFTER = "年月日号时"
_NULLS = {fold(m) for m in NULL_MARKERS}
_SPACED_DATE_WORD = re.compile(rf"(\d) +(?=[{_NOT_A_CELL_AFTER}])")


@dataclass(frozen=True)
class Token:
    kind: str  # TEXT | NUMBER | NULL (a printed blank mark) | BLANK (an empty table cell)
    text: str
    line: int  # index of the line it came from

    @property
    def value(self) -> int | float | None:
        if self.kind != NUMBER:
            return None
        return parse_number(self.text)


def parse_number(text: str) -> int | float:
    text = text.replace(",", "")
    return float(text) if "." in text else int(text)


def tokens(lines: list[str]) -> list[Token]:
    """Tokens of a table region: label text, numbers, printed blanks and empty cells,
    in order. Whether an empty cell is a blank value or layout (merged cells exported
    as empty ones) is for the table reader to decide, from the row's width."""
    out: list[Token] = []
    for index, raw in enumerate(lines):
        if is_page_number(raw):
            continue
        for cell in fold(raw).split("\t"):
            # "2019 年项目数量": a number spaced off its date word is still prose.
            cell = _SPACED_DATE_WORD.sub(r"\1", cell.strip())
            if not cell:
                out.append(Token(BLANK, "", index))
                continue
            for piece in cell.split():
                out.extend(_piece_tokens(piece, index))
    return out


def _piece_tokens(piece: str, line: int) -> list[Token]:
    if piece in _NULLS:
        return [Token(NULL, piece, line)]
    piece = _ENUMERATOR.sub("", piece)
    found: list[Token] = []
    pos = 0
    for match in _NUMBER.finditer(piece):
        start, end = match.span()
        text = match.group()
        if text[0] in "+-" and start > 0:  # a hyphen inside text, not a sign
            start += 1
            text = text[1:]
        after = piece[end : end + 1]
        if after and after in _NOT_A_CELL_AFTER:
            continue
        if start > pos:
            found.append(Token(TEXT, piece[pos:start], line))
        found.append(Token(NUMBER, text, line))
        pos = end
    if pos < len(piece):
        found.append(Token(TEXT, piece[pos:], line))
    return found

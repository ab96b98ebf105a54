"""The drift real reports show, applied to a report whose numbers are known: headings
with markdown marks, stray spaces and other wordings; labels wrapped; a row's last
number pushed to the next line; printed blanks. Every cell must still read right."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from nianbao.parse import parse_bytes
from nianbao.replicas.render.text import render_text
from nianbao.replicas.synth import synthetic_report

from tests.parse.records import assert_same


def _markdown_headings(text: str) -> str:
    return re.sub(r"(?m)^([一二三四五六]、(?:总体|主动|收到|政府|存在|其他))", r"## \1", text)


def _spaced_words(text: str) -> str:
    # "2023年" printed as "2023 年", headings with spaces between their characters.
    text = re.sub(r"(\d{4})年", r"\1 年", text)
    return text.replace("一、总体情况", "一、 总 体 情 况").replace(
        "六、其他需要报告的事项", "六、其他需要报告 的事项"
    )


def _other_wordings(text: str) -> str:
    return (
        text.replace(
            "四、政府信息公开行政复议、行政诉讼情况", "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况"
        )
        .replace("五、存在的主要问题及改进情况", "五、政府信息公开工作存在的主要问题及改进情况")
        .replace("（", "(")
        .replace("）", ")")
    )


def _wrapped_labels(text: str) -> str:
    # A long label broken over two lines, its numbers on a third, the last one alone.
    def wrap(match: re.Match[str]) -> str:
        label, numbers = match.group(1), match.group(2).split()
        half = len(label) // 2
        return f"{label[:half]}\n{label[half:]}\n{' '.join(numbers[:-1])}\n{numbers[-1]}"

    return re.sub(r"(?m)^(\S{12,}) ((?:\d+ ){6}\d+)$", wrap, text)


def _page_breaks(text: str) -> str:
    lines = text.splitlines()
    return "\n".join(f"{line}\n- {i // 25 + 1} -" if i % 25 == 24 else line for i, line in enumerate(lines))


DRIFTS: dict[str, Callable[[str], str]] = {
    "markdown headings": _markdown_headings,
    "spaces in words": _spaced_words,
    "other wordings and brackets": _other_wordings,
    "wrapped labels, number on its own line": _wrapped_labels,
    "page numbers in the flow": _page_breaks,
}


@pytest.mark.parametrize("template", ["2021", "2019"])
@pytest.mark.parametrize("drift", list(DRIFTS), ids=list(DRIFTS))
def test_drift(drift: str, template: str) -> None:
    record = synthetic_report("某某县人民政府", 2023 if template == "2021" else 2020, template, seed=21)
    original = render_text(record).decode("utf-8")
    text = DRIFTS[drift](original)
    assert text != original, "the drift must change the document"
    parsed = parse_bytes(text.encode("utf-8"), drift).record
    assert_same(parsed, record)
    assert parsed["status"] == "ok", parsed["errors"]
    assert all(parsed["sections"][k] for k in "123456")


def test_printed_blanks_are_null() -> None:
    record = synthetic_report("某某县人民政府", 2023, "2021", seed=21)
    text = render_text(record).decode("utf-8")
    line = next(x for x in text.splitlines() if x.startswith("二、上年结转"))
    blanked = line.rsplit(" ", 7)[0] + " / — 0 0 0 0 0"
    parsed = parse_bytes(text.replace(line, blanked).encode("utf-8"), "blanks").record
    row = parsed["applications"]["carried_in"]
    assert (row["natural_person"], row["commercial_enterprise"]) == (None, None)
    assert parsed["status"] == "ok"


# --- drift the form's arithmetic has to resolve (issue 9, items 3 and 4) -----------------
# A city's report, so table 3 and table 4 hold numbers of two and more digits.

_TABLE3_ROW = re.compile(r"(?m)^(\S+?) ((?:\d+ ){6}\d+)$")
_TABLE4_LINE = re.compile(r"(?m)^((?:\d+ ){14}\d+)$")


def _split_last_number(text: str) -> str:
    # A row's last number wrapped in its narrow cell: "… 1" then "8" on the next line.
    def split(match: re.Match[str]) -> str:
        numbers = match.group(2).split()
        last = numbers[-1]
        if len(last) < 2:
            return match.group(0)
        return f"{match.group(1)} {' '.join(numbers[:-1])} {last[:-1]}\n{last[-1]}"

    return _TABLE4_LINE.sub(lambda m: _split_first(m.group(1)), _TABLE3_ROW.sub(split, text))


def _split_first(line: str) -> str:
    numbers = line.split()
    i = next((i for i, n in enumerate(numbers) if len(n) > 1), None)
    if i is None:
        return line
    return " ".join(numbers[:i] + [numbers[i][:-1]]) + "\n" + " ".join([numbers[i][-1]] + numbers[i + 1 :])


def _rests_below(text: str) -> str:
    # A PDF's wrapped cells: the row's line with each number's first digits, the rests
    # of the (up to three) numbers of two digits and more on the line below.
    def wrap(match: re.Match[str]) -> str:
        numbers = match.group(2).split()
        split = [i for i, n in enumerate(numbers) if len(n) > 1][:3]
        if not split:
            return match.group(0)
        heads = [n[:-1] if i in split else n for i, n in enumerate(numbers)]
        return f"{match.group(1)} {' '.join(heads)}\n{' '.join(numbers[i][-1] for i in split)}"

    return _TABLE3_ROW.sub(wrap, text)


def _subtotal_column(text: str) -> str:
    # Some bodies print a 法人或其他组织 小计 column after 其他.
    def add(match: re.Match[str]) -> str:
        numbers = [int(n) for n in match.group(2).split()]
        numbers.insert(6, sum(numbers[1:6]))
        return f"{match.group(1)} {' '.join(map(str, numbers))}"

    text = text.replace("法律服务机构 其他\n", "法律服务机构 其他 小计\n")
    return _TABLE3_ROW.sub(add, text)


ARITHMETIC_DRIFTS: dict[str, Callable[[str], str]] = {
    "a row's last number split over the line break": _split_last_number,
    "rests of wrapped numbers on the line below": _rests_below,
    "a 小计 column in table 3": _subtotal_column,
}


@pytest.mark.parametrize("template", ["2021", "2019"])
@pytest.mark.parametrize("drift", list(ARITHMETIC_DRIFTS), ids=list(ARITHMETIC_DRIFTS))
def test_drift_the_arithmetic_resolves(drift: str, template: str) -> None:
    record = synthetic_report(
        "某某市人民政府", 2023 if template == "2021" else 2020, template, seed=8, level="city"
    )
    original = render_text(record).decode("utf-8")
    text = ARITHMETIC_DRIFTS[drift](original)
    assert text != original, "the drift must change the document"
    parsed = parse_bytes(text.encode("utf-8"), drift).record
    assert_same(parsed, record)
    assert parsed["status"] == "ok", parsed["errors"]
    assert all(c["ok"] for c in parsed["checks"]), parsed["checks"]

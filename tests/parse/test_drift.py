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

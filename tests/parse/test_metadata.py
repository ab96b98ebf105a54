"""Title, body and year as real reports print them."""

from __future__ import annotations

import pytest
from nianbao.parse import parse_bytes
from nianbao.parse.metadata import find_organization, find_title, find_year


@pytest.mark.parametrize(
    ("title", "organization"),
    [
        ("淮安市人民政府2024年政府信息公开工作年度报告", "淮安市人民政府"),
        ("新乡县人民政府关于2023年度政府信息公开工作的报告", "新乡县人民政府"),
        ("2023年新乡县应急管理局政府信息公开工作年度报告", "新乡县应急管理局"),
        ("某某镇人民政府2022年度政务公开工作年度报告", "某某镇人民政府"),
        ("平潭综合实验区2018年度政府信息公开工作年度报告", "平潭综合实验区"),
    ],
)
def test_organization(title: str, organization: str) -> None:
    assert find_organization(title) == organization


def test_title_wrapped_over_lines_with_typesetting_gaps() -> None:
    lines = ["- 1 -", "淮安市人民政府", "2024 年政府信息公开工作年度报告", "本报告由……编制。", "一、总体情况"]
    title = find_title(lines)
    assert title == "淮安市人民政府2024年政府信息公开工作年度报告"
    assert find_year(title, lines) == 2024


def test_markdown_heading_title() -> None:
    assert find_title(["# 新乡市人民政府办公室 2023 年政府信息公开工作年度报告"]) == (
        "新乡市人民政府办公室2023年政府信息公开工作年度报告"
    )


def test_file_name_is_the_title_of_last_resort() -> None:
    body = "一、总体情况\n全年主动公开信息。\n".encode()
    record = parse_bytes(body, "x", filename="某某县人民政府2023年政府信息公开工作年度报告.txt").record
    assert record["title"] == "某某县人民政府2023年政府信息公开工作年度报告"
    assert (record["organization"], record["year"]) == ("某某县人民政府", 2023)
    assert parse_bytes(body, "x", filename="P020240123.txt").record["title"] is None

"""A small real corpus for the serve tests: synthetic reports printed by the replicas'
renderers (known records, linked series for the audits, an unbalanced one, a pre-2019
one, HTML pages with publication dates), a file that is no report, and the real
seeds and city PDF from ../shared when they are there. Built once per session with
the real parser."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from nianbao.replicas.render.html import render_html
from nianbao.replicas.render.text import render_text
from nianbao.replicas.synth import report_series, synthetic_report
from nianbao.serve.build import BuildStats, build
from nianbao.serve.documents import from_paths

from nianbao.paths import DataDir

SHARED = Path(__file__).parents[2].parent / "shared"
CORPUS = SHARED / "corpus"


@dataclass
class Built:
    data: DataDir
    documents: Path  # the folder of generated documents
    inputs: list[Path]  # everything the build read, in order
    stats: BuildStats


def write_documents(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    # A department over three years, linked (YEAR-CARRY and T2-IN-FORCE hold).
    for record in report_series("示例县交通运输局", [2021, 2022, 2023], seed=11):
        (folder / f"jiaotong-{record['year']}.txt").write_bytes(render_text(record))
    # A series whose 2022 report does not balance (T3-BALANCE fails).
    for record in report_series("示例市自然资源局", [2021, 2022], seed=12, unbalanced=[2022]):
        (folder / f"ziran-{record['year']}.txt").write_bytes(render_text(record))
    # Two years of one body that disagree with each other, each balanced on its own:
    # one more request carried in than was carried out (YEAR-CARRY fails), five more
    # regulations in force than last year's stock allows (T2-IN-FORCE fails).
    first = synthetic_report("示例区卫生健康委员会", 2022, seed=21)
    carried = dict(first["applications"]["carried_out"])
    carried["natural_person"] += 1
    carried["total"] += 1
    stock = {key: row["in_force"] + 5 for key, row in first["active_disclosure"].items() if "in_force" in row}
    second = synthetic_report("示例区卫生健康委员会", 2023, seed=22, carried_in=carried, in_force=stock)
    for record in (first, second):
        (folder / f"weijian-{record['year']}.txt").write_bytes(render_text(record))
    # Portal pages with publication dates: a government on time, a department late.
    government = synthetic_report("示例县人民政府", 2023, seed=31, level="county")
    (folder / "zhengfu-2023.html").write_bytes(render_html(government, published="2024-03-20 09:00"))
    late = synthetic_report("示例县教育局", 2023, seed=32)
    (folder / "jiaoyu-2023.html").write_bytes(render_html(late, published="2024-02-20 10:30"))
    # The older form, and a free-form report from before 2019.
    old = synthetic_report("示例县水利局", 2020, template="2019", seed=41)
    (folder / "shuili-2020.txt").write_bytes(render_text(old))
    free = synthetic_report("示例县水利局", 2017, template="pre2019", seed=42)
    (folder / "shuili-2017.txt").write_bytes(render_text(free))
    # Not a report at all.
    (folder / "garbage.bin").write_bytes(bytes(range(256)) * 8)


def corpus_inputs() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return [*sorted((CORPUS / "seeds").glob("*.txt")), CORPUS / "huaian-2024-city.pdf"]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("serve")
    documents = root / "documents"
    write_documents(documents)
    inputs = [*sorted(documents.iterdir()), *corpus_inputs()]
    data = DataDir(root / "data")
    stats = build(data.database, from_paths(inputs))
    return Built(data, documents, inputs, stats)


@pytest.fixture
def built_copy(built: Built, tmp_path: Path) -> Built:
    """The session's database copied, for tests that build again."""
    data = DataDir(tmp_path / "data")
    data.root.mkdir()
    shutil.copy2(built.data.database, data.database)
    return Built(data, built.documents, built.inputs, built.stats)

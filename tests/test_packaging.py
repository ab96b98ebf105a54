"""Installing nianbao adds one top-level package, ``nianbao``: the stages install inside it,
so no PyPI package (``parse``, ``archive``, ``crawler``, ``serve``) is shadowed."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    # Built from a copy: setuptools writes build/ and *.egg-info beside the sources.
    tree = out / "tree"
    ignore = shutil.ignore_patterns(".git", ".venv", "data", "build", "*.egg-info", "__pycache__", ".*_cache")
    shutil.copytree(REPO, tree, ignore=ignore)
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        str(out),
        str(tree),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return zipfile.ZipFile(next(out.glob("nianbao-*.whl")))


def test_one_top_level_package(wheel: zipfile.ZipFile) -> None:
    tops = {
        name.split("/", 1)[0] for name in wheel.namelist() if not name.split("/", 1)[0].endswith(".dist-info")
    }
    assert tops == {"nianbao"}


@pytest.mark.parametrize(
    "path",
    [
        "nianbao/parse/form.py",
        "nianbao/crawler/profiles.yaml",
        "nianbao/crawler/sources/registry/fujian.yaml",
        "nianbao/serve/metadata.yaml",
        "nianbao/serve/plugins/nianbao_datasette.py",
        "nianbao/replicas/recorded/fujian-pingtan-nianbao/recording.yaml",
    ],
)
def test_the_data_is_in_the_wheel(wheel: zipfile.ZipFile, path: str) -> None:
    assert path in wheel.namelist()

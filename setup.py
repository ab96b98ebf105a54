"""The Scrapyd egg (crawler/README.md "Scrapyd"; tests/crawler/test_scrapyd.py).

``scrapyd-deploy`` builds a project's egg with ``python setup.py bdist_egg`` (and writes a
setup.py of its own when there is none, one that cannot package this project). Everything
else is in pyproject.toml: the packages, their folders, their data (the registry,
profiles.yaml). The egg adds two things, here only, so the wheel is unchanged:

- the ``scrapy`` entry point Scrapyd reads to find the settings module;
- that module, ``nianbao_scrapyd`` (at the egg's top, beside ``nianbao/``): Scrapyd imports
  an egg zipped, and the crawler reads its YAML from files beside its modules
  (``Path(__file__)``), which a zip does not have; so the module unpacks the egg's
  ``nianbao/`` once (into ``$PYTHON_EGG_CACHE``, else the temporary directory, in a folder
  named after the egg's SHA-256), puts it first on ``sys.path`` (the jobs run the uploaded
  code even where nianbao is installed) and re-exports ``nianbao.crawler.settings``.
"""

from __future__ import annotations

import configparser
import os

from setuptools import setup
from setuptools.command.bdist_egg import bdist_egg

SETTINGS = "nianbao_scrapyd"

SCRAPYD_EGG = '''\
"""Scrapyd's settings module for the nianbao egg (written by setup.py at egg build; see there)."""

import hashlib
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

_EGG = Path(__file__).resolve().parent  # .../<version>.egg, a zip file


def _unpacked() -> Path:
    digest = hashlib.sha256(_EGG.read_bytes()).hexdigest()[:16]
    cache = Path(os.environ.get("PYTHON_EGG_CACHE") or tempfile.gettempdir())
    target = cache / f"nianbao-egg-{digest}"
    if not (target / "nianbao" / "__init__.py").is_file():
        cache.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=cache))
        with zipfile.ZipFile(_EGG) as egg:
            egg.extractall(work, [n for n in egg.namelist() if n.startswith("nianbao/")])
        try:
            os.rename(work, target)
        except OSError:  # another job unpacked it first
            shutil.rmtree(work, ignore_errors=True)
    return target


if _EGG.is_file():
    sys.path.insert(0, str(_unpacked()))

from nianbao.crawler.settings import *  # noqa: E402,F403
'''


class ScrapydEgg(bdist_egg):
    def copy_metadata_to(self, target_dir: str) -> None:
        super().copy_metadata_to(target_dir)
        with open(os.path.join(self.bdist_dir, SETTINGS + ".py"), "w", encoding="utf-8") as f:
            f.write(SCRAPYD_EGG)
        path = os.path.join(target_dir, "entry_points.txt")
        points = configparser.ConfigParser(interpolation=None, delimiters=("=",))
        points.optionxform = str  # entry point names keep their case
        points.read(path, encoding="utf-8")
        if not points.has_section("scrapy"):
            points.add_section("scrapy")
        points.set("scrapy", "settings", SETTINGS)
        with open(path, "w", encoding="utf-8") as f:
            points.write(f)


setup(cmdclass={"bdist_egg": ScrapydEgg})

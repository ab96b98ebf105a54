"""Every runtime dependency in pyproject.toml is used by the runtime code; build-only tools
stay out of the runtime (issue: unused jieba, build-only cpca in the runtime)."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).parents[1]
RUNTIME = ("nianbao", "crawler", "parse", "archive", "serve")
# Needed at run time, though imported only by another dependency: why, each.
INDIRECT = {
    "playwright": "scrapy-playwright drives it; pinned for the browser protocol it speaks",
    "datasette-dashboards": "a Datasette plugin, loaded by its entry point (serve/dashboards.yaml)",
}
_IMPORT = re.compile(r"^\s*(?:from|import)\s+([A-Za-z_][\w]*)", re.M)


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_runtime_dependency_is_imported() -> None:
    deps = {_name(r) for r in tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]}
    modules = set()
    for folder in RUNTIME:
        for path in (REPO / folder).rglob("*.py"):
            modules.update(_IMPORT.findall(path.read_text(encoding="utf-8")))
    used = {d.lower().replace("_", "-") for m in modules for d in packages_distributions().get(m, [])}
    unused = sorted(deps - used - set(INDIRECT))
    assert not unused, f"runtime dependencies no runtime module imports: {unused}"

"""Recorded real columns: real portals' pages and list-API answers, bytes unchanged.

Each folder here is one report column of a real portal, copied from a public mirror
with its source noted (``recording.yaml``: what was copied from where, the source the
crawler is given — homepage and column URL only — and the reports the saved list
holds, counted by reading it). :mod:`replicas.recorded.proxy` serves them on
127.0.0.1 as an HTTP/HTTPS proxy under their real host names, so absolute links and
the platforms' API calls work as on the real portal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

RECORDINGS = Path(__file__).parent


class RecordingError(ValueError):
    """A recording.yaml is unusable; the message names the file and the problem."""


@dataclass(frozen=True)
class Exchange:
    """One recorded answer: what request selects it, what it answers."""

    url: str
    path: Path
    method: str = "GET"
    form: dict[str, str] = field(default_factory=dict)
    status: int = 200
    content_type: str = "text/html"
    copied_from: str | None = None

    def body(self) -> bytes:
        return self.path.read_bytes()


@dataclass(frozen=True)
class Recording:
    name: str
    folder: Path
    title: str
    family: str
    real: bool
    source: dict[str, Any]
    exchanges: tuple[Exchange, ...]
    expected_reports: tuple[dict[str, str], ...]
    decoys: tuple[dict[str, str], ...]
    notes: str = ""

    def crawl_source(self) -> dict[str, Any]:
        """The source the crawler is given: homepage and column URLs, no ``cms:``.

        ``local``: the recording is served on this machine (the proxy), so politeness
        may be off and loopback reached, as for the replicas.
        """
        keys = ("id", "name", "homepage", "columns", "hosts")
        source = {k: self.source[k] for k in keys if self.source.get(k)}
        return {
            **source,
            "local": True,
            "evidence": [e.copied_from for e in self.exchanges if _is_url(e.copied_from)],
        }


def _is_url(value: str | None) -> bool:
    return bool(value) and value.startswith(("http://", "https://"))


def _exchange(raw: dict[str, Any], folder: Path, where: str, default_from: str | None) -> Exchange:
    for key in ("url", "file"):
        if not raw.get(key):
            raise RecordingError(f"{where}: an exchange needs {key!r}")
    path = (folder / raw["file"]).resolve()
    if folder.resolve() not in path.parents or not path.is_file():
        raise RecordingError(f"{where}: file {raw['file']!r} is not a file in the recording")
    return Exchange(
        url=str(raw["url"]),
        path=path,
        method=str(raw.get("method", "GET")).upper(),
        form={str(k): str(v) for k, v in (raw.get("form") or {}).items()},
        status=int(raw.get("status", 200)),
        content_type=str(raw.get("content_type") or "application/octet-stream"),
        copied_from=raw.get("copied_from") or raw.get("shaped_after") or default_from,
    )


def load_recording(folder: Path) -> Recording:
    """One recording folder, validated."""
    where = str(folder / "recording.yaml")
    try:
        raw = yaml.safe_load((folder / "recording.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RecordingError(f"{where}: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("source"), dict):
        raise RecordingError(f"{where}: needs a source: mapping")
    source = raw["source"]
    if not source.get("id") or not (source.get("columns") or source.get("homepage")):
        raise RecordingError(f"{where}: the source needs an id and a column or homepage")
    default_from = raw.get("copied_from") or raw.get("shaped_after")
    return Recording(
        name=folder.name,
        folder=folder,
        title=str(raw.get("title") or folder.name),
        family=str(raw.get("family") or "unknown"),
        real=bool(raw.get("real", True)),
        source=source,
        exchanges=tuple(
            _exchange(e, folder, f"{where}: exchange {i}", default_from)
            for i, e in enumerate(raw.get("exchanges") or [])
        ),
        expected_reports=tuple(raw.get("expected_reports") or ()),
        decoys=tuple(raw.get("decoys") or ()),
        notes=str(raw.get("notes") or ""),
    )


def load_recordings(root: Path = RECORDINGS) -> list[Recording]:
    """Every recording under ``root`` (folders holding a recording.yaml), by name."""
    return [load_recording(p.parent) for p in sorted(root.glob("*/recording.yaml"))]


def write_sources(path: Path, recordings: list[Recording]) -> Path:
    """The recordings' sources as a crawler ``--sources`` YAML file."""
    text = "# Recorded real columns, served by python -m nianbao.replicas.recorded\n"
    text += yaml.safe_dump([r.crawl_source() for r in recordings], allow_unicode=True, sort_keys=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path

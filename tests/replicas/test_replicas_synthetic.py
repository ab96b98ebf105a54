"""Every report document the replicas serve says whether its numbers are synthetic:
``X-Nianbao-Synthetic: 1`` for invented figures under a real body's name, ``0`` for a
real seed report of ../shared. Pages that are no report say nothing."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from nianbao.replicas.portals.real_reports import SEEDS
from nianbao.replicas.portals.site import SYNTHETIC_HEADER


def _head(url: str) -> tuple[int, dict[str, str]]:
    for _ in range(3):  # a flaky replica answers 500 once
        try:
            request = urllib.request.Request(url, method="HEAD")
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, dict(response.headers.items())
        except urllib.error.HTTPError as error:
            if error.code != 500:
                raise
    raise AssertionError(f"{url} kept failing")


def test_every_report_document_says_what_it_is(fresh_replica):
    reports = fresh_replica.manifest()["reports"]
    assert reports
    for report in reports:
        status, headers = _head(report["url"])
        assert status == 200, report["url"]
        assert headers.get(SYNTHETIC_HEADER) == ("1" if report["synthetic"] else "0"), report["url"]


def test_list_pages_and_homepages_carry_no_mark(replica):
    for portal in replica.manifest()["portals"]:
        for url in (portal["homepage"], portal["column"]):
            _, headers = _head(url)
            assert SYNTHETIC_HEADER not in headers, url


def test_synthetic_reports_are_the_ones_not_among_the_seeds(replica):
    reports = replica.manifest()["reports"]
    assert any(r["synthetic"] for r in reports)
    # An unbalanced report is always synthetic: the seeds balance.
    assert all(r["synthetic"] for r in reports if not r["balanced"])


@pytest.mark.skipif(
    not SEEDS.is_dir(), reason="../shared/corpus/seeds is not here: no real reports to publish"
)
def test_the_seed_reports_are_published_as_real(replica):
    real = [r for r in replica.manifest()["reports"] if not r["synthetic"]]
    assert real, "some replica bodies publish their real seed report"
    assert all(r["year"] >= 2019 for r in real)

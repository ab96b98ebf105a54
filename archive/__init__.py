"""The archive: WARC files, a content-addressed store and a provenance database.

    from nianbao.archive import Archive, Fetch
    a = Archive(root)                      # DataDir.archive
    run_id = a.start_run("crawl", sources=[...], settings={...})
    row = a.record(run_id, Fetch(url=..., status=200, body=..., response_headers=[...], role="report"))
    a.finish_run(run_id, "finished", stats, per_source)

See docs/contracts.md, section "archive".
"""

from nianbao.archive.archive import Archive, ArchiveError, ArchiveLocked
from nianbao.archive.blob_store import BlobError, BlobStore
from nianbao.archive.fetch import Fetch
from nianbao.archive.provenance import Provenance
from nianbao.archive.warc_writer import WarcLocation, WarcWriter, recover_directory

__all__ = [
    "Archive",
    "ArchiveError",
    "ArchiveLocked",
    "BlobError",
    "BlobStore",
    "Fetch",
    "Provenance",
    "WarcLocation",
    "WarcWriter",
    "recover_directory",
]

"""``nianbao archive``: look at, check and read the archive."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import click
from nianbao.archive.archive import Archive, ArchiveLocked
from nianbao.archive.blob_store import BlobError, BlobStore, check_sha256
from nianbao.archive.merge import MergeError, destination_archive, merge_archives
from nianbao.archive.verify import verify


def _open(ctx: click.Context) -> Archive:
    root = ctx.obj.archive
    if not (root / "provenance.db").exists():
        raise click.ClickException(f"no archive at {root} (no provenance.db); run a crawl first")
    return Archive(root, readonly=True)


def archive_stats(archive: Archive) -> dict:
    """Counts of runs, fetches, blobs and WARC files, with their sizes on disk."""
    counts = archive.provenance.counts()
    blob_count = blob_bytes = 0
    for sha in archive.blobs:
        blob_count += 1
        blob_bytes += archive.blobs.path(sha).stat().st_size
    files = archive.warc_files()
    return {
        **counts,
        "documents": sum(1 for _ in archive.documents()),
        "blobs": blob_count,
        "blob_bytes": blob_bytes,
        "warc_files": sum(1 for p in files if p.name.endswith(".warc.gz")),
        "warc_files_open": sum(1 for p in files if p.name.endswith(".open")),
        "warc_bytes": sum(p.stat().st_size for p in files),
        "unfinished_runs": len(archive.unfinished_runs()),
    }


@click.group("archive")
def archive_group() -> None:
    """The archive of everything fetched: WARC files, blobs by SHA-256, provenance."""


@archive_group.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def stats_command(ctx: click.Context, as_json: bool) -> None:
    """Runs, fetches, blobs, bytes and WARC files."""
    with _open(ctx) as archive:
        stats = archive_stats(archive)
        runs = archive.runs()
    if as_json:
        click.echo(json.dumps({**stats, "runs_detail": runs}, ensure_ascii=False, indent=2, default=str))
        return
    click.echo(f"archive      {ctx.obj.archive}")
    for key, value in stats.items():
        click.echo(f"{key:<16} {value:,}")
    for run in runs[-10:]:
        archived = (run["stats"] or {}).get("archive", {})
        click.echo(
            f"run {run['run_id']}  {run['name']}  {run['outcome'] or 'unfinished'}  "
            f"fetches {archived.get('fetches', '?')}  new {archived.get('new', '?')}  "
            f"revisits {archived.get('revisits', '?')}"
        )


@archive_group.command("verify")
@click.option("--full", is_flag=True, help="Also read every WARC file end to end, checking every digest.")
@click.pass_context
def verify_command(ctx: click.Context, full: bool) -> None:
    """Every row's blob exists and hashes right; every WARC record it names is there and matches;
    every WARC record has its row.

    Exits 1 and lists the problems if any. A record without a row (``orphan``) is what a
    crash between writing the WARC records and committing the row leaves: reported, not
    repaired (rows are append-only and only the crawler knew the provenance; the resumed
    crawl fetches the URL again).
    """
    with _open(ctx) as archive:
        problems = verify(archive, full=full)
        rows = archive.provenance.counts()["fetches"]
        merges = archive.provenance.unfinished_merges()
    for merge in merges:
        click.echo(
            f"the merge of {merge['source']} begun {merge['started_at']} did not finish: what it copied "
            "ahead of its rows has none yet; run the same `nianbao archive merge` again to complete it",
            err=True,
        )
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        orphans = sum(1 for p in problems if p.what == "orphan")
        click.echo(f"{len(problems)} problem(s) in {rows} fetch rows", err=True)
        if orphans:
            click.echo(
                f"{orphans} WARC record(s) have no provenance row: left by a writer killed between "
                "writing them and committing their rows. They are not counted as fetched; nothing "
                "points at them. They stay in the WARC files (append-only) and are not repaired.",
                err=True,
            )
        ctx.exit(1)
    click.echo(f"ok: {rows} fetch rows, their blobs and WARC records agree; every record has its row")


@archive_group.command("get")
@click.argument("sha256")
@click.pass_context
def get_command(ctx: click.Context, sha256: str) -> None:
    """Write the stored body SHA256 to stdout."""
    try:
        check_sha256(sha256.lower())
    except BlobError as exc:
        raise click.BadParameter(str(exc), param_hint="SHA256") from None
    blobs = BlobStore(ctx.obj.archive / "blobs")
    try:
        with blobs.open(sha256.lower()) as f:
            shutil.copyfileobj(f, sys.stdout.buffer, 1 << 20)
    except BlobError as exc:
        raise click.ClickException(str(exc)) from None
    sys.stdout.buffer.flush()


@archive_group.command("merge")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--into",
    type=click.Path(file_okay=False, path_type=Path),
    help="The data folder (or archive folder) to merge into; default: --data's.",
)
@click.pass_context
def merge_command(ctx: click.Context, sources: tuple[Path, ...], into: Path | None) -> None:
    """Merge other machines' archives (each SOURCE a data folder or an archive folder) into one.

    WARC files are copied as they are, blobs the destination has are not copied again, runs
    keep their machine and fetches get new ids. Merging a source again adds only what is new
    in it; an interrupted merge is completed by running it again. Then `nianbao build` on the
    destination builds the database of everything.
    """
    target = destination_archive(into) if into is not None else ctx.obj.archive
    try:
        results = merge_archives(sources, target)
    except (MergeError, ArchiveLocked) as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:  # a disk full, a file unreadable: what was merged stays sound
        raise click.ClickException(f"the merge stopped: {error}; run it again when that is mended") from None
    for stats in results:
        click.echo(stats.summary())
    click.echo(f"merged {len(results)} archive(s) into {target}")

"""``nianbao build``, ``nianbao serve`` and ``nianbao export``."""

from __future__ import annotations

import errno
import signal
import socket
import sqlite3
import sys
from pathlib import Path

import click
import sqlite_utils
from nianbao.serve import export as exporting
from nianbao.serve.build import build, remove_stale_snapshots, serving_snapshot
from nianbao.serve.documents import from_archive, from_paths
from nianbao.serve.sources import load_sources

from nianbao.paths import DataDir


@click.command("build")
@click.option(
    "--from", "from_disk", is_flag=True, help="Build from the files and folders given, not the archive."
)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--sources",
    "sources_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A sources file (YAML) besides the crawler's registry (with --from: instead of it); repeatable.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_obj
def build_command(
    data: DataDir, from_disk: bool, paths: tuple[Path, ...], sources_files: tuple[Path, ...], quiet: bool
) -> None:
    """Parse new archived reports and write the database (data/nianbao.db).

    Only documents not yet in the database, or parsed by an older parser, are
    parsed. With --from PATH..., read report files from disk instead of the archive:
    files come from no crawl, so the crawler's registry (3,178 portals, 1 MB) is left
    out of the sources table; --sources adds the sources given.
    """
    if paths and not from_disk:
        raise click.UsageError("files given: add --from to build from files on disk")
    if from_disk and not paths:
        raise click.UsageError("--from needs at least one file or folder")
    try:
        sources = load_sources(sources_files, registry=not from_disk)
    except (OSError, ValueError) as error:
        raise click.ClickException(f"cannot read sources: {error}") from error
    if from_disk:
        documents, provenance = from_paths(paths), None
    else:
        if not data.archive.is_dir():
            raise click.ClickException(
                f"no archive at {data.archive}: run `nianbao crawl` first, or build from files with --from"
            )
        documents, provenance = from_archive(data.archive), data.archive / "provenance.db"
    stats = build(data.database, documents, sources=sources, provenance_db=provenance, progress=not quiet)
    click.echo(f"{data.database}: {stats.summary()}")
    serving = remove_stale_snapshots(data.database)
    if serving:
        click.echo(
            f"`nianbao serve` (process {', '.join(map(str, serving))}) keeps serving the previous build "
            "until restarted",
            err=True,
        )


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise
    return True


@click.command("serve")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--max-csv-mb",
    default=0,
    show_default=True,
    type=click.IntRange(0),
    help="Cap on one CSV export (0: none); a capped export ends as an incomplete HTTP transfer.",
)
@click.pass_obj
def serve_command(data: DataDir, port: int, host: str, max_csv_mb: int) -> None:
    """Serve the database read-only with Datasette.

    The server serves the build it started with (a snapshot in data/.serving/), also
    while `nianbao build` replaces the file: restart it to serve a new build.
    """
    serve(data, host, port, max_csv_mb=max_csv_mb)


def serve(data: DataDir, host: str, port: int, *, max_csv_mb: int = 0) -> None:
    import uvicorn
    from nianbao.serve.app import make_datasette

    if not data.database.is_file():
        raise click.ClickException(f"no database at {data.database}: run `nianbao build` first")
    if port and not port_free(host, port):
        raise click.ClickException(
            f"port {port} on {host} is taken (another `nianbao serve`?): stop it, or choose one with --port"
        )
    archive = data.archive if data.archive.is_dir() else None
    with serving_snapshot(data.database) as snapshot:
        datasette = make_datasette(snapshot, archive, max_csv_mb=max_csv_mb)
        click.echo(f"Serving {data.database} read-only at http://{host}:{port}/  (Ctrl-C stops)")
        # uvicorn shuts down on SIGTERM, then raises it again: exit through Python so the
        # snapshot is removed (a kill -9 leaves it; the next serve or build removes it).
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        uvicorn.run(datasette.app(), host=host, port=port, log_level="warning", lifespan="on")


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(exporting.FORMATS), default="csv", show_default=True)
@click.option(
    "--table", "tables", multiple=True, help="Table or view to export (repeatable); default: reports."
)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    help="File (one table) or folder (several); default: standard output.",
)
@click.pass_obj
def export_command(data: DataDir, fmt: str, tables: tuple[str, ...], output: Path | None) -> None:
    """Write tables of the database as CSV or JSON."""
    if not data.database.is_file():
        raise click.ClickException(f"no database at {data.database}: run `nianbao build` first")
    tables = tables or ("reports",)
    db = sqlite_utils.Database(sqlite3.connect(f"file:{data.database.resolve()}?mode=ro", uri=True))
    missing = [t for t in tables if t not in exporting.exportable(db)]
    if missing:
        raise click.UsageError(
            f"no table or view {', '.join(missing)}; there are: {', '.join(sorted(exporting.exportable(db)))}"
        )
    if output is None:
        if len(tables) > 1:
            raise click.UsageError("several tables: give --output FOLDER")
        exporting.write(db, tables[0], fmt, sys.stdout)
        return
    if len(tables) > 1:
        output.mkdir(parents=True, exist_ok=True)
        targets = {t: output / f"{t}.{fmt}" for t in tables}
    else:
        targets = {tables[0]: output}
    for table, target in targets.items():
        with target.open("w", encoding="utf-8", newline="") as out:
            count = exporting.write(db, table, fmt, out)
        click.echo(f"{table}: {count} rows -> {target}", err=True)

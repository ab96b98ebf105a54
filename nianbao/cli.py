"""The ``nianbao`` command: one entry point, one sub-command per stage."""

from __future__ import annotations

import json
from pathlib import Path

import click

from nianbao import __version__
from nianbao.archive.cli import archive_group
from nianbao.crawler.cli import crawl_command, sources_option
from nianbao.demo import demo_command
from nianbao.parse.cli import parse_command
from nianbao.paths import DataDir
from nianbao.periodic import run_command
from nianbao.serve.cli import build_command, export_command, serve_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nianbao")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="NIANBAO_DATA",
    default="data",
    show_default=True,
    help="Folder for the archive and the database.",
)
@click.pass_context
def main(ctx: click.Context, data_dir: Path) -> None:
    """nianbao — archive, parse and serve government information-disclosure annual reports."""
    ctx.obj = DataDir(data_dir)


main.add_command(parse_command)
main.add_command(archive_group)
main.add_command(build_command)
main.add_command(serve_command)
main.add_command(export_command)
main.add_command(crawl_command)
main.add_command(demo_command)
main.add_command(run_command)


@main.group("sources")
def sources_group() -> None:
    """The registry of governments and their portals (crawler/sources/registry/)."""


@sources_group.command("stats")
@sources_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def sources_stats_command(data: DataDir, sources_files: tuple[Path, ...], as_json: bool) -> None:
    """Coverage by province: governments, with portal, with column, verified by a crawl."""
    from nianbao.crawler.sources import SourceError, load_registry, load_sources
    from nianbao.crawler.sources.stats import archived_sources, as_dicts, coverage, render

    try:
        sources = load_sources(list(sources_files)) if sources_files else load_registry()
    except SourceError as error:
        raise click.ClickException(str(error)) from error
    archived = archived_sources(data.archive)
    rows = coverage(sources, archived)
    if as_json:
        click.echo(
            json.dumps({"archive": archived is not None, "provinces": as_dicts(rows)}, ensure_ascii=False)
        )
        return
    click.echo(render(rows))
    if archived is None:
        click.echo(f"(no archive at {data.archive}: verified counts only verified: true)")

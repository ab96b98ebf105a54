"""The ``nianbao`` command: one entry point, one sub-command per stage."""

from __future__ import annotations

from pathlib import Path

import click

from archive.cli import archive_group
from crawler.cli import crawl_command
from nianbao import __version__
from nianbao.demo import demo_command
from nianbao.paths import DataDir
from parse.cli import parse_command
from serve.cli import build_command, export_command, serve_command


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

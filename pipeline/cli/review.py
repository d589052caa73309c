"""The contributors' review page: coprod review."""

from __future__ import annotations

import click

from pipeline.cli._common import handles_errors, listen_options, open_project, project_argument


@click.command()
@project_argument
@listen_options(8765)
@click.option("--contributor", "contributors", multiple=True, metavar="ID",
              help="Only make and print links for these contributors (repeatable).")
@click.option("--new-links", is_flag=True,
              help="Replace the links (all, or --contributor's): old ones stop working.")
@handles_errors
def review(project: str, host: str, port: int, contributors: tuple[str, ...],
           new_links: bool) -> None:
    """Start the review page where contributors check, correct and sign off their own clips.

    Prints one private link per contributor. Links keep working after a restart; only their
    hashes are kept (build/review/links.json), so a link is printed once, when it is made.

    \b
    Example:
      coprod review projects/our-film
      coprod review projects/our-film --contributor ben --new-links
    """
    from pipeline.review.server import serve

    serve(open_project(project), host=host, port=port, contributors=contributors,
          new_links=new_links, say=click.echo)


COMMANDS: list[click.Command] = [review]

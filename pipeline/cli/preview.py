"""The film's web page served locally: coprod preview."""

from __future__ import annotations

import click

from pipeline.cli._common import handles_errors, listen_options, open_project, project_argument


@click.command()
@project_argument
@listen_options(8766)
@handles_errors
def preview(project: str, host: str, port: int) -> None:
    """Serve the film's web page (build/web/site/) on this computer, to check it before upload.

    `coprod build` makes the page with the web profile. Seeking works as on a real server
    (HTTP Range requests).

    \b
    Example:
      coprod preview projects/our-film
      coprod preview projects/our-film --port 9000
    """
    from pipeline.site.server import serve

    serve(open_project(project), host=host, port=port, say=click.echo)


COMMANDS: list[click.Command] = [preview]

"""The access report: coprod access."""

from __future__ import annotations

import json

import click

from pipeline.cli._common import choice, handles_errors, json_option, open_project, project_argument
from pipeline.render_profiles import RenderProfileName


@click.command()
@project_argument
@click.option("--profile", type=choice(RenderProfileName), default=RenderProfileName.WEB.value,
              show_default=True, help="The render to report on (build/PROFILE/).")
@json_option
@handles_errors
def access(project: str, profile: str, as_json: bool) -> None:
    """How the rendered film meets WCAG 2.2 for prerecorded media, one line a criterion.

    Lists 1.2.1-1.2.3 and 1.2.5-1.2.8, each met or not and why, then caption QC errors,
    reading-rate warnings and the loudness measured on each sound track when it was rendered.
    The report is the one the render wrote into manifest.json; every output is first checked
    against the sha256 recorded there. Criteria not met are part of the answer (exit 0); no
    render, or outputs changed since it, exit 1.

    \b
    Example:
      coprod access projects/our-film
      coprod access projects/our-film --profile broadcast --json
    """
    from pipeline.access_report import project_access

    report = project_access(open_project(project), profile)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    for line in report.lines():
        click.echo(line)


COMMANDS: list[click.Command] = [access]

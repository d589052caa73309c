"""Rendering the film: coprod render and coprod build."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pipeline.cli._cluster import cluster_session, with_cluster_options
from pipeline.cli._common import (
    choice,
    done,
    handles_errors,
    open_project,
    project_argument,
    quiet,
    say,
    showing_progress,
)
from pipeline.render_profiles import RenderProfileName

if TYPE_CHECKING:
    from pipeline.build import BuildResult
    from pipeline.render.options import RenderOptions

F = TypeVar("F", bound=Callable[..., Any])

_DRAFT_NEEDS_REVIEW = "--draft is for internal review copies: use --profile review"

render_options = [
    click.option("--draft", is_flag=True,
                 help="Internal review copy: skips sign-off (never consent); review profile."),
    click.option("--drop-withdrawn", is_flag=True,
                 help="Leave out clips whose consent was withdrawn instead of refusing."),
    click.option("--open-captions/--no-open-captions", default=None,
                 help="Also make a burned-in captions variant (default: film.yaml, or the "
                      "profile: on for review)."),
]


def with_render_options(func: F) -> F:
    """The options render and build share (--draft, --drop-withdrawn, --open-captions), given
    to the command as one ``options`` value (:class:`pipeline.render.options.RenderOptions`)."""

    @functools.wraps(func)
    def command(*args: Any, draft: bool, drop_withdrawn: bool, open_captions: bool | None,
                **kwargs: Any) -> Any:
        from pipeline.render.options import RenderOptions

        chosen = RenderOptions(draft=draft, drop_withdrawn=drop_withdrawn,
                               open_captions=open_captions)
        return func(*args, options=chosen, **kwargs)

    wrapped: Any = command
    for option in reversed(render_options):
        wrapped = option(wrapped)
    return wrapped  # type: ignore[no-any-return]


@click.command()
@project_argument
@click.option("--profile", type=choice(RenderProfileName), default=RenderProfileName.WEB.value,
              show_default=True, help="Output profile.")
@with_render_options
@with_cluster_options
@handles_errors
def render(project: str, profile: str, options: RenderOptions, cluster: str | None,
           workers: int | None) -> None:
    """Render the film for one profile into build/PROFILE/, after the consent gate.

    Refuses, listing every reason, when any clip lacks valid consent or a current sign-off, and
    for web and broadcast when a caption file has structural errors (file:cue:rule each).
    Makes the film MP4 (soft captions), optionally a burned-in variant, whole-film .srt and
    .vtt, a transcript (.html, .txt) and manifest.json, checks each, then replaces the previous
    ones. Unchanged clips are not re-encoded.

    \b
    Example:
      coprod render projects/our-film --profile web
      coprod render projects/our-film --profile review --draft
      coprod render projects/our-film --drop-withdrawn
      coprod render projects/our-film --workers 2
    """
    from pipeline.render import render_film

    if options.draft and profile != RenderProfileName.REVIEW:
        raise click.UsageError(_DRAFT_NEEDS_REVIEW)
    film = open_project(project)
    with cluster_session(cluster, workers) as session, showing_progress() as shown:
        result = render_film(film, profile, options, progress=shown,
                             dispatch=session.segment_dispatch(film.root) if session else None)
    for note in result.notes:
        say(note)
    for name, path in result.outputs.items():
        done(f"{name}: {path}")


@click.command()
@click.argument("projects", nargs=-1, required=True, metavar="PROJECT...",
                type=click.Path(file_okay=False, path_type=str))
@click.option("--profile", "profiles", type=choice(RenderProfileName), multiple=True,
              help="Output profile (repeatable; default: film.yaml profiles).")
@with_render_options
@with_cluster_options
@handles_errors
def build(projects: tuple[str, ...], profiles: tuple[str, ...], options: RenderOptions,
          cluster: str | None, workers: int | None) -> None:
    """Do whatever is out of date: transcribe, check captions, gate, render.

    Several projects are built one after another, or a few at once sharing --cluster or
    --workers; a film that fails does not stop the others.

    With nothing changed it returns at once and touches no output; after a caption edit only
    that clip's segment is rendered again and the film re-joined.

    \b
    Example:
      coprod build projects/our-film
      make film FILM=projects/our-film     # the same, quietly
      coprod build projects/film-a projects/film-b --cluster tcp://render-1:8786
    """
    from pipeline.build_many import build_films

    if options.draft and any(p != RenderProfileName.REVIEW for p in (profiles or ["?"])):
        raise click.UsageError(_DRAFT_NEEDS_REVIEW)
    films = [open_project(path) for path in projects]
    with cluster_session(cluster, workers) as session, showing_progress() as shown:
        builds = build_films(films, list(profiles) or None, options, progress=shown,
                             cluster=session)
    for item in builds:
        if len(builds) > 1:
            done(f"{item.project.root}:")
        if item.result is not None:
            _show_build(item.result)


def _show_build(result: BuildResult) -> None:
    # What build did is its result, on stdout as render's is; notes are chatter, on stderr.
    # --quiet (`make film`) silences both but caption errors.
    for clip_id in result.transcribed:
        done(f"transcribed {clip_id}")
    for findings in result.findings.values():
        for finding in findings:
            if finding.severity == "error" or not quiet():
                click.echo(str(finding))
    for name in result.up_to_date:
        done(f"{name}: up to date")
    for name, rendered in result.rendered.items():
        for note in rendered.notes:
            say(note)
        for output, path in rendered.outputs.items():
            done(f"{name} {output}: {path}")
    for summary in filter(None, result.access.values()):
        done(summary)


COMMANDS: list[click.Command] = [render, build]

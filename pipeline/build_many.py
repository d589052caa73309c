"""`coprod build P1 P2 ...`: several films in one command, sharing one Dask cluster.

Each film is built by :func:`pipeline.build.build_film` under its own lock, exactly as alone.
With a cluster, a few films are built at once in threads: their clips and segments queue together
on the workers while each film's gate, join, loudness and manifest run here. Without a cluster,
films are built one after another. A film that fails does not stop the others; every failure is
listed at the end. Progress lines start with the film's folder name.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from pipeline.build import BuildResult, build_film
from pipeline.exceptions import BatchError, PipelineError
from pipeline.project import Project
from pipeline.render import Progress
from pipeline.render.options import DEFAULT_OPTIONS, RenderOptions
from pipeline.render_profiles import RenderProfile

if TYPE_CHECKING:
    from pipeline.cluster import ClusterSession

# Films built at once on a cluster: enough to keep the workers fed while one film joins and
# measures loudness here, few enough that those serial steps do not crowd this machine.
FILMS_AT_ONCE = 4


@dataclass
class FilmBuild:
    """One film's build: its result, or the error that stopped it."""

    project: Project
    result: BuildResult | None = None
    error: Exception | None = None


def _film_progress(project: Project, progress: Progress | None,
                   many: bool) -> Progress | None:
    if progress is None or not many:
        return progress
    name = project.name
    return lambda step, fraction: progress(f"{name}: {step}", fraction)


def build_films(
    projects: Sequence[Project],
    profiles: Sequence[str | RenderProfile] | None = None,
    options: RenderOptions = DEFAULT_OPTIONS,
    *,
    today: date | None = None,
    progress: Progress | None = None,
    cluster: ClusterSession | None = None,
    films_at_once: int = FILMS_AT_ONCE,
) -> list[FilmBuild]:
    """Build every film (see :func:`pipeline.build.build_film`); their builds, in order.

    Raises:
        BatchError: some films failed (the others were built); ``.builds`` holds every build.
        KeyboardInterrupt: the user stopped it; films not started are not started.
    """
    many = len(projects) > 1

    def one(project: Project) -> FilmBuild:
        try:
            result = build_film(project, profiles, options, today=today,
                                progress=_film_progress(project, progress, many),
                                cluster=cluster)
        except PipelineError as exc:
            if not many:
                raise
            return FilmBuild(project, error=exc)
        return FilmBuild(project, result=result)

    if cluster is None or not many:
        builds = [one(project) for project in projects]
    else:
        pool = ThreadPoolExecutor(max_workers=max(1, min(films_at_once, len(projects))),
                                  thread_name_prefix="coprod-film")
        try:
            builds = list(pool.map(one, projects))
        except BaseException:
            # Ctrl-C: films not started are dropped, and the running films' tasks cancelled,
            # so their threads end with the film left as it was.
            pool.shutdown(wait=False, cancel_futures=True)
            cluster.cancel_all()
            raise
        pool.shutdown()
    failures: list[tuple[str, Exception]] = [(str(b.project.root), b.error) for b in builds
                                             if b.error is not None]
    if failures:
        error = BatchError("film build(s)", failures)
        error.builds = builds  # type: ignore[attr-defined]
        raise error
    return builds


__all__ = ["FILMS_AT_ONCE", "FilmBuild", "build_films"]

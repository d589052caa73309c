"""What a person chose for a render, as one value passed whole from the command line.

``coprod render`` and ``coprod build`` make a :class:`RenderOptions` from their shared options;
:func:`pipeline.build_many.build_films`, :func:`pipeline.build.build_film` and
:func:`pipeline.render.render_film` pass it on unchanged, so an option added here reaches the
render without another parameter at each step.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from pipeline.project import Project
from pipeline.render_profiles import RenderProfile


@dataclass(frozen=True)
class RenderOptions:
    """A render's options.

    Attributes:
        draft: internal draft: sign-off is not required (channel internal only).
        drop_withdrawn: leave out clips whose only problem is a withdrawal, instead of refusing.
        open_captions: also make the burned-in captions variant; None = film.yaml's
            ``open_captions`` if true, else the profile's default.
        jobs: segments rendered at once; None: :func:`pipeline.render.jobs.default_jobs`.
    """

    draft: bool = False
    drop_withdrawn: bool = False
    open_captions: bool | None = None
    jobs: int | None = None

    def open_captions_for(self, project: Project, prof: RenderProfile) -> bool:
        """Whether to make the burned-in variant: the option, else film.yaml, else the
        profile."""
        if self.open_captions is not None:
            return self.open_captions
        return project.film.open_captions or prof.open_captions

    def stamped(self, project: Project, prof: RenderProfile) -> dict[str, Any]:
        """The options that change a render's outputs, resolved, for the build's input stamp
        (``jobs`` changes only how fast)."""
        chosen = asdict(self)
        del chosen["jobs"]
        chosen["open_captions"] = self.open_captions_for(project, prof)
        return chosen


DEFAULT_OPTIONS = RenderOptions()
"""No option given: a publishing render with sign-off required, nothing left out."""


__all__ = ["DEFAULT_OPTIONS", "RenderOptions"]

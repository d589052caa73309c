"""The description check `render` and `build` run for a publishing profile before anything is
made: a description whose cue or voice overlaps speech is refused, with the finding
`coprod describe check` gives for it (:func:`pipeline.describe.check.speech_overlaps`).

Speech is the transcript's word times, as in `describe check`; a clip without a transcript
cannot be checked, and the render says so in its notes rather than guess.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.project import Project
from pipeline.render.errors import DescriptionsOverSpeechError


def refuse_descriptions_over_speech(project: Project, clip_ids: Sequence[str],
                                    profile: str) -> list[str]:
    """Refuse descriptions over speech in ``clip_ids``; the notes for clips not checked.

    Raises:
        DescriptionsOverSpeechError: listing every such finding as ``file:cue: message``.
        PipelineError: a description cannot be voiced to measure it.
    """
    from pipeline.describe.check import speech_overlaps

    found, unknown = speech_overlaps(project, clip_ids)
    if found:
        raise DescriptionsOverSpeechError([str(f) for f in found], profile)
    return [f"clip {c}: no transcript, so its descriptions were not checked against speech "
            f"(run `coprod transcribe {project.root}`)" for c in unknown]


__all__ = ["refuse_descriptions_over_speech"]

"""Why a render cannot go ahead or failed. Every message says what to do next."""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from captions.qc import Finding
from consent import GateResult
from pipeline.exceptions import MediaToolError, PipelineError
from pipeline.fsutil import os_error_advice


class RenderError(PipelineError):
    """A render cannot go ahead or failed; the message says what to do."""


class GateRefusedError(RenderError):
    """The consent gate refused the film; ``result`` holds every reason for every blocked clip."""

    def __init__(self, result: GateResult, profile: str, *, signing: bool = False) -> None:
        self.result = result
        self.profile = profile
        self.signing = signing
        what = "signer(s)' video(s)" if signing else "clip(s)"
        lines = [f"render refused for profile {profile} (channel {result.channel}): "
                 f"{len(result.blocked)} {what} blocked by consent or sign-off:"]
        lines += [f"  {reason.message}" for reason in result.reasons]
        if self.only_withdrawn:
            lines.append("  (render with --drop-withdrawn to make the film without its signed "
                         "variant, film.signed.mp4)" if signing else
                         "  (render with --drop-withdrawn to leave withdrawn clips out)")
        super().__init__("\n".join(lines))

    @property
    def only_withdrawn(self) -> bool:
        """Every blocked clip (or signed use) is blocked by a withdrawal."""
        return bool(self.result.withdrawn) and \
            len(self.result.withdrawn) == len(self.result.blocked)


class CaptionsMissingError(RenderError):
    """Clips in the film have no caption file; ``clip_ids`` lists them."""

    def __init__(self, clip_ids: Sequence[str]) -> None:
        self.clip_ids = list(clip_ids)
        super().__init__(f"{len(self.clip_ids)} clip(s) have no caption file: "
                         f"{', '.join(self.clip_ids)} (run `coprod transcribe` or `coprod build`)")


class OutputCheckError(RenderError):
    """An output failed its check before publishing; nothing replaced the previous outputs."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: failed its check before publishing: {reason}; the "
                         "previous outputs were left in place")


class OutputWriteError(RenderError):
    """An output or a cached file could not be written (a full disk, a read-only folder)."""

    def __init__(self, path: str | Path, error: OSError) -> None:
        self.path = str(path)
        self.error = error
        super().__init__(f"{self.path}: cannot write: {os_error_advice(error)}")


class CaptionErrorsError(RenderError):
    """Caption files have errors a published film must not carry; ``findings`` lists them."""

    def __init__(self, findings: Sequence[Finding], profile: str) -> None:
        self.findings = list(findings)
        lines = [f"render refused for profile {profile}: {len(self.findings)} caption "
                 "error(s) to fix first (see `coprod captions check`):"]
        lines += [f"  {finding}" for finding in self.findings]
        super().__init__("\n".join(lines))


class DescriptionsOverSpeechError(RenderError):
    """Descriptions whose cue or voice overlaps speech; ``findings`` as `describe check` gives
    them (``file:cue: message``)."""

    def __init__(self, findings: Sequence[str], profile: str) -> None:
        self.findings = list(findings)
        lines = [f"render refused for profile {profile}: {len(self.findings)} description(s) "
                 "over speech to fix first (see `coprod describe check`):"]
        lines += [f"  {finding}" for finding in self.findings]
        super().__init__("\n".join(lines))


class LoudnessError(RenderError):
    """The film's loudness after normalisation is outside the profile's tolerance."""

    def __init__(self, measured: Mapping[str, float], target_i: float, limit_tp: float,
                 tolerance_lu: float) -> None:
        self.measured = dict(measured)
        self.target_i = target_i
        self.limit_tp = limit_tp
        super().__init__(
            f"loudness check failed: {measured['i']:.1f} LUFS (target {target_i:.1f} "
            f"+/- {tolerance_lu:.0f} LU), true peak {measured['tp']:.1f} dBTP "
            f"(limit {limit_tp:.1f}); the previous film was left in place")


class LoudnessRefusedError(LoudnessError):
    """A profile that refuses a film off target (``broadcast``) refused it; ``clips`` are the
    clips that miss the target even when normalised alone (each with its figures)."""

    def __init__(self, missed: LoudnessError, profile: str, clips: Sequence[str]) -> None:
        self.measured = missed.measured
        self.target_i = missed.target_i
        self.limit_tp = missed.limit_tp
        self.profile = profile
        self.clips = list(clips)
        why = (f"clip {', clip '.join(self.clips)} cannot reach it" if self.clips else
               "no clip misses it alone, the clips together do")
        RenderError.__init__(
            self, f"{str(missed).split('; the previous')[0]}; the {profile} profile refuses a "
            f"film off target: {why}; the previous film was left in place")


MIN_FREE_BYTES = 1 << 20
"""Less room than this left where a film failed to be written: the disk is full."""


def mux_error(shown_as: Path, exc: MediaToolError | OutputCheckError) -> RenderError:
    """A film that could not be muxed, named (ffmpeg's own message names only the temp file,
    or nothing); a full disk says so, and what to do, whether ffmpeg noticed or not."""
    try:
        stat = os.statvfs(shown_as.parent)
        full = stat.f_bavail * stat.f_frsize < MIN_FREE_BYTES
    except OSError:
        full = False
    if full or "No space left on device" in getattr(exc, "stderr_tail", ""):
        return OutputWriteError(shown_as, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    if isinstance(exc, OutputCheckError):
        return exc
    return RenderError(f"{shown_as}: cannot be made: {exc}; the previous outputs were left "
                       "in place")


__all__ = [
    "MIN_FREE_BYTES",
    "CaptionErrorsError",
    "CaptionsMissingError",
    "DescriptionsOverSpeechError",
    "GateRefusedError",
    "LoudnessError",
    "LoudnessRefusedError",
    "OutputCheckError",
    "OutputWriteError",
    "RenderError",
    "mux_error",
]

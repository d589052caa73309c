"""`coprod build`: everything the film needs, in order, doing only what is out of date.

1. transcribe clips that have no caption file;
2. check every caption file (QC errors stop the build and are listed, with every other failure);
3. ask the consent gate;
4. render each output profile, unless its build stamp says nothing has changed.

The build stamp (``build/PROFILE/.build-stamp.json``) records the hash of every input a render
reads (film.yaml, footage, caption files, the consent ledger, the profile, the render options,
the gate's decision, coprod's version) and the sha256 of every output as it was published. When
all of them match, the profile is up to date and nothing is written: a build with nothing changed
hashes its inputs (footage hashes come from the cache, keyed by each file's change stamp) and its
outputs (the films side by side, in threads) and returns. Deciding "up to date" publishes
nothing, so the cache may serve it; a render that publishes hashes the footage afresh.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from captions.qc import Finding
from pipeline import __version__
from pipeline.clearance.sign_videos import sign_videos
from pipeline.exceptions import PipelineError
from pipeline.fsutil import atomic_write_bytes, sha256_bytes, sha256_file
from pipeline.project import Project
from pipeline.render import (
    GateRefusedError,
    OutputWriteError,
    Progress,
    RenderResult,
    render_film,
)
from pipeline.render.caption_check import caption_errors, caption_findings
from pipeline.render.gate import run_gate
from pipeline.render.options import DEFAULT_OPTIONS, RenderOptions
from pipeline.render_profiles import RenderProfile, load_profile
from pipeline.site import refresh_site

if TYPE_CHECKING:
    from pipeline.cluster import ClusterSession

STAMP = ".build-stamp.json"


class BuildError(PipelineError):
    """The build could not finish; ``failures`` lists (clip or step, what is wrong) for all."""

    def __init__(self, failures: Sequence[tuple[str, str]],
                 gate_refusal: GateRefusedError | None = None) -> None:
        self.failures = list(failures)
        self.gate_refusal = gate_refusal
        lines = [f"build stopped: {len(self.failures)} problem(s) to fix first:"]
        lines += [f"  {where}: {what}" for where, what in self.failures]
        super().__init__("\n".join(lines))


@dataclass
class BuildResult:
    """What a build did.

    Attributes:
        transcribed: clips given a caption file by this build.
        findings: clip id -> QC findings (warnings only, when the build finished).
        rendered: profile name -> what its render made.
        up_to_date: profiles left alone because nothing had changed.
        access: profile name -> the access report's summary line (``coprod access``).
    """

    transcribed: list[str] = field(default_factory=list)
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    rendered: dict[str, RenderResult] = field(default_factory=dict)
    up_to_date: list[str] = field(default_factory=list)

    access: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """True when the build wrote anything."""
        return bool(self.transcribed or self.rendered)


def _missing_captions(project: Project) -> list[str]:
    return [clip_id for clip_id in project.film.used_clips
            if not project.caption_path(clip_id).exists()]


def transcribe_missing(project: Project, *, progress: Progress | None = None,
                       cluster: ClusterSession | None = None,
                       ) -> tuple[list[str], list[tuple[str, str]]]:
    """Transcribe clips without a caption file (decoded on ``cluster`` when given); return
    (done, failures)."""
    missing = _missing_captions(project)
    if not missing:
        return [], []
    # Whisper is imported only when a clip needs it, so an up-to-date build stays fast.
    from pipeline.transcribe import transcribe_project
    from pipeline.transcribe.run_report import ClipProgress, ClipStatus

    def report(event: ClipProgress) -> None:
        # One step a clip: it starts loading or transcribing, and ends whatever its outcome.
        running = event.state in (ClipStatus.LOADING, ClipStatus.TRANSCRIBING)
        if progress is not None:
            progress(f"transcribe {event.clip_id}", 0.0 if running else 1.0)

    failures: list[tuple[str, str]] = []
    try:
        transcribe_project(project, missing, on_progress=report, cluster=cluster)
    except PipelineError as exc:
        for clip_id, err in getattr(exc, "failures", None) or [("transcribe", exc)]:
            failures.append((str(clip_id), str(err)))
    done = [c for c in missing if project.caption_path(c).exists()]
    failures += [(c, "no caption file was made") for c in missing
                 if c not in done and all(c != where for where, _ in failures)]
    return done, failures


def check_captions(project: Project) -> tuple[dict[str, list[Finding]], list[tuple[str, str]]]:
    """QC every caption file in the sequence; return (findings per clip, errors).

    The same check a publishing render makes (:mod:`pipeline.render.caption_check`); a build
    stops on every error, not only the structural ones.
    """
    findings = caption_findings(project, [item.clip_id for item in project.film.sequence])
    return findings, [(cid, str(f)) for cid, f in caption_errors(findings)]


def input_stamp(project: Project, profile: RenderProfile, options: dict[str, Any],
                gate: dict[str, Any]) -> str:
    """One hash over everything a render of ``profile`` reads."""
    from pipeline.describe.script import descriptions_sha256, recorded_sha256s

    clips: list[list[Any]] = []
    for item in project.film.sequence:
        caption = project.caption_path(item.clip_id)
        clips.append([item.clip_id, project.footage_sha256(item.clip_id),
                      project.file_sha256(caption) if caption.exists() else None])
        # A clip's descriptions and their recordings change the described sound; a clip
        # without any keeps the stamp it had before descriptions existed.
        described = [descriptions_sha256(project, item.clip_id),
                     recorded_sha256s(project, item.clip_id)]
        if any(described):
            clips[-1].append(described)
    ledger = project.ledger_path
    # Sign videos (sign language): a film without any keeps the stamp it had before.
    signs = [[v.use_id, project.file_sha256(v.path)] for v in sign_videos(project)]
    return sha256_bytes(json.dumps({
        "coprod": __version__,
        "film.yaml": project.file_sha256(project.film_yaml),
        "clips": clips,
        "ledger": project.file_sha256(ledger) if ledger.exists() else None,
        "profile": profile.to_dict(),
        "options": options,
        "gate": gate,
        **({"sign": signs} if signs else {}),
    }, sort_keys=True, default=str).encode())


def _output_hashes(paths: Sequence[Path]) -> dict[str, str] | None:
    """sha256 of each output, the big films hashed side by side; None when one is missing."""
    if not all(path.is_file() for path in paths):
        return None
    with ThreadPoolExecutor(max_workers=max(1, min(4, len(paths)))) as pool:
        try:
            digests = list(pool.map(sha256_file, paths))
        except OSError:
            return None
    return {path.name: digest for path, digest in zip(paths, digests, strict=True)}


def is_up_to_date(out_dir: Path, stamp: str) -> bool:
    """True when the last build of this profile had the same inputs and its outputs are intact.

    Intact means each output still has the sha256 recorded when it was published, not only its
    name, size and time: a replaced or damaged film is rendered again.
    """
    try:
        saved = json.loads((out_dir / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(saved, dict) or saved.get("inputs") != stamp:
        return False
    outputs = saved.get("outputs")
    if not isinstance(outputs, dict) or not outputs or \
            not all(isinstance(v, str) for v in outputs.values()):
        return False
    return _output_hashes([out_dir / name for name in outputs]) == outputs


def write_stamp(out_dir: Path, stamp: str, rendered: RenderResult) -> None:
    """Record the inputs of a finished render and the sha256 of every output it published.

    The films' hashes are the manifest's, taken from the checked files just before they were
    renamed into place; only the manifest itself is hashed here.

    Raises:
        OutputWriteError: the stamp cannot be written (the outputs are in place; the next build
            renders again).
    """
    recorded = rendered.manifest.get("outputs", {})
    outputs = {}
    for name, path in rendered.outputs.items():
        entry = recorded.get(name)
        outputs[name] = entry["sha256"] if isinstance(entry, dict) and \
            isinstance(entry.get("sha256"), str) else sha256_file(path)
    try:
        atomic_write_bytes(out_dir / STAMP, json.dumps(
            {"inputs": stamp, "outputs": outputs}, indent=1).encode("utf-8"))
    except OSError as exc:
        raise OutputWriteError(out_dir / STAMP, exc) from None


def build_film(
    project: Project,
    profiles: Sequence[str | RenderProfile] | None = None,
    options: RenderOptions = DEFAULT_OPTIONS,
    *,
    today: date | None = None,
    progress: Progress | None = None,
    cluster: ClusterSession | None = None,
) -> BuildResult:
    """Bring the film's outputs up to date: transcribe, check captions, gate, render.

    Args:
        project: the film project.
        profiles: output profiles to build; None = film.yaml's ``profiles``.
        options, today, progress: as for :func:`pipeline.render.render_film`.
        cluster: transcribe and render segments on this Dask cluster (see
            :mod:`pipeline.cluster`); None does everything here.

    Raises:
        BuildError: transcription failed or caption files have QC errors (every one is listed,
            with any consent refusal); nothing was rendered.
        GateRefusedError: consent or sign-off is missing (every reason listed).
        RenderError, MediaToolError: the render failed; the previous film is intact.
    """
    today = today or date.today()
    wanted = [load_profile(p) if isinstance(p, str) else p
              for p in (profiles or project.film.render_profiles)]
    result = BuildResult()
    with project.lock("build"):
        result.transcribed, failures = transcribe_missing(project, progress=progress,
                                                          cluster=cluster)
        result.findings, errors = check_captions(project)
        failures += errors
        for prof in wanted:
            try:
                # Deciding whether anything changed publishes nothing: the hash cache may
                # serve it. The render, if one is needed, hashes the footage afresh.
                cleared = run_gate(project, prof, draft=options.draft,
                                   drop_withdrawn=options.drop_withdrawn, today=today,
                                   fresh=False)
            except GateRefusedError as refusal:
                if failures:
                    failures += [("consent", r.message) for r in refusal.result.reasons]
                    raise BuildError(failures, refusal) from None
                raise
            if failures:
                raise BuildError(failures)
            out_dir = project.build_dir / prof.name
            stamp = input_stamp(project, prof, options.stamped(project, prof),
                                {**cleared.result.to_dict(), "dropped": list(cleared.dropped)})
            if is_up_to_date(out_dir, stamp):
                result.up_to_date.append(prof.name)
                refresh_site(project, prof)  # the web page, if missing or made from another
                continue
            rendered = render_film(project, prof, options, today=today, progress=progress,
                                   dispatch=None if cluster is None
                                   else cluster.segment_dispatch(project.root))
            result.rendered[prof.name] = rendered
            write_stamp(out_dir, stamp, rendered)
        if failures:
            raise BuildError(failures)
    for name in [*result.up_to_date, *result.rendered]:
        result.access[name] = _access_summary(project, name)
    return result


def _access_summary(project: Project, profile: str) -> str:
    """The summary line of the access report a profile's manifest holds ("" if none)."""
    try:
        manifest = json.loads((project.build_dir / profile / "manifest.json")
                              .read_text(encoding="utf-8"))
        return str(manifest["access"]["summary"])
    except (OSError, ValueError, KeyError, TypeError):
        return ""


__all__ = [
    "BuildError",
    "BuildResult",
    "build_film",
    "check_captions",
    "input_stamp",
    "is_up_to_date",
    "transcribe_missing",
]

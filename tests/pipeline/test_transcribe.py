"""The transcribe stage: WER, and whole-project runs on corpus speech, silence, noise, music and
a clip without audio."""

from __future__ import annotations

import os

# No hub downloads in tests: faster-whisper and huggingface_hub read this when imported.
os.environ["HF_HUB_OFFLINE"] = "1"

import hashlib
import json
import logging
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench.wer import normalise_for_wer, word_error_rate
from captions import qc
from captions.formats import load
from captions.styles import get_style
from pipeline import runner
from pipeline.engines import BUNDLED_MODEL_SHA256, combined_hash
from pipeline.exceptions import BatchError, MediaError, ProjectError
from pipeline.ingest import ingest
from pipeline.project import Project
from pipeline.transcribe import ClipProgress, ClipStatus, TranscribeReport, transcribe_project

JFK_TEXT = ("And so my fellow Americans, ask not what your country can do for you, "
            "ask what you can do for your country.")
HARVARD_TEXT = "The birch canoe slid on the smooth planks"


def test_word_error_rate() -> None:
    assert word_error_rate(JFK_TEXT, JFK_TEXT.upper().replace(",", "")) == 0.0
    assert word_error_rate("a b c d", "a x c") == 0.5  # one substitution, one deletion
    assert word_error_rate("a b", "a b c d") == 1.0  # two insertions
    assert normalise_for_wer("Mr. Dashwood's") == ["mister", "dashwood's"]


# --- whole projects ----------------------------------------------------------------------------


@dataclass
class Loads:
    """How many times faster-whisper's model was constructed."""

    count: int = 0


def _counting_model(loads: Loads) -> Any:
    """faster-whisper's WhisperModel, counting each load in ``loads``."""
    import faster_whisper

    class Counting(faster_whisper.WhisperModel):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            loads.count += 1
            super().__init__(*args, **kwargs)

    return Counting


@pytest.fixture
def count_loads(monkeypatch: pytest.MonkeyPatch) -> Loads:
    import faster_whisper

    loads = Loads()
    monkeypatch.setattr(faster_whisper, "WhisperModel", _counting_model(loads))
    return loads


@pytest.fixture(scope="module")
def template(corpus: Path, tmp_path_factory: pytest.TempPathFactory,
             make_media: Any) -> Path:
    """A film with speech, silence, noise, music and a clip without audio, ingested once."""
    src = tmp_path_factory.mktemp("sources")
    silence, noise = src / "silence.wav", src / "noise.wav"
    runner.ffmpeg(["-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "6",
                   "-c:a", "pcm_s16le", silence])
    runner.ffmpeg(["-f", "lavfi", "-i", "anoisesrc=d=6:c=pink:r=16000:a=0.3",
                   "-c:a", "pcm_s16le", noise])
    root = tmp_path_factory.mktemp("films") / "film"
    project = Project.create(root, "Transcribe test")
    files = [corpus / "audio" / "whisper" / "jfk.flac",
             corpus / "audio" / "speechbrain" / "example1.wav",
             silence, noise,
             corpus / "video" / "lhotse" / "big_buck_bunny_small.mp4",
             make_media("noaudio.mp4", seconds=2.0, audio=False)]
    ingest(project, files, clip_ids=["jfk", "harvard", "silence", "noise", "bunny", "noaudio"])
    return root


def _copy(template: Path, tmp_path: Path, keep: list[str] | None = None) -> Project:
    root = tmp_path / "film"
    shutil.copytree(template, root)
    project = Project.open(root)
    if keep is not None:
        project.doc["sequence"] = [s for s in project.doc["sequence"] if s["clip"] in keep]
        for cid in list(project.doc["clips"]):
            if cid not in keep:
                del project.doc["clips"][cid]
        project.save()
    return project


def _transcript(project: Project, clip_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(project.transcript_path(clip_id).read_text("utf-8"))
    return data


def _cues(project: Project, clip_id: str, ext: str = "srt") -> list[Any]:
    """The clip's cues; an SRT with no cues is an empty file, which the SRT reader refuses."""
    path = project.caption_path(clip_id, ext)
    if ext == "srt" and path.read_bytes() == b"":
        return []
    return load(path)


def _text(project: Project, clip_id: str) -> str:
    return " ".join(c.text.replace("\n", " ") for c in load(project.caption_path(clip_id)))


@dataclass
class FullRun:
    project: Project
    report: TranscribeReport
    events: list[ClipProgress]
    loads: int


@pytest.fixture(scope="module")
def full_run(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FullRun]:
    import faster_whisper

    project = _copy(template, tmp_path_factory.mktemp("full"))
    events: list[ClipProgress] = []
    loads = Loads()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(faster_whisper, "WhisperModel", _counting_model(loads))
        report = transcribe_project(project, on_progress=events.append)
    yield FullRun(project, report, events, loads.count)


@pytest.mark.slow
def test_model_is_loaded_once_for_all_clips(full_run: FullRun) -> None:
    transcribed = [r for r in full_run.report.results if r.status == ClipStatus.TRANSCRIBED]
    assert len(transcribed) == 5
    assert full_run.loads == 1


@pytest.mark.slow
def test_progress_is_reported_per_clip(full_run: FullRun) -> None:
    done = (ClipStatus.TRANSCRIBED, ClipStatus.NO_AUDIO)
    finals = [e for e in full_run.events if e.state in done]
    assert [e.clip_id for e in finals] == ["jfk", "harvard", "silence", "noise", "bunny",
                                          "noaudio"]
    assert [e.index for e in finals] == [1, 2, 3, 4, 5, 6]
    assert all(e.total == 6 for e in full_run.events)
    assert str(finals[0]).startswith("[1/6] jfk: ")
    assert any(e.state == ClipStatus.LOADING for e in full_run.events)


@pytest.mark.slow
def test_speech_clip_transcript_and_captions(full_run: FullRun) -> None:
    project = full_run.project
    data = _transcript(project, "jfk")
    assert data["engine"] == "faster-whisper"
    assert data["model"] == "tiny.en (bundled)"
    assert data["model_sha256"] == combined_hash(BUNDLED_MODEL_SHA256)
    wav = project.audio_path("jfk")
    assert data["audio_sha256"] == hashlib.sha256(wav.read_bytes()).hexdigest()
    assert data["audio"] == "build/audio/jfk.wav"
    assert data["dropped"] == []
    words = data["words"]
    assert word_error_rate(JFK_TEXT, " ".join(w["text"] for w in words)) <= 0.1
    assert all(isinstance(w["start"], int) and isinstance(w["end"], int) for w in words)
    assert all(0 <= w["probability"] <= 1 for w in words)
    assert data["segments"] and all("avg_logprob" in s for s in data["segments"])
    for ext in ("srt", "vtt"):
        cues = load(project.caption_path("jfk", ext))
        text = " ".join(c.text.replace("\n", " ") for c in cues)
        assert word_error_rate(JFK_TEXT, text) <= 0.1
        findings = qc.check(cues, get_style("bbc"),
                            clip_duration_ms=project.probe("jfk").duration_ms)
        assert not qc.has_errors(findings), [str(f) for f in findings]
    assert word_error_rate(HARVARD_TEXT, _text(project, "harvard")) <= 0.2


@pytest.mark.slow
@pytest.mark.parametrize("clip_id", ["silence", "noise"])
def test_silence_and_noise_give_no_captions(full_run: FullRun, clip_id: str) -> None:
    project = full_run.project
    assert _cues(project, clip_id) == []
    assert _cues(project, clip_id, "vtt") == []
    assert _transcript(project, clip_id)["words"] == []


@pytest.mark.slow
def test_music_gives_no_captions_and_records_what_it_dropped(full_run: FullRun) -> None:
    project = full_run.project
    cues = _cues(project, "bunny")
    assert len(_cues(project, "bunny", "vtt")) == len(cues)
    assert len(cues) <= 1
    data = _transcript(project, "bunny")
    result = next(r for r in full_run.report.results if r.clip_id == "bunny")
    assert [d.to_dict() for d in result.dropped] == data["dropped"]
    assert all(d["text"] and d["reason"] for d in data["dropped"])


@pytest.mark.slow
def test_clip_without_audio_gets_empty_captions_and_a_note(full_run: FullRun) -> None:
    project = full_run.project
    result = next(r for r in full_run.report.results if r.clip_id == "noaudio")
    assert result.status == ClipStatus.NO_AUDIO
    assert project.caption_path("noaudio").read_text("utf-8") == ""
    assert load(project.caption_path("noaudio", "vtt")) == []
    data = _transcript(project, "noaudio")
    assert "no audio stream" in data["note"] and data["words"] == []


@pytest.mark.slow
def test_guard_records_drops_on_silence_without_vad(
    template: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Without the VAD, Whisper "hears" something in silence; the guard must drop it and say so.
    project = _copy(template, tmp_path, keep=["silence"])
    with caplog.at_level(logging.INFO, logger="coprod.transcribe"):
        report = transcribe_project(project, vad=False)
    assert _cues(project, "silence") == []
    data = _transcript(project, "silence")
    assert data["vad"] is False and data["words"] == []
    assert data["dropped"], "Whisper produced nothing to drop; the test no longer tests the guard"
    for item in data["dropped"]:
        assert item["reason"].split(":")[0] in {"no-speech", "low-confidence", "empty"}
        assert repr(item["text"]) in caplog.text
    assert report.results[0].dropped


@pytest.mark.slow
def test_second_run_is_up_to_date_without_loading_the_model(
    full_run: FullRun, count_loads: Loads
) -> None:
    project = full_run.project
    stamp = project.caption_path("jfk").stat().st_mtime_ns
    report = transcribe_project(project, ["jfk", "silence"])
    assert [r.status for r in report.results] == [ClipStatus.UP_TO_DATE, ClipStatus.UP_TO_DATE]
    assert count_loads.count == 0
    assert project.caption_path("jfk").stat().st_mtime_ns == stamp


@pytest.mark.slow
def test_edited_captions_survive_transcribing_again(
    template: Path, tmp_path: Path
) -> None:
    project = _copy(template, tmp_path, keep=["harvard"])
    transcribe_project(project)
    srt = project.caption_path("harvard")
    edited = srt.read_text("utf-8").replace("birch", "BIRCH").encode("utf-8")
    srt.write_bytes(edited)

    report = transcribe_project(project)
    assert srt.read_bytes() == edited
    assert project.captions_dir.joinpath("harvard.whisper.srt").is_file()
    assert any("harvard.whisper.srt" in n for n in report.results[0].notes)
    # The .vtt twin follows the reviewed SRT, not Whisper's new draft.
    vtt = project.caption_path("harvard", "vtt").read_text("utf-8")
    assert "BIRCH" in vtt and "birch" not in vtt

    report = transcribe_project(project, force=True)
    assert srt.read_bytes() != edited
    backups = list(project.captions_dir.glob("harvard.srt.bak-*"))
    assert [b.read_bytes() for b in backups] == [edited]
    assert report.results[0].status == ClipStatus.TRANSCRIBED


@pytest.mark.slow
def test_a_bad_clip_does_not_stop_the_others(template: Path, tmp_path: Path) -> None:
    project = _copy(template, tmp_path, keep=["jfk", "harvard"])
    project.audio_path("jfk").unlink()
    with pytest.raises(BatchError) as info:
        transcribe_project(project)
    assert [cid for cid, _ in info.value.failures] == ["jfk"]
    assert isinstance(info.value.failures[0][1], MediaError)
    assert "jfk" in str(info.value)
    report = info.value.report  # type: ignore[attr-defined]
    assert [r.status for r in report.results] == [ClipStatus.FAILED, ClipStatus.TRANSCRIBED]
    assert load(project.caption_path("harvard"))


def test_unknown_clip_id_is_refused_before_any_work(template: Path, tmp_path: Path,
                                                    count_loads: Loads) -> None:
    project = _copy(template, tmp_path, keep=["jfk"])
    with pytest.raises(ProjectError, match="no clip 'nope'"):
        transcribe_project(project, ["jfk", "nope"])
    assert count_loads.count == 0
    assert not project.transcript_path("jfk").exists()


@pytest.mark.slow
def test_openai_engine_through_the_stage(template: Path, tmp_path: Path) -> None:
    pytest.importorskip("whisper", reason="openai-whisper is not installed (the optional "
                        "[openai-whisper] extra; `make test` installs it)")
    pytest.importorskip("torch", reason="torch is not installed (openai-whisper extra)")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COPROD_CACHE_DIR", str(tmp_path / "cache"))
        project = _copy(template, tmp_path, keep=["harvard", "silence"])
        report = transcribe_project(project, engine="openai-whisper")
    assert [r.status for r in report.results] == [ClipStatus.TRANSCRIBED, ClipStatus.TRANSCRIBED]
    data = _transcript(project, "harvard")
    assert data["engine"] == "openai-whisper"
    assert data["model_sha256"] == combined_hash(BUNDLED_MODEL_SHA256)
    assert word_error_rate(HARVARD_TEXT, _text(project, "harvard")) <= 0.2
    assert _cues(project, "silence") == []

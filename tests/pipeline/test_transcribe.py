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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bench.wer import normalise_for_wer, word_error_rate
from captions import qc
from captions.formats import load
from captions.model import Word
from captions.styles import get_style
from pipeline import runner
from pipeline.exceptions import BatchError, MediaError, ProjectError
from pipeline.ingest import ingest
from pipeline.project import Project
from pipeline.transcribe import ClipProgress, ClipStatus, TranscribeReport, transcribe_project
from pipeline.transcribe.engines import BUNDLED_MODEL_SHA256, ModelInfo, Segment, combined_hash

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


@pytest.mark.slow
def test_unknown_clip_id_is_refused_before_any_work(template: Path, tmp_path: Path,
                                                    count_loads: Loads) -> None:
    project = _copy(template, tmp_path, keep=["jfk"])
    with pytest.raises(ProjectError, match="no clip 'nope'"):
        transcribe_project(project, ["jfk", "nope"])
    assert count_loads.count == 0
    assert not project.transcript_path("jfk").exists()


@pytest.fixture(scope="module")
def openai_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the checkpoint derived for openai-whisper, shared by this module's tests."""
    return tmp_path_factory.mktemp("coprod-cache")


@pytest.mark.slow
def test_openai_engine_through_the_stage(template: Path, tmp_path: Path,
                                         openai_cache: Path) -> None:
    pytest.importorskip("whisper", reason="openai-whisper is not installed (the optional "
                        "[openai-whisper] extra; `make test` installs it)")
    pytest.importorskip("torch", reason="torch is not installed (openai-whisper extra)")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COPROD_CACHE_DIR", str(openai_cache))
        project = _copy(template, tmp_path, keep=["harvard", "silence"])
        report = transcribe_project(project, engine="openai-whisper")
    assert [r.status for r in report.results] == [ClipStatus.TRANSCRIBED, ClipStatus.TRANSCRIBED]
    data = _transcript(project, "harvard")
    assert data["engine"] == "openai-whisper"
    assert data["model_sha256"] == combined_hash(BUNDLED_MODEL_SHA256)
    assert word_error_rate(HARVARD_TEXT, _text(project, "harvard")) <= 0.2
    assert _cues(project, "silence") == []


# --- long recordings: chunks cut in pauses, and the boundary guard ----------------------------

SENSE_0870 = ("and mister john dashwood had then leisure to consider how much there might be "
              "prudently in his power to do for them")
EREWHON = ("IF THE READER WILL EXCUSE ME I WILL SAY NOTHING OF MY ANTECEDENTS NOR OF THE "
           "CIRCUMSTANCES WHICH LED ME TO LEAVE MY NATIVE COUNTRY THE NARRATIVE WOULD BE TEDIOUS "
           "TO HIM AND PAINFUL TO MYSELF")
# (corpus file, reference, silence after it in s), after 1 s of silence: Erewhon runs over the
# 30 s mark (24.8-36.4 s) and again over 60 s (56.6-68.3 s).
LONG = [
    ("audio/whisper/jfk.flac", JFK_TEXT, 1.0),
    ("audio/pocketsphinx/sense_and_sensibility_01_austen_64kb-0870.wav", SENSE_0870, 0.8),
    ("audio/speechbrain/example1.wav", HARVARD_TEXT, 0.6),
    ("audio/lhotse/2412-153948-0000.flac", EREWHON, 0.7),
    ("audio/whisper/jfk.flac", JFK_TEXT, 0.5),
    ("audio/pocketsphinx/sense_and_sensibility_01_austen_64kb-0870.wav", SENSE_0870, 0.9),
    ("audio/lhotse/2412-153948-0000.flac", EREWHON, 1.5),
    ("audio/speechbrain/example1.wav", HARVARD_TEXT, 1.0),
]


@pytest.fixture(scope="module")
def long_template(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A film whose one clip is 74 s of corpus speech with short pauses, ingested once."""
    src = tmp_path_factory.mktemp("long-src") / "long.wav"
    args: list[str | Path] = []
    chains = []
    for i, (rel, _, pause) in enumerate(LONG):
        args += ["-i", corpus / rel]
        delay = ",adelay=delays=1000:all=1" if i == 0 else ""
        chains.append(f"[{i}:a]aresample=16000,aformat=channel_layouts=mono{delay},"
                      f"apad=pad_dur={pause}[a{i}]")
    joined = "".join(f"[a{i}]" for i in range(len(LONG)))
    graph = ";".join(chains) + f";{joined}concat=n={len(LONG)}:v=0:a=1[out]"
    runner.ffmpeg([*args, "-filter_complex", graph, "-map", "[out]", "-ac", "1", "-ar", "16000",
                   "-c:a", "pcm_s16le", src])
    root = tmp_path_factory.mktemp("long-film") / "film"
    project = Project.create(root, "Long recording")
    ingest(project, [src], clip_ids=["long"])
    return root


def _parts(corpus: Path, scratch: Path) -> list[tuple[str, float, float, str]]:
    """Each utterance's place in the long clip (s), from the corpus files' own lengths."""
    import wave

    out = []
    at = 1.0
    for rel, text, pause in LONG:
        probe = scratch / "probe.wav"
        runner.ffmpeg(["-i", corpus / rel, "-ac", "1", "-ar", "16000", probe])
        with wave.open(str(probe), "rb") as wav:
            seconds = wav.getnframes() / 16000
        out.append((rel, at, at + seconds, text))
        at += seconds + pause
    return out


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["faster-whisper", "openai-whisper"])
def test_speech_over_the_30_and_60_s_marks_keeps_every_word(
    corpus: Path, long_template: Path, tmp_path: Path, openai_cache: Path, engine: str
) -> None:
    from bench.longform import align, lost_phrases, misplaced_words, normalise

    if engine == "openai-whisper":
        pytest.importorskip("whisper", reason="openai-whisper is not installed (the optional "
                            "[openai-whisper] extra; `make test` installs it)")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COPROD_CACHE_DIR", str(openai_cache))
        project = _copy(long_template, tmp_path)
        transcribe_project(project, engine=engine)
    data = _transcript(project, "long")
    reference = " ".join(text for _, text, _ in LONG)
    heard = " ".join(w["text"] for w in data["words"])
    kept, _ = align(normalise(reference), normalise(heard))
    missing = [w for w, k in zip(normalise(reference), kept, strict=True) if k is None]
    assert missing == [], heard
    assert lost_phrases(reference, heard).lost == []
    # Every word is timed inside its own utterance, chunk joins and all.
    assert misplaced_words(_parts(corpus, tmp_path), data["words"]) == 0
    assert all(c["end"] - c["start"] <= 30_000 or len(c["pieces"]) > 1 for c in data["chunks"])
    assert sum(p[1] - p[0] for c in data["chunks"] for p in c["pieces"]) >= 60_000
    cues = load(project.caption_path("long"))
    findings = qc.check(cues, get_style("bbc"), clip_duration_ms=project.probe("long").duration_ms)
    assert not qc.has_errors(findings), [str(f) for f in findings]


@dataclass
class Scripted:
    """An engine that answers each decode with the next scripted segments (times from the start
    of the audio it is given), recording how long each audio was."""

    scripts: list[Callable[[int], list[Segment]]]
    name: str = "scripted"
    version: str = "1"
    model: ModelInfo = field(default_factory=lambda: ModelInfo("scripted", "-", "0" * 64))
    multilingual: bool = False
    calls: list[int] = field(default_factory=list)

    def decode(self, audio: Any, language: str | None) -> list[Segment]:
        duration = len(audio) * 1000 // 16000
        self.calls.append(duration)
        return self.scripts.pop(0)(duration)


def _segment(text: str, start: int, each: int, probability: float = 0.9,
             last: float | None = None) -> Segment:
    words = [Word(start + i * each, start + (i + 1) * each, t, probability)
             for i, t in enumerate(text.split())]
    if last is not None:
        words[-1] = Word(words[-1].start, words[-1].end, words[-1].text, last)
    return Segment(words[0].start, words[-1].end, text, words, -0.2, 0.01, 1.2)


def test_redecodes_are_recorded_in_the_transcript_and_the_log(
    tmp_path: Path, make_media: Any, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture
) -> None:
    import pipeline.transcribe as stage
    import pipeline.transcribe.audio

    project = Project.create(tmp_path / "film", "Scripted")
    ingest(project, [make_media("tone40.wav", seconds=40.0, video=False)], clip_ids=["talk"])
    project = Project.open(project.root)
    # Speech 1-29 s and 31-38 s: two chunks, cut in the 2 s pause.
    monkeypatch.setattr(pipeline.transcribe.audio, "speech_regions",
                        lambda samples: [(1000, 29_000), (31_000, 38_000)])
    engine = Scripted([
        # The first chunk ends "... might be be", on its edge, with a word it never heard.
        lambda d: [_segment("how much there might be be.", d - 1900, 300, last=0.001)],
        lambda d: [_segment("The end of the story.", 400, 300)],
        # Decoded again in a window that starts earlier: the whole phrase.
        lambda d: [_segment("how much there might be prudently in his power.", 200, 300)],
    ])
    monkeypatch.setattr(stage, "load_engine", lambda *a, **k: engine)
    with caplog.at_level(logging.INFO, logger="coprod.transcribe"):
        report = transcribe_project(project)
    assert len(engine.calls) == 3 and all(d <= 30_000 for d in engine.calls)
    data = _transcript(project, "talk")
    (again,) = data["redecoded"]
    assert again["kept"] == "re-decode"
    assert any(r.startswith("chunk-edge") for r in again["reasons"])
    assert any(r.startswith("zero-probability") for r in again["reasons"])
    assert again["before"] == "how much there might be be."
    assert again["after"] == "how much there might be prudently in his power."
    assert again["window"][0][0] < 27_000 < again["window"][-1][1]
    texts = [w["text"] for w in data["words"]]
    assert texts == "how much there might be prudently in his power. The end of the story.".split()
    assert [c["cut_after"] for c in data["chunks"]] == ["pause", "pause"]
    assert "decoded" in caplog.text and "again" in caplog.text and "prudently" in caplog.text
    (result,) = report.results
    assert len(result.redecoded) == 1
    assert "1 stretch(es) decoded again (1 improved)" in stage._summary(result)


def test_a_worse_redecode_is_recorded_and_the_original_kept(
    tmp_path: Path, make_media: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.transcribe as stage
    import pipeline.transcribe.audio

    project = Project.create(tmp_path / "film", "Scripted")
    ingest(project, [make_media("tone12.wav", seconds=12.0, video=False)], clip_ids=["talk"])
    project = Project.open(project.root)
    monkeypatch.setattr(pipeline.transcribe.audio, "speech_regions",
                        lambda samples: [(2000, 9000)])
    engine = Scripted([
        # "... the question that | That was it." - a real repeat, heard clearly.
        lambda d: [_segment("is the question that", 600, 400),
                   _segment("That was it.", 3000, 300)],
        lambda d: [_segment("is the question that was it.", 900, 400, probability=0.4)],
    ])
    monkeypatch.setattr(stage, "load_engine", lambda *a, **k: engine)
    transcribe_project(project)
    data = _transcript(project, "talk")
    (again,) = data["redecoded"]
    assert again["reasons"][0].startswith("repeated-join: 'that'")
    assert again["kept"] == "original"
    assert again["before"] == "is the question that That was it."
    assert [w["text"] for w in data["words"]] == "is the question that That was it.".split()


def test_a_sentence_said_again_is_kept_and_a_loop_dropped() -> None:
    from pipeline.transcribe.hallucinations import guard

    first = _segment("In 1813, the birch canoe slid.", 1000, 400)
    again = _segment("In 1813, the birch canoe slid.", 6000, 400)
    # Over new speech the VAD heard: the contributor said it again.
    kept, dropped = guard([first, again], [(1000, 3000), (6000, 8000)])
    assert kept == [first, again] and dropped == []
    # Over no speech (silence after the sentence, as Whisper loops it): dropped, and why.
    kept, dropped = guard([first, again], [(1000, 3000)])
    assert kept == [first]
    assert dropped[0].reason.startswith("repeats-previous")

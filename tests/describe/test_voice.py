"""Voicing descriptions: a recording wins, synthetic audio is cached, durations are measured."""

from __future__ import annotations

import re

import pytest

from pipeline.describe import Description, DescriptionError, voice_descriptions, voice_name
from pipeline.describe import voice as voice_module
from pipeline.project import Project
from tests.describe.conftest import make_wav

SAY = Description(1, 1000, 2900, "Amara smiles.")


def _describer(project: Project, clip_id: str, person: str) -> Project:
    project.doc["clips"][clip_id]["described_by"] = [person]
    project.save()
    return project.reload()


def test_a_recorded_wav_wins_over_the_voice(described_film: Project,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    project = _describer(described_film, "clip-1", "ben")
    recording = make_wav(project.root / "descriptions" / "clip-1" / "1.wav", 1.25, channels=2)
    monkeypatch.setattr(voice_module, "_voice_now", _no_synthesis)
    [voiced] = voice_descriptions(project, "clip-1", [SAY])
    assert voiced.wav == recording
    assert voiced.voice == "recorded by ben"
    assert abs(voiced.duration_ms - 1250) <= 30  # measured by ffprobe, not guessed from text


def test_a_recording_needs_a_named_describer(described_film: Project) -> None:
    recording = make_wav(described_film.root / "descriptions" / "clip-1" / "1.wav", 0.5)
    with pytest.raises(DescriptionError) as caught:
        voice_descriptions(described_film, "clip-1", [SAY])
    assert str(caught.value).startswith(f"{recording}: is a recording, but film.yaml names "
                                        "nobody")
    assert "described_by" in str(caught.value)


def test_a_recording_that_is_not_a_wav_is_refused(described_film: Project) -> None:
    project = _describer(described_film, "clip-1", "ben")
    bad = project.root / "descriptions" / "clip-1" / "1.wav"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"RIFF....not really a wave file")
    with pytest.raises(DescriptionError, match=r"1\.wav: .*record it again as a mono or stereo"):
        voice_descriptions(project, "clip-1", [SAY])
    bad.unlink()
    bad.mkdir()
    with pytest.raises(DescriptionError, match=r"is a folder"):
        voice_descriptions(project, "clip-1", [SAY])


def _no_synthesis() -> object:
    raise AssertionError("the voice was loaded or run for a cached description")


def test_voicing_again_is_a_cache_hit(described_film: Project,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    first = voice_descriptions(described_film, "clip-1", [SAY])
    [voiced] = first
    assert voiced.wav.parent == described_film.build_dir / "descriptions"
    assert voiced.voice == voice_name()
    assert 400 < voiced.duration_ms < 2500  # "Amara smiles." said at a normal pace
    stamp = voiced.wav.stat().st_mtime_ns
    monkeypatch.setattr(voice_module, "_voice_now", _no_synthesis)
    assert voice_descriptions(described_film, "clip-1", [SAY]) == first
    assert voiced.wav.stat().st_mtime_ns == stamp
    # Another cue with the same words is the same sound; different words are a miss.
    again = Description(2, 3600, 3900, SAY.text)
    assert voice_descriptions(described_film, "clip-1", [again])[0].wav == voiced.wav
    with pytest.raises(AssertionError, match="cached"):
        voice_descriptions(described_film, "clip-1", [Description(1, 1000, 2900, "Ben waves.")])


def test_a_damaged_cache_file_is_voiced_again(described_film: Project) -> None:
    [voiced] = voice_descriptions(described_film, "clip-1", [SAY])
    voiced.wav.write_bytes(b"RIFF")  # cut short
    [again] = voice_descriptions(described_film, "clip-1", [SAY])
    assert again == voiced and again.wav.stat().st_size > 1000


def test_the_voice_key_names_the_voice_and_its_version() -> None:
    name = voice_name()
    assert re.search(r"\d+\.\d+", name), name
    assert voice_module.cache_key("Hello.", name) != voice_module.cache_key("Hello.", name + "x")
    assert voice_module.cache_key("Hello.", name) != voice_module.cache_key("Hello!", name)





def test_espeak_reads_when_the_neural_voice_is_missing(described_film: Project,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.describe.voices import VoiceUnavailableError

    real = voice_module.voice_label

    def label(name: str) -> str:
        if name == voice_module.CHOSEN_VOICE:
            raise VoiceUnavailableError("hibari-tts is not installed")
        return real(name)

    voice_module._chosen.cache_clear()
    monkeypatch.setattr(voice_module, "voice_label", label)
    try:
        assert voice_name().startswith("espeak-ng ")
        [voiced] = voice_descriptions(described_film, "clip-1", [SAY])
        assert voiced.voice == voice_name() and voiced.duration_ms > 300
    finally:
        voice_module._chosen.cache_clear()
    monkeypatch.undo()
    assert not voice_name().startswith("espeak-ng")


def test_card_descriptions_are_voiced_and_cached_like_any_other(
        described_film: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.describe import card_descriptions
    from pipeline.describe.voice import voice_card_descriptions

    cards = card_descriptions(described_film, ["Our Film", "", "A co-produced film"])
    [voiced] = voice_card_descriptions(described_film, cards)
    assert voiced.voice == voice_name() and voiced.duration_ms > 500
    monkeypatch.setattr(voice_module, "_voice_now", _no_synthesis)
    assert voice_card_descriptions(described_film, cards) == [voiced]

"""Nothing lost on rewrite: every file coprod rewrites keeps each character and style of the
cues it did not change.

coprod rewrites a clip's caption files in three places: a save from the review page (the .srt
and its .vtt twin), a new transcription whose draft goes beside an edited .srt (the .vtt twin
follows the edited .srt), and any render or export that reads them. Each is run here on every
readable file in ../shared/corpus/subs, the cues read before compared with the cues read after:
text, times, italics, bold, underline, and the voices of a .vtt twin. Without the corpus these
tests skip, naming where they looked.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from captions.exceptions import CaptionError
from captions.formats import dumps, load
from captions.model import Cue, Span, Style
from captions.styling import without_voices
from pipeline.caption_store import load_captions, twin_voices, write_caption_file
from pipeline.project import Project
from pipeline.review import editing
from pipeline.transcribe import _write_captions
from tests.conftest import CORPUS

SUBS = CORPUS / "subs"


def _readable() -> list[str]:
    if not SUBS.is_dir():
        return []
    names = []
    for path in sorted(SUBS.glob("**/*")):
        if path.suffix in (".srt", ".vtt"):
            try:
                if load(path):
                    names.append(path.relative_to(SUBS).as_posix())
            except CaptionError:
                continue  # refused files are the corpus tests' business
    return names


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.create(tmp_path / "film", "Rewrites")


def _place(project: Project, name: str) -> list[Cue]:
    """Put a corpus file where a contributor's caption file goes; the cues it holds.

    An .srt is copied as it is (whatever its encoding and line ends). A .vtt becomes the .vtt
    twin of the .srt coprod writes from it, as if the twin had been given its voices by hand.
    """
    source = SUBS / name
    before = load(source)
    srt = project.caption_path("clip")
    srt.parent.mkdir(parents=True, exist_ok=True)
    if source.suffix == ".srt":
        shutil.copyfile(source, srt)
    else:
        srt.write_text(dumps(before, "srt"), encoding="utf-8")
        shutil.copyfile(source, project.caption_path("clip", "vtt"))
    return before


def _past_a_day(cues: list[Cue]) -> bool:
    return any(cue.end > editing.MAX_MS for cue in cues)


def _as_the_page_sends(cues: list[Cue]) -> dict[str, str]:
    form = {"count": str(len(cues))}
    for n, cue in enumerate(cues, start=1):
        form |= {f"text-{n}": cue.text.replace("\n", "\r\n"), f"start-{n}": str(cue.start),
                 f"end-{n}": str(cue.end)}
    return form


pytestmark = pytest.mark.usefixtures("corpus")
NAMES = _readable()
# The review page takes times of up to 24 hours; an HLS stream's run past that. Those files are
# checked below for the page refusing them, not for a save it cannot make.
PAGE_NAMES = [n for n in NAMES if not _past_a_day(load(SUBS / n))]
PAST_A_DAY = [n for n in NAMES if n not in PAGE_NAMES]
if not SUBS.is_dir():  # one skip, naming what is missing, rather than an empty parameter set
    NAMES = PAGE_NAMES = PAST_A_DAY = [pytest.param(
        "", marks=pytest.mark.skip(reason=f"shared corpus not found at {CORPUS}"))]


@pytest.mark.parametrize("name", PAST_A_DAY)
def test_the_page_refuses_times_past_a_day_and_writes_nothing(project: Project,
                                                               name: str) -> None:
    _place(project, name)
    srt = project.caption_path("clip")
    before = srt.read_bytes()
    track = editing.read_track(project, "clip")
    with pytest.raises(editing.FormError, match="is not a time in milliseconds"):
        editing.parse_track(_as_the_page_sends(track.cues))
    assert srt.read_bytes() == before


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_a_review_page_save_keeps_every_cue_it_did_not_change(project: Project,
                                                               name: str) -> None:
    before = _place(project, name)
    srt, vtt = project.caption_path("clip"), project.caption_path("clip", "vtt")
    if (SUBS / name).suffix == ".vtt":
        assert load_captions(srt) == before  # the .srt's cues, with the twin's voices
    track = editing.read_track(project, "clip")
    # The contributor corrects the middle caption, types nothing else, and the page saves.
    sent = editing.parse_track(_as_the_page_sends(track.cues))
    middle = len(sent) // 2
    sent[middle] = Cue(sent[middle].start, sent[middle].end, "A corrected caption")
    result = editing.save_track(project, "clip", track.version, sent)
    assert result.status == editing.SaveStatus.SAVED
    after_srt, after_vtt = load(srt), load(vtt)
    for n, cue in enumerate(before):
        if n != middle:
            assert after_srt[n] == without_voices(cue), (name, n)  # SRT has no voices
            assert after_vtt[n] == cue, (name, n)  # the twin keeps them
    assert after_srt[middle].text == "A corrected caption"
    assert len(after_srt) == len(after_vtt) == len(before)


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_saving_an_untouched_track_changes_no_cue(project: Project, name: str) -> None:
    before = _place(project, name)
    track = editing.read_track(project, "clip")
    sent = editing.parse_track(_as_the_page_sends(track.cues))
    editing.save_track(project, "clip", track.version, sent)
    assert load(project.caption_path("clip")) == [without_voices(c) for c in before]
    twin = project.caption_path("clip", "vtt")
    if twin.exists():
        assert load(twin) == before


@pytest.mark.parametrize("name", NAMES)
def test_the_vtt_twin_rewritten_after_a_new_transcription_keeps_every_cue(
        project: Project, name: str) -> None:
    before = _place(project, name)
    vtt = project.caption_path("clip", "vtt")
    if not vtt.exists():
        write_caption_file(vtt, load_captions(project.caption_path("clip")))
    else:  # a twin coprod wrote, with the voices the file gives it
        write_caption_file(vtt, twin_voices(project.caption_path("clip"),
                                            load(project.caption_path("clip"))))
    # A new transcription: the edited .srt is kept (the draft goes beside it) and the .vtt
    # twin, coprod's own, is written again from the .srt.
    writes = _write_captions(project, "clip", [], 10_000, force=False)
    assert [w.path.name for w in writes] == ["clip.srt", "clip.vtt"]
    assert load(vtt) == before


def test_a_twin_only_lends_voices_to_cues_that_match_it(tmp_path: Path) -> None:
    srt, vtt = tmp_path / "clip.srt", tmp_path / "clip.vtt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\n<i>Hi</i> there\n\n"
                   "2\n00:00:03,000 --> 00:00:04,000\nEdited since\n", encoding="utf-8")
    vtt.write_text("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Amara>Hi there\n\n"
                   "00:03.000 --> 00:04.000\n<v Ben>Before the edit\n", encoding="utf-8")
    assert load_captions(srt) == [
        Cue(1000, 2000, "Hi there", (Span(0, 2, Style.ITALIC), Span(0, 8, Style.VOICE, "Amara"))),
        Cue(3000, 4000, "Edited since"),
    ]
    vtt.write_text("not a caption file", encoding="utf-8")
    assert load_captions(srt)[0].voices == []  # a broken twin lends nothing and fails nothing

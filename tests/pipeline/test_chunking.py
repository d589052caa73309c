"""Chunk planning, the boundary guard's checks and its re-decode windows, on synthetic VAD
regions: no model needed."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from captions.model import Word
from pipeline.transcribe.audio import confidence, redecode_window
from pipeline.transcribe.chunking import (
    CLIP,
    FRAME_MS,
    MAX_CHUNK_MS,
    PAD_MS,
    PAUSE,
    QUIET,
    Chunk,
    Decoded,
    Region,
    chunk_of,
    find_suspects,
    plan_chunks,
    quietest_point,
    split_long_speech,
)
from pipeline.transcribe.engines import frame_energy

SECOND = 1000


def flat(duration_ms: int, level: float = 1.0) -> list[float]:
    return [level] * (duration_ms // FRAME_MS)


def with_dips(duration_ms: int, dips: Sequence[int]) -> list[float]:
    """Energy 1.0 everywhere but 0.001 for 300 ms around each dip (ms)."""
    energy = flat(duration_ms)
    for dip in dips:
        for frame in range((dip - 150) // FRAME_MS, (dip + 150) // FRAME_MS):
            energy[frame] = 0.001
    return energy


def covered(chunks: Sequence[Chunk], region: Region) -> bool:
    """True if every millisecond of ``region`` is inside some chunk's pieces."""
    pieces = sorted((p for c in chunks for p in c.pieces), key=lambda p: p.start)
    at = region.start
    for piece in pieces:
        if piece.start <= at < piece.end:
            at = piece.end
        if at >= region.end:
            return True
    return at >= region.end


def assert_plan(chunks: Sequence[Chunk], speech: Sequence[Region], duration_ms: int,
                max_ms: int = MAX_CHUNK_MS) -> None:
    """The rules every plan keeps."""
    for chunk in chunks:
        assert chunk.duration <= max_ms, chunk
        assert 0 <= chunk.start < chunk.end <= duration_ms, chunk
        for p, q in zip(chunk.pieces, chunk.pieces[1:], strict=False):
            assert p.end < q.start, chunk  # pieces in order, silence between them left out
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert a.end <= b.start, (a, b)  # in order, never overlapping
        assert a.cut_after == b.cut_before != CLIP
        assert a.cut_after != QUIET or a.end == b.start  # a cut in speech: they meet exactly
    for region in speech:
        assert covered(chunks, region), f"speech {region} is not decoded"
    # A cut inside speech only where the speech has no pause to cut in.
    for a, b in zip(chunks, chunks[1:], strict=False):
        if a.cut_after == PAUSE:
            assert not any(r.start < a.end and r.end > b.start for r in speech), (a, b)


# --- energy ------------------------------------------------------------------------------------


def test_frame_energy_is_mean_square_per_frame() -> None:
    import numpy as np

    samples = np.concatenate([np.full(160, 0.5, dtype=np.float32), np.zeros(80, np.float32)])
    assert frame_energy(samples) == pytest.approx([0.25, 0.0])
    assert frame_energy(np.zeros(0, dtype=np.float32)) == []


def test_quietest_point_finds_the_dip() -> None:
    energy = with_dips(40 * SECOND, [23 * SECOND])
    assert abs(quietest_point(energy, 10 * SECOND, 30 * SECOND) - 23 * SECOND) <= 150


def test_quietest_point_ties_go_to_the_middle_and_no_energy_means_the_middle() -> None:
    assert abs(quietest_point(flat(40 * SECOND), 10 * SECOND, 20 * SECOND) - 15 * SECOND) <= 5
    assert quietest_point([], 10 * SECOND, 20 * SECOND) == 15 * SECOND
    assert quietest_point(flat(1000), 500, 500) == 500


# --- planning ----------------------------------------------------------------------------------


def test_no_speech_no_chunks() -> None:
    assert plan_chunks([], flat(10 * SECOND), 10 * SECOND) == []


def test_one_utterance_is_one_padded_chunk() -> None:
    chunks = plan_chunks([Region(2000, 5000)], flat(10 * SECOND), 10 * SECOND)
    assert chunks == [Chunk((Region(2000 - PAD_MS, 5000 + PAD_MS),), PAUSE, PAUSE)]


def test_speech_at_the_very_start_and_end() -> None:
    speech = [Region(0, 4000), Region(4500, 10_000)]
    chunks = plan_chunks(speech, flat(10 * SECOND), 10 * SECOND)
    assert chunks == [Chunk((Region(0, 10_000),), CLIP, CLIP)]
    # Longer than a chunk, still starting at 0 and ending at the clip's end.
    speech = [Region(0, 20_000), Region(22_000, 45_000)]
    chunks = plan_chunks(speech, flat(45 * SECOND), 45 * SECOND)
    assert chunks[0].start == 0 and chunks[0].cut_before == CLIP
    assert chunks[-1].end == 45 * SECOND and chunks[-1].cut_after == CLIP
    assert_plan(chunks, speech, 45 * SECOND)


def test_regions_outside_the_clip_are_clipped_and_overlaps_joined() -> None:
    chunks = plan_chunks([Region(-500, 1000), Region(800, 2000), Region(9000, 12_000)],
                         flat(10 * SECOND), 10 * SECOND)
    assert chunks[0].start == 0 and chunks[-1].end == 10 * SECOND


def test_long_pauses_are_shortened_inside_a_chunk() -> None:
    speech = [Region(1000, 4000), Region(9000, 12_000)]  # a 5 s pause
    chunks = plan_chunks(speech, flat(20 * SECOND), 20 * SECOND)
    assert chunks == [Chunk((Region(600, 4400), Region(8600, 12_400)), PAUSE, PAUSE)]
    assert chunks[0].duration == 3800 + 3800  # the pause kept as two paddings


def test_a_short_pause_is_kept_whole() -> None:
    chunk = chunk_of([Region(1000, 4000), Region(4700, 6000)], 0, 10_000)
    assert chunk.pieces == (Region(600, 6400),)


def cut_pauses(chunks: Sequence[Chunk], speech: Sequence[Region]) -> list[int]:
    """The length of each pause a cut between two chunks falls in."""
    return [b.start - a.end for a, b in zip(speech, speech[1:], strict=False)
            if any(a.end <= c.end <= b.start for c in chunks[:-1])]


def test_speech_longer_than_a_chunk_is_cut_at_its_longest_pause() -> None:
    # Utterances of 9 s: 63 s needs three chunks, which can cut in the two 1.5 s pauses.
    speech, at = [], 0
    for gap in (500, 1500, 500, 700, 1500, 500, 0):
        speech.append(Region(at, at + 9000))
        at += 9000 + gap
    duration = at + 2000
    chunks = plan_chunks(speech, flat(duration), duration)
    assert_plan(chunks, speech, duration)
    assert len(chunks) == 3
    assert cut_pauses(chunks, speech) == [1500, 1500]


def test_the_fewest_chunks_before_the_longest_pause() -> None:
    # 54 s: two chunks, cutting at the only pause that leaves both short enough (0.5 s), rather
    # than three chunks to use the 1.2 s pause.
    speech, at = [], 0
    for gap in (500, 1200, 500, 500, 500, 0):
        speech.append(Region(at, at + 9000))
        at += 9000 + gap
    duration = at + 2000
    chunks = plan_chunks(speech, flat(duration), duration)
    assert_plan(chunks, speech, duration)
    assert len(chunks) == 2
    assert cut_pauses(chunks, speech) == [500]


def test_the_fewest_chunks_then_the_longest_pauses() -> None:
    # 3 x 14 s utterances: two chunks are needed; the cut goes in the 3 s pause, not the 0.4 s.
    speech = [Region(0, 14_000), Region(14_400, 28_400), Region(31_400, 45_400)]
    chunks = plan_chunks(speech, flat(46 * SECOND), 46 * SECOND)
    assert len(chunks) == 2
    assert chunks[0].end <= 31_400 and chunks[1].start >= 28_400
    assert_plan(chunks, speech, 46 * SECOND)


def test_many_tiny_pauses() -> None:
    # 70 s of 0.9 s words with 0.15 s pauses, and one pause of 0.3 s at about 35 s.
    speech, at = [], 0
    while at < 70_000:
        speech.append(Region(at, at + 900))
        at += 900 + (300 if 34_000 <= at < 35_000 else 150)
    duration = at + 1000
    chunks = plan_chunks(speech, flat(duration), duration)
    assert_plan(chunks, speech, duration)
    assert len(chunks) == 3
    assert all(c.cut_after in (PAUSE, CLIP) for c in chunks)


def test_a_long_stretch_without_pauses_is_cut_at_its_quietest_point() -> None:
    duration = 50 * SECOND
    energy = with_dips(duration, [8_000, 24_000, 40_000])
    chunks = plan_chunks([Region(0, duration)], energy, duration)
    assert len(chunks) == 2
    assert chunks[0].cut_after == QUIET and chunks[1].cut_before == QUIET
    assert abs(chunks[0].end - 24_000) <= 150  # the dip where both pieces fit
    assert_plan(chunks, [Region(0, duration)], duration)


def test_a_very_long_stretch_without_pauses() -> None:
    duration = 100 * SECOND
    chunks = plan_chunks([Region(500, duration - 500)], flat(duration), duration)
    assert len(chunks) >= 4
    assert_plan(chunks, [Region(500, duration - 500)], duration)


def test_split_long_speech_leaves_short_regions_alone() -> None:
    regions = [Region(0, 5000), Region(6000, 9000)]
    assert split_long_speech(regions, flat(10 * SECOND)) == regions


@pytest.mark.parametrize("seed", range(60))
def test_random_speech_always_gets_a_valid_plan(seed: int) -> None:
    rng = random.Random(seed)
    speech, at = [], rng.choice([0, rng.randint(0, 5000)])
    for _ in range(rng.randint(1, 60)):
        length = rng.choice([rng.randint(50, 3000), rng.randint(3000, 12_000),
                             rng.randint(30_000, 70_000) if rng.random() < 0.1 else 800])
        speech.append(Region(at, at + length))
        at += length + rng.choice([rng.randint(100, 400), rng.randint(400, 2000),
                                   rng.randint(2000, 8000)])
    duration = speech[-1].end + rng.choice([0, rng.randint(0, 3000)])
    energy = [rng.random() for _ in range(duration // FRAME_MS + 1)]
    chunks = plan_chunks(speech, energy, duration)
    assert_plan(chunks, speech, duration)


# --- time mapping ------------------------------------------------------------------------------


CHUNK = Chunk((Region(1000, 4000), Region(9000, 12_000)))  # 3 s + 3 s decoded as 6 s


def test_times_map_back_to_the_clip() -> None:
    assert CHUNK.duration == 6000
    assert CHUNK.to_clip(0) == 1000
    assert CHUNK.to_clip(2999) == 3999
    assert CHUNK.to_clip(3000) == 9000
    assert CHUNK.to_clip(6000) == 12_000
    assert CHUNK.to_clip(9999) == 12_000


def test_a_word_stretched_over_a_join_goes_where_it_was_spoken() -> None:
    # "1813, if the": Whisper stretched "if" back over the silence before it; a phrase ended.
    words = [Word(2000, 2700, "1813,"), Word(2750, 3200, "if"), Word(3200, 3700, "the"),
             Word(3700, 3900, "reader.")]
    out = CHUNK.words_to_clip(words)
    assert [(w.start, w.end) for w in out] == [(3000, 3700), (9000, 9200), (9200, 9700),
                                                (9700, 9900)]


def test_a_segments_first_and_last_words_over_a_join() -> None:
    # A segment starting "If ..." after the join; one ending "... them." before it.
    assert CHUNK.words_to_clip([Word(2800, 3150, "If"), Word(3150, 3500, "the")])[0] == \
        Word(9000, 9150, "If")
    out = CHUNK.words_to_clip([Word(2000, 2500, "for"), Word(2500, 3500, "them.")])
    assert out[1] == Word(3500, 4000, "them.")


def test_a_word_stretched_a_little_past_a_join_stays_before_it() -> None:
    # "planks" (no punctuation either side) ends 60 ms past the join: it was said before.
    out = CHUNK.words_to_clip([Word(2000, 2500, "smooth"), Word(2500, 3060, "planks"),
                               Word(3060, 3600, "and"), Word(3600, 3900, "so")])
    assert [(w.start, w.end) for w in out] == [(3000, 3500), (3500, 4000), (9060, 9600),
                                                (9600, 9900)]
    # Reaching well past the join with nothing to say otherwise, it was said after.
    out = CHUNK.words_to_clip([Word(2000, 2500, "smooth"), Word(2500, 3400, "planks"),
                               Word(3400, 3600, "and")])
    assert out[1] == Word(9000, 9400, "planks")


# --- the boundary guard ------------------------------------------------------------------------


def words(text: str, start: int, each: int = 300, probability: float = 0.9) -> list[Word]:
    return [Word(start + i * each, start + (i + 1) * each, t, probability)
            for i, t in enumerate(text.split())]


def test_a_segment_ending_on_its_chunks_edge_is_suspect() -> None:
    chunk = Chunk((Region(0, 30_000),), CLIP, PAUSE)
    segs = [Decoded(words("how much there might be be", 28_100), chunk)]
    (suspect,) = find_suspects(segs, [], 60_000)
    assert suspect.reasons[0].startswith("chunk-edge")
    assert (suspect.first, suspect.last) == (0, 0)
    assert suspect.lo == 0 and suspect.hi == 60_000


def test_the_clips_own_end_is_not_a_chunk_edge() -> None:
    chunk = Chunk((Region(0, 29_800),), CLIP, CLIP)
    assert find_suspects([Decoded(words("the end", 29_200), chunk)], [], 29_800) == []


def test_a_zero_probability_word_is_suspect() -> None:
    chunk = Chunk((Region(0, 20_000),), CLIP, CLIP)
    good = words("and so my fellow", 1000)
    bad = [*words("ask not", 3000), Word(3600, 3900, "be", 0.001)]
    suspects = find_suspects([Decoded(good, chunk), Decoded(bad, chunk)], [], 20_000)
    assert [(s.first, s.last) for s in suspects] == [(1, 1)]
    assert suspects[0].reasons[0].startswith("zero-probability")
    assert suspects[0].lo == good[-1].end  # what a re-decode may replace starts after "fellow"


def test_a_word_repeated_across_a_join_flags_both_segments() -> None:
    chunk = Chunk((Region(0, 20_000),), CLIP, CLIP)
    segs = [Decoded(words("there might be", 1000), chunk),
            Decoded(words("Be prudently in his power", 2000), chunk),
            Decoded(words("to do for them", 6000), chunk)]
    (suspect,) = find_suspects(segs, [], 20_000)
    assert (suspect.first, suspect.last) == (0, 1)
    assert suspect.reasons[0].startswith("repeated-join: 'be'")
    assert suspect.hi == 6000


def test_speech_nobody_heard_is_suspect() -> None:
    chunk = Chunk((Region(0, 20_000),), CLIP, CLIP)
    segs = [Decoded(words("and so my fellow Americans", 1000), chunk),
            Decoded(words("the birch canoe", 12_000), chunk)]
    speech = [Region(1000, 2500), Region(4000, 7000), Region(8000, 8300), Region(12_000, 12_900)]
    (suspect,) = find_suspects(segs, speech, 20_000)
    assert suspect.reasons[0].startswith("unheard-speech: 4.00-7.00 s")
    assert (suspect.first, suspect.last) == (1, 0)  # no words to replace, only to add
    assert suspect.focus == Region(4000, 7000)
    assert (suspect.lo, suspect.hi) == (2500, 12_000)


def test_suspects_next_to_each_other_join() -> None:
    chunk = Chunk((Region(0, 30_000),), CLIP, PAUSE)
    segs = [Decoded(words("how much there might be be.", 28_200), chunk)]
    speech = [Region(27_000, 29_000), Region(30_500, 33_000)]
    (suspect,) = find_suspects(segs, speech, 40_000)
    assert suspect.reasons[0].startswith("chunk-edge")
    assert suspect.reasons[1].startswith("unheard-speech")
    assert suspect.focus == Region(28_200, 33_000)


def test_a_redecode_window_starts_before_the_suspect_and_reaches_past_it() -> None:
    speech = [Region(1000, 9000), Region(10_000, 20_000), Region(21_000, 29_500),
              Region(31_000, 40_000)]
    chunks = plan_chunks(speech, flat(45 * SECOND), 45 * SECOND)
    chunk = chunks[0]
    segs = [Decoded(words("how much there might be be", chunk.end - 1850), chunk)]
    (suspect,) = find_suspects(segs, [], 45 * SECOND)
    window = redecode_window(suspect, chunk, speech, flat(45 * SECOND), 45 * SECOND)
    assert window is not None
    assert window.duration <= MAX_CHUNK_MS
    assert window.start <= suspect.focus.start and window.end >= suspect.focus.end + 1000
    assert window.start != chunk.start and window.end != chunk.end
    assert covered([window], Region(suspect.focus.start, suspect.focus.end))


def test_a_redecode_window_of_speech_alone_is_moved_into_the_silence() -> None:
    speech = [Region(10_000, 14_000)]
    (chunk,) = plan_chunks(speech, flat(30 * SECOND), 30 * SECOND)
    segs = [Decoded([*words("ask not", 10_000), Word(10_600, 10_900, "be", 0.0)], chunk)]
    (suspect,) = find_suspects(segs, speech, 30 * SECOND)
    window = redecode_window(suspect, chunk, speech, flat(30 * SECOND), 30 * SECOND)
    assert window is not None
    assert window.pieces != chunk.pieces
    assert window.start < chunk.start and window.end > chunk.end


def test_a_whole_short_clip_without_vad_is_decoded_again_a_little_later() -> None:
    chunk = Chunk((Region(0, 12_000),), CLIP, CLIP)
    segs = [Decoded([*words("ask not", 4000), Word(4600, 4900, "be", 0.0)], chunk)]
    (suspect,) = find_suspects(segs, [], 12_000)
    window = redecode_window(suspect, chunk, [], flat(12_000), 12_000)
    assert window is not None and window.pieces == (Region(1000, 12_000),)
    # Nothing to move when the suspect words fill the clip.
    segs = [Decoded([Word(0, 6000, "so", 0.0), Word(6000, 12_000, "so", 0.9)], chunk)]
    (suspect,) = find_suspects(segs, [], 12_000)
    assert redecode_window(suspect, chunk, [], flat(12_000), 12_000) is None


def test_confidence_counts_words_heard_with_probability() -> None:
    sure = words("ask what you can do", 0, probability=0.9)
    unsure = words("ask what you can do for your country", 0, probability=0.3)
    assert confidence(sure) > confidence(unsure)
    assert confidence([*sure, Word(0, 1, "x", 0.6)]) > confidence(sure)
    assert confidence([]) == (0, 0.0)

"""Description scripts: strict WebVTT reading with file:line errors, hashes, card descriptions."""

from __future__ import annotations

import pytest

from pipeline.describe import (
    Description,
    DescriptionError,
    card_descriptions,
    descriptions_path,
    descriptions_sha256,
    load_descriptions,
)
from pipeline.project import Project
from tests.conftest import run_cli
from tests.describe.conftest import write_script

GOOD = """WEBVTT

NOTE written with the contributors

intro
00:00:01.000 --> 00:00:02.800
Amara sits at a <i>kitchen</i> table &amp; smiles.

00:03.600 --> 00:04.000 align:start
She
waves.
"""


def test_a_clip_without_a_script_has_no_descriptions(described_film: Project) -> None:
    assert load_descriptions(described_film, "clip-1") == []
    assert descriptions_sha256(described_film, "clip-1") is None
    assert descriptions_path(described_film, "clip-1") == \
        described_film.root / "descriptions" / "clip-1.vtt"


def test_cues_are_numbered_in_file_order_with_plain_text(described_film: Project) -> None:
    path = write_script(described_film, "clip-1", GOOD)
    assert load_descriptions(described_film, "clip-1") == [
        Description(1, 1000, 2800, "Amara sits at a kitchen table & smiles."),
        Description(2, 3600, 4000, "She waves."),
    ]
    assert descriptions_sha256(described_film, "clip-1") == \
        described_film.file_sha256(path)


@pytest.mark.parametrize(("text", "line", "reason"), [
    ("00:00:01.000 --> 00:00:02.000\nHi\n", 1, "not a WebVTT file"),
    ("WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nHi\n", 3, "cue text with no timing line"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nHi\n", 3, ""),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\n", 3, "cue 1 has no text"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nOne.\n\n00:00:02.000 --> 00:00:04.000\nTwo.\n",
     6, "cue 2 starts before cue 1 ends"),
])
def test_bad_scripts_name_the_file_and_line(described_film: Project, text: str, line: int,
                                            reason: str) -> None:
    path = write_script(described_film, "clip-1", text)
    with pytest.raises(DescriptionError) as caught:
        load_descriptions(described_film, "clip-1")
    assert str(caught.value).startswith(f"{path}:{line}: {reason}")
    assert "\n" not in str(caught.value)


def test_a_bad_script_is_one_line_from_describe_check(described_film: Project) -> None:
    path = write_script(described_film, "clip-1", "WEBVTT\n\n00:00:01.000 --> nonsense\nHi\n")
    code, out = run_cli("describe", "check", str(described_film.root))
    assert code == 1
    assert out.strip().splitlines()[0].startswith(f"{path}:3: ")
    assert "Traceback" not in out


def test_a_folder_or_binary_where_the_script_should_be(described_film: Project) -> None:
    path = descriptions_path(described_film, "clip-1")
    path.mkdir(parents=True)
    with pytest.raises(DescriptionError, match=r"clip-1\.vtt"):
        load_descriptions(described_film, "clip-1")
    path.rmdir()
    path.write_bytes(b"\x00\xff\xfe" * 50)
    with pytest.raises(DescriptionError, match=r"clip-1\.vtt"):
        load_descriptions(described_film, "clip-1")


def test_cards_are_described_from_their_text(described_film: Project) -> None:
    title = [("Our Film", 0.075), ("", 0.04), ("A co-produced film", 0.045)]
    [card] = card_descriptions(described_film, title)
    assert card.text == "Our Film. A co-produced film."
    assert card.cue == 1 and card.start_ms == 0
    # 160 words a minute and a breath: five words take about 2.3 s.
    assert 1500 < card.end_ms < 3500
    credits = ["Co-produced by", "Amara Okafor", "Chloé Dubois", "and 1 more contributor"]
    assert card_descriptions(described_film, credits)[0].text == \
        "Co-produced by Amara Okafor, Chloé Dubois and 1 more contributor."
    assert card_descriptions(described_film, ["Thank you for watching"])[0].text == \
        "Thank you for watching."
    assert card_descriptions(described_film, ["", "  "]) == []


def test_film_yaml_names_describers_that_are_contributors(described_film: Project) -> None:
    from pipeline.exceptions import ProjectError

    described_film.doc["clips"]["clip-1"]["described_by"] = ["ben"]
    described_film.save()
    assert described_film.reload().clip("clip-1").described_by == ("ben",)
    described_film.doc["clips"]["clip-1"]["described_by"] = ["ben", "nobody"]
    with pytest.raises(ProjectError, match=r"film\.yaml(:\d+)?: clips: clip-1: described_by: "
                                           r"unknown contributor id 'nobody'"):
        described_film.save()

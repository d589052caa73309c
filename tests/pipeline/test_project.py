"""film.yaml: creation, round trip with comments kept, and every validation error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline import fsutil
from pipeline.exceptions import ProjectError
from pipeline.film import parse_time_ms
from pipeline.project import Project


def test_create_makes_folders_and_commented_film_yaml(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "film", "Our film: together", "en")
    for sub in ("footage", "captions", "consent", "build"):
        assert (tmp_path / "film" / sub).is_dir()
    text = project.film_yaml.read_text()
    assert "# coprod film project" in text
    assert project.film.title == "Our film: together"
    assert project.film.render_profiles == ["web"]
    assert project.film.caption_style == "bbc"


def test_create_refuses_existing_project(tmp_path: Path) -> None:
    Project.create(tmp_path / "film", "One")
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(tmp_path / "film", "Two")


def test_round_trip_keeps_comments_and_key_order(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "film", "Film")
    path = project.film_yaml
    text = path.read_text().replace(
        "contributors: []",
        "contributors:\n  # our first contributor\n  - id: amara\n    name: Amara O  # display\n",
    ).replace("title:", "# the producer's own note\ntitle:")
    path.write_text(text)
    project = Project.open(tmp_path / "film")
    (tmp_path / "film" / "footage" / "a.mp4").write_bytes(b"x")
    project.add_clip("a", "footage/a.mp4", "0" * 64, ["amara"])
    project.save()
    saved = path.read_text()
    assert "# the producer's own note" in saved
    assert "# our first contributor" in saved
    assert "name: Amara O  # display" in saved
    keys = [ln.split(":")[0] for ln in saved.splitlines() if ln and ln[0].isalpha()]
    assert keys == ["id", "title", "language", "contributors", "clips", "sequence", "captions",
                    "consent", "profiles", "open_captions"]
    reopened = Project.open(tmp_path / "film")
    assert reopened.film.clips["a"].contributors == ("amara",)
    assert [s.clip_id for s in reopened.film.sequence] == ["a"]


def _write(tmp_path: Path, body: str) -> Path:
    root = tmp_path / "film"
    (root / "footage").mkdir(parents=True)
    (root / "footage" / "a.mp4").write_bytes(b"x")
    (root / "footage" / "b.mp4").write_bytes(b"y")
    (root / "film.yaml").write_text(body)
    return root


GOOD = """\
title: Film
contributors:
  - id: amara
    name: Amara
clips:
  a:
    file: footage/a.mp4
    contributors: [amara]
  b:
    file: footage/b.mp4
    contributors: [amara]
sequence:
  - clip: a
    in: 1
    out: 00:00:03.500
  - clip: b
profiles: [web]
"""


def test_good_film_yaml_parses_times(tmp_path: Path) -> None:
    film = Project.open(_write(tmp_path, GOOD)).film
    assert film.sequence[0].in_ms == 1000
    assert film.sequence[0].out_ms == 3500
    assert film.sequence[1].in_ms is None


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("contributors: [amara]\n  b:", "contributors: [zoe]\n  b:", 8,
         "unknown contributor id 'zoe'"),
        ("    in: 1\n", "    in: 4\n", 14, "in (4) must be before out"),
        ("file: footage/a.mp4", "file: ../outside.mp4", 7, "outside the project folder"),
        ("file: footage/a.mp4", "file: /etc/passwd", 7, "outside the project folder"),
        ("profiles: [web]", "profiles: [web, cinema]", 17, "unknown profile 'cinema'"),
        ("  - clip: b\n", "  - clip: zz\n", 16, "unknown clip id 'zz'"),
        ("title: Film", "title: Film\ncolour: red", 2, "unknown key 'colour'"),
        ("    in: 1\n", "    in: soon\n", 14, "not a time"),
        ("title: Film", "title: [", 1, "not valid YAML"),
    ],
)
def test_validation_errors_name_key_and_line(tmp_path: Path, old: str, new: str, line: int,
                                             message: str) -> None:
    assert old in GOOD
    root = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ProjectError) as info:
        Project.open(root)
    assert message in str(info.value)
    if message != "not valid YAML":
        assert info.value.line == line
    assert str(info.value).startswith(str(root / "film.yaml"))


def test_symlink_escaping_the_project_is_refused(tmp_path: Path) -> None:
    root = _write(tmp_path, GOOD)
    (tmp_path / "secret.mp4").write_bytes(b"s")
    (root / "footage" / "link.mp4").symlink_to(tmp_path / "secret.mp4")
    (root / "film.yaml").write_text(GOOD.replace("footage/a.mp4", "footage/link.mp4"))
    with pytest.raises(ProjectError, match="outside the project folder"):
        Project.open(root)


def test_missing_project_and_film_yaml(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no such project folder"):
        Project.open(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ProjectError, match="film.yaml: missing"):
        Project.open(tmp_path / "empty")


def test_parse_time_ms() -> None:
    assert parse_time_ms(1.5) == 1500
    assert parse_time_ms("01:02:03.250") == 3723250
    assert parse_time_ms("02:03") == 123000
    for bad in ("x", -1, True, "1:2:3:4"):
        with pytest.raises(ValueError):
            parse_time_ms(bad)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("contributors: [amara]\n  b:", "contributors: [[1]]\n  b:", "unknown contributor id"),
        ("  - clip: b\n", "  - clip: [a]\n", "unknown clip id"),
        ("    in: 1\n", "    in: .inf\n", "not a time"),
        ("    in: 1\n", "    in: '01:-30'\n", "not a time"),
        ("    in: 1\n", "    in: [1]\n", "not a time"),
        ("title: Film", "title: 5", "title: must be a non-empty text"),
        ("clips:\n  a:\n    file: footage/a.mp4\n    contributors: [amara]\n  b:\n"
         "    file: footage/b.mp4\n    contributors: [amara]\n", "clips: [a]\n",
         "clips: must be a mapping"),
        ("  - clip: b\n", "  - clip: b\n    speed: 2\n", "unknown key 'speed'"),
    ],
)
def test_wrong_types_are_clean_errors(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in GOOD
    root = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ProjectError, match=message.replace("[", r"\[")):
        Project.open(root)


def test_film_yaml_that_is_a_list(tmp_path: Path) -> None:
    root = _write(tmp_path, "- a\n- b\n")
    with pytest.raises(ProjectError, match="must be a mapping"):
        Project.open(root)


def test_bad_language_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="not an ISO 639 code"):
        Project.create(tmp_path / "film", "Film", "English")
    assert not (tmp_path / "film").exists()
    Project.create(tmp_path / "film", "Film", "en")


def test_create_inside_a_file_is_a_clean_error(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ProjectError):
        Project.create(tmp_path / "afile" / "sub", "Film")


def test_hash_cache_is_not_fooled_by_a_same_size_edit_with_the_old_mtime(tmp_path: Path) -> None:
    import os

    project = Project.create(tmp_path / "film", "Film")
    path = project.captions_dir / "x.srt"
    path.write_text("1\n00:00:00,000 --> 00:00:01,000\nmy dog\n")
    first = project.file_sha256(path)
    st = path.stat()
    path.write_text("1\n00:00:00,000 --> 00:00:01,000\nmy cat\n")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert project.file_sha256(path) != first


def test_language_codes_known_and_unknown(tmp_path: Path) -> None:
    from pipeline.languages import iso639_2

    assert (iso639_2("cs"), iso639_2("cy"), iso639_2("en"), iso639_2("cym")) == \
        ("ces", "cym", "eng", "cym")
    Project.create(tmp_path / "czech", "Film", "cs")
    with pytest.raises(ProjectError, match="not an ISO 639 code"):
        Project.create(tmp_path / "bad", "Film", "xq")
    root = _write(tmp_path, GOOD.replace("title: Film", "title: Film\nlanguage: qq"))
    with pytest.raises(ProjectError, match="language: 'qq'") as info:
        Project.open(root)
    assert info.value.line == 2


def test_add_clip_never_overwrites_an_entry(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "film", "Film")
    project.add_contributor("amara")
    project.add_clip("talk", "footage/talk.mp4", "a" * 64, ["amara"])
    with pytest.raises(ProjectError, match="clip id 'talk' is already taken"):
        project.add_clip("talk", "footage/other.mp4", "b" * 64, [])
    assert project.doc["clips"]["talk"]["sha256"] == "a" * 64
    with pytest.raises(ProjectError, match="must be lower-case"):
        project.add_clip("talk\n", "footage/x.mp4", "c" * 64, [])


@pytest.mark.parametrize("bad", ["amara\n", "Amara", "-amara", "a" * 65, "am ara", ""])
def test_ids_are_matched_in_full(bad: str) -> None:
    from pipeline.film import ID_RE, is_id

    assert not is_id(bad)
    assert ID_RE.match(bad) is None  # anchored too, for any caller using match()
    assert is_id("amara") and is_id("clip-2_b") and is_id("a" * 64)


def test_fresh_footage_hash_never_trusts_a_rewritten_cache(tmp_path: Path) -> None:
    import json

    project = Project.create(tmp_path / "film", "Film")
    footage = project.footage_dir / "talk.mp4"
    footage.write_bytes(b"signed footage")
    signed = project.file_sha256(footage)
    project.add_clip("talk", "footage/talk.mp4", signed, [])
    project.save()
    footage.write_bytes(b"swapped footage")
    cache_path = project.build_dir / "cache" / "hashes.json"
    cache = json.loads(cache_path.read_text())
    stamp = list(fsutil.change_stamp(footage) or ())
    cache[str(footage.resolve())] = {"stamp": stamp, "sha256": signed}  # the forger's edit
    cache_path.write_text(json.dumps(cache))
    assert project.footage_sha256("talk") == signed  # the cache is only a cache
    assert project.footage_sha256("talk", fresh=True) == fsutil.sha256_bytes(b"swapped footage")
    # The fresh hash is written back, so status sees the truth afterwards too.
    assert project.footage_sha256("talk") == fsutil.sha256_bytes(b"swapped footage")


def test_a_broken_or_unwritable_hash_cache_costs_only_a_hash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    project = Project.create(tmp_path / "film", "Film")
    path = project.captions_dir / "x.srt"
    path.write_text("text")
    (project.build_dir / "cache").mkdir()
    (project.build_dir / "cache" / "hashes.json").write_text("[1, 2]")  # JSON, not coprod's
    assert project.file_sha256(path) == fsutil.sha256_bytes(b"text")

    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fsutil, "atomic_write_bytes", full)
    monkeypatch.setattr("pipeline.project.atomic_write_bytes", full)
    path.write_text("new text")
    assert project.file_sha256(path) == fsutil.sha256_bytes(b"new text")


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_footage_that_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    import os

    project = Project.create(tmp_path / "film", "Film")
    project.add_clip("talk", "footage/talk.mp4", "a" * 64, [])
    project.save()
    footage = project.footage_dir / "talk.mp4"
    if kind == "fifo":
        os.mkfifo(footage)
    else:
        footage.mkdir()
    words = "a FIFO (named pipe)" if kind == "fifo" else "a folder"
    for fresh in (False, True):
        with pytest.raises(ProjectError, match=rf"mp4: is not a file: it is {re.escape(words)};"):
            project.footage_sha256("talk", fresh=fresh)


def test_film_yaml_that_cannot_be_read_is_one_line(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    project = Project.create(tmp_path / "film", "Film")

    def denied(*_args: object, **_kwargs: object) -> bytes:
        raise PermissionError(errno.EACCES, "Permission denied", str(project.film_yaml))

    monkeypatch.setattr("pipeline.project.read_regular_bytes", denied)
    with pytest.raises(ProjectError) as info:
        Project.open(project.root)
    assert str(info.value) == (f"{project.film_yaml}: permission denied; check the permissions "
                               "of this file and its folder")


def test_a_clip_needing_no_description_carries_the_producers_reason(tmp_path: Path) -> None:
    marked = GOOD.replace("    file: footage/b.mp4\n", "    file: footage/b.mp4\n"
                          "    no_visual_description_needed: black screen, music only\n", 1)
    assert marked != GOOD
    film = Project.open(_write(tmp_path / "good", marked)).film
    assert film.clips["b"].no_visual_description_needed == "black screen, music only"
    assert film.clips["a"].no_visual_description_needed is None
    for bad in ("''", "true", "[x]"):
        root = _write(tmp_path / bad.strip("'[]") / "x", marked.replace(
            "black screen, music only", bad))
        with pytest.raises(ProjectError, match="no_visual_description_needed: give the reason"):
            Project.open(root)

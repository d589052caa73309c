"""The cluster config file: path mapping, retries, time-out; every mistake named with its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cluster import ClusterConfig, ClusterConfigError, load_config


def test_no_file_means_the_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "cluster.yaml")
    assert config == ClusterConfig()
    assert config.to_worker(Path("/home/sam/films/a")) == Path("/home/sam/films/a")


def test_paths_map_whole_folders_and_the_longest_wins(tmp_path: Path) -> None:
    path = tmp_path / "cluster.yaml"
    path.write_text("paths:\n  /home/sam/films: /mnt/films\n  /home/sam/films/big: /big\n"
                    "retries: 3\nconnect_timeout: 5\n", encoding="utf-8")
    config = load_config(path)
    assert (config.retries, config.connect_timeout) == (3, 5.0)
    assert config.to_worker(Path("/home/sam/films/ours/film.yaml")) == \
        Path("/mnt/films/ours/film.yaml")
    assert config.to_worker(Path("/home/sam/films/big/x.mp4")) == Path("/big/x.mp4")
    assert config.to_worker(Path("/home/sam/films")) == Path("/mnt/films")
    # A folder whose name only starts the same is not under it.
    assert config.to_worker(Path("/home/sam/films2/x")) == Path("/home/sam/films2/x")


@pytest.mark.parametrize(("text", "message"), [
    ("paths: [/a]\n", "paths: must map"),
    ("paths:\n  relative: /mnt\n", "paths: must be an absolute folder path"),
    ("paths:\n  /a: mnt\n", "paths./a: must be an absolute folder path"),
    ("retries: -1\n", "retries: must be a whole number 0-20"),
    ("retries: yes\n", "retries: must be a whole number"),
    ("connect_timeout: 0\n", "connect_timeout: must be a number of seconds"),
    ("workers: 4\n", "unknown key 'workers'"),
    ("paths: {\n", "line 2: not valid YAML"),
    ("- a\n", "must be a mapping"),
])
def test_a_bad_config_is_one_line_naming_the_file_and_key(tmp_path: Path, text: str,
                                                          message: str) -> None:
    path = tmp_path / "cluster.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ClusterConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_folder_as_the_config_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cluster.yaml").mkdir()
    with pytest.raises(ClusterConfigError, match="is a folder"):
        load_config(tmp_path / "cluster.yaml")


def test_segment_paths_are_sent_absolute_and_mapped(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A project opened by a relative path still names files the workers can find."""
    from pipeline.cluster import ClusterSession
    from pipeline.render.plan import Part, PartKind
    from pipeline.render.segments import SegmentFiles, SegmentJob
    from pipeline.render_profiles import load_profile

    monkeypatch.chdir(tmp_path)
    seg = Path("film/build/segments")
    part = Part("clip-1", PartKind.CLIP, 0, 25, clip_id="clip-1",
                source=Path("film/footage/clip-1.mp4"))
    files = SegmentFiles("v", "c", "a", seg / "v.mp4", seg / "c.mp4", seg / "a.wav",
                         seg / "c.ass")
    job = SegmentJob(part, files, load_profile("web"), True, True, True)
    config = ClusterConfig(paths=((str(tmp_path.resolve()), "/mnt/films"),))
    sent = ClusterSession(None, config, "test")._worker_job(job)
    assert sent.part.source == Path("/mnt/films/film/footage/clip-1.mp4")
    assert sent.files.video == Path("/mnt/films/film/build/segments/v.mp4")
    assert sent.files.ass == Path("/mnt/films/film/build/segments/c.ass")
    assert sent.files.audio == Path("/mnt/films/film/build/segments/a.wav")

"""No trusted cache on the publishing path (issue 9, item 7).

The reproduction: replacing a clip's footage and rewriting its entry in build/cache/hashes.json
let a render pass the gate, and the manifest recorded the signed hash, not the file's. Now a
render for the web or broadcast hashes every clip's footage afresh (each once, all at once in
threads) and binds the gate, the segment keys and the manifest to those hashes.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from pipeline import clearance
from pipeline.fsutil import change_stamp
from pipeline.project import Project
from pipeline.render import GateRefusedError, RenderError, render_film
from tests.pipeline.conftest import TODAY, FilmFixture, MakeFilm, tiny

pytestmark = pytest.mark.slow


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _outputs(out_dir: Path) -> dict[str, str]:
    return {p.name: _sha(p) for p in sorted(out_dir.iterdir()) if p.is_file()}


def _replace_footage_and_lie(film: FilmFixture, clip_id: str, other: str) -> tuple[Path, str]:
    """Put ``other``'s footage in place of ``clip_id``'s and rewrite the hash cache so that it
    still vouches for the signed hash; return the footage path and the signed hash."""
    project = film.project
    target = project.clip(clip_id).file
    signed = _sha(target)
    target.write_bytes(project.clip(other).file.read_bytes())
    cache_path = project.build_dir / "cache" / "hashes.json"
    cache = json.loads(cache_path.read_text())
    stamp = change_stamp(target)
    assert stamp is not None
    cache[str(target.resolve())] = {"stamp": list(stamp), "sha256": signed}
    cache_path.write_text(json.dumps(cache))
    assert project.footage_sha256(clip_id) == signed != _sha(target)  # the cache now lies
    return target, signed


def test_rewritten_hash_cache_does_not_get_replaced_footage_past_the_gate(
        make_film: MakeFilm) -> None:
    film = make_film(2, sizes=["320x180", "320x240"])
    first = render_film(film.project, tiny(), today=TODAY)
    before = _outputs(first.out_dir)
    target, signed = _replace_footage_and_lie(film, "clip-1", "clip-2")
    with pytest.raises(GateRefusedError, match="clip-1: contributor amara: sign-off is stale"):
        render_film(film.project, tiny(), today=TODAY)
    assert _outputs(first.out_dir) == before
    # Signed again as it now is, the film is made, and its manifest names the bytes it used.
    (film.project.build_dir / "cache" / "hashes.json").unlink()
    film.sign_off(["clip-1"])
    again = render_film(film.reload(), tiny(), today=TODAY)
    clips = {c["id"]: c for c in again.manifest["clips"]}
    old = {c["id"]: c for c in first.manifest["clips"]}
    assert clips["clip-1"]["footage_sha256"] == _sha(target) != signed
    # Its segment is named by the bytes it now holds (clip-2's), not by the signed hash.
    for what in ("video", "audio"):
        keys = [c["segments"][what] for c in (clips["clip-1"], clips["clip-2"], old["clip-1"])]
        assert keys[0] == keys[1] != keys[2]


def test_broadcast_render_ignores_the_cache_too(make_film: MakeFilm) -> None:
    film = make_film(2, sizes=["320x180", "320x240"])
    render_film(film.project, tiny("broadcast"), today=TODAY)
    _replace_footage_and_lie(film, "clip-2", "clip-1")
    with pytest.raises(GateRefusedError, match="clip-2: contributor ben: sign-off is stale"):
        render_film(film.project, tiny("broadcast"), today=TODAY)


def test_each_clips_footage_is_hashed_once_and_side_by_side(
        make_film: MakeFilm, monkeypatch: pytest.MonkeyPatch) -> None:
    film = make_film(3)
    footage = {film.project.clip(c).file.resolve() for c in film.clip_ids}
    hashed: list[tuple[Path, str]] = []
    real = Project.file_sha256

    def spy(self: Project, path: Path, *, fresh: bool = False) -> str:
        if path.resolve() in footage:
            assert fresh, "a publishing render read a footage hash from the cache"
            hashed.append((path.resolve(), threading.current_thread().name))
        return real(self, path, fresh=fresh)

    monkeypatch.setattr(Project, "file_sha256", spy)
    result = render_film(film.project, tiny(), today=TODAY)
    assert sorted(p for p, _ in hashed) == sorted(footage)  # each once, though many ask
    assert all(name.startswith("coprod-hash") for _, name in hashed)  # in the hashing threads
    for clip in result.manifest["clips"]:
        assert clip["footage_sha256"] == _sha(film.project.clip(clip["id"]).file)


def test_footage_replaced_after_the_gate_is_never_published(
        make_film: MakeFilm, monkeypatch: pytest.MonkeyPatch) -> None:
    film = make_film(2, sizes=["320x180", "320x240"])
    first = render_film(film.project, tiny(), today=TODAY)
    before = _outputs(first.out_dir)
    target = film.project.clip("clip-1").file
    real = clearance.clear_film

    def swap_after_gate(*args: Any, **kwargs: Any) -> Any:
        cleared = real(*args, **kwargs)
        target.write_bytes(film.project.clip("clip-2").file.read_bytes())
        return cleared

    monkeypatch.setattr(clearance, "clear_film", swap_after_gate)
    with pytest.raises(RenderError, match="clip-1"):
        render_film(film.project, tiny(), today=TODAY)
    assert _outputs(first.out_dir) == before

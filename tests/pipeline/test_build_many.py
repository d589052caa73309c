"""`coprod build P1 P2 ...`: a film that fails does not stop the others; all failures listed."""

from __future__ import annotations

from typing import Any

import pytest

from captions.formats import save as save_captions
from captions.model import Cue
from pipeline.build_many import build_films
from pipeline.exceptions import BatchError
from tests.pipeline.conftest import TODAY, tiny

pytestmark = pytest.mark.slow


def test_one_bad_film_is_listed_and_the_good_one_is_built(make_film: Any) -> None:
    good = make_film(1, folder="good")
    bad = make_film(1, folder="bad")
    # Overlapping cues: a QC error that stops that film's build before any render.
    save_captions([Cue(0, 1500, "One."), Cue(1000, 1800, "Two.")],
                  bad.project.caption_path("clip-1"))
    steps: list[str] = []
    with pytest.raises(BatchError) as caught:
        build_films([good.reload(), bad.reload()], [tiny("web")], today=TODAY,
                    progress=lambda step, _f: steps.append(step))
    ((where, error),) = caught.value.failures
    assert where == str(bad.project.root)
    assert "overlap" in str(error)
    builds = caught.value.builds  # type: ignore[attr-defined]
    assert builds[0].result is not None and "web" in builds[0].result.rendered
    assert (good.project.build_dir / "web" / "film.mp4").is_file()
    assert not (bad.project.build_dir / "web").exists()
    # Progress lines are named by film.
    assert steps and all(step.startswith(("good: ", "bad: ")) for step in steps)


def test_one_film_raises_its_own_error_as_before(make_film: Any) -> None:
    bad = make_film(1, folder="bad")
    save_captions([Cue(0, 1500, "One."), Cue(1000, 1800, "Two.")],
                  bad.project.caption_path("clip-1"))
    from pipeline.build import BuildError

    with pytest.raises(BuildError):
        build_films([bad.reload()], [tiny("web")], today=TODAY)

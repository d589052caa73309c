"""Issue 20 item 9: the clip's video carries a captions track of the words as saved now (so
full screen and a page without JavaScript show captions); only the contributor's own clips."""

from __future__ import annotations

import re

from captions.formats import loads
from pipeline.project import Project
from tests.review.conftest import MakeVisitor


def _track_src(html: str) -> str:
    found = re.search(r'<track id="track" kind="captions" src="([^"]+)"\s+srclang="en"', html)
    assert found, "the video has no captions track"
    return found[1].replace("&amp;", "&")


def test_the_video_has_a_captions_track_of_the_current_words(visitor: MakeVisitor,
                                                             film: Project) -> None:
    amara = visitor("amara")
    page = amara.get("/clip/amara-talk").text
    assert re.search(r"<video[^>]*>\s*<track[^>]*\bdefault\b[^>]*>\s*</video>", page)
    track = amara.get(_track_src(page))
    assert track.status_code == 200
    assert track.headers["content-type"].startswith("text/vtt")
    assert [c.text for c in loads(track.text, "vtt")][:2] == ["Hello, I am glad",
                                                              "to be in this flim."]
    fields = amara.form("/clip/amara-talk")
    assert amara.post("/save", {**fields, "text-2": "to be in this film."}).status_code == 303
    page = amara.get("/clip/amara-talk").text
    words = [c.text for c in loads(amara.get(_track_src(page)).text, "vtt")]
    assert words[1] == "to be in this film."


def test_only_their_own_clips_tracks(visitor: MakeVisitor) -> None:
    assert visitor("amara").get("/clip/ben-talk/captions.vtt").status_code == 404
    assert visitor(None).get("/clip/amara-talk/captions.vtt").status_code == 404
    assert visitor("ben").get("/clip/ben-talk/captions.vtt").status_code == 200

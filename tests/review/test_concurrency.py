"""Many saves and decisions at once, and a server killed mid-save: nothing is left broken.

Two "tabs" (two clients with amara's link) and the CLI (ben's sign-offs and change requests
on the clip they share) act on the same clip at the same time; afterwards the caption file
and its .vtt twin read cleanly and agree, the ledger verifies, and every sign-off the page
reported is in the ledger. Then a server is killed with SIGKILL while saving a 3000-caption
file, several times: the file is always a whole version, never half of one.

Nothing here waits a while and hopes: the kill is sent once a save is seen done and the next one
sent, and no assertion counts what got done in some time.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from captions.formats import load
from captions.model import Cue
from consent import ChangeRequest, SignOff
from pipeline import clearance
from pipeline.project import Project
from pipeline.review.links import LinkBook
from tests.review.conftest import form_fields
from tests.review.test_cli_review import _start

pytestmark = pytest.mark.slow
CLIP = "together"
WEB_OPS = 180
CLI_OPS = 20
HANG = 300  # seconds: only a hung server or client takes this long, however loaded


class Tab:
    """One browser tab: its own page fields, saving as the page's script does."""

    def __init__(self, httpx: Any, base: str, link: str) -> None:
        self.client = httpx.Client(base_url=base, timeout=60,
                                   headers={"origin": base})
        assert self.client.get(link).status_code == 303
        self.lock = threading.Lock()
        self.reload()

    def reload(self) -> None:
        fields = form_fields(self.client.get(f"/clip/{CLIP}").text)
        with self.lock:
            self.fields = fields

    def act(self, i: int) -> str:
        with self.lock:
            fields = dict(self.fields)
        if i % 9 == 0:
            response = self.client.post("/save", data={**fields, "action": "yes"})
            outcome = "yes" if response.status_code == 303 else str(response.status_code)
        elif i % 13 == 0:
            page = form_fields(self.client.get(f"/clip/{CLIP}/changes").text)
            response = self.client.post("/changes", data={**page, "words": f"change {i}"})
            outcome = "changes" if response.status_code == 303 else str(response.status_code)
        else:
            fields[f"text-{i % 3 + 1}"] = f"Edit number {i} from a tab"
            response = self.client.post("/save", data=fields,
                                        headers={"accept": "application/json"})
            outcome = "saved" if response.status_code == 200 else str(response.status_code)
        if response.status_code != 200 or outcome != "saved":
            self.reload()
        else:
            with self.lock:
                self.fields = {**fields, "version": response.json()["version"]}
        return outcome


def _base(lines: list[str]) -> str:
    found = re.search(r"Listening on 127\.0\.0\.1:(\d+):", "\n".join(lines))
    assert found, lines
    return f"http://127.0.0.1:{found[1]}"


def _cli(root: Path, i: int) -> str:
    args = (["signoff", str(root), CLIP, "--by", "ben"] if i % 2 else
            ["request-changes", str(root), CLIP, "--by", "ben", "--note", f"cli {i}"])
    done = subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return "cli"


def test_two_tabs_and_the_cli_at_once_leave_a_valid_file_and_ledger(film: Project) -> None:
    httpx = pytest.importorskip("httpx")
    link = LinkBook(film.build_dir / "review").issue(["amara"])[0].token
    proc, lines = _start(film.root, "--contributor", "amara")
    try:
        url = _base(lines)
        tabs = [Tab(httpx, url, f"/enter/{link}"), Tab(httpx, url, f"/enter/{link}")]
        with ThreadPoolExecutor(max_workers=12) as pool:
            web = [pool.submit(tabs[i % 2].act, i) for i in range(WEB_OPS)]
            cli = [pool.submit(_cli, film.root, i) for i in range(CLI_OPS)]
            outcomes = [f.result() for f in web] + [f.result() for f in cli]
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err
    # Each save or yes is either done or refused as made on an older version (409): never lost
    # silently, never a server error.
    assert set(outcomes) <= {"saved", "yes", "changes", "409", "cli"}, outcomes
    # A save is refused only because another one was saved first, so some save was kept.
    assert "saved" in outcomes and outcomes.count("cli") == CLI_OPS
    srt, vtt = load(film.caption_path(CLIP)), load(film.caption_path(CLIP, "vtt"))
    assert [(c.start, c.end, c.text) for c in srt] == [(c.start, c.end, c.text) for c in vtt]
    found = clearance.events(film)  # verifies the whole chain
    mine = [e.record for e in found if isinstance(e.record, SignOff) and e.record.by == "amara"]
    assert len(mine) == outcomes.count("yes")
    asked = [e for e in found if isinstance(e.record, ChangeRequest) and e.record.by == "amara"]
    assert len(asked) == outcomes.count("changes")
    assert len([e for e in found if getattr(e.record, "by", None) == "ben"]) == CLI_OPS
    assert not [p for p in film.captions_dir.iterdir() if p.name.endswith(".tmp")]


def test_killing_the_server_mid_save_leaves_a_whole_file(film: Project) -> None:
    httpx = pytest.importorskip("httpx")
    from captions.formats import save

    big = [Cue(i * 1000, i * 1000 + 900, f"Caption number {i} of a long film") for i in
           range(3000)]
    save(big, film.caption_path(CLIP))
    link = LinkBook(film.build_dir / "review").issue(["amara"])[0].token
    sent: set[str] = set()
    rng = random.Random(11)
    for attempt in range(3):
        proc, lines = _start(film.root, "--contributor", "amara")
        url = _base(lines)
        tab = Tab(httpx, url, f"/enter/{link}")
        stop = threading.Event()
        # Saves the page reported done; the kill waits for a chosen number of them and for the
        # next save to be on its way, so it always lands while a save may be writing.
        saved = threading.Semaphore(0)
        posting = threading.Event()

        def hammer(tab: Tab = tab, stop: threading.Event = stop, attempt: int = attempt,
                   saved: threading.Semaphore = saved, posting: threading.Event = posting) -> None:
            i = 0
            while not stop.is_set():
                fields = dict(tab.fields)
                fields["text-3000"] = f"Last caption, attempt {attempt} save {i}"
                sent.add(fields["text-3000"])
                posting.set()
                try:
                    r = tab.client.post("/save", data=fields,
                                        headers={"accept": "application/json"})
                except httpx.HTTPError:
                    return
                if r.status_code == 200:
                    tab.fields = {**fields, "version": r.json()["version"]}
                    posting.clear()
                    saved.release()
                i += 1

        worker = threading.Thread(target=hammer)
        worker.start()
        try:
            for _ in range(rng.randint(1, 4)):
                # A bound for a hung server only, never a measure of speed.
                assert saved.acquire(timeout=HANG), "the review page never saved"
            assert posting.wait(timeout=HANG)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(HANG)
        finally:
            stop.set()
            proc.kill()
            worker.join(HANG)
        cues = load(film.caption_path(CLIP))
        assert len(cues) == 3000
        # At least one save was seen done, so the file holds one of the page's versions.
        assert cues[-1].text in sent
        # The .vtt twin is replaced just after the .srt, so the kill may part them by one save:
        # each is still whole.
        vtt = load(film.caption_path(CLIP, "vtt"))
        assert len(vtt) == 3000 and vtt[-1].text in sent

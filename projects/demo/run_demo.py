"""Build the demo film end to end, as a producer would with the coprod commands.

Run by `make demo` after make_footage.py. Every step is safe to repeat: footage already ingested
is reported as such, edited captions are kept, consent is recorded once per contributor, sign-off
is given only where it is missing or stale, and the build re-renders only what changed.

Usage: python projects/demo/run_demo.py PROJECT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from consent import signoff_status, summarise
from pipeline.clearance import clip_key, events
from pipeline.clearance.sign_videos import sign_path, sign_videos
from pipeline.clearance.signers import signing_use
from pipeline.cli import cli
from pipeline.describe import descriptions_path, load_descriptions
from pipeline.fsutil import atomic_write_bytes
from pipeline.project import Project

TITLE = "Making it together"
# (contributor id, display name, raw file, clip id, scopes they consented to)
PEOPLE = [
    ("amara", "Amara Okafor", "amara-interview.mp4", "amara-interview",
     ["appear", "voice", "name", "story"]),
    # Ben does not want his name shown: the credits and transcript call him a contributor.
    ("ben", "Ben Carter", "ben-interview.mp4", "ben-interview", ["appear", "voice", "story"]),
    ("chloe", "Chloe Marsh", "chloe-interview.mp4", "chloe-interview",
     ["appear", "voice", "name", "story"]),
]
CHANNELS = ["internal", "training", "web"]
# The words of the film's web page (build/web/site/, film.yaml `page:`); chapters are left to
# coprod, which names them by contributors with `name` consent (Ben's is "Part 2").
PAGE = {
    "summary": "Three people talk about making a film together: what they wanted to say, and "
               "how they chose what to show.",
    "easy_read": ["Three people made this film together.",
                  "They talk about what they wanted to say.",
                  "They chose what to show."],
    "contact": "To ask for this film in another format, such as Easy Read on paper or another "
               "language, email films@example.org.",
}
# What is seen, read in each interview's pause (make_footage.py leaves a 3 s one): clip id ->
# texts, one per pause in order. `coprod describe` finds the pauses in the transcript's word times
# and writes them as the starting file; the demo puts these texts into them.
DESCRIPTIONS = {
    "amara-interview": ["Amara's name on shifting blue."],
    # Ben did not consent to his name being shown, so his description does not say it (the
    # gate refuses a description naming him).
    "ben-interview": ["A first name on a slow green gradient."],
    "chloe-interview": ["Chloe's name on dusky purple and rose."],
}


def coprod(*args: str) -> None:
    """Run one coprod command in this process; stop the demo on failure."""
    shown = " ".join(a if " " not in a else repr(a) for a in args)
    click.echo(f"\n$ coprod {shown}", err=True)
    try:
        cli.main(list(args), prog_name="coprod", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        sys.exit(1)


def record_consent(root: Path, contributor: str, scopes: list[str]) -> None:
    """Record a contributor's written consent to ``scopes`` on every channel the demo uses."""
    args = ["consent", "record", str(root), "--contributor", contributor, "--method", "written",
            "--obtained-by", "demo-producer", "--capacity", "own"]
    for scope in scopes:
        args += ["--scope", scope]
    for channel in CHANNELS:
        args += ["--channel", channel]
    coprod(*args)


def describe(root: Path) -> None:
    """Audio description as a producer makes it: `coprod describe` lists a clip's pauses, the
    producer writes what is seen into them (here, DESCRIPTIONS), `describe check` checks them."""
    project = Project.open(root)
    for clip_id, texts in DESCRIPTIONS.items():
        path = descriptions_path(project, clip_id)
        if path.exists():
            continue  # written already (and perhaps edited): never replaced
        coprod("describe", str(root), clip_id)
        # The pauses Whisper's word times leave, as `coprod describe` listed them: the times
        # follow the transcript, so the demo never guesses where speech is.
        pauses = load_descriptions(project, clip_id)
        if len(pauses) < len(texts):
            sys.exit(f"{path}: {len(pauses)} pause(s) found for {len(texts)} description(s); "
                     "check the interview's transcript")
        blocks = ["WEBVTT"] + [f"{_clock(pause.start_ms)} --> {_clock(pause.end_ms)}\n{text}"
                               for pause, text in zip(pauses, texts, strict=False)]
        atomic_write_bytes(path, ("\n\n".join(blocks) + "\n").encode("utf-8"))
    coprod("describe", "check", str(root))


def _clock(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


# The film's sign language interpreter (issue 12): a contributor like the others, who signs each
# interview in a video make_footage.py generates, consents to appear, and signs off each video.
SIGNER = ("dev", "Dev Sharma", ["appear", "name"])


def sign(root: Path) -> None:
    """Sign language: the interpreter's videos go in sign/, film.yaml names them as each
    interview's signer, and their consent and sign-off are recorded like anyone's."""
    from pipeline.fsutil import atomic_write_bytes

    signer, name, scopes = SIGNER
    project = Project.open(root)
    if signer not in project.film.contributors:
        project.add_contributor(signer, name)
    for *_, filename, clip_id, _scopes in PEOPLE:
        target = sign_path(project, clip_id)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(target, (root / "raw" / "sign" / filename).read_bytes())
    for item in project.doc["sequence"]:
        if isinstance(item, dict) and "signer" not in item:
            item["signer"] = signer
    project.save()
    if signer not in {c.contributor for c in summarise(events(project))}:
        record_consent(root, signer, scopes)
    project = Project.open(root)
    for video in sign_videos(project):
        key = signing_use(project, video).content_key
        if not signoff_status(events(project), video.use_id, signer, key).signed:
            coprod("signoff", str(root), video.use_id, "--by", signer,
                   "--note", "watched the signed film with the producer")


# The advisory group (issue 26): two advisers who watch the whole draft and comment on it.
ADVISERS = [{"id": "rosa", "name": "Rosa Hale", "role": "carer"},
            {"id": "tom", "name": "Tom Reid", "role": "commissioner"}]
REVIEW_BASE = "http://127.0.0.1:8765"  # `make review`'s address


def advise(root: Path) -> None:
    """Put the advisers in film.yaml, render the group's draft, and print each adviser's link
    (made once; a link already made is said to still work)."""
    from pipeline.review.server import issue_adviser_links

    project = Project.open(root)
    if "advisers" not in project.doc:
        project.doc["advisers"] = ADVISERS
        project.save()
    coprod("feedback", "cut", str(root))
    click.echo("", err=True)
    issue_adviser_links(Project.open(root), REVIEW_BASE, say=lambda line: click.echo(line,
                                                                                     err=True))
    click.echo(f"The links open once the review page runs: make review FILM={root}", err=True)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    root = Path(argv[0])
    raw = root / "raw"
    if not (root / "film.yaml").exists():
        coprod("new", str(root), "--title", TITLE)
        project = Project.open(root)
        for cid, name, *_ in PEOPLE:
            project.add_contributor(cid, name)
        # The demo also makes a burned-in captions variant, for social media.
        project.doc["open_captions"] = True
        project.save()
    project = Project.open(root)
    if "page" not in project.doc:
        project.doc["page"] = PAGE
        project.save()
    for cid, _name, filename, clip_id, _scopes in PEOPLE:
        coprod("ingest", str(root), str(raw / filename), "--contributor", cid, "--id", clip_id)
    coprod("transcribe", str(root))
    coprod("captions", "check", str(root))
    sign(root)
    describe(root)
    recorded = {c.contributor for c in summarise(events(Project.open(root)))}
    for cid, _name, _f, _clip, scopes in PEOPLE:
        if cid not in recorded:
            record_consent(root, cid, scopes)
    project = Project.open(root)
    for cid, _name, _f, clip_id, _scopes in PEOPLE:
        if not signoff_status(events(project), clip_id, cid, clip_key(project, clip_id)).signed:
            coprod("signoff", str(root), clip_id, "--by", cid,
                   "--note", "watched with the producer")
    coprod("status", str(root))
    advise(root)
    coprod("build", str(root), "--profile", "web")
    out = root / "build" / "web"
    click.echo(f"\nThe demo film is in {out.resolve()}/", err=True)
    for path in sorted(out.iterdir()):
        if not path.name.startswith("."):
            click.echo(f"  {path.resolve()}")
    click.echo("\nThe film's web page is in "
               f"{(out / 'site').resolve()}/. To check it in a browser before upload:\n"
               f"  .venv/bin/coprod preview {root}\n"
               "then open http://127.0.0.1:8766/ (Ctrl-C stops it).", err=True)
    click.echo("\nTo open the demo's review page, where contributors check and sign off their "
               f"own clips:\n  make review FILM={root}\n"
               "It prints one private link per contributor; open one in a browser on this "
               "computer. Ctrl-C stops it. docs/contributor-guide.md is the guide to print for "
               "contributors.", err=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

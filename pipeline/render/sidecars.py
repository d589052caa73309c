"""What a render writes beside the picture: card text, credits, whole-film captions, transcript.

Nothing here runs ffmpeg; :mod:`pipeline.render.publish` writes these texts beside the film.
Names of contributors appear only where the consent gate says ``name`` consent allows; everyone
else is "Contributor N" (numbered by first appearance in the film) or counted in the credits.

When the film is described, the transcript carries each clip's descriptions in order among its
speech, marked as descriptions (the WCAG 1.2.8 text alternative: what is seen as well as what is
said).

The film's captions keep their italics, bold and underline. Voices (WebVTT's ``<v Amara>``)
are not written into them: the transcript names speakers instead, by the same consent rule,
and a voice that is no contributor of the film is "Another speaker" there, since coprod cannot
tell a role from a person's name.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from captions.model import Cue
from captions.styling import voice_parts, without_voices
from pipeline.project import Project
from pipeline.render.plan import CardLines, Part, PartKind, part_duration_ms, part_start_ms

PARAGRAPH_GAP_MS = 2000  # a pause this long starts a new paragraph in the transcript
TITLE_WRAP = 30
OTHER_SPEAKER = "Another speaker"
DESCRIPTION_LABEL = "Description"  # marks what is seen among what is said in the transcript


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def title_card_lines(project: Project) -> CardLines:
    """The title card: the film's title (wrapped) and a line saying how it was made."""
    lines = [(line, 0.075) for line in textwrap.wrap(project.film.title, TITLE_WRAP)]
    return [*lines, ("", 0.04), ("A co-produced film", 0.045)]


@dataclass(frozen=True)
class Credits:
    """Who the film credits: names where ``name`` consent allows, others counted generically.

    Attributes:
        order: every contributor id in order of first appearance in the film.
        named: contributor id -> name, for those credited by name.
        known: contributor id -> name for everyone in ``order``, used only to recognise a
            caption's voice (``<v Ben>``), never shown.
    """

    order: tuple[str, ...]
    named: Mapping[str, str]
    known: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def for_film(cls, project: Project, clip_ids: Sequence[str],
                 name_allowed: Mapping[str, bool]) -> Credits:
        """Credits for the clips ``clip_ids`` as the gate allowed names."""
        order: dict[str, None] = {}
        for clip_id in clip_ids:
            order.update(dict.fromkeys(project.clip(clip_id).contributors))
        people = project.film.contributors
        named = {cid: people[cid].name for cid in order
                 if name_allowed.get(cid, False) and cid in people}
        known = {cid: people[cid].name for cid in order if cid in people}
        return cls(tuple(order), named, known)

    @property
    def unnamed(self) -> list[str]:
        """Contributors credited generically."""
        return [cid for cid in self.order if cid not in self.named]

    def label(self, contributor: str) -> str:
        """How the transcript names a speaker: their name, or "Contributor N"."""
        if contributor in self.named:
            return self.named[contributor]
        return f"Contributor {self.order.index(contributor) + 1}"

    def voice_label(self, voice: str) -> str:
        """How the transcript names a caption's voice: the contributor it names (by id, full
        name or, when only one has it, first name) as :meth:`label` does, else OTHER_SPEAKER."""
        wanted = voice.casefold()
        found = [cid for cid in self.order if wanted == cid.casefold()
                 or wanted == self.known.get(cid, "").casefold()]
        if not found:
            found = [cid for cid in self.order
                     if wanted == (self.known.get(cid, "").split() or [""])[0].casefold()]
        return self.label(found[0]) if len(found) == 1 else OTHER_SPEAKER

    def text_lines(self) -> list[str]:
        """The credits as lines of text (the card, the transcript)."""
        if not self.order:
            return ["Thank you for watching"]
        lines = ["Co-produced by"]
        lines += [self.named[cid] for cid in self.order if cid in self.named]
        others = len(self.unnamed)
        if others and self.named:
            lines.append(f"and {_plural(others, 'more contributor')}")
        elif others:
            lines.append(_plural(others, "contributor"))
        return lines

    def card_lines(self) -> CardLines:
        """The credits card: a heading and one line per name, smaller when there are many."""
        lines = self.text_lines()
        size = min(0.05, 0.72 / (len(lines) * 1.45))
        return [(lines[0], min(0.06, size * 1.2)), *[(line, size) for line in lines[1:]]]


def film_cues(parts: Sequence[Part], fps: int) -> list[Cue]:
    """Every clip's cues (already trimmed to its in/out) moved to the clip's place in the film,
    with their styling and without voices (see the module's note)."""
    cues: list[Cue] = []
    for part in parts:
        start = part_start_ms(part, fps)
        length = part_duration_ms(part, fps)
        for cue in part.cues:
            begin, end = start + cue.start, start + min(cue.end, length)
            if end > begin:
                cues.append(replace(without_voices(cue), start=begin, end=end))
    return cues


def _clock(ms: int) -> str:
    seconds = ms // 1000
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"


def _paragraphs(cues: Sequence[Cue], credits: Credits) -> list[tuple[int, str]]:
    """Cue text joined into paragraphs (start ms, text), a new one after a long pause or when
    the voice changes; a paragraph in a voice starts with its speaker's label."""
    paras: list[tuple[int, str, list[str]]] = []  # start, voice, texts
    last_end: int | None = None
    for cue in cues:
        for voice, text in voice_parts(cue):
            if last_end is None or cue.start - last_end >= PARAGRAPH_GAP_MS \
                    or voice != paras[-1][1]:
                paras.append((cue.start, voice, [text]))
            else:
                paras[-1][2].append(text)
            last_end = cue.end
    return [(start, (f"{credits.voice_label(voice)}: " if voice else "") + " ".join(texts))
            for start, voice, texts in paras]


@dataclass(frozen=True)
class TranscriptSection:
    """One heading of the transcript and what is under it."""

    heading: str
    starts_ms: int
    speakers: str  # "" when nobody is named for it
    paragraphs: tuple[tuple[int, str], ...]
    lines: tuple[str, ...] = ()  # card text, shown as a list
    descriptions: tuple[tuple[int, str], ...] = ()  # (film ms, text) of what is seen

    def in_order(self) -> list[tuple[int, bool, str]]:
        """Speech and descriptions by time: (start ms, is a description, text)."""
        speech = [(s, False, t) for s, t in self.paragraphs]
        if not self.descriptions:
            return speech  # as written, exactly as before descriptions existed
        return sorted(speech + [(s, True, t) for s, t in self.descriptions],
                      key=lambda e: (e[0], e[1]))


def transcript_sections(project: Project, parts: Sequence[Part], fps: int, credits: Credits,
                        descriptions: Mapping[str, Sequence[tuple[int, str]]] | None = None,
                        ) -> list[TranscriptSection]:
    """The film in reading order: title card, each clip with its speakers, credits.

    ``descriptions``: part name -> (film ms, text) of each description placed in the film; a
    clip's are listed among its speech (a card's text is already listed).
    """
    sections: list[TranscriptSection] = []
    number = 0
    for part in parts:
        start = part_start_ms(part, fps)
        if part.kind == PartKind.CARD:
            text = tuple(line for line, _ in part.lines if line.strip())
            heading = "Title" if part.name == "title" else "Credits"
            sections.append(TranscriptSection(heading, start, "", (), text))
            continue
        number += 1
        assert part.clip_id is not None
        people = [credits.label(cid) for cid in project.clip(part.clip_id).contributors]
        speakers = ""
        if people:
            joined = people[0] if len(people) == 1 else ", ".join(people[:-1]) + \
                " and " + people[-1]
            speakers = f"{'Speaker' if len(people) == 1 else 'Speakers'}: {joined}"
        paras = tuple((start + s, t) for s, t in _paragraphs(part.cues, credits))
        described = tuple((descriptions or {}).get(part.name, ()))
        sections.append(TranscriptSection(f"Part {number}", start, speakers, paras,
                                          descriptions=described))
    return sections


def transcript_html(title: str, language: str, duration_ms: int,
                    sections: Sequence[TranscriptSection]) -> str:
    """A transcript page: one h1, an h2 per part, speakers named, times as <time> elements."""
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{e(language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Transcript: {e(title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;font-size:1.125rem;line-height:1.6;"
        "max-width:40em;margin:2rem auto;padding:0 1rem;color:#111;background:#fff}"
        "h2{margin-top:2rem}.speakers{font-weight:bold}time{color:#333}"
        ".description{font-style:italic;border-left:4px solid #555;padding-left:.75rem}"
        "</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{e(title)}</h1>",
        f"<p>Transcript of the film ({e(_duration_words(duration_ms))}). Times show where each "
        "passage starts in the film, in minutes and seconds.</p>",
    ]
    for i, sec in enumerate(sections, start=1):
        hid = f"section-{i}"
        out.append(f'<section aria-labelledby="{hid}">')
        out.append(f'<h2 id="{hid}">{e(sec.heading)} '
                   f'(<time datetime="PT{sec.starts_ms / 1000:.1f}S">'
                   f"{_clock(sec.starts_ms)}</time>)</h2>")
        if sec.speakers:
            out.append(f'<p class="speakers">{e(sec.speakers)}</p>')
        if sec.lines:
            out.append("<ul>")
            out += [f"<li>{e(line)}</li>" for line in sec.lines]
            out.append("</ul>")
        for start, described, text in sec.in_order():
            stamp = f'<time datetime="PT{start / 1000:.1f}S">{_clock(start)}</time>'
            if described:
                # The word is part of the text, so every reader (screen reader, print, copy)
                # knows this is what is seen, not what is said.
                out.append(f'<p class="description">{stamp} <strong>{DESCRIPTION_LABEL}:'
                           f"</strong> {e(text)}</p>")
            else:
                out.append(f"<p>{stamp} {e(text)}</p>")
        if not sec.lines and not sec.paragraphs and not sec.descriptions:
            out.append("<p>(no speech)</p>")
        out.append("</section>")
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)


def transcript_text(title: str, duration_ms: int,
                    sections: Sequence[TranscriptSection]) -> str:
    """The same transcript as plain text."""
    out = [title, "=" * len(title), "",
           f"Transcript of the film ({_duration_words(duration_ms)}).", ""]
    for sec in sections:
        heading = f"{sec.heading} ({_clock(sec.starts_ms)})"
        out += [heading, "-" * len(heading)]
        if sec.speakers:
            out.append(sec.speakers)
        out += list(sec.lines)
        out += [f"[{_clock(start)}] {DESCRIPTION_LABEL}: {text}" if described
                else f"[{_clock(start)}] {text}" for start, described, text in sec.in_order()]
        if not sec.lines and not sec.paragraphs and not sec.descriptions:
            out.append("(no speech)")
        out.append("")
    return "\n".join(out)


def _duration_words(ms: int) -> str:
    seconds = round(ms / 1000)
    minutes, seconds = divmod(seconds, 60)
    if minutes:
        return f"{_plural(minutes, 'minute')} {_plural(seconds, 'second')}"
    return _plural(seconds, "second")



__all__ = [
    "DESCRIPTION_LABEL",
    "PARAGRAPH_GAP_MS",
    "Credits",
    "TranscriptSection",
    "film_cues",
    "title_card_lines",
    "transcript_html",
    "transcript_sections",
    "transcript_text",
]

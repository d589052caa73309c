"""Text drawn into the picture: burned-in captions as an ASS file for libass, and the font and
safe area that the cards and overlays share with them."""

from __future__ import annotations

import math
from collections.abc import Sequence

from captions.model import TAG_ORDER, Cue
from captions.styling import cue_from_runs
from pipeline.render_profiles import RenderProfile

FONT = "DejaVu Sans"
CAPTION_LINE_HEIGHT = 0.075  # of the picture height: inside the 7-8 % asked for
SAFE_WIDTH = 0.90
SAFE_HEIGHT = 0.75


def _ass_time(ms: int) -> str:
    cs = round(ms / 10)
    h, rest = divmod(cs, 360000)
    m, rest = divmod(rest, 6000)
    s, cs = divmod(rest, 100)
    return f"{h}:{m:02d}:{s:02d}.{cs:02d}"


def _ass_escape(text: str) -> str:
    # Braces open override blocks and a backslash starts a tag in ASS; both are shown literally.
    return text.replace("\\", "\\\u2060").replace("{", "\\{").replace("}", "\\}")


def _ass_text(text: str) -> str:
    return "\\N".join(line.strip() for line in _ass_escape(text).split("\n"))


def _ass_cue(cue: Cue) -> str:
    """A cue's text for libass: italics, bold and underline as {\\i1}...{\\i0} overrides."""
    if not cue.styled:
        return _ass_text(cue.text)
    out: list[str] = []
    on: frozenset[str] = frozenset()
    for text, mark in cue_from_runs(cue.start, cue.end, cue.runs, strip=True).runs:
        out += [f"{{\\{s}{int(s in mark.styles)}}}" for s in TAG_ORDER
                if (s in mark.styles) != (s in on)]
        on = mark.styles
        out.append(_ass_escape(text).replace("\n", "\\N"))
    return "".join(out)


def caption_style(profile: RenderProfile, *, clear_right: int = 0) -> dict[str, int]:
    """Font size, box padding and margins (pixels) of burned-in captions for ``profile``.

    The line height (libass's font size, in script pixels equal to picture pixels) is 7.5 % of
    the picture height; the black box, padding included, stays inside the central 90 % x 75 %.
    ``clear_right`` (the signed variant) keeps the box that many pixels clear of the right edge,
    plus a gap: libass wraps the text inside the margins, so no line can reach the signer.
    """
    size = round(profile.height * CAPTION_LINE_HEIGHT)
    pad = max(1, round(size * 0.18))
    margin_h = math.ceil(profile.width * (1 - SAFE_WIDTH) / 2) + pad
    style = {
        "size": size,
        "pad": pad,
        "margin_h": margin_h,
        "margin_v": math.ceil(profile.height * (1 - SAFE_HEIGHT) / 2) + pad,
    }
    if clear_right:
        style["margin_r"] = max(margin_h, clear_right + pad + math.ceil(profile.width * 0.01))
    return style


def ass_document(cues: Sequence[Cue], profile: RenderProfile, *, clear_right: int = 0) -> bytes:
    """An ASS subtitle file drawing ``cues`` white on a black box, for libass to burn in.

    ``clear_right``: see :func:`caption_style` (0, the default, is the captioned variant's file).
    """
    st = caption_style(profile, clear_right=clear_right)
    margin_r = st.get("margin_r", st["margin_h"])
    head = [
        "[Script Info]",
        "; made by coprod for burned-in (open) captions",
        "ScriptType: v4.00+",
        f"PlayResX: {profile.width}",
        f"PlayResY: {profile.height}",
        "WrapStyle: 0",
        "ScaledBorderAndShadow: yes",
        "YCbCr Matrix: TV.709",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        # BorderStyle 3 is an opaque box; libass paints it in OutlineColour, so both are black.
        f"Style: Caption,{FONT},{st['size']},&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,"
        f"0,0,0,0,100,100,0,0,3,{st['pad']},0,2,{st['margin_h']},{margin_r},"
        f"{st['margin_v']},1",
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    events = [f"Dialogue: 0,{_ass_time(c.start)},{_ass_time(c.end)},Caption,,0,0,0,,"
              f"{_ass_cue(c)}" for c in cues]
    return ("\n".join(head + events) + "\n").encode("utf-8")


__all__ = [
    "CAPTION_LINE_HEIGHT",
    "FONT",
    "SAFE_HEIGHT",
    "SAFE_WIDTH",
    "ass_document",
    "caption_style",
]

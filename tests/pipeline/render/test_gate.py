"""The gate as a render meets it: refusals before rendering and the re-check before publishing.

No ffmpeg runs here; whole renders stopped by a change mid-render are in test_render.py.
"""

from __future__ import annotations

from datetime import date

import pytest

from captions.formats import save as save_captions
from captions.model import Cue
from consent import (
    ConsentGiven,
    GateResult,
    Ledger,
    Reason,
    ReasonCode,
    SignoffState,
    Withdrawal,
)
from pipeline.exceptions import PipelineError
from pipeline.render.errors import GateRefusedError, LoudnessError, RenderError
from pipeline.render.gate import check_still_cleared, publishes, run_gate
from tests.pipeline.conftest import TODAY, MakeFilm, tiny


def _reason(clip: str, who: str, code: ReasonCode | SignoffState, text: str) -> Reason:
    return Reason(clip, who, code, f"clip {clip}: contributor {who}: {text}")


def test_only_internal_review_may_trust_the_cache() -> None:
    assert publishes(tiny("web")) and publishes(tiny("broadcast"))
    assert not publishes(tiny("review"))


def test_refusal_lists_every_reason_and_suggests_dropping_only_withdrawals() -> None:
    result = GateResult("web", False, allowed=["c3"], blocked={
        "c1": [_reason("c1", "p1", ReasonCode.EXPIRED, "consent expired on 2025-01-01"),
               _reason("c1", "p1", SignoffState.NO_SIGNOFF, "has not signed off this clip")],
        "c2": [_reason("c2", "p2", ReasonCode.WITHDRAWN, "consent withdrawn on 2025-02-01")],
    })
    err = GateRefusedError(result, "web")
    assert isinstance(err, RenderError) and isinstance(err, PipelineError)
    assert str(err).splitlines() == [
        "render refused for profile web (channel web): 2 clip(s) blocked by consent or sign-off:",
        "  clip c1: contributor p1: consent expired on 2025-01-01",
        "  clip c1: contributor p1: has not signed off this clip",
        "  clip c2: contributor p2: consent withdrawn on 2025-02-01",
    ]
    withdrawn_only = GateResult("web", False, blocked={"c2": result.blocked["c2"]})
    assert str(GateRefusedError(withdrawn_only, "web")).endswith(
        "(render with --drop-withdrawn to leave withdrawn clips out)")


def test_loudness_error_names_target_tolerance_and_peak() -> None:
    err = LoudnessError({"i": -20.04, "tp": -0.5}, -16.0, -1.5, 1.0)
    assert str(err) == ("loudness check failed: -20.0 LUFS (target -16.0 +/- 1 LU), true peak "
                        "-0.5 dBTP (limit -1.5); the previous film was left in place")


def test_run_gate_refuses_for_the_profile_named(make_film: MakeFilm) -> None:
    film = make_film(2, signed=False)
    with pytest.raises(GateRefusedError) as info:
        run_gate(film.project, tiny("broadcast"), today=TODAY)
    assert info.value.profile == "broadcast"
    assert set(info.value.result.blocked) == {"clip-1", "clip-2"}


def test_run_gate_with_everything_withdrawn_has_nothing_to_render(make_film: MakeFilm) -> None:
    film = make_film(1)
    Ledger(film.project.ledger_path).add(Withdrawal(contributor="amara", date=TODAY))
    with pytest.raises(RenderError, match="no clips left after dropping withdrawn ones"):
        run_gate(film.project, tiny(), drop_withdrawn=True, today=TODAY)


def test_still_cleared_when_nothing_changed(make_film: MakeFilm) -> None:
    film = make_film(2)
    prof = tiny()
    cleared = run_gate(film.project, prof, today=TODAY)
    check_still_cleared(film.project, prof, cleared, today=TODAY)


def test_a_caption_edit_after_the_gate_stops_publication(make_film: MakeFilm) -> None:
    film = make_film(2)
    prof = tiny()
    cleared = run_gate(film.project, prof, today=TODAY)
    save_captions([Cue(100, 900, "Not what was signed.")], film.project.caption_path("clip-2"))
    with pytest.raises(RenderError, match=r"clip\(s\) clip-2 changed while rendering"):
        check_still_cleared(film.project, prof, cleared, today=TODAY)


def test_a_withdrawal_after_the_gate_stops_publication(make_film: MakeFilm) -> None:
    film = make_film(2)
    prof = tiny()
    cleared = run_gate(film.project, prof, today=TODAY)
    Ledger(film.project.ledger_path).add(Withdrawal(contributor="ben", date=TODAY))
    with pytest.raises(GateRefusedError, match="contributor ben: consent withdrawn") as info:
        check_still_cleared(film.project, prof, cleared, today=TODAY)
    assert list(info.value.result.blocked) == ["clip-2"]


def test_name_consent_taken_back_after_the_gate_stops_publication(make_film: MakeFilm) -> None:
    film = make_film(1)  # amara, credited by name
    prof = tiny()
    cleared = run_gate(film.project, prof, today=TODAY)
    assert cleared.result.name_allowed == {"amara": True}
    # New consent without `name`: the clip may still be shown, but not her name.
    Ledger(film.project.ledger_path).add(ConsentGiven.create(
        "amara", scopes=["appear", "voice"], channels=["web"], given=date(2026, 5, 1),
        method="written", obtained_by="Sam (support worker)"))
    with pytest.raises(RenderError, match="consent to show names changed while rendering"):
        check_still_cleared(film.project, prof, cleared, today=TODAY)

"""A contributor's name in a description or on a card needs their `name` consent."""

from __future__ import annotations

from consent import GateResult, ReasonCode
from consent.naming import mentions, name_parts, name_reasons, refuse_names

NAMES = {"amara": "Amara Okafor", "ben": "Ben Carter", "chloe": "Chloé Marsh-Dubois"}


def test_names_are_found_as_whole_words_accents_aside() -> None:
    assert name_parts("Chloé Marsh-Dubois") == ["Chloe", "Marsh", "Dubois"]
    assert mentions("Ben's name on a slow green gradient.", "Ben Carter")
    assert mentions("Mr Carter waves.", "Ben Carter")
    assert mentions("Chloe smiles.", "Chloé Marsh-Dubois")
    assert mentions("Chloé smiles.", "Chloe Marsh")
    assert not mentions("A bench in the garden.", "Ben Carter")
    assert not mentions("A first name on a slow green gradient.", "Ben Carter")


def test_a_name_without_name_consent_blocks_its_clip_and_says_where() -> None:
    texts = {"garden": [("description 1", "Amara waters the beans."),
                        ("description 2", "Ben's name on green.")],
             "title": [("the title card", "Ben's Garden")],
             "kitchen": [("description 1", "A kettle.")]}
    allowed = {"amara": True, "ben": False}
    reasons = name_reasons(texts, NAMES, allowed)
    assert set(reasons) == {"garden", "title"}
    [garden] = reasons["garden"]
    assert (garden.contributor, garden.code) == ("ben", ReasonCode.NAME_NOT_CONSENTED)
    assert garden.message == ("clip garden: description 2 names contributor ben, whose consent "
                              "does not include `name`; describe without the name, or record "
                              "their consent to it")
    assert "Ben" not in garden.message  # messages name ids, never the name
    # Someone the gate never judged (in no clip) is not allowed: it fails closed.
    assert "chloe" in {r.contributor for r in name_reasons(
        {"garden": [("description 1", "Chloe.")]}, NAMES, allowed)["garden"]}

    result = GateResult("web", False, allowed=["garden", "kitchen"])
    refused = refuse_names(result, reasons)
    assert refused.allowed == ["kitchen"] and set(refused.blocked) == {"garden", "title"}
    assert not refused.ok

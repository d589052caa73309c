"""English function-word rules for line breaks (BBC Subtitle Guidelines 3.4)."""

from __future__ import annotations

import pytest

from captions.language import (
    COST_BAD_END,
    bare,
    break_cost,
    ends_sentence,
    is_auxiliary,
    is_bad_end,
    is_bad_line_end,
)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        (" Hello,", "hello"),
        ("THE", "the"),
        ("\u201cYes!\u201d", "yes"),
        ("don\u2019t", "don't"),
        ("(with)", "with"),
        ("'cause", "'cause"),
        ("'quoted'", "quoted"),
        ("...", ""),
    ],
)
def test_bare_strips_case_and_outer_punctuation(word: str, expected: str) -> None:
    assert bare(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("country.", True),
        ("you?", True),
        ("Stop!", True),
        ("end.\u201d", True),
        ('said."', True),
        ("you,", False),
        ("so...", False),  # trailing off, not an end
        ("Mr.", False),
        ("Dr.", False),
        ("F.", False),  # an initial
        ("e.g.", False),
        ("U.S.", False),
        ("No.", True),
        ("word", False),
    ],
)
def test_ends_sentence(word: str, expected: bool) -> None:
    assert ends_sentence(word) is expected


@pytest.mark.parametrize(
    "line",
    [
        # articles
        "we went to see a",
        "ask not what the",
        "it was an",
        # possessive determiners split a noun phrase like articles do
        "ask not what your",
        # prepositions, including "to" before an infinitive
        "a cup of",
        "I went in to the room with",
        "I want to",
        # conjunctions
        "fish and",
        "I stayed because",
        "tea or",
        # subject pronouns before their verb
        "and then I",
        "yesterday we",
        "after that they",
        # ambiguous pronouns in a subject context
        "ask what you",
        "and it",
        # titles and initials belong with the name
        "this is Dr.",
        "John F.",
    ],
)
def test_bad_line_ends(line: str) -> None:
    assert is_bad_line_end(line)


@pytest.mark.parametrize(
    "line",
    [
        "ask not what your country",
        "can do for you,",  # punctuation closes the phrase
        "the end.",
        "and so?",
        "what are you looking at?",
        "I gave up",  # particle of a phrasal verb, not a preposition
        "I found out",
        "for you",  # object pronoun
        "Thank you",
        "I told you",
        "Did you",
        "I know that",
        "",
    ],
)
def test_good_line_ends(line: str) -> None:
    assert not is_bad_line_end(line)


def test_bad_line_end_ignores_case_and_trailing_quotes() -> None:
    assert is_bad_line_end("AND THE")
    assert is_bad_line_end("she said \u201cThe")
    assert not is_bad_line_end("she said \u201cthe end,\u201d")


def test_ambiguous_pronoun_is_judged_by_the_next_line() -> None:
    # "you" as the subject of "can" on the next line: bad; as the object of "for": fine.
    assert is_bad_line_end("ask what you", "can do for your country")
    assert not is_bad_line_end("what your country can do for you", "ask what you can do")
    assert is_bad_line_end("do it for you", "can't you?")  # auxiliary follows: a subject
    assert not is_bad_line_end("ask what you", "for nothing")


def test_is_bad_end_takes_words() -> None:
    assert is_bad_end(["over", "the"])
    assert not is_bad_end([])


@pytest.mark.parametrize("word", ["can", "Would", "don't", "isn\u2019t", "I'm", "they'll", "we've"])
def test_auxiliaries(word: str) -> None:
    assert is_auxiliary(word)


def test_break_cost_orders_break_points() -> None:
    sentence = break_cost(["the", "end."], ["Then"])
    clause = break_cost(["for", "you,"], ["ask"])
    opener = break_cost(["I", "stayed"], ["because", "it"])
    phrase = break_cost(["we", "sat"], ["in", "the"])
    plain = break_cost(["Tuesday"], ["cooking"])
    auxiliary = break_cost(["you", "can"], ["do"])
    negation = break_cost(["ask"], ["not", "what"])
    bad = break_cost(["ask", "not", "what", "your"], ["country"])
    assert sentence < clause < opener < phrase < plain < auxiliary == negation < bad
    assert bad == COST_BAD_END


def test_break_cost_keeps_auxiliary_only_before_a_verb() -> None:
    # "can do / for": the auxiliary's verb is already on the line, so the break is a phrase start.
    assert break_cost(["you", "can", "do"], ["for"]) < break_cost(["you", "can"], ["do"])


def test_break_cost_keeps_titles_with_names() -> None:
    assert break_cost(["with", "Mr."], ["Smith"]) == COST_BAD_END
    assert break_cost(["see", "e.g."], ["this"]) > break_cost(["see", "this,"], ["here"])

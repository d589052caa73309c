"""English function-word knowledge for breaking caption lines and cues.

The BBC Subtitle Guidelines (section 3.4, line breaks) ask that a line never ends on an article, a
preposition, a conjunction or a pronoun that is the subject of the verb on the next line, and that
auxiliary + verb and "to" + infinitive stay together where possible. This module knows those words
and turns them into two things: :func:`is_bad_line_end`, a yes/no that QC also uses, and
:func:`break_cost`, a score segmentation minimises when it chooses where a line or a cue ends.

Only word lists and a few context rules are used; no tagger. Where a word is ambiguous ("you" and
"it" are subjects or objects, "that" is a pronoun or a conjunction) the rules lean towards not
calling a break bad, so QC does not cry wolf on human-edited captions.
"""

from __future__ import annotations

from collections.abc import Sequence

ARTICLES = frozenset({"a", "an", "the"})

# Possessive determiners behave like articles: "your / country" splits a noun phrase the same way
# "the / country" does. "his" and "her" are left out because they are also pronouns ("it's his").
DETERMINERS = frozenset({"my", "your", "our", "their", "its", "every", "whose"})

# Prepositions that rarely end a phrase. Particles that often close a phrasal verb ("give up",
# "find out", "sit down", "come back") are left out on purpose.
PREPOSITIONS = frozenset(
    {
        "about", "above", "across", "after", "against", "along", "amid", "among", "around",
        "at", "before", "behind", "below", "beneath", "beside", "besides", "between", "beyond",
        "by", "despite", "during", "except", "for", "from", "in", "inside", "into", "like",
        "near", "of", "on", "onto", "outside", "over", "per", "since", "than", "through",
        "throughout", "to", "toward", "towards", "under", "underneath", "unlike", "until",
        "upon", "via", "with", "within", "without",
    }
)  # fmt: skip

# Coordinating and subordinating conjunctions. "yet", "though", "when" and "where" are left out:
# they often end a clause as adverbs or in questions ("not yet", "I know where").
CONJUNCTIONS = frozenset(
    {
        "and", "but", "or", "nor", "so", "because", "although", "if", "unless", "whether",
        "while", "whereas", "as", "than", "cos", "'cause",
    }
)  # fmt: skip

# Pronouns that are only ever subjects; a line ending on one separates it from its verb.
SUBJECT_PRONOUNS = frozenset({"i", "he", "she", "we", "they"})

_OBJECT_PRONOUNS = frozenset({"me", "him", "her", "us", "them", "this", "these", "those"})

# Pronouns that are subject or object; a break after them is bad only in a subject context.
AMBIGUOUS_PRONOUNS = frozenset({"you", "it"})

AUXILIARIES = frozenset(
    {
        "am", "are", "is", "was", "were", "be", "been", "being", "have", "has", "had", "do",
        "does", "did", "can", "could", "will", "would", "shall", "should", "may", "might",
        "must", "ought", "don't", "doesn't", "didn't", "can't", "cannot", "couldn't", "won't",
        "wouldn't", "shan't", "shouldn't", "isn't", "aren't", "wasn't", "weren't", "haven't",
        "hasn't", "hadn't", "mustn't", "mightn't", "needn't",
    }
)  # fmt: skip

# Contracted endings that carry an auxiliary ("I'm", "they'll"): the next word is usually its verb.
_AUXILIARY_SUFFIXES = ("'m", "'re", "'ve", "'ll", "'d")

# Words that open a clause: a break just before one falls on a clause boundary.
CLAUSE_OPENERS = frozenset(
    {
        "and", "but", "or", "nor", "so", "because", "although", "though", "if", "unless",
        "whether", "while", "whereas", "when", "where", "which", "who", "whom", "whose",
        "that", "then", "until", "since", "after", "before", "once", "cos", "what", "why",
        "how",
    }
)  # fmt: skip

_FUNCTION_WORDS = (
    ARTICLES
    | DETERMINERS
    | PREPOSITIONS
    | CONJUNCTIONS
    | SUBJECT_PRONOUNS
    | AMBIGUOUS_PRONOUNS
    | _OBJECT_PRONOUNS
    | CLAUSE_OPENERS
)

_WH_WORDS = frozenset({"what", "which", "who", "when", "where", "why", "how", "that"})

# Titles come before a name, which a break must not separate from them ("Dr. / Patel").
_TITLES = frozenset({"mr", "mrs", "ms", "mx", "dr", "prof", "st", "rev", "sgt", "capt", "cllr"})
# Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = _TITLES | frozenset({"jr", "sr", "vs", "etc", "approx"})

_CLOSERS = "\"')]}\u2019\u201d\u00bb"
_SENTENCE_END = ".?!"
_CLAUSE_PUNCT = ",;:\u2013\u2014-\u2026"

# Costs, lower is better. Bad line ends cost far more than everything else together, so they are
# chosen only when every alternative breaks a hard limit.
COST_SENTENCE_END = 0
COST_CLAUSE_PUNCT = 10
COST_CLAUSE_OPENER = 20
COST_PHRASE_START = 30
COST_PLAIN = 40
COST_AUXILIARY = 60
COST_BAD_END = 1000


def bare(word: str) -> str:
    """The word lower-cased, curly apostrophes made straight, outer punctuation removed."""
    text = word.replace("\u2019", "'").replace("\u2018", "'").lower()
    start, end = 0, len(text)
    while start < end and not (text[start].isalnum() or text[start] == "'"):
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    core = text[start:end]
    # A leading apostrophe is kept only where it is part of the word ("'cause"); quotes go.
    if core.startswith("'") and core not in CONJUNCTIONS:
        core = core.lstrip("'")
    return core


def _trailing_mark(word: str) -> str:
    """The sentence or clause mark ending ``word`` (closing quotes looked past), or ''."""
    text = word.rstrip().rstrip(_CLOSERS)
    return text[-1] if text and text[-1] in _SENTENCE_END + _CLAUSE_PUNCT else ""


def ends_sentence(word: str) -> bool:
    """True if ``word`` closes a sentence ('.', '?' or '!'), not an abbreviation or ellipsis."""
    text = word.rstrip().rstrip(_CLOSERS)
    if not text or text[-1] not in _SENTENCE_END:
        return False
    if text.endswith("..."):
        return False  # trailing off is a pause in the thought, not the end of it
    if text[-1] == "." and _is_abbreviation(text):
        return False
    return True


def _is_abbreviation(word: str) -> bool:
    """True if ``word``'s final full stop marks an abbreviation, a title or an initial."""
    core = bare(word)
    if core in _ABBREVIATIONS or "." in core:
        return True  # "Dr.", "etc.", and dotted forms such as "e.g." and "U.S."
    return len(core) == 1 and core.isalpha() and word.rstrip(_CLOSERS + ".")[-1:].isupper()


def _binds_to_next(word: str) -> bool:
    """True if ``word`` is a title or an initial, which belongs with the name after it."""
    text = word.rstrip()
    if not text.endswith("."):
        return False
    core = bare(text)
    return core in _TITLES or (len(core) == 1 and core.isalpha() and core.upper() == text[-2])


def has_trailing_punctuation(word: str) -> bool:
    """True if ``word`` ends with any punctuation mark (closing quotes and brackets looked past)."""
    return bool(_trailing_mark(word))


def is_auxiliary(word: str) -> bool:
    """True if ``word`` is an auxiliary or modal verb, or ends in a contracted one ("I'm")."""
    core = bare(word)
    return core in AUXILIARIES or core.endswith(_AUXILIARY_SUFFIXES)


def _is_function_word(core: str) -> bool:
    """True if ``core`` (a bare word) is a function word: article, preposition, pronoun..."""
    return core in _FUNCTION_WORDS


def _is_subject_context(previous: str | None) -> bool:
    """True if a pronoun after ``previous`` is probably the subject of a clause."""
    if previous is None:
        return True
    if has_trailing_punctuation(previous):
        return True
    core = bare(previous)
    return core in CONJUNCTIONS or core in _WH_WORDS


def is_bad_end(words: Sequence[str], next_word: str | None = None) -> bool:
    """True if a line made of ``words`` must not end where it does (BBC guideline 3.4).

    Args:
        words: the line's words, in order.
        next_word: the word that follows on the next line or cue, if known; it decides whether an
            ambiguous pronoun ("you", "it") is the subject of a verb that follows.
    """
    if not words:
        return False
    last = words[-1]
    if _binds_to_next(last):
        return True
    if has_trailing_punctuation(last):
        return False  # punctuation marks the end of a phrase, whatever the word
    core = bare(last)
    if not core:
        return False
    if core in ARTICLES or core in DETERMINERS or core in PREPOSITIONS or core in CONJUNCTIONS:
        return True
    if core in SUBJECT_PRONOUNS:
        return True
    if core in AMBIGUOUS_PRONOUNS:
        if next_word is not None and is_auxiliary(next_word):
            return True
        previous = words[-2] if len(words) > 1 else None
        if not _is_subject_context(previous):
            return False
        if next_word is None:
            return previous is not None  # a line that is only "you" says nothing either way
        following = bare(next_word)
        return not (following in PREPOSITIONS or following in CONJUNCTIONS or following in ARTICLES)
    return False


def is_bad_line_end(line: str, next_line: str | None = None) -> bool:
    """True if ``line`` ends on a word a caption line must not end on (BBC guideline 3.4).

    Example: ``is_bad_line_end("ask not what your")`` is True; ``is_bad_line_end("for you,")`` is
    False, since punctuation closes the phrase.

    Args:
        line: one caption line.
        next_line: the line (or cue text) shown after it, if any; lets "you"/"it" be judged.
    """
    following = next_line.split() if next_line else []
    return is_bad_end(line.split(), following[0] if following else None)


def break_cost(left: Sequence[str], right: Sequence[str]) -> int:
    """How bad a break (line or cue) between the ``left`` and ``right`` words is; lower is better.

    Sentence ends cost nothing, clause punctuation little, a break before a clause opener such as
    "and" or "because" a little more, before another function word (a phrase start) more, between
    two content words more again, after an auxiliary verb or before "not" more still, and a bad
    line end (see :func:`is_bad_end`) far more than anything else.
    """
    if not left or not right:
        return COST_SENTENCE_END
    last = left[-1]
    if ends_sentence(last):
        return COST_SENTENCE_END
    if is_bad_end(left, right[0]):
        return COST_BAD_END
    if has_trailing_punctuation(last) and not (last.endswith(".") and _is_abbreviation(last)):
        return COST_CLAUSE_PUNCT
    following = bare(right[0])
    if following == "not" or (is_auxiliary(last) and not _is_function_word(following)):
        # Keep auxiliary + verb together ("can / do" but not "can do / for"), and "not" with the
        # verb it negates ("ask not").
        return COST_AUXILIARY
    if following in CLAUSE_OPENERS:
        return COST_CLAUSE_OPENER
    if _is_function_word(following):
        # Before "the", "with", "your", "them"... a new phrase starts; between two content words
        # ("Tuesday / cooking") the break falls inside one.
        return COST_PHRASE_START
    return COST_PLAIN

"""The vocabulary of consent: scopes, channels, methods, capacities, and how events arrive.

Members are the words themselves (``"web" == Channel.WEB``), stored and shown as such; the order is
the order people read them in (`consent show`, messages, the CLI's choices).
"""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    """What a contributor may agree to."""

    APPEAR = "appear"  # on camera
    VOICE = "voice"  # heard
    NAME = "name"  # real name in credits or on screen
    STORY = "story"  # personal details told


class Channel(StrEnum):
    """Where a film may be shown."""

    INTERNAL = "internal"
    TRAINING = "training"
    WEB = "web"
    SOCIAL = "social"
    BROADCAST = "broadcast"


class Method(StrEnum):
    """How consent was given."""

    WRITTEN = "written"
    VERBAL = "verbal"
    EASY_READ = "easy-read"
    SIGNED_BY_REPRESENTATIVE = "signed-by-representative"


class Capacity(StrEnum):
    """Whose decision it was: the contributor's own, supported, or made in their best interests."""

    OWN = "own"
    SUPPORTED = "supported"
    BEST_INTERESTS = "best-interests"


class Via(StrEnum):
    """Through what an event was recorded: a producer at the command line, or the contributor's
    own review page. Together with the OS user it tells a sign-off typed by a producer apart
    from one the contributor gave."""

    CLI = "cli"
    REVIEW_PAGE = "review-page"


__all__ = ["Capacity", "Channel", "Method", "Scope", "Via"]

"""One-time form tokens: a form submitted twice (a double click, Back and resend) acts once.

Every page carries a fresh token in each of its forms (``once``). The first submission with a
token does what it asks; any repeat, even one that arrives while the first is still being
written, waits for it and is answered with the first one's result (where it redirected) and
writes nothing. A result that was not a redirect (an error page) is not kept, so trying again
after an error works. Tokens live in the server's memory, on its one event loop: the check and
the claim happen with no ``await`` between them, so two requests can never both claim one.
What a restart forgets, the decisions themselves cover (``decisions.say_yes`` records nothing
when the clip is already signed off as it is).
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from starlette.responses import RedirectResponse, Response

KEEP = 20000  # tokens remembered; far more than one film's contributors submit in a session
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22,32}")


class OnceTokens:
    """The tokens a review server has handed out and the results of those used."""

    def __init__(self, keep: int = KEEP) -> None:
        self._keep = keep
        self._used: OrderedDict[str, asyncio.Future[str | None]] = OrderedDict()

    @staticmethod
    def issue() -> str:
        """A new token for one form on one page."""
        return secrets.token_urlsafe(16)

    async def run(self, token: str | None, act: Callable[[], Awaitable[Response]]) -> Response:
        """``act()`` the first time ``token`` is seen; a repeat gets the first redirect again.

        A missing or malformed token (the page script's autosave sends none) just acts.
        """
        if token is None or not _TOKEN.fullmatch(token):
            return await act()
        first = self._used.get(token)
        if first is not None:
            location = await asyncio.shield(first)
            if location is not None:
                return RedirectResponse(location, status_code=303)
            return await self.run(token, act)  # the first failed and let go; try as new
        mine: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._used[token] = mine
        while len(self._used) > self._keep:
            self._used.popitem(last=False)
        location = None
        try:
            response = await act()
            if isinstance(response, RedirectResponse):
                location = response.headers["location"]
            return response
        finally:
            if location is None:
                self._used.pop(token, None)
            mine.set_result(location)


__all__ = ["KEEP", "OnceTokens"]

"""Contributors' private links: random tokens, kept only as hashes, checked in constant time.

A link is ``http://HOST:PORT/enter/TOKEN``. The token is 128 random bits (``secrets``); the
server keeps only its sha256, in ``build/review/links.json`` (mode 0600, outside anything the web
server serves), so a copy of the project folder does not hand out working links. A hash cannot
be turned back into a link: a restarted server accepts every link it made before but cannot
print them again, and ``--new-links`` replaces a contributor's link with a new one.

The same folder keeps the secret that signs the page's CSRF cookie, so forms opened before a
restart still work after it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from safeio import atomic_write

TOKEN_BYTES = 16  # 128 bits
LINKS_FILE = "links.json"
SECRET_FILE = "csrf-secret"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole, readable by the owner only (a 0700 folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    atomic_write(path, data, mode=0o600)


@dataclass(frozen=True)
class NewLink:
    """A link just made: the only moment its token exists outside the contributor's hands."""

    contributor: str
    token: str


class LinkBook:
    """The hashed tokens of one film's contributor links.

    Args:
        folder: where the hashes and the CSRF secret live (``build/review/`` of the project).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / LINKS_FILE

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            # A damaged file opens no doors; new links are made when asked for.
            return {}
        links = data.get("links") if isinstance(data, dict) else None
        if not isinstance(links, dict):
            return {}
        return {str(k): v for k, v in links.items()
                if isinstance(v, dict) and isinstance(v.get("sha256"), str)}

    def _save(self, links: dict[str, dict[str, str]]) -> None:
        body = {"about": "sha256 of each contributor's review link token; the tokens themselves "
                         "are never stored. `coprod review --new-links` replaces them.",
                "links": dict(sorted(links.items()))}
        _write_private(self.path, (json.dumps(body, indent=2) + "\n").encode("utf-8"))

    def has_link(self, contributor: str) -> bool:
        """True when ``contributor`` has a link that still works."""
        return contributor in self._load()

    def made_on(self, contributor: str) -> str | None:
        """When ``contributor``'s link was made (ISO date), or None."""
        entry = self._load().get(contributor)
        return entry.get("made") if entry else None

    def issue(self, contributors: list[str], *, replace: bool = False) -> list[NewLink]:
        """Make links for contributors who have none (or for all of them with ``replace``).

        Returns:
            The new links, in the order asked; contributors who kept their link are left out.
        """
        links = self._load()
        made: list[NewLink] = []
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for contributor in contributors:
            if contributor in links and not replace:
                continue
            token = secrets.token_urlsafe(TOKEN_BYTES)
            links[contributor] = {"sha256": _hash(token), "made": now}
            made.append(NewLink(contributor, token))
        if made:
            self._save(links)
        return made

    def who(self, token: str) -> str | None:
        """The contributor whose link carries ``token``, or None.

        Every stored hash is compared, with :func:`hmac.compare_digest`, whatever matches, so
        the time taken says nothing about which contributor (or how much of a hash) matched.
        """
        if not token or len(token) > 200:
            return None
        presented = _hash(token)
        found: str | None = None
        for contributor, entry in self._load().items():
            if hmac.compare_digest(presented, entry["sha256"]):
                found = contributor
        return found

    def secret(self) -> str:
        """The CSRF signing secret, made once and kept (0600) so restarts keep forms working."""
        path = self.folder / SECRET_FILE
        try:
            value = path.read_text(encoding="ascii").strip()
        except (OSError, ValueError):
            value = ""
        if len(value) < 32:
            value = secrets.token_urlsafe(32)
            _write_private(path, value.encode("ascii"))
        return value


__all__ = ["TOKEN_BYTES", "LinkBook", "NewLink"]

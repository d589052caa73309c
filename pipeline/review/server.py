"""Running the review page: links printed once, uvicorn bound to a socket, a clean Ctrl-C.

Links are printed here and nowhere else: the server's log shows ``/enter/...`` instead of a
token, and uvicorn's own access log is off.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.exceptions import PipelineError
from pipeline.project import Project
from pipeline.review import whose
from pipeline.review.app import LOCAL_HOSTS, create_app
from pipeline.review.security import ASGIApp
from pipeline.serving import listen, run_quietly

Say = Callable[[str], None]


@dataclass(frozen=True)
class Plan:
    """Where the server listens, the host names it answers to, and its base address."""

    host: str
    port: int
    hosts: tuple[str, ...]
    base: str
    local_only: bool


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_wildcard(host: str) -> bool:
    return host.strip("[]") in ("0.0.0.0", "::", "")


def plan(host: str, port: int) -> Plan:
    """What serving on ``host:port`` means (before the port is known when it is 0)."""
    if _is_loopback(host):
        return Plan(host, port, LOCAL_HOSTS, "", True)
    if _is_wildcard(host):
        return Plan(host, port, ("*",), "", False)
    return Plan(host, port, (*LOCAL_HOSTS, host), "", False)


def _link_host(p: Plan) -> str:
    name = socket.gethostname() if _is_wildcard(p.host) else p.host
    return f"[{name}]" if ":" in name and not name.startswith("[") else name


def issue_links(project: Project, base: str, *, contributors: Sequence[str] = (),
                new_links: bool = False, say: Say) -> None:
    """Make (or with ``new_links`` replace) links and print them; say which old ones still work."""
    from pipeline.review.whose import Site

    site = Site(project.root)
    found = whose.events(project)
    everyone = whose.people(project, found)
    unknown = [c for c in contributors if c not in everyone]
    if unknown:
        listed = ", ".join(everyone) or "nobody yet"
        raise PipelineError(f"no clips to review for {', '.join(unknown)} (contributors with "
                            f"clips in {project.film_yaml} or the ledger: {listed})")
    chosen = list(contributors) or everyone
    made = {link.contributor: link.token
            for link in site.links.issue(chosen, replace=new_links)}
    say(f"Review page for {project.film.title!r}. Give each contributor their own link:")
    for person in chosen:
        if person in made:
            say(f"  {person}: {base}/enter/{made[person]}")
        else:
            say(f"  {person}: the link made on {(site.links.made_on(person) or '?')[:10]} still "
                "works (--new-links makes a new one and stops the old)")
    if not chosen:
        say("  nobody has clips to review yet: ingest footage with --contributor first")


def issue_adviser_links(project: Project, base: str, *, new_links: bool = False,
                        say: Say) -> None:
    """Make (or replace) each adviser's link to the group's draft and print it."""
    from pipeline.review import adviser_links

    if not project.film.advisers:
        return
    made = {link.contributor: link.token
            for link in adviser_links.issue(project, replace=new_links)}
    say("The advisory group's draft. Give each adviser their own link:")
    for person in project.film.advisers:
        if person in made:
            say(f"  {person}: {base}/group/enter/{made[person]}")
        else:
            made_on = adviser_links.book(project.root).made_on(person) or "?"
            say(f"  {person}: the link made on {made_on[:10]} still works (--new-links makes "
                "a new one and stops the old)")


def _run(project: Project, app: ASGIApp, sock: socket.socket, p: Plan, *,
         contributors: Sequence[str], new_links: bool, say: Say) -> None:
    bound = sock.getsockname()[1]
    base = f"http://{_link_host(p)}:{bound}"
    issue_links(project, base, contributors=contributors, new_links=new_links, say=say)
    # The advisory group's links (issue 26): all advisers, unless only contributors were asked.
    if not contributors:
        issue_adviser_links(project, base, new_links=new_links, say=say)
    if p.local_only:
        say(f"Listening on {p.host}:{bound}: only this computer can open the page.")
    else:
        say(f"Listening on {p.host}:{bound}: anyone who can reach this computer on port "
            f"{bound} can open the page, but only someone with a link sees anything. The "
            "connection is not encrypted (plain HTTP): use it only on a network you trust.")
    say("Press Ctrl-C to stop.")
    run_quietly(app, sock)


def serve(project: Project, *, host: str = "127.0.0.1", port: int = 8765,
          contributors: Sequence[str] = (), new_links: bool = False, say: Say) -> None:
    """Print the links, then serve the review page until Ctrl-C."""
    p = plan(host, port)
    app = create_app(project.root, hosts=p.hosts)  # a broken film.yaml stops here
    sock = listen(host, port, busy="another review page")
    try:
        # Ctrl-C may come at any moment from here on, before uvicorn takes the signal over too.
        _run(project, app, sock, p, contributors=contributors, new_links=new_links, say=say)
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    say("Review page stopped.")


__all__ = ["Plan", "issue_adviser_links", "issue_links", "plan", "serve"]

"""Serving a page from this computer: the socket bound before uvicorn starts, and uvicorn run
quietly (no access log, no server or date header). `coprod review` and `coprod preview` both
serve through here.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from pipeline.exceptions import PipelineError


def listen(host: str, port: int, *, busy: str) -> socket.socket:
    """A socket listening on ``host``:``port`` (IPv6 when the host has a colon).

    Listening before uvicorn starts means a browser opening a printed link at once is queued by
    the kernel, not refused.

    Raises:
        PipelineError: the address cannot be had; ``busy`` says what may hold it.
    """
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    # IPPROTO_TCP named, so asyncio sets TCP_NODELAY on connections (else +40 ms a reply).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise PipelineError(f"cannot listen on {host}:{port}: {exc.strerror or exc} "
                            f"(is {busy} running? try --port)") from None
    return sock


def run_quietly(app: Any, sock: socket.socket) -> None:
    """Serve ``app`` on ``sock`` with uvicorn until Ctrl-C, logging only warnings."""
    import uvicorn

    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).setLevel(logging.WARNING)
    config = uvicorn.Config(app, log_config=None, access_log=False, server_header=False,
                            date_header=False, lifespan="off", timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[sock])


__all__ = ["listen", "run_quietly"]

"""Footage hashed afresh for a publishing render: every clip at once, in threads, never the cache.

The hash cache in ``build/cache/`` speeds up `status` and drafts, but anyone who can write
``build/`` can rewrite it. A render for a public channel (web, broadcast) therefore hashes each
clip's footage itself, streamed, every clip in its own thread (hashlib releases the GIL, so the
hashes run side by side), and reads the project through :class:`FreshProject`: the gate's content
keys, the segment cache keys, the probe records and the manifest all get these hashes.

Hashing starts as soon as the render holds its lock, so it overlaps clearing stale temp files,
reading and verifying the ledger and probing; the gate then waits for every hash, because a
sign-off binds the footage's hash and the gate cannot say yes before it has them all. Each hash
is taken with the file's change stamp; a file whose stamp has moved since is hashed again.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

from pipeline.fsutil import ChangeStamp, change_stamp
from pipeline.project import Project
from pipeline.render.errors import RenderError

MAX_HASH_THREADS = 4


class FreshFootage:
    """sha256 of each clip's footage, hashed now in parallel threads; a context manager."""

    def __init__(self, project: Project, clip_ids: Iterable[str]) -> None:
        self._project = project
        ids = list(dict.fromkeys(clip_ids))
        self._pool = ThreadPoolExecutor(max_workers=max(1, min(MAX_HASH_THREADS, len(ids))),
                                        thread_name_prefix="coprod-hash")
        self._hashes: dict[str, Future[tuple[str, ChangeStamp | None]]] = {
            cid: self._pool.submit(self._hash, cid) for cid in ids}

    def _hash(self, clip_id: str) -> tuple[str, ChangeStamp | None]:
        path = self._project.clip(clip_id).file
        before = change_stamp(path)
        digest = self._project.file_sha256(path, fresh=True)
        after = change_stamp(path)
        if before != after:
            raise RenderError(f"clip {clip_id}: its footage changed while it was being hashed; "
                              "render again")
        return digest, after

    def sha256(self, clip_id: str) -> str:
        """The footage's hash, waiting for its thread; hashed again if the file changed since."""
        found = self._hashes.get(clip_id)
        digest, stamp = found.result() if found is not None else self._hash(clip_id)
        if change_stamp(self._project.clip(clip_id).file) != stamp:
            digest, stamp = self._hash(clip_id)
            done: Future[tuple[str, ChangeStamp | None]] = Future()
            done.set_result((digest, stamp))
            self._hashes[clip_id] = done
        return digest

    def close(self, *, wait: bool = True) -> None:
        """Stop the threads (not started hashes are cancelled)."""
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def __enter__(self) -> FreshFootage:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close(wait=kind is None)


class FreshProject(Project):
    """The project as a publishing render reads it: every hash taken now, none from the cache."""

    def __init__(self, project: Project, footage: FreshFootage) -> None:
        super().__init__(project.root, project.doc, project.film)
        self.footage = footage

    def footage_sha256(self, clip_id: str, *, fresh: bool = False) -> str:
        """The clip's footage hash from :class:`FreshFootage` (always fresh)."""
        return self.footage.sha256(clip_id)

    def file_sha256(self, path: Path, *, fresh: bool = False) -> str:
        """Any other file (caption files, film.yaml, the ledger) hashed now: they are small."""
        return super().file_sha256(path, fresh=True)


__all__ = ["MAX_HASH_THREADS", "FreshFootage", "FreshProject"]

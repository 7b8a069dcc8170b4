"""The archive: a bare git repository read with GitPython and written with plumbing.

Every change is one commit built from objects written directly (no shared index, no work
tree) and moved onto the branch with ``git update-ref NEW OLD``, a compare-and-swap that git
performs under its own ref lock. A writer that loses the race builds its commit again on the
new head, so no save can silently replace another. No Flask imports here.
"""

from __future__ import annotations

import glob
import logging
import os
import random
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from filelock import Timeout

from . import housekeeping
from .errors import ArchiveError, NotFound
from .locks import init_lock, recover_stale_locks, remove_stale, writer_lock
from .objects import Identity, commit_data, rewrite_tree, write_object
from .recent import Recent
from .store import SHA, ObjectStore, Snapshot
from .versions import Change, Version, own_version, parse_version

SYSTEM = Identity("客戶檔案系統", "archive@intranet.invalid")
ZERO = "0" * 40
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_REV = re.compile(r"^[0-9a-fA-F]{4,40}$")
_CREATING = ".creating-"  # the temporary folder a new archive is built in


class Busy(ArchiveError):
    """Raised when a save could not be placed on the branch after many attempts."""


class Archive(ObjectStore):
    """A bare git repository holding the customer files."""

    def __init__(
        self,
        path: str | os.PathLike,
        committer: Identity = SYSTEM,
        branch: str = "main",
        durable: bool = True,
    ):
        super().__init__(path)
        self.committer = committer
        self.ref = f"refs/heads/{branch}"
        self.durable = durable
        self.objects_dir = str(self.path / "objects")
        self._commits_since_gc = 0
        # Every this many commits of this object, gc --auto and a commit-graph update run in a
        # background thread (``packing``, joinable by tests).
        self.pack_every = 500
        self.packing: threading.Thread | None = None
        # The commits this object made, so the index can follow its own saves without git.
        self._recent = Recent()
        # Called with the new commit after every commit this object makes (a mirror push is
        # queued that way); a hook must be quick and must not raise.
        self.commit_hooks: list[Callable[[str], None]] = []

    # -- setting up -------------------------------------------------------------------------

    def exists(self) -> bool:
        """Tell whether a bare repository is at the path."""
        return (self.path / "HEAD").is_file() and (self.path / "objects").is_dir()

    def create(self) -> bool:
        """Create the bare repository if it is missing; return whether it was created.

        Safe when several processes start on an empty directory together: they queue on a
        lock next to the archive and re-check, and the repository is built in a temporary
        folder renamed into place, so nobody ever sees (or leaves behind) a half-made one.
        """
        if self.exists():
            return False
        with init_lock(self.path):
            if self.exists():
                return False  # another process created it while we waited
            self._clear_unfinished()
            if self.path.is_dir() and any(self.path.iterdir()):
                # A folder the operator filled with something else: git init adds to it.
                self._init_at(self.path)
                return True
            temporary = self.path.with_name(
                f".{self.path.name}{_CREATING}{os.getpid()}-{random.getrandbits(32):08x}")
            self._init_at(temporary)
            if self.path.is_dir():
                self.path.rmdir()  # an empty folder made beforehand: ours replaces it
            os.rename(temporary, self.path)
            return True

    def _clear_unfinished(self) -> None:
        # We hold the creation lock, so a temporary folder still here belongs to a dead process.
        for left in self.path.parent.glob(f".{glob.escape(self.path.name)}{_CREATING}*"):
            shutil.rmtree(left, ignore_errors=True)

    def _init_at(self, place: Path) -> None:
        """Make a bare repository with the archive's settings at ``place``."""
        branch = self.ref.rsplit("/", 1)[1]
        self._git("init", "--quiet", "--bare", f"--initial-branch={branch}", str(place),
                  git_dir=False)
        # Reflogs let an administrator see every move of the branch; a commit-graph written by
        # gc keeps plain `git log` quick on a long history (pages read history from the index).
        for key, value in (
            ("core.logAllRefUpdates", "always"),
            ("core.commitGraph", "true"),
            ("gc.writeCommitGraph", "true"),
            ("receive.denyNonFastForwards", "true"),
            ("receive.fsckObjects", "true"),
        ):
            self._git("--git-dir", str(place), "config", key, value, git_dir=False)

    def recover(self, grace: float = 5.0) -> list[Path]:
        """Remove lock files that killed writers left behind; return what was removed."""
        return recover_stale_locks(self.path, grace=grace)

    # -- plumbing ---------------------------------------------------------------------------

    # -- reading ----------------------------------------------------------------------------

    def head(self) -> str | None:
        """Return the commit the branch points at, or None for an empty archive."""
        loose = self.path / self.ref
        try:
            value = loose.read_text().strip()
            if SHA.match(value):
                return value
        except FileNotFoundError:
            pass
        try:
            for line in (self.path / "packed-refs").read_text().splitlines():
                if line.endswith(" " + self.ref) and SHA.match(line[:40]):
                    return line[:40]
        except FileNotFoundError:
            pass
        # Anything unusual (a symbolic ref, a ref format we do not read) goes through git.
        result = self._git("rev-parse", "--verify", "--quiet", self.ref + "^{commit}", check=False)
        value = result.stdout.decode().strip()
        return value if SHA.match(value) else None

    def resolve(self, rev: str | None) -> str | None:
        """Return the full id of a commit named by a (possibly abbreviated) hex id, or HEAD."""
        if rev is None:
            return self.head()
        if not _REV.match(rev):
            raise NotFound(rev)
        if SHA.match(rev):
            # A full id needs no rev-parse: asking the object store is enough (and in-process).
            self.tree_of(rev)  # NotFound unless it is a commit
            return rev
        result = self._git("rev-parse", "--verify", "--quiet", rev + "^{commit}", check=False)
        value = result.stdout.decode().strip()
        if result.returncode != 0 or not SHA.match(value):
            raise NotFound(rev)
        return value

    def snapshot(self, rev: str | None = None) -> Snapshot:
        """Return the files as of ``rev`` (default: the branch head)."""
        return Snapshot(self, self.resolve(rev))

    def read(self, path: str, rev: str | None = None) -> bytes:
        """Return a file's bytes at ``rev`` (default: head) or raise NotFound."""
        return self.snapshot(rev).read(path)

    def is_ancestor(self, older: str, newer: str) -> bool:
        """Tell whether ``older`` is in the history of ``newer``."""
        if older == newer or self._recent.chain(older, newer) is not None:
            return True
        result = self._git("merge-base", "--is-ancestor", older, newer, check=False)
        return result.returncode == 0

    def files(self, prefix: str, rev: str | None = None) -> dict[str, str]:
        """Return ``{path: blob id}`` for every file below ``prefix`` at ``rev``."""
        commit = self.resolve(rev)
        if commit is None:
            return {}
        out = self._git("ls-tree", "-r", "-z", "--full-tree", commit, "--", prefix).stdout
        found: dict[str, str] = {}
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            _mode, kind, sha = meta.split(b" ")
            if kind == b"blob":
                found[path.decode()] = sha.decode()
        return found

    _LOG_FORMAT = (
        "%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%s%x1f%(trailers:key=Action,valueonly,separator=%x2C)"
        "%x1f%(trailers:key=Source,valueonly,separator=%x2C)"
        "%x1f%(trailers:key=Reason,valueonly,separator=%x2C)"
    )

    def log(
        self,
        path: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int | None = None,
        with_paths: bool = False,
    ) -> list[Version]:
        """Return commits newest first, optionally only those touching ``path``.

        ``since`` excludes that commit and its ancestors, so ``log(since=a, until=b)`` is
        exactly what happened between the two.
        """
        until = until or self.head()
        if until is None:
            return []
        args = ["log", "--no-renames", f"--format={self._LOG_FORMAT}"]
        if with_paths:
            args.append("--name-status")
        if limit:
            args.append(f"--max-count={limit}")
        args.append(f"{since}..{until}" if since else until)
        if path:
            args += ["--", path]
        out = self._git(*args).stdout.decode()
        return [parse_version(chunk) for chunk in out.split("\x1e") if chunk.strip()]

    # -- writing ----------------------------------------------------------------------------

    def commit(
        self,
        build: Callable[[Snapshot], Change | None],
        author: Identity,
        when: datetime | None = None,
        attempts: int = 100,
        lock_timeout: float = 10.0,
        batch: bool = False,
    ) -> str | None:
        """Build a commit from the current head and swap it onto the branch; retry on a race.

        ``build`` is called with a snapshot of the head on every attempt, so its decisions
        (the next id, a merge with someone else's save) are always made against the commit
        the new one will follow. It may raise to abandon the save. Returns the new commit,
        or the unchanged head when ``build`` changed nothing. ``batch``: many files at once
        (an import), written first and waited for together (see ``_make_commit``).
        """
        lock = writer_lock(self.path)
        try:
            lock.acquire(timeout=lock_timeout)
            locked = True
        except Timeout:
            # The lock only spares retries; correctness comes from the swap below.
            locked = False
        try:
            for attempt in range(attempts):
                old = self.head()
                change = build(Snapshot(self, old))
                if change is None or not change.files:
                    return old
                made = self._make_commit(old, change, author, when, batch)
                if made is None:
                    return old
                new, version = made
                if self._swap(new, old, change.message, locked):
                    if version is not None:
                        self._recent.remember(new, old, version)
                    self._after_commit(new)
                    return new
                time.sleep(min(0.2, 0.002 * (attempt + 1)) * random.random())
        finally:
            if locked:
                lock.release()
        raise Busy("the archive is busy; the save was not made, please try again")

    def _make_commit(
        self, old: str | None, change: Change, author: Identity, when: datetime | None,
        batch: bool = False,
    ) -> tuple[str, Version | None] | None:
        """Write the objects of the commit; return its id and its Version (None when git
        must read it), or None when nothing changes."""
        # A batch (thousands of new files, an import) writes its blobs and trees without
        # waiting for the disk one by one, then waits once for all of them before the commit
        # object is written: the branch still never points at an object not on disk.
        # Only where sync(2) waits for the writes to finish (Linux).
        wait_once = batch and self.durable and sys.platform.startswith("linux")

        def write(kind: bytes, data: bytes) -> str:
            return write_object(self.objects_dir, kind, data, self.durable and not wait_once)

        blobs = {
            path: None if data is None else write(b"blob", data)
            for path, data in change.files.items()
        }
        old_tree = self.tree_of(old) if old else None
        before = {path: self.entry(old_tree, path, want_tree=False) for path in blobs}
        tree = rewrite_tree(write, self.read_tree, old_tree, blobs)
        tree = tree or write(b"tree", b"")
        if tree == (old_tree or EMPTY_TREE):
            return None
        if wait_once:
            os.sync()
        now = datetime.now(UTC).astimezone()
        data = commit_data(
            tree, old, author, self.committer, when or now, when or now, change.message
        )
        new = self._write(b"commit", data)
        with self._trees_lock:
            self._commit_trees[new] = tree
        paths = tuple(
            ("D" if blobs[path] is None else "A" if before[path] is None else "M", path)
            for path in sorted(blobs, key=lambda p: p.encode())
            if blobs[path] != before[path]
        )
        return new, own_version(new, author, when or now, change.message, paths)

    def _write(self, kind: bytes, data: bytes) -> str:
        return write_object(self.objects_dir, kind, data, self.durable)

    def _swap(self, new: str, old: str | None, message: str, locked: bool) -> bool:
        subject = message.splitlines()[0] if message else "commit"
        result = self._git("update-ref", "-m", subject, self.ref, new, old or ZERO, check=False)
        if result.returncode == 0:
            return True
        if self.head() != old:
            return False  # lost the race: build again on the new head
        if any(self.path.glob("refs/heads/*.lock")) or (self.path / "packed-refs.lock").exists():
            # Either someone is updating right now, or a killed writer left its lock.
            if locked:
                remove_stale(self.path, grace=2.0)
            else:
                recover_stale_locks(self.path, grace=2.0, wait=1.0)
            return False
        raise ArchiveError(
            "could not update the branch: " + result.stderr.decode(errors="replace").strip()
        )

    def _after_commit(self, new: str) -> None:
        for hook in list(self.commit_hooks):
            try:
                hook(new)
            except Exception:  # the commit is made; a hook's failure must not undo the save
                logging.getLogger(__name__).exception("commit hook failed")
        self._commits_since_gc += 1
        if self._commits_since_gc >= self.pack_every:
            self._commits_since_gc = 0
            self.packing = threading.Thread(target=self._pack, name="archive-pack", daemon=True)
            self.packing.start()

    def _pack(self) -> None:
        # Loose objects pile up because we write them ourselves; let git pack them now and then
        # (`gc --auto` detaches and only works past gc.auto loose objects). Then put the new
        # commits in the commit-graph with their Bloom filters, so an administrator's
        # `git log -- path` stays quick between two daily housekeepings. Either may find the
        # other's lock (or housekeeping's) and give up: the next round catches up.
        self._git("gc", "--auto", "--quiet", check=False)
        self._git("commit-graph", "write", "--reachable", "--changed-paths", check=False)

    def housekeep(self) -> dict[str, float]:
        """Pack the archive and write its commit-graph with changed-path Bloom filters now."""
        return housekeeping.housekeep(self.path)

    def fsck(self) -> tuple[bool, str]:
        """Run ``git fsck``; return whether it passed and what it printed."""
        result = self._git("fsck", "--no-progress", "--no-dangling", check=False)
        text = (result.stdout + result.stderr).decode(errors="replace").strip()
        return result.returncode == 0, text

    def bundle(self, target: Path) -> None:
        """Write every branch to one verified ``git bundle`` file (an offline backup)."""
        try:
            self._git("bundle", "create", str(target), "--all")
            self._git("bundle", "verify", str(target))
        except ArchiveError:
            target.unlink(missing_ok=True)
            raise

    def walk(self, since: str | None, until: str) -> Iterator[Version]:
        """Yield commits from ``since`` (exclusive) to ``until``, oldest first, with paths."""
        known = self._recent.chain(since, until)
        if known is None:
            known = self.log(since=since, until=until, with_paths=True)
        yield from reversed(known)



"""The archive's object store: git objects read in-process (GitPython), trees cached.

``Archive`` builds on it; a ``Snapshot`` needs nothing more than this to read files.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections import OrderedDict
from pathlib import Path

import git

from .errors import ArchiveError, NotFound
from .objects import parse_tree

SHA = re.compile(r"^[0-9a-f]{40}$")


class ObjectStore:
    """Read the objects of one bare git repository, with one GitPython Repo per thread."""

    def __init__(self, path: str | os.PathLike) -> None:
        """Open nothing yet: a thread's Repo is made when it first reads."""
        self.path = Path(path).absolute()
        self._local = threading.local()
        self._repos: list[git.Repo] = []
        self._repos_lock = threading.Lock()
        self._trees: OrderedDict[str, bytes] = OrderedDict()
        self._trees_lock = threading.Lock()
        self._commit_trees: OrderedDict[str, str] = OrderedDict()

    def _git(
        self, *args: str, input: bytes | None = None, git_dir: bool = True, check: bool = True
    ) -> subprocess.CompletedProcess:
        cmd = ["git"] + (["--git-dir", str(self.path)] if git_dir else []) + list(args)
        env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
        result = subprocess.run(cmd, input=input, capture_output=True, env=env, check=False)
        if check and result.returncode != 0:
            raise ArchiveError(
                f"git {args[0]} failed: {result.stderr.decode(errors='replace').strip()}"
            )
        return result

    def _repo(self) -> git.Repo:
        # A GitPython Repo is not thread-safe, so each thread gets its own; close() ends them.
        repo = getattr(self._local, "repo", None)
        if repo is None:
            repo = git.Repo(self.path)
            self._local.repo = repo
            with self._repos_lock:
                self._repos.append(repo)
        return repo

    def close(self) -> None:
        """Close every GitPython repository (and its cat-file processes) this archive opened."""
        with self._repos_lock:
            repos, self._repos = self._repos, []
        for repo in repos:
            repo.close()
        self._local = threading.local()

    def read_object(self, sha: str) -> tuple[str, bytes]:
        """Return the type and raw data of an object."""
        try:
            stream = self._repo().odb.stream(bytes.fromhex(sha))
        except (ValueError, git.BadName, git.BadObject) as exc:
            raise NotFound(sha) from exc
        return stream.type.decode(), stream.read()

    def read_tree(self, sha: str) -> bytes:
        """Return raw tree data, cached: trees never change once written."""
        with self._trees_lock:
            data = self._trees.get(sha)
            if data is not None:
                self._trees.move_to_end(sha)
                return data
        kind, data = self.read_object(sha)
        if kind != "tree":
            raise ArchiveError(f"{sha} is a {kind}, not a tree")
        with self._trees_lock:
            self._trees[sha] = data
            if len(self._trees) > 2048:
                self._trees.popitem(last=False)
        return data

    def tree_of(self, commit: str) -> str:
        """Return the root tree id of a commit (remembered: a commit never changes)."""
        with self._trees_lock:
            tree = self._commit_trees.get(commit)
        if tree is not None:
            return tree
        kind, data = self.read_object(commit)
        if kind != "commit":
            raise NotFound(commit)
        tree = data[5:45].decode()
        if SHA.match(commit):
            with self._trees_lock:
                self._commit_trees[commit] = tree
                if len(self._commit_trees) > 4096:
                    self._commit_trees.popitem(last=False)
        return tree

    def entry(self, tree: str | None, path: str, want_tree: bool) -> str | None:
        """Return the id of the blob (or tree) at ``path`` below ``tree``, or None."""
        parts = [p for p in path.split("/") if p]
        for depth, part in enumerate(parts):
            if tree is None:
                return None
            found = parse_tree(self.read_tree(tree)).get(part.encode())
            if found is None:
                return None
            mode, sha = found
            is_tree = mode == b"40000"
            last = depth == len(parts) - 1
            if not last and not is_tree:
                return None
            if last:
                return sha if is_tree == want_tree else None
            tree = sha
        return tree if want_tree else None

    def read_many(self, names: list[str]) -> list[bytes | None]:
        """Return the contents of many objects at once (``commit:path`` names allowed), None
        for each one that does not exist: one ``git cat-file --batch`` instead of a tree walk
        per object."""
        if not names:
            return []
        if any("\n" in name for name in names):
            raise ValueError("an object name cannot contain a newline")
        out = self._git("cat-file", "--batch", input="".join(n + "\n" for n in names).encode()
                        ).stdout
        found: list[bytes | None] = []
        at = 0
        for _ in names:
            end = out.index(b"\n", at)
            header = out[at:end].split(b" ")
            if len(header) != 3:  # "<name> missing" (or ambiguous)
                found.append(None)
                at = end + 1
                continue
            size = int(header[2])
            found.append(out[end + 1:end + 1 + size])
            at = end + 1 + size + 1
        return found


class Snapshot:
    """The archive's files as of one commit (or the empty archive)."""

    def __init__(self, archive: ObjectStore, commit: str | None):
        self.archive = archive
        self.commit = commit
        self.tree = archive.tree_of(commit) if commit else None

    def blob_id(self, path: str) -> str | None:
        """Return the blob id at ``path``, or None when there is no file there."""
        return self.archive.entry(self.tree, path, want_tree=False)

    def get(self, path: str) -> bytes | None:
        """Return the file's bytes, or None when it does not exist."""
        blob = self.blob_id(path)
        return None if blob is None else self.archive.read_object(blob)[1]

    def read(self, path: str) -> bytes:
        """Return the file's bytes or raise NotFound."""
        data = self.get(path)
        if data is None:
            raise NotFound(path)
        return data

    def listdir(self, path: str = "") -> list[str]:
        """Return the names in a folder, sorted; empty when the folder does not exist."""
        tree = self.tree if not path else self.archive.entry(self.tree, path, want_tree=True)
        if tree is None:
            return []
        return sorted(name.decode() for name in parse_tree(self.archive.read_tree(tree)))

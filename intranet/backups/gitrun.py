"""Run git for the backups: plain subprocesses, C locale, never a prompt."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from .catalogue import Problem


class BackupError(Exception):
    """Raised when a backup, a verification or a restore cannot go on; carries the reason."""

    def __init__(self, problem: Problem):
        super().__init__(problem.describe())
        self.problem = problem


def env() -> dict[str, str]:
    """Return git's environment: C locale (stable messages), no terminal prompts."""
    return {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}


def run(git_dir: Path | None, *args: str) -> subprocess.CompletedProcess:
    """Run ``git [--git-dir DIR] ARGS``; return the finished process (never raises on rc)."""
    cmd = ["git"] + (["--git-dir", str(git_dir)] if git_dir else []) + list(args)
    return subprocess.run(cmd, capture_output=True, env=env(), check=False)


def detail(result: subprocess.CompletedProcess) -> str:
    """Return the first lines of what a failed git said, or how it died."""
    if result.returncode < 0:
        return f"killed by signal {signal.Signals(-result.returncode).name}"
    text = (result.stderr or b"").decode(errors="replace").strip()
    text = text or (result.stdout or b"").decode(errors="replace").strip()
    return " / ".join(text.splitlines()[:3]) or f"exit status {result.returncode}"

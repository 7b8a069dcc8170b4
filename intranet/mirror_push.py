"""One ``git push`` to a mirror, bounded in time, and the masking of credentials in its URL.

A mirror URL may carry a user name and password or token (``https://user:token@host/x.git``);
nothing the application shows or logs may contain them, so every URL and every message from
git passes through :func:`mask` first. No Flask imports here.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

MASK = "***"
# ``scheme://userinfo@`` anywhere in a text (git echoes URLs in its messages).
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^/@\s'\"]+)@")
# Every local branch to the same name on the mirror, forced: the mirror follows the archive.
REFSPEC = "+refs/heads/*:refs/heads/*"


def secrets_of(url: str) -> list[str]:
    """Return the user-info parts of a URL (as written and decoded) that must never be shown."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found = []
    if parts.password:
        found += [parts.password, unquote(parts.password)]
    elif parts.username and len(parts.username) >= 8:
        # A long user name without a password is a token (https://TOKEN@host/...); a short
        # one ("git") is not secret, and hiding it everywhere would garble every message.
        found += [parts.username, unquote(parts.username)]
    return sorted(set(found), key=len, reverse=True)


def mask(text: str, urls: list[str] | tuple[str, ...] = ()) -> str:
    """Hide the user-info of every URL in ``text`` and every known secret of ``urls``."""
    text = _USERINFO.sub(lambda m: m.group("scheme") + MASK + "@", text)
    for url in urls:
        for secret in secrets_of(url):
            text = text.replace(secret, MASK)
    return text


@dataclass(frozen=True)
class PushResult:
    """What one push did: ``ok``, and git's first line of complaint (masked) when not."""

    ok: bool
    error: str = ""


def push_env() -> dict[str, str]:
    """Return git's environment for an unattended push: never ask anyone for anything."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    # An operator's own ssh command (a key file, a port) is kept; batch mode is what matters.
    ssh = env.get("GIT_SSH_COMMAND") or "ssh"
    if "BatchMode" not in ssh:
        ssh += " -o BatchMode=yes"
    env["GIT_SSH_COMMAND"] = ssh
    return env


def first_error_line(output: str) -> str:
    """Return the line of git's output that says what went wrong."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("fatal:", "error:", "remote: error", "!")):
            return line
    return lines[0] if lines else ""


def _kill(proc: subprocess.Popen) -> None:
    # The whole process group: git's helpers (ssh, git-remote-https) would keep the pipes
    # open and leave us waiting for them after git itself was killed.
    try:
        if sys.platform != "win32":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        proc.kill()


def push(git_dir: Path, url: str, timeout: float) -> PushResult:
    """Push every branch of ``git_dir`` to ``url``; kill git after ``timeout`` seconds."""
    cmd = ["git", "--git-dir", str(git_dir), "push", "--porcelain", url, REFSPEC]
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, env=push_env(),
                                start_new_session=sys.platform != "win32")
    except OSError as exc:
        return PushResult(False, f"could not run git: {exc.strerror or type(exc).__name__}")
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.communicate()
        # Never str(exc): TimeoutExpired names the command, and the command holds the URL.
        return PushResult(False, f"timed out after {timeout:g} s")
    text = output.decode(errors="replace")
    if proc.returncode == 0:
        return PushResult(True)
    line = first_error_line(text) or f"git push exited with {proc.returncode}"
    return PushResult(False, mask(line, [url]))

"""The documented production servers keep answering while slow clients hold connections open.

Each server is started for real on a free port of 127.0.0.1, on a temporary archive. Six
clients each send half a request line and then nothing; a normal ``GET /healthz`` must still
be answered. (gunicorn's default sync workers fail this: each of them serves one connection
at a time, so four stalled clients freeze four workers until the worker timeout kills them.)
The 20-second socket timeout is a liveness bound, not a performance limit.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import make_archive

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
SLOW_CLIENTS = 6


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _commands(port: int) -> dict[str, list[str]]:
    return {
        # python app.py: waitress, 127.0.0.1 by default; fewer threads than stalled clients,
        # because waitress reads whole requests before a thread sees them.
        "app.py": [sys.executable, "app.py", "--port", str(port), "--threads", "2"],
        # waitress-serve, as the README runs it (python -m waitress is the same program).
        "waitress-serve": [sys.executable, "-m", "waitress", "--listen", f"127.0.0.1:{port}",
                           "--threads", "16", "--call", "intranet:create_app"],
        # gunicorn with the checked-in gunicorn.conf.py (gthread, 8 threads). One worker
        # instead of two: quicker to start, and all six stalled clients land in it.
        "gunicorn": [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                     "--bind", f"127.0.0.1:{port}", "--workers", "1", "intranet:create_app()"],
    }


def _get(url: str, timeout: float) -> int:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        response.read()
        return response.status


@pytest.mark.parametrize("server", ["app.py", "waitress-serve", "gunicorn"])
def test_the_server_answers_while_six_clients_stall(server, tmp_path):
    if server == "gunicorn" and not sys.platform.startswith("linux"):
        pytest.skip("gunicorn runs on Linux")
    make_archive(tmp_path / "archive.git").close()
    port = _free_port()
    env = {**os.environ, "ARCHIVE_REPO": str(tmp_path / "archive.git"),
           "INTRANET_INSTANCE_PATH": str(tmp_path / "instance"),
           "INTRANET_SECRET_KEY": "slow-clients"}
    proc = subprocess.Popen(_commands(port)[server], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    stalled: list[socket.socket] = []
    try:
        for _ in range(400):
            try:
                assert _get(base + "/healthz", timeout=2) == 200
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(proc.stderr.read().decode(errors="replace"))
                time.sleep(0.05)
        else:
            pytest.fail(f"{server} did not start")
        for _ in range(SLOW_CLIENTS):
            sock = socket.create_connection(("127.0.0.1", port), timeout=20)
            sock.sendall(b"GET /healthz HT")  # half a request line, then silence
            stalled.append(sock)
        assert _get(base + "/healthz", timeout=20) == 200
        # The stalled clients were not simply dropped: they are still connected and waiting.
        for sock in stalled:
            sock.setblocking(False)
            with pytest.raises(BlockingIOError):
                sock.recv(1)
    finally:
        for sock in stalled:
            sock.close()
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(20)

"""`gisplan serve` on a port already taken says so in one line instead of exiting silently."""

from __future__ import annotations

import socket
import subprocess
import sys


def test_serve_on_a_busy_port_names_it():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "gisplan", "serve", "--host", "127.0.0.1", "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert f"127.0.0.1:{port}" in proc.stderr and "--port" in proc.stderr

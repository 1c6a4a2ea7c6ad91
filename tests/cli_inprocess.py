"""Run a ``gisplan`` command in the test process, through the real entry function.

``gisplan(*args)`` calls :func:`gisplan.cli.main` (what ``python -m gisplan`` and ``.venv/bin/gisplan``
run: the same argument parsing, the same one-line errors and exit codes) with ``sys.argv`` set and
stdout/stderr captured, and answers like ``subprocess.run(..., capture_output=True, text=True)``.
A new Python process per command costs 1–3 s of start-up and imports; tests of what a command does
use this, and tests of the entry point itself keep starting a process (tests/test_cli_imports.py,
tests/test_external_db.py, tests/test_catalog_errors.py, tests/test_cluster.py, tests/test_cli_serve.py).

The command sees the test process's environment, as a subprocess would inherit it, plus ``env``
(set for the call, then put back); the cached settings are read afresh before and after a call
that changes the environment (``gisplan.settings.clear_caches()``).
"""

from __future__ import annotations

import os
import subprocess
import sys

from typer.testing import CliRunner


def gisplan(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    from gisplan.cli import main
    from gisplan.settings import clear_caches

    argv = ["gisplan", *map(str, args)]
    saved_argv, saved_env = sys.argv, {k: os.environ.get(k) for k in env or {}}
    if env:
        os.environ.update(env)
        clear_caches()
    try:
        with CliRunner().isolation() as (out, err, _):
            sys.argv = argv
            try:
                main()
                code = 0
            except SystemExit as exc:  # as Python ends a process: an int, None (0) or a message (1)
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if isinstance(exc.code, str):
                    sys.stderr.write(exc.code + "\n")
            stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    finally:
        sys.argv = saved_argv
        if env:
            for k, v in saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            clear_caches()
    return subprocess.CompletedProcess(argv, code, stdout, stderr)

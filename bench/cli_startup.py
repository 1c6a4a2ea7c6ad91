"""Start-up of the command line: how long `gisplan --help` and `gisplan catalog list` take, each a
new Python process, beside the same processes with ``gisplan.ingest.load`` (pyogrio, geopandas,
pandas) imported first, as ``gisplan.cli`` did before its commands imported it themselves.

Anchor: a bare ``python -c pass`` in the same run. Runs alternate; medians of ``BENCH_ROUNDS`` (7).
Prints figures only; asserts nothing (tests/test_cli_imports.py checks what is imported).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
EAGER = "import gisplan.ingest.load, runpy, sys; sys.argv = ['gisplan', *sys.argv[1:]]; " \
        "runpy.run_module('gisplan', run_name='__main__')"

CASES = {
    "python -c pass (anchor)": [sys.executable, "-c", "pass"],
    "gisplan --help": [sys.executable, "-m", "gisplan", "--help"],
    "gisplan --help, ingest loaded first": [sys.executable, "-c", EAGER, "--help"],
    "gisplan catalog list": [sys.executable, "-m", "gisplan", "catalog", "list"],
    "gisplan catalog list, ingest loaded first": [sys.executable, "-c", EAGER, "catalog", "list"],
}


def main() -> None:
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(ROUNDS):
        for name, cmd in CASES.items():
            t = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - t)
    anchor = statistics.median(times["python -c pass (anchor)"])
    print(f"{'process':45} {'median s':>9} {'min s':>7} {'÷ anchor':>9}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:45} {med:9.3f} {min(ts):7.3f} {med / anchor:9.1f}")
    for cmd in ("--help", "catalog list"):
        lazy = statistics.median(times[f"gisplan {cmd}"])
        eager = statistics.median(times[f"gisplan {cmd}, ingest loaded first"])
        print(f"gisplan {cmd}: {eager - lazy:.2f} s less per process ({eager / lazy:.1f}× faster)")


if __name__ == "__main__":
    main()

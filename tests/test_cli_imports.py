"""The command line starts without the heavy libraries: `gisplan --help`, and every command that does
not read or write files of geodata, loads neither pyogrio, geopandas, pandas nor fiona (nor the web,
PDF and map libraries). Commands import what they need inside their function (`gisplan layer
import|export` does), so each `gisplan …` process starts in well under a second instead of ~3 s
(figures: `bench/cli_startup.py`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pyogrio", "geopandas", "pandas", "fiona", "weasyprint", "mapnik", "matplotlib", "fastapi")
PROBE = "\nimport json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & set(%r))))\n" % (HEAVY,)


def _heavy_loaded_after(code: str) -> list[list[str]]:
    """Run ``code`` in a new Python; PROBE lines in it print the heavy libraries loaded so far."""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines() if line.startswith("[")]


def test_the_command_line_and_every_groups_help_import_no_heavy_library():
    code = ("import gisplan.cli" + PROBE +
            "from typer.main import get_command\nfrom typer.testing import CliRunner\n"
            "from gisplan.cli import app\ncmd = get_command(app)\n"
            "for name in [None, *cmd.commands]:\n"
            "    r = CliRunner().invoke(app, [name, '--help'] if name else ['--help'])\n"
            "    assert r.exit_code == 0 and 'Usage' in r.output, (name, r.output)\n" + PROBE)
    assert _heavy_loaded_after(code) == [[], []]


def test_the_ingest_package_imports_its_names_on_first_use():
    """``gisplan.ingest`` imports ``.load`` (pyogrio, geopandas, pandas) when one of its names is
    first asked for, and offers the same objects as before."""
    code = ("import gisplan.ingest as i" + PROBE +
            "from gisplan.ingest import ImportOptions, ImportRejected, IngestError, import_file, MODES\n"
            "from gisplan.ingest.load import import_file as f\nfrom gisplan.ingest.report import ImportReport\n"
            "assert import_file is f and i.ImportReport is ImportReport and sorted(i.__all__) == sorted(i._LAZY)\n"
            "try:\n    i.no_such_name\nexcept AttributeError:\n    pass\nelse:\n    raise SystemExit(1)\n" + PROBE)
    before, after = _heavy_loaded_after(code)
    assert before == [] and {"pyogrio", "geopandas", "pandas"} <= set(after)


def test_the_entry_point_runs_a_command_and_reports_usage_errors():
    """`python -m gisplan` (what `.venv/bin/gisplan` runs) reaches a command; a usage error (typer
    raises its own copy of click's exceptions) is click's message with exit code 2, not a traceback."""
    def gisplan(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "gisplan", *args], capture_output=True, text=True,
                              cwd=ROOT, timeout=120)

    r = gisplan("catalog", "list")
    assert r.returncode == 0, r.stderr
    assert "shelters" in r.stdout
    r = gisplan("layer", "export", "shelters", "--out", "x.geojson")
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "Error: Missing option '--format'" in r.stderr

"""Monitoring reports: time to build each demo program's reports per format against the anchor of
the same run, assembling the report's figures without rendering (program, indicators, funding);
and the share of an annual PDF spent drawing its maps (Mapnik) and charts (matplotlib).

Needs a database with the demo loaded (``make run`` or GISPLAN_DATABASE_URL):

    .venv/bin/python bench/reports.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from gisplan.db.engine import get_engine  # noqa: E402
from gisplan.program.tables import program  # noqa: E402
from gisplan.reports.build import build_report, context  # noqa: E402

REPEAT = 3
DEMO = {"UA63040010000010092": "Балаклійська", "UA05120170000013778": "Хмільницька",
        "UA53020110000092487": "Кременчуцька"}


def timed(fn) -> float:
    runs = []
    for _ in range(REPEAT):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    engine = get_engine()
    with engine.connect() as conn:
        programs = conn.execute(select(program.c.id, program.c.hromada, program.c.period_start)
                                .where(program.c.hromada.in_(list(DEMO)))).all()
        if not programs:
            sys.exit("no demo programs: run `gisplan demo load` first")
        print(f"{'program':13} {'report':9} {'anchor ms':>9} {'xlsx':>7} {'docx':>7} {'pdf':>7}   (× anchor)")
        for pid, hromada, start in programs:
            year = start + 1 if hromada != "UA53020110000092487" else start
            for kind, quarter in (("quarterly", 2), ("annual", None)):
                anchor = timed(lambda: context(conn, pid, kind, year, quarter, images=False))
                ratios = [timed(lambda f=f: build_report(conn, pid, kind, year, f, quarter=quarter)) / anchor
                          for f in ("xlsx", "docx", "pdf")]
                print(f"{DEMO[hromada]:13} {kind:9} {anchor * 1000:9.0f} " + " ".join(f"{r:7.2f}" for r in ratios))
            with_images = timed(lambda: context(conn, pid, "annual", year))
            without = timed(lambda: context(conn, pid, "annual", year, images=False))
            print(f"{'':13} maps and charts: {with_images / without:.2f} × the annual figures alone "
                  f"({(with_images - without) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()

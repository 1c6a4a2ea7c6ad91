"""DOCX program import: reading time per demo program against reading its XLSX (the anchor, same
run), and how the canonical matching fares against the codes of the demo workbooks at several
thresholds (matched, of them wrong, left for review).

    .venv/bin/python bench/program_docx.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gisplan.program.docx import read_docx  # noqa: E402
from gisplan.program.loading import DEMO_DIR  # noqa: E402
from gisplan.program.matching import THRESHOLD, match_indicator  # noqa: E402
from gisplan.program.xlsx import read_workbook  # noqa: E402
from tests.fixtures.seeds import typeset  # noqa: E402

REPEAT = 5


def timed(fn, *args) -> float:
    runs = []
    for _ in range(REPEAT):
        t = time.perf_counter()
        fn(*args)
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    builds = {"kremenchuk": typeset.kremenchuk_docx, "balakliia": typeset.balakliia_docx,
              "khmilnyk": typeset.khmilnyk_docx}
    rows = []
    print(f"{'program':12} {'rows':>5} {'docx ms':>8} {'xlsx ms':>8} {'ratio':>6}")
    for name, build in builds.items():
        data, xlsx = build(), (DEMO_DIR / f"{name}.xlsx").read_bytes()
        read = read_docx(data)
        d, x = timed(read_docx, data), timed(read_workbook, xlsx)
        print(f"{name:12} {len(read.rows):5} {d * 1000:8.1f} {x * 1000:8.1f} {d / x:6.2f}")
        rows += [(i.name, i.unit, i.canonical_code) for i in read_workbook(xlsx).indicators]
    print(f"\ncanonical matching of {len(rows)} indicator rows against the demo workbooks' codes "
          f"(threshold in use: {THRESHOLD:.0f})")
    best = [(match_indicator(n, u, threshold=0), code) for n, u, code in rows]
    print(f"{'threshold':>9} {'matched':>8} {'wrong':>6} {'review':>7}")
    for th in (60, 65, 70, 75, 80, 85, 90):
        hit = [(m, c) for m, c in best if m.score >= th]
        wrong = sum(1 for m, c in hit if m.candidates[0].code != c)
        print(f"{th:9} {len(hit):8} {wrong:6} {len(rows) - len(hit):7}")


if __name__ == "__main__":
    main()

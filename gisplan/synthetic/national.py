"""``gisplan demo load --national``: a deterministic synthetic set over every громада.

Rows carry ``source = 'synthetic-national'`` and are replaced as a whole on every load; the
громади that have settlements of their own (the demo ones) are left alone. The SQL is
``sql/national.sql``; with the defaults it makes about 30 000 settlements, 60 000 shelters,
20 000 schools, 10 000 air sensors and 5 000 sirens.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

SOURCE = "synthetic-national"
LAYERS = ("settlements", "shelters", "schools", "air_sensors", "alert_sirens", "wifi_zones", "cnap_points",
          "mobile_coverage")
SQL = Path(__file__).resolve().parent / "sql" / "national.sql"


def statements() -> list[str]:
    body = "\n".join(line for line in SQL.read_text(encoding="utf-8").splitlines()
                     if not line.lstrip().startswith("--"))
    return [s.strip() for s in body.split("\n;;") if s.strip()]


def load_national(engine: Engine, seed: float = 0.2026, settlements_per: int = 20,
                  limit: int | None = None) -> dict[str, int]:
    """Replace the synthetic national rows (of the first ``limit`` громади by code, default all);
    returns the number of rows per layer."""
    if not 6 <= settlements_per <= 1000:
        raise ValueError(f"settlements_per: {settlements_per} is out of range 6…1000")
    with engine.begin() as conn:
        for layer in LAYERS:
            conn.execute(text(f"DELETE FROM {layer} WHERE source = :s"), {"s": SOURCE})
        for sql in statements():
            given = {"seed": seed, "settlements_per": settlements_per, "limit": limit}
            params = {k: v for k, v in given.items() if f":{k}" in sql}
            conn.execute(text(sql), params)
        return {layer: conn.execute(text(f"SELECT count(*) FROM {layer} WHERE source = :s"), {"s": SOURCE}).scalar()
                for layer in LAYERS}

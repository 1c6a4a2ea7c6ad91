"""Siting suggestions: the N candidate locations that close the most of a gap, chosen greedily.

Each kind draws on one gap. Sensors and Wi‑Fi zones close a settlement at a time (the candidate is a
point on the settlement, the gain one settlement and its residents). Sirens and shelters cover the
uncovered residents within a radius of the candidate (a point on each located settlement); the gain
is residents newly covered. Greedy: at every step the candidate with the largest gain over what is
still uncovered (ties: more residents, then the lower КАТОТТГ code) is taken, and what it covers is
removed from the demand. The pairs come from SQL (``siting/*.sql``), the choice from Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text

from ..errors import GisplanError
from ..indicators.sqltext import expand, fill, strip_comments
from .compute import _params
from .registry import gap

SITING_DIR = Path(__file__).resolve().parent / "siting"


@dataclass(frozen=True)
class Kind:
    gap: str
    template: str  # settlement or reach
    gain_unit: str
    radius_param: str | None = None
    radius_default: float | None = None
    name: tuple[str, str] = ("", "")


KINDS = {
    "sensors": Kind("settlements_without_air_sensor", "settlement", "settlements",
                    name=("датчики якості повітря", "air quality sensors")),
    "wifi": Kind("settlements_without_wifi", "settlement", "settlements",
                 name=("відкриті зони Wi‑Fi", "open Wi-Fi zones")),
    "sirens": Kind("population_outside_sirens", "reach", "residents", "radius_m", 1000.0,
                   name=("сирени", "alert sirens")),
    "shelters": Kind("population_beyond_shelters", "reach", "residents", "distance_m", None,
                     name=("укриття", "shelters")),
}


def greedy(pairs: list[dict], n: int) -> list[dict]:
    """Choose up to ``n`` candidates from rows (candidate, name, lon, lat, demand, weight,
    residents); each pick's gain counts only demand not covered by earlier picks."""
    covers: dict[str, dict[str, tuple[float, float]]] = {}
    where: dict[str, tuple] = {}
    for r in pairs:
        covers.setdefault(r["candidate"], {})[r["demand"]] = (float(r["weight"]), float(r["residents"]))
        where[r["candidate"]] = (r["name"], float(r["lon"]), float(r["lat"]))
    covered: set[str] = set()
    chosen: list[dict] = []
    total = total_residents = 0.0
    for rank in range(1, n + 1):
        best, best_key = None, None
        for cand in sorted(covers):
            fresh = [v for d, v in covers[cand].items() if d not in covered]
            key = (sum(w for w, _ in fresh), sum(p for _, p in fresh))
            if key[0] > 1e-9 and (best_key is None or key > best_key):
                best, best_key = cand, key
        if best is None:
            break
        newly = sorted(d for d in covers[best] if d not in covered)
        covered.update(newly)
        total += best_key[0]
        total_residents += best_key[1]
        name, lon, lat = where[best]
        chosen.append({"rank": rank, "candidate": best, "name": name, "lon": lon, "lat": lat,
                       "gain": round(best_key[0], 3), "residents_gain": round(best_key[1], 3),
                       "cumulative_gain": round(total, 3), "cumulative_residents": round(total_residents, 3),
                       "covers": sorted({d.split("#")[0] for d in newly})})
        del covers[best]
    return chosen


def suggestions(conn: Connection, hromada: str, kind: str, n: int, as_of: dt.date,
                radius_m: float | None = None) -> dict:
    """GeoJSON FeatureCollection of up to ``n`` suggested points, best first, each with its gain."""
    if kind not in KINDS:
        raise GisplanError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    if not 1 <= n <= 100:
        raise GisplanError(f"n: {n} is out of range; give 1 to 100 suggestions")
    k = KINDS[kind]
    spec = gap(k.gap)
    params = _params(spec, None)
    binds = {**params, "hromada": hromada, "as_of": as_of}
    if k.template == "reach":
        r = radius_m if radius_m is not None else (k.radius_default or float(params[k.radius_param]))
        if r <= 0:
            raise GisplanError(f"radius_m: {r} must be greater than 0")
        binds["radius_m"] = r
    elif radius_m is not None:
        raise GisplanError(f"radius_m: {kind} suggestions close a settlement each and take no radius")
    sql = fill(strip_comments((SITING_DIR / f"{k.template}.sql").read_text(encoding="utf-8")),
               gap=strip_comments(expand(spec.sql)))
    pairs = [dict(r) for r in conn.execute(text(expand(sql)), binds).mappings()]
    chosen = greedy(pairs, n)
    features = [{"type": "Feature", "id": c["rank"],
                 "geometry": {"type": "Point", "coordinates": [round(c["lon"], 7), round(c["lat"], 7)]},
                 "properties": {k2: v for k2, v in c.items() if k2 not in ("lon", "lat")}} for c in chosen]
    return {"type": "FeatureCollection", "kind": kind, "hromada": hromada, "as_of": as_of.isoformat(),
            "gap": k.gap, "gain_unit": k.gain_unit, "name": {"uk": k.name[0], "en": k.name[1]},
            "radius_m": binds.get("radius_m"), "requested": n, "features": features}

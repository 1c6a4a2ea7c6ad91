"""Codes by location, in Python while checking: a row without a громада gets the one whose boundary
holds its probe point, and a row without a settlement code gets the КАТОТТГ code of the settlement
of its громада whose boundary holds the probe.

The same rules as ``sql/locate_hromada.sql`` and ``sql/locate_settlement.sql`` (the slow path,
kept for ``ImportOptions(fast=False)``), done with shapely 2: the boundaries are read in the import's
own transaction and prepared once; each batch's probe points go into an STRtree that every boundary
queries, so a large file costs one vectorised query per batch instead of an UPDATE that rewrites
every staged row. Where two boundaries hold a probe (a point on a shared border) the one with the
smaller code wins.
"""

from __future__ import annotations

import numpy as np
import shapely
from sqlalchemy import Connection, text

HROMADY = text("SELECT hromada, ST_AsBinary(geom) FROM public.hromady "
               "WHERE removed_at IS NULL AND geom IS NOT NULL ORDER BY hromada")
SETTLEMENTS = text("SELECT katottg, ST_AsBinary(geom), hromada FROM public.settlements "
                   "WHERE katottg IS NOT NULL AND geom IS NOT NULL AND removed_at IS NULL ORDER BY katottg")


class _Tree:
    """Polygons with a code each, and the first (smallest-code) polygon holding each probe."""

    def __init__(self, codes: list[str], wkb: list[bytes], owners: list[str] | None = None):
        self.codes = np.array(codes, dtype=object)
        self.owners = np.array(owners, dtype=object) if owners is not None else None
        self.polygons = shapely.from_wkb(wkb)
        shapely.prepare(self.polygons)  # each boundary is tested against many points

    def first_holding(self, probes: np.ndarray, owners: np.ndarray | None = None) -> np.ndarray:
        """For each probe, the code of the first polygon (in code order) that intersects it and, when
        ``owners`` is given, belongs to the same owner; None where there is none."""
        out = np.full(len(probes), None, dtype=object)
        if not len(self.polygons) or not len(probes):
            return out
        # the probes are indexed and each (prepared) polygon asks for the probes it holds: the other
        # way round, shapely would prepare the probes, not the polygons, and be several times slower
        polys, rows = shapely.STRtree(probes).query(self.polygons, predicate="intersects")
        if owners is not None:
            keep = self.owners[polys] == owners[rows]
            rows, polys = rows[keep], polys[keep]
        if not len(rows):
            return out
        order = np.lexsort((polys, rows))        # by row, then polygon (polygons are in code order)
        rows, polys = rows[order], polys[order]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = rows[1:] != rows[:-1]
        out[rows[first]] = self.codes[polys[first]]
        return out


class Locator:
    """Finds громада and settlement codes of staged rows. The boundaries are read when it is made,
    in the import's transaction and before the COPY starts (which keeps the connection busy)."""

    def __init__(self, conn: Connection, settlements: bool = True):
        rows = conn.execute(HROMADY).all()
        self.hromady = _Tree([r[0] for r in rows], [bytes(r[1]) for r in rows])
        self.settlements = None
        if settlements:
            rows = conn.execute(SETTLEMENTS).all()
            self.settlements = _Tree([r[0] for r in rows], [bytes(r[1]) for r in rows], [r[2] for r in rows])

    def fill(self, probes: np.ndarray, hromada: list, katottg: list) -> tuple[list, list]:
        """``hromada`` and ``katottg`` with the empty values found by location where possible."""
        hromada, katottg = list(hromada), list(katottg)
        present = ~shapely.is_missing(probes)
        need = np.flatnonzero(present & np.array([h is None for h in hromada], dtype=bool))
        if len(need):
            for i, code in zip(need.tolist(), self.hromady.first_holding(probes[need]).tolist()):
                hromada[i] = code
        if self.settlements is None:
            return hromada, katottg
        need = np.flatnonzero(present & np.array([k is None and h is not None for k, h in zip(katottg, hromada)],
                                                 dtype=bool))
        if len(need):
            owners = np.array([hromada[i] for i in need.tolist()], dtype=object)
            for i, code in zip(need.tolist(), self.settlements.first_holding(probes[need], owners).tolist()):
                katottg[i] = code
        return hromada, katottg

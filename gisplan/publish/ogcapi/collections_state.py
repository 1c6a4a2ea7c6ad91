"""The state an anonymous OGC API collection list is kept by (its ETag; issue 17).

What the list's bytes depend on, besides the request (site, path, query) and the settings and the
day that :func:`gisplan.publish.response_cache.etag_for` adds:

- **which collections** it lists: the layers with a published dataset (in the громада, or anywhere),
  and the gap collections whose inputs are all published somewhere — the publication set;
- **their extents**: the boxes of the boundaries (``public.hromady``) of the громади publishing each
  layer, or covered by each gap layer — never the features of the listed layers;
- **their titles, descriptions and keywords**: the layer definitions (``layers/*.yaml``) and the gap
  registry, fixed for a process (a digest of them is part of the token, so another deployment's
  definitions are never answered 304);
- a **громада's** list also names the громада and links each published dataset's ISO record
  (``metadata_uuid``) and download files, with their length once written — which follow the
  dataset's change counter.

So the token is ``collections_state.sql``: the catalogue version row (publication set, record UUIDs,
territory names) and the change counters of the boundary layer's datasets (nationally: one row per
громада of the country, the same at demo and national scale); for a громада, also its published
datasets' counters. A feature edit of a listed layer keeps the national list's ETag; a boundary
edit, a publication or a withdrawal moves it (``tests/test_collections_state.py``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, text

from ...catalog import catalog
from ..response_cache import AnswerState

BOUNDARIES = "hromady"  # the layer whose geometries are the collections' extents
STATE_TEXT = (Path(__file__).resolve().parent / "collections_state.sql").read_text(encoding="utf-8")
STATE_SQL = text(STATE_TEXT)


@lru_cache(maxsize=1)
def definitions_digest() -> str:
    """A digest of what the list's words come from: the layer definitions and the gap registry."""
    from ...gaps.registry import gaps

    cat = catalog()
    parts = [cat.get(name).model_dump_json() for name in cat.names()]
    parts += [f"{name}:{spec.model_dump_json()}" for name, spec in gaps().items()]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class CollectionListState(AnswerState):
    """:class:`AnswerState` of a collection list: ``collections_state.sql`` instead of the aggregate
    over every published dataset (``hromada`` None: the national list)."""

    def query(self) -> tuple[str, dict]:
        return STATE_TEXT, {"layers": list(self.layers or ()), "hromada": self.hromada, "boundaries": BOUNDARIES}

    def token(self, row) -> str:
        return "collections " + definitions_digest() + " " + "|".join(str(v) for v in (row or ()))

    def read(self, conn: Connection) -> str:
        _, params = self.query()
        return self.token(conn.execute(STATE_SQL, params).first())


def list_state(hromada: str | None) -> CollectionListState:
    """The state of the list of ``hromada`` (None: the national list)."""
    layers = (BOUNDARIES,) if hromada is None else tuple(catalog().names())
    return CollectionListState(layers=layers, hromada=hromada)


def state_token(conn: Connection, hromada: str | None) -> str:
    return list_state(hromada).read(conn)

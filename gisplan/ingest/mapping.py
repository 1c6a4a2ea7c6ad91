"""Which column of the file fills which column of the layer.

Automatic, by name: a source column matches a layer column by its name, its Ukrainian or English
label, a common synonym («код», «КАТОТТГ»), or the 10-character name gisplan gives it in a Shapefile
(:func:`shapefile_names`). Names are compared after :func:`normalise` (case, spaces, apostrophes).
Explicit ``--map SRC=DST`` entries win over automatic ones; ``--map SRC=`` ignores a column.
Columns that fill nothing are listed in the report, never dropped without a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..catalog import LayerSpec
from .errors import IngestError

_APOSTROPHES = str.maketrans({c: "’" for c in "'ʼ`‘′´"})

# Columns the database keeps itself: never taken from a file.
BOOKKEEPING = ("version", "created_at", "updated_at", "updated_by")
# Common columns a file may fill (``id`` only to find features when upserting by id).
COMMON_TARGETS = ("code", "katottg", "hromada", "status", "installed_at", "removed_at", "source", "public")
SYNONYMS = {
    "code": ("код", "номер", "обліковий_номер", "інвентарний_номер"),
    "katottg": ("катоттг", "код_катоттг", "katotth", "код_кодифікатора"),
    "hromada": ("код_громади", "громада_катоттг", "hromada_katottg", "hromada_code"),
    "status": ("стан", "статус"),
    "source": ("джерело",),
}
GEOMETRY_PSEUDO = ("lon", "lat", "x", "y", "wkt")  # CSV geometry columns in --map
SHAPEFILE_NAME_LEN = 10


def normalise(name: str) -> str:
    s = " ".join(str(name).split()).casefold().translate(_APOSTROPHES)
    return re.sub(r"[\s\-./]+", "_", s).strip("_")


def export_columns(layer: LayerSpec, public: bool) -> list[str]:
    """Attribute columns an export writes, in order (geometry columns excluded)."""
    from ..db.derived import pub_columns
    from ..db.layer_tables import data_columns

    cols = pub_columns(layer) if public else data_columns(layer)
    geoms = {"geom", *layer.extra_geometries}
    return [c for c in cols if c not in geoms] + [c for c in layer.extra_geometries if c in cols]


def shapefile_names(columns: list[str]) -> dict[str, str]:
    """column → a unique name of at most 10 characters (DBF's limit), the same on every export."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        cut = col[:SHAPEFILE_NAME_LEN]
        n = 1
        while cut.casefold() in used:
            suffix = f"_{n}"
            cut = col[: SHAPEFILE_NAME_LEN - len(suffix)] + suffix
            n += 1
        used.add(cut.casefold())
        out[col] = cut
    return out


@dataclass
class Mapping:
    columns: dict[str, str]                       # source column → layer column
    ignored: dict[str, str] = field(default_factory=dict)  # source column → why
    geometry_to: str = "geom"                     # --map geometry=point: the file's geometry → an extra one

    def source_of(self, target: str) -> str | None:
        return next((s for s, t in self.columns.items() if t == target), None)

    @property
    def targets(self) -> list[str]:
        return list(self.columns.values())


def targets(layer: LayerSpec, key: str) -> list[str]:
    out = list(COMMON_TARGETS) + list(layer.fields) + list(layer.extra_geometries)
    return out + (["id"] if key == "id" else [])


def _candidates(layer: LayerSpec, key: str) -> list[tuple[int, str, str]]:
    """(priority, normalised name, target): lower priority wins."""
    out = []
    all_targets = targets(layer, key)
    for t in all_targets:
        out.append((0, normalise(t), t))
        for lang in ("uk", "en"):
            out.append((1, normalise(layer.label(t, lang)), t))
        for syn in SYNONYMS.get(t, ()):
            out.append((2, normalise(syn), t))
    from ..db.layer_tables import data_columns

    for col, cut in shapefile_names([c for c in data_columns(layer) if c != "geom"]).items():
        if col in all_targets and cut != col:
            out.append((3, normalise(cut), col))
    return out


def parse_map(entries: list[str] | None) -> dict[str, str]:
    """``["Назва=name", "Примітка="]`` → {"Назва": "name", "Примітка": ""}."""
    out: dict[str, str] = {}
    for entry in entries or []:
        for part in entry.split(",") if "=" in entry and entry.count("=") > 1 else [entry]:
            src, sep, dst = part.partition("=")
            if not sep or not src.strip():
                raise IngestError(f"--map {part!r}: write SOURCE=TARGET (or SOURCE= to ignore a column)")
            out[src.strip()] = dst.strip()
    return out


def build_mapping(source_columns: list[str], layer: LayerSpec, explicit: dict[str, str] | None = None,
                  key: str = "code") -> Mapping:
    explicit = dict(explicit or {})
    allowed = targets(layer, key)
    columns: dict[str, str] = {}
    ignored: dict[str, str] = {}
    by_norm = {normalise(c): c for c in source_columns}
    geometry_to = "geom"
    for src, dst in list(explicit.items()):
        if normalise(src) in ("geometry", "geom") and src not in source_columns:
            if dst not in (*layer.extra_geometries, "geom"):
                raise IngestError(f"--map {src}={dst}: the file's geometry can fill geom or an extra geometry "
                                  f"of {layer.name} ({', '.join(layer.extra_geometries) or 'none'})")
            geometry_to = dst
            del explicit[src]
    for src, dst in explicit.items():
        if src not in source_columns:
            found = by_norm.get(normalise(src))
            if found is None:
                raise IngestError(f"--map {src}={dst}: the file has no column {src!r}; columns: "
                                  f"{', '.join(source_columns)}")
            src = found
        if dst in GEOMETRY_PSEUDO:
            continue  # CSV geometry columns, used by the reader
        if not dst or dst == "-":
            ignored[src] = "ignored by --map"
            continue
        if dst not in allowed:
            raise IngestError(f"--map {src}={dst}: layer {layer.name} has no column {dst!r}; columns: "
                              f"{', '.join(allowed)}")
        columns[src] = dst
    explicit_sources = set(explicit) | {by_norm.get(normalise(s)) for s in explicit}
    taken = set(columns.values())
    best: dict[str, tuple[int, str]] = {}   # target → (priority, source)
    index = {}
    for prio, norm, target in _candidates(layer, key):
        index.setdefault(norm, (prio, target))
    for src in source_columns:
        if src in explicit_sources:
            continue
        norm = normalise(src)
        if norm in BOOKKEEPING:
            ignored[src] = "kept by the database (version, created_at, updated_at, updated_by)"
            continue
        if norm == "id" and key != "id":
            ignored[src] = "feature ids are given by the database; import with --key id to update by id"
            continue
        hit = index.get(norm)
        if hit is None:
            ignored[src] = "no column of the layer has this name or label (use --map)"
            continue
        prio, target = hit
        if target in taken:
            ignored[src] = f"{target} is filled by another column"
            continue
        if target in best and best[target][0] <= prio:
            ignored[src] = f"{target} is filled by column {best[target][1]!r}"
            continue
        if target in best:
            ignored[best[target][1]] = f"{target} is filled by column {src!r}"
        best[target] = (prio, src)
    for target, (_prio, src) in best.items():
        columns[src] = target
        ignored.pop(src, None)
    ordered = {s: columns[s] for s in source_columns if s in columns}
    return Mapping(ordered, {s: ignored[s] for s in source_columns if s in ignored}, geometry_to)

"""The layer catalogue: one YAML file per layer in ``layers/``, validated here.

The catalogue is the single source of truth for a layer: the database table and its history table,
validation on import, API schemas, the ``pub`` view, WMS styles, ISO metadata and web legends are all
built from a :class:`LayerSpec`. Errors name the file and the key, e.g.
``layers/shelters.yaml: fields.kind.type: unknown type 'strin' (one of: text, integer, …)``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from gisplan import yaml_text
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ConfigError

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
KATOTTG_RE = re.compile(r"^UA[0-9]{17}$")

FIELD_TYPES = ("text", "integer", "number", "boolean", "date", "datetime", "enum", "url", "json",
               "text_list", "integer_list")
GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                  "Geometry")
# ISO 19115 MD_TopicCategoryCode
TOPIC_CATEGORIES = (
    "farming", "biota", "boundaries", "climatologyMeteorologyAtmosphere", "economy", "elevation",
    "environment", "geoscientificInformation", "health", "imageryBaseMapsEarthCover",
    "intelligenceMilitary", "inlandWaters", "location", "oceans", "planningCadastre", "society",
    "structure", "transportation", "utilitiesCommunication",
)
# ISO 19115 MD_MaintenanceFrequencyCode
MAINTENANCE_FREQUENCIES = (
    "continual", "daily", "weekly", "fortnightly", "monthly", "quarterly", "biannually", "annually",
    "asNeeded", "irregular", "notPlanned", "unknown",
)

# Columns every layer table has (the time model). Layer files may not redefine them.
COMMON_COLUMNS = (
    "id", "code", "katottg", "hromada", "status", "installed_at", "removed_at", "version",
    "created_at", "updated_at", "updated_by", "source", "public", "geom",
)
# Of those, the ones anonymous users may see (``pub`` views).
PUBLIC_COMMON_COLUMNS = (
    "id", "code", "katottg", "hromada", "status", "installed_at", "removed_at", "version",
    "updated_at", "source",
)
DEFAULT_STATUS = {
    "planned": {"uk": "заплановано", "en": "planned"},
    "under_construction": {"uk": "будується", "en": "under construction"},
    "active": {"uk": "діє", "en": "in operation"},
    "inactive": {"uk": "не діє", "en": "out of operation"},
    "removed": {"uk": "демонтовано", "en": "removed"},
}
COMMON_LABELS = {
    "id": {"uk": "Ідентифікатор", "en": "Identifier"},
    "code": {"uk": "Код", "en": "Code"},
    "katottg": {"uk": "Код КАТОТТГ", "en": "KATOTTH code"},
    "hromada": {"uk": "Громада (КАТОТТГ)", "en": "Hromada (KATOTTH)"},
    "status": {"uk": "Стан", "en": "Status"},
    "installed_at": {"uk": "Введено в дію", "en": "In service since"},
    "removed_at": {"uk": "Виведено з дії", "en": "Out of service since"},
    "version": {"uk": "Версія", "en": "Version"},
    "created_at": {"uk": "Створено", "en": "Created"},
    "updated_at": {"uk": "Оновлено", "en": "Updated"},
    "updated_by": {"uk": "Ким оновлено", "en": "Updated by"},
    "source": {"uk": "Джерело", "en": "Source"},
    "public": {"uk": "Оприлюднюється", "en": "Public"},
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in Ukrainian (required) and English."""

    uk: str = Field(min_length=1)
    en: str = Field(min_length=1)


class EnumValue(_Strict):
    uk: str = Field(min_length=1)
    en: str = Field(min_length=1)
    synonyms: tuple[str, ...] = ()  # other spellings accepted on import, e.g. «ПРУ»


class FieldSpec(_Strict):
    type: str
    label: Text
    description: Text | None = None
    required: bool = False
    public: bool = True          # shown in the pub view (anonymous outputs)
    sensitive: bool = False      # never public, whatever ``public`` says (security, personal data)
    values: dict[str, EnumValue] | None = None   # enum codes → labels
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    pattern: str | None = None   # a regular expression the whole text must match
    default: bool | int | float | str | None = None  # the column's default for new rows

    @field_validator("type")
    @classmethod
    def _known_type(cls, v: str) -> str:
        if v not in FIELD_TYPES:
            raise ValueError(f"unknown type {v!r} (one of: {', '.join(FIELD_TYPES)})")
        return v

    @model_validator(mode="after")
    def _enum_has_values(self) -> "FieldSpec":
        if self.type == "enum" and not self.values:
            raise ValueError("an enum field needs 'values'")
        if self.type != "enum" and self.values:
            raise ValueError(f"'values' is only for enum fields, not {self.type}")
        if self.values:
            for code in self.values:
                if not NAME_RE.match(code):
                    raise ValueError(f"enum code {code!r} must be snake_case ASCII")
        if (self.min is not None or self.max is not None) and self.type not in ("integer", "number"):
            raise ValueError("'min' and 'max' are only for integer and number fields")
        if (self.pattern or self.max_length) and self.type not in ("text", "url"):
            raise ValueError("'pattern' and 'max_length' are only for text fields")
        if self.default is not None:
            ok = {"boolean": bool, "integer": int, "number": (int, float), "text": str, "url": str,
                  "enum": str}.get(self.type)
            if ok is None or not isinstance(self.default, ok) or (
                    self.type in ("integer", "number") and isinstance(self.default, bool)):
                raise ValueError(f"default {self.default!r} does not fit a {self.type} field")
            if self.type == "enum" and self.default not in (self.values or {}):
                raise ValueError(f"default {self.default!r} is not one of the enum codes")
        if self.pattern:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern is not a regular expression: {exc}") from None
        return self

    @property
    def is_public(self) -> bool:
        return self.public and not self.sensitive

    def code_for(self, value: str) -> str | None:
        """The enum code for a code, a uk/en label or a synonym (any case), else None."""
        if not self.values or value is None:
            return None
        wanted = " ".join(str(value).split()).casefold().replace("'", "’")
        for code, v in self.values.items():
            names = (code, v.uk, v.en, *v.synonyms)
            if any(wanted == n.casefold().replace("'", "’") for n in names):
                return code
        return None


class GeometrySpec(_Strict):
    type: str
    nullable: bool = False
    geography_index: bool = False  # also index geom::geography (metrics that measure in metres)
    label: Text | None = None
    invalid: Literal["repair", "reject"] = "repair"  # what imports do with an invalid geometry

    @field_validator("type")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in GEOMETRY_TYPES:
            raise ValueError(f"unknown geometry type {v!r} (one of: {', '.join(GEOMETRY_TYPES)})")
        return v


class StyleRule(_Strict):
    """Overrides of the default symbol where ``field`` equals ``value``."""

    field: str
    value: Any
    label: Text | None = None
    fill: str | None = None
    stroke: str | None = None
    size: float | None = None


class StyleSpec(_Strict):
    symbol: Literal["circle", "square", "triangle", "star", "line", "polygon"] = "circle"
    fill: str = "#3388ff"
    fill_opacity: float = Field(0.6, ge=0, le=1)
    stroke: str = "#1f4e99"
    stroke_width: float = Field(1.0, ge=0)
    size: float = Field(8, gt=0)
    label_field: str | None = None
    min_zoom: int | None = None
    rules: tuple[StyleRule, ...] = ()

    @field_validator("fill", "stroke")
    @classmethod
    def _colour(cls, v: str) -> str:
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", v):
            raise ValueError(f"colour {v!r} must be #rrggbb")
        return v


class MetadataSpec(_Strict):
    """Defaults of the ISO 19139 record of every dataset of the layer."""

    topic_categories: tuple[str, ...] = Field(min_length=1)
    keywords: dict[Literal["uk", "en"], tuple[str, ...]]
    inspire_theme: str | None = None
    update_frequency: str = "asNeeded"
    spatial_resolution_m: float | None = None
    equivalent_scale: int | None = None
    lineage: Text | None = None

    @field_validator("topic_categories")
    @classmethod
    def _topics(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [t for t in v if t not in TOPIC_CATEGORIES]
        if bad:
            raise ValueError(f"unknown ISO topic category {bad[0]!r} (one of: {', '.join(TOPIC_CATEGORIES)})")
        return v

    @field_validator("update_frequency")
    @classmethod
    def _freq(cls, v: str) -> str:
        if v not in MAINTENANCE_FREQUENCIES:
            raise ValueError(f"unknown update frequency {v!r} (one of: {', '.join(MAINTENANCE_FREQUENCIES)})")
        return v


class PublicationSpec(_Strict):
    """What anonymous users may see. Datasets are published per громада; this says which rows and
    fields of a published dataset go out."""

    row_filter: str | None = None  # SQL over the layer's own columns, e.g. "status <> 'planned'"
    note: Text | None = None       # why something is withheld, shown to planners


class LayerSpec(_Strict):
    name: str
    title: Text
    abstract: Text
    geometry: GeometrySpec
    extra_geometries: dict[str, GeometrySpec] = {}
    fields: dict[str, FieldSpec]
    status_values: dict[str, EnumValue] | None = None
    code_field_label: Text | None = None
    style: StyleSpec = StyleSpec()
    metadata: MetadataSpec
    publication: PublicationSpec = PublicationSpec()
    source_path: Path | None = Field(default=None, exclude=True)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not NAME_RE.match(v):
            raise ValueError(f"layer name {v!r} must be snake_case ASCII, 2–41 characters")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> "LayerSpec":
        for fname in list(self.fields) + list(self.extra_geometries):
            if not NAME_RE.match(fname):
                raise ValueError(f"field name {fname!r} must be snake_case ASCII")
            if fname in COMMON_COLUMNS:
                raise ValueError(f"field {fname!r} is a common column of every layer; do not redefine it")
        if self.status_values is not None and "active" not in self.status_values:
            raise ValueError("status_values must include 'active' (the default status of new rows)")
        clash = set(self.fields) & set(self.extra_geometries)
        if clash:
            raise ValueError(f"{sorted(clash)[0]!r} is both a field and an extra geometry")
        if self.style.label_field and self.style.label_field not in self.fields:
            raise ValueError(f"style.label_field {self.style.label_field!r} is not a field of the layer")
        for rule in self.style.rules:
            if rule.field not in self.fields and rule.field != "status":
                raise ValueError(f"style rule field {rule.field!r} is not a field of the layer")
        return self

    # ---------------------------------------------------------------- helpers
    @property
    def table(self) -> str:
        return self.name

    @property
    def history_table(self) -> str:
        return f"{self.name}_history"

    @property
    def statuses(self) -> dict[str, EnumValue]:
        return self.status_values or {k: EnumValue(**v) for k, v in DEFAULT_STATUS.items()}

    def public_fields(self) -> list[str]:
        return [n for n, f in self.fields.items() if f.is_public]

    def label(self, column: str, lang: str = "uk") -> str:
        if column in self.fields:
            return getattr(self.fields[column].label, lang)
        if column in self.extra_geometries and self.extra_geometries[column].label:
            return getattr(self.extra_geometries[column].label, lang)
        if column == "code" and self.code_field_label:
            return getattr(self.code_field_label, lang)
        return COMMON_LABELS.get(column, {}).get(lang, column)


def _location(err: dict) -> str:
    return ".".join(str(p) for p in err["loc"]) or "(top level)"


def load_layer(path: Path) -> LayerSpec:
    """Read and validate one layer file; errors name the file and the key."""
    shown = f"layers/{path.name}"
    try:
        raw = yaml_text.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{shown}:{where} not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{shown}: expected a mapping of keys, got {type(raw).__name__}")
    if raw.get("name") != path.stem:
        raise ConfigError(f"{shown}: name: must equal the file name {path.stem!r}, got {raw.get('name')!r}")
    try:
        spec = LayerSpec(**raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        msg = first["msg"].removeprefix("Value error, ")
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ConfigError(f"{shown}: {_location(first)}: {msg}{more}") from None
    return spec.model_copy(update={"source_path": path})


class Catalog:
    """All layers, in file-name order."""

    def __init__(self, layers: dict[str, LayerSpec]):
        self.layers = layers

    def __iter__(self):
        return iter(self.layers.values())

    def __len__(self) -> int:
        return len(self.layers)

    def __contains__(self, name: str) -> bool:
        return name in self.layers

    def get(self, name: str) -> LayerSpec:
        try:
            return self.layers[name]
        except KeyError:
            raise KeyError(f"unknown layer {name!r}; layers: {', '.join(self.layers)}") from None

    def names(self) -> list[str]:
        return list(self.layers)


def load_catalog(directory: Path) -> Catalog:
    directory = Path(directory)
    if not directory.is_dir():
        raise ConfigError(f"layer directory {directory} not found: set GISPLAN_LAYERS_DIR")
    layers: dict[str, LayerSpec] = {}
    for path in sorted(directory.glob("*.yaml")):
        spec = load_layer(path)
        layers[spec.name] = spec
    if not layers:
        raise ConfigError(f"no layer files (*.yaml) in {directory}")
    return Catalog(layers)


@lru_cache
def _cached(directory: str) -> Catalog:
    return load_catalog(Path(directory))


def catalog() -> Catalog:
    """The catalogue of ``GISPLAN_LAYERS_DIR`` (cached)."""
    from .settings import path_settings

    return _cached(str(path_settings().layers_dir))

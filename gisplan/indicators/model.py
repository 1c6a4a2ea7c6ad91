"""What every metric has, whatever computes it: code, names, unit, inputs, parameters, method, the
reasons it may give instead of a value, and the outcome of one evaluation.

A metric is evaluated for one громада as of one date and gives one :class:`Outcome` for the
громада (``territory`` = the громада's code) and, for metrics declared ``per_settlement``, one for
each of its settlements. An outcome has a value or a reason, never both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{1,60}$")

Unit = Literal["percent", "units", "bool", "coefficient", "per_1000", "ratio"]
UNIT_LABELS: dict[str, dict[str, str]] = {
    "percent": {"uk": "%", "en": "%"},
    "units": {"uk": "од.", "en": "units"},
    "bool": {"uk": "Так/Ні", "en": "yes/no"},
    "coefficient": {"uk": "коефіцієнт", "en": "coefficient"},
    "per_1000": {"uk": "на 1000 мешканців", "en": "per 1000 residents"},
    "ratio": {"uk": "на одного мешканця", "en": "per resident"},
}

# Reasons any metric may give; a metric adds its own in its declaration. Texts are formatted with
# the outcome's details (and ``as_of``); a missing key is left as {key}.
COMMON_REASONS: dict[str, dict[str, str]] = {
    "no_boundary": {
        "uk": "межа громади не завантажена: об’єкти неможливо віднести до громади",
        "en": "the громада boundary is not loaded: features cannot be placed in the громада",
    },
    "no_features": {
        "uk": "немає об’єктів шару «{layer}», що діють на {as_of}",
        "en": "no features of layer {layer} in service on {as_of}",
    },
    "field_unknown": {
        "uk": "поле «{field}» не заповнене в жодного з {features} об’єктів шару «{layer}»",
        "en": "field {field} is empty in all {features} features of layer {layer}",
    },
    "field_missing": {
        "uk": "у шарі «{layer}» немає поля «{field}»: його потрібно додати до каталогу шарів",
        "en": "layer {layer} has no field {field}: it has to be added to the layer catalogue",
    },
    "zero_denominator": {
        "uk": "знаменник дорівнює нулю ({denominator_of})",
        "en": "the denominator is zero ({denominator_of})",
    },
    "no_settlements": {
        "uk": "у громаді немає населених пунктів на {as_of}",
        "en": "the громада has no settlements on {as_of}",
    },
    "no_population": {
        "uk": "чисельність населення населених пунктів невідома",
        "en": "the population of the settlements is unknown",
    },
    "population_unknown": {
        "uk": "чисельність населення населеного пункту невідома",
        "en": "the settlement's population is unknown",
    },
    "settlement_unlocated": {
        "uk": "населений пункт не нанесено на карту (немає ні межі, ні точки)",
        "en": "the settlement is not on the map (neither boundary nor point)",
    },
}


class Text(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    uk: str = Field(min_length=1)
    en: str = Field(min_length=1)


class MetricSpec(BaseModel):
    """The declaration shared by every kind of metric."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    name: Text
    unit: Unit
    unit_label: Text | None = None
    canonical: str | None = Field(None, description="canonical indicator code the metric measures")
    inputs: tuple[str, ...] = ()
    parameters: dict[str, Any] = {}
    per_settlement: bool = False
    publication: bool = Field(False, description="the value depends on the publication of the inputs")
    registration: bool = Field(False, description="the value depends on the inputs' registration with the "
                                                  "national geoportal (gisplan.registration.status)")
    method: Text
    reasons: dict[str, Text] = {}

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not CODE_RE.match(v):
            raise ValueError(f"metric code {v!r} must be UPPER_SNAKE_CASE")
        return v


@dataclass
class Outcome:
    """One evaluated unit: the громада (``territory`` = its code) or one of its settlements."""

    territory: str
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    reason: str | None = None
    details: dict = field(default_factory=dict)

    def __post_init__(self):
        if (self.value is None) == (self.reason is None):
            raise ValueError(f"{self.territory}: an outcome has a value or a reason, not both or neither")


class Metric:
    """A registered metric: its declaration, where it was declared, and how it evaluates."""

    kind: str = "abstract"

    def __init__(self, spec: MetricSpec, source: Path):
        self.spec = spec
        self.source = source

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.spec.inputs

    @property
    def watches_publication(self) -> bool:
        """Does the value depend on whether the input datasets are published?"""
        return self.spec.publication

    def definition_text(self) -> str:
        """Everything the value depends on besides data and parameters (hashed into stored values)."""
        raise NotImplementedError

    @property
    def definition(self) -> str:
        return hashlib.sha256(self.definition_text().encode("utf-8")).hexdigest()

    def method(self) -> dict:
        return self.spec.method.model_dump()

    def unit_label(self) -> dict:
        return (self.spec.unit_label.model_dump() if self.spec.unit_label else UNIT_LABELS[self.spec.unit])

    def evaluate(self, conn, hromada: str, as_of: dt.date, params: dict) -> list[Outcome]:
        raise NotImplementedError

    def reason(self, code: str, details: dict | None = None, as_of: dt.date | None = None) -> dict:
        """The reason ``code`` as ``{code, uk, en}``, formatted with the outcome's details."""
        text = self.spec.reasons.get(code)
        texts = text.model_dump() if text else COMMON_REASONS.get(code, {"uk": code, "en": code})
        values = _Defaulting({**(details or {}), "as_of": as_of.isoformat() if as_of else "?"})
        return {"code": code, **{lang: t.format_map(values) for lang, t in texts.items()}}

    def public(self) -> dict:
        s = self.spec
        return {
            "code": s.code, "name": s.name.model_dump(), "unit": s.unit, "unit_label": self.unit_label(),
            "kind": self.kind, "canonical": s.canonical, "inputs": list(s.inputs),
            "parameters": s.parameters, "per_settlement": s.per_settlement, "method": self.method(),
            "source": self.source.name,
        }


class _Defaulting(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def params_hash(params: dict) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode("utf-8")).hexdigest()

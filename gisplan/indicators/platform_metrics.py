"""Platform-state metrics (yes/no): is a layer of the громада public on the platform? Declared in
``platform.yaml``: the ``layers`` (or ``all`` layers of the catalogue, ``except`` some) and whether
``all`` or ``any`` of them must be public. A layer is public on a date when its dataset was published
by then and its ``pub`` view has at least one row that exists on that date
(``sql/templates/published_layer.sql``). The numerator counts the public layers, the denominator
the layers asked for.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Literal

import yaml

from gisplan import yaml_text
from pydantic import ValidationError, model_validator
from sqlalchemy import text

from ..catalog import catalog
from ..errors import ConfigError
from .model import Metric, MetricSpec, Outcome
from .sqltext import expand, fill, fragments_text, quote_ident, template


class PlatformSpec(MetricSpec):
    layers: tuple[str, ...] | Literal["all"]
    except_layers: tuple[str, ...] = ()
    require: Literal["all", "any"] = "all"

    @model_validator(mode="after")
    def _bool(self) -> "PlatformSpec":
        if self.unit != "bool":
            raise ValueError("a platform metric is yes/no: unit bool")
        return self


class PlatformMetric(Metric):
    kind = "platform"
    spec: PlatformSpec

    @property
    def watches_publication(self) -> bool:
        return True

    def layer_names(self) -> list[str]:
        s = self.spec
        names = catalog().names() if s.layers == "all" else list(s.layers)
        return [n for n in names if n not in s.except_layers]

    def definition_text(self) -> str:
        return (json.dumps(self.spec.model_dump(mode="json"), sort_keys=True) + ",".join(self.layer_names())
                + template("published_layer") + fragments_text())

    def method(self) -> dict:
        need = "every one" if self.spec.require == "all" else "at least one"
        return {**super().method(),
                "formula": f"{need} of {', '.join(self.layer_names())} published with ≥ 1 public row"}

    def evaluate(self, conn, hromada: str, as_of: dt.date, params: dict) -> list[Outcome]:
        public, states = [], {}
        for layer in self.layer_names():
            sql = expand(fill(template("published_layer"), table=quote_ident(catalog().get(layer).table)))
            r = conn.execute(text(sql), {"hromada": hromada, "as_of": as_of, "layer": layer}).one()
            states[layer] = {"published": bool(r.published), "public_rows": int(r.public_rows)}
            if r.published and r.public_rows > 0:
                public.append(layer)
        asked = self.layer_names()
        ok = len(public) == len(asked) if self.spec.require == "all" else bool(public)
        details = {"public_layers": public} if self.spec.layers == "all" else {"layers": states}
        return [Outcome(hromada, value=1.0 if ok else 0.0, numerator=len(public), denominator=len(asked),
                        details=details)]


def load_platform_metrics(path: Path) -> list[PlatformMetric]:
    shown = f"{path.parent.name}/{path.name}"
    try:
        raw = yaml_text.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{shown}: not valid YAML: {exc}") from None
    out = []
    cat = catalog()
    for code, body in raw.items():
        if not isinstance(body, dict):
            raise ConfigError(f"{shown}: {code}: expected a mapping")
        body = dict(body)
        if "except" in body:
            body["except_layers"] = body.pop("except")
        try:
            spec = PlatformSpec(code=code, **body)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(top level)"
            raise ConfigError(f"{shown}: {code}.{where}: {first['msg'].removeprefix('Value error, ')}") from None
        named = [] if spec.layers == "all" else list(spec.layers)
        for layer in [*named, *spec.except_layers]:
            if layer not in cat:
                raise ConfigError(f"{shown}: {code}: unknown layer {layer!r}")
        metric = PlatformMetric(spec, path)
        out.append(PlatformMetric(spec.model_copy(update={"inputs": tuple(metric.layer_names())}), path))
    return out

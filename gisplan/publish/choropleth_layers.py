"""The computed WMS layers: coverage gaps and spatial indicators drawn as classed (choropleth) maps.

Names (valid WMS layer names, distinct from catalogue layers, which have no dot):

* ``gap.<gap>``, e.g. ``gap.settlements_without_broadband``: the gap's features (settlements, or
  the parts of settlements or of the громада left out), classed by the residents left out (the
  places missing for ``shelter_deficit``);
* ``indicator.<code>``, e.g. ``indicator.shelter_reach``: the громада's value of a spatial metric
  on its boundary (nationally: every громада with the inputs);
* ``indicator.<code>.settlements``: the settlements' values, for metrics evaluated per settlement.

Class breaks are fixed per layer kind and unit, so a legend (and its size in capabilities) needs
no data. Each layer lists the catalogue layers it is computed from (``needs``): an anonymous caller
sees it for a громада only when all of them are published there.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from ..gaps.registry import GapSpec, gaps
from ..indicators.model import Metric
from ..indicators.registry import registry


@dataclass(frozen=True)
class Words:
    """A text in Ukrainian and English (either may be empty, unlike the catalogue's texts)."""

    uk: str
    en: str


GAP_PREFIX = "gap."
INDICATOR_PREFIX = "indicator."
SETTLEMENTS_SUFFIX = ".settlements"

GROUP_TEXT = {
    "gap": {"title": Words(uk="Прогалини", en="Coverage gaps"),
            "abstract": Words(uk="Обчислені шари прогалин покриття: де мешканці лишаються без послуги, "
                                "за класами кількості мешканців. Без входу — з опублікованих даних; планувальнику громади — з усіх.",
                             en="Computed coverage-gap layers: where residents are left without a service, "
                                "classed by the number of residents. Anonymously from published data; for the громада's planner "
                                "from all of it.")},
    "indicator": {"title": Words(uk="Індикатори", en="Indicators"),
                  "abstract": Words(uk="Значення просторових показників цифрового розвитку громад "
                                      "(картограми з класами). Без входу — з опублікованих даних; планувальнику громади — з усіх.",
                                   en="Values of the spatial digital-development metrics of the громади "
                                      "(classed choropleths). Anonymously from published data; for the громада's planner "
                                      "from all of it.")},
}


@dataclass(frozen=True)
class ColourClass:
    """Values in [lower, upper) (None: unbounded) drawn in ``colour``; ``label`` names the range."""

    lower: float | None
    upper: float | None
    colour: str
    label: Words

    def holds(self, value: float) -> bool:
        return (self.lower is None or value >= self.lower) and (self.upper is None or value < self.upper)


NO_VALUE_COLOUR = "#bdbdbd"


def _number(v: float, lang: str) -> str:
    text = f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}".rstrip("0")
    if lang == "uk":  # 1 000 and 0,25
        return text.replace(",", "\u202f").replace(".", ",")
    return text


def _classes(edges: tuple[float, ...], colours: tuple[str, ...], unit: Words,
             names: tuple[Words, ...] | None = None) -> tuple[ColourClass, ...]:
    """Classes between ``edges`` (len(colours) == len(edges) + 1), labelled with their ranges."""
    assert len(colours) == len(edges) + 1
    bounds = [None, *edges, None]
    out = []
    for n, colour in enumerate(colours):
        lo, hi = bounds[n], bounds[n + 1]
        if names:
            label = names[n]
        else:
            def say(lang):
                u = getattr(unit, lang)
                if lo is None:
                    return f"< {_number(hi, lang)} {u}"
                if hi is None:
                    return f"≥ {_number(lo, lang)} {u}"
                return f"{_number(lo, lang)} – < {_number(hi, lang)} {u}"
            label = Words(uk=say("uk").strip(), en=say("en").strip())
        out.append(ColourClass(lo, hi, colour, label))
    return tuple(out)


RESIDENTS = Words(uk="мешк.", en="residents")
PLACES = Words(uk="місць", en="places")
GAP_EDGES = (200.0, 1000.0, 5000.0)
GAP_COLOURS = ("#fed976", "#fd8d3c", "#e31a1c", "#800026")          # more left out: darker red
SHARE_COLOURS = ("#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641")  # higher share: greener
COUNT_COLOURS = ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")
UNIT_EDGES: dict[str, tuple[float, ...]] = {
    "percent": (20.0, 40.0, 60.0, 80.0),
    "units": (1.0, 5.0, 10.0, 20.0),
    "coefficient": (0.01, 0.05, 0.1, 0.5),
    "ratio": (0.25, 0.5, 0.75, 1.0),
    "per_1000": (1.0, 5.0, 10.0, 20.0),
}
BOOL_NAMES = (Words(uk="ні", en="no"), Words(uk="так", en="yes"))


@dataclass(frozen=True)
class ChoroplethLayer:
    """A computed layer's definition (no data)."""

    name: str
    kind: Literal["gap", "indicator"]
    key: str                       # the gap name or the metric code
    per: Literal["feature", "hromada", "settlement"]
    title: Words
    abstract: Words
    needs: tuple[str, ...]         # catalogue layers it is computed from
    classes: tuple[ColourClass, ...]
    value_label: Words              # what the value is, for feature info
    unit: Words

    def class_of(self, value: float | None) -> int:
        """The index of the class holding ``value``; len(classes) means "no value"."""
        if value is None:
            return len(self.classes)
        for n, c in enumerate(self.classes):
            if c.holds(value):
                return n
        return len(self.classes)

    def legend_rows(self) -> list[tuple[Words, str]]:
        """(label, colour) per class, then the "no value" row."""
        rows = [(c.label, c.colour) for c in self.classes]
        rows.append((Words(uk="немає значення", en="no value"), NO_VALUE_COLOUR))
        return rows

    @property
    def keywords(self) -> dict[str, list[str]]:
        base = {"gap": (["прогалини покриття"], ["coverage gaps"]),
                "indicator": (["індикатори", "картограма"], ["indicators", "choropleth"])}[self.kind]
        return {"uk": [*base[0], self.key], "en": [*base[1], self.key]}


def _gap_layer(spec: GapSpec) -> ChoroplethLayer:
    deficit = spec.gap == "shelter_deficit"
    unit = PLACES if deficit else RESIDENTS
    what = (Words(uk="бракує місць в укриттях", en="shelter places missing") if deficit else
            Words(uk="мешканців поза послугою", en="residents left out"))
    return ChoroplethLayer(
        name=GAP_PREFIX + spec.gap, kind="gap", key=spec.gap, per="feature",
        title=Words(uk=spec.name.uk, en=spec.name.en),
        abstract=Words(uk=f"{spec.method.uk} Класи: {what.uk}.", en=f"{spec.method.en} Classes: {what.en}."),
        needs=tuple(spec.inputs), classes=_classes(GAP_EDGES, GAP_COLOURS, unit), value_label=what, unit=unit)


def spatial_metric(metric: Metric) -> bool:
    """Metrics measured on the map (SQL metrics), not those of publication or registration."""
    return metric.kind == "sql" and not metric.spec.publication and not metric.spec.registration


def _metric_classes(metric: Metric, unit: Words) -> tuple[ColourClass, ...]:
    u = metric.spec.unit
    if u == "bool":
        return _classes((0.5,), (SHARE_COLOURS[0], SHARE_COLOURS[-1]), unit, BOOL_NAMES)
    colours = SHARE_COLOURS if u in ("percent", "ratio") else COUNT_COLOURS
    short = Words(uk="%", en="%") if u == "percent" else Words(uk="", en="")
    return _classes(UNIT_EDGES[u], colours, short)


def _indicator_layers(metric: Metric) -> list[ChoroplethLayer]:
    label = metric.unit_label()
    unit = Words(uk=label["uk"], en=label["en"])
    classes = _metric_classes(metric, unit)
    name = INDICATOR_PREFIX + metric.code.lower()
    method = metric.spec.method
    value_label = Words(uk=f"значення, {unit.uk}", en=f"value, {unit.en}")
    out = [ChoroplethLayer(
        name=name, kind="indicator", key=metric.code, per="hromada",
        title=Words(uk=f"{metric.spec.name.uk} (за громадами)", en=f"{metric.spec.name.en} (by громада)"),
        abstract=Words(uk=f"{method.uk} Одиниця: {unit.uk}.", en=f"{method.en} Unit: {unit.en}."),
        needs=tuple(dict.fromkeys([*metric.inputs, "hromady"])), classes=classes,
        value_label=value_label, unit=unit)]
    if metric.spec.per_settlement:
        out.append(ChoroplethLayer(
            name=name + SETTLEMENTS_SUFFIX, kind="indicator", key=metric.code, per="settlement",
            title=Words(uk=f"{metric.spec.name.uk} (за населеними пунктами)",
                       en=f"{metric.spec.name.en} (by settlement)"),
            abstract=Words(uk=f"{method.uk} Одиниця: {unit.uk}.", en=f"{method.en} Unit: {unit.en}."),
            needs=tuple(dict.fromkeys([*metric.inputs, "settlements"])), classes=classes,
            value_label=value_label, unit=unit))
    return out


@lru_cache(maxsize=1)
def choropleth_layers() -> dict[str, ChoroplethLayer]:
    """Every computed layer by name: the gaps, then the indicators, each in registry order."""
    layers = [_gap_layer(g) for g in gaps().values()]
    for metric in registry():
        if spatial_metric(metric):
            layers += _indicator_layers(metric)
    return {layer.name: layer for layer in layers}


def is_choropleth(name: str) -> bool:
    return name.startswith((GAP_PREFIX, INDICATOR_PREFIX))


def wms_layer_names(metric_code: str) -> dict[str, str] | None:
    """The WMS layers that draw a metric: ``{"hromada": name, "settlements": name}`` (the second
    only for per-settlement metrics), or None when the metric has no map."""
    name = INDICATOR_PREFIX + metric_code.lower()
    layers = choropleth_layers()
    if name not in layers:
        return None
    out = {"hromada": name}
    if name + SETTLEMENTS_SUFFIX in layers:
        out["settlements"] = name + SETTLEMENTS_SUFFIX
    return out


def eligible(layer: ChoroplethLayer, published: dict[str, set[str]]) -> list[str]:
    """Громади (sorted) whose datasets of every layer ``layer`` needs are published, given
    ``published`` = {hromada: {layer, …}}."""
    return sorted(h for h, names in published.items() if set(layer.needs) <= names)

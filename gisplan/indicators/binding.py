"""Which metric measures a program indicator.

By default an indicator is bound through its canonical code: among the metrics declaring that
``canonical`` code, the one whose unit fits the indicator's unit (a «Так/Ні» ALERT indicator gets
the yes/no ALERT_SYSTEM, a «%» one the population share ALERT; «одиниць» gets a count), else the
metric named like the code. A project-progress indicator's unit is the progress, not the metric's,
so it gets the metric named like the code.

The indicator's ``metric`` field overrides this: ``CODE`` or ``CODE key=value …`` with parameters of
the metric (lists comma-separated), and ``planned=N``, the value the metric should reach when the
project completes (for project-progress indicators); ``-`` unbinds the indicator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gisplan import yaml_text

from ..program.store import unit_kind
from .model import Metric
from .registry import registry

# unit kinds of program indicators (gisplan.program.store.unit_kind) → metric units
UNIT_OF_KIND = {"percent": "percent", "units": "units", "persons": "units", "bool": "bool",
                "coefficient": "coefficient", "per_1000": "per_1000"}
UNBIND = ("-", "none")


@dataclass
class Binding:
    metric: Metric | None
    source: str | None = None            # canonical or override
    parameters: dict = field(default_factory=dict)
    planned: float | None = None
    reason: dict | None = None           # {uk, en} why unbound

    @property
    def bound(self) -> bool:
        return self.metric is not None


def _unbound(uk: str, en: str) -> Binding:
    return Binding(None, reason={"uk": uk, "en": en})


def _value(raw: str, default):
    if isinstance(default, (list, tuple)):
        return [v.strip() for v in raw.split(",") if v.strip()]
    return yaml_text.safe_load(raw)


def parse_override(text: str) -> Binding:
    """``CODE [key=value …] [planned=N]`` → a binding (unbound, with the reason, when it does not read)."""
    words = text.split()
    code = words[0]
    if code.lower() in UNBIND:
        return _unbound("прив’язку до метрики знято вручну", "unbound by hand")
    reg = registry()
    if code not in reg:
        return _unbound(f"невідома метрика «{code}»", f"unknown metric {code!r}")
    metric = reg.get(code)
    params: dict = {}
    planned = None
    for word in words[1:]:
        key, sep, raw = word.partition("=")
        if not sep:
            return _unbound(f"«{word}»: очікується ключ=значення", f"{word!r}: expected key=value")
        if key == "planned":
            try:
                planned = float(raw)
            except ValueError:
                return _unbound(f"planned={raw}: очікується число", f"planned={raw}: expected a number")
        elif key in metric.spec.parameters:
            params[key] = _value(raw, metric.spec.parameters[key])
        else:
            return _unbound(f"метрика {code} не має параметра «{key}»", f"metric {code} has no parameter {key!r}")
    return Binding(metric, "override", params, planned)


def bind(canonical_code: str | None, unit: str | None, value_semantics: str | None,
         override: str | None) -> Binding:
    if override and override.strip():
        return parse_override(override.strip())
    if not canonical_code:
        return _unbound("індикатор не має канонічного коду", "the indicator has no canonical code")
    candidates = registry().for_canonical(canonical_code)
    if not candidates:
        return _unbound(f"жодна метрика не обчислює {canonical_code}", f"no metric computes {canonical_code}")
    named = next((m for m in candidates if m.code == canonical_code), None)
    if value_semantics == "project_progress_share":
        return Binding(named or candidates[0], "canonical")
    wanted = UNIT_OF_KIND.get(unit_kind(unit) or "")
    fitting = [m for m in candidates if m.spec.unit == wanted]
    if named in fitting or (not fitting and named):
        return Binding(named, "canonical")
    return Binding(fitting[0] if fitting else candidates[0], "canonical")

"""The metric registry, its declarations, the binding of program indicators and the progress rules
(no database needed)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from gisplan.errors import ConfigError
from gisplan.indicators.binding import bind
from gisplan.indicators.progress import compare, cumulative_target
from gisplan.indicators.registry import ATTRIBUTE_FILE, PLATFORM_FILE, load_registry, registry
from gisplan.indicators.sqltext import SQL_DIR, expand

# every metric issue 7 asks for, with the kind of declaration and the unit
ISSUE_METRICS = {
    "AIR_SENSOR_COUNT": ("sql", "units"),
    "AIR_SENSOR_DENSITY": ("sql", "coefficient"),
    "AIR_SENSOR_SETTLEMENT_SHARE": ("sql", "percent"),
    "ALERT": ("sql", "percent"),
    "WIFI_ZONES": ("sql", "units"),
    "WIFI_SETTLEMENT_SHARE": ("sql", "percent"),
    "CCTV": ("sql", "units"),
    "BROADBAND_SETTLEMENT_SHARE": ("attribute", "percent"),
    "MOBILE_SETTLEMENT_SHARE": ("sql", "percent"),
    "MOBILE_POPULATION_SHARE": ("sql", "percent"),
    "CNAP_REACH": ("sql", "percent"),
    "SHELTER_REACH": ("sql", "percent"),
    "SHELTER_PLACES": ("sql", "ratio"),
    "QR_TOURISM": ("attribute", "percent"),
    "QR_TOURISM_COUNT": ("attribute", "units"),
    "CNAP_EQUEUE": ("attribute", "percent"),
    "CNAP_DIIA_VALIDATION": ("attribute", "percent"),
    "CNAP_IDCARD": ("attribute", "percent"),
    "CNAP_QUALITY_MONITORING": ("attribute", "percent"),
    "DIIA_CENTRE": ("attribute", "bool"),
    "AIR_ECOZAGROZA": ("attribute", "percent"),
    "SCHOOL_MRIYA": ("attribute", "percent"),
    "SCHOOL_EJOURNAL": ("attribute", "percent"),
    "SCHOOL_STEM": ("attribute", "percent"),
    "SCHOOL_IT_STUDIO": ("attribute", "percent"),
    "SOCIAL_FIBRE": ("attribute", "percent"),
    "IT_HUB_SEATS": ("attribute", "per_1000"),
    "INVEST_GIS_LAYER": ("sql", "bool"),
    "GEOPORTAL_PUBLIC": ("platform", "bool"),
    "TOURIST_INFO": ("platform", "bool"),
    "TOURIST_EMAP": ("platform", "bool"),
    "GEOPORTAL_METADATA": ("attribute", "percent"),
}


def test_every_metric_of_the_issue_is_registered():
    reg = registry()
    assert {c: (reg.get(c).kind, reg.get(c).spec.unit) for c in ISSUE_METRICS} == ISSUE_METRICS
    assert len(list(SQL_DIR.glob("*.sql"))) == sum(m.kind == "sql" for m in reg)


def test_declarations_are_complete():
    for m in registry():
        p = m.public()
        assert p["name"]["uk"] and p["name"]["en"] and p["method"]["uk"] and p["method"]["en"], m.code
        assert p["unit_label"]["uk"], m.code
        assert m.inputs, m.code
        assert len(m.definition) == 64


def test_fragments_are_spliced():
    sql = expand("SELECT 1 FROM air_sensors s WHERE {{in_service s}} AND ST_Intersects(s.geom, {{boundary}})")
    assert "s.installed_at <= :as_of" in sql and "s.removed_at > :as_of" in sql and "--" not in sql
    assert "FROM hromady b" in sql and "{{" not in sql


def _copy_declarations(where: Path) -> Path:
    sql = where / "sql"
    sql.mkdir(parents=True)
    for p in SQL_DIR.glob("*.sql"):
        (sql / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    return sql


def test_a_broken_declaration_names_its_file_and_key(tmp_path):
    sql = _copy_declarations(tmp_path / "broken")
    bad = sql / "cctv.sql"
    bad.write_text(bad.read_text(encoding="utf-8").replace("-- unit: units", "-- unit: pieces"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sql/cctv.sql: unit: Input should be"):
        load_registry(sql, ATTRIBUTE_FILE, PLATFORM_FILE)

    sql = _copy_declarations(tmp_path / "renamed")
    wrong = sql / "cctv.sql"
    wrong.rename(sql / "cameras.sql")
    with pytest.raises(ConfigError, match=r"code CCTV must match the file name \(cctv.sql\)"):
        load_registry(sql, ATTRIBUTE_FILE, PLATFORM_FILE)


def test_an_attribute_metric_on_an_unknown_layer_is_refused(tmp_path):
    yaml_file = tmp_path / "attribute.yaml"
    yaml_file.write_text(ATTRIBUTE_FILE.read_text(encoding="utf-8").replace(
        "layer: tourist_objects\n  fields: [has_qr]\n  numerator: {count: \"has_qr AND (qr_installed_at IS NULL OR "
        "qr_installed_at <= :as_of)\"}\n  denominator",
        "layer: tourist_points\n  fields: [has_qr]\n  numerator: {count: \"has_qr\"}\n  denominator", 1),
        encoding="utf-8")
    with pytest.raises(ConfigError, match=r"attribute.yaml: QR_TOURISM: unknown layer 'tourist_points'"):
        load_registry(SQL_DIR, yaml_file, PLATFORM_FILE)


# ------------------------------------------------------------------------------ binding
@pytest.mark.parametrize("canonical, unit, semantics, override, metric", [
    ("ALERT", "%", "increment", None, "ALERT"),                       # Балаклійська S1-42
    ("ALERT", "Так/ні", "level", None, "ALERT_SYSTEM"),               # Кременчуцька S2-05
    ("QR_TOURISM", "одиниць", "increment", None, "QR_TOURISM_COUNT"),  # seed 000
    ("QR_TOURISM", "%", "level", None, "QR_TOURISM"),
    ("WIFI_ZONES", "%", "project_progress_share", None, "WIFI_ZONES"),  # Хмільницька S4-06
    ("WIFI_ZONES", "%", "level", None, "WIFI_SETTLEMENT_SHARE"),
    ("CNAP_EQUEUE", "%", "level", None, "CNAP_EQUEUE"),
    ("AIR_SENSOR_DENSITY", "Коефіцієнт", "increment", None, "AIR_SENSOR_DENSITY"),
    ("PC_AGE", "%", "level", None, None),                             # a registry indicator
    (None, "%", "level", None, None),
    ("PC_AGE", "%", "level", "CNAP_REACH", "CNAP_REACH"),             # bound by hand
    ("ALERT", "%", "level", "-", None),                               # unbound by hand
])
def test_binding(canonical, unit, semantics, override, metric):
    b = bind(canonical, unit, semantics, override)
    assert (b.metric.code if b.metric else None) == metric
    if metric is None:
        assert b.reason["uk"] and b.reason["en"]


def test_override_with_parameters():
    b = bind("PC_AGE", "%", "level", "CNAP_REACH distance_m=3000 kinds=main_office,diia_centre")
    assert (b.source, b.parameters) == ("override", {"distance_m": 3000, "kinds": ["main_office", "diia_centre"]})
    assert bind("WIFI_ZONES", "%", "project_progress_share", "WIFI_ZONES planned=21").planned == 21
    assert bind(None, None, None, "CNAP_REACH radius=3").reason["en"] == "metric CNAP_REACH has no parameter 'radius'"
    assert bind(None, None, None, "NO_SUCH").reason["en"] == "unknown metric 'NO_SUCH'"


# ------------------------------------------------------------------------------ targets by value semantics
def test_targets_by_value_semantics():
    d = Decimal
    increments = {2025: d("20.0"), 2026: d("30.0"), 2027: d("50.0")}   # Балаклійська S1-22
    assert [cumulative_target("increment", None, increments, y) for y in (2025, 2026, 2027)] == [20, 50, 100]
    levels = {2026: d("40"), 2027: d("60"), 2028: d("80")}             # Кременчуцька S2-17
    assert cumulative_target("level", d("20"), levels, 2027) == 60
    shares = {2023: d("0"), 2024: d("40"), 2025: d("40")}              # Хмільницька S4-29, baseline 20
    assert [cumulative_target("project_progress_share", d("20"), shares, y) for y in (2023, 2024, 2025)] == \
        [20, 60, 100]
    assert cumulative_target("level", None, {2026: "Так"}, 2026) == "Так"
    assert cumulative_target("increment", None, increments, 2024) is None


def test_comparison():
    assert compare(30.0, 60.0, "percent")[:2] == (50.0, False)
    assert compare(61.9, 50.0, "percent")[:2] == (123.8, True)
    assert compare(5.0, 0.0, "percent")[:2] == (None, True)
    assert compare(True, "Так", "bool")[:2] == (None, True)
    assert compare(False, "Так", "bool")[:2] == (None, False)
    assert compare(False, "Ні", "bool")[:2] == (None, True)
    pct, on_track, note = compare(50.0, "Так", "percent")            # Балаклійська S1-19: «%» with «Так»
    assert (pct, on_track) == (None, True) and "more than zero" in note["en"]
    assert compare(None, 10.0, "percent") == (None, None, None)

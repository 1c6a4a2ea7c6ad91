"""The content of the layer catalogue (``layers/*.yaml``) that the rest of gisplan relies on.

No database: these tests only load and inspect the YAML files through :mod:`gisplan.catalog`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gisplan.catalog import COMMON_COLUMNS, load_catalog

LAYERS_DIR = Path(__file__).resolve().parents[1] / "layers"
CYRILLIC = re.compile(r"[А-Яа-яІіЇїЄєҐґ]")

EXPECTED = {
    "hromady", "settlements", "starosta_districts", "schools", "health_facilities", "social_objects",
    "cnap_points", "wifi_zones", "air_sensors", "alert_sirens", "mobile_coverage", "tourist_objects",
    "tourist_routes", "cctv_cameras", "investment_objects", "it_hubs", "planning_documents", "shelters",
}
GEOMETRY = {
    "hromady": "MultiPolygon", "settlements": "MultiPolygon", "starosta_districts": "MultiPolygon",
    "schools": "Point", "health_facilities": "Point", "social_objects": "Point", "cnap_points": "Point",
    "wifi_zones": "Point", "air_sensors": "Point", "alert_sirens": "Point",
    "mobile_coverage": "MultiPolygon", "tourist_objects": "Point", "tourist_routes": "MultiLineString",
    "cctv_cameras": "Point", "investment_objects": "Geometry", "it_hubs": "Point",
    "planning_documents": "MultiPolygon", "shelters": "Point",
}
SQL_WORDS = {"and", "or", "not", "in", "is", "null", "true", "false", "like", "between"}


@pytest.fixture(scope="module")
def cat():
    return load_catalog(LAYERS_DIR)


def enum_fields(cat):
    for layer in cat:
        for name, field in layer.fields.items():
            if field.type == "enum":
                yield layer, name, field


# ------------------------------------------------------------------ the set of layers
def test_exact_set_of_layers(cat):
    assert set(cat.names()) == EXPECTED
    assert len(cat) == 18


def test_file_names_match_layer_names(cat):
    for layer in cat:
        assert layer.source_path is not None and layer.source_path.stem == layer.name


@pytest.mark.parametrize("name,geom_type", sorted(GEOMETRY.items()))
def test_geometry_types(cat, name, geom_type):
    assert cat.get(name).geometry.type == geom_type


@pytest.mark.parametrize("name", ["settlements", "schools", "cnap_points", "alert_sirens",
                                  "tourist_objects"])
def test_geography_index_where_metrics_measure_in_metres(cat, name):
    assert cat.get(name).geometry.geography_index


# ------------------------------------------------------------------ specific layers
def test_settlements_geometry_and_population(cat):
    s = cat.get("settlements")
    assert s.geometry.type == "MultiPolygon" and s.geometry.nullable
    assert set(s.extra_geometries) == {"point"}
    point = s.extra_geometries["point"]
    assert point.type == "Point" and point.nullable and point.label is not None
    types = {n: f.type for n, f in s.fields.items()}
    assert types["population"] == "integer"
    assert types["population_year"] == "integer"
    assert types["population_source"] == "text"
    assert types["population_method"] == "enum"
    assert {"census", "registry", "estimate", "apportioned"} <= set(s.fields["population_method"].values)
    assert s.fields["population"].unit == "осіб"
    assert types["located"] == "boolean"
    assert types["broadband_fixed"] == "boolean" and types["edra_verified"] == "boolean"
    assert set(s.fields["mobile_internet"].values) == {"none", "partial", "full"}
    assert set(s.fields["category"].values) == {"city", "selyshche", "village", "urban_type"}


@pytest.mark.parametrize("letter,code", [
    ("М", "city"), ("M", "city"), ("Х", "selyshche"), ("X", "selyshche"),
    ("С", "village"), ("C", "village"), ("Т", "urban_type"), ("T", "urban_type"), ("смт", "urban_type"),
])
def test_settlement_codifier_letters_cyrillic_and_latin(cat, letter, code):
    assert cat.get("settlements").fields["category"].code_for(letter) == code


@pytest.mark.parametrize("kse_type,code", [("міська", "urban"), ("селищна", "settlement"),
                                           ("сільська", "rural")])
def test_hromada_kind_from_kse_type(cat, kse_type, code):
    assert cat.get("hromady").fields["kind"].code_for(kse_type) == code


def test_hromady_fields(cat):
    h = cat.get("hromady")
    assert {"name", "name_en", "kind", "admin_centre", "area_km2", "population", "population_year",
            "population_source", "oblast", "raion"} <= set(h.fields)
    assert h.fields["population"].type == "integer"
    assert "boundaries" in h.metadata.topic_categories


def test_cnap_kinds(cat):
    kind = cat.get("cnap_points").fields["kind"]
    assert set(kind.values) == {"main_office", "territorial_unit", "remote_workplace", "mobile_case",
                                "diia_centre"}
    assert kind.code_for("мобільна валіза") == "mobile_case"
    assert kind.code_for("мобільний кейс") == "mobile_case"
    assert kind.code_for("віддалене робоче місце адміністратора") == "remote_workplace"
    cnap = cat.get("cnap_points")
    assert cnap.fields["admin_workplaces"].type == "integer"
    assert "phone" in cnap.public_fields()


def test_shelter_kinds_of_the_civil_protection_code(cat):
    kind = cat.get("shelters").fields["kind"]
    assert set(kind.values) == {"blast_shelter", "anti_radiation", "rapid", "dual_use", "simple"}
    assert kind.code_for("ПРУ") == "anti_radiation"
    assert kind.code_for("найпростіше укриття") == "simple"


def test_schools_kinds(cat):
    kind = cat.get("schools").fields["kind"]
    assert set(kind.values) == {"general_secondary", "preschool", "out_of_school"}
    assert kind.code_for("ЗЗСО") == "general_secondary"
    assert kind.code_for("ЗДО") == "preschool"
    assert kind.code_for("ліцей") == "general_secondary"


def test_alert_siren_radius_is_required(cat):
    f = cat.get("alert_sirens").fields["audible_radius_m"]
    assert f.required and f.type == "number" and f.min == 0 and f.unit == "м"


def test_planning_document_types(cat):
    doc_type = cat.get("planning_documents").fields["doc_type"]
    assert set(doc_type.values) == {"general_plan", "detailed_plan", "zoning_plan", "integrated_plan",
                                    "land_management", "topographic_survey"}
    assert doc_type.code_for("ДПТ") == "detailed_plan"
    assert cat.get("planning_documents").fields["scale"].type == "integer"


def test_cctv_publishes_no_rows(cat):
    pub = cat.get("cctv_cameras").publication
    assert pub.row_filter is not None and pub.row_filter.strip().lower() == "false"
    assert pub.note is not None and CYRILLIC.search(pub.note.uk)


def test_starosta_name_is_internal(cat):
    assert "starosta" not in cat.get("starosta_districts").public_fields()


# ------------------------------------------------------------------ rules for every layer
def test_every_enum_value_has_uk_and_en_labels(cat):
    for layer, name, field in enum_fields(cat):
        for code, v in field.values.items():
            assert v.uk.strip() and v.en.strip(), f"{layer.name}.{name}.{code}"
    for layer in cat:
        for code, v in layer.statuses.items():
            assert v.uk.strip() and v.en.strip(), f"{layer.name}.status.{code}"


def test_enum_names_are_unambiguous(cat):
    """A code, label or synonym must lead to one code only, or imports pick one at random."""
    def norm(s):
        return " ".join(str(s).split()).casefold().replace("'", "’")

    for layer, name, field in enum_fields(cat):
        owner: dict[str, str] = {}
        for code, v in field.values.items():
            for n in {norm(x) for x in (code, v.uk, v.en, *v.synonyms)}:
                assert owner.setdefault(n, code) == code, \
                    f"{layer.name}.{name}: {n!r} names both {owner[n]!r} and {code!r}"


def test_every_field_label_is_ukrainian_first(cat):
    for layer in cat:
        assert CYRILLIC.search(layer.title.uk) and CYRILLIC.search(layer.abstract.uk), layer.name
        for name, field in layer.fields.items():
            assert CYRILLIC.search(field.label.uk), f"{layer.name}.{name}: {field.label.uk!r}"
            assert field.label.en.strip(), f"{layer.name}.{name}"
        for name, g in layer.extra_geometries.items():
            assert g.label is not None and CYRILLIC.search(g.label.uk), f"{layer.name}.{name}"


def test_sensitive_fields_are_never_public(cat):
    for layer in cat:
        public = set(layer.public_fields())
        for name, field in layer.fields.items():
            if field.sensitive or not field.public:
                assert name not in public, f"{layer.name}.{name}"
    assert {"key_holder_phone", "owner_edrpou"}.isdisjoint(cat.get("shelters").public_fields())
    assert "host_contact" not in cat.get("air_sensors").public_fields()


def test_no_layer_redefines_common_columns(cat):
    for layer in cat:
        assert not set(layer.fields) & set(COMMON_COLUMNS), layer.name


def test_status_values_keep_active(cat):
    """New rows get status 'active' from the database default, and indicators count 'active'."""
    for layer in cat:
        assert "active" in layer.statuses, layer.name


def test_style_rules_name_real_values(cat):
    for layer in cat:
        for rule in layer.style.rules:
            allowed = (set(layer.statuses) if rule.field == "status"
                       else set(layer.fields[rule.field].values or ()))
            assert rule.value in allowed, f"{layer.name}: rule {rule.field}={rule.value!r}"
            assert rule.label is not None, f"{layer.name}: rule {rule.field}={rule.value!r} has no legend label"


def test_named_layers_label_by_name(cat):
    for layer in cat:
        if "name" in layer.fields:
            assert layer.style.label_field == "name", layer.name


def test_areal_and_linear_layers_use_matching_symbols(cat):
    for layer in cat:
        t = layer.geometry.type
        if t in ("Polygon", "MultiPolygon"):
            assert layer.style.symbol == "polygon", layer.name
        elif t in ("LineString", "MultiLineString"):
            assert layer.style.symbol == "line", layer.name


def test_default_colours_are_distinct(cat):
    fills = [layer.style.fill.lower() for layer in cat]
    assert len(set(fills)) == len(fills)


def test_metadata_is_bilingual(cat):
    for layer in cat:
        md = layer.metadata
        assert md.keywords.get("uk") and md.keywords.get("en"), layer.name
        assert md.lineage is not None, layer.name


def test_row_filters_use_only_layer_columns(cat):
    for layer in cat:
        f = layer.publication.row_filter
        if not f:
            continue
        words = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", re.sub(r"'[^']*'", "", f))
        columns = set(COMMON_COLUMNS) | set(layer.fields)
        for w in words:
            assert w.lower() in SQL_WORDS or w in columns, f"{layer.name}: {w!r} in row_filter {f!r}"

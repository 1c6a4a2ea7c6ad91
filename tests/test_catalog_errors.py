"""A malformed layer file gives one line naming the file and the key."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gisplan.catalog import load_catalog, load_layer
from gisplan.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
SHELTERS = (ROOT / "layers" / "shelters.yaml").read_text(encoding="utf-8")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("change, message", [
    (("    type: integer\n    label: {uk: Місткість", "    type: integr\n    label: {uk: Місткість"),
     "layers/shelters.yaml: fields.capacity.type: unknown type 'integr'"),
    (("geometry: {type: Point}", "geometry: {type: Pointt}"),
     "layers/shelters.yaml: geometry.type: unknown geometry type 'Pointt'"),
    (("  topic_categories: [society, structure]", "  topic_categories: [society, structures]"),
     "layers/shelters.yaml: metadata.topic_categories: unknown ISO topic category 'structures'"),
    (("  label_field: name", "  label_field: title"),
     "layers/shelters.yaml: (top level): style.label_field 'title' is not a field of the layer"),
    (("  fill: \"#2e7d32\"", "  fill: green"),
     "layers/shelters.yaml: style.fill: colour 'green' must be #rrggbb"),
    (("  capacity:\n", "  version:\n"),
     "layers/shelters.yaml: (top level): field 'version' is a common column of every layer"),
    (("  accessible:\n    type: boolean\n", "  accessible:\n    type: boolean\n    colour: red\n"),
     "layers/shelters.yaml: fields.accessible.colour: Extra inputs are not permitted"),
])
def test_bad_key_is_named(tmp_path, change, message):
    old, new = change
    assert old in SHELTERS
    path = write(tmp_path, "shelters", SHELTERS.replace(old, new, 1))
    with pytest.raises(ConfigError) as err:
        load_layer(path)
    assert str(err.value).startswith(message), str(err.value)
    assert "\n" not in str(err.value)


def test_yaml_syntax_error_names_line(tmp_path):
    path = write(tmp_path, "shelters", SHELTERS.replace("name: shelters", "name: [shelters", 1))
    with pytest.raises(ConfigError, match=r"layers/shelters.yaml: line \d+ not valid YAML"):
        load_layer(path)


def test_name_must_match_file(tmp_path):
    path = write(tmp_path, "refuges", SHELTERS)
    with pytest.raises(ConfigError, match="layers/refuges.yaml: name: must equal the file name 'refuges'"):
        load_layer(path)


def test_enum_without_values(tmp_path):
    text = SHELTERS.replace("    values:\n      ready:", "    valuez:\n      ready:", 1)
    with pytest.raises(ConfigError, match="fields.readiness"):
        load_layer(write(tmp_path, "shelters", text))


def test_empty_directory(tmp_path):
    with pytest.raises(ConfigError, match="no layer files"):
        load_catalog(tmp_path)


def test_cli_prints_one_line(tmp_path):
    shutil.copy(ROOT / "layers" / "hromady.yaml", tmp_path)
    write(tmp_path, "shelters", SHELTERS.replace("type: integer", "type: integr", 1))
    proc = subprocess.run([sys.executable, "-m", "gisplan", "catalog", "check", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith("gisplan: error: layers/shelters.yaml: fields.capacity.type: unknown type")


def test_shipped_catalogue_is_valid():
    from tests.cli_inprocess import gisplan   # in this process; the test above starts one

    proc = gisplan("catalog", "check", str(ROOT / "layers"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("18 layers OK")


def test_clear_caches_forgets_every_settings_object(monkeypatch):
    """Each cached ``*_settings()`` of gisplan.settings is reset by clear_caches()."""
    import gisplan.settings as settings

    getters = [getattr(settings, n) for n in dir(settings)
               if n.endswith("_settings") and hasattr(getattr(settings, n), "cache_clear")]
    assert len(getters) >= 9
    before = [g() for g in getters]
    settings.clear_caches()
    after = [g() for g in getters]
    assert all(a is not b for a, b in zip(before, after)), [g.__name__ for g, a, b in zip(getters, after, before) if a is b]

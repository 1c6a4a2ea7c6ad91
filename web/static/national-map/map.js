// The national map: MapLibre GL JS over gisplan's vector tiles (TileJSON at /tiles/{layer}.json).
// Each ticked layer is one vector source with a fill, a line and a circle style layer, filtered by
// geometry type, coloured from the layer's style in layers/*.yaml.
import { Map, NavigationControl, ScaleControl } from "/static/vendor/maplibre/maplibre-gl.mjs";

const layers = JSON.parse(document.getElementById("map-layers").textContent);
const status = document.getElementById("map-status");
const loaded = new Set();   // sources whose tiles have arrived at least once

const map = new Map({
  container: "map",
  style: { version: 8, sources: {}, layers: [{ id: "background", type: "background",
                                               paint: { "background-color": "#f4f2ee" } }] },
  center: [31.2, 48.4],
  zoom: 5,
  maxZoom: 20,
  attributionControl: { compact: false, customAttribution: "gisplan" },
});
map.addControl(new NavigationControl(), "top-right");
map.addControl(new ScaleControl(), "bottom-left");
window.gisplanMap = map;  // for the browser test: tiles loaded, layers shown

function styleLayers(l) {
  const src = `tiles-${l.name}`;
  return [
    { id: `${l.name}-fill`, type: "fill", source: src, "source-layer": l.name,
      filter: ["==", ["geometry-type"], "Polygon"],
      paint: { "fill-color": l.fill, "fill-opacity": Math.min(l.opacity, 0.5), "fill-outline-color": l.stroke } },
    { id: `${l.name}-line`, type: "line", source: src, "source-layer": l.name,
      filter: ["==", ["geometry-type"], "LineString"],
      paint: { "line-color": l.stroke, "line-width": 1.5 } },
    { id: `${l.name}-point`, type: "circle", source: src, "source-layer": l.name,
      filter: ["==", ["geometry-type"], "Point"],
      paint: { "circle-color": l.fill, "circle-radius": Math.max(2, l.size / 2),
               "circle-stroke-color": l.stroke, "circle-stroke-width": 1 } },
  ];
}

function show(l, on) {
  const src = `tiles-${l.name}`;
  if (on && !map.getSource(src)) {
    map.addSource(src, { type: "vector", url: `/tiles/${l.name}.json` });
    for (const s of styleLayers(l)) map.addLayer(s);
  } else if (!on && map.getSource(src)) {
    for (const s of styleLayers(l)) map.removeLayer(s.id);
    map.removeSource(src);
    loaded.delete(src);
  }
}

map.on("sourcedata", (e) => {
  if (e.sourceId && e.sourceId.startsWith("tiles-") && e.tile) {
    loaded.add(e.sourceId);
    status.textContent = `Завантажено тайли шарів: ${loaded.size} / Tiles loaded for ${loaded.size} layer(s)`;
  }
});
map.on("error", (e) => {
  status.textContent = `Помилка карти / Map error: ${e.error ? e.error.message : e}`;
});

map.on("load", () => {
  for (const l of layers) show(l, l.on);
  for (const box of document.querySelectorAll("#layer-picker input[name=layer]")) {
    box.addEventListener("change", () => show(layers.find((l) => l.name === box.value), box.checked));
  }
});

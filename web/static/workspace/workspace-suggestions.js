// Siting suggestions on the layer map: for a gap kind (sensors, Wi-Fi, sirens, shelters) the API
// proposes the N places that close the most of the gap; one click accepts one as a planned feature
// of the kind's layer (required fields get a first value, to be completed in the feature form).
(function () {
  "use strict";
  const WS = window.gisplanWorkspace;
  if (!WS) return;
  const {api, el, say, code, canWrite, layerMap} = WS;
  const LAYER_OF = {sensors: "air_sensors", wifi: "wifi_zones", sirens: "alert_sirens", shelters: "shelters"};
  const list = document.getElementById("suggestions-list");
  const form = document.getElementById("suggestions-form");
  let group = null;

  function defaults(spec, s, radius) {
    const props = {status: "planned"};
    for (const [name, f] of Object.entries(spec.fields)) {
      if (!f.required) continue;
      if (f.values) props[name] = Object.keys(f.values)[0];
      else if (f.type === "number" || f.type === "integer") props[name] = /radius/.test(name) && radius ? radius : 0;
      else if (f.type === "boolean") props[name] = false;
      else if (f.type === "text") props[name] = "Запропоновано: " + (s.properties.name || "місце " + s.properties.rank);
    }
    if ("name" in spec.fields && !props.name) props.name = "Запропоновано: " + (s.properties.name || "місце " + s.properties.rank);
    return props;
  }

  async function accept(kind, fc, s, button) {
    const layer = LAYER_OF[kind];
    button.disabled = true;
    try {
      const spec = await api("/api/layers/" + layer);
      const created = await api("/api/layers/" + layer + "/features", {method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({type: "Feature", geometry: s.geometry, properties: defaults(spec, s, fc.radius_m)})});
      button.replaceWith(el("span", {class: "on", "data-accepted": created.id}, "Прийнято / accepted"));
      say("Додано як заплановане / added as planned: " + (created.properties.name || created.id));
      const select = document.getElementById("layer-select");
      select.value = layer;
      await WS.reloadLayer(created.id);
    } catch (err) { button.disabled = false; say("Не додано / not added: " + WS.explain(err).text); }
  }

  async function show(kind, n) {
    list.dataset.state = "loading";
    const fc = await api("/api/hromady/" + code + "/suggestions/" + kind + "?n=" + n);
    if (group) layerMap.removeLayer(group);
    group = L.layerGroup().addTo(layerMap);
    const items = el("ol", {id: "suggestions"});
    for (const s of fc.features) {
      const [lon, lat] = s.geometry.coordinates;
      const p = s.properties;
      const text = (p.name || "") + " — закриває / closes " + WS.fmt(p.gain) + " " + fc.gain_unit;
      L.circleMarker([lat, lon], {radius: 9, color: "#e65100", weight: 3, fillOpacity: 0.4}).bindTooltip(p.rank + ". " + text).addTo(group);
      const li = el("li", {"data-rank": p.rank}, text);
      if (canWrite) li.append(" ", el("button", {type: "button", class: "small", "data-accept": p.rank,
        onclick: e => accept(kind, fc, s, e.currentTarget)}, "Прийняти як заплановане / accept as planned"));
      items.append(li);
    }
    list.replaceChildren(el("p", {}, fc.name.uk + " / " + fc.name.en + ": " + fc.features.length + " пропозицій / suggestions"), items);
    if (!fc.features.length) list.append(el("p", {class: "muted"}, "Прогалин немає / no gap to close"));
    else layerMap.fitBounds(L.featureGroup(group.getLayers()).getBounds(), {maxZoom: 13, padding: [20, 20]});
    list.dataset.state = "ready";
  }

  form.addEventListener("submit", e => {
    e.preventDefault();
    show(form.elements.kind.value, form.elements.n.value).catch(err => { list.dataset.state = "error"; say(WS.explain(err).text); });
  });
})();

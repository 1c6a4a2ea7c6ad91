// Drawing and editing features on the layer map (Leaflet-Geoman, served from /static/vendor/geoman):
// polygons, lines and points are drawn with the mouse or finger, vertices dragged; the geometry is
// also a GeoJSON text field, so everything can be done with the keyboard. Saving goes through the
// features API, which validates as an import does; its errors are shown next to their field.
(function () {
  "use strict";
  const WS = window.gisplanWorkspace;
  if (!WS || !WS.canWrite || !window.L || !L.PM) return;
  const {api, el, say, layerMap} = WS;
  const tools = document.getElementById("draw-tools");
  const editor = document.getElementById("feature-editor");
  const specs = {};
  let shown = {layer: null, geometry: null};
  let editing = null;      // {layer, feature (null when new), shape (Leaflet layer being edited)}

  try { layerMap.pm.setLang("ua"); } catch (e) { /* language pack missing: English tooltips */ }
  layerMap.pm.setGlobalOptions({allowSelfIntersection: false, snappable: false});

  async function spec(layer) { return specs[layer] || (specs[layer] = await api("/api/layers/" + layer)); }
  const KINDS = {Polygon: "Polygon", MultiPolygon: "Polygon", LineString: "Line", MultiLineString: "Line", Point: "Marker"};
  const GEOMETRY_WORDS = {Polygon: "полігон / polygon", Line: "лінію / line", Marker: "точку / point"};

  function button(id, text, onclick) { return el("button", {type: "button", id, class: "small", onclick}, text); }

  function showTools() {
    tools.replaceChildren();
    const kinds = shown.geometry === "Geometry" ? ["Polygon", "Line", "Marker"] : [KINDS[shown.geometry]].filter(Boolean);
    for (const kind of kinds) {
      tools.append(button("draw-" + kind.toLowerCase(), "Намалювати " + GEOMETRY_WORDS[kind], () => startDrawing(kind)), " ");
    }
    tools.append(button("draw-by-text", "Новий об’єкт за координатами / new feature by coordinates",
      () => openEditor(shown.layer, null, null).then(() => document.getElementById("ff-geometry").focus()).catch(err => say(err.message))), " ");
    tools.append(button("draw-finish", "Завершити контур / finish", finishDrawing), " ",
      button("draw-cancel", "Скасувати / cancel", cancel));
    tools.querySelector("#draw-finish").hidden = true;
  }

  function stopEditing() {
    layerMap.pm.disableDraw();
    if (editing && editing.shape && editing.shape.pm) editing.shape.pm.disable();
    if (editing && !editing.feature && editing.shape) layerMap.removeLayer(editing.shape);
    editing = null;
    const finish = tools.querySelector("#draw-finish");
    if (finish) finish.hidden = true;
  }
  function cancel() { stopEditing(); editor.replaceChildren(); say("Скасовано / cancelled"); }

  function startDrawing(kind) {
    stopEditing();
    editor.replaceChildren();
    layerMap.pm.enableDraw(kind, {continueDrawing: false, finishOn: null});
    tools.querySelector("#draw-finish").hidden = kind === "Marker";
    tools.dataset.drawing = kind;
    say("Клацайте на карті, щоб поставити вершини; «Завершити контур» або клік на першій вершині закриває фігуру. " +
      "/ Click the map to place vertices; finish with the button or by clicking the first vertex.");
  }
  function finishDrawing() {
    const kind = tools.dataset.drawing;
    const handler = kind && layerMap.pm.Draw[kind];
    if (handler && handler._enabled && handler._finishShape) handler._finishShape();
  }
  layerMap.on("pm:create", e => {
    delete tools.dataset.drawing;
    tools.querySelector("#draw-finish").hidden = true;
    const shape = e.layer;
    openEditor(shown.layer, null, shape).catch(err => say(err.message));
  });

  // ------------------------------------------------------------------ the form
  function geometryOf(shape) { return shape.toGeoJSON().geometry; }
  function inputFor(name, field, value) {
    const id = "ff-" + name, attrs = {id, name, "aria-describedby": id + "-err"};
    if (field.required) attrs.required = "required";
    let input;
    if (field.values) {
      input = el("select", attrs, el("option", {value: ""}, "—"));
      for (const [k, v] of Object.entries(field.values)) {
        const o = el("option", {value: k}, v.uk + " / " + v.en);
        if (k === value) o.selected = true;
        input.append(o);
      }
    } else if (field.type === "boolean") {
      input = el("select", attrs, el("option", {value: ""}, "—"), el("option", {value: "true"}, "так / yes"), el("option", {value: "false"}, "ні / no"));
      input.value = value === true ? "true" : value === false ? "false" : "";
    } else {
      const type = {integer: "number", number: "number", date: "date", url: "url"}[field.type] || "text";
      Object.assign(attrs, {type});
      if (field.type === "number") attrs.step = "any";
      input = el("input", attrs);
      input.value = value == null ? "" : Array.isArray(value) ? value.join(", ") : String(value);
    }
    input.dataset.type = field.type;
    const label = el("label", {for: id}, field.label.uk, el("span", {class: "en"}, " / " + field.label.en),
      field.unit ? " (" + field.unit + ")" : "", field.required ? " *" : "");
    return el("p", {class: "field"}, label, input, el("span", {id: id + "-err", class: "field-error", role: "alert"}));
  }
  function readInput(input) {
    const v = input.value.trim();
    if (v === "") return null;
    switch (input.dataset.type) {
      case "integer": case "number": return Number(v);
      case "boolean": return v === "true";
      case "text_list": return v.split(/[,;\n]/).map(s => s.trim()).filter(Boolean);
      default: return v;
    }
  }

  async function openEditor(layer, feature, shape) {
    stopEditing();
    const s = await spec(layer);
    editing = {layer, feature, shape};
    const props = feature ? feature.properties : {status: "planned"};
    if (shape && shape.pm && KINDS[s.geometry] !== "Marker") {
      shape.pm.enable({allowSelfIntersection: false});
      shape.on("pm:edit", () => { geomText.value = JSON.stringify(geometryOf(shape)); });
    }
    const required = [], optional = [];
    for (const [name, field] of Object.entries(s.fields)) (field.required ? required : optional).push(inputFor(name, field, props[name]));
    const statusField = {type: "enum", required: true, label: {uk: "Стан", en: "Status"}, values: s.status_values};
    const geomText = el("textarea", {id: "ff-geometry", name: "geometry", rows: "3", "aria-describedby": "ff-geometry-err ff-geometry-help"});
    geomText.value = shape ? JSON.stringify(geometryOf(shape)) : feature && feature.geometry ? JSON.stringify(feature.geometry) : "";
    editing.geometryText = geomText.value;  // a point dragged meanwhile keeps its new place unless this text is changed
    const form = el("form", {id: "feature-form", "data-layer": layer, "data-id": feature ? feature.id : ""},
      el("h3", {}, feature ? "Об’єкт / Feature: " + (props.name || props.code || feature.id) : "Новий об’єкт / New feature"),
      inputFor("status", statusField, props.status), ...required,
      optional.length ? el("details", {}, el("summary", {}, "Інші поля / more fields"), ...optional) : "",
      el("p", {class: "field"}, el("label", {for: "ff-geometry"}, "Геометрія (GeoJSON, довгота/широта) ", el("span", {class: "en"}, "/ geometry")),
        geomText, el("span", {id: "ff-geometry-help", class: "muted"}, "Змінюйте вершини на карті або текст тут / edit the vertices on the map or the text here"),
        el("span", {id: "ff-geometry-err", class: "field-error", role: "alert"})),
      el("p", {id: "ff-error", class: "field-error", role: "alert"}),
      el("p", {}, el("button", {type: "submit", id: "ff-save"}, "Зберегти / save"), " ",
        el("button", {type: "button", onclick: cancel}, "Скасувати / cancel"), " ",
        feature ? el("button", {type: "button", id: "ff-delete", onclick: () => remove(layer, feature)}, "Видалити / delete") : ""));
    form.addEventListener("submit", e => { e.preventDefault(); save(form, s).catch(err => say(err.message)); });
    editor.replaceChildren(form);
    if (!feature) form.querySelector("select, input").focus();
  }

  function showErrors(form, err) {
    form.querySelectorAll(".field-error").forEach(x => { x.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(x => x.removeAttribute("aria-invalid"));
    const e = WS.explain(err);
    const target = e.field && form.querySelector("#ff-" + CSS.escape(e.field) + "-err");
    (target || form.querySelector("#ff-error")).textContent = e.text;
    const input = e.field && form.querySelector("#ff-" + CSS.escape(e.field));
    if (input) { input.setAttribute("aria-invalid", "true"); if (input.closest("details")) input.closest("details").open = true; }
    say("Не збережено / not saved: " + e.text);
  }

  async function save(form, s) {
    const {layer, feature} = editing;
    const props = {};
    for (const input of form.querySelectorAll("input, select")) {
      if (!input.name) continue;
      const value = readInput(input), before = feature ? feature.properties[input.name] : null;
      if (feature ? JSON.stringify(value) !== JSON.stringify(before ?? null) : value !== null) props[input.name] = value;
    }
    let geometry = null;
    const text = form.querySelector("#ff-geometry").value.trim();
    if (text) {
      try { geometry = JSON.parse(text); } catch (e) { return showErrors(form, new Error("422: geometry: not a GeoJSON geometry (" + e.message + ")")); }
    }
    const json = {"Content-Type": "application/json"};
    let saved;
    try {
      if (feature) {
        const body = {version: feature.properties.version, properties: props};
        if (geometry && text !== editing.geometryText) body.geometry = geometry;
        saved = await api("/api/layers/" + layer + "/features/" + feature.id, {method: "PATCH", headers: json, body: JSON.stringify(body)});
      } else {
        saved = await api("/api/layers/" + layer + "/features", {method: "POST", headers: json,
          body: JSON.stringify({type: "Feature", geometry, properties: props})});
      }
    } catch (err) { return showErrors(form, err); }
    stopEditing();
    editor.replaceChildren();
    say("Збережено: версія " + saved.properties.version + " / saved: version " + saved.properties.version);
    await WS.reloadLayer(saved.id);
  }

  async function remove(layer, feature) {
    try {
      await api("/api/layers/" + layer + "/features/" + feature.id + "?version=" + feature.properties.version, {method: "DELETE"});
    } catch (err) { say("Не видалено / not deleted: " + WS.explain(err).text); return; }
    stopEditing();
    editor.replaceChildren();
    say("Видалено (залишається в історії) / deleted (kept in history)");
    await WS.reloadLayer();
  }

  WS.on("layer", ({layer, geometry}) => {
    stopEditing();
    editor.replaceChildren();
    shown = {layer, geometry};
    showTools();
  });
  WS.on("select", ({layer, feature, shape}) => {
    openEditor(layer, feature, KINDS[shown.geometry] === "Marker" ? null : shape).catch(err => say(err.message));
  });
})();

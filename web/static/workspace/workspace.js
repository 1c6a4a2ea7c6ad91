// The planner's workspace: reads the JSON API with the session cookie (same origin), renders tables
// and Leaflet maps over gisplan's own WMS. Texts: Ukrainian first, English second.
(function () {
  "use strict";
  const root = document.getElementById("ws");
  const code = root.dataset.code;
  const canWrite = root.dataset.canWrite === "true";
  const statusEl = document.getElementById("status");
  const layerNames = new Set(Array.from(document.querySelectorAll("#layer-select option")).map(o => o.value));

  function say(text) { statusEl.textContent = text; }
  // writes repeat the session's CSRF token (the gisplan_csrf cookie) in a header: see api/csrf.py
  function csrfToken() { const m = document.cookie.match(/(?:^|;\s*)gisplan_csrf=([^;]*)/); return m ? decodeURIComponent(m[1]) : ""; }
  const etags = new Map();  // path -> ETag of its last answer (a program's edit version: If-Match on its changes)
  async function api(path, options) {
    const opts = Object.assign({credentials: "same-origin"}, options || {});
    opts.headers = Object.assign({"Accept": "application/json"}, opts.headers || {});
    if (!/^(GET|HEAD|OPTIONS)$/i.test(opts.method || "GET")) opts.headers["X-CSRF-Token"] = csrfToken();
    const r = await fetch(path, opts);
    etags.set(path, r.headers.get("ETag"));
    if (!r.ok) {
      let detail = r.statusText;
      try { const j = await r.json(); detail = j.detail || j.error || j; } catch (e) { /* not JSON */ }
      if (typeof detail !== "string") detail = JSON.stringify(detail);
      throw new Error(r.status + ": " + detail);
    }
    return r.status === 204 ? null : r.json();
  }
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
    return e;
  }
  function fmt(v) {
    if (v === null || v === undefined) return "—";
    if (v === true) return "Так"; if (v === false) return "Ні";
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/\.?0+$/, "");
    return String(v);
  }

  // ------------------------------------------------------------------ maps
  function makeMap(id) {
    const map = L.map(id, {zoomControl: true, attributionControl: true});
    L.tileLayer.wms("/" + code + "/ows", {layers: "hromady", format: "image/png", transparent: true,
      version: "1.3.0", attribution: "gisplan WMS"}).addTo(map);
    map.setView([49, 32], 6);
    return map;
  }
  async function fitToHromada(map) {
    const fc = await api("/api/layers/hromady/features?hromada=" + code + "&limit=1");
    if (fc.features.length) map.fitBounds(L.geoJSON(fc).getBounds());
  }
  const map = makeMap("map");
  const layerMap = makeMap("layer-map");
  let overlay = null;

  // The other workspace scripts (workspace-*.js) register here: loaders run at start-up, hooks when a
  // layer is shown or a feature chosen. They share this page's one fetch wrapper (api).
  const hooks = {layer: [], select: [], dataset: []};
  const WS = window.gisplanWorkspace = {
    code, canWrite, api, el, say, fmt, map, layerMap, loaders: [], program: null, etagOf: path => etags.get(path) || null,
    on(name, fn) { hooks[name].push(fn); },
    emit(name, arg) { for (const fn of hooks[name]) { try { fn(arg); } catch (e) { say(e.message); } } },
    reloadLayer: (...a) => loadLayer(...a),  // with a feature id: that row is chosen once shown
  };

  // ------------------------------------------------------------------ indicators
  let registry = {};
  function sparkline(series) {
    const pts = series.filter(s => typeof s.actual === "number");
    if (pts.length < 2) return document.createTextNode("—");
    const vals = pts.map(s => s.actual), min = Math.min(...vals), max = Math.max(...vals);
    const w = 80, h = 20, span = (max - min) || 1;
    const d = pts.map((s, i) => (i ? "L" : "M") + (i * w / (pts.length - 1)).toFixed(1) + "," +
      (h - (s.actual - min) / span * h).toFixed(1)).join(" ");
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", w); svg.setAttribute("height", h); svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Динаміка / trend: " + pts.map(s => s.year + ": " + fmt(s.actual)).join(", "));
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d); path.setAttribute("fill", "none"); path.setAttribute("stroke", "#0057b8"); path.setAttribute("stroke-width", "2");
    svg.append(path);
    return svg;
  }
  function showIndicatorMap(item, row) {
    document.querySelectorAll("#indicators tbody tr").forEach(r => r.classList.remove("selected"));
    row.classList.add("selected");
    const metric = registry[item.metric && item.metric.code] || {};
    // the indicator's own classed map (choropleth) underneath, when the WMS has one, then its input layers
    const wms = item.wms_layer || {};
    const computed = wms.settlements || wms.hromada;
    const layers = (computed ? [computed] : []).concat((metric.inputs || []).filter(n => layerNames.has(n) && n !== "hromady"));
    if (overlay) { map.removeLayer(overlay); overlay = null; }
    const legend = document.getElementById("legend");
    legend.replaceChildren();
    document.getElementById("map-title").textContent = item.name;
    if (!layers.length) { legend.append(el("p", {class: "muted"}, "Показник не має шару на карті / no map layer for this indicator")); return; }
    overlay = L.tileLayer.wms("/" + code + "/ows", {layers: layers.join(","), format: "image/png", transparent: true, version: "1.3.0"}).addTo(map);
    for (const name of layers) {
      legend.append(el("img", {src: "/" + code + "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&FORMAT=image/png&LAYER=" + name,
        alt: "Легенда шару " + name + " / legend of " + name, "data-layer": name}));
    }
  }
  async function loadIndicators() {
    const programs = await api("/api/programs?hromada=" + code);
    if (!programs.data.length) { document.getElementById("program-title").textContent = "Програму ще не завантажено / no program yet"; return null; }
    const program = programs.data[0];
    const [progress, reg] = await Promise.all([api("/api/programs/" + program.id + "/progress"), api("/api/indicators")]);
    for (const m of reg.metrics) registry[m.code] = m;
    document.getElementById("program-title").textContent = progress.title + " — станом на / as of " + progress.as_of + ", рік / year " + progress.year;
    const body = document.querySelector("#indicators tbody");
    body.replaceChildren();
    for (const item of progress.indicators) {
      const pct = item.pct_of_target;
      const row = el("tr", {tabindex: "0", "data-indicator": item.indicator_id, "data-code": item.metric ? item.metric.code : ""},
        el("td", {}, item.ref + ". " + item.name, item.unit ? el("span", {class: "en"}, " (" + item.unit + ")") : ""),
        el("td", {class: "baseline"}, fmt(item.baseline && item.baseline.declared)),
        el("td", {class: "target"}, fmt(item.target)),
        el("td", {class: "actual"}, fmt(item.actual)),
        el("td", {class: "pct " + (item.on_track ? "on" : "off")}, pct === null || pct === undefined ? (item.on_track ? "✓" : "✗") : fmt(pct) + " %"),
        el("td", {}, sparkline(item.series || [])));
      row.addEventListener("click", () => showIndicatorMap(item, row));
      row.addEventListener("keydown", e => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); showIndicatorMap(item, row); } });
      body.append(row);
    }
    document.getElementById("unbound").textContent = progress.unbound.length + " показників програми не обчислюються з шарів (вносяться вручну) / " +
      progress.unbound.length + " program indicators are not computed from layers (entered by hand)";
    return program;
  }

  // ------------------------------------------------------------------ calendar, reports
  async function loadCalendar(program) {
    const body = document.querySelector("#calendar-table tbody");
    body.replaceChildren();
    const statusText = {overdue: "прострочено / overdue", due: "очікується / due", done: "подано / done"};
    if (program) {
      const cal = await api("/api/programs/" + program.id + "/calendar");
      for (const it of cal.items) {
        body.append(el("tr", {"data-kind": it.kind}, el("td", {}, it.label.uk, el("span", {class: "en"}, " / " + it.label.en)),
          el("td", {}, it.year + (it.quarter ? ", " + it.quarter + " кв." : "")), el("td", {}, it.due),
          el("td", {class: it.status === "overdue" ? "overdue" : ""}, statusText[it.status] || it.status)));
      }
    }
    const reg = await api("/api/hromady/" + code + "/registration");
    for (const d of reg.datasets.filter(d => d.deadline && d.status !== "registered")) {
      body.append(el("tr", {"data-kind": "geoportal"}, el("td", {}, "Реєстрація на геопорталі: " + d.title.uk, el("span", {class: "en"}, " / geoportal registration")),
        el("td", {}, d.since || ""), el("td", {}, d.deadline),
        el("td", {class: d.overdue ? "overdue" : ""}, d.label.uk + " / " + d.label.en)));
    }
  }
  document.getElementById("reports-refresh").addEventListener("click", () => loadReports().catch(e => say("Помилка / error: " + e.message)));
  async function loadReports() {
    const data = await api("/api/hromady/" + code + "/shelter-reports");
    const body = document.querySelector("#reports-table tbody");
    body.replaceChildren();
    body.dataset.count = String(data.reports.length);
    const problems = {locked: "зачинено / locked", full: "переповнене / full", wrong_place: "не там на карті / wrong place", other: "інше / other"};
    const statuses = {new: "нове / new", in_progress: "в роботі / in progress", resolved: "вирішено / resolved", rejected: "відхилено / rejected"};
    if (!data.reports.length) body.append(el("tr", {}, el("td", {colspan: "5"}, "Звернень немає / no reports")));
    for (const r of data.reports) {
      const triage = el("td", {class: "triage"});
      if (canWrite) {
        const select = el("select", {"aria-label": "Стан звернення " + r.id + " / status of report " + r.id, "data-report": r.id});
        for (const [value, label] of Object.entries(statuses)) {
          const o = el("option", {value}, label); if (value === r.status) o.selected = true; select.append(o);
        }
        const note = el("input", {type: "text", maxlength: "1000", value: r.note || "", "data-report-note": r.id,
          "aria-label": "Примітка до звернення " + r.id + " / note on report " + r.id});
        const save = el("button", {type: "button", class: "small", "data-report-save": r.id}, "Зберегти / Save");
        save.addEventListener("click", async () => {
          try {
            const done = await api("/api/hromady/" + code + "/shelter-reports/" + r.id, {method: "PATCH",
              headers: {"Content-Type": "application/json"}, body: JSON.stringify({status: select.value, note: note.value || null})});
            say("Звернення " + r.id + ": " + statuses[done.status] + " / report " + r.id + " saved");
            triage.dataset.saved = done.status;
          } catch (e) { say("Помилка / error: " + e.message); }
        });
        triage.append(select, " ", note, " ", save);
      } else {
        triage.append(statuses[r.status] || r.status, r.note ? " — " + r.note : "");
      }
      body.append(el("tr", {"data-report-row": r.id}, el("td", {}, (r.created_at || "").slice(0, 16).replace("T", " ")), el("td", {}, problems[r.problem] || r.problem),
        el("td", {}, el("code", {}, String(r.shelter_id).slice(0, 8))), el("td", {}, r.comment || ""), triage));
    }
  }

  // ------------------------------------------------------------------ layers: table, map, edit, history
  let features = null;
  async function showHistory(layer, f) {
    const box = document.getElementById("history");
    box.replaceChildren(el("h3", {}, "Історія / History: " + (f.properties.name || f.properties.code || f.id)));
    const hist = (await api("/api/layers/" + layer + "/features/" + f.id + "/history")).versions;
    const list = el("ol", {class: "history"});
    list.append(el("li", {"data-current-version": f.properties.version}, "v" + f.properties.version +
      " — поточна / current, " + (f.properties.updated_by || "") + ", " + (f.properties.updated_at || "").slice(0, 19).replace("T", " ")));
    for (const h of hist) {
      const item = el("li", {"data-version": h.version}, "v" + h.version + " — " + h.operation + ", " + (h.changed_by || "") + ", " + (h.changed_at || "").slice(0, 19).replace("T", " "));
      if (canWrite) {
        item.append(" ", el("button", {class: "small", type: "button", onclick: async () => {
          try {
            await api("/api/layers/" + layer + "/features/" + f.id + "/restore", {method: "POST", headers: {"Content-Type": "application/json"},
              body: JSON.stringify({version: h.version, current_version: f.properties.version})});
            say("Відновлено версію " + h.version + " / version restored");
            await loadLayer();
          } catch (e) { say("Помилка / error: " + e.message); }
        }}, "Відновити v" + h.version + " / restore"));
      }
      list.append(item);
    }
    if (!hist.length) list.append(el("li", {class: "muted"}, "Попередніх версій немає / no earlier versions"));
    box.append(list);
  }
  async function moveFeature(layer, f, latlng) {
    try {
      const updated = await api("/api/layers/" + layer + "/features/" + f.id, {method: "PATCH", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({version: f.properties.version, geometry: {type: "Point", coordinates: [latlng.lng, latlng.lat]}})});
      f.properties.version = updated.properties.version;
      f.geometry = updated.geometry;
      const row = document.querySelector('#features-table tr[data-id="' + f.id + '"] td.version');
      if (row) row.textContent = updated.properties.version;
      say("Збережено: версія " + updated.properties.version + " / saved: version " + updated.properties.version);
      if (overlay) overlay.redraw();
      await showHistory(layer, f);
    } catch (e) { say("Не збережено / not saved: " + e.message); await loadLayer(); }
  }
  let layerGroup = null;
  async function loadLayer(selectId) {
    const select = document.getElementById("layer-select");
    const layer = select.value;
    const isPoint = select.selectedOptions[0].dataset.geometry === "Point";
    features = await api("/api/layers/" + layer + "/features?hromada=" + code + "&limit=500");
    const body = document.querySelector("#features-table tbody");
    body.replaceChildren();
    delete body.dataset.layer;
    if (layerGroup) layerMap.removeLayer(layerGroup);
    const markers = {};
    const shapes = {};
    layerGroup = L.geoJSON(features, {
      style: () => ({color: "#4527a0", weight: 2, fillOpacity: 0.15}),
      onEachFeature: (f, lyr) => { shapes[f.id] = lyr; },
      pointToLayer: (f, latlng) => {
        const m = L.marker(latlng, {draggable: canWrite && isPoint, keyboard: true, title: f.properties.name || f.properties.code || f.id,
          alt: f.properties.name || f.properties.code || f.id});
        if (canWrite && isPoint) m.on("dragend", () => moveFeature(layer, f, m.getLatLng()));
        markers[f.id] = m;
        return m;
      },
    }).addTo(layerMap);
    for (const f of features.features) {
      const p = f.properties;
      const row = el("tr", {tabindex: "0", "data-id": f.id}, el("td", {}, p.name || p.code || f.id), el("td", {}, p.status),
        el("td", {class: "version"}, p.version), el("td", {}, (p.updated_at || "").slice(0, 10) + " " + (p.updated_by || "")));
      const pick = () => {
        document.querySelectorAll("#features-table tbody tr").forEach(r => r.classList.remove("selected"));
        row.classList.add("selected");
        if (markers[f.id]) layerMap.setView(markers[f.id].getLatLng(), 14);
        else if (shapes[f.id] && shapes[f.id].getBounds && shapes[f.id].getBounds().isValid()) layerMap.fitBounds(shapes[f.id].getBounds(), {maxZoom: 15});
        showHistory(layer, f).catch(e => say(e.message));
        WS.emit("select", {layer, feature: f, shape: shapes[f.id]});
      };
      row.addEventListener("click", pick);
      row.addEventListener("keydown", e => { if (e.key === "Enter") pick(); });
      body.append(row);
    }
    body.dataset.layer = layer;
    if (features.features.length && layerGroup.getBounds().isValid()) layerMap.fitBounds(layerGroup.getBounds(), {maxZoom: 13});
    WS.emit("layer", {layer, geometry: select.selectedOptions[0].dataset.geometry, features});
    if (selectId) {
      const row = body.querySelector('tr[data-id="' + selectId + '"]');
      if (row) row.click();
    }
  }

  // ------------------------------------------------------------------ publishing
  async function loadDatasets() {
    const [ds, reg] = await Promise.all([api("/api/datasets?hromada=" + code), api("/api/hromady/" + code + "/registration")]);
    const regOf = {};
    for (const d of reg.datasets) regOf[d.layer] = d;
    const body = document.querySelector("#datasets-table tbody");
    body.replaceChildren();
    for (const d of ds.datasets.filter(d => d.layer !== "hromady")) {
      const r = regOf[d.layer];
      const action = el("td", {});
      if (canWrite) {
        const verb = d.published ? "withdraw" : "publish";
        action.append(el("button", {class: "small", type: "button", "data-layer": d.layer, "data-action": verb, onclick: async () => {
          try { await api("/api/datasets/" + d.layer + "/" + code + "/" + verb, {method: "POST"}); say((verb === "publish" ? "Опубліковано / published: " : "Знято з публікації / withdrawn: ") + d.layer); await loadDatasets(); }
          catch (e) { say("Помилка / error: " + e.message); }
        }}, d.published ? "Зняти / withdraw" : "Опублікувати / publish"));
      }
      if (canWrite) action.append(" ", el("button", {class: "small", type: "button", "data-metadata": d.layer,
        onclick: () => WS.emit("dataset", d)}, "Метадані / metadata"));
      body.append(el("tr", {"data-layer": d.layer}, el("td", {}, d.layer), el("td", {class: "published"}, d.published ? "так / yes" : "ні / no"),
        el("td", {}, r ? r.label.uk + " / " + r.label.en : "—"), el("td", {}, r && r.deadline ? r.deadline : "—"), action));
    }
  }

  // ------------------------------------------------------------------ QR plates
  async function loadQr() {
    const data = await api("/api/hromady/" + code + "/qr");
    const states = {not_printed: "не надруковано / not printed", printed: "надруковано / printed", installed: "встановлено / installed"};
    document.getElementById("qr-counts").textContent = "Встановлено / installed: " + data.counts.installed + ", надруковано / printed: " +
      data.counts.printed + ", не надруковано / not printed: " + data.counts.not_printed;
    const body = document.querySelector("#qr-table tbody");
    body.replaceChildren();
    const dateInput = document.getElementById("qr-date");
    if (dateInput && !dateInput.value) dateInput.value = new Date().toISOString().slice(0, 10);
    for (const o of data.objects) {
      const action = el("td", {});
      if (canWrite && o.state !== "installed") {
        action.append(el("button", {class: "small", type: "button", "data-install": o.id, onclick: async () => {
          try {
            await api("/api/hromady/" + code + "/qr/" + o.id + "/installed", {method: "POST", headers: {"Content-Type": "application/json"},
              body: JSON.stringify({installed_at: dateInput.value})});
            say("Табличку встановлено / plate installed: " + o.name);
            await loadQr();
          } catch (e) { say("Помилка / error: " + e.message); }
        }}, "Встановлено / installed"));
      }
      body.append(el("tr", {"data-id": o.id, "data-state": o.state}, el("td", {}, o.name), el("td", {}, el("code", {}, o.short || "—")),
        el("td", {class: "state"}, states[o.state] + (o.installed_at ? " " + o.installed_at : "")), el("td", {}, o.scans), action));
    }
  }

  // ------------------------------------------------------------------ start
  document.getElementById("layer-select").addEventListener("change", () => loadLayer().catch(e => say(e.message)));
  document.addEventListener("DOMContentLoaded", async () => {
    try {
      await Promise.all([fitToHromada(map), fitToHromada(layerMap)]);
      const program = WS.program = await loadIndicators();
      await Promise.all([loadCalendar(program), loadReports(), loadLayer(), loadDatasets(), loadQr(),
        ...WS.loaders.map(fn => fn(program).catch(e => say("Помилка завантаження / loading error: " + e.message)))]);
      root.dataset.ready = "true";
    } catch (e) { say("Помилка завантаження / loading error: " + e.message); root.dataset.ready = "error"; }
  });
})();

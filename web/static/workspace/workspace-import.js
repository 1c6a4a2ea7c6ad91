// Upload a file into the shown layer: first a dry run (nothing changes) with its counts, the file's
// first rows and every rejected row (row, field, reason); the real import only after a clean check.
(function () {
  "use strict";
  const WS = window.gisplanWorkspace;
  if (!WS || !WS.canWrite) return;
  const {api, el, say, code} = WS;
  const form = document.getElementById("import-form");
  const fileInput = document.getElementById("import-file");
  const runButton = document.getElementById("import-run");
  const out = document.getElementById("import-report");
  let checked = null;  // the file and layer that passed the dry run

  function layer() { return document.getElementById("layer-select").value; }
  function formData(dryRun) {
    const fd = new FormData();
    fd.append("file", fileInput.files[0]);
    fd.append("mode", document.getElementById("import-mode").value);
    fd.append("hromada", code);
    fd.append("dry_run", dryRun ? "true" : "false");
    return fd;
  }

  // the first rows as the import numbers them: in a CSV the header is row 1, else the first feature is row 1
  async function preview(file) {
    const name = file.name.toLowerCase();
    if (name.endsWith(".csv")) {
      const lines = (await file.text()).replace(/^\ufeff/, "").split(/\r?\n/).filter(l => l.trim() !== "").slice(0, 6);
      const sep = [";", "\t", ","].find(c => lines[0] && lines[0].includes(c)) || ",";
      const cells = lines.map(l => l.split(sep).map(c => c.replace(/^"|"$/g, "")));
      return {columns: cells[0] || [], rows: cells.slice(1).map((c, i) => ({row: i + 2, cells: c}))};
    }
    if (name.endsWith(".geojson") || name.endsWith(".json")) {
      const fc = JSON.parse(await file.text());
      const feats = (fc.features || []).slice(0, 5);
      const columns = [...new Set(feats.flatMap(f => Object.keys(f.properties || {})))];
      return {columns, rows: feats.map((f, i) => ({row: i + 1, cells: columns.map(c => (f.properties || {})[c])}))};
    }
    return null;
  }

  function rejectionsTable(rejections) {
    const body = el("tbody", {});
    for (const r of rejections) body.append(el("tr", {"data-row": r.row}, el("td", {}, r.row), el("td", {}, r.field), el("td", {}, r.reason)));
    return el("table", {class: "list", id: "import-rejections"},
      el("caption", {}, "Відхилені рядки / rejected rows"),
      el("thead", {}, el("tr", {}, el("th", {scope: "col"}, "Рядок / row"), el("th", {scope: "col"}, "Поле / field"),
        el("th", {scope: "col"}, "Причина / reason"))), body);
  }
  function previewTable(pv, rejected) {
    if (!pv) return el("p", {class: "muted"}, "Попередній перегляд є для CSV і GeoJSON / preview for CSV and GeoJSON only");
    const head = el("tr", {}, el("th", {scope: "col"}, "Рядок / row"), ...pv.columns.map(c => el("th", {scope: "col"}, c)));
    const body = el("tbody", {});
    for (const r of pv.rows) {
      body.append(el("tr", {class: rejected.has(r.row) ? "rejected" : "", "data-row": r.row}, el("td", {}, r.row),
        ...r.cells.map(c => el("td", {}, c == null ? "" : typeof c === "object" ? JSON.stringify(c) : c))));
    }
    return el("div", {class: "tablewrap"}, el("table", {class: "list", id: "import-preview"},
      el("caption", {}, "Перші рядки файлу / first rows of the file"), el("thead", {}, head), body));
  }
  function counts(report) {
    return el("dl", {class: "counts"},
      el("dt", {}, "Прочитано / read"), el("dd", {"data-count": "read"}, report.read),
      el("dt", {}, "Нових / new"), el("dd", {"data-count": "inserted"}, report.inserted),
      el("dt", {}, "Змінених / changed"), el("dd", {"data-count": "updated"}, report.updated),
      el("dt", {}, "Без змін / unchanged"), el("dd", {"data-count": "unchanged"}, report.unchanged),
      el("dt", {}, "Виправлено / repaired"), el("dd", {"data-count": "repaired"}, report.repair_count),
      el("dt", {}, "Відхилено рядків / rejected rows"), el("dd", {"data-count": "rejected"}, report.rejected_rows));
  }

  async function check() {
    const file = fileInput.files[0];
    runButton.disabled = true;
    checked = null;
    if (!file) { out.replaceChildren(el("p", {class: "field-error"}, "Оберіть файл / choose a file")); return; }
    out.dataset.state = "checking";
    out.replaceChildren(el("p", {}, "Перевіряю… / checking…"));
    let pv = null;
    try { pv = await preview(file); } catch (e) { pv = null; }
    try {
      const report = await api("/api/layers/" + layer() + "/import", {method: "POST", body: formData(true)});
      out.replaceChildren(el("h3", {}, "Перевірка: можна завантажувати / check passed (nothing changed yet)"),
        counts(report), previewTable(pv, new Set()),
        ...(report.notes || []).map(n => el("p", {class: "muted"}, n)));
      out.dataset.state = "checked";
      checked = {file, layer: layer()};
      runButton.disabled = false;
    } catch (err) {
      if (!/^422: /.test(err.message)) {  // the file as a whole is unusable: no rows to list
        out.replaceChildren(el("h3", {}, "Нічого не завантажено / nothing loaded"), el("p", {class: "field-error", role: "alert"}, WS.explain(err).text));
        out.dataset.state = "failed";
        return;
      }
      // 422: "<file>: nothing loaded, N of M rows rejected; first: row R field: reason"; the whole
      // report (every rejected row) is the newest entry of the layer's import log for this file
      const e = WS.explain(err);
      const m = e.message.match(/nothing loaded, (\d+) of (\d+) rows rejected(?:; first: row (\d+) ([^:]+): (.*))?$/s);
      let rejections = m && m[3] ? [{row: Number(m[3]), field: m[4], reason: m[5]}] : [];
      try {
        const log = await api("/api/layers/" + layer() + "/imports?hromada=" + code + "&limit=5");
        const mine = log.imports.find(i => i.source === file.name && i.status === "rejected");
        if (mine && mine.report.rejections && mine.report.rejections.length) rejections = mine.report.rejections;
      } catch (ignored) { /* the first fault from the message stays */ }
      out.replaceChildren(el("h3", {}, "Нічого не завантажено / nothing loaded"), el("p", {class: "field-error", role: "alert"}, e.text),
        m ? el("p", {}, "Відхилено рядків / rejected rows: " + m[1] + " з / of " + m[2]) : "",
        rejections.length ? rejectionsTable(rejections.slice(0, 200)) : "",
        rejections.length > 200 ? el("p", {class: "muted"}, "Показано перші 200 / the first 200 shown") : "",
        previewTable(pv, new Set(rejections.map(r => r.row))));
      out.dataset.state = "rejected";
    }
  }

  async function run() {
    if (!checked || checked.file !== fileInput.files[0] || checked.layer !== layer()) { await check(); return; }
    runButton.disabled = true;
    try {
      const report = await api("/api/layers/" + layer() + "/import", {method: "POST", body: formData(false)});
      out.replaceChildren(el("h3", {}, "Завантажено / imported"), counts(report), el("p", {class: "muted"}, report.summary));
      out.dataset.state = "imported";
      say("Файл завантажено / file imported: " + report.summary);
      checked = null;
      await WS.reloadLayer();
    } catch (err) {
      out.replaceChildren(el("h3", {}, "Нічого не завантажено / nothing loaded"), el("p", {class: "field-error", role: "alert"}, WS.explain(err).text));
      out.dataset.state = "rejected";
    }
  }

  form.addEventListener("submit", e => { e.preventDefault(); check().catch(err => say(err.message)); });
  runButton.addEventListener("click", () => run().catch(err => say(err.message)));
  fileInput.addEventListener("change", () => { runButton.disabled = true; checked = null; });
})();

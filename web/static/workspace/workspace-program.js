// The program tab: passport (view, edit), priority areas with tasks and projects and their funding per
// year, indicators with baseline, targets and entered actual values (a form adds one), an executor's
// quarterly project report, and the amendments (versions) of the program.
(function () {
  "use strict";
  const WS = window.gisplanWorkspace;
  if (!WS) return;
  const {api, el, say, fmt, canWrite} = WS;
  const box = document.getElementById("program-body");
  const json = {"Content-Type": "application/json"};
  // gisplan/program/schemas.py PASSPORT_FIELDS
  const PASSPORT = [
    ["community", "Найменування територіальної громади (регіон)", "Community (region)"],
    ["development_decree", "Розпорядчий документ про розроблення проєкту Програми", "Decree on drafting the program"],
    ["ministry_agreement", "Дата погодження з Генеральним державним замовником", "Agreed with the Ministry (date)"],
    ["approval", "Рішення про затвердження програми (дата, номер)", "Approval decision"],
    ["goal", "Мета програми", "Goal"],
    ["developer", "Розробник програми", "Developer"],
    ["head", "Керівник програми", "Program head"],
    ["executors", "Відповідальні за виконання заходів", "Responsible executors"],
    ["info_center", "Інформаційно-аналітичний центр", "Information-analytical centre"],
    ["term", "Строк виконання програми", "Term"],
    ["funding_sources", "Джерела фінансування", "Funding sources"],
    ["tasks_current_year", "Кількість завдань у поточному році", "Tasks in the current year"],
    ["tasks_next_year", "Кількість завдань на наступний рік", "Tasks next year"],
    ["tasks_three_years", "Кількість завдань на три наступні роки", "Tasks over three years"],
    ["signatory", "Підписант", "Signed by"],
  ];
  const INTS = new Set(["tasks_current_year", "tasks_next_year", "tasks_three_years"]);
  let program = null, years = [];
  // every change repeats the edit version read with the program (If-Match); a program changed
  // meanwhile by someone else answers 409: the latest is shown again and the planner repeats the change
  let editTag = null;
  function takeTag(path) {  // the edit version the answer to ``path`` carried, if it is this program's
    const t = WS.etagOf(path);
    if (t && program && t.startsWith('"program-' + program.id + '-')) editTag = t;
  }
  async function programApi(path, opts) {
    opts = Object.assign({}, opts);
    if (editTag) opts.headers = Object.assign({}, opts.headers || {}, {"If-Match": editTag});
    try {
      const body = await api(path, opts);
      takeTag(path);
      return body;
    } catch (e) {
      if (/^409\b/.test(e.message)) {
        say("Програму тим часом змінив інший користувач: показано чинну версію, повторіть зміну. " +
            "/ The program was changed meanwhile by someone else: the current version is shown, repeat your change.");
        document.getElementById("program-body").dataset.conflict = "true";
        document.getElementById("program-body").dataset.ready = "false";
        await load();
      }
      throw e;
    }
  }

  function field(id, labelUk, labelEn, input) {
    input.id = id;
    return el("p", {class: "field"}, el("label", {for: id}, labelUk, el("span", {class: "en"}, " / " + labelEn)), input);
  }
  function errorLine(id) { return el("p", {id, class: "field-error", role: "alert"}); }

  // ------------------------------------------------------------------ passport
  function passportView(doc) {
    const p = doc.passport || {};
    const dl = el("dl", {class: "passport"});
    for (const [k, uk, en] of PASSPORT) {
      if (p[k] == null || p[k] === "") continue;
      dl.append(el("dt", {}, uk, el("span", {class: "en"}, " / " + en)), el("dd", {"data-field": k}, p[k]));
    }
    const wrap = el("div", {id: "passport"}, el("h3", {}, "Паспорт програми / Program passport"),
      dl.children.length ? dl : el("p", {class: "muted"}, "Паспорт не заповнено / no passport yet"));
    if (canWrite) {
      const form = el("form", {id: "passport-form"});
      for (const [k, uk, en] of PASSPORT) {
        const input = INTS.has(k) ? el("input", {type: "number", min: "0", name: k}) : el("textarea", {name: k, rows: "1"});
        input.value = p[k] == null ? "" : p[k];
        form.append(field("pp-" + k, uk, en, input));
      }
      form.append(errorLine("pp-error"), el("button", {type: "submit"}, "Зберегти паспорт / save passport"));
      form.addEventListener("submit", async e => {
        e.preventDefault();
        const passport = {source_refs: p.source_refs || {}};
        for (const [k] of PASSPORT) {
          const v = form.elements[k].value.trim();
          passport[k] = v === "" ? null : INTS.has(k) ? Number(v) : v;
        }
        try {
          await programApi("/api/programs/" + program.id, {method: "PATCH", headers: json, body: JSON.stringify({passport})});
          say("Паспорт збережено / passport saved");
          await load();
        } catch (err) { form.querySelector("#pp-error").textContent = WS.explain(err).text; }
      });
      wrap.append(el("details", {}, el("summary", {}, "Змінити паспорт / edit the passport"), form));
    }
    return wrap;
  }

  // ------------------------------------------------------------------ indicators, targets, actuals
  function latestActual(actuals, year) {
    const of = actuals.filter(a => a.year === year);
    const annual = of.find(a => a.quarter === 0);
    if (annual) return annual;
    return of.sort((a, b) => b.quarter - a.quarter || String(b.entered_at).localeCompare(String(a.entered_at)))[0] || null;
  }
  async function indicatorsView(doc) {
    const actuals = await Promise.all(doc.indicators.map(i => api("/api/programs/" + program.id + "/indicators/" + i.id + "/actuals")));
    const head = el("tr", {}, el("th", {scope: "col"}, "№"), el("th", {scope: "col"}, "Показник / indicator"),
      el("th", {scope: "col"}, "Базове / baseline"),
      ...years.map(y => el("th", {scope: "col"}, y + ": ціль / факт")));
    const body = el("tbody", {});
    doc.indicators.forEach((ind, i) => {
      const cells = years.map(y => {
        const a = latestActual(actuals[i], y);
        const target = ind.targets ? ind.targets[y] ?? ind.targets[String(y)] : null;
        return el("td", {"data-year": y}, el("span", {class: "target"}, fmt(target)), " / ",
          el("span", {class: "actual", "data-quarter": a ? a.quarter : ""}, a ? fmt(a.value) : "—"),
          a && a.quarter ? el("span", {class: "muted"}, " (" + a.quarter + " кв.)") : "");
      });
      body.append(el("tr", {"data-indicator": ind.id}, el("td", {}, ind.ref || ""),
        el("td", {}, ind.name, ind.unit ? el("span", {class: "en"}, " (" + ind.unit + ")") : ""),
        el("td", {}, fmt(ind.baseline)), ...cells));
    });
    const wrap = el("div", {id: "program-indicators-box"}, el("h3", {}, "Показники, цілі й факт / Indicators, targets and actual values"),
      el("div", {class: "tablewrap"}, el("table", {class: "list", id: "program-indicators"},
        el("caption", {class: "sr"}, "Показники програми / program indicators"), el("thead", {}, head), body)));
    if (canWrite && doc.indicators.length) {
      const select = el("select", {name: "indicator"});
      for (const ind of doc.indicators) select.append(el("option", {value: ind.id}, (ind.ref || "") + ". " + ind.name));
      const year = el("select", {name: "year"});
      const now = new Date().getFullYear();
      for (const y of years) { const o = el("option", {value: y}, y); if (y === now) o.selected = true; year.append(o); }
      const quarter = el("select", {name: "quarter"}, el("option", {value: "0"}, "рік / whole year"),
        ...[1, 2, 3, 4].map(q => el("option", {value: q}, q + " квартал / quarter " + q)));
      const form = el("form", {id: "actual-form", class: "inline"},
        field("af-indicator", "Показник", "indicator", select), field("af-year", "Рік", "year", year),
        field("af-quarter", "Період", "period", quarter),
        field("af-value", "Фактичне значення", "actual value", el("input", {name: "value", type: "text", required: "required", inputmode: "decimal"})),
        field("af-note", "Примітка", "note", el("input", {name: "note", type: "text"})),
        errorLine("af-error"), el("p", {}, el("button", {type: "submit"}, "Внести факт / enter the actual value")));
      form.addEventListener("submit", async e => {
        e.preventDefault();
        const raw = form.elements.value.value.trim().replace(",", ".");
        const body = {year: Number(year.value), quarter: Number(quarter.value),
          value: /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw, note: form.elements.note.value.trim() || null};
        try {
          const saved = await programApi("/api/programs/" + program.id + "/indicators/" + select.value + "/actuals",
            {method: "POST", headers: json, body: JSON.stringify(body)});
          say("Факт внесено / actual value entered: " + fmt(saved.value));
          const keep = select.value;
          await load();
          const again = document.querySelector("#actual-form select[name=indicator]");
          if (again) again.value = keep;
        } catch (err) { form.querySelector("#af-error").textContent = WS.explain(err).text; }
      });
      wrap.append(el("h4", {}, "Внести фактичне значення / enter an actual value"), form, targetForm(doc));
    }
    return wrap;
  }

  // a target of one year; the other years' targets are sent back unchanged (PUT replaces them all)
  function targetForm(doc) {
    const select = el("select", {name: "indicator"}, ...doc.indicators.map(ind => el("option", {value: ind.id}, (ind.ref || "") + ". " + ind.name)));
    const year = el("select", {name: "year"}, ...years.map(y => el("option", {value: y}, y)));
    const form = el("form", {id: "target-form", class: "inline"},
      field("tf-indicator", "Показник", "indicator", select), field("tf-year", "Рік", "year", year),
      field("tf-value", "Ціль", "target", el("input", {name: "value", type: "text", inputmode: "decimal"})),
      errorLine("tf-error"), el("p", {}, el("button", {type: "submit"}, "Змінити ціль / set the target")));
    form.addEventListener("submit", async e => {
      e.preventDefault();
      const ind = doc.indicators.find(i => String(i.id) === select.value);
      const raw = form.elements.value.value.trim().replace(",", ".");
      const targets = Object.assign({}, ind.targets || {});
      targets[year.value] = raw === "" ? null : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
      try {
        await programApi("/api/programs/" + program.id + "/indicators/" + ind.id + "/targets", {method: "PUT", headers: json, body: JSON.stringify(targets)});
        say("Ціль змінено / target set");
        await load();
      } catch (err) { form.querySelector("#tf-error").textContent = WS.explain(err).text; }
    });
    return el("details", {}, el("summary", {id: "target-form-toggle"}, "Змінити ціль показника / change a target"), form);
  }

  // ------------------------------------------------------------------ priorities, tasks, projects, funding
  function fundingCell(project, year) {
    const lines = (project.funding || []).map(f => [f.source, f.amounts ? f.amounts[year] ?? f.amounts[String(year)] : null])
      .filter(([, a]) => a != null);
    return el("td", {"data-year": year}, ...lines.flatMap(([s, a], i) => [i ? el("br", {}) : "", fmt(a), s ? el("span", {class: "muted"}, " (" + s + ")") : ""]));
  }
  function prioritiesView(doc) {
    const wrap = el("div", {id: "priorities"}, el("h3", {}, "Пріоритети, завдання, проєкти та фінансування (тис. грн) / Priorities, tasks, projects and funding (thousand UAH)"));
    for (const p of doc.priorities) {
      const head = el("tr", {}, el("th", {scope: "col"}, "Проєкт / project"), el("th", {scope: "col"}, "Виконавці / executors"),
        el("th", {scope: "col"}, "Строк / term"), ...years.map(y => el("th", {scope: "col"}, String(y))));
      const body = el("tbody", {});
      for (const pr of p.projects) {
        body.append(el("tr", {"data-project": pr.id}, el("td", {}, (pr.ref ? pr.ref + ". " : "") + pr.name),
          el("td", {}, pr.executors || ""), el("td", {}, pr.term || ""), ...years.map(y => fundingCell(pr, y))));
      }
      wrap.append(el("section", {class: "priority", "aria-label": p.name}, el("h4", {}, (p.code ? p.code + ". " : "") + p.name),
        p.tasks.length ? el("ul", {class: "tasks"}, ...p.tasks.map(t => el("li", {"data-task": t.id}, "Завдання / task: " + t.name))) : "",
        p.projects.length ? el("div", {class: "tablewrap"}, el("table", {class: "list"}, el("caption", {class: "sr"}, p.name),
          el("thead", {}, head), body)) : el("p", {class: "muted"}, "Проєктів немає / no projects")));
    }
    if (canWrite && doc.priorities.length) wrap.append(projectForm(doc), taskForm(doc));
    return wrap;
  }
  function taskForm(doc) {
    const priority = el("select", {name: "priority"}, ...doc.priorities.map(p => el("option", {value: p.code}, (p.code ? p.code + ". " : "") + p.name)));
    const form = el("form", {id: "task-form", class: "inline"},
      field("tk-priority", "Пріоритет", "priority area", priority),
      field("tk-name", "Завдання", "task", el("input", {type: "text", name: "name", required: "required"})),
      errorLine("tk-error"), el("p", {}, el("button", {type: "submit"}, "Додати завдання / add the task")));
    form.addEventListener("submit", async e => {
      e.preventDefault();
      try {
        await programApi("/api/programs/" + program.id + "/tasks", {method: "POST", headers: json,
          body: JSON.stringify({priority: priority.value, name: form.elements.name.value.trim()})});
        say("Завдання додано / task added");
        await load();
      } catch (err) { form.querySelector("#tk-error").textContent = WS.explain(err).text; }
    });
    return el("details", {}, el("summary", {id: "task-form-toggle"}, "Додати завдання / add a task"), form);
  }
  function projectForm(doc) {
    const priority = el("select", {name: "priority"}, ...doc.priorities.map(p => el("option", {value: p.code}, (p.code ? p.code + ". " : "") + p.name)));
    const amounts = years.map(y => field("pj-amount-" + y, String(y), "thousand UAH", el("input", {type: "text", name: "amount-" + y, inputmode: "decimal"})));
    const form = el("form", {id: "project-form"},
      field("pj-priority", "Пріоритет", "priority area", priority),
      field("pj-name", "Назва проєкту (заходу)", "project name", el("input", {type: "text", name: "name", required: "required"})),
      field("pj-executors", "Виконавці", "executors", el("input", {type: "text", name: "executors"})),
      field("pj-term", "Строк виконання", "term", el("input", {type: "text", name: "term"})),
      field("pj-source", "Джерело фінансування", "funding source", el("input", {type: "text", name: "source", value: "Місцевий бюджет"})),
      el("fieldset", {class: "inline"}, el("legend", {}, "Обсяг за роками, тис. грн (або «В межах кошторисних призначень») / amount per year"), ...amounts),
      errorLine("pj-error"), el("p", {}, el("button", {type: "submit"}, "Додати проєкт / add the project")));
    form.addEventListener("submit", async e => {
      e.preventDefault();
      const amountsByYear = {};
      for (const y of years) {
        const v = form.elements["amount-" + y].value.trim().replace(",", ".");
        if (v) amountsByYear[y] = /^\d+(\.\d+)?$/.test(v) ? Number(v) : v;
      }
      const body = {priority: priority.value, name: form.elements.name.value.trim(),
        executors: form.elements.executors.value.trim() || null, term: form.elements.term.value.trim() || null,
        funding: Object.keys(amountsByYear).length ? [{source: form.elements.source.value.trim() || null, amounts: amountsByYear}] : []};
      try {
        const created = await programApi("/api/programs/" + program.id + "/projects", {method: "POST", headers: json, body: JSON.stringify(body)});
        say("Проєкт додано / project added: " + created.name);
        await load();
      } catch (err) { form.querySelector("#pj-error").textContent = WS.explain(err).text; }
    });
    return el("details", {}, el("summary", {id: "project-form-toggle"}, "Додати проєкт / add a project"), form);
  }

  // ------------------------------------------------------------------ quarterly report of a project
  function reportsView(doc) {
    const projects = doc.priorities.flatMap(p => p.projects);
    const wrap = el("div", {id: "project-reports-box"}, el("h3", {}, "Квартальна інформація виконавця / executor's quarterly report"));
    if (!projects.length) return wrap;
    const select = el("select", {name: "project"}, ...projects.map(pr => el("option", {value: pr.id}, (pr.ref ? pr.ref + ". " : "") + pr.name)));
    const list = el("div", {id: "project-reports", "aria-live": "polite"});
    async function showReports() {
      const reports = await api("/api/programs/" + program.id + "/projects/" + select.value + "/reports");
      const body = el("tbody", {});
      for (const r of reports) body.append(el("tr", {"data-report": r.id}, el("td", {}, r.year + ", " + r.quarter + " кв."),
        el("td", {}, fmt(r.progress_pct)), el("td", {}, fmt(r.spent)), el("td", {}, r.narrative || "")));
      if (!reports.length) body.append(el("tr", {}, el("td", {colspan: "4"}, "Звітів ще немає / no reports yet")));
      list.replaceChildren(el("table", {class: "list"}, el("caption", {class: "sr"}, "Звіти проєкту / project reports"),
        el("thead", {}, el("tr", {}, el("th", {scope: "col"}, "Період"), el("th", {scope: "col"}, "Виконано, %"),
          el("th", {scope: "col"}, "Використано, тис. грн"), el("th", {scope: "col"}, "Що зроблено / narrative"))), body));
    }
    select.addEventListener("change", () => showReports().catch(e => say(e.message)));
    wrap.append(field("pr-project", "Проєкт", "project", select));
    if (canWrite) {
      const now = new Date();
      const form = el("form", {id: "project-report-form", class: "inline"},
        field("pr-year", "Рік", "year", el("input", {type: "number", name: "year", min: "1990", max: "2100", value: String(now.getFullYear()), required: "required"})),
        field("pr-quarter", "Квартал", "quarter", el("select", {name: "quarter"}, ...[1, 2, 3, 4].map(q => el("option", {value: q}, String(q))))),
        field("pr-progress", "Виконано, %", "progress, %", el("input", {type: "number", name: "progress_pct", min: "0", max: "100", step: "any"})),
        field("pr-spent", "Використано, тис. грн", "spent, thousand UAH", el("input", {type: "number", name: "spent", min: "0", step: "any"})),
        field("pr-narrative", "Що зроблено", "what was done", el("textarea", {name: "narrative", rows: "2"})),
        errorLine("pr-error"), el("p", {}, el("button", {type: "submit"}, "Подати звіт / submit the report")));
      form.addEventListener("submit", async e => {
        e.preventDefault();
        const num = n => form.elements[n].value.trim() === "" ? null : Number(form.elements[n].value);
        const body = {year: num("year"), quarter: num("quarter"), progress_pct: num("progress_pct"), spent: num("spent"),
          narrative: form.elements.narrative.value.trim() || null};
        try {
          await programApi("/api/programs/" + program.id + "/projects/" + select.value + "/reports", {method: "POST", headers: json, body: JSON.stringify(body)});
          say("Звіт подано / report submitted");
          form.querySelector("#pr-error").textContent = "";
          await showReports();
        } catch (err) { form.querySelector("#pr-error").textContent = WS.explain(err).text; }
      });
      wrap.append(form);
    }
    wrap.append(list);
    showReports().catch(e => say(e.message));
    return wrap;
  }

  // ------------------------------------------------------------------ amendments
  async function versionsView() {
    const versions = await api("/api/programs/" + program.id + "/versions");
    const rows = (versions.data || versions).map(v => el("tr", {"data-version": v.number}, el("td", {}, v.number),
      el("td", {}, v.decision_number || (v.number === 1 ? "затверджено / as approved" : "")), el("td", {}, v.decision_date || ""),
      el("td", {}, v.note || ""), el("td", {}, v.in_force ? "чинна / in force" : "")));
    return el("div", {id: "amendments"}, el("h3", {}, "Зміни до програми / amendments"),
      el("table", {class: "list", id: "versions-table"}, el("caption", {class: "sr"}, "Версії програми / program versions"),
        el("thead", {}, el("tr", {}, el("th", {scope: "col"}, "Версія"), el("th", {scope: "col"}, "Рішення / decision"),
          el("th", {scope: "col"}, "Дата / date"), el("th", {scope: "col"}, "Примітка / note"), el("th", {scope: "col"}, "Стан / state"))),
        el("tbody", {}, ...rows)), canWrite ? amendForm() : "");
  }
  // an amendment by a council decision: the program's workbook (annex layout) as changed by the decision
  function amendForm() {
    const number = el("input", {type: "text", required: "required", name: "decision_number"});
    const date = el("input", {type: "date", required: "required", name: "decision_date"});
    const note = el("input", {type: "text", name: "note", maxlength: "1000"});
    const file = el("input", {type: "file", required: "required", name: "file", accept: ".xlsx"});
    const err = errorLine("am-error");
    const form = el("form", {id: "amend-form", class: "inline-form"},
      el("p", {class: "muted"}, "Завантажте робочу книгу програми, внесіть зміни за рішенням ради й подайте її тут: буде нова версія. ",
        el("a", {href: "/api/programs/" + program.id + "/export.xlsx"}, "Робоча книга XLSX / the workbook"),
        el("span", {class: "en"}, " Download the workbook, change it as the council decided and submit it: a new version.")),
      field("am-number", "Номер рішення", "decision number", number), field("am-date", "Дата рішення", "decision date", date),
      field("am-note", "Примітка", "note", note), field("am-file", "Робоча книга (XLSX)", "workbook", file),
      err, el("button", {type: "submit"}, "Внести зміни / Amend"));
    form.addEventListener("submit", async ev => {
      ev.preventDefault();
      err.textContent = "";
      const fd = new FormData(form);
      try {
        const done = await programApi("/api/programs/" + program.id + "/amendments/import", {method: "POST", body: fd});
        say("Нова версія програми / new program version: " + (done.version || ""));
        await load();
      } catch (e) { err.textContent = e.message; }
    });
    return form;
  }

  async function load() {
    if (!WS.program) { box.replaceChildren(el("p", {class: "muted"}, "Програму ще не завантажено / no program yet")); return; }
    const doc = await api("/api/programs/" + WS.program.id);
    program = doc;
    takeTag("/api/programs/" + WS.program.id);
    years = [];
    for (let y = doc.period_start; y <= doc.period_end; y++) years.push(y);
    const parts = [el("p", {}, doc.title + " (" + doc.period_start + "–" + doc.period_end + "), версія / version " + doc.version),
      passportView(doc), await indicatorsView(doc), prioritiesView(doc), reportsView(doc), await versionsView()];
    box.replaceChildren(...parts);
    box.dataset.ready = "true";
  }
  WS.loaders.push(load);
})();

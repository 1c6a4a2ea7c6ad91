// Publishing tab: the громада's profile as data custodian (contacts, logo: used by the ISO records and
// the QR plates) and each dataset's metadata form (title, abstract, lineage, keywords); an empty
// field falls back to the layer catalogue's text.
(function () {
  "use strict";
  const WS = window.gisplanWorkspace;
  if (!WS) return;
  const {api, el, say, code, canWrite} = WS;
  const json = {"Content-Type": "application/json"};
  const PROFILE = [
    ["organisation", "Організація (розпорядник даних)", "organisation (data custodian)", "text"],
    ["address", "Адреса", "address", "text"],
    ["email", "Електронна пошта", "e-mail", "email"],
    ["phone", "Телефон", "phone", "tel"],
    ["website", "Вебсайт", "website", "url"],
    ["logo_url", "Логотип (адреса зображення)", "logo (image URL)", "url"],
  ];
  const METADATA = [
    ["title", "Назва", "title"], ["abstract", "Анотація", "abstract"], ["lineage", "Походження даних", "lineage"],
    ["keywords", "Ключові слова (через кому)", "keywords (comma separated)"],
  ];

  function field(id, uk, en, input) {
    input.id = id;
    return el("p", {class: "field"}, el("label", {for: id}, uk, el("span", {class: "en"}, " / " + en)), input);
  }

  async function loadProfile() {
    const box = document.getElementById("profile-box");
    const p = await api("/api/hromady/" + code + "/profile");
    const logo = p.logo_url ? el("img", {src: p.logo_url, alt: "Логотип громади / logo", class: "logo"}) : "";
    if (!canWrite) {
      const dl = el("dl", {});
      for (const [k, uk, en] of PROFILE) if (p[k]) dl.append(el("dt", {}, uk + " / " + en), el("dd", {}, p[k]));
      box.replaceChildren(dl, logo);
      return;
    }
    const form = el("form", {id: "profile-form"});
    for (const [k, uk, en, type] of PROFILE) {
      const input = el("input", {type, name: k, autocomplete: "off"});
      input.value = p[k] || "";
      form.append(field("pf-" + k, uk, en, input));
    }
    form.append(el("p", {id: "pf-error", class: "field-error", role: "alert"}),
      el("p", {}, el("button", {type: "submit"}, "Зберегти профіль / save the profile"),
        p.updated_at ? el("span", {class: "muted"}, " змінено / changed " + p.updated_at.slice(0, 10) + " " + (p.updated_by || "")) : ""));
    form.addEventListener("submit", async e => {
      e.preventDefault();
      const body = {};
      for (const [k] of PROFILE) body[k] = form.elements[k].value.trim() || null;
      try {
        await api("/api/hromady/" + code + "/profile", {method: "PUT", headers: json, body: JSON.stringify(body)});
        say("Профіль збережено / profile saved");
        await loadProfile();
      } catch (err) { form.querySelector("#pf-error").textContent = WS.explain(err).text; }
    });
    box.replaceChildren(form, logo);
  }

  async function editMetadata(d) {
    const box = document.getElementById("metadata-editor");
    const md = await api("/api/layers/" + d.layer + "/metadata?hromada=" + code);
    const form = el("form", {id: "metadata-form", "data-layer": d.layer},
      el("h3", {}, "Метадані набору / dataset metadata: " + d.layer));
    for (const [k, uk, en] of METADATA) {
      const stored = md.stored[k], effective = md.effective[k];
      const input = k === "abstract" || k === "lineage" ? el("textarea", {name: k, rows: "3"}) : el("input", {type: "text", name: k});
      input.value = Array.isArray(stored) ? stored.join(", ") : stored || "";
      input.placeholder = Array.isArray(effective) ? effective.join(", ") : effective || "";
      if (!canWrite) input.readOnly = true;
      form.append(field("md-" + k, uk, en, input));
    }
    form.append(el("p", {class: "muted"}, "Порожнє поле — текст каталогу шарів (показано сірим). Контакти — з профілю громади. " +
      "/ An empty field uses the layer catalogue's text (shown greyed); contacts come from the profile."),
      md.record ? el("p", {}, el("a", {href: md.record, id: "metadata-record"}, "Запис ISO 19139 / ISO record")) :
        el("p", {class: "muted"}, "Запис ISO з’явиться після публікації / the ISO record appears once published"),
      el("p", {id: "md-error", class: "field-error", role: "alert"}));
    if (canWrite) {
      form.append(el("p", {}, el("button", {type: "submit"}, "Зберегти метадані / save metadata")));
      form.addEventListener("submit", async e => {
        e.preventDefault();
        const body = {};
        for (const [k] of METADATA) {
          const v = form.elements[k].value.trim();
          body[k] = v === "" ? null : k === "keywords" ? v.split(",").map(s => s.trim()).filter(Boolean) : v;
        }
        try {
          // repeat the version read (If-Match): fields changed meanwhile by someone else answer 409
          const path = "/api/layers/" + d.layer + "/metadata?hromada=" + code;
          const tag = WS.etagOf(path);
          await api(path, {method: "PUT", headers: Object.assign({}, json, tag ? {"If-Match": tag} : {}), body: JSON.stringify(body)});
          say("Метадані збережено / metadata saved: " + d.layer);
          form.dataset.saved = "true";
          form.querySelector("#md-error").textContent = "";
        } catch (err) { form.querySelector("#md-error").textContent = WS.explain(err).text; }
      });
    }
    box.replaceChildren(form);
    form.querySelector("input, textarea").focus();
  }

  WS.on("dataset", d => editMetadata(d).catch(e => say(e.message)));
  WS.loaders.push(loadProfile);
})();

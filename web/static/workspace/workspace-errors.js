// Server errors in Ukrainian first (the API answers in English): "422: name: Field required" becomes
// {status: 422, field: "name", text: "обов’язкове поле / Field required"}.
(function () {
  "use strict";
  const WS = window.gisplanWorkspace;
  const RULES = [
    [/^Field required/i, "обов’язкове поле"],
    [/a geometry is required/i, "потрібна геометрія: намалюйте об’єкт на карті"],
    [/not a GeoJSON geometry/i, "це не геометрія GeoJSON"],
    [/the geometry is empty/i, "геометрія порожня"],
    [/expected (\w+), got (\w+)/i, "неправильний тип геометрії: потрібен $1, отримано $2"],
    [/not longitude\/latitude/i, "координати не є довготою/широтою (EPSG:4326)"],
    [/invalid geometry: Self-intersection/i, "недійсна геометрія: контур перетинає сам себе"],
    [/invalid geometry/i, "недійсна геометрія"],
    [/lies in no loaded громада/i, "об’єкт лежить поза межами громади"],
    [/is not one of/i, "недопустиме значення"],
    [/valid number|valid integer|parse string as a number/i, "має бути числом"],
    [/greater than or equal to (\S+)/i, "має бути не менше $1"],
    [/less than or equal to (\S+)/i, "має бути не більше $1"],
    [/valid date/i, "має бути датою (РРРР-ММ-ДД)"],
    [/valid URL|URL scheme/i, "має бути адресою (https://…)"],
    [/no longer current|version/i, "об’єкт тим часом змінили: оновіть і спробуйте знову"],
    [/may not|no access|viewer/i, "немає права змінювати"],
    [/nothing loaded/i, "нічого не завантажено"],
    [/unknown format/i, "невідомий формат файлу"],
    [/larger than/i, "файл завеликий"],
  ];
  function ukrainian(message) {
    for (const [re, uk] of RULES) {
      const m = message.match(re);
      if (m) return uk.replace(/\$(\d)/g, (_, i) => m[Number(i)] || "");
    }
    return "помилка";
  }
  // "STATUS: field: message" (FeatureError) or "STATUS: message"
  WS.explain = function (error) {
    const raw = String(error && error.message || error);
    const m = raw.match(/^(\d{3}): (.*)$/s);
    const status = m ? Number(m[1]) : null;
    let rest = m ? m[2] : raw, field = null;
    const f = rest.match(/^([a-z_][a-z0-9_.]*): (.*)$/s);
    if (f && status === 422) { field = f[1].replace(/^properties\./, ""); rest = f[2]; }
    return {status, field, message: rest, text: ukrainian(rest) + " / " + rest};
  };
})();

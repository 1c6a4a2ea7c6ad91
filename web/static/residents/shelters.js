/* The shelter page: nearest shelters from the browser's location or a tapped point, by geodesic
   distance on the WGS 84 ellipsoid (GeographicLib, the same measure as PostGIS geography), with
   direction; the top ones highlighted. Works with location refused, and offline after one visit. */
(function () {
  "use strict";
  var G = window.GISPLAN, t = G.t;
  var cfg = G.data("page-config");
  var shelters = G.data("shelters-data") || [];
  var geod = window.geodesic.Geodesic.WGS84;
  var lang = document.documentElement.lang;
  var numberFmt = new Intl.NumberFormat(lang === "en" ? "en-GB" : "uk-UA", { maximumFractionDigits: 1 });
  var statusEl = document.getElementById("status");
  var listEl = document.getElementById("nearest");
  var headingEl = document.getElementById("nearest-heading");
  var map = null, markers = {}, userMarker = null, origin = null;
  var DIRS = ["n", "ne", "e", "se", "s", "sw", "w", "nw"];

  function say(text) { statusEl.textContent = text; }

  function direction(azimuth) {
    var i = Math.round((((azimuth % 360) + 360) % 360) / 45) % 8;
    return t["direction_" + DIRS[i]];
  }

  function distanceText(m) {
    if (m < 1000) return (Math.round(m / 10) * 10) + " " + t.metres;
    return numberFmt.format(Math.round(m / 100) / 10) + " " + t.kilometres;
  }

  function nearest(lat, lon) {
    return shelters.map(function (s) {
      var r = geod.Inverse(lat, lon, s.lat, s.lon);
      return { s: s, metres: r.s12, azimuth: r.azi1 };
    }).sort(function (a, b) { return a.metres - b.metres; });
  }

  function show(lat, lon, fromUser) {
    origin = [lat, lon];
    var ranked = nearest(lat, lon).slice(0, cfg.list_count);
    headingEl.textContent = t.nearest_heading + " " + (fromUser ? t.nearest_from_you : t.nearest_from_point);
    listEl.textContent = "";
    ranked.forEach(function (r, i) {
      var li = document.createElement("li");
      li.dataset.id = r.s.id;
      li.dataset.metres = String(Math.round(r.metres));
      if (i < cfg.nearest_count) li.className = "top";
      var a = document.createElement("a");
      a.href = "#s-" + r.s.id;
      a.textContent = r.s.name;
      var d = document.createElement("span");
      d.className = "distance";
      d.textContent = distanceText(r.metres) + " " + t.straight_line + ", " + direction(r.azimuth);
      li.appendChild(a); li.appendChild(d);
      listEl.appendChild(li);
    });
    var select = document.getElementById("report-shelter");
    if (select && ranked.length) select.value = ranked[0].s.id;
    say("");
    if (map) highlight(ranked);
  }

  function highlight(ranked) {
    var L = window.L;
    Object.keys(markers).forEach(function (id) { markers[id].setStyle({ radius: 6, weight: 1 }); });
    ranked.slice(0, cfg.nearest_count).forEach(function (r) {
      markers[r.s.id].setStyle({ radius: 11, weight: 3 }).bringToFront();
    });
    if (userMarker) userMarker.remove();
    userMarker = L.circleMarker(origin, { radius: 7, color: "#fff", weight: 2, fillColor: "#b35c00",
      fillOpacity: 1, interactive: false }).addTo(map);
    var pts = ranked.slice(0, cfg.nearest_count).map(function (r) { return [r.s.lat, r.s.lon]; });
    pts.push(origin);
    map.fitBounds(pts, { padding: [30, 30], maxZoom: 16 });
  }

  document.getElementById("locate").addEventListener("click", function () {
    if (!navigator.geolocation) { say(t.location_unsupported); return; }
    say(t.locating);
    navigator.geolocation.getCurrentPosition(function (pos) {
      show(pos.coords.latitude, pos.coords.longitude, true);
    }, function () { say(t.location_refused); }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
  document.getElementById("centre").addEventListener("click", function () {
    if (map) { var c = map.getCenter(); show(c.lat, c.lng, false); }
    else if (shelters.length) { show(cfg.centre[0], cfg.centre[1], false); }
  });

  G.withLeaflet(function (L) {
    var el = document.getElementById("map");
    map = G.makeMap(L, el, cfg);
    /* the view first, then the markers (see tourism.js) */
    if (shelters.length) map.fitBounds(shelters.map(function (s) { return [s.lat, s.lon]; }), { padding: [20, 20] });
    else map.setView(cfg.centre, 11);
    shelters.forEach(function (s) {
      markers[s.id] = L.circleMarker([s.lat, s.lon], { radius: 6, weight: 1, color: "#1b5e20",
        fillColor: "#2e7d32", fillOpacity: 0.85 }).bindTooltip(s.name).addTo(map);
    });
    map.on("click", function (ev) { show(ev.latlng.lat, ev.latlng.lng, false); });
    if (origin) show(origin[0], origin[1], false);
    document.body.dataset.map = "ready";
  });

  G.registerOffline(cfg.offline_urls).then(function (saved) {
    if (saved) { document.getElementById("offline").textContent = t.offline_saved; document.body.dataset.offline = "saved"; }
  });
  if (!navigator.onLine) document.getElementById("offline").textContent = t.offline_now;
  document.body.dataset.ready = "1";
})();

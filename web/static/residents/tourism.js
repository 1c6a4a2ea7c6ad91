/* The tourist map: objects as markers linking to their pages, routes as lines.
   The view is set before any vector layer is added: Leaflet draws a path as soon as it is added to
   a loaded map, and a path added before the map had a view must not be drawn before its renderer. */
(function () {
  "use strict";
  var G = window.GISPLAN;
  var cfg = G.data("page-config"), data = G.data("tourism-data");
  G.withLeaflet(function (L) {
    var map = G.makeMap(L, document.getElementById("map"), cfg);
    var layers = [], bounds = L.latLngBounds([]);
    data.routes.forEach(function (r) {
      var layer = L.geoJSON(r.geometry, { style: { color: "#b34700", weight: 4 } }).bindTooltip(r.name);
      if (layer.getBounds().isValid()) bounds.extend(layer.getBounds());
      layers.push(layer);
    });
    data.objects.forEach(function (o) {
      var link = document.createElement("a");
      link.href = "/" + location.pathname.split("/")[1] + "/objects/" + o.id + location.search;
      link.textContent = o.name;
      layers.push(L.circleMarker([o.lat, o.lon], { radius: 7, color: "#8a5a00", fillColor: "#fbc02d",
        fillOpacity: 0.9, weight: 2 }).bindPopup(link));
      bounds.extend([o.lat, o.lon]);
    });
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
    else map.setView(cfg.centre, 11);
    layers.forEach(function (layer) { layer.addTo(map); });
    document.body.dataset.map = "ready";
  });
  document.body.dataset.ready = "1";
})();

/* An object's page: a small map around its point. */
(function () {
  "use strict";
  var G = window.GISPLAN;
  var cfg = G.data("page-config");
  G.withLeaflet(function (L) {
    var map = G.makeMap(L, document.getElementById("map"), cfg);
    map.setView(cfg.point, 14);  /* the view first, then the marker (see tourism.js) */
    L.circleMarker(cfg.point, { radius: 9, color: "#8a5a00", fillColor: "#fbc02d", fillOpacity: 0.9, weight: 2 }).addTo(map);
    document.body.dataset.map = "ready";
  });
  document.body.dataset.ready = "1";
})();

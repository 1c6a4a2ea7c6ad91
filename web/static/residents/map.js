/* Shared by the residents' pages: load Leaflet from gisplan's origin after the page is usable,
   register the service worker, and keep the page's texts (window.GISPLAN). Inlined in each page. */
(function () {
  "use strict";
  var G = window.GISPLAN = window.GISPLAN || {};
  G.data = function (id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  };
  G.t = G.data("messages") || {};
  var leafletWaiters = [];
  G.withLeaflet = function (fn) {
    if (window.L) { fn(window.L); return; }
    leafletWaiters.push(fn);
    if (leafletWaiters.length > 1) return;
    var css = document.createElement("link");
    css.rel = "stylesheet"; css.href = "/static/vendor/leaflet/leaflet.css";
    document.head.appendChild(css);
    var js = document.createElement("script");
    js.src = "/static/vendor/leaflet/leaflet.js"; js.async = true;
    js.onload = function () { leafletWaiters.splice(0).forEach(function (f) { f(window.L); }); };
    js.onerror = function () {
      document.querySelectorAll(".map-status").forEach(function (el) { el.textContent = G.t.map_unavailable; });
    };
    document.head.appendChild(js);
  };
  /* gisplan's own WMS as one image of the map's size, asked again when the view changes (like
     OpenLayers' ImageWMS): one request per view instead of 4-9 tiles, so one round trip on a slow
     connection and one Mapnik render at a time per resident. Stale answers are dropped. */
  G.wmsImage = function (L, url, params, attribution) {
    var Layer = L.Layer.extend({
      onAdd: function (map) {
        if (!map.getPane("wms")) { map.createPane("wms").style.zIndex = 250; }
        map.on("moveend", this._refresh, this);
        this._refresh();
      },
      onRemove: function (map) {
        map.off("moveend", this._refresh, this);
        [this._shown, this._latest].forEach(function (o) { if (o) map.removeLayer(o); });
        this._shown = this._latest = null;
      },
      getAttribution: function () { return attribution; },
      _refresh: function () {
        var map = this._map, size = map.getSize(), b = map.getBounds(), crs = map.options.crs;
        if (!size.x || !size.y) return;
        var sw = crs.project(b.getSouthWest()), ne = crs.project(b.getNorthEast());
        var query = L.extend({ service: "WMS", request: "GetMap", version: "1.3.0", crs: "EPSG:3857",
          styles: "", format: "image/png", transparent: "true", width: size.x, height: size.y,
          bbox: [sw.x, sw.y, ne.x, ne.y].join(",") }, params);
        var self = this, next = L.imageOverlay(url + L.Util.getParamString(query), b,
          { pane: "wms", interactive: false, className: "wms-image" });
        if (this._latest && this._latest !== this._shown) map.removeLayer(this._latest);
        this._latest = next;
        next.once("load", function () {
          if (self._latest !== next) { map.removeLayer(next); return; }
          if (self._shown) map.removeLayer(self._shown);
          self._shown = next;
          L.DomUtil.addClass(next.getElement(), "wms-image-loaded");
        });
        next.addTo(map);
      }
    });
    return new Layer();
  };
  /* a Leaflet map with gisplan's own WMS as background (the optional OSM layer when allowed) */
  G.makeMap = function (L, el, cfg) {
    var status = el.querySelector(".map-status");
    if (status) status.remove();
    var map = L.map(el, { zoomControl: true, attributionControl: true });
    if (cfg.osm) {
      L.tileLayer(cfg.osm.url, { attribution: cfg.osm.attribution, maxZoom: 19 }).addTo(map);
    }
    G.wmsImage(L, cfg.wms, { layers: "hromady,settlements" }, cfg.credit).addTo(map);
    return map;
  };
  G.registerOffline = function (urls) {
    if (!("serviceWorker" in navigator) || !window.caches) return Promise.resolve(false);
    return navigator.serviceWorker.register("/sw.js", { scope: "/" })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (reg) {
        var code = location.pathname.split("/")[1];
        (reg.active || navigator.serviceWorker.controller).postMessage({ keep: code, urls: urls });
        return new Promise(function (resolve) {
          navigator.serviceWorker.addEventListener("message", function onMsg(ev) {
            if (ev.data && ev.data.saved) {
              navigator.serviceWorker.removeEventListener("message", onMsg);
              resolve(true);
            }
          });
        });
      })
      .catch(function () { return false; });
  };
})();

/* gisplan service worker: keeps the shelter list and map of the last visited громада for offline
   use. Pages are fetched from the network first and from the cache when offline; the page asks
   (postMessage {keep, urls}) to store its own URL and assets, and older громади are dropped. */
"use strict";
var CACHE = "gisplan-residents-v1";
var CODE = /^\/(UA\d{17})\//;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (ev) { ev.waitUntil(self.clients.claim()); });

function codeOf(url) {
  var m = CODE.exec(new URL(url).pathname);
  return m ? m[1] : null;
}

self.addEventListener("message", function (ev) {
  var data = ev.data || {};
  if (!data.keep || !data.urls) return;
  ev.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.filter(function (r) {
        var c = codeOf(r.url);
        return c && c !== data.keep;
      }).map(function (r) { return cache.delete(r); }));
    }).then(function () { return cache.addAll(data.urls); });
  }).then(function () {
    if (ev.source) ev.source.postMessage({ saved: true });
  }).catch(function () {}));
});

self.addEventListener("fetch", function (ev) {
  var req = ev.request;
  if (req.method !== "GET" || new URL(req.url).origin !== self.location.origin) return;
  var url = new URL(req.url);
  var wms = /\/ows$/.test(url.pathname);
  var page = req.mode === "navigate";
  var asset = url.pathname.indexOf("/static/vendor/") === 0;
  if (!page && !wms && !asset) return;
  ev.respondWith(fetch(req).then(function (res) {
    if (res.ok && (wms || asset)) {
      var copy = res.clone();
      caches.open(CACHE).then(function (cache) { cache.put(req, copy); });
    }
    return res;
  }).catch(function () {
    return caches.match(req, { ignoreVary: true }).then(function (hit) {
      return hit || caches.match(req.url.split("?")[0], { ignoreSearch: false });
    }).then(function (hit) {
      return hit || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
    });
  }));
});

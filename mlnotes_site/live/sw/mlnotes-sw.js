// The live cells' service worker. The browser's Python (Pyodide's runtime, the standard
// library and the wheels, about 35 MB) is the same on every page and every visit, so each
// file of it is kept in this browser's Cache Storage the first time the live cells' worker
// fetches it, and later visits start Python without the network. Nothing else is cached
// and nothing is fetched that the page did not ask for.
//
// One cache per build: the build writes its version below (a hash of what it publishes
// for the live cells), so a new build is a new service worker, whose activation deletes
// the caches of older builds. Works from `make serve` and any static host (http or https);
// a page opened from file:// registers nothing.
"use strict";
const VERSION = "__MLNOTES_VERSION__";
const CACHE = "mlnotes-live-" + VERSION;
// the runtime and wheels, the worker and the Python that runs the cells (book and decks)
const KEPT = /\/_static\/(pyodide\/|mlnotes-live-worker\.js$|mlnotes_live\.py$)/;

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith("mlnotes-live-") && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin ||
      !KEPT.test(url.pathname)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const kept = await cache.match(request);
    if (kept) return kept;
    const response = await fetch(request);
    if (response.ok && response.type === "basic") await cache.put(request, response.clone());
    return response;
  })());
});

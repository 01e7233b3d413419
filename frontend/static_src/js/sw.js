// The JPS service worker, served from /sw.js so its scope is the whole site.
// Static assets: cache first. "Log a problem" and "My work": network first, the cached copy
// when there is no signal, so the form opens in a park with no coverage.
// The worker does not fetch the pages itself when it installs: it cannot tell whose browser it is in,
// and "Log a problem" is a 403 for the roles that cannot log. The page puts them in the cache
// (offline.js), only those the signed-in person may open.
const CACHE = "jps-field-v1";
const PAGES = ["/problems/new/", "/"];

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))).then(() => self.clients.claim()),
  );
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ignoreSearch: true });
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
  } else if (PAGES.includes(url.pathname) && request.mode === "navigate") {
    event.respondWith(networkFirst(request));
  }
});

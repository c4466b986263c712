// The courier page's service worker (served from /kurir/sw.js, which prepends VERSION, SHELL and ASSETS):
// the page and its files are cached so that it opens with no signal; the API is never cached.
const CACHE = `kurir-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([...ASSETS, SHELL])).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name.startsWith("kurir-") && name !== CACHE)
      .map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

async function page(request) {
  try {
    const response = await fetch(request);
    const url = new URL(response.url);
    if (response.ok && response.type === "basic" && url.pathname === SHELL && !url.search) {
      (await caches.open(CACHE)).put(SHELL, response.clone());  // the newest shell (and CSRF token)
    }
    return response;
  } catch (offline) {
    return (await caches.match(SHELL)) || Response.error();
  }
}

async function asset(request) {
  const cached = await caches.match(request, { ignoreSearch: true });
  return cached || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;  // scans, photos and logout go to the network as they are
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith(SHELL)) {
    event.respondWith(page(request));
  } else if (ASSETS.includes(url.pathname)) {
    event.respondWith(asset(request));
  }
});

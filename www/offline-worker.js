// The playground's service worker, written into dist/sw.js by
// scripts/offline.mjs with this build's files and version: the page, its
// scripts and WebAssembly are cached at install; data files (the MNIST
// subset) are cached the first time they are fetched. Cache first, then
// the network; a new build's worker drops the old caches.
const VERSION = '__VERSION__';
const FILES = __FILES__;
const CACHE = `ibp-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('ibp-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  // The page itself is matched without its query (?lesson=, ?embed=).
  const key = url.pathname.endsWith('/') ? new Request(url.pathname) : event.request;
  event.respondWith(caches.open(CACHE).then(async (cache) => {
    const hit = await cache.match(key, { ignoreSearch: true });
    if (hit) return hit;
    const response = await fetch(event.request);
    if (response.ok && url.pathname.includes('/data/')) cache.put(event.request, response.clone());
    return response;
  }));
});

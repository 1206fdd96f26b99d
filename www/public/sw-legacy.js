// Imported by the Workbox service worker (vite.config.js). The hand-written
// service worker that came before it kept this site in caches named "ibp-"
// and a 16-digit version; once the new worker is active those are dropped,
// only the ones holding this scope's files (another site on this origin
// keeps its own).
self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (!/^ibp-[0-9a-f]{16}$/.test(name)) continue;
      const cache = await caches.open(name);
      const requests = await cache.keys();
      if (requests.some((request) => request.url.startsWith(self.registration.scope))) await caches.delete(name);
    }
  })());
});

// Offline use: after the first visit a service worker (sw.js, written by
// the build with the list of the page's files and a version per build)
// serves the page, the WebAssembly and the data from this browser's cache.
// The page says so once the worker is in charge.

/** Registers ./sw.js (relative, so the page works from any sub-path). */
export async function registerOffline(note) {
  if (!('serviceWorker' in navigator) || import.meta.env?.DEV) return;
  try {
    await navigator.serviceWorker.register(new URL('sw.js', document.baseURI), { scope: './' });
    await navigator.serviceWorker.ready;
    note.textContent = 'Works offline: this page, its WebAssembly and the datasets you opened are kept in this browser.';
    note.hidden = false;
  } catch {
    // No service worker (a private window, a file:// page): online only.
  }
}

// Offline use, by Workbox (vite-plugin-pwa; see vite.config.js): after the
// first visit the service worker serves the page, its scripts and
// WebAssembly, and the datasets once opened, from this browser's cache.
// A redeploy is noticed at once: "a new version is available" with a Reload
// button, never an old build in silence.
import { registerSW } from 'virtual:pwa-register';

/**
 * Registers the service worker (./sw.js, relative: any sub-path works).
 * @param {HTMLElement} note where the page says it works offline
 * @param {HTMLElement} banner where a new version is announced
 */
export function registerOffline(note, banner) {
  if (!('serviceWorker' in navigator) || import.meta.env?.DEV) return;
  const update = registerSW({
    immediate: true,
    onNeedRefresh() {
      const reload = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Reload' });
      reload.dataset.testid = 'reload-new-version';
      reload.addEventListener('click', () => update(true));
      const text = Object.assign(document.createElement('p'), { textContent: 'A new version of the playground is available: reload to use it (your run is kept).' });
      banner.replaceChildren(text, reload);
      banner.hidden = false;
    },
    onRegisterError() {
      // No service worker (a private window, storage refused): online only.
    },
  });
  navigator.serviceWorker.ready.then(() => {
    note.textContent = 'Works offline: this page, its WebAssembly and the datasets you opened are kept in this browser.';
    note.hidden = false;
  }).catch(() => {});
}

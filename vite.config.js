// The page: plain ES modules in www/ during development, bundled into dist/
// for any static file host. The WebAssembly package comes from
// scripts/build-web.sh (www/pkg), the MNIST subset from `ibp data mnist`.
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { defines } from './scripts/build-facts.mjs';

/**
 * The stylesheet loaded without CORS (Vite marks it `crossorigin`): in an
 * iframe sandboxed without allow-same-origin (an opaque origin) a CORS
 * request is refused, and the page would be unstyled while boot.js explains
 * what the embed needs.
 */
const stylesWithoutCors = {
  name: 'styles-without-cors',
  transformIndexHtml: {
    order: 'post',
    handler: (html) => html.replace(/<link rel="stylesheet" crossorigin /g, '<link rel="stylesheet" '),
  },
};

/**
 * The offline copy, by Workbox (vite-plugin-pwa): the page, its scripts and
 * WebAssembly precached per deployment (Workbox names its caches after the
 * service worker's scope, so two sites under one origin keep theirs apart),
 * a new build offered at once (offline.js: "a new version is available"),
 * every address of the site (?lesson=, ?embed=) answered with the page, and
 * the data cached when first used under their content-named file, never a
 * web page a host answers instead of them.
 */
const offline = VitePWA({
  strategies: 'generateSW',
  filename: 'sw.js',
  registerType: 'prompt',
  // Registered from offline.js (bundled): the page's CSP allows no inline script.
  injectRegister: false,
  manifest: false,
  workbox: {
    globPatterns: ['**/*.{html,js,css,wasm,svg,png,ico}'],
    globIgnores: ['bench/**', 'data/**'],
    maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
    navigateFallback: 'index.html',
    navigateFallbackDenylist: [/\/bench\//],
    cleanupOutdatedCaches: true,
    importScripts: ['sw-legacy.js'],
    runtimeCaching: [
      {
        urlPattern: ({ url, sameOrigin }) => sameOrigin && /\/data\/[^/]+$/.test(url.pathname),
        handler: 'CacheFirst',
        options: {
          cacheName: 'ibp-data',
          expiration: { maxEntries: 8 },
          plugins: [{
            // A host's web page (an SPA fallback, a login redirect) is not data.
            cacheWillUpdate: async ({ response }) => (response && response.status === 200
              && !(response.headers.get('content-type') ?? '').includes('text/html') ? response : null),
          }],
        },
      },
      {
        urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.includes('/bench/'),
        handler: 'StaleWhileRevalidate',
        options: { cacheName: 'ibp-bench', expiration: { maxEntries: 64 } },
      },
    ],
  },
});

export default defineConfig({
  plugins: [stylesWithoutCors, offline],
  define: defines(),
  root: 'www',
  publicDir: 'public',
  base: './',
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});

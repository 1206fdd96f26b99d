// The benchmark page (www/bench.html) beside TensorFlow.js, built on its own
// into dist/bench/ so the playground's bundle never carries TensorFlow.js.
// scripts/build-web.sh builds it after the page; the page's MNIST subset is
// shared from dist/data/.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { defines } from './scripts/build-facts.mjs';

export default defineConfig({
  root: 'www',
  publicDir: false,
  define: defines(),
  base: './',
  build: {
    outDir: '../dist/bench',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    rollupOptions: { input: fileURLToPath(new URL('./www/bench.html', import.meta.url)) },
  },
});

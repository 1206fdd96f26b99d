// The page: plain ES modules in www/ during development, bundled into dist/
// for any static file host. The WebAssembly package comes from
// scripts/build-web.sh (www/pkg), the MNIST subset from `ibp data mnist`.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'www',
  publicDir: 'public',
  base: './',
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});

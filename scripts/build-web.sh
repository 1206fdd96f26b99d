#!/usr/bin/env bash
# Builds the page into dist/: the crate as WebAssembly (profile `web`), the JS
# glue from the pinned wasm-bindgen CLI, a size pass with wasm-opt (npm
# binaryen), the MNIST subset, then Vite's bundles: the page with its service
# worker, and the benchmark page in dist/bench/. Prints the sizes (of the page
# alone).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh web
echo "== building the WebAssembly"
cargo build --quiet --lib --profile web --target wasm32-unknown-unknown
rm -rf www/pkg
wasm-bindgen --target web --no-typescript --out-dir www/pkg target/wasm32-unknown-unknown/web/ib_playground.wasm
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue --enable-simd \
  www/pkg/ib_playground_bg.wasm -o www/pkg/ib_playground_bg.wasm
# The data under a name that carries their content's hash (scripts/build-facts.mjs):
# a deploy that changes them reaches visitors, and caches hold one copy per content.
mkdir -p www/public/data
rm -f www/public/data/mnist-subset*.bin.gz
mnist_hash=$(sha256sum www/data/mnist-subset.bin.gz | cut -c1-12)
cp -f www/data/mnist-subset.bin.gz "www/public/data/mnist-subset-$mnist_hash.bin.gz"
echo "== bundling the page (with its Workbox service worker, dist/sw.js)"
node_modules/.bin/vite build --logLevel warn
echo "== bundling the benchmark page (dist/bench/, with TensorFlow.js)"
node_modules/.bin/vite build --config vite.bench.config.js --logLevel warn
wasm=$(ls dist/assets/ib_playground_bg*.wasm)
printf 'wasm: %s bytes, %s gzipped; page (dist without data): %s bytes gzipped\n' \
  "$(stat -c %s "$wasm")" "$(gzip -9c "$wasm" | wc -c)" \
  "$(find dist -type f ! -path 'dist/data/*' ! -path 'dist/bench/*' -exec cat {} + | gzip -9c | wc -c)"

// Facts of a build that both Vite configurations pass to the page: this
// build's name (a hash of its WebAssembly: a run kept by another build is set
// aside) and the MNIST subset's file name, which carries a hash of its
// content (scripts/build-web.sh copies it so), so that a deploy that changes
// only the data reaches visitors and caches keep one copy per content.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

const root = new URL('../', import.meta.url);

/** This build's name, or 'dev' before the WebAssembly is built. */
export function buildId() {
  const wasm = new URL('www/pkg/ib_playground_bg.wasm', root);
  if (!existsSync(wasm)) return 'dev';
  return createHash('sha256').update(readFileSync(wasm)).digest('hex').slice(0, 16);
}

/** The MNIST subset's file name under data/ (with its content's hash). */
export function mnistFile() {
  const dir = new URL('www/public/data/', root);
  const named = existsSync(dir) ? readdirSync(dir).find((f) => /^mnist-subset-[0-9a-f]{12}\.bin\.gz$/.test(f)) : null;
  return named ?? 'mnist-subset.bin.gz';
}

/** What the page's code reads as constants. */
export const defines = () => ({
  __BUILD_ID__: JSON.stringify(buildId()),
  __MNIST_FILE__: JSON.stringify(mnistFile()),
});

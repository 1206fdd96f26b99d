// Writes dist/sw.js: the service worker of www/offline-worker.js with the
// list of the page's files (relative, so the site works from any
// sub-path) and a version that changes whenever a file does (SHA-256 of
// their contents). The benchmark page and the data are left out of the
// install; the worker caches data when they are first fetched.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

const root = new URL('../dist/', import.meta.url).pathname;
const template = await readFile(new URL('../www/offline-worker.js', import.meta.url), 'utf8');

async function walk(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(entries.map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)])));
  return files.flat();
}

const files = (await walk(root))
  .map((f) => relative(root, f))
  .filter((f) => !f.startsWith('bench/') && !f.startsWith('data/') && f !== 'sw.js')
  .sort();
const hash = createHash('sha256');
for (const f of files) hash.update(f).update(await readFile(join(root, f)));
const version = hash.digest('hex').slice(0, 16);
const list = ['./', ...files.map((f) => `./${f}`)];
await writeFile(join(root, 'sw.js'), template.replace('__VERSION__', version).replace('__FILES__', JSON.stringify(list)));
console.log(`service worker: ${list.length} files, version ${version}`);

// The side-by-side benchmark (issue 7), not a test: opens dist/bench/bench.html
// in headless Chromium (WebGPU on SwiftShader where there is no GPU) and
// prints this engine beside TensorFlow.js 4.22 and jax-js 0.1.25 on each
// case and device (A B C A B C in one run),
// then the time from page load to the first training step of each engine,
// each in a fresh browser.
// Run: make bench-web   (or node tests/e2e/bench.mjs after scripts/build-web.sh)
// Options: --rounds N (3), --block-ms MS (1500), --cases a,b,c,
//          --link LINK (this engine alone on any experiment, both devices),
//          --cold-cases b (which cases get a cold first-step measurement),
//          --quick (one step each: what the smoke test runs), --json FILE.
import { writeFile } from 'node:fs/promises';
import { launch, serve } from './harness.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const quick = args.includes('--quick');
const rounds = option('--rounds', '3');
const blockMs = option('--block-ms', '1500');
const cases = option('--cases', 'a,b,c');
const coldCases = option('--cold-cases', quick ? '' : 'b').split(',').filter(Boolean);
const jsonFile = option('--json', null);
const link = option('--link', null);
const ENGINES = ['ours-webgpu', 'tfjs-webgpu', 'jaxjs-webgpu', 'ours-wasm', 'tfjs-wasm', 'jaxjs-wasm'];
const TIMEOUT_MS = 40 * 60_000;

/** Opens the bench page with `search` in a fresh browser; resolves to window.benchResult. */
export async function benchPage(url, search) {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${url}bench/bench.html${search}`);
    await page.waitForFunction(() => window.benchResult !== undefined, null, { timeout: TIMEOUT_MS });
    const result = await page.evaluate(() => window.benchResult);
    return { ...result, console_errors: errors };
  } finally {
    await browser.close();
  }
}

const pad = (v, n) => String(v).padEnd(n);
const padl = (v, n) => String(v).padStart(n);

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await serve();
  try {
    let search = quick ? `?quick=1&cases=${cases}` : `?rounds=${rounds}&block_ms=${blockMs}&cases=${cases}`;
    if (link) search += `&link=${encodeURIComponent(link)}`;
    const main = await benchPage(server.url, search);
    if (main.error) throw new Error(main.error);
    console.log(`${main.userAgent}\n`);
    console.log(`${pad('case', 40)} ${pad('device', 6)} ${pad('engine', 34)} ${padl('steps/s', 10)} ${padl('/ TF.js', 8)} ${padl('/ jax-js', 8)}  rounds`);
    for (const r of main.results) {
      if (r.error) { console.log(`${pad(r.case, 40)} ${pad(r.device, 6)} failed: ${r.error}`); continue; }
      const ratio = (v) => (v ? `${v.toFixed(2)}x` : '');
      console.log(`${pad(`(${r.case}) ${r.model}`, 40)} ${pad(r.device, 6)} ${pad(r.label.slice(0, 34), 34)} ${padl(r.steps_per_s.toPrecision(4), 10)} ${padl(ratio(r.ratios?.tfjs), 8)} ${padl(ratio(r.ratios?.jaxjs), 8)}  ${r.rates.map((v) => v.toPrecision(3)).join(' ')}`);
    }
    const cold = [];
    for (const c of link ? [] : coldCases) {
      for (const engine of ENGINES) {
        const res = await benchPage(server.url, `?cold=${engine}&case=${c}`);
        cold.push(res.error ? { case: c, engine, error: res.error } : res.results[0]);
      }
    }
    if (cold.length) {
      console.log(`\nfirst training step after page load (fresh browser each)`);
      for (const r of cold) {
        console.log(`${pad(`(${r.case})`, 6)} ${pad(r.engine, 12)} ${r.error ? `failed: ${r.error}` : `${r.first_step_after_load_ms.toFixed(0)} ms${r.phases ? ` (WebAssembly ${r.phases.wasm_ms.toFixed(0)} ms, session ${r.phases.session_ms.toFixed(0)} ms, then the step)` : ''}`}`);
      }
    }
    if (main.console_errors.length) console.log(`\nconsole errors: ${main.console_errors.join(' | ')}`);
    if (jsonFile) await writeFile(jsonFile, JSON.stringify({ main, cold }, null, 1));
  } finally {
    await server.close();
  }
}

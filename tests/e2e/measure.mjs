// A benchmark, not a test: time from page load to the first training step
// and training steps per second in headless Chromium, on WebGPU and on the
// CPU path, for the circle toy and a digits model. Prints a table and JSON.
// Run: node tests/e2e/measure.mjs   (after scripts/build-web.sh)
import { launch, openPage, serve } from './harness.mjs';

const CASES = [
  { name: 'circle 2-16-16 (K=2), batch 64', link: 'v=1&data=circle&hidden=16,16&k=2&report=100&plane=0' },
  { name: 'digits 64-128-64 (K=16), batch 64', link: 'v=1&data=digits&hidden=128,64&k=16&act=relu&report=100&plane=0' },
];
const WATCH_MS = Number(process.env.WATCH_MS ?? 10_000);

const server = await serve();
const browser = await launch();
const rows = [];
for (const c of CASES) {
  for (const backend of ['gpu', 'cpu']) {
    const query = backend === 'cpu' ? '?backend=cpu' : '';
    const began = Date.now();
    const { page } = await openPage(browser, `${server.url}${query}#${c.link}`);
    await page.waitForFunction(() => !document.querySelector('[data-testid=backend]').textContent.includes('starting'), null, { timeout: 120_000 });
    const label = await page.getByTestId('backend').textContent();
    await page.getByTestId('play').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=step-count]').textContent) >= 1, null, { timeout: 120_000 });
    const firstStepMs = Date.now() - began;
    const steps0 = Number(await page.getByTestId('step-count').textContent());
    const t0 = Date.now();
    await page.waitForTimeout(WATCH_MS);
    const steps1 = Number(await page.getByTestId('step-count').textContent());
    const stepsPerSecond = (steps1 - steps0) / ((Date.now() - t0) / 1000);
    rows.push({ case: c.name, backend: label.split(' — ')[0], first_step_ms: firstStepMs, steps_per_s: Number(stepsPerSecond.toFixed(1)) });
    await page.close();
  }
}
await browser.close();
await server.close();
console.log(`${'case'.padEnd(36)} ${'backend'.padEnd(18)} ${'first step (ms)'.padStart(16)} ${'steps/s'.padStart(9)}`);
for (const r of rows) {
  console.log(`${r.case.padEnd(36)} ${r.backend.padEnd(18)} ${String(r.first_step_ms).padStart(16)} ${String(r.steps_per_s).padStart(9)}`);
}
console.log(JSON.stringify(rows));

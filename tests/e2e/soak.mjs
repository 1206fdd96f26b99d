// A benchmark, not a test: the page training for SOAK_MINUTES (default 10)
// on the given backend (SOAK_BACKEND=cpu|gpu, default cpu), printing the
// worker-independent JS heap of the page and the step count each minute.
// Run: node tests/e2e/soak.mjs   (after scripts/build-web.sh)
import { launch, openPage, ready, serve } from './harness.mjs';

const minutes = Number(process.env.SOAK_MINUTES ?? 10);
const backend = process.env.SOAK_BACKEND === 'gpu' ? '' : '?backend=cpu';
const server = await serve();
const browser = await launch();
const { page, errors } = await openPage(browser, `${server.url}${backend}#v=1&data=circle&hidden=16,16&k=2&report=100&plane=1`);
await ready(page);
await page.getByTestId('play').click();
console.log('minute  steps  js_heap_mib  reports_kept');
for (let m = 0; m <= minutes; m += 1) {
  if (m > 0) await page.waitForTimeout(60_000);
  const sample = await page.evaluate(() => ({
    steps: Number(document.querySelector('[data-testid=step-count]').textContent),
    heap: performance.memory ? performance.memory.usedJSHeapSize / 2 ** 20 : NaN,
    reports: window.playground.reports().length,
  }));
  console.log(`${String(m).padStart(6)} ${String(sample.steps).padStart(7)} ${sample.heap.toFixed(1).padStart(12)} ${String(sample.reports).padStart(13)}`);
}
console.log(`console errors: ${errors.length}`);
await browser.close();
await server.close();

// The README's screenshot: the page as `make serve` serves it, on the circle
// toy with the information plane on, after a few seconds of training, the
// intro open and the model diagram in view (1280 x 1400 px).
// Run: node tests/e2e/screenshot.mjs [out.png]
import { launch, openPage, ready, serve } from './harness.mjs';

const out = process.argv[2] ?? new URL('../../docs/screenshot.png', import.meta.url).pathname;
const server = await serve();
const browser = await launch();
try {
  const { page } = await openPage(browser, `${server.url}#v=1&data=circle&hidden=16,16&k=2&beta=1e-3&report=20&plane=1`, { width: 1280, height: 1400 });
  await ready(page);
  await page.getByTestId('play').click();
  await page.waitForTimeout(6000);
  await page.getByTestId('play').click();
  await page.waitForTimeout(800);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await server.close();
}

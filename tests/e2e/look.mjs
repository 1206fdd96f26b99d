// Screenshots for review (not a test): the lesson page, a pinned var_u
// plane and the model diagram, at 1280 and 360 px, into test-results/look/.
// Run after the web build: node tests/e2e/look.mjs
import { launch, openControls, openPage, ready, serve, trainTo } from './harness.mjs';

const OUT = new URL('../../test-results/look/', import.meta.url).pathname;
const server = await serve();
const browser = await launch();
const VAR_U = 'v=1&data=var_u&hidden=10,7,5,4,3&act=tanh&k=2&beta=0&lr=4e-4&batch=256&seed=1&report=64&plane=1';
try {
  for (const width of [1280, 360]) {
    const lesson = await openPage(browser, `${server.url}?backend=cpu&lesson=beta`, { width });
    await ready(lesson.page);
    await lesson.page.screenshot({ path: `${OUT}lesson-${width}.png`, fullPage: true });
    await lesson.page.close();
    const plane = await openPage(browser, `${server.url}?backend=cpu#${VAR_U}`, { width });
    await ready(plane.page);
    await trainTo(plane.page, 640);
    await plane.page.getByTestId('pin').click();
    // A second seed beside the pinned first (a change of seed starts afresh).
    await openControls(plane.page);
    await plane.page.getByTestId('knob-seed').fill('2');
    await plane.page.getByTestId('knob-seed').press('Enter');
    await plane.page.keyboard.press('Escape');
    await plane.page.waitForFunction(() => window.playground.runLink().includes('seed=2'));
    await trainTo(plane.page, 320);
    await plane.page.screenshot({ path: `${OUT}plane-${width}.png`, fullPage: true });
    for (const view of ['diagram', 'plane', 'latent', 'curves', 'sweep']) {
      await plane.page.locator(`#view-${view}`).screenshot({ path: `${OUT}${view}-${width}.png` });
    }
    await plane.page.close();
  }
} finally {
  await browser.close();
  await server.close();
}

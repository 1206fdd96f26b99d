// The page by keyboard: the Tab order follows what the eye reads (the run,
// then its controls, then the views), the model diagram is one Tab stop
// whose units the arrow keys walk, its focus survives the redraw of every
// report, and on a phone the closed controls' drawer takes no focus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastStep, openPage, ready, servePageAndBrowser, trainTo } from './harness.mjs';

const CIRCLE = 'v=1&data=circle&hidden=16,16&k=2&beta=1e-3&lr=0.02&report=20&seed=1&plane=1';
let server;
let browser;
servePageAndBrowser((s, b) => { server = s; browser = b; });

/** Where each Tab press lands, from Play until the focus comes back round
 * (at most `limit` presses): 'drawer', 'diagram' or the element's test id. */
async function tabWalk(page, limit = 150) {
  await page.getByTestId('play').focus();
  const stops = [];
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return 'body';
      if (e.closest('#drawer')) return 'drawer';
      if (e.closest('#diagram')) return 'diagram';
      return e.dataset.testid ?? e.id ?? e.tagName;
    });
    if (stop === 'play') break;
    stops.push(stop);
  }
  return stops;
}

/** The diagram unit with the focus, as [column, unit], or null. */
const focusedUnit = (page) => page.evaluate(() => {
  const e = document.activeElement?.closest('.diagram-unit');
  return e ? [Number(e.dataset.column), Number(e.dataset.unit)] : null;
});

test('the controls follow the run in the Tab order; the diagram is one stop walked with the arrow keys', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu#${CIRCLE}`, { width: 1280 });
  await ready(page);
  const stops = await tabWalk(page);
  const first = (name) => stops.indexOf(name);
  assert.ok(first('drawer') > 0 && first('diagram') > first('drawer'), `the controls before the views: ${stops.join(' ')}`);
  assert.equal(stops.filter((s) => s === 'diagram').length, 1, 'one Tab stop for the whole diagram');
  // On the diagram: right to T1, down to its second unit.
  await page.locator('#diagram .diagram-unit[tabindex="0"]').focus();
  assert.deepEqual(await focusedUnit(page), [0, 0]);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  assert.deepEqual(await focusedUnit(page), [1, 1]);
  assert.match(await page.getByTestId('tooltip').textContent(), /^T1 unit 2/);
  await page.keyboard.press('End');
  const columns = await page.locator('#diagram .diagram-column').count();
  assert.deepEqual(await focusedUnit(page), [columns - 1, 0]);
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  // Training redraws the diagram at every report: the focus stays on T1's second unit.
  const reports = await page.evaluate(() => window.playground.reports().length);
  await page.evaluate(() => document.querySelector('[data-testid=play]').click());
  await page.waitForFunction((n) => window.playground.reports().length >= n + 3, reports);
  assert.deepEqual(await focusedUnit(page), [1, 1]);
  await page.keyboard.press('ArrowDown');
  assert.deepEqual(await focusedUnit(page), [1, 2]);
  await page.evaluate(() => document.querySelector('[data-testid=play]').click());
  await page.evaluate(() => window.playground.stopped());
  assert.equal(await page.locator('#diagram .diagram-unit[tabindex="0"]').count(), 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test('on a phone the closed controls take no focus; opened, they take it; a seed changed there says it restarted the run', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu#${CIRCLE}`, { width: 360, height: 740 });
  await ready(page);
  const stops = await tabWalk(page);
  assert.ok(stops.length > 5, stops.join(' '));
  assert.equal(stops.includes('drawer'), false, `no stop in the closed drawer: ${stops.join(' ')}`);
  await trainTo(page, 100);
  const trained = await lastStep(page);
  await page.getByTestId('drawer-toggle').click();
  await page.waitForFunction(() => document.activeElement?.closest('#drawer'));
  await page.getByTestId('knob-seed').fill('7');
  await page.getByTestId('knob-seed').press('Enter');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'drawer-toggle');
  // The drawer hid the run while it started again: the run panel says so.
  await page.waitForFunction(() => window.playground.runLink().includes('seed=7'));
  await page.waitForFunction(() => document.querySelector('[data-testid=notice]').textContent.includes('Changing the seed'));
  assert.match(await page.getByTestId('notice').textContent(),
    new RegExp(`Changing the seed started the run again from step 0 \\(it had trained ${trained.toLocaleString('en')} steps\\): only β and the learning rate change while a run trains\\.`));
  assert.deepEqual(errors, []);
  await page.close();
});

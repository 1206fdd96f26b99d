// States a visitor reaches: a run replaced in every way a page allows
// (lesson step, link edit, Reset, new data) starts its history at step 0 and
// never shows another run's reports; refused data keep the running
// experiment; a restored run fills its readouts; an embed's share link
// reopens the experiment and its views.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, ready, servePageAndBrowser } from './harness.mjs';

const CIRCLE = 'v=1&data=circle&hidden=8&k=2&beta=1e-3&lr=0.02&report=20&seed=2';
let server;
let browser;
servePageAndBrowser((s, b) => { server = s; browser = b; });

/** The steps of the page's report history. */
const steps = (page) => page.evaluate(() => window.playground.reports().map((r) => r.step));

/** Waits for a run on screen whose link holds `needle`, with its first
 * report (the page's link changes at once; the run when it is ready). */
async function freshRun(page, needle) {
  await page.waitForFunction((text) => window.playground.runLink().includes(text) && window.playground.reports().length > 0, needle, { timeout: 60_000 });
}

/** A history that starts at 0 and only moves forward. */
function assertOwnHistory(history, what) {
  assert.equal(history[0], 0, `${what}: starts at step 0: ${history.slice(0, 5)}`);
  for (let i = 1; i < history.length; i += 1) {
    assert.ok(history[i] > history[i - 1], `${what}: steps ${history.slice(0, 8)} go back or repeat at ${i}`);
  }
}

async function playFor(page, ms) {
  await page.getByTestId('play').click();
  await page.waitForTimeout(ms);
  await page.getByTestId('play').click();
}

test('a lesson step replaces the run without leaking its reports', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?lesson=compression&backend=cpu`);
  await ready(page);
  await playFor(page, 4000);
  assert.ok((await steps(page)).length > 2, 'the first run reported');
  await page.getByRole('button', { name: 'ReLU' }).click();
  await freshRun(page, 'act=relu');
  await page.getByTestId('play').click();
  await page.waitForFunction(() => window.playground.reports().length >= 4, null, { timeout: 60_000 });
  await page.getByTestId('play').click();
  assertOwnHistory(await steps(page), 'after a lesson step');
  // Switching at once after load: no duplicated step-0 report.
  await page.getByRole('button', { name: 'tanh' }).click();
  await page.getByRole('button', { name: 'ReLU' }).click();
  await page.waitForFunction(() => window.playground.reports().length === 1 && window.playground.runLink().includes('act=relu'), null, { timeout: 60_000 });
  await page.waitForTimeout(1000);
  assert.deepEqual(await steps(page), [0]);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a link edit, Reset and new data each start a clean history', async () => {
  const { page } = await openPage(browser, `${server.url}?backend=cpu#${CIRCLE}`);
  await ready(page);
  await playFor(page, 1500);
  await page.evaluate(() => { location.hash = location.hash.replace('seed=2', 'seed=3'); });
  await freshRun(page, 'seed=3');
  await playFor(page, 1500);
  assertOwnHistory(await steps(page), 'after a link edit');
  await page.getByTestId('reset').click();
  await page.waitForFunction(() => window.playground.reports().length === 1);
  await playFor(page, 1500);
  assertOwnHistory(await steps(page), 'after Reset');
  const rows = ['x,y,label'];
  for (let i = 0; i < 100; i += 1) rows.push(`${i % 10},${Math.floor(i / 10)},${i % 10 >= 5 ? 1 : 0}`);
  await page.getByTestId('csv-paste').click();
  await page.getByTestId('csv-text').fill(rows.join('\n'));
  await page.getByTestId('csv-use').click();
  await freshRun(page, 'data=csv');
  await playFor(page, 1500);
  assertOwnHistory(await steps(page), 'after new data');
  // The dataset menu names the table.
  assert.equal(await page.getByTestId('knob-data').inputValue(), 'csv');
  await page.close();
});

test('refused data keep the running experiment and say why', async () => {
  const { page } = await openPage(browser, `${server.url}?backend=cpu#${CIRCLE}`);
  await ready(page);
  await playFor(page, 1000);
  const before = await steps(page);
  const label = await page.getByTestId('backend').textContent();
  await page.getByTestId('csv-paste').click();
  await page.getByTestId('csv-text').fill('u,v,side\n1,2,a\n3,x,b\n4,5,a\n6,7,b\n');
  await page.getByTestId('csv-use').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=error]').textContent.includes('line 3, column 2'));
  assert.match(await page.getByTestId('error').textContent(), /experiment that was running is kept/);
  assert.equal(await page.getByTestId('backend').textContent(), label);
  // Still the circle (the default data, so no data key in the canonical link).
  assert.equal(await page.evaluate(() => window.playground.link()), 'v=1&seed=2&hidden=8&lr=0.02&report=20');
  assert.deepEqual(await steps(page), before);
  // Play still trains the circle.
  await playFor(page, 1000);
  assert.ok((await steps(page)).length > before.length, 'Play still works');
  await page.close();
});

test('a restored run fills its readouts; notices stay apart from errors', async () => {
  const link = 'v=1&data=circle&hidden=16,16&k=2&lr=10&report=10&seed=1&plane=0';
  const { page } = await openPage(browser, `${server.url}?backend=cpu#${link}`);
  await ready(page);
  await page.getByTestId('play').click();
  await page.getByTestId('restore').waitFor({ timeout: 60_000 });
  assert.equal(await page.getByTestId('notice').isVisible(), false);
  await page.getByTestId('restore').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=error]').hidden);
  for (const id of ['loss', 'rate', 'izy', 'accuracy']) {
    const text = await page.getByTestId(id).textContent();
    assert.notEqual(text, '–', `${id} is filled after the restore`);
  }
  await page.close();
});

test('an embed shares a link that reopens its experiment and views', async () => {
  const url = `${server.url}?embed=1&views=plane,curves&controls=0&backend=cpu#${CIRCLE}`;
  const { page } = await openPage(browser, url, { width: 360, height: 720 });
  await ready(page);
  const shared = await page.getByTestId('share-link').inputValue();
  const parsed = new URL(shared);
  assert.equal(parsed.origin + parsed.pathname, server.url);
  assert.equal(parsed.searchParams.get('embed'), null);
  assert.equal(parsed.searchParams.get('backend'), 'cpu');
  const fragment = new URLSearchParams(parsed.hash.slice(1));
  assert.equal(fragment.get('views'), 'plane,curves');
  assert.equal(fragment.get('seed'), '2');
  const again = await openPage(browser, shared);
  await ready(again.page);
  assert.match(await again.page.evaluate(() => window.playground.link()), /seed=2/);
  const visible = await again.page.evaluate(() => [...document.querySelectorAll('figure[id^="view-"]')]
    .filter((f) => f.offsetParent !== null).map((f) => f.id));
  assert.deepEqual(visible.sort(), ['view-curves', 'view-plane']);
  await page.close();
  await again.page.close();
});

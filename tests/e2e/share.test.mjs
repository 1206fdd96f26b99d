// Share links: a link from the page reopens the same experiment, and on the
// CPU path the run is bit for bit the CLI's `ibp train --link` (the CPU
// backend's matrix product and f32 functions compute the same bits natively
// and in WebAssembly). Links from strangers with script in every key render
// as text and run nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { openPage, ready, servePageAndBrowser } from './harness.mjs';

const LINK = 'v=1&data=moons&hidden=8&k=3&beta=1e-3&seed=7&report=50&samples=4&lr=0.01';
let server;
let browser;
servePageAndBrowser((s, b) => { server = s; browser = b; });


/** Plays past `step`, pauses, returns the report at `step`. */
async function reportAt(page, step) {
  await page.getByTestId('play').click();
  await page.waitForFunction((s) => Number(document.querySelector('[data-testid=loss]').dataset.step) >= s, step, { timeout: 90_000 });
  await page.getByTestId('play').click();
  const reports = await page.evaluate(() => window.playground.reports());
  const report = reports.find((r) => r.step === step);
  assert.ok(report, `a report at step ${step} among ${reports.map((r) => r.step)}`);
  return report;
}

/** The numbers a run reports, for exact comparison. */
const numbers = (r) => [r.loss, r.rate_bits, r.izy_bits, r.test_acc, r.train_acc, r.rate_dims_bits];

function cliReport(link, step) {
  const ibp = ['target/debug/ibp', 'target/release/ibp'].find((p) => existsSync(p));
  assert.ok(ibp, 'the ibp binary is built (cargo test builds it)');
  const out = execFileSync(ibp, ['train', '--link', link, '--steps', String(step), '--backend', 'cpu'], { encoding: 'utf8' });
  const line = out.trim().split('\n').map((l) => JSON.parse(l)).find((r) => r.step === step && !r.final);
  return line;
}

test('a shared link reopens the same run, bit for bit the CLI\'s on the CPU', async () => {
  const first = await openPage(browser, `${server.url}?backend=cpu#${LINK}`);
  await ready(first.page);
  const report = await reportAt(first.page, 50);
  await first.page.getByTestId('share').click();
  const shared = await first.page.getByTestId('share-link').inputValue();
  assert.match(shared, /#v=1&data=moons&/);
  const sharedLink = shared.split('#')[1];
  const second = await openPage(browser, shared);
  await ready(second.page);
  assert.equal(await second.page.evaluate(() => location.hash.slice(1)), sharedLink);
  const knobs = await second.page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#knobs [name]')].map((e) => [e.name, e.type === 'checkbox' ? String(e.checked) : e.value])));
  assert.equal(knobs.data, 'moons');
  assert.equal(knobs.hidden, '8');
  assert.equal(knobs.seed, '7');
  assert.deepEqual(numbers(await reportAt(second.page, 50)), numbers(report), 'the reopened run is the same run');
  assert.deepEqual(numbers(cliReport(sharedLink, 50)), numbers(report), 'the page and the CLI agree to the bit');
  assert.deepEqual(first.errors.concat(second.errors), []);
  await first.page.close();
  await second.page.close();
});

test('digits with ReLU and a wider latent also match the CLI to the bit', async () => {
  const link = 'v=1&data=digits&hidden=32&k=8&act=relu&beta=1e-2&seed=5&report=40&samples=3';
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu#${link}`);
  await ready(page);
  const report = await reportAt(page, 40);
  const normalised = await page.evaluate(() => location.hash.slice(1));
  assert.deepEqual(numbers(cliReport(normalised, 40)), numbers(report));
  assert.deepEqual(errors, []);
  await page.close();
});

test('links with script in every key run nothing and say which keys are bad', async () => {
  const payloads = ['<script>window.__pwned=1</script>', '"><img src=x onerror=window.__pwned=1>', 'javascript:window.__pwned=1'];
  const keys = ['data', 'objective', 'act', 'hidden', 'beta', 'seed', 'k'];
  for (const payload of payloads) {
    const link = keys.map((k) => `${k}=${encodeURIComponent(payload)}`).join('&');
    const { page } = await openPage(browser, `${server.url}?backend=cpu#${link}`);
    let dialogs = 0;
    page.on('dialog', (d) => { dialogs += 1; d.dismiss(); });
    await ready(page);
    const box = page.getByTestId('error');
    await page.waitForFunction(() => !document.querySelector('[data-testid=error]').hidden);
    const text = await box.textContent();
    for (const key of keys) assert.ok(text.includes(`${key}:`), `the error names ${key}: ${text}`);
    assert.equal(await box.locator('script, img').count(), 0, 'nothing from the link became markup');
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.equal(dialogs, 0);
    // Every bad key fell back to its default: the page still trains, and
    // its canonical link holds no key that differs from a default.
    assert.equal(await page.evaluate(() => location.hash), '#v=1');
    await page.close();
  }
});

test('view choices and hidden controls travel in the link', async () => {
  const link = `${LINK}&views=plane,curves&hide=beta,seed`;
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu#${link}`);
  await ready(page);
  assert.equal(await page.locator('#view-plane').isVisible(), true);
  assert.equal(await page.locator('#view-latent').isVisible(), false);
  assert.equal(await page.locator('.knob[data-key=beta]').isVisible(), false);
  assert.equal(await page.locator('.knob[data-key=seed]').isVisible(), false);
  assert.equal(await page.locator('.knob[data-key=lr]').isVisible(), true);
  await page.getByTestId('play').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step-count]').textContent) >= 100);
  // Turning a view on changes the link, not the run.
  await page.getByTestId('view-latent').check();
  await page.waitForFunction(() => location.hash.includes('views=plane,curves,latent&'));
  assert.equal(await page.locator('#view-latent').isVisible(), true);
  const steps = Number(await page.getByTestId('step-count').textContent());
  assert.ok(steps >= 100, `training went on: step ${steps}`);
  const shared = await page.getByTestId('share-link').inputValue();
  const again = await openPage(browser, shared);
  await ready(again.page);
  assert.equal(await again.page.locator('#view-latent').isVisible(), true);
  assert.equal(await again.page.locator('#view-dims').isVisible(), false);
  assert.deepEqual(errors.concat(again.errors), []);
  await page.close();
  await again.page.close();
});

test('a first visit on a shared experiment opens on its plots, the intro folded, with a line saying what it is', async () => {
  // A visitor who once left the intro open: a shared link still comes first.
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.addInitScript(() => { if (!sessionStorage.getItem('seen')) localStorage.setItem('ibp-playground:intro', 'open'); });
  await page.goto(`${server.url}?backend=cpu#${LINK}`);
  await ready(page);
  const banner = page.getByTestId('shared-banner');
  await banner.waitFor({ state: 'visible' });
  assert.equal(await banner.textContent(), 'A shared experiment: moons data, β = 1e-3, a tanh encoder (8 units) into a 3-dimensional code. Press Play to train it; the intro above explains the views.');
  assert.equal(await page.getByTestId('intro').evaluate((d) => d.open), false);
  // The plots are on the first screen.
  const plane = await page.locator('#view-diagram').boundingBox();
  assert.ok(plane.y < 900 * 0.6, `the first view starts at y = ${plane.y}`);
  // An edit makes it another experiment: the line goes.
  await page.getByTestId('beta-input').fill('0.01');
  await page.getByTestId('beta-input').press('Enter');
  await banner.waitFor({ state: 'hidden' });
  // A reload of this tab's own run is no shared visit: no line.
  // (Untrained, it is not kept: its link holds all it has.)
  await page.waitForFunction(() => location.hash.includes('beta=0.01'));
  await page.evaluate(() => sessionStorage.setItem('seen', '1'));
  await page.reload();
  await ready(page);
  assert.equal(await banner.isVisible(), false);
  await page.close();
});

test('on a phone a lesson link lands with the lesson and its first step in view, the intro folded', async () => {
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  await page.addInitScript(() => localStorage.setItem('ibp-playground:intro', 'open'));
  for (const lesson of ['beta', 'trust', 'pixels']) {
    await page.goto(`${server.url}?backend=cpu&lesson=${lesson}`);
    await ready(page);
    assert.equal(await page.getByTestId('intro').evaluate((d) => d.open), false, lesson);
    const first = await page.getByTestId('lesson-step').first().boundingBox();
    const title = await page.locator('#lesson h2').boundingBox();
    assert.ok(title.y >= -1 && first.y + first.height <= 740, `${lesson}: title at ${title.y}, first step ends at ${first.y + first.height}`);
    assert.equal(await page.getByTestId('shared-banner').isVisible(), false, lesson);
  }
  await page.close();
});

// Nothing the user does is lost: every knob edit lands, at any moment (a
// run's start-up included); a link shared after live changes reopens the run
// on screen, bit for bit on the CPU (and in `ibp train`, which takes the
// address Share copies); a lesson's step lives in the address; the page's
// metrics CSV is the CLI's `--log` for the same link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPage, ready, servePageAndBrowser } from './harness.mjs';

let server;
let browser;
servePageAndBrowser((s, b) => { server = s; browser = b; });

const IBP = ['target/debug/ibp', 'target/release/ibp'].find((p) => existsSync(p));

/** `ibp train` on `link` (any form Share copies) to `steps`; its reports. */
function cli(link, steps, extra = []) {
  assert.ok(IBP, 'the ibp binary is built (cargo test builds it)');
  const out = execFileSync(IBP, ['train', '--link', link, '--steps', String(steps), '--backend', 'cpu', ...extra], { encoding: 'utf8' });
  return out.trim().split('\n').map((l) => JSON.parse(l));
}

/** The numbers a run reports, for exact comparison. */
const numbers = (r) => [r.step, r.beta, r.lr, r.loss, r.rate_bits, r.izy_bits, r.test_acc, r.train_acc, r.rate_dims_bits];

/** Plays until the run has reported at `step` or later, then pauses. */
async function playPast(page, step) {
  await page.getByTestId('play').click();
  await page.waitForFunction((s) => window.playground.reports().some((r) => r.step >= s), step, { timeout: 120_000 });
  await page.getByTestId('play').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'false');
}

/** The controls' values by link key. */
const knobValues = (page) => page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#knobs [name]')].map((e) => [e.name, e.value])));

test('three knob edits made while new models start all land: the form, the link and the run agree', async () => {
  // Without ?backend the page times both backends for each new model: every
  // start takes at least 300 ms, so the edits below come during start-ups.
  const { page, errors } = await openPage(browser, `${server.url}#v=1&data=circle&hidden=16,16&k=2&seed=3`);
  await ready(page);
  const busy = () => page.getByTestId('backend').getAttribute('aria-busy');
  await page.locator('#knobs select[name=data]').selectOption('moons');
  assert.equal(await busy(), 'true', 'the first edit starts a new model');
  await page.locator('#knobs input[name=hidden]').fill('32,16');
  await page.locator('#knobs input[name=hidden]').press('Enter');
  assert.equal(await busy(), 'true', 'the second edit comes while it starts');
  await page.locator('#knobs input[name=k]').fill('3');
  await page.locator('#knobs input[name=k]').press('Enter');
  await ready(page);
  const link = await page.evaluate(() => location.hash.slice(1));
  assert.equal(link, 'v=1&data=moons&seed=3&hidden=32,16&k=3');
  const knobs = await knobValues(page);
  assert.deepEqual([knobs.data, knobs.hidden, knobs.k], ['moons', '32,16', '3']);
  // The run is the model the form shows: moons, a 2-32-16-(2x3) encoder
  // and a 3-2 decoder (96 + 528 + 102 + 8 parameters), three code units.
  assert.equal((await page.evaluate(() => window.playground.info())).name, 'moons');
  assert.match(await page.getByTestId('speed').textContent(), /^734 parameters/);
  assert.equal((await page.evaluate(() => window.playground.reports()))[0].rate_dims_bits.length, 3);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a live β change made while a model starts lands in the link and the run', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu#v=1&data=circle&seed=3`);
  await ready(page);
  await page.locator('#knobs select[name=data]').selectOption('xor');
  await page.getByTestId('beta-input').fill('0.02');
  await page.getByTestId('beta-input').press('Enter');
  await ready(page);
  await page.evaluate(() => window.playground.settled());
  assert.equal(await page.evaluate(() => window.playground.link()), 'v=1&data=xor&seed=3&beta=0.02');
  await playPast(page, 100);
  const reports = await page.evaluate(() => window.playground.reports());
  assert.ok(reports.every((r) => r.beta === 0.02), 'every report at the new β');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a restart while training goes on training; a β change replaces the link\'s later β changes and says so', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu#v=1&data=circle&hidden=8&k=2&seed=5&report=50&live=300:beta:0.1,400:lr:0.002`);
  await ready(page);
  assert.match(await page.getByTestId('notice').textContent(), /β = 0\.1 from step 300; learning rate = 0\.002 from step 400\./);
  await page.getByTestId('beta-input').fill('0.05');
  await page.getByTestId('beta-input').press('Enter');
  await page.evaluate(() => window.playground.settled());
  assert.equal(await page.evaluate(() => window.playground.link()), 'v=1&seed=5&beta=0.05&hidden=8&report=50&live=400:lr:0.002');
  assert.match(await page.getByTestId('notice').textContent(), /Your change of β replaces the link's later ones \(β = 0\.1 from step 300\)\./);
  await page.getByTestId('play').click();
  await page.waitForFunction(() => window.playground.reports().some((r) => r.step >= 100));
  await page.locator('#knobs select[name=data]').selectOption('moons');
  await ready(page);
  await page.waitForFunction(() => window.playground.reports().some((r) => r.step >= 100));
  assert.equal(await page.getByTestId('play').getAttribute('aria-pressed'), 'true', 'the new run plays');
  assert.equal((await page.evaluate(() => window.playground.info())).name, 'moons');
  // The new run starts from the values in force when it was asked for.
  const restartedAt = await page.evaluate(() => window.playground.reports()[0].lr);
  assert.equal(await page.evaluate(() => window.playground.link()), `v=1&data=moons&seed=5&beta=0.05&hidden=8${restartedAt === 0.002 ? '&lr=0.002' : ''}&report=50`);
  await page.getByTestId('play').click();
  assert.deepEqual(errors, []);
  await page.close();
});

test('Share after live changes and a sweep-point click reopens the run on screen, bit for bit as the CLI', async () => {
  const link = 'v=1&data=moons&hidden=8&k=3&beta=1e-3&seed=7&report=50&samples=4&lr=0.01';
  const first = await openPage(browser, `${server.url}?backend=cpu#${link}`);
  const page = first.page;
  await ready(page);
  // β typed while training, the learning rate on its slider, then a β
  // taken from a sweep point.
  await page.getByTestId('play').click();
  await page.waitForFunction(() => window.playground.reports().some((r) => r.step >= 120));
  await page.getByTestId('beta-input').fill('0.05');
  await page.getByTestId('beta-input').press('Enter');
  await page.waitForFunction(() => window.playground.reports().some((r) => r.step >= 260));
  await page.getByTestId('knob-lr').focus();
  await page.keyboard.press('ArrowLeft');
  await page.getByTestId('sweep').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=sweep]').disabled, null, { timeout: 120_000 });
  await page.locator('[data-testid=sweep-plot] circle.sweep-point').nth(5).click();
  await playPast(page, (await page.evaluate(() => window.playground.reports().at(-1).step)) + 120);
  await page.getByTestId('share').click();
  const shared = await page.getByTestId('share-link').inputValue();
  const changes = new URLSearchParams(shared.split('#')[1]).get('live').split(',');
  assert.equal(changes.length, 3, `three changes: ${changes}`);
  assert.deepEqual(changes.map((c) => c.split(':')[1]), ['beta', 'lr', 'beta']);
  assert.equal(await page.getByTestId('share-note').isVisible(), false, 'nothing to warn about');
  const seen = await page.evaluate(() => window.playground.reports());
  const at = seen.at(-1).step;
  // The Embed dialog's snippet carries the same experiment.
  await page.getByTestId('embed-code').click();
  const snippet = await page.getByTestId('embed-snippet').inputValue();
  assert.ok(snippet.includes(`live=${changes.join(',')}`), snippet);
  // A stranger opens the link in a fresh browser context.
  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(shared);
  await ready(other);
  // They are told what the link will change, and when.
  const notice = await other.getByTestId('notice').textContent();
  assert.ok(notice.includes(`This link replays changes made while it trained: β = 0.05 from step ${changes[0].split(':')[0]}; learning rate = 0.005 from step ${changes[1].split(':')[0]}; β = `), notice);
  await playPast(other, at);
  const replayed = await other.evaluate(() => window.playground.reports());
  for (const report of seen) {
    const twin = replayed.find((r) => r.step === report.step);
    assert.ok(twin, `the replay reports at step ${report.step}`);
    assert.deepEqual(numbers(twin), numbers(report), `step ${report.step}`);
  }
  // The CLI takes the address Share copied and prints the same numbers
  // (its output starts at the first report after step 0).
  const lines = cli(shared, at);
  for (const report of seen.filter((r) => r.step > 0)) {
    const line = lines.find((l) => l.step === report.step && !l.final);
    assert.deepEqual(numbers(line), numbers(report), `CLI at step ${report.step}`);
  }
  assert.deepEqual(first.errors, []);
  await context.close();
  await page.close();
});

test('a lesson keeps its step in the address: reload, Back and Forward, and a shared link without a false drift notice', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu&lesson=beta`);
  await ready(page);
  const current = () => page.$eval('[data-testid=lesson] [aria-current=step]', (b) => b.textContent);
  const stepOf = () => page.evaluate(() => new URLSearchParams(location.search).get('step'));
  await playPast(page, 100);
  await page.getByTestId('lesson-next').click();
  await ready(page);
  assert.equal(await current(), 'β = 1e-2');
  assert.equal(await stepOf(), '2');
  assert.match(await page.evaluate(() => location.hash), /beta=0\.01/);
  assert.equal((await page.evaluate(() => window.playground.pinned())).length, 1, 'the lesson pinned step 1');
  // Trained and paused, then reloaded: the step, the run and its pin come back.
  await playPast(page, 100);
  // The record of this run (step 1's, saved when it paused, is older).
  const kept = await page.evaluate(() => window.playground.kept());
  assert.ok(kept?.link === await page.evaluate(() => window.playground.link()) && kept.step >= 100, JSON.stringify(kept));
  await page.reload();
  await ready(page);
  assert.equal(await current(), 'β = 1e-2', 'a reload keeps the step');
  assert.equal(await page.getByTestId('lesson-drift').isVisible(), false);
  assert.equal((await page.evaluate(() => window.playground.pinned())).length, 1, 'the pinned run is kept');
  assert.ok(await page.locator('#curves path.curve-pinned').count() > 0, 'and drawn');
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('[data-testid=lesson] [aria-current=step]').textContent === 'β = 1e-4');
  await ready(page);
  assert.match(await page.evaluate(() => window.playground.link()), /beta=1e-4/, 'Back returns to the step and its experiment');
  await page.goForward();
  await page.waitForFunction(() => document.querySelector('[data-testid=lesson] [aria-current=step]').textContent === 'β = 1e-2');
  await ready(page);
  await page.getByTestId('share').click();
  const shared = await page.getByTestId('share-link').inputValue();
  assert.match(shared, /[?&]lesson=beta&step=2#/);
  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(shared);
  await ready(other);
  assert.equal(await other.$eval('[data-testid=lesson] [aria-current=step]', (b) => b.textContent), 'β = 1e-2');
  assert.equal(await other.getByTestId('lesson-drift').isVisible(), false, 'the sharer changed nothing');
  await context.close();
  assert.deepEqual(errors, []);
  await page.close();
});

test('the page\'s metrics CSV is the CLI\'s --log for the same link, column for column', async () => {
  const link = 'v=1&data=circle&hidden=8,8&k=2&seed=2&report=40&plane=1';
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu#${link}`);
  await ready(page);
  await playPast(page, 200);
  await page.getByTestId('export').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="metrics.csv"]').click()]);
  const dir = await mkdtemp(join(tmpdir(), 'ibp-state-'));
  await download.saveAs(join(dir, 'page.csv'));
  const rows = async (name) => (await readFile(join(dir, name), 'utf8')).trim().split('\n').map((l) => l.split(','));
  // The CLI trains as far as the page's file goes.
  const pageRows = await rows('page.csv');
  cli(link, Number(pageRows.at(-1)[0]), ['--log', join(dir, 'cli.csv')]);
  const cliRows = await rows('cli.csv');
  assert.deepEqual(pageRows[0], cliRows[0], 'the same columns');
  const header = pageRows[0];
  assert.ok(header.includes('Z_ixt_bits') && header.includes('test_error_pct'), header.join(','));
  const training = header.filter((c) => !['seconds', 'final'].includes(c));
  assert.equal(pageRows[1][0], '0', 'a step-0 row');
  assert.deepEqual(pageRows.map((r) => r[0]), cliRows.map((r) => r[0]), 'a row per report in both');
  for (const [i, row] of pageRows.slice(1).entries()) {
    const twin = cliRows[i + 1];
    for (const column of training) {
      const c = header.indexOf(column);
      assert.equal(row[c], twin[c], `step ${row[0]}, ${column}`);
    }
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('when the live changes outgrow a link, Share says so and its link starts afresh from the values in force', async () => {
  // 312 learning-rate changes already (3999 bytes), then more made on the page.
  const schedule = Array.from({ length: 312 }, (_, i) => `${i + 1}:lr:${i % 2 ? '0.005' : '0.006'}`).join(',');
  const link = `v=1&data=circle&hidden=8&k=2&seed=4&report=500&live=${schedule}`;
  assert.ok(link.length < 4096 && link.length > 3900, `${link.length} bytes`);
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu#${link}`);
  await ready(page);
  await playPast(page, 500);
  for (const value of ['0.002', '0.003', '0.002', '0.003', '0.002', '0.003', '0.002', '0.003', '0.002', '0.001']) {
    await page.getByTestId('lr-input').fill(value);
    await page.getByTestId('lr-input').press('Enter');
    await page.evaluate(() => window.playground.settled());
    await page.getByTestId('step').click();
  }
  await page.getByTestId('share').click();
  const note = await page.getByTestId('share-note').textContent();
  assert.match(note, /^The 322 live changes of this run no longer fit in a link \(\d+ bytes, at most 4096\): the link starts the experiment afresh with the values in force at step \d+\.$/);
  const shared = new URL(await page.getByTestId('share-link').inputValue());
  const params = new URLSearchParams(shared.hash.slice(1));
  assert.equal(params.get('live'), null);
  assert.equal(params.get('lr'), '0.001', 'the last value, from step 0');
  assert.equal(await page.evaluate(() => location.hash), shared.hash, 'the address bar holds a link that opens');
  assert.deepEqual(errors, []);
  await page.close();
});

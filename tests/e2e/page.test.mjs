// The playground page in headless Chromium: loads cleanly, trains on WebGPU
// (SwiftShader here) and on the CPU path, changes beta live, draws the
// information plane, and leaves a full-page screenshot for review.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { numberOf, openPage, ready, servePageAndBrowser } from './harness.mjs';

const CIRCLE = '#v=1&data=circle&hidden=16,16&k=2&beta=1e-3&lr=0.02&report=20&seed=1&plane=0';
const SHOTS = new URL('../../test-results/', import.meta.url).pathname;
let server;
let browser;
servePageAndBrowser((s, b) => { server = s; browser = b; });
before(async () => { await mkdir(SHOTS, { recursive: true }); });


async function stepsAtLeast(page, n, timeout = 120_000) {
  await page.waitForFunction((min) => Number(document.querySelector('[data-testid=step-count]').textContent) >= min, n, { timeout });
}

/**
 * Trains from a fresh load past `late` steps; returns the loss of the first
 * report at or after `early` and of the last report (from the page's own
 * report history, so a fast backend cannot outrun the reading).
 */
async function trainAndWatchLoss(page, early, late) {
  await page.getByTestId('play').click();
  await page.waitForFunction((min) => window.playground.reports().some((r) => r.step >= min), late, { timeout: 120_000 });
  await page.getByTestId('play').click();
  const reports = await page.evaluate(() => window.playground.reports());
  const first = reports.find((r) => r.step >= early);
  return [first.loss, reports[reports.length - 1].loss];
}

test('loads without console errors and trains on WebGPU (?backend=gpu)', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=gpu${CIRCLE}`);
  const backend = await ready(page);
  assert.equal(backend, 'Training on the GPU: this page’s address asks for it');
  assert.match(await page.getByTestId('backend-details').textContent(), /^WebGPU — .+ — WebGPU was chosen \(\?backend=gpu\)$/);
  const [first, later] = await trainAndWatchLoss(page, 20, 160);
  assert.ok(later < first, `loss should fall: ${first} -> ${later}`);
  assert.deepEqual(errors, []);
  await page.screenshot({ path: `${SHOTS}page-webgpu.png`, fullPage: true });
  await page.close();
});

test('without ?backend the page times both and takes the faster: the CPU beats SwiftShader on the circle toy', async () => {
  const { page, errors } = await openPage(browser, `${server.url}${CIRCLE}`);
  const backend = await ready(page);
  // One short sentence, no timing ratio; the adapter in the details,
  // shown on focus (keyboard) and on hover.
  assert.equal(backend, 'Training on the CPU: faster than this GPU for this model');
  const details = page.getByTestId('backend-details');
  assert.equal(await details.isVisible(), false);
  await page.getByTestId('backend').focus();
  await details.waitFor({ state: 'visible' });
  assert.equal(await details.textContent(), 'CPU (WebAssembly) — faster than this WebGPU adapter (google swiftshader, a GPU emulated on the CPU) for this model (both timed)');
  assert.equal(await page.getByTestId('backend').getAttribute('aria-describedby'), 'backend-details');
  await page.getByTestId('backend').blur();
  await details.waitFor({ state: 'hidden' });
  await page.getByTestId('backend').hover();
  await details.waitFor({ state: 'visible' });
  await page.mouse.move(0, 0);
  // The timing left the run at step 0 with its first report.
  assert.equal(await page.getByTestId('step-count').textContent(), '0');
  assert.deepEqual((await page.evaluate(() => window.playground.reports())).map((r) => r.step), [0]);
  const [first, later] = await trainAndWatchLoss(page, 20, 200);
  assert.ok(later < first, `loss should fall: ${first} -> ${later}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('?backend=cpu trains on the CPU path', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu${CIRCLE}`);
  const backend = await ready(page);
  assert.equal(backend, 'Training on the CPU: this page’s address asks for it');
  const [first, later] = await trainAndWatchLoss(page, 20, 400);
  assert.ok(later < first, `loss should fall: ${first} -> ${later}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('changing beta live changes the rate', async () => {
  const { page } = await openPage(browser, `${server.url}?backend=cpu${CIRCLE.replace('report=20', 'report=50')}`);
  await ready(page);
  await page.getByTestId('play').click();
  await stepsAtLeast(page, 1000);
  const before = await numberOf(page, 'rate');
  const stepAtChange = await numberOf(page, 'step-count');
  // beta = 1, typed into the number box beside the slider.
  await page.getByTestId('beta-input').fill('1');
  await page.getByTestId('beta-input').press('Enter');
  // The link records the change at the step the run took it.
  await page.waitForFunction(() => /[#&]live=\d+:beta:1$/.test(location.hash));
  const changedAt = Number(/live=(\d+):/.exec(await page.evaluate(() => location.hash))[1]);
  assert.ok(changedAt >= stepAtChange, `recorded at step ${changedAt}, typed at ${stepAtChange}`);
  await stepsAtLeast(page, stepAtChange + 1500);
  const afterChange = await numberOf(page, 'rate');
  assert.ok(afterChange < 0.5 * before, `rate should fall after beta 1e-3 -> 1: ${before} -> ${afterChange}`);
  await page.close();
});

test('the information plane has points after training on var_u', async () => {
  const link = '#v=1&data=var_u&hidden=10,7,5&act=tanh&k=2&beta=1e-4&lr=4e-3&batch=256&report=20&plane=1';
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu${link}`);
  await ready(page);
  await page.getByTestId('play').click();
  await stepsAtLeast(page, 100);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=info-plane] circle.plane-point').length >= 20);
  const points = await page.locator('[data-testid=info-plane] circle.plane-point').count();
  // Four layers (three hidden and the latent mean) at several reports.
  assert.ok(points >= 20, `${points} points on the plane`);
  assert.deepEqual(errors, []);
  await page.getByTestId('play').click();
  await page.screenshot({ path: `${SHOTS}page-var-u.png`, fullPage: true });
  await page.close();
});

test('a beta sweep draws the family of models', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu${CIRCLE}`);
  await ready(page);
  await page.getByTestId('sweep').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=sweep-plot] circle.sweep-point').length === 8, null, { timeout: 120_000 });
  await page.waitForFunction(() => !document.querySelector('[data-testid=sweep]').disabled, null, { timeout: 120_000 });
  const caption = await page.locator('#sweep-caption').textContent();
  assert.match(caption, /8 models/);
  // Small betas keep more rate than large ones: the points spread along the rate axis.
  const xs = await page.locator('[data-testid=sweep-plot] circle.sweep-point').evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('cx'))));
  assert.ok(xs[0] > xs[7] + 20, `rate should fall with beta: ${xs}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a diverging run pauses, says so, keeps its history and restores the last good state', async () => {
  const link = '#v=1&data=circle&hidden=16,16&k=2&lr=10&report=5&seed=1&plane=0';
  const { page } = await openPage(browser, `${server.url}?backend=cpu${link}`);
  await ready(page);
  await page.getByTestId('play').click();
  await page.getByTestId('restore').waitFor({ timeout: 60_000 });
  assert.match(await page.getByTestId('error').textContent(), /diverged at step \d+: the loss is no longer a finite number/);
  assert.equal(await page.getByTestId('play').getAttribute('aria-pressed'), 'false');
  // The history keeps the reports before the divergence, and only finite ones.
  const reports = await page.evaluate(() => window.playground.reports());
  assert.ok(reports.length >= 1 && reports.every((r) => Number.isFinite(r.loss)), 'the finite history is kept');
  const good = reports[reports.length - 1].step;
  await page.getByTestId('restore').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=error]').hidden);
  // Checkpoints are taken every few seconds: the restored step is the last
  // one kept, at or before the last finite report.
  const restored = Number(await page.getByTestId('step-count').textContent());
  assert.ok(restored <= good, `restored to step ${restored}, last good report at ${good}`);
  // With a sane learning rate the run goes on from there.
  await page.getByTestId('lr-input').fill('0.01');
  await page.getByTestId('lr-input').press('Enter');
  await page.getByTestId('play').click();
  await stepsAtLeast(page, restored + 50);
  const after = await page.evaluate(() => window.playground.reports());
  assert.ok(Number.isFinite(after[after.length - 1].loss), 'training continues with finite losses');
  await page.close();
});

test('a lost GPU device moves the run to the CPU and keeps its history', async () => {
  const { page } = await openPage(browser, `${server.url}?backend=gpu${CIRCLE}`);
  const backend = await ready(page);
  assert.match(backend, /^Training on the GPU/);
  await page.getByTestId('play').click();
  await page.waitForFunction(() => window.playground.reports().some((r) => r.step >= 40), null, { timeout: 120_000 });
  const before = await page.evaluate(() => window.playground.reports().length);
  // The worker destroys its device, as a driver reset would.
  await page.evaluate(() => window.playground.loseDevice());
  await page.waitForFunction(() => document.querySelector('[data-testid=backend]').textContent.includes('GPU was lost'), null, { timeout: 60_000 });
  assert.equal(await page.getByTestId('backend').textContent(), 'Training on the CPU: the GPU was lost, and the run went on here');
  assert.match(await page.getByTestId('backend-details').textContent(), /^CPU \(WebAssembly\) — the GPU device was lost \(.+\); continuing on the CPU from step \d+$/);
  const step = Number(await page.getByTestId('step-count').textContent());
  await stepsAtLeast(page, step + 200);
  const reports = await page.evaluate(() => window.playground.reports());
  assert.ok(reports.length >= before, 'the history is kept');
  assert.ok(Number.isFinite(reports[reports.length - 1].loss));
  assert.equal(reports[reports.length - 1].backend, 'cpu');
  await page.getByTestId('share').click();
  assert.match(await page.getByTestId('share-note').textContent(), /^The GPU device was lost at step \d+ and this run went on on the CPU/);
  await page.close();
});

test('a device lost while paused moves the run when the weights are read next', async () => {
  // The page reads weights between slices (the save for a reload, Export);
  // that read used to end the run with an error when the device was gone.
  const { page, errors } = await openPage(browser, `${server.url}?backend=gpu${CIRCLE}`);
  assert.match(await ready(page), /^Training on the GPU/);
  await page.getByTestId('play').click();
  await page.waitForFunction(() => window.playground.reports().some((r) => r.step >= 40), null, { timeout: 120_000 });
  await page.getByTestId('play').click();
  await page.evaluate(() => window.playground.loseDevice());
  await page.getByTestId('export').click();
  const download = page.waitForEvent('download');
  await page.locator('[data-export="weights.json"]').click();
  const chunks = await (await (await download).createReadStream()).toArray();
  const weights = JSON.parse(Buffer.concat(chunks).toString());
  // 2 inputs -> 16 -> 16 -> the code (mean and spread of k = 2): three layers.
  assert.equal(weights.encoder.length, 3);
  assert.equal(weights.encoder[0].b.length, 16);
  await page.waitForFunction(() => document.querySelector('[data-testid=backend]').textContent.includes('GPU was lost'), null, { timeout: 60_000 });
  assert.equal(await page.getByTestId('backend').textContent(), 'Training on the CPU: the GPU was lost, and the run went on here');
  assert.match(await page.getByTestId('backend-details').textContent(), /^CPU \(WebAssembly\) — the GPU device was lost \(.+\); continuing on the CPU from step \d+$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a model too large for the adapter names the limit and trains on the CPU', async () => {
  // 4096 hidden units at batch 1024: the elementwise kernels over 1024 x 4096
  // values need 65,536 workgroups in one dimension, and WebGPU adapters offer
  // 65,535 (SwiftShader here too; its storage bindings reach 1 GiB, so a
  // parameter count cannot be the limit a link hits here).
  const { page, errors } = await openPage(browser, `${server.url}?backend=gpu#v=1&data=circle&hidden=4096&k=2&batch=1024&report=1000&plane=0`);
  const backend = await ready(page);
  assert.equal(backend, 'Training on the CPU: the model is too large for this GPU');
  assert.match(await page.getByTestId('backend-details').textContent(), /^CPU \(WebAssembly\) — the model is too large for this GPU: it needs max_compute_workgroups_per_dimension >= 65536, the adapter offers 65535/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('several training samples per example train on the CPU, and the backend line says why', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=gpu${CIRCLE}&train_samples=4`);
  const backend = await ready(page);
  assert.equal(backend, 'Training on the CPU: several noise samples per example train only here');
  assert.match(await page.getByTestId('backend-details').textContent(), /^CPU \(WebAssembly\) — train_samples=4: several noise samples per training example train on the CPU only/);
  await page.getByTestId('play').click();
  await stepsAtLeast(page, 40);
  await page.getByTestId('play').click();
  const reports = await page.evaluate(() => window.playground.reports());
  assert.ok(reports.length >= 2 && reports.every((r) => r.backend === 'cpu' && Number.isFinite(r.loss)), JSON.stringify(reports.slice(-2)));
  assert.deepEqual(errors, []);
  await page.close();
});

test('a reload picks the run up where it was, and Forget drops it', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}?backend=cpu${CIRCLE}`);
  await ready(page);
  await page.getByTestId('play').click();
  await page.waitForFunction(() => window.playground.reports().some((r) => r.step >= 200), null, { timeout: 60_000 });
  await page.getByTestId('play').click();
  // Pausing keeps the run at the step it stopped at (the counter shows it),
  // once the save asked for at the pause is answered.
  const savedStep = (await page.evaluate(() => window.playground.kept())).step;
  assert.equal(savedStep, Number(await page.getByTestId('step-count').textContent()));
  assert.ok(savedStep >= 200, `saved at step ${savedStep}`);
  await page.reload();
  await ready(page);
  await page.waitForFunction(() => document.querySelector('[data-testid=notice]').textContent.includes('Restored your last run'));
  assert.equal(Number(await page.getByTestId('step-count').textContent()), savedStep);
  const reports = await page.evaluate(() => window.playground.reports());
  assert.ok(reports.length >= 5 && reports[reports.length - 1].step <= savedStep, 'the metrics came back');
  // Its optimiser restarted: Share says the link replays the experiment, not these numbers.
  await page.getByTestId('share').click();
  assert.match(await page.getByTestId('share-note').textContent(), new RegExp(`^This run was picked up at step ${savedStep} from the copy kept in this browser`));
  assert.equal(await page.getByTestId('share-note').isVisible(), true);
  await page.getByTestId('play').click();
  await page.waitForFunction((s) => Number(document.querySelector('[data-testid=step-count]').textContent) >= s + 100, savedStep);
  await page.getByTestId('play').click();
  await page.getByTestId('forget').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=step-count]').textContent === '0');
  await ready(page);
  assert.equal(await page.getByTestId('share-note').isVisible(), false, 'the note went with the run it spoke of');
  // Longer than the page waits between saves: the fresh run at step 0 is
  // not kept either (its link holds all it has).
  await page.waitForTimeout(2500);
  assert.equal(await page.evaluate(() => window.playground.saved()), null);
  await context.close();
});

test('MNIST loads and trains as `make serve` serves it, from a link, the menu and its lesson', async () => {
  // Vite's preview sends the gzipped subset with Content-Encoding: gzip; the
  // page must not inflate it twice.
  const link = '#v=1&data=mnist&hidden=32&k=8&batch=32&report=10&samples=1&lr=0.003';
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu${link}`);
  assert.match(await ready(page), /^Training on the CPU/);
  await page.getByTestId('play').click();
  await page.waitForFunction(() => window.playground.reports().some((r) => r.step >= 30), null, { timeout: 120_000 });
  await page.getByTestId('play').click();
  const reports = await page.evaluate(() => window.playground.reports());
  assert.equal(reports[0].step, 0);
  assert.ok(reports.every((r) => Number.isFinite(r.test_acc)), 'every report has a test accuracy');
  assert.equal(await page.evaluate(() => window.playground.info().train), 10_000);
  assert.equal(await page.getByTestId('knob-data').inputValue(), 'mnist');
  // From the dataset menu, starting on the circle toy.
  await page.goto(`${server.url}?backend=cpu${CIRCLE}`);
  await ready(page);
  await page.getByTestId('knob-data').selectOption('mnist');
  await page.waitForFunction(() => window.playground.info()?.name === 'mnist' && window.playground.reports().length > 0, null, { timeout: 120_000 });
  assert.doesNotMatch(await page.getByTestId('backend').textContent(), /starting/);
  assert.equal((await page.evaluate(() => window.playground.reports()))[0].step, 0);
  // The lesson opens on MNIST with its knobs filled in.
  await page.goto(`${server.url}?backend=cpu&lesson=mnist`);
  await ready(page);
  await page.waitForFunction(() => window.playground.reports().length > 0, null, { timeout: 120_000 });
  assert.equal(await page.getByTestId('knob-data').inputValue(), 'mnist');
  assert.equal(await page.getByTestId('knob-hidden').inputValue(), '1024,1024');
  assert.deepEqual(errors, []);
  await page.close();
});

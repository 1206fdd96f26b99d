// The page's "Sweep β" as a research tool: the range, the models and the
// steps from its form (a wrong field named); "k of n" progress and a Stop
// that keeps the models where they stood; the lines `ibp sweep` writes
// (JSONL, the same runs by the same links and, on the CPU, the same
// numbers) and their CSV (`ibp sweep merge --csv`'s, byte for byte); a
// click on a point or a β in the table takes that β to two digits as a
// live change; Share carries the sweep and opening the link offers it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPage, ready, servePageAndBrowser, trainTo } from './harness.mjs';
import { betaLabel } from '../../www/src/describe.js';

let server;
let browser;
servePageAndBrowser((s, b) => { server = s; browser = b; });

const IBP = ['target/debug/ibp', 'target/release/ibp'].find((p) => existsSync(p));
const LINK = 'v=1&data=circle&hidden=8&k=2&seed=3&report=50';
const AXE = new URL('../../node_modules/axe-core/axe.min.js', import.meta.url).pathname;

/** `ibp` with `args`; its stdout. */
function ibp(args) {
  assert.ok(IBP, 'the ibp binary is built (cargo test builds it)');
  return execFileSync(IBP, args, { encoding: 'utf8' });
}

/** The numbers a report holds that the CLI and the page give bit for bit
 * (as tests/e2e/state.test.mjs compares them: the running mean of the
 * training loss is summed in another order in WebAssembly). */
const numbers = (r) => [r.step, r.beta, r.lr, r.loss, r.rate_bits, r.izy_bits, r.test_acc, r.train_acc, r.rate_dims_bits];

/** Checks `lines` against docs/sweep-schema.json with Python's jsonschema
 * (as tests/cli_sweep.rs does); outside CI, a machine without it skips. */
async function followSchema(t, lines) {
  const file = join(await mkdtemp(join(tmpdir(), 'ibp-page-lines-')), 'lines.jsonl');
  await writeFile(file, lines.map((l) => JSON.stringify(l)).join('\n'));
  const check = 'import json, sys, jsonschema\nschema = json.load(open("docs/sweep-schema.json"))\n'
    + '[jsonschema.validate(json.loads(l), schema) for l in open(sys.argv[1])]\nprint("valid")';
  try {
    assert.equal(execFileSync('python3', ['-c', check, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim(), 'valid');
  } catch (error) {
    if (!process.env.CI && /No module named 'jsonschema'|ENOENT/.test(`${error.stderr ?? ''}${error.code ?? ''}`)) t.skip('Python or its jsonschema is absent');
    else throw error;
  }
}

/** Fills the sweep form and presses its button. */
async function sweep(page, { from = '1e-5', to = '1', count, steps }) {
  await page.getByTestId('sweep-from').fill(from);
  await page.getByTestId('sweep-to').fill(to);
  await page.getByTestId('sweep-count').fill(String(count));
  await page.getByTestId('sweep-steps').fill(String(steps));
  await page.getByTestId('sweep-run').click();
}

/** The sweep's lines once it ended, parsed. */
async function linesOf(page) {
  const text = await (await page.waitForFunction(() => window.playground.sweepLines(), null, { timeout: 120_000 })).jsonValue();
  return text.trim().split('\n').map((l) => JSON.parse(l));
}

/** The file a click on `testId` downloads, as text. */
async function download(page, testId) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return readFile(await file.path(), 'utf8');
}

test('a sweep shows k of n steps, and Stop keeps its models where they stood', async (t) => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu#${LINK}`);
  await ready(page);
  await sweep(page, { count: 4, steps: 100_000 });
  // Progress: "k of 100,000 steps", the bar at k, the transport button off.
  const progress = page.getByTestId('sweep-progress');
  await page.waitForFunction(() => Number(document.getElementById('sweep-bar').value) >= 100);
  const text = await progress.textContent();
  assert.match(text, /^\s*[\d,]+ of 100,000 steps · 4 models\s*$/, text);
  assert.equal(await page.getByTestId('sweep').isDisabled(), true);
  // The transport's button says how far it is (the panel may be off-screen).
  assert.match(await page.getByTestId('sweep').textContent(), /^Sweeping \d+ %$/);
  await page.getByTestId('sweep-stop').click();
  const lines = await linesOf(page);
  assert.equal(lines.length, 4);
  const stoppedAt = lines[0].step;
  assert.ok(stoppedAt >= 100 && stoppedAt < 100_000, `stopped at ${stoppedAt}`);
  for (const line of lines) {
    assert.equal(line.status, 'stopped');
    assert.equal(line.step, stoppedAt, 'measured where the sweep stood');
    assert.equal(line.metrics.step, stoppedAt);
    assert.deepEqual(line.sweep.grid, 'beta=1e-5:1:4');
    assert.equal(line.sweep.steps, 100_000);
  }
  await followSchema(t, lines);
  assert.equal(await progress.isVisible(), false);
  assert.equal(await page.getByTestId('sweep').isDisabled(), false);
  assert.equal(await page.getByTestId('sweep').textContent(), 'Sweep β');
  assert.match(await page.getByTestId('sweep-status').textContent(), new RegExp(`Sweep stopped at step ${stoppedAt.toLocaleString('en')} of 100,000`));
  const statuses = await page.locator('[data-testid=sweep-table] tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.status));
  assert.deepEqual(statuses, ['stopped', 'stopped', 'stopped', 'stopped']);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a sweep exports the CLI\'s lines and CSV, and Share offers it again, the same runs bit for bit', async (t) => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu#${LINK}`);
  await ready(page);
  await sweep(page, { from: '1e-4', to: '0.5', count: 3, steps: 200 });
  const lines = await linesOf(page);
  assert.deepEqual(lines.map((l) => [l.schema, l.status, l.step, l.backend]), Array(3).fill(['ibp-sweep-1', 'done', 200, 'cpu']));
  assert.equal(lines[0].sweep.grid, 'beta=1e-4:0.5:3');
  await followSchema(t, lines);
  // Each line names the run `ibp sweep` trains for the same grid, by its link,
  // with the same numbers on the CPU (the page packs the models as replicas).
  const dir = await mkdtemp(join(tmpdir(), 'ibp-page-sweep-'));
  ibp(['sweep', '--link', lines[0].sweep.base, '--grid', 'beta=1e-4:0.5:3', '--steps', '200', '--out', join(dir, 'cli'), '--jobs', '1']);
  const cli = ibp(['sweep', 'merge', join(dir, 'cli')]).trim().split('\n').map((l) => JSON.parse(l));
  const byLink = (all) => Object.fromEntries(all.map((l) => [l.link, l]));
  assert.deepEqual(Object.keys(byLink(lines)).sort(), Object.keys(byLink(cli)).sort());
  for (const line of cli) {
    const ours = byLink(lines)[line.link];
    assert.deepEqual(ours.sweep, line.sweep);
    assert.deepEqual(numbers(ours.metrics), numbers(line.metrics), line.link);
  }
  // The downloads: the lines, and their CSV as `ibp sweep merge --csv` writes it.
  const jsonl = await download(page, 'sweep-jsonl');
  assert.equal(jsonl, await page.evaluate(() => window.playground.sweepLines()));
  const csv = await download(page, 'sweep-csv');
  await writeFile(join(dir, 'page.jsonl'), jsonl);
  assert.equal(csv, ibp(['sweep', 'merge', join(dir, 'page.jsonl'), '--csv']));
  const header = csv.split('\n')[0];
  assert.ok(header.startsWith('step,epoch,replica,beta,lr,') && header.endsWith(',status,link'), header);
  assert.equal(csv.trim().split('\n').length, 4);
  const betas = csv.trim().split('\n').slice(1).map((row) => Number(row.split(',')[3]));
  assert.deepEqual(betas, betas.slice().sort((a, b) => a - b), 'rows in the grid\'s order: by β');
  // The address bar carries the sweep too: the address copied is Share's link.
  assert.equal(await page.evaluate(() => new URL(location.href).searchParams.get('sweep')), 'beta=1e-4:0.5:3');
  // Share carries the grid; a stranger is offered the sweep and runs it.
  await page.getByTestId('share').click();
  const shared = new URL(await page.getByTestId('share-link').inputValue());
  assert.equal(shared.searchParams.get('sweep'), 'beta=1e-4:0.5:3');
  assert.equal(shared.searchParams.get('sweep_steps'), '200');
  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto(`${shared.origin}${shared.pathname}?backend=cpu&${shared.searchParams}${shared.hash}`);
  await ready(other);
  assert.match(await other.getByTestId('notice').textContent(), /This link comes with a β sweep: 3 models, β from 1e-4 to 0\.5, 200 steps each/);
  assert.equal(await other.getByTestId('sweep-count').inputValue(), '3');
  await other.getByTestId('sweep-rerun').click();
  assert.equal(await other.getByTestId('sweep-rerun').count(), 0, 'the offer is taken up and goes');
  const again = await linesOf(other);
  for (const line of again) assert.deepEqual(line.metrics, byLink(lines)[line.link].metrics, line.link);
  assert.deepEqual(errors, []);
  await context.close();
  await page.close();
});

test('a click on a sweep point or a β in the table takes that β to two digits, as a live change', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu#${LINK}`);
  await ready(page);
  // The run on screen has trained: a β taken now is a change while it trains.
  await trainTo(page, 100);
  await sweep(page, { count: 5, steps: 100 });
  await linesOf(page);
  // The labels beside the points and the table say β in short form.
  const table = await page.locator('[data-testid=sweep-table] tbody .sweep-take').allTextContents();
  assert.deepEqual(table, ['1e-5', '1.8e-4', '3.2e-3', '5.6e-2', '1']);
  const labels = await page.locator('[data-testid=sweep-plot] text.sweep-label').allTextContents();
  assert.ok(labels.length >= 2 && labels.every((l) => table.includes(l)), labels.join(' '));
  assert.equal(await page.locator('[data-testid=sweep-plot] circle.sweep-point').nth(3).getAttribute('aria-label'), 'take β = 5.6e-2 (rate ' +
    (await page.evaluate(() => window.playground.sweep().sort((a, b) => a.beta - b.beta)[3].rate_bits.toFixed(2))) + ' bits)');
  /** Waits until the link's last live change of β is `beta`. */
  const taken = (beta) => page.waitForFunction((want) => {
    const changes = (new URLSearchParams(window.playground.link()).get('live') ?? '').split(',');
    const last = changes.filter((c) => c.split(':')[1] === 'beta').pop();
    return last !== undefined && Number(last.split(':')[2]) === want;
  }, beta);
  await page.locator('[data-testid=sweep-plot] circle.sweep-point').nth(3).click();
  await taken(0.056);
  // The page says what happened, and marks the point of the β taken.
  const at = await page.evaluate(() => window.playground.reports().at(-1).step);
  assert.match(await page.getByTestId('sweep-status').textContent(), new RegExp(`^This model now has β = 5\\.6e-2 from step ${at.toLocaleString('en')} on \\(a live change, kept in the link\\): press Play to train on with it`));
  await page.waitForFunction(() => document.querySelector('[data-testid=sweep-plot] circle.sweep-point.taken')?.getAttribute('aria-label').startsWith('take β = 5.6e-2'));
  await page.locator('[data-testid=sweep-table] .sweep-take', { hasText: '1.8e-4' }).click();
  await taken(1.8e-4);
  const row = page.locator('[data-testid=sweep-table] tr.taken');
  assert.equal(await row.count(), 1);
  assert.equal(await row.locator('.sweep-take').getAttribute('aria-current'), 'true');
  assert.equal(await row.locator('.sweep-take').textContent(), '1.8e-4');
  assert.match(await page.locator('#sweep-table-caption').textContent(), /^The models at step 100; shaded: the β this model has now$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a wrong sweep field, or a link\'s broken sweep, says what is wrong and trains nothing', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu&sweep=seed%3D1%3A8&sweep_steps=100#${LINK}`);
  await ready(page);
  assert.match(await page.getByTestId('notice').textContent(), /The link’s β sweep is left out: .*beta=FROM:TO:COUNT/);
  await sweep(page, { count: 4, steps: 0 });
  const error = page.getByTestId('sweep-error');
  assert.match(await error.textContent(), /the steps '0' must be a whole number from 1 to 100000/);
  assert.equal(await page.getByTestId('sweep-steps').getAttribute('aria-invalid'), 'true');
  await sweep(page, { from: '1', to: '1e-3', count: 4, steps: 10 });
  assert.match(await error.textContent(), /the range's end \(0\.001\) must be above its start \(1\)/);
  assert.equal(await page.getByTestId('sweep-to').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByTestId('sweep-progress').isVisible(), false, 'nothing trains');
  assert.equal(await page.evaluate(() => window.playground.sweep().length), 0);
  // Fixed, Enter in a field runs it (the form is no <form>: a sandboxed
  // iframe without allow-forms would block submitting one).
  await page.getByTestId('sweep-from').fill('1e-5');
  await page.getByTestId('sweep-to').fill('1');
  await page.getByTestId('sweep-steps').fill('50');
  await page.getByTestId('sweep-steps').press('Enter');
  assert.equal((await linesOf(page)).length, 4);
  assert.equal(await error.isVisible(), false, 'the error goes once the fields are right');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the sweep\'s form, progress, table and export have zero serious accessibility violations on a phone', async () => {
  // axe-core is injected, which the page's CSP would refuse: this context
  // bypasses it for the check only.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 360, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${server.url}?backend=cpu#${LINK}`);
  await ready(page);
  const serious = async (when) => {
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(() => window.axe.run());
    const found = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(found.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], when);
  };
  await sweep(page, { count: 3, steps: 100_000 });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=sweep-table] tbody tr').length === 3);
  await serious('while it trains');
  await page.getByTestId('sweep-stop').click();
  await linesOf(page);
  await serious('after Stop');
  // Keyboard: the table's β buttons and the exports are reached with Tab.
  await page.locator('[data-testid=sweep-table] .sweep-take').first().focus();
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'take β = 1e-5');
  await context.close();
});

test('a sweep whose model diverges ends there: that model\'s row says so with its last finite report, the others are stopped', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu#v=1&data=circle&hidden=16,16&k=2&lr=10&report=5&seed=1`);
  await ready(page);
  await sweep(page, { count: 3, steps: 5000 });
  const lines = await linesOf(page);
  const diverged = lines.filter((l) => l.status === 'diverged');
  assert.equal(diverged.length, 1, lines.map((l) => l.status).join(' '));
  assert.equal(diverged[0].diverged.quantity, 'loss');
  assert.ok(diverged[0].diverged.step > 0 && diverged[0].diverged.step < 5000);
  // The metrics are the last finite report, before the step that diverged.
  assert.ok(diverged[0].metrics === null || diverged[0].metrics.step < diverged[0].diverged.step);
  assert.deepEqual(lines.filter((l) => l !== diverged[0]).map((l) => l.status), ['stopped', 'stopped']);
  const status = await page.getByTestId('sweep-status').textContent();
  assert.match(status, new RegExp(`Sweep stopped at step [\\d,]+ of 5,000: the model with β = ${betaOf(diverged[0])} diverged; its row shows its last finite report\\.`));
  assert.equal(await page.locator('[data-testid=sweep-table] tr[data-status=diverged]').count(), 1);
  assert.deepEqual(errors, []);
  await page.close();
});

/** A line's β as the page writes it (two digits; the table test above pins
 * the format), escaped for a RegExp. */
const betaOf = (line) => betaLabel(Number(new URLSearchParams(line.link).get('beta') ?? '0.001')).replace('.', '\\.');

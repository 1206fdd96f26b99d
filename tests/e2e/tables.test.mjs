// Inputs as people write them: a table saved by a spreadsheet (a
// byte-order mark, old-Mac line ends, semicolons with decimal commas, text
// labels, three features) uploads and pastes to the same numbers as the
// CLI reads from the file, with a summary of what was read; share links are
// canonical and short.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openPage, ready, serve } from './harness.mjs';

const LINK = 'v=1&data=csv&hidden=8&k=2&report=50&seed=3';
let server;
let browser;
let file;
let text;

before(async () => {
  server = await serve();
  browser = await launch();
  const rows = ['width;height;flat;kind'];
  for (let i = 0; i < 60; i += 1) {
    const w = (i % 10) / 4;
    const h = Math.floor(i / 10) / 3;
    rows.push(`${String(w).replace('.', ',')};${String(h).replace('.', ',')};1;${w + h > 2 ? 'tall, wide' : 'small'}`);
  }
  text = rows.join('\r') + '\r';
  const dir = await mkdtemp(join(tmpdir(), 'ibp-table-'));
  file = join(dir, 'sheet.csv');
  await writeFile(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** The CLI's report at `step` for `link` on the file. */
function cliReport(link, step) {
  const ibp = ['target/debug/ibp', 'target/release/ibp'].find((p) => existsSync(p));
  const out = execFileSync(ibp, ['train', '--link', link, '--steps', String(step), '--csv', file], { encoding: 'utf8' });
  return out.trim().split('\n').map((l) => JSON.parse(l)).find((r) => r.step === step && !r.final);
}

const numbers = (r) => [r.loss, r.rate_bits, r.izy_bits, r.test_acc, r.train_acc, r.rate_dims_bits];

async function reportAt(page, step) {
  await page.getByTestId('play').click();
  await page.waitForFunction((s) => window.playground.reports().some((r) => r.step >= s), step, { timeout: 90_000 });
  await page.getByTestId('play').click();
  return (await page.evaluate(() => window.playground.reports())).find((r) => r.step === step);
}

test('an uploaded spreadsheet file trains bit for bit like the CLI reads it, and its summary says how it was read', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu#${LINK.replace('data=csv', 'data=circle')}`);
  await ready(page);
  await page.getByTestId('csv-file').setInputFiles(file);
  await page.waitForFunction(() => window.playground.runLink().includes('data=csv') && window.playground.reports().length > 0, null, { timeout: 60_000 });
  const summary = await page.getByTestId('table-summary').innerText();
  assert.match(summary, /60 rows, read as ';'-separated, decimal commas, UTF-8 with a byte-order mark, with a header row/);
  assert.match(summary, /width\s+0\s+2\.25\s+10/);
  assert.match(summary, /Constant: flat/);
  assert.match(summary, /Label “kind”: small \(\d+\), tall, wide \(\d+\)/);
  await page.waitForFunction(() => document.querySelector('#map-caption').textContent.startsWith('Decision map over'));
  assert.match(await page.locator('#map-caption').textContent(), /Decision map over (width|height|flat) and (width|height|flat) \(the two of 3 features/);
  const link = await page.evaluate(() => window.playground.link());
  const report = await reportAt(page, 50);
  assert.deepEqual(numbers(report), numbers(cliReport(link, 50)), 'the page reads the file as the CLI does');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the same table pasted as text gives the same numbers', async () => {
  const { page } = await openPage(browser, `${server.url}?backend=cpu#${LINK.replace('data=csv', 'data=circle')}`);
  await ready(page);
  await page.getByTestId('csv-paste').click();
  await page.getByTestId('csv-text').fill(text.replaceAll('\r', '\n'));
  await page.getByTestId('csv-use').click();
  await page.waitForFunction(() => window.playground.runLink().includes('data=csv') && window.playground.reports().length > 0, null, { timeout: 60_000 });
  assert.match(await page.getByTestId('table-summary').innerText(), /';'-separated, decimal commas, UTF-8,/);
  const link = await page.evaluate(() => window.playground.link());
  const report = await reportAt(page, 50);
  assert.deepEqual(numbers(report), numbers(cliReport(link, 50)));
  await page.close();
});

test('share links are canonical: v=1 and the keys that differ from their defaults', async () => {
  const { page } = await openPage(browser, `${server.url}?backend=cpu#v=1&data=moons&beta=0.001&lr=0.01&seed=1&hidden=16,16&plane=0&beta=0.001`);
  await ready(page);
  // The link named beta twice: the first is kept; defaults vanish from the link.
  assert.equal(await page.evaluate(() => window.playground.link()), 'v=1&data=moons&lr=0.01');
  const shared = new URL(await page.getByTestId('share-link').inputValue());
  assert.equal(shared.hash, '#v=1&data=moons&lr=0.01');
  await page.goto(`${server.url}?backend=cpu#v=1&data=circle&beta=1e+0`);
  await ready(page);
  assert.equal(await page.getByTestId('beta-input').inputValue(), '1');
  await page.close();
});

// Embedding, data in and data out: the compact layout at 360 px, the
// postMessage API from a course page on another origin, CSV paste and its
// errors, and every export parsing (the weights reloading in the CLI).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPage, ready, servePageAndBrowser, serveStatic } from './harness.mjs';

const LINK = 'v=1&data=circle&hidden=8&k=2&beta=1e-3&lr=0.02&report=20&seed=2';
const SHOTS = new URL('../../test-results/', import.meta.url).pathname;
let server;
let browser;
servePageAndBrowser((s, b) => { server = s; browser = b; });
before(async () => { await mkdir(SHOTS, { recursive: true }); });


test('embed mode fits 360 px with chosen views, hidden controls and autoplay', async () => {
  const url = `${server.url}?backend=cpu&embed=1&views=plane,curves&controls=0&autoplay=1#${LINK}`;
  const { page, errors } = await openPage(browser, url, { width: 360, height: 720 });
  await ready(page);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step-count]').textContent) >= 40, null, { timeout: 60_000 });
  // The header is out of sight (a 1 px heading kept for screen readers).
  const header = await page.locator('.site-header').boundingBox();
  assert.ok(!header || header.height <= 1, `header box ${JSON.stringify(header)}`);
  assert.equal(await page.locator('#knobs').isVisible(), false);
  assert.equal(await page.getByTestId('info-plane').isVisible(), true);
  assert.equal(await page.locator('#latent').isVisible(), false);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflow <= 360, `page is ${overflow} px wide`);
  await page.screenshot({ path: `${SHOTS}embed-360.png`, fullPage: true });
  // The embed dialog offers an iframe for the current experiment.
  const full = await openPage(browser, `${server.url}?backend=cpu#${LINK}`);
  await ready(full.page);
  await full.page.getByTestId('embed-code').click();
  const snippet = await full.page.getByTestId('embed-snippet').inputValue();
  // The default embed shows plots, not knobs, and carries the canonical
  // link (the keys that differ from their defaults).
  assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?embed=1&amp;autoplay=1&amp;controls=0&amp;views=[a-z%0-9C]+#v=1&amp;seed=2&amp;hidden=8&amp;lr=0\.02&amp;report=20"/);
  assert.deepEqual(errors.concat(full.errors), []);
  await page.close();
  await full.page.close();
});

test('a course page on another origin drives the embed by postMessage; strangers are ignored', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ibp-parent-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>course</title><body></body>');
  const parent = await serveStatic(dir);
  const parentOrigin = parent.url.replace(/\/$/, '');
  try {
    const page = await browser.newPage();
    await page.goto(parent.url);
    const addFrame = (id, allow) => page.evaluate(([id, src]) => new Promise((done) => {
      const frame = document.createElement('iframe');
      frame.id = id;
      frame.src = src;
      frame.width = '360';
      frame.height = '600';
      frame.onload = () => done();
      document.body.append(frame);
    }), [id, `${server.url}?backend=cpu&embed=1${allow ? `&parent=${encodeURIComponent(parentOrigin)}` : ''}#${LINK}`]);
    await addFrame('allowed', true);
    await addFrame('stranger', false);
    for (const name of ['allowed', 'stranger']) {
      const frame = page.frameLocator(`#${name}`);
      await frame.getByTestId('backend').filter({ hasNotText: 'starting' }).waitFor({ timeout: 90_000 });
    }
    const ask = (id, message) => page.evaluate(([id, message]) => {
      document.getElementById(id).contentWindow.postMessage(message, '*');
    }, [id, message]);
    const metrics = (id) => page.evaluate((id) => new Promise((done) => {
      const onReply = (event) => {
        if (event.data?.ibp === 'metrics') {
          window.removeEventListener('message', onReply);
          done(event.data);
        }
      };
      window.addEventListener('message', onReply);
      document.getElementById(id).contentWindow.postMessage({ ibp: 'getMetrics' }, '*');
      setTimeout(() => done(null), 3000);
    }), id);
    await ask('allowed', { ibp: 'setBeta', value: 0.5 });
    await ask('allowed', { ibp: 'play' });
    await ask('stranger', { ibp: 'play' });
    await page.frameLocator('#allowed').getByTestId('step-count').filter({ hasText: /^[1-9]\d{2,}$/ }).waitFor({ timeout: 60_000 });
    await ask('allowed', { ibp: 'pause' });
    const reply = await metrics('allowed');
    assert.ok(reply && reply.reports.length >= 5, 'the allowed parent reads the metrics');
    assert.match(reply.link, /beta=0\.5&/);
    assert.equal(reply.reports[reply.reports.length - 1].beta, 0.5);
    assert.equal(await metrics('stranger'), null, 'a parent not named in parent= gets no metrics');
    const refusal = await page.evaluate(() => new Promise((done) => {
      window.addEventListener('message', (event) => { if (event.data?.ibp === 'error') done(event.data); });
      document.getElementById('stranger').contentWindow.postMessage({ ibp: 'play', id: 'x' }, '*');
    }));
    assert.deepEqual(refusal, { ibp: 'error', command: 'play', id: 'x', message: `commands from ${parentOrigin} are not accepted: add parent=${parentOrigin} to the embed's address` });
    assert.equal(await page.frameLocator('#stranger').getByTestId('step-count').textContent(), '0', 'and cannot start it');
    await page.close();
  } finally {
    await parent.close();
  }
});

test('CSV pasted into the page trains, and bad CSV names the line and column', async () => {
  const { page } = await openPage(browser, `${server.url}?backend=cpu#${LINK}`);
  await ready(page);
  const rows = ['u,v,side'];
  for (let i = 0; i < 200; i += 1) rows.push(`${(i % 20) / 10 - 1},${Math.floor(i / 20) / 5 - 1},${i % 20 >= 10 ? 'right' : 'left'}`);
  await page.getByTestId('csv-paste').click();
  await page.getByTestId('csv-text').fill(rows.join('\n'));
  await page.getByTestId('csv-use').click();
  await ready(page);
  await page.waitForFunction(() => location.hash.includes('data=csv'));
  assert.match(await page.getByTestId('notice').textContent(), /not in the link/);
  await page.getByTestId('play').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step-count]').textContent) >= 200, null, { timeout: 60_000 });
  await page.getByTestId('play').click();
  const reports = await page.evaluate(() => window.playground.reports());
  assert.ok(reports[reports.length - 1].test_acc > 0.85, `accuracy ${reports[reports.length - 1].test_acc}`);
  // Share says in one sentence why its link cannot rebuild this run.
  await page.getByTestId('share').click();
  assert.equal(await page.getByTestId('share-note').textContent(), 'Your table is not in the link: whoever opens it must load the same CSV to train this run.');
  await page.getByTestId('csv-paste').click();
  await page.getByTestId('csv-text').fill('u,v,side\n1,2,a\n3,x,b\n4,5,a\n6,7,b\n');
  await page.getByTestId('csv-use').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=error]').textContent.includes('line 3, column 2'), null, { timeout: 30_000 });
  await page.close();
});

test('exports parse, and exported weights reload in the CLI', async () => {
  const { page } = await openPage(browser, `${server.url}?backend=cpu#${LINK}`);
  await ready(page);
  await page.getByTestId('play').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step-count]').textContent) >= 100, null, { timeout: 60_000 });
  await page.getByTestId('play').click();
  const dir = await mkdtemp(join(tmpdir(), 'ibp-export-'));
  const files = {};
  await page.getByTestId('export').click();
  for (const name of ['metrics.csv', 'metrics.json', 'experiment.json', 'weights.json', 'plots.svg', 'plots.png']) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-export="${name}"]`).click()]);
    files[name] = join(dir, name);
    await download.saveAs(files[name]);
  }
  const csv = (await readFile(files['metrics.csv'], 'utf8')).trim().split('\n');
  assert.equal(csv[0].split(',')[0], 'step');
  assert.ok(csv.length >= 6, `${csv.length} CSV lines`);
  const metrics = JSON.parse(await readFile(files['metrics.json'], 'utf8'));
  assert.equal(metrics.length, csv.length - 1);
  const experiment = JSON.parse(await readFile(files['experiment.json'], 'utf8'));
  assert.equal(experiment.config.data, 'circle');
  assert.match(experiment.link, /^v=1&/);
  const svg = await readFile(files['plots.svg'], 'utf8');
  assert.match(svg, /^<svg xmlns/);
  assert.match(svg, /Information plane/);
  assert.match(svg, /<image href="data:image\/png;base64,/, 'the canvas views are in the SVG too');
  const png = await readFile(files['plots.png']);
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  const ibp = ['target/debug/ibp', 'target/release/ibp'].find((p) => existsSync(p));
  const out = JSON.parse(execFileSync(ibp, ['evaluate', '--weights', files['weights.json']], { encoding: 'utf8' }));
  const last = metrics[metrics.length - 1];
  assert.ok(Math.abs(out.test_acc - last.test_acc) <= 0.02, `CLI accuracy ${out.test_acc} vs page ${last.test_acc}`);
  assert.equal(out.step, 0, 'the CLI evaluates the loaded weights as they are');
  await page.close();
});

test('lessons open with their text and switch experiments', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu&lesson=beta`);
  await ready(page);
  assert.match(await page.getByTestId('lesson').textContent(), /What β does/);
  assert.match(await page.evaluate(() => location.hash), /beta=1e-4/);
  await page.getByTestId('lesson-step').nth(2).click();
  await page.waitForFunction(() => location.hash.includes('beta=1&'));
  await ready(page);
  for (const id of ['compression', 'mnist', 'pixels', 'exact', 'regenerate']) {
    await page.goto(`${server.url}?backend=cpu&embed=1&lesson=${id}`);
    await ready(page);
    assert.ok(await page.getByTestId('lesson').isVisible(), `lesson ${id} shows`);
    assert.ok((await page.getByTestId('lesson-step').count()) >= 1);
    // Its links are valid: no key was refused.
    assert.ok(await page.getByTestId('error').isHidden(), `lesson ${id}: ${await page.getByTestId('error').textContent()}`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

// Shared by the browser tests: the page served as the README's `make serve`
// serves it (scripts/preview.sh: Vite's preview server over dist/) on a
// free loopback port, a plain static server for other origins (a course
// page around an embed), and headless Chromium (Debian's, never a
// downloaded one) with WebGPU on (SwiftShader on machines without a GPU)
// and no network noise.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const ROOT = resolve(new URL('../../dist', import.meta.url).pathname);
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.gz': 'application/gzip',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** A free loopback port. */
async function freePort() {
  const probe = createServer();
  await new Promise((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address();
  await new Promise((done) => probe.close(done));
  return port;
}

/**
 * Serves the built page with the README's serve command (its preview half:
 * the build is done before the tests); resolves to {url, close}.
 */
export async function serve() {
  const port = await freePort();
  const script = new URL('../../scripts/preview.sh', import.meta.url).pathname;
  const child = spawn(script, [], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; ; i += 1) {
    try {
      if ((await fetch(url)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 300 || child.exitCode !== null) throw new Error(`scripts/preview.sh did not serve ${url}: ${output}`);
    await new Promise((done) => setTimeout(done, 100));
  }
  const close = () => new Promise((done) => {
    child.once('exit', done);
    process.kill(-child.pid, 'SIGTERM');
  });
  return { url, close };
}

/**
 * Serves the files of `root` on 127.0.0.1 (another origin than the page),
 * under the path `prefix` (a course site's sub-path, `/course/ibp/`). With
 * `spaFallback`, a missing file is answered with the site's index.html and
 * status 200, as single-page-app hosts do.
 */
export async function serveStatic(root = ROOT, prefix = '/', { spaFallback = false } = {}) {
  const server = createServer(async (request, response) => {
    const send = async (file) => {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      response.end(body);
    };
    try {
      const full = decodeURIComponent(new URL(request.url, 'http://x').pathname);
      if (!full.startsWith(prefix)) throw new Error('outside the prefix');
      const path = normalize(`/${full.slice(prefix.length)}`);
      let file = join(root, path);
      if (!file.startsWith(root)) throw new Error('outside the root');
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      await send(file);
    } catch {
      if (spaFallback) await send(join(root, 'index.html')).catch(() => response.writeHead(404).end('not found'));
      else response.writeHead(404).end('not found');
    }
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}${prefix}`, close: () => new Promise((done) => server.close(done)) };
}

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/** A test file's hooks: before its tests, the page's server and a browser
 * (handed to `use`); after them, both closed. */
export function servePageAndBrowser(use) {
  let server;
  let browser;
  before(async () => {
    server = await serve();
    browser = await launch();
    use(server, browser);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
}

/** A page that records console errors and uncaught exceptions. */
export async function openPage(browser, url, { width = 1280, height = 900 } = {}) {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  return { page, errors };
}

/** Reads a number from the text of a test id. */
export async function numberOf(page, testId) {
  const text = await page.getByTestId(testId).textContent();
  return Number.parseFloat(text);
}

/** Opens the controls' drawer where the page keeps them in one (a phone),
 * as a visitor does before using them; elsewhere they are in sight. */
export async function openControls(page) {
  const toggle = page.getByTestId('drawer-toggle');
  if (!(await toggle.isVisible()) || (await toggle.getAttribute('aria-expanded')) === 'true') return;
  await toggle.click();
  await page.waitForFunction(() => getComputedStyle(document.getElementById('drawer')).visibility === 'visible');
}

/** Waits until the backend label leaves "starting…". */
export async function ready(page) {
  await page.waitForFunction(() => !document.querySelector('[data-testid=backend]').textContent.includes('starting'), null, { timeout: 90_000 });
  return page.getByTestId('backend').textContent();
}

/** The last step the run on screen reported (0 before its first report). */
export const lastStep = (page) => page.evaluate(() => Math.max(0, ...window.playground.reports().map((r) => r.step)));

/**
 * Plays until a report at `step` or later, pauses, and waits until the
 * pause is settled and the views have drawn (real signals, never a time).
 */
export async function trainTo(page, step) {
  await trainUntil(page, (s) => window.playground.reports().some((r) => r.step >= s), step);
}

/**
 * Plays until `done(arg)` holds in the page, then pauses as trainTo does.
 * @param {import('playwright').Page} page
 * @param {(arg: any) => boolean} done evaluated in the page: a function (the
 *   page's CSP refuses a string predicate once Playwright polls it)
 * @param {any} [arg]
 */
export async function trainUntil(page, done, arg) {
  if (typeof done !== 'function') throw new TypeError('trainUntil needs a function: the page\'s CSP refuses to eval a string once it is polled');
  await page.getByTestId('play').click();
  await page.waitForFunction(done, arg, { timeout: 120_000 });
  // Pause unless the run paused itself (a lesson's step): checked and
  // clicked in one turn of the page, so no pause can slip in between.
  await page.evaluate(() => {
    const play = document.querySelector('[data-testid=play]');
    if (play.getAttribute('aria-pressed') === 'true') play.click();
  });
  // The run's last events (a slice in flight when the pause was sent)
  // arrive before the worker's answer to the pause: then nothing redraws.
  await page.evaluate(() => window.playground.stopped());
  await page.evaluate(() => window.playground.settled());
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

/** trainTo `steps` past the last report. */
export async function trainMore(page, steps) {
  await trainTo(page, (await lastStep(page)) + steps);
}

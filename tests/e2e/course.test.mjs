// The page where lecturers put it: in iframes of a course page on another
// origin (sandboxed with and without allow-same-origin), driven by commands
// posted at load, reached after a second deploy, beside another deployment
// on one origin, in two tabs, with full or damaged storage, and with WebGPU
// or the WebAssembly failing: it trains, or says what failed and what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ready, servePageAndBrowser, serveStatic } from './harness.mjs';

const DIST = new URL('../../dist', import.meta.url).pathname;
const LINK = 'v=1&data=circle&hidden=8&k=2&seed=2&report=20';
let server;
let browser;
servePageAndBrowser((s, b) => { server = s; browser = b; });

/** A course page on an origin of its own, `body` its HTML; {url, close, dir}. */
async function coursePage(body) {
  const dir = await mkdtemp(join(tmpdir(), 'ibp-course-'));
  await writeFile(join(dir, 'index.html'), `<!doctype html><html lang="en"><head><title>Course</title></head><body>${body}</body></html>`);
  return { ...(await serveStatic(dir)), dir };
}

/** A copy of the built site in a folder of its own (a deployment). */
async function deployment(into) {
  await cp(DIST, into, { recursive: true });
  return into;
}

test('in a sandboxed iframe: allow-scripts allow-same-origin trains; allow-scripts alone says, styled, what it needs', async () => {
  const src = `${server.url}?backend=cpu&embed=1&autoplay=1#${LINK}`;
  const course = await coursePage(`<h1>Week 3</h1>
    <iframe id="same" sandbox="allow-scripts allow-same-origin" src="${src}" width="360" height="720" title="same"></iframe>
    <iframe id="opaque" sandbox="allow-scripts" src="${src}" width="360" height="720" title="opaque"></iframe>`);
  const page = await browser.newPage();
  try {
    await page.goto(course.url);
    await page.frameLocator('#same').getByTestId('step-count').filter({ hasText: /^[1-9]\d+$/ }).waitFor({ timeout: 90_000 });
    const box = page.frameLocator('#opaque').getByTestId('boot-failure');
    await box.waitFor();
    const text = await box.textContent();
    assert.match(text, /This embed needs allow-same-origin/);
    assert.match(text, /sandbox="allow-scripts allow-same-origin"/);
    assert.equal(await box.evaluate((b) => getComputedStyle(b).borderTopColor), 'rgb(163, 22, 26)', 'the message is styled');
    assert.match(await box.locator('a').getAttribute('href'), /^http:\/\/127\.0\.0\.1:\d+\/\?backend=cpu#v=1&data=circle/);
    assert.equal(await page.frameLocator('#opaque').locator('.layout').isVisible(), false, 'no dead controls beside it');
  } finally {
    await page.close();
    await course.close();
  }
});

test('in an embed every export is also shown to copy or save, as a course page may block downloads', async () => {
  const src = `${server.url}?backend=cpu&embed=1&controls=1#${LINK}`;
  // No allow-downloads: the browser drops the download without telling the page.
  const course = await coursePage(`<iframe sandbox="allow-scripts allow-same-origin" src="${src}" width="360" height="720" title="embed"></iframe>`);
  const page = await browser.newPage();
  try {
    await page.goto(course.url);
    const frame = page.frameLocator('iframe');
    await frame.getByTestId('play').click();
    await frame.getByTestId('step-count').filter({ hasText: /^[1-9]\d\d+$/ }).waitFor({ timeout: 90_000 });
    await frame.getByTestId('play').click();
    assert.equal(await frame.getByTestId('csv-paste').isVisible(), false, 'only Export in an embed');
    await frame.getByTestId('export').click();
    const copy = frame.getByTestId('export-copy');
    assert.equal(await copy.isVisible(), false, 'nothing to copy before an export');
    await frame.locator('[data-export="metrics.csv"]').click();
    const csv = await frame.getByTestId('export-copy-text').inputValue();
    const [header, ...rows] = csv.trim().split('\n');
    assert.match(header, /^step,/);
    const last = Number(rows.at(-1).split(',')[0]);
    assert.ok(last >= 100 && last % 20 === 0, `the last row is a report of this run (step ${last})`);
    assert.match(await copy.textContent(), /metrics\.csv is downloading, unless the course page blocks downloads/);
    const own = await frame.getByTestId('export-own-page').getAttribute('href');
    assert.match(own, /^http:\/\/127\.0\.0\.1:\d+\/\?backend=cpu#v=1&seed=2&hidden=8&report=20$/, 'the page on its own, with the experiment');
    assert.doesNotMatch(own, /embed=1/);
    await frame.locator('[data-export="plots.png"]').click();
    await frame.getByTestId('export-copy-image').and(frame.locator('[src^="blob:"]')).waitFor();
    assert.equal(await frame.getByTestId('export-copy-text').isVisible(), false, 'an image, not text');
    assert.equal(await frame.getByTestId('export-copy-image').getAttribute('alt'), 'plots.png');
    // Close closes: no <form method="dialog">, which the sandbox would block.
    await frame.getByTestId('export-close').click();
    assert.equal(await frame.getByTestId('export-dialog').evaluate((d) => d.open), false);
  } finally {
    await page.close();
    await course.close();
  }
});

test('in an embed a β sweep runs, its exports are shown to copy, and the page on its own carries the sweep', async () => {
  const src = `${server.url}?backend=cpu&embed=1&controls=1&views=sweep#${LINK}`;
  const course = await coursePage(`<iframe sandbox="allow-scripts allow-same-origin" src="${src}" width="360" height="720" title="embed"></iframe>`);
  const page = await browser.newPage();
  try {
    await page.goto(course.url);
    const frame = page.frameLocator('iframe');
    // Pressed as soon as the form shows, before the first run is ready: the
    // sweep waits for it (it trains the experiment that opens).
    await frame.getByTestId('sweep-count').fill('3');
    await frame.getByTestId('sweep-steps').fill('200');
    await frame.getByTestId('sweep-run').click();
    await frame.getByTestId('sweep-status').filter({ hasText: 'Sweep done: 3 models, 200 steps each.' }).waitFor({ timeout: 90_000 });
    await frame.getByTestId('sweep-csv').click();
    // The Export dialog opens with the file to copy (downloads may be blocked).
    const csv = await frame.getByTestId('export-copy-text').inputValue();
    const rows = csv.trim().split('\n');
    assert.equal(rows.length, 4, csv);
    assert.ok(rows[0].endsWith(',status,link') && rows.slice(1).every((r) => r.includes(',done,v=1&')), csv);
    assert.match(await frame.getByTestId('export-copy').textContent(), /sweep\.csv is downloading, unless the course page blocks downloads/);
    const own = new URL(await frame.getByTestId('export-own-page').getAttribute('href'));
    assert.equal(own.searchParams.get('sweep'), 'beta=1e-5:1:3');
    assert.equal(own.searchParams.get('sweep_steps'), '200');
    assert.equal(own.searchParams.get('embed'), null);
    await frame.getByTestId('export-close').click();
    // Share in a frame that may not write to the clipboard says so, the link selected.
    await frame.getByTestId('share').click();
    await frame.getByTestId('share-note').filter({ hasText: 'press Ctrl+C (⌘C) to copy it' }).waitFor();
    assert.match(await frame.getByTestId('share-link').inputValue(), /[?&]sweep=beta%3D1e-5%3A1%3A3&sweep_steps=200#/);
  } finally {
    await page.close();
    await course.close();
  }
});

test('the embed API: loading at once, commands posted before ready carried out in order after it, each answered', async () => {
  const course = await coursePage('<h1>Week 4</h1>');
  // parent= as a lecturer might paste it: upper case, with a path.
  const parent = `${course.url.replace('http://', 'HTTP://').replace(/\/$/, '')}/week-4/index.html`;
  const src = `${server.url}?backend=cpu&embed=1&parent=${encodeURIComponent(parent)}#${LINK}`;
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // The page's bundle is held back until the commands are in: they must wait.
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  await page.route('**/assets/index-*.js', async (route) => { await released; await route.continue(); });
  try {
    await page.goto(course.url);
    await page.evaluate((frameSrc) => {
      window.got = [];
      window.addEventListener('message', (event) => {
        window.got.push(event.data);
        if (event.data?.ibp !== 'loading') return;
        const target = event.source;
        const commands = [
          { ibp: 'setBeta', value: 0.5, id: 1 }, { ibp: 'play', id: 2 }, { ibp: 'getLink', id: 3 },
          { ibp: 'bogus', id: 4 }, { ibp: 'setBeta', value: 'abc', id: 5 }, { ibp: 'setLr', value: 0, id: 6 },
          'just text', { ibp: 7, id: 8 },
        ];
        for (const command of commands) target.postMessage(command, '*');
        window.posted = true;
      });
      const frame = Object.assign(document.createElement('iframe'), { src: frameSrc, width: 360, height: 720, title: 'playground' });
      document.body.append(frame);
    }, src);
    await page.waitForFunction(() => window.posted === true);
    release();
    await page.waitForFunction(() => window.got.filter((m) => 'id' in m).length >= 7, null, { timeout: 90_000 });
    const got = await page.evaluate(() => window.got);
    const readyAt = got.findIndex((m) => m.ibp === 'ready');
    assert.ok(readyAt > 0, `ready came: ${JSON.stringify(got)}`);
    assert.deepEqual(got[readyAt], { ibp: 'ready', version: 1, commands: ['play', 'pause', 'step', 'reset', 'setBeta', 'setLr', 'getMetrics', 'getLink'] });
    const replies = got.filter((m) => 'id' in m);
    assert.ok(got.indexOf(replies[0]) > readyAt, 'replies follow ready');
    assert.deepEqual(replies.map((r) => r.id), [1, 2, 3, 4, 5, 6, 8], 'in order, each once');
    assert.deepEqual(replies[0], { ibp: 'ok', command: 'setBeta', id: 1 });
    assert.deepEqual(replies[1], { ibp: 'ok', command: 'play', id: 2 });
    assert.equal(replies[2].ibp, 'link');
    assert.match(replies[2].link, /beta=0\.5/);
    assert.match(replies[3].message, /^unknown command "bogus" \(known: play, pause/);
    assert.equal(replies[4].message, 'setBeta: value "abc" is not a number');
    assert.equal(replies[5].message, 'setLr: lr: 0 is out of range (allowed: above 0, at most 10)');
    assert.deepEqual([replies[6].ibp, replies[6].command], ['error', null]);
    // The play command took: the run trains at the β set before ready.
    const frame = page.frameLocator('iframe');
    await frame.getByTestId('step-count').filter({ hasText: /^[1-9]\d+$/ }).waitFor({ timeout: 60_000 });
    assert.deepEqual(errors, [], 'nothing thrown');
  } finally {
    await page.close();
    await course.close();
  }
});

test('parent= is read as origins, and what is not one is named in a warning', async () => {
  const { parentOrigins } = await import('../../www/src/embed.js');
  const warnings = [];
  const origins = parentOrigins('HTTPS://LMS.Example.edu/course/3/, http://127.0.0.1:8080/, null, lms2.example.org, not a url, ftp://x.example', (w) => warnings.push(w));
  assert.deepEqual([...origins], ['https://lms.example.edu', 'http://127.0.0.1:8080', 'https://lms2.example.org']);
  assert.deepEqual(warnings, [
    'parent=: "null" (an opaque origin, a sandboxed page) is never trusted: its messages are ignored',
    'parent=: "lms2.example.org" has no scheme: taken as https://lms2.example.org',
    'parent=: "not a url" is not an origin (expected e.g. https://lms.example.edu): ignored',
    'parent=: "ftp://x.example" is not an origin (expected e.g. https://lms.example.edu): ignored',
  ]);
});

test('an exercise\'s Embed keeps it and its controls; a lesson embedded without controls links its exercises to its own page', async () => {
  // A lecturer on an exercise's page (the guide's "Open it") asks for its embed.
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${server.url}?backend=cpu&lesson=beta&exercise=1`);
  await ready(page);
  await page.getByTestId('embed-code').click();
  const snippet = await page.getByTestId('embed-snippet').inputValue();
  assert.match(snippet, /lesson=beta&amp;step=1&amp;exercise=1#/, snippet);
  assert.doesNotMatch(snippet, /controls=0/, 'an exercise is embedded with its controls');
  assert.equal((await page.locator('#embed-lesson-row').textContent()).trim(), 'with the lesson’s text and steps, and exercise 1');
  assert.equal(await page.getByTestId('embed-exercise-note').isVisible(), false);
  await page.getByTestId('embed-controls').uncheck();
  assert.match(await page.getByTestId('embed-snippet').inputValue(), /controls=0/);
  assert.equal(await page.getByTestId('embed-exercise-note').textContent(), 'The lesson’s exercises need the controls: without them, each exercise links to the lesson’s own page.');
  await page.close();
  // The exercise alone in a 360 x 720 embed: its task and verdict on the
  // first screen, before the lesson's steps (a lecturer found it 1,557 px down).
  const alone = await browser.newPage({ viewport: { width: 360, height: 720 } });
  await alone.goto(`${server.url}?backend=cpu&embed=1&lesson=beta&exercise=1`);
  await ready(alone);
  const top = await alone.getByTestId('exercise-verdict').evaluate((v) => v.getBoundingClientRect().bottom);
  assert.ok(top < 720, `the verdict ends at ${top} px of 720`);
  await alone.close();
  // A student in a lesson embedded without the controls: no task they cannot do.
  const student = await browser.newPage({ viewport: { width: 360, height: 720 } });
  await student.goto(`${server.url}?backend=cpu&embed=1&controls=0&lesson=beta`);
  await ready(student);
  const verdicts = student.getByTestId('exercise-verdict');
  assert.equal(await verdicts.count(), 2);
  for (const n of [1, 2]) {
    const verdict = verdicts.nth(n - 1);
    assert.equal(await verdict.textContent(), 'This embed hides the controls the exercise needs: open it on the lesson’s own page ↗');
    const href = new URL(await verdict.locator('a').getAttribute('href'), server.url);
    assert.deepEqual([href.searchParams.get('lesson'), href.searchParams.get('exercise'), href.searchParams.get('embed')], ['beta', String(n), null]);
    assert.equal(await verdict.locator('a').getAttribute('target'), '_blank');
  }
  // Training does not turn them back into verdicts.
  await student.getByTestId('step').click();
  await student.waitForFunction(() => window.playground.reports().some((r) => r.step >= 1));
  assert.match(await verdicts.first().textContent(), /^This embed hides the controls/);
  await student.close();
});

test('the Embed dialog keeps the lesson; its iframe opens on the first chosen view, with only play, step and reset', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${server.url}?backend=cpu&lesson=beta&step=2`);
  await ready(page);
  await page.getByTestId('embed-code').click();
  let snippet = await page.getByTestId('embed-snippet').inputValue();
  assert.match(snippet, /(\?|&amp;)lesson=beta&amp;step=2#/, snippet);
  assert.match(snippet, / title="Information Bottleneck Playground" allow="clipboard-write" /);
  assert.equal(await page.getByTestId('embed-preview').getAttribute('height'), '720');
  await page.getByTestId('embed-lesson').uncheck();
  assert.doesNotMatch(await page.getByTestId('embed-snippet').inputValue(), /lesson=/);
  await page.getByTestId('embed-lesson').check();
  // The lesson's step chose its views; a course page's address enables the API.
  assert.match(await page.getByTestId('embed-snippet').inputValue(), /views=diagram%2Cplane%2Ccurves%2Clatent%2Csweep&amp;/);
  const course = await coursePage('<h1>Week 5</h1>SNIPPET');
  await page.getByTestId('embed-parent').fill(`${course.url}week-5/`);
  await page.getByTestId('embed-parent').dispatchEvent('change');
  snippet = await page.getByTestId('embed-snippet').inputValue();
  const parent = `&amp;parent=${encodeURIComponent(course.url.replace(/\/$/, ''))}`;
  assert.ok(snippet.includes(`${parent}&amp;`) || snippet.includes(`${parent}#`), snippet);
  await page.close();
  // A student's view of that snippet on the course page.
  await writeFile(join(course.dir, 'index.html'), `<!doctype html><html lang="en"><head><title>Course</title></head><body><h1>Week 5</h1>${snippet.replace('?', '?backend=cpu&')}</body></html>`);
  const student = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  try {
    await student.goto(course.url);
    const frame = student.frameLocator('iframe');
    await frame.getByTestId('backend').filter({ hasNotText: 'starting' }).waitFor({ timeout: 90_000 });
    const first = await frame.locator('figure[id^=view-]:not(.link-hidden):not(.embed-hidden)').first();
    const box = await first.evaluate((f) => f.getBoundingClientRect().toJSON());
    assert.ok(box.top >= 0 && box.top + 60 < 720, `the first view starts at ${box.top} px of 720`);
    const buttons = await frame.locator('.run button:visible').allTextContents();
    assert.deepEqual(buttons.map((b) => b.trim()), ['Pause', 'Step', 'Reset'], 'autoplay: Pause, Step, Reset only');
    assert.equal(await frame.locator('#knobs').isVisible(), false);
    assert.equal(await frame.getByTestId('lesson').isVisible(), true, 'the lesson\'s text and steps');
    const lessonTop = await frame.getByTestId('lesson').evaluate((l) => l.getBoundingClientRect().top);
    assert.ok(lessonTop < box.top, 'the lesson comes first, its introduction folded');
    assert.equal(await frame.locator('[data-testid=lesson] [aria-current=step]').textContent(), 'β = 1e-2');
  } finally {
    await student.close();
    await course.close();
  }
});

test('Share and Embed pressed while the page starts give the experiment it starts, once it has', async () => {
  const page = await browser.newPage();
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  await page.route('**/*.wasm', async (route) => { await released; await route.continue(); });
  try {
    await page.goto(`${server.url}?backend=cpu#v=1&data=moons&seed=9`);
    // The bundle runs; its WebAssembly is held back.
    await page.waitForFunction(() => typeof window.playground?.link === 'function');
    await page.getByTestId('share').click();
    await page.getByTestId('embed-code').click();
    assert.equal(await page.getByTestId('embed-dialog').isVisible(), false, 'the dialog waits');
    release();
    await page.getByTestId('embed-dialog').waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await page.getByTestId('embed-snippet').inputValue(), /#v=1&amp;data=moons&amp;seed=9"/);
    await page.waitForFunction(() => document.querySelector('[data-testid=share-link]').value.endsWith('#v=1&data=moons&seed=9'));
  } finally {
    await page.close();
  }
});

test('Play pressed while the page loads trains once the run is ready; Play then Pause leaves it paused; Step steps', async () => {
  // A student in a course page presses Play before the WebAssembly is in:
  // the press stands (it used to be dropped, the button back to Play).
  for (const presses of [['play'], ['play', 'play'], ['step', 'step']]) {
    const page = await browser.newPage();
    let release;
    const released = new Promise((resolve) => { release = resolve; });
    await page.route('**/*.wasm', async (route) => { await released; await route.continue(); });
    try {
      await page.goto(`${server.url}?backend=cpu#${LINK}`);
      await page.waitForFunction(() => typeof window.playground?.link === 'function');
      for (const id of presses) await page.getByTestId(id).click();
      const wanted = presses.length === 1 ? 'Pause' : 'Play';
      assert.equal(await page.getByTestId('play').textContent(), wanted);
      release();
      await ready(page);
      if (presses.length === 1) {
        await page.waitForFunction(() => window.playground.reports().some((r) => r.step >= 40));
      } else if (presses[0] === 'step') {
        // Two steps, each with its report, taken once the run is there.
        await page.waitForFunction(() => window.playground.reports().some((r) => r.step === 2));
      } else {
        // Paused by the second press: the first run opens at step 0 and
        // stays there once the worker has answered every pause.
        await page.evaluate(() => window.playground.stopped());
        assert.equal(await page.evaluate(() => window.playground.reports().at(-1)?.step ?? 0), 0);
      }
      assert.equal(await page.getByTestId('play').textContent(), wanted);
    } finally {
      await page.close();
    }
  }
});

/** Waits until the site's service worker is active, reloads, and waits
 * until the page is controlled by it (a first visit is not: nothing claims
 * it mid-visit). */
async function underServiceWorker(page) {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.reload();
  await ready(page);
  await page.waitForFunction(() => navigator.serviceWorker.controller != null, null, { timeout: 60_000 });
}

test('after a second deploy a returning visitor is told at once and gets the new build', async () => {
  const dir = await deployment(await mkdtemp(join(tmpdir(), 'ibp-deploy-')));
  const site = await serveStatic(dir, '/course/ibp/');
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${site.url}?backend=cpu#${LINK}`);
    await ready(page);
    await underServiceWorker(page);
    // The second build: another page, and the service worker that lists it.
    const html = await readFile(join(dir, 'index.html'), 'utf8');
    const next = html.replace('<title>', '<meta name="ibp-build" content="second"><title>');
    await writeFile(join(dir, 'index.html'), next);
    const sw = await readFile(join(dir, 'sw.js'), 'utf8');
    const revision = createHash('md5').update(next).digest('hex');
    await writeFile(join(dir, 'sw.js'), sw.replace(/(url:"index\.html",revision:")[0-9a-f]+/, `$1${revision}`));
    await page.reload();
    await ready(page);
    const second = () => page.evaluate(() => document.querySelector('meta[name=ibp-build]')?.content === 'second');
    if (!(await second())) {
      await page.getByTestId('update').waitFor({ state: 'visible', timeout: 60_000 });
      assert.match(await page.getByTestId('update').textContent(), /A new version of the playground is available/);
      await Promise.all([page.waitForEvent('load'), page.getByTestId('reload-new-version').click()]);
    }
    await page.waitForFunction(() => document.querySelector('meta[name=ibp-build]')?.content === 'second', null, { timeout: 60_000 });
    await ready(page);
  } finally {
    await context.close();
    await site.close();
  }
});

test('two deployments on one origin keep their offline copies apart', async () => {
  const root = await mkdtemp(join(tmpdir(), 'ibp-origin-'));
  await deployment(join(root, 'course-a'));
  await deployment(join(root, 'course-b'));
  const site = await serveStatic(root, '/');
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    for (const course of ['course-a', 'course-b']) {
      await page.goto(`${site.url}${course}/?backend=cpu#${LINK}`);
      await ready(page);
      await underServiceWorker(page);
    }
    const names = await page.evaluate(() => caches.keys());
    for (const course of ['course-a', 'course-b']) {
      assert.ok(names.some((n) => n.includes('precache') && n.endsWith(`/${course}/`)), `${course}'s copy in ${names}`);
    }
    // MNIST opened once (its data cached on first use).
    const mnist = 'v=1&data=mnist&hidden=8&k=2&samples=1';
    await page.goto(`${site.url}course-a/?backend=cpu#${mnist}`);
    await ready(page);
    // Offline, the first still opens and trains, its lessons and its data too.
    await context.setOffline(true);
    for (const address of [`course-a/?backend=cpu#${LINK}`, 'course-a/?backend=cpu&lesson=compression', `course-a/?backend=cpu#${mnist}`]) {
      await page.goto(`${site.url}${address}`);
      await ready(page);
      assert.doesNotMatch(await page.getByTestId('backend').textContent(), /not started/, address);
      await page.getByTestId('step').click();
      await page.waitForFunction(() => window.playground.reports().some((r) => r.step > 0), null, { timeout: 60_000 });
    }
  } finally {
    await context.close();
    await site.close();
    await rm(root, { recursive: true });
  }
});

test('a host that answers a missing data file with its page: the page says so, and nothing is cached as data', async () => {
  const dir = await deployment(await mkdtemp(join(tmpdir(), 'ibp-spa-')));
  await rm(join(dir, 'data'), { recursive: true });
  const site = await serveStatic(dir, '/', { spaFallback: true });
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${site.url}?backend=cpu#v=1&data=mnist&hidden=8&k=2`);
    await page.waitForFunction(() => document.querySelector('[data-testid=error]').textContent.includes('answered with a web page'), null, { timeout: 60_000 });
    assert.match(await page.getByTestId('error').textContent(), /data\/mnist-subset-[0-9a-f]+\.bin\.gz: the host answered with a web page instead of this data file/);
    const cached = await page.evaluate(async () => (await caches.has('ibp-data') ? (await (await caches.open('ibp-data')).keys()).length : 0));
    assert.equal(cached, 0);
  } finally {
    await context.close();
    await site.close();
  }
});

/** Trains `page` past `step`, pauses, and waits until the run as it
 * stopped is kept: the save asked for at the pause is answered after any
 * report still on its way (an earlier save can match the step on screen for
 * a moment, before the last report lands). */
async function trainAndKeep(page, step) {
  await page.getByTestId('play').click();
  await page.waitForFunction((s) => window.playground.reports().some((r) => r.step >= s), step, { timeout: 60_000 });
  await page.getByTestId('play').click();
  const kept = await page.evaluate(() => window.playground.kept());
  assert.equal(kept.step, Number(await page.getByTestId('step-count').textContent()), 'kept at the step it stopped at');
  return kept;
}

test('two tabs keep their own runs; a new tab opens its link, and without one offers the latest run', async () => {
  const context = await browser.newContext();
  try {
    const [one, two] = [await context.newPage(), await context.newPage()];
    await one.goto(`${server.url}?backend=cpu#${LINK}`);
    await two.goto(`${server.url}?backend=cpu#v=1&data=moons&hidden=8&k=2&report=20`);
    await Promise.all([ready(one), ready(two)]);
    const keptOne = await trainAndKeep(one, 100);
    const keptTwo = await trainAndKeep(two, 200);
    for (const [page, kept] of [[one, keptOne], [two, keptTwo]]) {
      await page.reload();
      await ready(page);
      assert.equal(await page.evaluate(() => window.playground.link()), kept.link, 'the tab\'s own run');
      assert.equal(Number(await page.getByTestId('step-count').textContent()), kept.step);
    }
    // A new tab on a link opens that link.
    const linked = await context.newPage();
    await linked.goto(`${server.url}?backend=cpu#v=1&data=xor`);
    await ready(linked);
    assert.equal(await linked.evaluate(() => window.playground.link()), 'v=1&data=xor');
    assert.equal(await linked.getByTestId('continue-latest').count(), 0);
    // Without one, the latest run is offered, not opened.
    const bare = await context.newPage();
    await bare.goto(`${server.url}?backend=cpu`);
    await ready(bare);
    assert.equal(await bare.getByTestId('step-count').textContent(), '0');
    assert.match(await bare.getByTestId('notice').textContent(), new RegExp(`A run is kept in this browser from another tab \\(moons, step ${keptTwo.step}\\)`));
    await bare.getByTestId('continue-latest').click();
    await bare.waitForFunction((s) => Number(document.querySelector('[data-testid=step-count]').textContent) === s, keptTwo.step);
    assert.equal(await bare.evaluate(() => window.playground.link()), keptTwo.link);
  } finally {
    await context.close();
  }
});

test('full storage, a model too large to keep, a damaged record and one of another build: said once, nothing thrown', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}?backend=cpu#${LINK}`);
    await ready(page);
    // Fill this origin's storage to the last few bytes.
    await page.evaluate(() => {
      let n = 0;
      for (let size = 1 << 20; size >= 8; size >>= 1) {
        try {
          for (;;) localStorage.setItem(`filler-${n++}`, 'x'.repeat(size));
        } catch {
          // full at this size: smaller blocks next
        }
      }
    });
    await page.getByTestId('play').click();
    await page.waitForFunction(() => window.playground.reports().some((r) => r.step >= 60));
    await page.getByTestId('play').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=notice]').textContent.includes('will not be kept'));
    await page.getByTestId('play').click();
    await page.waitForFunction(() => window.playground.reports().some((r) => r.step >= 120));
    await page.getByTestId('play').click();
    const notices = await page.evaluate(() => [...document.querySelectorAll('[data-testid=notice] p')].map((p) => p.textContent));
    assert.deepEqual(notices.filter((n) => n.includes('will not be kept')),
      ['This run will not be kept for a reload: this browser\'s storage is full or refuses it (QuotaExceededError). Training goes on; Share keeps the experiment.'], 'once');
    await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('filler-')).forEach((k) => localStorage.removeItem(k)));
    // A model whose weights would not fit is said at once.
    await page.goto(`${server.url}?backend=cpu#v=1&data=digits&hidden=1024&k=8`);
    await ready(page);
    assert.match(await page.getByTestId('notice').textContent(), /This run will not be kept for a reload: this model has 83,050 parameters, more than the 50,000/);
    // A damaged record, then one of another build, are set aside.
    const tab = await page.evaluate(() => sessionStorage.getItem('ibp-playground:tab'));
    for (const [record, why] of [['{broken', 'it could not be read'], [JSON.stringify({ version: 1, build: 'another', link: 'v=1', step: 5, reports: [] }), 'another version of the page kept it']]) {
      await page.evaluate(([key, text]) => localStorage.setItem(key, text), [`ibp-playground:run:${tab}`, record]);
      await page.reload();
      await ready(page);
      assert.match(await page.getByTestId('notice').textContent(), new RegExp(`The run kept in this browser was set aside: ${why}\\. This run starts afresh\\.`));
      assert.equal(await page.evaluate(() => localStorage.getItem('ibp-playground:set-aside')), record);
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('WebGPU whose adapter request rejects: the page trains on the CPU and says why', async () => {
  const page = await browser.newPage();
  await page.route('**/assets/worker-*.js', async (route) => {
    const response = await route.fetch();
    const patch = 'Object.defineProperty(self.navigator.gpu, "requestAdapter", { value: () => Promise.reject(new Error("refused by the test")) });\n';
    await route.fulfill({ response, body: patch + await response.text() });
  });
  try {
    await page.goto(`${server.url}#${LINK}`);
    const label = await ready(page);
    assert.equal(label, 'Training on the CPU: WebGPU is not available here');
    assert.equal(await page.getByTestId('backend-details').textContent(), 'CPU (WebAssembly) — WebGPU\'s adapter request failed (refused by the test)');
    await page.getByTestId('step').click();
    await page.waitForFunction(() => window.playground.reports().some((r) => r.step > 0));
  } finally {
    await page.close();
  }
});

test('a missing, broken or replaced WebAssembly file: the page names it and what to do', async () => {
  const cases = [
    [(route) => route.fulfill({ status: 404, body: 'not found' }), /^The page could not load its WebAssembly.*404/s],
    [(route) => route.fulfill({ status: 200, contentType: 'application/wasm', body: Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff, 0xff]) }), /^This browser could not run the page's WebAssembly/],
    [(route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Not here</title>' }), /^The page's WebAssembly is not WebAssembly/],
  ];
  for (const [answer, says] of cases) {
    const page = await browser.newPage();
    await page.route('**/*.wasm', answer);
    try {
      await page.goto(`${server.url}?backend=cpu#${LINK}`);
      const box = page.getByTestId('boot-failure');
      await box.waitFor();
      assert.match(await box.textContent(), says);
      assert.equal(await page.getByTestId('backend').textContent(), 'not started: see the message');
    } finally {
      await page.close();
    }
  }
});

test('a frozen tab: the speed after it is the training\'s, not the frozen time\'s', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${server.url}?backend=cpu#${LINK}`);
    await ready(page);
    await page.getByTestId('play').click();
    await page.waitForFunction(() => /[\d,]+ steps\/s$/.test(document.querySelector('[data-testid=speed]').textContent));
    const before = await page.evaluate(() => Number(document.querySelector('[data-testid=speed]').textContent.split('·')[1].replace(/[^\d.]/g, '')));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
    // Frozen for longer than the speed's window: a wall-clock rate would fall
    // to a few steps a second.
    await new Promise((resolve) => { setTimeout(resolve, 6000); });
    await cdp.send('Page.setWebLifecycleState', { state: 'active' });
    const step = Number(await page.getByTestId('step-count').textContent());
    await page.waitForFunction((s) => Number(document.querySelector('[data-testid=step-count]').textContent) > s
      && /[\d,]+ steps\/s$/.test(document.querySelector('[data-testid=speed]').textContent), step);
    const after = await page.evaluate(() => Number(document.querySelector('[data-testid=speed]').textContent.split('·')[1].replace(/[^\d.]/g, '')));
    assert.ok(after > before / 5, `${before} steps/s before, ${after} after`);
    assert.doesNotMatch(await page.getByTestId('notice').textContent(), /trains [\d.]+ steps\/s/);
  } finally {
    await page.close();
  }
});

test('the speed is measured in training time: a pause or a hidden tab reads as no time', async () => {
  const { Speed } = await import('../../www/src/speed.js');
  const speed = new Speed();
  speed.reset(1000);
  let step = 0;
  const train = (times) => {
    for (let i = 0; i < times; i += 1) {
      step += 10;
      speed.progress(step, 100);
    }
  };
  train(60);
  assert.equal(Math.round(speed.stepsPerSecond()), 100);
  // Paused for as long as anyone likes, then training again: the event after
  // the pause may hold the pause's time (a frozen slice), so it is left out.
  speed.interrupt();
  step += 10;
  speed.progress(step, 60_000);
  train(10);
  assert.equal(Math.round(speed.stepsPerSecond()), 100);
  assert.equal(speed.warning(() => '1'), null, 'no advice about a slow configuration');
});

// The page teaches: the intro, the lesson gallery and the lessons' steps,
// the model diagram, pinned runs, the live IB curve, the exact IB of a
// table (the same numbers as `ibp ib-curve`), tooltips, phones and embeds,
// and a course site on a sub-path that works offline.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPage, ready, servePageAndBrowser, serveStatic, trainMore } from './harness.mjs';

const SHOTS = new URL('../../test-results/', import.meta.url).pathname;
const DIST = new URL('../../dist', import.meta.url).pathname;
const CIRCLE = 'v=1&data=circle&hidden=8,8&k=2&beta=1e-3&lr=0.02&report=20&seed=1&plane=1';
let server;
let browser;
servePageAndBrowser((s, b) => { server = s; browser = b; });
before(async () => { await mkdir(SHOTS, { recursive: true }); });

/** Presses Play (the run's, or the lesson's own button) and waits until the
 * lesson pauses the run at the step its text reads. */
async function playToLessonPause(page, button = 'play') {
  await page.getByTestId(button).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'false', null, { timeout: 600_000 });
  // Stopped at the step the notice names, exactly (not a slice past it).
  const held = (await page.getByTestId('notice').textContent()).match(/Paused at step ([\d,]+), where the lesson reads its numbers/);
  assert.ok(held, await page.getByTestId('notice').textContent());
  assert.equal(await page.getByTestId('step-count').textContent(), held[1].replace(/,/g, ''));
}


test('the intro explains the idea, folds away and remembers it', async () => {
  // The plain page (a shared link opens on its plots, share.test.mjs).
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}?backend=cpu`);
  await ready(page);
  const intro = page.getByTestId('intro');
  const words = (await intro.innerText()).split(/\s+/).filter(Boolean).length;
  assert.ok(words >= 60, `${words} words`);
  for (const needle of ['β', 'rate', 'I(Z;Y) bound', 'information plane', 'cross-entropy']) {
    assert.ok((await intro.innerText()).includes(needle), `the intro mentions ${needle}`);
  }
  // The lesson keeps the page's backend choice.
  assert.equal(await page.getByTestId('start-here').getAttribute('href'), '?lesson=beta&backend=cpu');
  assert.equal(await intro.evaluate((d) => d.open), true);
  await page.locator('#intro summary').click();
  assert.equal(await intro.evaluate((d) => d.open), false);
  await page.reload();
  await ready(page);
  assert.equal(await page.getByTestId('intro').evaluate((d) => d.open), false, 'closed after a reload');
  await context.close();
});

test('the gallery lists every lesson; a lesson marks its step, says what to look for, and moves with Next and Back', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu#${CIRCLE}`);
  await ready(page);
  const links = await page.$$eval('[data-testid=lessons] a', (a) => a.map((x) => x.getAttribute('href')));
  assert.deepEqual(links, ['beta', 'compression', 'trust', 'deterministic', 'mnist', 'pixels', 'exact', 'regenerate', 'ib-curve'].map((id) => `?lesson=${id}&backend=cpu`));
  const goals = await page.$$eval('[data-testid=lessons] .goal', (g) => g.map((x) => x.textContent.trim()));
  assert.ok(goals.every((g) => g.length > 20), 'each lesson has a goal');
  await page.goto(`${server.url}?backend=cpu&lesson=pixels`);
  await ready(page);
  const current = () => page.$eval('[data-testid=lesson] [aria-current=step]', (b) => b.textContent);
  assert.equal(await current(), 'per-pixel bottleneck');
  assert.match(await page.getByTestId('lesson-look').textContent(), /^What to look for: /);
  assert.match(await page.getByTestId('lesson-question').textContent(), /^Question: .+\?$/);
  await page.locator('[data-testid=lesson-answer] summary').click();
  assert.ok((await page.getByTestId('lesson-answer').innerText()).length > 40, 'an answer to read');
  assert.equal(await page.getByTestId('lesson-done').isVisible(), false);
  // The lesson opens with the views it talks about: the rate map, no empty plane.
  assert.equal(await page.locator('#view-dims').isVisible(), true);
  assert.equal(await page.locator('#view-plane').isVisible(), false);
  assert.equal(await page.getByTestId('lesson-back').isDisabled(), true);
  // Paused, each step says to press Play first.
  assert.match(await page.getByTestId('lesson-look').textContent(), /^What to look for: Press Play\. By step 2,000 the map lights up in the middle/);
  await page.getByTestId('lesson-next').click();
  // The new step's link is checked against the new step, not the one left:
  // no drift note, not even for a moment.
  assert.equal(await page.getByTestId('lesson-drift').isHidden(), true, 'no false drift note');
  await page.waitForFunction(() => window.playground.link().includes('beta=0.05'));
  assert.equal(await current(), 'stronger β');
  assert.match(await page.getByTestId('lesson-look').textContent(), /^What to look for: Press Play\. At a higher price/);
  // The last of two steps says so; a one-step lesson says nothing of the kind.
  assert.equal(await page.getByTestId('lesson-done').isVisible(), true);
  await page.getByTestId('lesson-back').click();
  await page.waitForFunction(() => window.playground.link().includes('beta=0.01'));
  await page.goto(`${server.url}?backend=cpu&lesson=exact`);
  await ready(page);
  assert.equal(await page.getByTestId('lesson-done').isVisible(), false, 'a one-step lesson');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a lesson says when the visitor changed what its step set, and its step button goes back', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu&lesson=beta`);
  await ready(page);
  assert.equal(await page.getByTestId('lesson-drift').isVisible(), false);
  await page.getByTestId('beta-input').fill('5e-5');
  await page.getByTestId('beta-input').press('Enter');
  await page.waitForFunction(() => !document.querySelector('[data-testid=lesson-drift]').hidden);
  assert.equal(await page.getByTestId('lesson-drift').textContent(),
    'You changed β (this lesson step uses 1e-4), so the text above may not match what you see. Press “β = 1e-4” to go back to the lesson step.');
  // The step's button stops looking pressed (dashed, not filled) while the run is not its experiment.
  const stepButton = page.getByTestId('lesson-step').first();
  assert.equal(await stepButton.evaluate((b) => b.classList.contains('drifted')), true);
  assert.equal(await stepButton.evaluate((b) => getComputedStyle(b).borderStyle), 'dashed');
  await stepButton.click();
  await page.waitForFunction(() => document.querySelector('[data-testid=lesson-drift]').hidden);
  assert.equal(await stepButton.evaluate((b) => b.classList.contains('drifted')), false);
  assert.equal(await stepButton.evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(23, 78, 166)');
  assert.equal(new URLSearchParams(await page.evaluate(() => window.playground.link())).get('beta'), '1e-4');
  // Every lesson opens on its own settings: no note.
  const { LESSONS } = await import('../../www/src/lessons.js');
  for (const lesson of LESSONS) {
    await page.goto(`${server.url}?backend=cpu&lesson=${lesson.id}`);
    await ready(page);
    assert.equal(await page.getByTestId('lesson-drift').isVisible(), false, lesson.id);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('no lesson opens on a plane that asks to be turned on', async () => {
  const { LESSONS } = await import('../../www/src/lessons.js');
  for (const lesson of LESSONS) {
    for (const step of lesson.steps) {
      const params = new URLSearchParams(step.link);
      const views = (params.get('views') ?? '').split(',');
      assert.ok(params.get('views'), `${lesson.id} ${step.label} names its views`);
      if (views.includes('plane')) assert.equal(params.get('plane'), '1', `${lesson.id} ${step.label}: plane shown and measured`);
      assert.ok(step.look && step.question && step.answer, `${lesson.id} ${step.label} says what to look for, asks and answers`);
    }
  }
});

test('"Can you trust the plane?": at step 3,000 the numbers its text gives, the exact count far from the 8-bin reading', async () => {
  /** The lesson's step `n`, trained to step 3,000: that report's layers. */
  const layersAt3000 = async (page, n) => {
    await page.goto(`${server.url}?backend=cpu&lesson=trust&step=${n}`);
    await ready(page);
    // The lesson pauses the run at step 3,000, where its text reads the numbers.
    await playToLessonPause(page);
    assert.match(await page.getByTestId('notice').textContent(), /Paused at step 3,000, where the lesson reads its numbers/);
    return (await page.evaluate(() => window.playground.reports())).find((r) => r.step === 3000).layers;
  };
  const { page, errors } = await openPage(browser, 'about:blank');
  const near = (got, want, what) => assert.ok(Math.abs(got - want) < 0.06, `${what}: ${got}, the text says about ${want}`);
  // Step 1: "T5 sits near 9.3 bits, μ near 6.2".
  const binned = await layersAt3000(page, 1);
  near(binned[4].ixt_bits, 9.3, 'T5, 30 bins');
  near(binned[5].ixt_bits, 6.2, 'μ, 30 bins');
  // Step 5: "T5 keeps about 11.65 of 11.68 bits ... over 6 bits" from the
  // 8-bin cross; the crosses are drawn.
  const exact = await layersAt3000(page, 5);
  near(exact[4].ixt_bits, 11.65, 'T5, exact');
  near(exact[4].binned_ixt_bits, 5.25, 'T5, 8 bins');
  assert.ok(exact[4].ixt_bits - exact[4].binned_ixt_bits > 6, 'the estimator is over 6 bits off');
  assert.equal(exact[4].estimator, 'exact');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=info-plane] .plane-binned').length === 6);
  await page.screenshot({ path: `${SHOTS}lesson-trust-exact.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('"When Y is a function of X": the IB jumps to nothing between β = 0.2 and 0.25, the squared IB keeps a part, at step 3,000', async () => {
  const { page, errors } = await openPage(browser, 'about:blank');
  /** The lesson's step `n` trained to step 3,000: that report. */
  const at3000 = async (n) => {
    await page.goto(`${server.url}?backend=cpu&lesson=deterministic&step=${n}`);
    await ready(page);
    await playToLessonPause(page);
    return (await page.evaluate(() => window.playground.reports())).find((r) => r.step === 3000);
  };
  const near = (got, want, what) => assert.ok(Math.abs(got - want) < 0.06, `${what}: ${got}, the text says about ${want}`);
  const keeps = await at3000(1);
  // Playing on from the pause: the notice that said "Paused at step 3,000" goes.
  await page.getByTestId('play').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=notice]').textContent.includes('Paused at step'));
  near(keeps.rate_bits, 1.3, 'IB 0.2 rate');
  near(keeps.izy_bits, 0.9, 'IB 0.2 I(Z;Y)');
  const nothing = await at3000(2);
  assert.ok(nothing.rate_bits < 0.01 && nothing.test_acc < 0.55, `IB 0.25 keeps nothing: ${JSON.stringify(nothing)}`);
  const part = await at3000(4);
  near(part.rate_bits, 0.73, 'squared IB 0.5 rate');
  near(part.izy_bits, 0.56, 'squared IB 0.5 I(Z;Y)');
  assert.ok(part.test_acc > 0.95, `accuracy ${part.test_acc}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the model diagram draws the network with live numbers, heat maps on 2-D data, and tooltips', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu#${CIRCLE}`);
  await ready(page);
  await trainMore(page, 300);
  const diagram = page.getByTestId('diagram');
  const names = await diagram.locator('.diagram-name').allTextContents();
  assert.deepEqual(names, ['X', 'T1', 'T2', 'code z = μ + σ·ε', 'Y']);
  assert.equal(await diagram.locator('image.unit-map').count(), 16, 'every hidden unit shows its map');
  assert.equal(await diagram.locator('.diagram-latent circle').count(), 2);
  const text = await diagram.textContent();
  // The flow: bands as wide as the live numbers, moving unless the visitor
  // asks for less motion.
  const { flowWidth } = await import('../../www/src/views/diagram.js');
  const report = (await page.evaluate(() => window.playground.reports())).at(-1);
  const band = (kind) => diagram.locator(`line.diagram-flow[data-flow=${kind}]`);
  assert.equal(Number(await band('rate').getAttribute('stroke-width')), flowWidth(report.rate_bits));
  assert.equal(Number(await band('izy').getAttribute('stroke-width')), flowWidth(report.izy_bits));
  assert.equal(await band('layer').count(), 2, 'X to T1 and T1 to T2, the plane being on');
  assert.equal(await band('rate').evaluate((l) => getComputedStyle(l).animationName), 'diagram-flow');
  await page.emulateMedia({ reducedMotion: 'reduce' });
  assert.equal(await band('rate').evaluate((l) => getComputedStyle(l).animationName), 'none');
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  assert.match(text, /I\(X;T\) \d/);
  assert.match(text, /I\(Z;Y\) ≥ \d/);
  assert.match(text, /rate \d/);
  await diagram.locator('.diagram-latent .diagram-unit').first().focus();
  const tip = await page.getByTestId('tooltip').textContent();
  assert.match(tip, /code unit z1.*rate \d+\.\d+ bits.*mean σ \d/);
  await diagram.locator('.diagram-hidden .diagram-unit').first().hover();
  assert.match(await page.getByTestId('tooltip').textContent(), /T1 unit 1.*I\(X;T\) = \d/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('pins keep runs side by side; the β lesson pins as it goes', async () => {
  const { page } = await openPage(browser, `${server.url}?backend=cpu#${CIRCLE}`);
  await ready(page);
  await trainMore(page, 200);
  await page.getByTestId('pin').click();
  assert.deepEqual(await page.evaluate(() => window.playground.pinned()), [await page.evaluate(() => window.playground.link())]);
  await page.getByTestId('beta-input').fill('1');
  await page.getByTestId('beta-input').press('Enter');
  await trainMore(page, 200);
  assert.ok(await page.locator('#curves .curve-pinned').count() > 0, 'pinned curves drawn');
  assert.ok(await page.locator('[data-testid=info-plane] .plane-pinned').count() > 0, 'pinned plane drawn');
  // The legend draws the code Z and pin 1's code as the plot does, outlined
  // squares, and the caption says what the dashed paths are.
  assert.equal(await page.locator('[data-testid=info-plane] .legend-group rect[fill=none]').count(), 2);
  assert.match(await page.getByTestId('plane-note').textContent(), /Dashed paths in a pin’s colour: the pinned runs/);
  assert.ok(await page.locator('[data-testid=sweep-plot] .sweep-pinned').count() === 1, 'pinned IB dot');
  assert.ok(await page.locator('#curves .beta-change').count() >= 1, 'the β change is marked');
  // Named by what differs from the run on screen, β written short.
  // (each entry names the quantities drawn dashed in its panel).
  assert.match(await page.locator('#curves').textContent(), /pin 1 \(dashed (loss|rate|I\(Z;Y\) bound|train accuracy|test accuracy)(, (loss|rate|I\(Z;Y\) bound|train accuracy|test accuracy))*\): β = 1e-3/);
  assert.match(await page.locator('#curves').textContent(), /pin 1 \(dashed train accuracy, test accuracy\): β = 1e-3/);
  // Hovering a panel gives the pin's values at that step, by quantity.
  const area = page.locator('#curves .hover-area').first();
  const box = await area.boundingBox();
  await area.hover({ position: { x: box.width * 0.3, y: box.height / 2 } });
  assert.match(await page.getByTestId('tooltip').textContent(), /pin 1 (loss|rate|I\(Z;Y\) bound|train accuracy|test accuracy): [\d.]+ bits/);
  await page.getByTestId('unpin').click();
  assert.deepEqual(await page.evaluate(() => window.playground.pinned()), []);
  await page.goto(`${server.url}?backend=cpu&lesson=beta`);
  await ready(page);
  await trainMore(page, 150);
  await page.getByTestId('lesson-next').click();
  // The run on screen is the step's (a pin keeps the run on screen).
  await page.waitForFunction(() => window.playground.runLink().includes('beta=0.01'));
  await trainMore(page, 150);
  await page.getByTestId('lesson-next').click();
  await page.waitForFunction(() => window.playground.runLink().includes('beta=1&'));
  const pinned = await page.evaluate(() => window.playground.pinned());
  assert.equal(pinned.length, 2);
  assert.match(pinned[0], /beta=1e-4/);
  assert.match(pinned[1], /beta=0\.01/);
  // The new run's first reports: the step axis follows it, not the pins'
  // longer runs, which are cut at its last step.
  await trainMore(page, 50);
  const extent = await page.$eval('#curves g.curves-panel', (g) => {
    const right = (sel) => Math.max(...[...g.querySelectorAll(sel)].map((p) => p.getBBox().x + p.getBBox().width));
    return { plot: g.querySelector('.hover-area').getBBox().width, run: right('path.curve'), pins: right('path.curve-pinned') };
  });
  // (The axis ends on a round step at or past the run's last.)
  assert.ok(extent.run > 0.5 * extent.plot && extent.pins <= extent.run + 1, `the run on screen spans the axis: ${JSON.stringify(extent)}`);
  // Each pin its own colour and legend entry.
  const pinColours = await page.$$eval('#curves g.curves-panel:first-of-type path.curve-pinned', (p) => [...new Set(p.map((x) => x.getAttribute('stroke')))]);
  assert.equal(pinColours.length, 2, `pin colours ${pinColours}`);
  // Neither looks like a moment of the run on the plane, whose time scale
  // runs through the hues 275 (purple) down to 30 (orange), or is grey.
  for (const colour of pinColours) {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16) / 255);
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    const hue = max === min ? null : (360 + 60 * (max === r ? (g - b) / (max - min) : max === g ? 2 + (b - r) / (max - min) : 4 + (r - g) / (max - min))) % 360;
    assert.ok(hue === null || hue > 290 || hue < 15, `pin colour ${colour}: hue ${hue}`);
  }
  const legendText = await page.locator('#curves').textContent();
  assert.match(legendText, /pin 1 \(dashed (loss|rate|I\(Z;Y\) bound|train accuracy|test accuracy)(, (loss|rate|I\(Z;Y\) bound|train accuracy|test accuracy))*\): β = 1e-4/);
  assert.match(legendText, /pin 2 \(dashed (loss|rate|I\(Z;Y\) bound|train accuracy|test accuracy)(, (loss|rate|I\(Z;Y\) bound|train accuracy|test accuracy))*\): β = 1e-2/);
  await trainMore(page, 150);
  await page.screenshot({ path: `${SHOTS}lesson-beta-pins.png`, fullPage: true });
  // Legends that wrap onto more rows (the pins') stay inside their plots,
  // on a laptop and on a phone.
  assert.deepEqual(await clippedLegends(page), []);
  await page.setViewportSize({ width: 360, height: 740 });
  await trainMore(page, 150);
  assert.deepEqual(await clippedLegends(page), []);
  // A plot shown narrower than it is drawn still reads its text at 10 px.
  const shown = await page.$$eval('[data-testid=info-plane], #curves, [data-testid=sweep-plot]', (svgs) => svgs.map((svg) => {
    const text = svg.querySelector('text.legend');
    return parseFloat(getComputedStyle(text).fontSize) * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  }));
  assert.ok(shown.length === 3 && shown.every((px) => px >= 9.9), `legend text at ${shown} px`);
  await page.screenshot({ path: `${SHOTS}lesson-beta-pins-360.png`, fullPage: true });
  await page.close();
});

test('a legend entry longer than its row wraps at spaces', async () => {
  const { wrapLabel } = await import('../../www/src/plot.js');
  const label = 'pin 2 (dashed loss, rate, I(Z;Y) bound): β = 1e-2';
  const rows = wrapLabel(label, 30);
  assert.deepEqual(rows, ['pin 2 (dashed loss, rate,', 'I(Z;Y) bound): β = 1e-2']);
  assert.deepEqual(wrapLabel(label, 80), [label]);
  assert.deepEqual(wrapLabel('a-very-long-word b', 5), ['a-very-long-word', 'b']);
});

/** The legend texts drawn outside their SVG's box (so cut off). */
function clippedLegends(page) {
  return page.evaluate(() => [...document.querySelectorAll('svg')].flatMap((svg) => {
    const box = svg.getBoundingClientRect();
    if (!box.height) return [];
    return [...svg.querySelectorAll('text.legend')]
      .filter((t) => { const b = t.getBoundingClientRect(); return b.height && (b.bottom > box.bottom + 1 || b.right > box.right + 1); })
      .map((t) => `${svg.closest('section')?.id ?? 'svg'}: ${t.textContent}`);
  }));
}

test('the IB curve is live: this model moves on it, and a sweep point gives its β', async () => {
  const { page } = await openPage(browser, `${server.url}?backend=cpu#${CIRCLE}`);
  await ready(page);
  await trainMore(page, 150);
  const before = Number(await page.getByTestId('ib-current').getAttribute('cx'));
  const rateBand = page.locator('[data-testid=diagram] line.diagram-flow[data-flow=rate]');
  const bandBefore = Number(await rateBand.getAttribute('stroke-width'));
  await page.getByTestId('beta-input').fill('1');
  await page.getByTestId('beta-input').press('Enter');
  await trainMore(page, 300);
  const after = Number(await page.getByTestId('ib-current').getAttribute('cx'));
  assert.ok(after < before, `the dot moves to a lower rate: ${before} -> ${after}`);
  // The flow into the code narrows with it, in the model diagram.
  const bandAfter = Number(await rateBand.getAttribute('stroke-width'));
  assert.ok(bandAfter < bandBefore, `the rate band narrows: ${bandBefore} -> ${bandAfter}`);
  await page.getByTestId('sweep').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=sweep]').disabled, null, { timeout: 120_000 });
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  // A click at the centre of every point of the sweep reaches a point (this
  // model's trail and label once lay over them).
  const covered = await page.$$eval('[data-testid=sweep-plot] circle.sweep-point', (points) => points.filter((p) => {
    p.scrollIntoView({ block: 'center' });
    const box = p.getBoundingClientRect();
    // (Points of nearly equal rate and bound may overlap each other.)
    return !document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2)?.classList.contains('sweep-point');
  }).map((p) => p.getAttribute('aria-label')));
  assert.deepEqual(covered, []);
  const point = page.locator('[data-testid=sweep-plot] circle.sweep-point').nth(2);
  const label = await point.getAttribute('aria-label');
  const beta = label.match(/β = ([\d.e+-]+)/)[1];
  await point.click({ timeout: 60_000 });
  // The link records the β taken, as the last β change of its `live` key.
  await page.waitForFunction((b) => {
    const changes = (new URLSearchParams(window.playground.link()).get('live') ?? '').split(',');
    const last = changes.filter((c) => c.split(':')[1] === 'beta').pop();
    return Number(last?.split(':')[2]).toPrecision(2) === Number(b).toPrecision(2);
  }, beta);
  await page.close();
});

test('the exact IB of a table: the CLI\'s numbers, presets, β on hover, the encoder along β', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu&lesson=ib-curve`);
  await ready(page);
  await page.waitForFunction(() => window.playground.ibCurve() !== null, null, { timeout: 60_000 });
  const table = await page.getByTestId('pxy').inputValue();
  const dir = await mkdtemp(join(tmpdir(), 'ibp-pxy-'));
  await writeFile(join(dir, 'pxy.csv'), table);
  const ibp = ['target/release/ibp', 'target/debug/ibp'].find((p) => existsSync(p));
  const cli = JSON.parse(execFileSync(ibp, ['ib-curve', '--pxy', join(dir, 'pxy.csv')], { encoding: 'utf8' }));
  const page_ = await page.evaluate(() => window.playground.ibCurve());
  assert.equal(page_.points.length, cli.points.length);
  assert.ok(Math.abs(page_.ixy_bits - cli.ixy_bits) < 1e-12 && Math.abs(page_.hx_bits - cli.hx_bits) < 1e-12);
  page_.points.forEach((p, i) => {
    const c = cli.points[i];
    // The grid's exp and ln may round differently in WebAssembly's libm.
    if (c.beta === null) assert.equal(p.beta, null, `point ${i} beta`);
    else assert.ok(Math.abs(p.beta - c.beta) <= 1e-12 * c.beta, `point ${i} beta ${p.beta} vs ${c.beta}`);
    assert.ok(Math.abs(p.ixt_bits - c.ixt_bits) < 1e-9 && Math.abs(p.ity_bits - c.ity_bits) < 1e-9, `point ${i}`);
  });
  const end = page_.points.at(-1);
  assert.ok(Math.abs(end.ixt_bits - page_.hx_bits) < 1e-9 && Math.abs(end.ity_bits - page_.ixy_bits) < 1e-9, 'the hull ends at (H(X), I(X;Y))');
  const titles = await page.$$eval('[data-testid=ib-curve] circle.ib-point title', (t) => t.map((x) => x.textContent));
  assert.ok(titles.length === page_.points.length && titles.every((t) => /^β (= \d|→ ∞)/.test(t)), `hover text ${titles}`);
  // The encoder splits into two clusters after the critical β (1.5625).
  const clusters = async (index) => {
    await page.getByTestId('ib-beta').fill(String(index));
    return page.locator('[data-testid=ib-encoder] text').first().textContent();
  };
  assert.match(await clusters(0), /^β = [\d.]+: 1 cluster of x$/);
  assert.match(await clusters(120), /2 clusters/);
  // On a phone the encoder's text stays inside its picture.
  await page.setViewportSize({ width: 360, height: 740 });
  assert.deepEqual(await clippedLegends(page), []);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.selectOption('#pxy-preset', { index: 1 });
  await page.waitForFunction(() => Math.abs(window.playground.ibCurve().hx_bits - 1.5219) < 1e-3, null, { timeout: 30_000 });
  await page.getByTestId('pxy').fill('0.5,0.1\n0.2,x');
  await page.waitForFunction(() => document.querySelector('[data-testid=ib-status]').textContent.includes("row 2, column 2: 'x' is not a finite number"), null, { timeout: 10_000 });
  assert.deepEqual(errors, []);
  await page.screenshot({ path: `${SHOTS}lesson-ib-curve.png`, fullPage: true });
  await page.close();
});

test('tooltips and legends: curves, latent space, class colours, a negative bound read as ≈ 0', async () => {
  const { page } = await openPage(browser, `${server.url}?backend=cpu#${CIRCLE.replace('beta=1e-3', 'beta=1')}`);
  await ready(page);
  await trainMore(page, 300);
  const area = page.locator('#curves .hover-area').first();
  const box = await area.boundingBox();
  await area.hover({ position: { x: box.width * 0.6, y: box.height / 2 } });
  assert.match(await page.getByTestId('tooltip').textContent(), /^step \d+.*rate: \d/);
  assert.deepEqual(await page.$$eval('#latent-legend span', (s) => s.map((x) => x.textContent)), ['0', '1']);
  assert.deepEqual(await page.$$eval('#map-legend span', (s) => s.map((x) => x.textContent)), ['0', '1']);
  // The latent space is drawn as finely as it is shown (it was 320 pixels
  // stretched over a wider panel, its text blurred), and at β = 1, where
  // the codes collapse to the origin, a point under the pointer says its class.
  const latent = page.locator('#latent');
  const fine = await latent.evaluate((c) => c.width / c.getBoundingClientRect().width);
  assert.ok(fine >= 0.99, `latent canvas at ${fine} pixels per shown px`);
  // A point's dot: a pixel of its class colour, opaque (the ellipses are
  // faint), found on the canvas, in the canvas's shown px.
  const dot = await latent.evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const classes = [[0x1f, 0x77, 0xb4], [0xd9, 0x5f, 0x02]];
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] === 255 && classes.some(([r, g, b]) => d[i] === r && d[i + 1] === g && d[i + 2] === b)) {
        const shown = c.getBoundingClientRect();
        return { x: ((i / 4) % c.width) * shown.width / c.width, y: Math.floor(i / 4 / c.width) * shown.height / c.height };
      }
    }
    return null;
  });
  assert.ok(dot, 'a point drawn in its class colour');
  await latent.hover({ position: dot });
  assert.match(await page.getByTestId('tooltip').textContent(), /^class \d/);
  const izy = await page.getByTestId('izy').textContent();
  const value = Number(await page.getByTestId('izy').getAttribute('data-value'));
  if (value < 0) assert.match(izy, /^≈ 0 \(bound -\d/);
  await page.getByTestId('map-test').check();
  assert.equal(await page.getByTestId('map-test').isChecked(), true);
  await page.close();
});

test('phones: plots before the controls, which live in a drawer; embeds default to plots and offer their options', async () => {
  const { page } = await openPage(browser, `${server.url}?backend=cpu#${CIRCLE}`, { width: 360, height: 740 });
  await ready(page);
  // The plots follow the run panel at once; the knobs wait in the drawer.
  const run = await page.locator('.run').boundingBox();
  const firstView = await page.locator('#view-diagram').boundingBox();
  assert.ok(firstView.y - (run.y + run.height) < 40, `the first plot follows the run panel: ${JSON.stringify([run, firstView])}`);
  const drawerLeft = () => page.locator('#drawer').evaluate((e) => e.getBoundingClientRect().left);
  assert.ok(await drawerLeft() >= 360, 'the drawer is closed');
  await page.getByTestId('drawer-toggle').click();
  // The drawer slides in (a CSS transition): wait until it is on screen.
  await page.waitForFunction(() => document.querySelector('#drawer').getBoundingClientRect().left < 360);
  assert.equal(await page.getByTestId('drawer-toggle').getAttribute('aria-expanded'), 'true');
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByTestId('embed-code').click();
  const snippet = () => page.getByTestId('embed-snippet').inputValue();
  assert.match(await snippet(), /controls=0/);
  await page.getByTestId('embed-controls').check();
  assert.doesNotMatch(await snippet(), /controls=0/);
  await page.getByTestId('embed-autoplay').uncheck();
  assert.doesNotMatch(await snippet(), /autoplay=1/);
  await page.getByTestId('embed-view-latent').check();
  assert.match(await snippet(), /views=[a-z%0-9C]*latent/);
  await page.waitForFunction(() => document.querySelector('[data-testid=embed-preview]').src.includes('embed=1'));
  await page.close();
});

test('on a phone the first lesson is one tap from a plain visit, outside the folded intro', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu`, { width: 360, height: 740 });
  await ready(page);
  assert.equal(await page.getByTestId('intro').getAttribute('open'), null, 'the intro is folded on a phone');
  const start = page.getByTestId('start-folded').locator('a');
  assert.ok(await start.isVisible());
  const box = await start.boundingBox();
  assert.ok(box.y + box.height < 740, `on the first screen: ${JSON.stringify(box)}`);
  assert.equal(await start.getAttribute('href'), '?lesson=beta&backend=cpu');
  await start.click();
  await page.waitForFunction(() => document.querySelector('[data-testid=lesson] h2')?.textContent === 'What β does');
  // In a lesson the link is not repeated; on a laptop the open intro has its own.
  assert.equal(await page.getByTestId('start-folded').isVisible(), false);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.evaluate(() => localStorage.clear());
  await page.goto(`${server.url}?backend=cpu`);
  await ready(page);
  assert.equal(await page.getByTestId('intro').getAttribute('open'), '');
  assert.equal(await page.getByTestId('start-folded').isVisible(), false);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a lesson\'s own Play shows only while the run\'s Play is out of sight, and plays the run', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu&lesson=beta`, { width: 360, height: 640 });
  await ready(page);
  const shown = (want) => page.waitForFunction((w) => document.querySelector('[data-testid=lesson-play]').hidden === !w, want);
  // A phone opens the lesson scrolled into view, the run's Play above it.
  await shown(true);
  // At the top the run's Play is in view: one Play button, not two.
  await page.evaluate(() => window.scrollTo(0, 0));
  await shown(false);
  // Down at the lesson's Back and Next, the run's Play is a screen above.
  await page.evaluate(() => document.querySelector('[data-testid=lesson-next]').scrollIntoView({ block: 'end' }));
  await shown(true);
  assert.equal(await page.getByTestId('lesson-progress').textContent(), 'step 0 of 1,000');
  // Pressed, it plays the run (read in the same turn: the lesson's pause
  // at step 1,000 may come back soon after).
  const pressed = await page.evaluate(() => {
    document.querySelector('[data-testid=lesson-play]').click();
    return [document.querySelector('[data-testid=play]').getAttribute('aria-pressed'), document.querySelector('[data-testid=lesson-play]').textContent];
  });
  assert.deepEqual(pressed, ['true', 'Pause']);
  // The run's progress shows beside it, where the student is, up to the
  // lesson's pause.
  await page.waitForFunction(() => document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'false');
  assert.equal(await page.getByTestId('lesson-progress').textContent(), 'step 1,000 of 1,000');
  assert.equal(await page.getByTestId('lesson-play').textContent(), 'Play');
  await page.evaluate(() => window.scrollTo(0, 0));
  await shown(false);
  assert.equal(await page.getByTestId('lesson-progress').isVisible(), false);
  // On a laptop both sit on the first screen: the lesson's stays hidden.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.evaluate(() => document.querySelector('[data-testid=lesson-next]').scrollIntoView({ block: 'end' }));
  await shown(false);
  assert.ok(await page.getByTestId('play').isVisible());
  assert.deepEqual(errors, []);
  await page.close();
});

test('a lesson\'s own Play follows the last of several visibility changes delivered at once', async () => {
  // On a loaded machine one observer callback carried two changes (out of
  // sight, then in, then out again) and the page read the first: the
  // lesson's Play stayed hidden with the run's Play off screen (a CI run).
  const page = await browser.newPage({ viewport: { width: 360, height: 640 } });
  await page.addInitScript(() => {
    window.IntersectionObserver = class {
      constructor(callback) { window.deliverIntersections = (...seen) => callback(seen.map((isIntersecting) => ({ isIntersecting }))); }
      observe() {}
      disconnect() {}
    };
  });
  await page.goto(`${server.url}?backend=cpu&lesson=beta`);
  await ready(page);
  const hiddenAfter = (...seen) => page.evaluate((s) => {
    window.deliverIntersections(...s);
    return [document.querySelector('[data-testid=lesson-play]').hidden, document.querySelector('[data-testid=lesson-progress]').hidden];
  }, seen);
  assert.deepEqual(await hiddenAfter(true, false), [false, false]);
  assert.deepEqual(await hiddenAfter(false, true), [true, true]);
  assert.deepEqual(await hiddenAfter(true, false, true, false), [false, false]);
  await page.close();
});

test('a course site on a sub-path trains, and works offline after the first visit', async () => {
  const site = await serveStatic(DIST, '/course/ibp/');
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${site.url}?backend=cpu#${CIRCLE}`);
    await ready(page);
    await page.getByTestId('offline').waitFor({ state: 'visible', timeout: 30_000 });
    await trainMore(page, 150);
    assert.ok((await page.evaluate(() => window.playground.reports())).length > 1);
    await context.setOffline(true);
    await page.reload();
    await ready(page);
    await trainMore(page, 150);
    assert.ok((await page.evaluate(() => window.playground.reports())).some((r) => r.step > 0), 'trains offline');
  } finally {
    await context.close();
    await site.close();
  }
});

test('the pixels lesson says what the screen shows at step 2,000: the middle lit, the border dark, fewer pixels at a higher β', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu&lesson=pixels`);
  await ready(page);
  const at2000 = async () => {
    await playToLessonPause(page);
    const r = (await page.evaluate(() => window.playground.reports())).find((x) => x.step === 2000);
    const f = r.rate_features_bits;
    const mean = (cells) => cells.reduce((a, i) => a + f[i], 0) / cells.length;
    const border = [...Array(64).keys()].filter((i) => i < 8 || i >= 56 || i % 8 === 0 || i % 8 === 7);
    const middle = [...Array(64).keys()].filter((i) => i % 8 >= 2 && i % 8 <= 5 && i >= 16 && i < 48);
    return { border: mean(border), middle: mean(middle), active: f.filter((v) => v > 0.1).length, acc: r.test_acc };
  };
  // The text: the middle about 1.3 bits, the border about 0.3, about 36 pixels.
  const low = await at2000();
  assert.ok(Math.abs(low.middle - 1.3) < 0.15 && Math.abs(low.border - 0.3) < 0.1, JSON.stringify(low));
  assert.ok(Math.abs(low.active - 36) <= 4, JSON.stringify(low));
  await page.getByTestId('lesson-next').click();
  await page.waitForFunction(() => window.playground.runLink().includes('beta=0.05'));
  // About 23 pixels, the middle about 0.7 bits; the accuracy falls a little.
  const high = await at2000();
  assert.ok(Math.abs(high.active - 23) <= 4 && Math.abs(high.middle - 0.7) < 0.15, JSON.stringify(high));
  assert.ok(high.acc < low.acc && high.acc > low.acc - 0.1, JSON.stringify([low, high]));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the compression lesson says what the plane shows at epoch 250: T5 down about 0.9 bits with tanh, 0.6 with ReLU', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu&lesson=compression`);
  await ready(page);
  const lost = async () => {
    await playToLessonPause(page);
    const series = (await page.evaluate(() => window.playground.reports())).filter((r) => r.layers && r.step <= 3200)
      .map((r) => r.layers.find((l) => l.layer === 'encoder 5').ixt_bits);
    return Math.max(...series) - series.at(-1);
  };
  const tanh = await lost();
  assert.ok(Math.abs(tanh - 0.9) < 0.1, `tanh T5 lost ${tanh} bits`);
  await page.getByTestId('lesson-next').click();
  await page.waitForFunction(() => window.playground.runLink().includes('act=relu'));
  const relu = await lost();
  assert.ok(Math.abs(relu - 0.6) < 0.1 && relu < tanh, `relu T5 lost ${relu} bits (tanh ${tanh})`);
  assert.deepEqual(errors, []);
  await page.close();
});

/** The lesson's reports up to the pause at `step`, after Play. */
async function reportsToPause(page, step) {
  await playToLessonPause(page);
  const reports = (await page.evaluate(() => window.playground.reports())).filter((r) => r.step <= step);
  assert.equal(reports.at(-1).step, step, 'paused where the text reads its numbers');
  return reports;
}

test('the β lesson says what step 1,000 shows: about 10 bits at 1e-4 (after a rise past 12), about 4 at 1e-2, nothing at 1', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu&lesson=beta`);
  await ready(page);
  const near = (got, want, tol, what) => assert.ok(Math.abs(got - want) <= tol, `${what}: ${got}, the text says about ${want}`);
  const low = await reportsToPause(page, 1000);
  near(low.at(-1).rate_bits, 10, 0.5, 'β = 1e-4 rate');
  assert.ok(low.at(-1).izy_bits > 0.95, `I(Z;Y) ${low.at(-1).izy_bits}`);
  // "dips below 11 bits at step 100, climbs back to about 12 at step 200".
  const at = (step) => low.find((r) => r.step === step).rate_bits;
  assert.ok(at(100) < 11 && Math.abs(at(200) - 12) < 0.25 && at(0) > at(100), JSON.stringify(low.slice(0, 7).map((r) => r.rate_bits)));
  await page.getByTestId('lesson-next').click();
  await page.waitForFunction(() => window.playground.runLink().includes('beta=0.01'));
  const mid = (await reportsToPause(page, 1000)).at(-1);
  near(mid.rate_bits, 4, 0.5, 'β = 1e-2 rate');
  assert.ok(mid.test_acc === 1 && mid.izy_bits > 0.95, JSON.stringify(mid));
  await page.getByTestId('lesson-next').click();
  await page.waitForFunction(() => window.playground.runLink().includes('beta=1&'));
  const high = await reportsToPause(page, 1000);
  assert.ok(high.filter((r) => r.step >= 100).every((r) => r.rate_bits < 0.01), 'rate 0 within a hundred steps');
  near(high.at(-1).test_acc, 0.47, 0.03, 'β = 1 accuracy');
  assert.equal(await page.getByTestId('curves-empty').count(), 0, 'a trained run draws its curves');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the exact lesson says what the sweep shows at step 1,000: 0.72 to 0.83 bits whatever the rate, the largest gap mid-range, the nearest point near the knee', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu&lesson=exact`);
  await ready(page);
  // Untrained: the curves' empty axes say what fills them; no speed yet.
  assert.equal(await page.getByTestId('curves-empty').textContent(), 'Press Play: the curves draw as the run trains');
  assert.match(await page.getByTestId('speed').textContent(), /^\d+ parameters$/);
  await page.getByTestId('sweep').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=sweep]').disabled && window.playground.sweep().length === 8);
  const family = await page.evaluate(() => window.playground.sweep());
  assert.ok(family.every((r) => r.step === 1000), JSON.stringify(family.map((r) => r.step)));
  const kept = family.filter((r) => r.beta <= 0.2);
  assert.equal(kept.length, 7);
  assert.ok(kept.every((r) => r.izy_bits >= 0.71 && r.izy_bits <= 0.84 && r.rate_bits >= 1.3 && r.rate_bits <= 17.5), JSON.stringify(kept));
  const gap = (r) => Math.min(r.rate_bits, 1) - r.izy_bits;
  const widest = kept.reduce((a, b) => (gap(b) > gap(a) ? b : a));
  const nearest = kept.reduce((a, b) => (gap(b) < gap(a) ? b : a));
  assert.ok(widest.beta >= 1e-3 && widest.beta <= 1e-2 && Math.abs(gap(widest) - 0.28) < 0.02, `widest gap ${JSON.stringify(widest)}`);
  assert.ok(Math.abs(nearest.beta - 0.04) < 0.01 && Math.abs(nearest.rate_bits - 2.3) < 0.1 && Math.abs(nearest.izy_bits - 0.83) < 0.01, `nearest ${JSON.stringify(nearest)}`);
  const origin = family.find((r) => r.beta === 1);
  assert.ok(origin.rate_bits < 0.01 && origin.izy_bits < 0.01, JSON.stringify(origin));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the regenerate lesson says what step 2,000 shows: about 51, 13 and 0.1 bits, dimensions collapsing only at β = 3', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu&lesson=regenerate`);
  await ready(page);
  const near = (got, want, tol, what) => assert.ok(Math.abs(got - want) <= tol, `${what}: ${got}, the text says about ${want}`);
  const at2000 = async (beta) => {
    if (beta) {
      await page.getByTestId('lesson-next').click();
      await page.waitForFunction((b) => window.playground.runLink().includes(`beta=${b}&`), beta);
    }
    return (await reportsToPause(page, 2000)).at(-1);
  };
  const sharp = await at2000(null);
  near(sharp.rate_bits, 51, 1.5, 'β = 0.01 rate');
  near(sharp.distortion_bits, 26, 0.5, 'β = 0.01 distortion');
  assert.ok(sharp.rate_dims_bits.every((d) => d >= 5 && d <= 9.5), JSON.stringify(sharp.rate_dims_bits));
  const blurred = await at2000('0.3');
  near(blurred.rate_bits, 13, 0.5, 'β = 0.3 rate');
  near(blurred.distortion_bits, 28.5, 0.3, 'β = 0.3 distortion');
  assert.ok(blurred.rate_dims_bits.every((d) => d >= 1.15 && d <= 2.2), `all 8 dimensions keep bits: ${blurred.rate_dims_bits}`);
  const blob = await at2000('3');
  near(blob.rate_bits, 0.1, 0.05, 'β = 3 rate');
  near(blob.distortion_bits, 39.5, 0.3, 'β = 3 distortion');
  assert.ok(blob.rate_dims_bits.every((d) => d < 0.1), `every dimension collapsed: ${blob.rate_dims_bits}`);
  assert.ok(sharp.distortion_bits < blurred.distortion_bits && blurred.distortion_bits < blob.distortion_bits);
  assert.deepEqual(errors, []);
  await page.close();
});

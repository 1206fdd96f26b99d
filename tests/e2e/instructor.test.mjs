// For instructors: the guide (?instructor=1) with every lesson's goal, time,
// assumptions, questions, answers and exercises, and exercises that the page
// checks on the student's own run, in a lesson and alone (embeddable).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXERCISES, GUIDE } from '../../www/src/instructor.js';
import { LESSONS } from '../../www/src/lessons.js';
import { setDefaults } from '../../www/src/link-values.js';
import { openPage, ready, servePageAndBrowser, trainTo } from './harness.mjs';

let server;
let browser;
servePageAndBrowser((s, b) => { server = s; browser = b; });

test('every exercise judges a run by its numbers', () => {
  setDefaults([{ name: 'act', default: 'tanh' }, { name: 'objective', default: 'vib' }, { name: 'seed', default: '1' },
    { name: 'estimator', default: 'binning' }, { name: 'quant', default: '0' }]);
  const report = (r) => ({ step: 1000, beta: 0.2, rate_bits: 1.4, test_acc: 1, ...r });
  const [keep, nothing] = EXERCISES.beta;
  assert.equal(keep.check([report()], '').done, true);
  assert.match(keep.check([report()], '').says, /rate 1\.40 bits, test accuracy 100\.0 %/);
  assert.equal(keep.check([report({ rate_bits: 4.1 })], '').done, false, 'too much rate');
  assert.equal(keep.check([report({ test_acc: 0.465, rate_bits: 0 })], '').done, false, 'the label lost');
  assert.equal(keep.check([report({ step: 500 })], '').done, false, 'not trained far enough');
  assert.equal(nothing.check([report({ rate_bits: 0.0003, test_acc: 0.465 })], '').done, true);
  const [sqib, vib] = EXERCISES.deterministic;
  const at3000 = [report({ step: 3000, rate_bits: 0.73, test_acc: 0.995 })];
  assert.equal(sqib.check(at3000, 'objective=sqib').done, true);
  assert.equal(sqib.check(at3000, 'objective=vib').done, false, 'the objective must be sqib');
  assert.equal(vib.check([report({ step: 3000, rate_bits: 1.3 })], 'objective=vib').done, false);
  // Compression: T5 over the plane's reports, peak minus end.
  const plane = (step, t5) => ({ step, layers: [{ layer: 'encoder 1', ixt_bits: 11 }, { layer: 'encoder 5', ixt_bits: t5 }, { layer: 'Z', ixt_bits: 2 }] });
  const run = [plane(0, 9), plane(320, 10.4), plane(3200, 8.9)];
  assert.equal(EXERCISES.compression[0].check(run, 'act=tanh&seed=3').done, true);
  assert.match(EXERCISES.compression[0].check(run, 'act=tanh&seed=3').says, /seed 3: T5 lost 1\.50 bits/);
  assert.equal(EXERCISES.compression[0].check(run, 'act=relu').done, false);
  assert.equal(EXERCISES.compression[1].check(run, 'act=tanh&quant=8&estimator=exact').done, true);
  // Every lesson has its guide entry.
  assert.deepEqual(Object.keys(GUIDE).sort(), LESSONS.map((l) => l.id).sort());
});

test('the guide lists every lesson with its goal, time, assumptions, questions and answers, and links each exercise', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu&instructor=1`);
  await ready(page);
  assert.equal(await page.getByTestId('instructor-link').getAttribute('href'), '?instructor=1');
  const lessons = page.getByTestId('guide-lesson');
  assert.equal(await lessons.count(), LESSONS.length);
  const beta = await lessons.first().innerText();
  assert.match(beta, /^What β does\n+Goal: See the price of a bit/);
  assert.match(beta, /Time: about 10 minutes\. Assumes: entropy and mutual information in bits/);
  assert.match(beta, /β = 1e-4: How many of the rate’s bits does the label need\?/);
  assert.equal(await lessons.first().locator('details').count(), 3, 'an answer per step');
  const links = await lessons.first().locator('a').evaluateAll((a) => a.map((x) => x.getAttribute('href')));
  assert.deepEqual(links, ['?lesson=beta&backend=cpu', '?lesson=beta&backend=cpu&exercise=1', '?lesson=beta&backend=cpu&exercise=2']);
  await page.screenshot({ path: 'test-results/instructor.png', fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('an exercise alone checks the student\'s run: not yet at β = 1e-4, done at β = 0.2 after 1,000 steps', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu&lesson=beta&exercise=1`);
  await ready(page);
  assert.equal(await page.getByTestId('exercise').count(), 1);
  const verdict = page.getByTestId('exercise-verdict');
  assert.match(await verdict.textContent(), /^Not yet: train to step 1,000/);
  await trainTo(page, 1000);
  assert.match(await verdict.textContent(), /^Not yet: β = 0\.0001: rate \d+\.\d\d bits/);
  // The student's answer: a higher price, a new run from step 0.
  await page.getByTestId('beta-input').fill('0.2');
  await page.getByTestId('beta-input').press('Enter');
  await page.getByTestId('reset').click();
  await page.waitForFunction(() => window.playground.reports().every((r) => r.step === 0 || r.beta === 0.2));
  await trainTo(page, 1000);
  assert.match(await verdict.textContent(), /^Done: β = 0\.2: rate [01]\.\d\d bits, test accuracy (9[5-9]|100)\.\d %\.$/);
  assert.deepEqual(errors, []);
  await page.close();
});

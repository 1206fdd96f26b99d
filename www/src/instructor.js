// For instructors: per lesson its goal, the time it needs on a 2-core
// laptop's CPU path, what it assumes, its questions with answers, and
// exercises whose answers the page checks on the student's own run (the
// run on screen: its link and reports). `?instructor=1` shows the guide;
// a lesson shows its exercises under its steps, each with a live verdict;
// `?lesson=ID&exercise=N` (1-based; `&embed=1` for a course page) shows
// that exercise alone.
import { linkValue } from './link-values.js';

/** Minutes a lesson takes (reading and training, a 2-core laptop's CPU) and what it assumes. */
export const GUIDE = {
  beta: { minutes: 10, assumes: 'entropy and mutual information in bits; a classifier and its cross-entropy loss' },
  compression: { minutes: 20, assumes: 'the information plane (the intro); what a hidden layer and an activation function are' },
  trust: { minutes: 15, assumes: 'the information plane; histograms (binning) and kernel density estimates' },
  deterministic: { minutes: 10, assumes: 'the IB Lagrangian; the lesson “What β does”' },
  mnist: { minutes: 40, assumes: 'the variational bound on I(X;Z) (the rate); test error; a GPU helps' },
  pixels: { minutes: 10, assumes: 'the lesson “What β does”' },
  exact: { minutes: 10, assumes: 'the IB curve: I(T;Y) against I(X;T)' },
  regenerate: { minutes: 15, assumes: 'autoencoders; the rate as the bits a code keeps' },
  'ib-curve': { minutes: 10, assumes: 'joint distributions p(x, y); the IB curve' },
};

const last = (history) => history.at(-1);
const pct = (v) => `${(100 * v).toFixed(1)} %`;
const bits = (v) => `${v.toFixed(2)} bits`;

/** The last hidden layer's I(X;T) over the run's plane reports. */
function lastHiddenSeries(history) {
  return history.filter((r) => r.layers).map((r) => r.layers.filter((l) => l.layer.startsWith('encoder ')).at(-1)?.ixt_bits).filter(Number.isFinite);
}

/**
 * Exercises by lesson. `check(history, link)` gives {done, says}: whether
 * the run on screen answers the task, and its numbers in words.
 */
export const EXERCISES = {
  beta: [
    {
      task: 'Find a β at which, after 1,000 steps, the test accuracy is at least 95 % and the rate below 2 bits: the code keeps the label and little else.',
      check: (history) => {
        const r = last(history);
        if (!r || r.step < 1000) return { done: false, says: `train to step 1,000 (now at step ${r?.step ?? 0})` };
        const ok = r.test_acc >= 0.95 && r.rate_bits < 2;
        return { done: ok, says: `β = ${r.beta}: rate ${bits(r.rate_bits)}, test accuracy ${pct(r.test_acc)}` };
      },
    },
    {
      task: 'Find a β at which the code keeps nothing: after 1,000 steps the rate is below 0.05 bits. What happens to the accuracy?',
      check: (history) => {
        const r = last(history);
        if (!r || r.step < 1000) return { done: false, says: `train to step 1,000 (now at step ${r?.step ?? 0})` };
        return { done: r.rate_bits < 0.05, says: `β = ${r.beta}: rate ${bits(r.rate_bits)}, test accuracy ${pct(r.test_acc)}` };
      },
    },
  ],
  compression: [
    {
      task: 'With tanh, find a seed whose last hidden layer T5 loses at least 1 bit of I(X;T) from its peak by step 3,200 (250 epochs).',
      check: (history, link) => {
        const series = lastHiddenSeries(history);
        const r = last(history);
        if (linkValue(link, 'act') !== 'tanh') return { done: false, says: 'the activation is not tanh' };
        if (!r || r.step < 3200 || !series.length) return { done: false, says: `train to step 3,200 with the plane on (now at step ${r?.step ?? 0})` };
        const lost = Math.max(...series) - series.at(-1);
        return { done: lost >= 1, says: `seed ${linkValue(link, 'seed')}: T5 lost ${bits(lost)} from its peak` };
      },
    },
    {
      task: 'Count it exactly: add quant=8 and estimator=exact to the tanh step (the Quantized and Plane estimator controls), train to step 3,200, and compare how much T5 loses counted exactly with what binning said.',
      check: (history, link) => {
        const series = lastHiddenSeries(history);
        const r = last(history);
        if (linkValue(link, 'estimator') !== 'exact' || Number(linkValue(link, 'quant')) === 0) return { done: false, says: 'the plane is not counted exactly (quant=8, estimator=exact)' };
        if (!r || r.step < 3200 || !series.length) return { done: false, says: `train to step 3,200 (now at step ${r?.step ?? 0})` };
        return { done: true, says: `counted exactly, T5 lost ${bits(Math.max(...series) - series.at(-1))} from its peak` };
      },
    },
  ],
  deterministic: [
    {
      task: 'With the squared IB (objective sqib), find a β at which after 3,000 steps the rate is between 0.4 and 0.8 bits and the test accuracy at least 90 %: a point inside the curve, which the IB Lagrangian cannot reach.',
      check: (history, link) => {
        const r = last(history);
        if (linkValue(link, 'objective') !== 'sqib') return { done: false, says: 'the objective is not sqib' };
        if (!r || r.step < 3000) return { done: false, says: `train to step 3,000 (now at step ${r?.step ?? 0})` };
        const ok = r.rate_bits >= 0.4 && r.rate_bits <= 0.8 && r.test_acc >= 0.9;
        return { done: ok, says: `β = ${r.beta}: rate ${bits(r.rate_bits)}, test accuracy ${pct(r.test_acc)}` };
      },
    },
    {
      task: 'With the IB Lagrangian (objective vib), try to do the same: find any β with a rate between 0.4 and 0.8 bits after 3,000 steps. Why can you not?',
      check: (history, link) => {
        const r = last(history);
        if (linkValue(link, 'objective') !== 'vib') return { done: false, says: 'the objective is not vib' };
        if (!r || r.step < 3000) return { done: false, says: `train to step 3,000 (now at step ${r?.step ?? 0})` };
        return { done: r.rate_bits >= 0.4 && r.rate_bits <= 0.8, says: `β = ${r.beta}: rate ${bits(r.rate_bits)}` };
      },
    },
  ],
};

function element(tag, props = {}, text = null) {
  const node = Object.assign(document.createElement(tag), props);
  if (text !== null) node.textContent = text;
  return node;
}

/**
 * Shows lesson `id`'s exercises in `panel` (only number `only`, 1-based,
 * when given; `folded`: behind their heading, as in an embed, where the
 * experiment must stay on the first screen); returns update(history,
 * link), which checks each on the run on screen, or null when the lesson
 * has none.
 */
export function mountExercises(panel, id, only = null, { folded = false } = {}) {
  const all = EXERCISES[id] ?? [];
  const chosen = only ? all.filter((_, i) => i + 1 === only) : all;
  if (!chosen.length) return null;
  const box = element('details', { className: 'exercises', open: !folded });
  box.dataset.testid = 'exercises';
  box.append(element('summary', {}, chosen.length === 1 ? 'Exercise, checked on your run' : `Exercises (${chosen.length}), checked on your run`));
  const verdicts = chosen.map((exercise) => {
    const item = element('div', { className: 'exercise' });
    item.dataset.testid = 'exercise';
    const verdict = element('p', { className: 'exercise-verdict' }, 'Not yet: train the run to check it.');
    verdict.setAttribute('role', 'status');
    verdict.dataset.testid = 'exercise-verdict';
    item.append(element('p', { className: 'exercise-task' }, exercise.task), verdict);
    box.append(item);
    return { exercise, verdict };
  });
  panel.append(box);
  return (history, link) => {
    for (const { exercise, verdict } of verdicts) {
      const { done, says } = exercise.check(history, link);
      verdict.textContent = done ? `Done: ${says}.` : `Not yet: ${says}.`;
      verdict.classList.toggle('done', done);
    }
  };
}

/** The guide: every lesson with its goal, time, assumptions, questions and exercises. */
export function mountInstructor(panel, lessons, href) {
  panel.append(element('h2', {}, 'For instructors'));
  panel.append(element('p', {}, 'Each lesson with its goal, the time it takes on a 2-core laptop (training on the CPU), what it assumes, its questions with answers, and exercises the page checks on the student’s own run. Link a lesson with ?lesson=ID, an exercise alone with ?lesson=ID&exercise=N; add &embed=1 for a course page.'));
  for (const lesson of lessons) {
    const guide = GUIDE[lesson.id] ?? { minutes: 10, assumes: '' };
    const article = element('article', { className: 'guide-lesson' });
    article.dataset.testid = 'guide-lesson';
    const title = element('h3');
    title.append(element('a', { href: href(lesson.id) }, lesson.title));
    article.append(title, element('p', {}, `Goal: ${lesson.goal}`), element('p', {}, `Time: about ${guide.minutes} minutes. Assumes: ${guide.assumes}.`));
    const questions = element('ol');
    for (const step of lesson.steps) {
      const item = element('li');
      const answer = element('details');
      answer.append(element('summary', {}, 'Answer'), element('p', {}, step.answer));
      item.append(element('span', {}, `${step.label}: ${step.question} `), answer);
      questions.append(item);
    }
    article.append(element('h4', {}, 'Questions'), questions);
    const exercises = EXERCISES[lesson.id] ?? [];
    if (exercises.length) {
      const list = element('ol');
      exercises.forEach((e, i) => {
        const item = element('li', {}, `${e.task} `);
        item.append(element('a', { href: `${href(lesson.id)}&exercise=${i + 1}` }, 'Open it'));
        list.append(item);
      });
      article.append(element('h4', {}, 'Exercises (checked on the student’s run)'), list);
    }
    panel.append(article);
  }
  panel.hidden = false;
}

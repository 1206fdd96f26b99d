// For instructors: per lesson its goal, the time it needs on a 2-core
// laptop's CPU path, what it assumes, its questions with answers, and
// exercises whose answers the page checks on the student's own run (the
// run on screen: its link and reports). `?instructor=1` shows the guide;
// a lesson shows its exercises under its steps, each with a live verdict;
// `?lesson=ID&exercise=N` (1-based; `&embed=1` for a course page) shows
// that exercise alone.
import { shortNumber } from './describe.js';
import { linkValue } from './link-values.js';

/** Minutes a lesson takes (reading and training, a 2-core laptop's CPU) and what it assumes. */
export const GUIDE = {
  beta: { minutes: 10, assumes: 'entropy and mutual information in bits; a classifier and its cross-entropy loss' },
  compression: { minutes: 20, assumes: 'the information plane (the intro); what a hidden layer and an activation function are' },
  trust: { minutes: 15, assumes: 'the information plane; histograms (binning) and kernel density estimates' },
  deterministic: { minutes: 10, assumes: 'the IB Lagrangian; the lesson “What β does”' },
  mnist: { minutes: 20, assumes: 'the variational bound on I(X;Z) (the rate); test error; a GPU helps' },
  pixels: { minutes: 10, assumes: 'the lesson “What β does”' },
  exact: { minutes: 10, assumes: 'the IB curve: I(T;Y) against I(X;T)' },
  regenerate: { minutes: 15, assumes: 'autoencoders; the rate as the bits a code keeps' },
  'ib-curve': { minutes: 10, assumes: 'joint distributions p(x, y); the IB curve' },
};

const last = (history) => history.at(-1);
const pct = (v) => `${(100 * v).toFixed(1)} %`;
const bits = (v) => `${v.toFixed(2)} bits`;
/** A number of a verdict, with the task's bar beside it where it misses:
 * `rate 2.21 bits (the task: below 2 bits)`. */
const against = (text, met, bar) => (met ? text : `${text} (the task: ${bar})`);
/** Which way to move β, for a β-search verdict that missed: the code keeps
 * more than the task allows (`tooMuch`: a larger β squeezes it) or too
 * little (`tooLittle`: a smaller β lets more through). Both or neither: no
 * advice, β alone does not settle it. */
const steer = (tooMuch, tooLittle) => {
  if (tooMuch === tooLittle) return '';
  return tooMuch ? '; a β a few times larger keeps fewer bits' : '; a β a few times smaller keeps more';
};
/** β written short, two figures: 1e-4, 7.2e-3, 0.2. */
const betaText = (beta) => shortNumber(Number(beta).toPrecision(2));

/** The last hidden layer of a plane report (T5 in the var_u lessons), or undefined. */
const lastHidden = (report) => report?.layers?.filter((l) => l.layer.startsWith('encoder ')).at(-1);

/** The last hidden layer's I(X;T) over the run's plane reports. */
function lastHiddenSeries(history) {
  return history.filter((r) => r.layers).map((r) => lastHidden(r)?.ixt_bits).filter(Number.isFinite);
}

/** The run's report at step `n` (the first at or past it, at the β the
 * run trains with now), else null: a run trained on past the step, or
 * paused late, is judged where the task reads it. */
function reached(history, n) {
  const beta = last(history)?.beta;
  return history.find((r) => r.step >= n && r.beta === beta) ?? null;
}

/** The verdict for a run short of step `n`. */
const trainTo = (history, n) => ({ done: false, says: `train to step ${n.toLocaleString('en')} (now at step ${(last(history)?.step ?? 0).toLocaleString('en')})` });

/** Latent dimensions (or pixels) keeping more than 0.1 bits. */
const active = (rates) => rates.filter((v) => v > 0.1).length;

/**
 * Exercises by lesson, each with a worked `solution` (for the guide).
 * `check(history, link, {sweep, curve})` gives {done,
 * says}: whether the run on screen (its reports and link; the β sweep's
 * latest reports; the exact IB curve of the table on screen) answers the
 * task, and its numbers in words.
 */
export const EXERCISES = {
  beta: [
    {
      task: 'Find a β at which, after 1,000 steps, the test accuracy is at least 95 % and the rate below 2 bits: the code keeps the label and little else.',
      solution: 'β = 0.2: rate about 1.4 bits, test accuracy 100 % at step 1,000. (β = 0.05 and 0.1 keep about 2 bits, just above the bar: at 1,000 steps the rate is not yet settled.)',
      check: (history) => {
        const r = reached(history, 1000);
        if (!r) return trainTo(history, 1000);
        const [lean, accurate] = [r.rate_bits < 2, r.test_acc >= 0.95];
        return { done: lean && accurate, says: `β = ${betaText(r.beta)}: rate ${against(bits(r.rate_bits), lean, 'below 2 bits')}, test accuracy ${against(pct(r.test_acc), accurate, 'at least 95 %')}${steer(!lean, !accurate)}` };
      },
    },
    {
      task: 'Find a β at which the code keeps nothing: after 1,000 steps the rate is below 0.05 bits. What happens to the accuracy?',
      solution: 'β = 1: the rate is 0 within a hundred steps and the accuracy falls to chance, about 47 %: without bits the decoder can only guess.',
      check: (history) => {
        const r = reached(history, 1000);
        if (!r) return trainTo(history, 1000);
        const empty = r.rate_bits < 0.05;
        return { done: empty, says: `β = ${betaText(r.beta)}: rate ${against(bits(r.rate_bits), empty, 'below 0.05 bits')}, test accuracy ${pct(r.test_acc)}${steer(!empty, false)}` };
      },
    },
  ],
  compression: [
    {
      task: 'With tanh, find a seed whose last hidden layer T5 loses at least 1 bit of I(X;T) from its peak by step 3,200 (250 epochs).',
      solution: 'Seed 1, the lesson’s, loses about 0.9 bits. Over five seeds the mean at 250 epochs is 1.22 bits (REPRODUCTIONS.md, the anchors’ quick tier), so at least one of seeds 2 to 5 loses more than 1 bit.',
      check: (history, link) => {
        const series = lastHiddenSeries(history);
        const r = last(history);
        if (linkValue(link, 'act') !== 'tanh') return { done: false, says: 'the activation is not tanh' };
        if (!r || r.step < 3200 || !series.length) return { done: false, says: `train to step 3,200 with the plane on (now at step ${r?.step ?? 0})` };
        const lost = Math.max(...series) - series.at(-1);
        return { done: lost >= 1, says: `seed ${linkValue(link, 'seed')}: T5 lost ${against(bits(lost), lost >= 1, 'at least 1 bit')} from its peak` };
      },
    },
    {
      task: 'Count it exactly: add quant=8 and estimator=exact to the tanh step (the Quantized (bits) and Plane estimator controls), train to step 3,200, and compare how much T5 loses counted exactly with what binning said.',
      solution: 'Counted exactly, T5 moves much less: over five seeds at 1,000 epochs tanh’s T5 loses 0.63 bits on average, against 1.34 bits read with 30 bins (REPRODUCTIONS.md, the anchors).',
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
      solution: 'β = 0.5, the lesson’s step 4: rate about 0.73 bits, test accuracy above 95 %.',
      check: (history, link) => {
        const r = reached(history, 3000);
        if (linkValue(link, 'objective') !== 'sqib') return { done: false, says: 'the objective is not sqib' };
        if (!r) return trainTo(history, 3000);
        const [inside, accurate] = [r.rate_bits >= 0.4 && r.rate_bits <= 0.8, r.test_acc >= 0.9];
        return { done: inside && accurate, says: `β = ${betaText(r.beta)}: rate ${against(bits(r.rate_bits), inside, 'between 0.4 and 0.8 bits')}, test accuracy ${against(pct(r.test_acc), accurate, 'at least 90 %')}${steer(r.rate_bits > 0.8, r.rate_bits < 0.4 || (inside && !accurate))}` };
      },
    },
    {
      task: 'With the IB Lagrangian (objective vib), try to do the same: find any β with a rate between 0.4 and 0.8 bits after 3,000 steps. Why can you not?',
      solution: 'There is none: at β = 0.22 the code keeps about 1.3 bits, at 0.23 nothing. On a curve that is a straight line up to its corner the Lagrangian jumps from one end to the other.',
      check: (history, link) => {
        const r = reached(history, 3000);
        if (linkValue(link, 'objective') !== 'vib') return { done: false, says: 'the objective is not vib' };
        if (!r) return trainTo(history, 3000);
        const inside = r.rate_bits >= 0.4 && r.rate_bits <= 0.8;
        return { done: inside, says: `β = ${betaText(r.beta)}: rate ${against(bits(r.rate_bits), inside, 'between 0.4 and 0.8 bits')}${steer(r.rate_bits > 0.8, r.rate_bits < 0.4)}` };
      },
    },
  ],
  trust: [
    {
      task: 'Find a bin count at which binning reads T5 within 0.5 bits of the exact count at step 3,000: on the “exact” step, change Plane bins, press Reset and train (the crosses are the binned readings).',
      solution: '100 bins: T5 reads about 11.3 bits against the exact 11.65 (0.35 bits off). 30 bins are about 2.3 bits off, 8 bins over 6.',
      check: (history, link) => {
        if (linkValue(link, 'estimator') !== 'exact') return { done: false, says: 'the plane is not counted exactly (estimator=exact)' };
        const t5 = lastHidden(reached(history.filter((r) => r.layers), 3000));
        if (!t5) return trainTo(history, 3000);
        const off = Math.abs(t5.ixt_bits - t5.binned_ixt_bits);
        return { done: off < 0.5, says: `${linkValue(link, 'bins')} bins read T5 ${against(bits(off), off < 0.5, 'within 0.5 bits')} away from the exact ${bits(t5.ixt_bits)}` };
      },
    },
    {
      task: 'Make the network compress for real: find a rounding (the Quantized (bits) control) at which, counted exactly at step 3,000, T5 keeps fewer than 8 of the 11.7 bits the inputs have.',
      solution: 'quant=2 (4 levels per unit): counted exactly, T5 keeps about 3.7 bits at step 3,000, of at most 6 (3 units of 2 bits each).',
      check: (history, link) => {
        const quant = Number(linkValue(link, 'quant'));
        if (linkValue(link, 'estimator') !== 'exact' || !(quant > 0)) return { done: false, says: 'the plane is not counted exactly (quant above 0, estimator=exact)' };
        const t5 = lastHidden(reached(history.filter((r) => r.layers), 3000));
        if (!t5) return trainTo(history, 3000);
        return { done: t5.ixt_bits < 8, says: `with ${2 ** quant} levels per unit T5 keeps ${against(bits(t5.ixt_bits), t5.ixt_bits < 8, 'fewer than 8 bits')}, counted exactly` };
      },
    },
  ],
  mnist: [
    {
      task: 'Find a β at which, at step 1,000, the test accuracy is at least 90 % with a rate under 100 bits (β = 1e-3 keeps about 210).',
      solution: 'β = 1e-2 (rate about 68 bits, test accuracy 92 %) or 3e-2 (about 43 bits, 90.7 %).',
      check: (history) => {
        const r = reached(history, 1000);
        if (!r) return trainTo(history, 1000);
        const [lean, accurate] = [r.rate_bits < 100, r.test_acc >= 0.9];
        return { done: lean && accurate, says: `β = ${betaText(r.beta)}: rate ${against(bits(r.rate_bits), lean, 'under 100 bits')}, test accuracy ${against(pct(r.test_acc), accurate, 'at least 90 %')}${steer(!lean, !accurate)}` };
      },
    },
    {
      task: 'Find a β at which, at step 1,000, the I(Z;Y) bound is below 2.5 of the 3.3 bits a digit’s label has. Which digits does the model then confuse (the probability bars)?',
      solution: 'β = 0.1, the lesson’s step 3: about 2.0 bits and 88 %. Look-alike digits such as 4 and 9 share their probability first.',
      check: (history) => {
        const r = reached(history, 1000);
        if (!r) return trainTo(history, 1000);
        const low = r.izy_bits < 2.5;
        return { done: low, says: `β = ${betaText(r.beta)}: the I(Z;Y) bound is ${against(bits(r.izy_bits), low, 'below 2.5 bits')}, test accuracy ${pct(r.test_acc)}${steer(!low, false)}` };
      },
    },
  ],
  pixels: [
    {
      task: 'Find a β at which, at step 2,000, at most 12 of the 64 pixels keep more than 0.1 bits while the test accuracy stays at least 75 %.',
      solution: 'β = 0.2: 11 pixels keep more than 0.1 bits, test accuracy 77.7 %.',
      check: (history) => {
        const r = reached(history, 2000);
        if (!r?.rate_features_bits) return trainTo(history, 2000);
        const n = active(r.rate_features_bits);
        const [few, accurate] = [n <= 12, r.test_acc >= 0.75];
        return { done: few && accurate, says: `β = ${betaText(r.beta)}: ${against(`${n} pixels`, few, 'at most 12')} keep more than 0.1 bits, test accuracy ${against(pct(r.test_acc), accurate, 'at least 75 %')}${steer(!few, !accurate)}` };
      },
    },
    {
      task: 'Find a β at which, at step 2,000, the whole image costs under 12 bits of rate and the test accuracy is still at least 88 %.',
      solution: 'β = 0.1: rate about 11.4 bits, test accuracy 89.1 %.',
      check: (history) => {
        const r = reached(history, 2000);
        if (!r) return trainTo(history, 2000);
        const [lean, accurate] = [r.rate_bits < 12, r.test_acc >= 0.88];
        return { done: lean && accurate, says: `β = ${betaText(r.beta)}: rate ${against(bits(r.rate_bits), lean, 'under 12 bits')}, test accuracy ${against(pct(r.test_acc), accurate, 'at least 88 %')}${steer(!lean, !accurate)}` };
      },
    },
  ],
  exact: [
    {
      task: 'Sweep β, click the point nearest the dashed curve to take its β, press Reset and train to step 1,000: find a β whose run keeps at least 0.8 bits about the label with a rate under 3 bits.',
      solution: 'β ≈ 0.037, the point nearest the curve: rate about 2.3 bits and 0.83 bits about the label at step 1,000.',
      check: (history) => {
        const r = reached(history, 1000);
        if (!r) return trainTo(history, 1000);
        const [lean, informative] = [r.rate_bits < 3, r.izy_bits >= 0.8];
        return { done: lean && informative, says: `β = ${betaText(r.beta)}: rate ${against(bits(r.rate_bits), lean, 'under 3 bits')}, I(Z;Y) bound ${against(bits(r.izy_bits), informative, 'at least 0.8 bits')}${steer(!lean, !informative)}` };
      },
    },
    {
      task: 'Change one setting (the hidden layers, the activation or the learning rate), press Reset and sweep β again: find a set-up whose models with β up to 0.04 all keep at least 0.85 bits about the label after 1,000 steps. Hint: the encoder’s size.',
      solution: 'Wider hidden layers, e.g. 32,16: every model with β up to 0.04 keeps 0.86 to 0.91 bits after 1,000 steps. ReLU or a larger learning rate alone do not reach 0.85.',
      check: (history, link, { sweep } = {}) => {
        const family = (sweep ?? []).filter((r) => r.beta <= 0.04);
        if (!family.length || family.some((r) => r.step < 1000)) return { done: false, says: 'press “Sweep β” and let it reach step 1,000' };
        const weakest = family.reduce((a, b) => (b.izy_bits < a.izy_bits ? b : a));
        const kept = weakest.izy_bits >= 0.85;
        return { done: kept, says: `the weakest model, β = ${betaText(weakest.beta)}, keeps ${against(bits(weakest.izy_bits), kept, 'at least 0.85 bits')} about the label` };
      },
    },
  ],
  regenerate: [
    {
      task: 'Find a β at which, at step 2,000, the code keeps between 4 and 8 bits and at least one of its 8 latent dimensions has collapsed to the prior (0.1 bits or less).',
      solution: 'β = 1: rate about 5.1 bits, one of the 8 dimensions below 0.1 bits at step 2,000.',
      check: (history) => {
        const r = reached(history, 2000);
        if (!r) return trainTo(history, 2000);
        const collapsed = r.rate_dims_bits.length - active(r.rate_dims_bits);
        const [inside, some] = [r.rate_bits >= 4 && r.rate_bits <= 8, collapsed >= 1];
        return { done: inside && some, says: `β = ${betaText(r.beta)}: rate ${against(bits(r.rate_bits), inside, 'between 4 and 8 bits')}, ${against(`${collapsed} of ${r.rate_dims_bits.length} dimensions collapsed`, some, 'at least 1')}${steer(r.rate_bits > 8 || (inside && !some), r.rate_bits < 4)}` };
      },
    },
    {
      task: 'Find a β at which, at step 2,000, the distortion is below 30 bits with a rate under 11 bits.',
      solution: 'β = 0.5: rate about 9.9 bits, distortion about 29.7 bits.',
      check: (history) => {
        const r = reached(history, 2000);
        if (!r) return trainTo(history, 2000);
        const [lean, sharp] = [r.rate_bits < 11, r.distortion_bits < 30];
        return { done: lean && sharp, says: `β = ${betaText(r.beta)}: rate ${against(bits(r.rate_bits), lean, 'under 11 bits')}, distortion ${against(bits(r.distortion_bits), sharp, 'below 30 bits')}${steer(!lean, !sharp)}` };
      },
    },
  ],
  'ib-curve': [
    {
      task: 'Make the doubly symmetric source noisier, p = 0.2 (rows 0.4,0.1 and 0.1,0.4): find a table whose curve first leaves 0 at a β above 2.5.',
      solution: 'The table 0.4,0.1 / 0.1,0.4: the curve first leaves 0 at β ≈ 2.93 on the solver’s grid; the theory gives 1/(1 − 2p)² = 2.78.',
      check: (history, link, { curve } = {}) => {
        const split = curve?.points.find((p) => p.ixt_bits > 1e-6);
        if (!split) return { done: false, says: 'the curve on screen keeps nothing at any β' };
        return { done: split.beta > 2.5, says: `the curve first leaves 0 at β ≈ ${against(split.beta.toPrecision(3), split.beta > 2.5, 'above 2.5')}` };
      },
    },
    {
      task: 'Find a table with at least 1 bit of H(X) in which y tells nothing about x: I(X;Y) = 0. What does the curve look like then?',
      solution: 'Any table whose rows are proportional, e.g. 0.25,0.25 / 0.25,0.25: I(X;Y) = 0 and the curve is a single point at the origin.',
      check: (history, link, { curve } = {}) => {
        if (!curve) return { done: false, says: 'no curve on screen yet' };
        const [independent, wide] = [curve.ixy_bits < 1e-9, curve.hx_bits >= 1 - 1e-9];
        return { done: independent && wide, says: `I(X;Y) = ${against(`${curve.ixy_bits.toFixed(4)} bits`, independent, '0')}, H(X) = ${against(`${curve.hx_bits.toFixed(4)} bits`, wide, 'at least 1 bit')}` };
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
 * link, {sweep, curve, changes}), which checks each on what is on screen
 * (changes: the live changes, to say when β changed mid-run), or null
 * when the lesson has none.
 */
export function mountExercises(panel, id, only = null, { folded = false, elsewhere = null } = {}) {
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
  // An exercise shown alone is the page's task: it comes before the
  // lesson's steps, on the first screen of an embed too.
  const steps = only ? panel.querySelector('.lesson-steps') : null;
  if (steps) steps.before(box);
  else panel.append(box);
  if (elsewhere) return pointElsewhere(all, verdicts, elsewhere);
  // An exercise once solved stays solved: the verdict judges the run on
  // screen, and the student goes on trying other settings.
  const solved = new Map();
  return (history, link, extra = {}) => {
    // A β changed while the run trained: its reports mix two prices, and an
    // exercise about "a run at β" needs one trained at it from step 0.
    const change = (extra.changes ?? []).filter((c) => c.key === 'beta' && c.step > 0)
      .sort((a, b) => a.step - b.step).at(-1);
    for (const { exercise, verdict } of verdicts) {
      const { done: met, says } = exercise.check(history, link, extra);
      const done = met && !change;
      if (done && !solved.has(exercise)) solved.set(exercise, says);
      verdict.textContent = verdictText(done, change ? mixedRun(change) : says, solved.get(exercise));
      verdict.classList.toggle('done', done || solved.has(exercise));
    }
  };
}

/** In an embed without the controls: each exercise's verdict is a link to
 * it on the lesson's own page (`href`), where the controls are; the
 * checker returned does nothing. */
function pointElsewhere(all, verdicts, href) {
  verdicts.forEach(({ exercise, verdict }) => {
    const n = all.indexOf(exercise) + 1;
    const link = element('a', { href: `${href}&exercise=${n}`, target: '_blank', rel: 'noopener' }, 'open it on the lesson’s own page ↗');
    verdict.textContent = 'This embed hides the controls the exercise needs: ';
    verdict.append(link);
    verdict.removeAttribute('role');
  });
  return () => {};
}

/** What a run whose β changed at `change.step` says instead of its numbers
 * (they were trained mostly at the old β, and labelled with the new). */
function mixedRun(change) {
  const beta = betaText(change.value);
  return `β changed to ${beta} at step ${change.step.toLocaleString('en')} of this run, which trained at another β before: press Reset to train at β = ${beta} from step 0`;
}

/** A verdict in words: done, solved on an earlier run (it stays solved:
 * the student goes on trying other settings), or not yet. */
function verdictText(done, says, earlier) {
  if (done) return `Done: ${says}.`;
  if (earlier) return `Solved earlier (${earlier}). This run: ${says}.`;
  return `Not yet on this run: ${says}.`;
}

/** The guide: every lesson with its goal, time, assumptions, questions and exercises. */
export function mountInstructor(panel, lessons, href) {
  panel.append(element('h2', {}, 'For instructors'));
  panel.append(element('p', {}, 'Each lesson with its goal, the time it takes on a 2-core laptop (training on the CPU), what it assumes, its questions with answers, and exercises the page checks on the student’s own run. Link a lesson with ?lesson=ID, an exercise alone with ?lesson=ID&exercise=N (each “Open it” below). For a course page, press “Embed…” on the lesson’s or the exercise’s page: it gives the iframe to paste, with the exercise and its controls kept.'));
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
        const solution = element('details');
        solution.append(element('summary', {}, 'A solution'), element('p', {}, e.solution));
        item.append(solution);
        list.append(item);
      });
      article.append(element('h4', {}, 'Exercises (checked on the student’s run)'), list);
    }
    panel.append(article);
  }
  panel.hidden = false;
}

// Guided lessons: a short text beside the views and a few experiments to
// step through, each a share link with the views it talks about. Every step
// says what to look for and asks a question; Next and Back move between
// steps, and the active one is marked. Open one with `?lesson=ID` (add
// `&embed=1` for a course page); `&step=N` (1-based) is the step, kept in
// the address so that a reload, Back and Forward and a shared link keep it. The texts are fixed here, never from links.
// When the visitor changes a setting the step chose, the lesson says so,
// since its text describes the step's settings.
import { linkValue } from './link-values.js';
import { keyLabel, keyWords } from './facts.js';

const TOY = 'v=1&data=circle&hidden=16,16&k=2&report=50&plane=1&views=diagram,plane,curves,latent,sweep';
const VAR_U = 'v=1&data=var_u&hidden=10,7,5,4,3&k=2&beta=0&lr=4e-4&batch=256&report=64&samples=1&plane=1&views=plane,curves,diagram';
const DETERMINISTIC = 'v=1&data=circle&hidden=16,16&k=2&seed=1&report=500&views=sweep,curves,latent';
const TRUST = 'v=1&data=var_u&hidden=10,7,5,4,3&act=tanh&k=2&beta=0&lr=4e-4&batch=256&seed=1&quant=8&report=500&plane=1&views=plane,curves,diagram';

export const LESSONS = [
  {
    id: 'beta',
    title: 'What β does',
    goal: 'See the price of a bit: how β trades the rate against what the code knows about the label.',
    text: [
      'β prices every bit the code keeps about the input. Train the same circle data at three prices and compare the rate (bits kept) with the I(Z;Y) bound (bits that predict the label). Each run is pinned when you move on, so the three stand side by side.',
      'Press Play: each run trains to step 1,000 and pauses there (a few seconds on a 2-core laptop).',
    ],
    pin: true,
    // Its numbers are read at step 1,000: the run pauses there.
    until: 1000,
    steps: [
      { label: 'β = 1e-4', link: `${TOY}&beta=1e-4`, look: 'Press Play. The rate starts near 13 bits and stays high, about 10 bits at step 1,000, while the I(Z;Y) bound climbs to 1 bit, all the label has. The rate is not steady: it dips below 11 bits at step 100, climbs back to about 12 at step 200 as the two classes are pushed apart, and wobbles by half a bit from report to report after that. That is not a bug: at this low price nothing holds the rate still, and each step of the optimiser (learning rate 0.005) moves it.', question: 'How many of the rate’s bits does the label need?', answer: 'One: the label is one of two classes, so I(Z;Y) can be at most H(Y) = 1 bit. The other nine or so bits describe where each point lies within its class: noise, as far as the label goes. At this low price the code keeps them anyway.' },
      { label: 'β = 1e-2', link: `${TOY}&beta=0.01`, look: 'The rate falls to about 4 bits by step 1,000; the accuracy stays at 100 % and the I(Z;Y) bound near 1 bit. Compare with the dashed pinned run (pin 1).', question: 'What did the code stop keeping, and why did the accuracy not suffer?', answer: 'It dropped the position of each point within its class (the latent clusters shrink to blobs), which the label never needed. The bits that say which class remain, so the decoder predicts as well as before: the compression removed noise, not signal.' },
      { label: 'β = 1', link: `${TOY}&beta=1`, look: 'Keeping anything now costs more than it earns: the rate goes to 0 within a hundred steps, Z collapses to the origin of the plane, and the accuracy to chance (about 47 %).', question: 'Where on the IB curve panel do the two pinned runs and this one sit?', answer: 'β = 1e-4 sits far right at 1 bit (many bits, all the label), β = 1e-2 further left at the same height (fewer bits, still all the label), and β = 1 at the origin (nothing kept, nothing predicted). Moving left along the top is free compression; dropping below it costs the label. (The information plane puts each Z further left than the IB panel: it shows the pairwise estimate of I(X;Z); both it and the rate are upper bounds, and in a trained model the estimate is usually the tighter.)' },
    ],
  },
  {
    id: 'compression',
    title: 'Watch compression',
    goal: 'Follow the hidden layers on the information plane: fitting, then (sometimes) compression.',
    text: [
      'The 12-bit patterns of Shwartz-Ziv & Tishby, with the information plane on: each dot is a hidden layer at one moment, purple early, orange late.',
      'With tanh, the last layers first move right (fitting) and then, in many runs, drift back left (compression). With ReLU they often do not: Saxe et al. found the compression depends on the activation and on the estimator. Single runs vary; try other seeds.',
      'Press Play: each run trains 250 epochs (3,200 steps; about 2 minutes on a 2-core laptop) and pauses there; the plane is measured every 5 epochs.',
    ],
    // Its numbers are read at epoch 250: the run pauses there.
    until: 3200,
    steps: [
      { label: 'tanh', link: `${VAR_U}&act=tanh`, look: 'Watch T5, the last hidden layer: it moves right for about 25 epochs (fitting), then left, and by epoch 250 it has lost about 0.9 bits of I(X;T) from its peak while its I(T;Y) stays. β = 0 here: nothing prices the bits, and the question is whether plain training compresses by itself.', question: 'Does the last layer lose bits about the input while keeping those about the label?', answer: 'Often, slowly: after the fitting phase T5 drifts left by a bit or so while I(T;Y) stays near 1 bit. It takes hundreds of epochs, and some seeds barely move; REPRODUCTIONS.md has five seeds.' },
      { label: 'ReLU', link: `${VAR_U}&act=relu`, look: 'The same network with ReLU: T5 keeps fewer bits from the start and by epoch 250 has lost about 0.6 bits from its peak with this seed; over five seeds ReLU loses about three times less than tanh (REPRODUCTIONS.md).', question: 'What would you need to check before calling a drift to the left “compression”?', answer: 'That it is not the estimator: binning depends on the range and the number of bins (try bins=10, or the KDE estimator), ReLU layers are binned over [0, max], which moves as the weights grow, and saturated layers cannot show compression at all. Several seeds, not one.' },
    ],
  },
  {
    id: 'trust',
    title: 'Can you trust the plane?',
    goal: 'See one trained network through five estimators, and check them against the exact count.',
    text: [
      'The plane’s I(X;T) of a hidden layer is an estimate: binning counts which bins the points fall in, KDE smooths them with a kernel. Neither is the truth. This network rounds every hidden activation to 256 levels (quant=8), so each layer has finitely many codes and its information can be counted exactly (Lorenzen, Igel & Nielsen 2022).',
      'Each step starts the same network again from the same seed, so after the same number of steps its weights are the same bit for bit: only the measurement changes. Press Play: each run trains to step 3,000 and pauses there (15 s to a minute on a 2-core laptop, KDE the slowest; the plane is measured every 500 steps, its colour scale says up to which). Then read the last layer, T5.',
    ],
    // Its numbers are read at step 3,000: the run pauses there.
    until: 3000,
    steps: [
      { label: '30 bins', link: `${TRUST}&estimator=binning&bins=30`, look: 'After 3,000 steps T5 sits near 9.3 bits, μ near 6.2: well left of log2 N = 11.7, as if the layers had compressed.', question: 'What would make a binned point move left without the layer losing anything?', answer: 'Codes that differ but fall in the same bin: binning merges them. The layer may still tell every input apart.' },
      { label: '8 bins', link: `${TRUST}&estimator=binning&bins=8`, look: 'Trained again to step 3,000, the same weights read with 8 bins: T5 drops to about 5.3 bits and μ to 3.5, and even T2 and T3 move left.', question: 'The network did not change. What did?', answer: 'Only the ruler. Coarser bins merge more codes, so every layer reads fewer bits: with binning, "compression" depends on the number of bins (Saxe et al. 2018).' },
      { label: '100 bins', link: `${TRUST}&estimator=binning&bins=100`, look: 'With 100 bins T1 to T4 sit at log2 N = 11.7 bits, saturated (hollow), and T5 reads about 11.3 bits.', question: 'Which bin count is right?', answer: 'None of them: each is a different estimate of a quantity binning cannot see directly. Fine bins saturate at log2 N, coarse bins invent compression.' },
      { label: 'KDE', link: `${TRUST}&estimator=kde`, look: 'The kernel estimate puts T5 near 8.6 bits: between the bin counts, and different from each.', question: 'Is KDE the truth, then?', answer: 'No: it is an upper bound on the information of the layer plus a little Gaussian noise (variance 1e-3), a different quantity again. It too depends on its one parameter, the noise.' },
      { label: 'exact', link: `${TRUST}&estimator=exact&bins=8`, look: 'Counted exactly, T5 keeps about 11.65 of 11.68 bits: it tells nearly every input apart. Each cross is the same layer read with 8 bins; the dotted line is the estimator’s error, over 6 bits for T5.', question: 'Did this network compress its inputs in its hidden layers?', answer: 'No: the exact count says almost every input keeps its own code all the way to T5. Every leftward move of the estimates was the estimator. The network drops bits only in Z, the noisy code; Z is not discrete, so its point is still an estimate (pairwise KL), the one estimated point on this plane.' },
    ],
  },
  {
    id: 'deterministic',
    title: 'When Y is a function of X',
    goal: 'See the IB Lagrangian jump from keeping everything to keeping nothing when the label is a function of the input, and the squared IB trace the curve in between.',
    text: [
      'On the circle data the label is a function of the input: no two points at one place have different labels. Then the best code keeping R bits keeps min(R, H(Y)) bits about the label, a curve with a corner at H(Y) = 1 bit, and the IB Lagrangian (rate × β against what the code predicts) has no optimum in between: as β grows it goes from keeping the label to keeping nothing (Kolchinsky, Tracey & Van Kuyk 2019).',
      'The squared IB prices the rate squared, which makes every point of the curve an optimum for some β. Each step trains to step 3,000 and pauses there (a few seconds on a 2-core laptop), and is pinned when you move on.',
    ],
    pin: true,
    // Its numbers are read at step 3,000: the run pauses there.
    until: 3000,
    steps: [
      { label: 'IB, β = 0.2', link: `${DETERMINISTIC}&objective=vib&beta=0.2`, look: 'Press Play. At step 3,000 the rate is about 1.3 bits and the I(Z;Y) bound about 0.9 bits: the code still keeps the label.', question: 'Why can the code not keep the label with fewer than 1 bit?', answer: 'The label is one of two equally likely classes: H(Y) = 1 bit, and a code cannot say more about Y than it carries about X. Every bit below 1 must give up part of the label.' },
      { label: 'IB, β = 0.25', link: `${DETERMINISTIC}&objective=vib&beta=0.25`, look: 'A little more β and the code keeps nothing: rate 0, I(Z;Y) 0, the accuracy at chance (about 47 %). Compare with the pinned run.', question: 'Is there a β between 0.2 and 0.25 that keeps half a bit?', answer: 'Not as an optimum of the Lagrangian: on a curve that is a straight line up to the corner, rate × β and the label trade at a fixed exchange rate, so the best code is at one end or the other. Type 0.22 in the β box and press Reset, then 0.23: the first keeps the label (rate about 1.3 bits), the second nothing.' },
      { label: 'squared IB, β = 0.3', link: `${DETERMINISTIC}&objective=sqib&beta=0.3`, look: 'The squared IB at a larger β keeps about 1.0 bit of rate and 0.7 bits about the label, and still predicts every test point.', question: 'Why does squaring the rate help?', answer: 'The price of the next bit now grows with the bits already kept, so the exchange rate changes along the curve and each point of the straight segment is the best trade for some β.' },
      { label: 'squared IB, β = 0.5', link: `${DETERMINISTIC}&objective=sqib&beta=0.5`, look: 'Further along the curve: rate about 0.73 bits, the I(Z;Y) bound about 0.56 bits, the accuracy still near 100 %.', question: 'The accuracy is still high with half a bit about the label. How?', answer: 'The I(Z;Y) bound measures how confident the predictions are, not only whether they are right: the code keeps enough to rank the classes but with less certainty, so accuracy stays while the bits fall.' },
    ],
  },
  {
    id: 'mnist',
    title: 'VIB on MNIST (Alemi et al.)',
    goal: 'Reproduce the deep variational bottleneck on handwritten digits and watch the rate fall.',
    text: [
      'The set-up of the Deep Variational Information Bottleneck paper: a 784-1024-1024 ReLU encoder into a 256-dimensional Gaussian code, a linear decoder, Adam (1e-4, β1 0.5) with the rate ×0.97 every two epochs, and the weights averaged (EMA 0.999) for evaluation, which predicts with 12 samples of the code.',
      'The paper reports 1.13 % test error at β = 1e-3 on the full 60,000 images after 200 epochs; the deterministic network (β = 0, no noise) 1.38 %. Here the page trains on a 10,000-image subset, so expect higher errors; REPRODUCTIONS.md has the full runs.',
      'Press Play: each run trains to step 1,000 (10 passes over the 10,000 images) and pauses there. It is a big network: about 2 minutes on a 2-core laptop’s CPU, much less on a GPU.',
    ],
    // Its numbers are read at step 1,000 (checked on the CLI, tests/cli_lessons.rs): the run pauses there.
    until: 1000,
    steps: [
      { label: 'β = 1e-3', link: 'v=1&data=mnist&hidden=1024,1024&act=relu&k=256&batch=100&lr=1e-4&b1=0.5&b2=0.999&lr_decay=0.97&decay_steps=200&ema=0.999&samples=12&beta=1e-3&report=100&views=curves,dims,map,diagram', look: 'The rate falls from about 1,000 bits at step 100 to about 210 at step 1,000, while the I(Z;Y) bound climbs to about 2.9 bits of the log2(10) ≈ 3.3 the label has, and the test accuracy to about 93 %.', question: 'How are the bits spread over the 256 latent dimensions?', answer: 'Evenly, for now: at step 1,000 every dimension keeps between about 0.6 and 1.2 bits (the rate per dimension), and they give up bits together. Much longer training picks the few the label needs: after 200 epochs on all 60,000 images, 52 of the 256 keep more than 0.1 bits, about 19 bits in all (REPRODUCTIONS.md).' },
      { label: 'deterministic', link: 'v=1&data=mnist&hidden=1024,1024&act=relu&k=256&batch=100&lr=1e-4&b1=0.5&b2=0.999&lr_decay=0.97&decay_steps=200&ema=0.999&samples=12&beta=0&sample=0&report=100&views=curves,dims,map,diagram', look: 'No noise and no price: the code keeps whatever it likes. At step 1,000 the rate (what the encoder would pay were it noisy) is about 1,770 bits, and the test accuracy about 93 %.', question: 'Is the test accuracy better or worse than at β = 1e-3?', answer: 'Level after 1,000 steps on this subset (92.90 % against 92.85 %). The difference shows only after long training on all the images: the paper reports 1.38 % error for the deterministic network against 1.13 % at β = 1e-3, our 200-epoch runs 1.69 % against 1.37 % (REPRODUCTIONS.md). The noisy, priced code generalises better, slowly.' },
      { label: 'β = 0.1', link: 'v=1&data=mnist&hidden=1024,1024&act=relu&k=256&batch=100&lr=1e-4&b1=0.5&b2=0.999&lr_decay=0.97&decay_steps=200&ema=0.999&samples=12&beta=0.1&report=100&views=curves,dims,map,diagram', look: 'The code keeps too little and the error climbs: at step 1,000 the rate is about 29 bits, the I(Z;Y) bound about 2 bits, and the test accuracy about 88 %.', question: 'Which digits does the model confuse first?', answer: 'Look at the probability bars: look-alike digits (4 and 9, 3 and 5, 7 and 9) share their probability first, because the few bits left cannot tell them apart.' },
    ],
  },
  {
    id: 'pixels',
    title: 'Which pixels matter',
    goal: 'Give every pixel its own bottleneck and see which ones the label needs.',
    text: [
      'Each pixel of the 8x8 digits gets its own tiny encoder and its own code, and pays for its own bits. The rate map shows what the bottleneck keeps: the border pixels, which never change, cost nothing once learned; the strokes in the middle carry the class.',
      'Press Play: each run trains to step 2,000 and pauses there (under a minute on a 2-core laptop). At the start every pixel’s code is still noisy and the whole map is red; the border takes about 1,000 steps to go dark.',
    ],
    // Its numbers are read at step 2,000: the run pauses there.
    until: 2000,
    steps: [
      { label: 'per-pixel bottleneck', link: 'v=1&data=digits&bottleneck=feature&hidden=4&k=1&beta=0.01&act=relu&lr=0.003&report=100&views=dims,map,curves', look: 'By step 2,000 the map lights up in the middle, where the strokes are: the middle pixels keep about 1.3 bits each, the border about 0.3, and about 36 of the 64 pixels keep more than 0.1 bits.', question: 'Why do the border pixels cost nothing?', answer: 'They are blank in every image, so they say nothing about the digit: a code for them would pay bits and earn nothing.' },
      { label: 'stronger β', link: 'v=1&data=digits&bottleneck=feature&hidden=4&k=1&beta=0.05&act=relu&lr=0.003&report=100&views=dims,map,curves', look: 'At a higher price, fewer pixels keep any bits: by step 2,000 about 23 of the 64 keep more than 0.1 bits, the middle ones about 0.7 bits each.', question: 'Which pixels survive, and does the accuracy follow?', answer: 'A handful in the middle, where the strokes of different digits differ most; the accuracy falls a little, far less than the rate.' },
    ],
  },
  {
    id: 'exact',
    title: 'The exact IB curve',
    goal: 'Compare a family of trained bottlenecks with the best any encoder can do.',
    // The sweep's models train 1,000 steps; the run on screen, played (an
    // exercise trains it), pauses there too.
    until: 1000,
    text: [
      'The data are var_u, the 4,096 12-bit patterns of Shwartz-Ziv & Tishby (the compression lesson’s): their label is a function of the input, so the exact IB curve is min(I(X;T), H(Y)), the dashed line in the IB curve panel. Press “Sweep β” to train eight models, β from 1e-5 to 1, at once, 1,000 steps each (a few seconds on a 2-core laptop; the sweep needs no Play), and see where the variational family falls below the exact curve.',
    ],
    steps: [
      { label: 'the β sweep', link: 'v=1&data=var_u&hidden=10,7,5&act=tanh&k=2&beta=1e-3&lr=4e-3&batch=256&report=100&views=sweep,curves,diagram', look: 'Press “Sweep β”. When the eight points stop at step 1,000, read how far each sits below the dashed exact curve: the seven with β up to 0.2 keep 0.72 to 0.83 bits about the label, whatever their rate (1.4 to 17 bits); β = 1 keeps nothing and sits at the origin.', question: 'At which β does the family fall furthest below the exact curve, and does more rate buy more I(Z;Y)?', answer: 'The largest gaps, about 0.28 bits, are in the middle of the range, at β ≈ 1e-3 to 1e-2 (rates of 6 to 10 bits); the model nearest the curve is at β ≈ 0.04, near the knee, with 2.3 bits and 0.83 bits about the label. More rate buys nothing here: the shortfall comes from the variational bound and an encoder still training after 1,000 steps, not from the price of the bits.' },
    ],
  },
  {
    id: 'regenerate',
    title: 'Regenerate from the code',
    goal: 'Reconstruct digits from a priced code: first the details go, then the identity.',
    text: [
      'The decoder now rebuilds the digit from its code (a β-VAE). As β rises, fewer bits pass the bottleneck and the reconstructions keep only the gist: first the stroke details go, then the identity of the digit. The distortion is the bits it takes to correct a reconstruction into the digit.',
      'Press Play: each run trains to step 2,000 and pauses there (a few seconds on a 2-core laptop).',
    ],
    // Its numbers are read at step 2,000: the run pauses there.
    until: 2000,
    steps: [
      { label: 'β = 0.01', link: 'v=1&data=digits&objective=vae&hidden=64&k=8&act=relu&beta=0.01&lr=0.003&report=100&views=map,curves,dims,latent', look: 'Sharp reconstructions. By step 2,000 the code keeps about 51 bits, 5 to 9 in each of its 8 dimensions, and the distortion is about 26 bits.', question: 'How much distortion is left?', answer: 'Little: 26 bits for a 64-pixel digit, under half a bit a pixel, and the reconstructions keep the strokes. Keep the number for the next two steps.' },
      { label: 'β = 0.3', link: 'v=1&data=digits&objective=vae&hidden=64&k=8&act=relu&beta=0.3&lr=0.003&report=100&views=map,curves,dims,latent', look: 'Blurrier digits: by step 2,000 the rate falls to about 13 bits, still spread over all 8 dimensions (1.2 to 2.2 bits each), and the distortion rises to about 28.5 bits.', question: 'Which details went first?', answer: 'The thickness and slant of the strokes; the overall shape, which says which digit it is, stays longest. Every dimension gives up bits together: none has collapsed yet (around β = 1 the first ones do).' },
      { label: 'β = 3', link: 'v=1&data=digits&objective=vae&hidden=64&k=8&act=relu&beta=3&lr=0.003&report=100&views=map,curves,dims,latent', look: 'The same blurred blob for every digit: by step 2,000 the rate is near 0 (about 0.1 bits), every dimension has collapsed to the prior, and the distortion is about 39.5 bits.', question: 'Can you still tell the digits apart?', answer: 'Hardly: with the rate near 0 the decoder sees almost the same code for every digit and draws their average.' },
    ],
  },
  {
    id: 'ib-curve',
    title: 'The exact IB of a table',
    goal: 'Solve the information bottleneck exactly for your own p(x, y) and watch clusters split as β grows.',
    text: [
      'For a small discrete joint distribution p(x, y), the bottleneck can be solved exactly (Tishby, Pereira and Bialek 1999): the self-consistent equations give the best encoder p(t|x) at every β, and their I(X;T), I(T;Y) trace the IB curve. Edit the table (rows x, columns y) or pick a preset.',
    ],
    exact: true,
    steps: [
      { label: 'the exact curve', link: 'v=1&data=var_u&hidden=10,7,5&act=tanh&k=2&beta=1e-3&lr=4e-3&batch=256&report=100&views=sweep', look: 'The curve starts flat at 0 until the critical β, then rises to (H(X), I(X;Y)). Move the β slider under the encoder and watch the clusters of x split.', question: 'At which β does the first split happen for the symmetric binary source with p = 0.1?', answer: 'At β = 1 / (1 - 2p)^2 = 1.5625: below it the best encoder keeps nothing; above it the two x separate and I(X;T) grows.' },
    ],
  },
];

function element(tag, props = {}, text = null) {
  const node = Object.assign(document.createElement(tag), props);
  if (text !== null) node.textContent = text;
  return node;
}

/** The address of lesson `id`, keeping this page's `backend` choice. */
export function lessonHref(id) {
  const url = new URL(location.href);
  const backend = url.searchParams.get('backend');
  url.search = '';
  url.hash = '';
  url.searchParams.set('lesson', id);
  if (backend) url.searchParams.set('backend', backend);
  return url.search;
}

/** Fills the gallery: each lesson's title linked, and its goal. */
export function mountGallery(list) {
  for (const lesson of LESSONS) {
    const item = element('li');
    const link = element('a', { href: lessonHref(lesson.id), title: lesson.goal }, lesson.title);
    item.append(link, element('span', { className: 'goal' }, ` — ${lesson.goal}`));
    list.append(item);
  }
}

/** Keys a step's text does not depend on. */
const PRESENTATION = new Set(['v', 'views', 'hide', 'report']);

/** The keys `step` sets that `link` now holds differently, as [key, step value]. */
function changedFrom(step, link) {
  const same = (a, b) => a === b || (a != null && b != null && a !== '' && b !== '' && Number(a) === Number(b));
  return [...new URLSearchParams(step)].filter(([key, value]) => !PRESENTATION.has(key) && !same(linkValue(link, key), value));
}

/** What the drift note says about `changed` keys of the step labelled `label`. */
function driftText(changed, label) {
  const named = (key) => (keyWords(key) === keyLabel(key) ? keyLabel(key) : `the ${keyWords(key)}`);
  const names = changed.map(([key, value]) => `${named(key)} (this lesson step uses ${value})`).join(', ');
  return `You changed ${names}, so the text above may not match what you see. Press “${label}” to go back to the lesson step.`;
}

/** The step index of a lesson address's `step` (1-based in the URL). */
export function stepIndex(text) {
  const n = Number.parseInt(text ?? '1', 10);
  return Number.isFinite(n) && n >= 1 ? n - 1 : 0;
}

/**
 * Shows lesson `id` in `panel` at step `initial` (0-based, from the
 * address; `embedded`: its introduction folded) and returns {link, lesson,
 * drift, at, step, until} for that step, or null; `until()` is the step a
 * lesson's runs pause at, where its text reads their numbers (or null).
 * `playing()` says whether the run plays (a step shown paused asks for
 * Play). `goTo(link, {pin, step})` opens a step's experiment; `drift(link)` tells
 * the lesson the page's experiment changed; `at(i)` marks step i (the
 * address moved there: Back, Forward); `step()` is the step shown.
 */
export function mountLesson(panel, id, initial, goTo, { embedded = false, playing = () => false } = {}) {
  const lesson = LESSONS.find((l) => l.id === id);
  if (!lesson) return null;
  panel.append(element('h2', {}, lesson.title));
  // In an embed the lesson comes first and its introduction folds, so the
  // experiment is on the first screen too.
  const intro = embedded ? element('details', { className: 'lesson-intro' }) : panel;
  if (embedded) intro.append(element('summary', {}, 'About this lesson'));
  for (const paragraph of lesson.text) intro.append(element('p', {}, paragraph));
  if (embedded) panel.append(intro);
  const tabs = element('ol', { className: 'lesson-steps' });
  const look = element('p', { className: 'lesson-look' });
  look.dataset.testid = 'lesson-look';
  const question = element('p', { className: 'lesson-question' });
  question.dataset.testid = 'lesson-question';
  const answer = element('details', { className: 'lesson-answer' });
  answer.dataset.testid = 'lesson-answer';
  const answerText = element('p');
  const summary = element('summary', {}, 'Show an answer');
  answer.append(summary, answerText);
  answer.addEventListener('toggle', () => { summary.textContent = answer.open ? 'Hide the answer' : 'Show an answer'; });
  const back = element('button', { type: 'button' }, '← Back');
  back.dataset.testid = 'lesson-back';
  const next = element('button', { type: 'button' }, 'Next →');
  next.dataset.testid = 'lesson-next';
  const drifted = element('p', { className: 'notice lesson-drift' });
  drifted.dataset.testid = 'lesson-drift';
  drifted.hidden = true;
  let active = 0;
  const buttons = lesson.steps.map((step, i) => {
    const button = element('button', { type: 'button' }, step.label);
    button.dataset.testid = 'lesson-step';
    button.addEventListener('click', () => show(i));
    const item = element('li');
    item.append(button);
    tabs.append(item);
    return button;
  });
  function mark(i) {
    active = i;
    buttons.forEach((b, j) => (j === i ? b.setAttribute('aria-current', 'step') : b.removeAttribute('aria-current')));
    // A step opened while the run is paused starts at step 0: say so (the
    // exact IB of a table needs no training).
    const play = !lesson.exact && !playing() && !/^Press /.test(lesson.steps[i].look) ? 'Press Play. ' : '';
    look.textContent = `What to look for: ${play}${lesson.steps[i].look}`;
    question.textContent = `Question: ${lesson.steps[i].question}`;
    answerText.textContent = lesson.steps[i].answer;
    answer.open = false;
    back.disabled = i === 0;
    next.disabled = i === lesson.steps.length - 1;
    // A one-step lesson has no "last step" to announce.
    panel.querySelector('.lesson-done')?.toggleAttribute('hidden', !next.disabled || lesson.steps.length === 1);
  }
  function show(i) {
    if (i === active && panel.dataset.started && drifted.hidden) return;
    const pin = Boolean(lesson.pin) && i !== active;
    // The step first: the page redraws as the new link lands, and checks it
    // against this step's link, not the one left (a false drift note).
    mark(i);
    goTo(lesson.steps[i].link, { pin, step: i });
  }
  back.addEventListener('click', () => show(Math.max(0, active - 1)));
  next.addEventListener('click', () => show(Math.min(lesson.steps.length - 1, active + 1)));
  const nav = element('div', { className: 'lesson-nav' });
  nav.append(back, next);
  const elsewhere = embedded ? 'or open the playground on its own page for the other lessons' : 'or open “What is this?” at the top for the other lessons';
  const done = element('p', { className: 'lesson-done' }, `That was the lesson’s last step. Try the same with other seeds or datasets, ${elsewhere}.`);
  done.dataset.testid = 'lesson-done';
  panel.append(tabs, look, drifted, question, answer, nav, done);
  const clamp = (i) => Math.min(Math.max(i, 0), lesson.steps.length - 1);
  mark(clamp(initial));
  panel.dataset.started = '1';
  panel.hidden = false;
  const drift = (link) => {
    const changed = changedFrom(lesson.steps[active].link, link);
    drifted.hidden = changed.length === 0;
    drifted.textContent = changed.length ? driftText(changed, lesson.steps[active].label) : '';
    // The step's button stops looking pressed while the run is not its experiment.
    buttons.forEach((b, j) => b.classList.toggle('drifted', j === active && changed.length > 0));
  };
  return { link: lesson.steps[active].link, lesson, drift, at: (i) => mark(clamp(i)), step: () => active, until: () => lesson.until ?? null };
}

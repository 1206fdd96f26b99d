// Guided lessons: a short text beside the views and a few experiments to
// switch between, each a share link. Open one with `?lesson=ID` (add
// `&embed=1` for a course page). The texts are fixed here, never from links.

export const LESSONS = [
  {
    id: 'beta',
    title: 'What β does',
    text: [
      'β prices every bit the code keeps about the input. Train the same circle data at three prices and compare the rate (bits kept) with the I(Z;Y) bound (bits that predict the label).',
      'At β = 1e-4 the code keeps many bits it does not need; at 1e-2 it keeps about what the label needs; at 1 keeping anything costs more than it earns, and the model forgets the input: the rate and the accuracy collapse.',
    ],
    steps: [
      { label: 'β = 1e-4', link: 'v=1&data=circle&hidden=16,16&k=2&beta=1e-4&report=50&plane=1' },
      { label: 'β = 1e-2', link: 'v=1&data=circle&hidden=16,16&k=2&beta=0.01&report=50&plane=1' },
      { label: 'β = 1', link: 'v=1&data=circle&hidden=16,16&k=2&beta=1&report=50&plane=1' },
    ],
  },
  {
    id: 'compression',
    title: 'Watch compression',
    text: [
      'The 12-bit patterns of Shwartz-Ziv & Tishby, with the information plane on: each dot is a hidden layer at one moment, purple early, yellow late.',
      'With tanh, the last layers first move right (fitting) and then, in many runs, drift back left (compression). With ReLU they often do not: Saxe et al. found the compression depends on the activation and on the estimator. Single runs vary; try other seeds.',
    ],
    steps: [
      { label: 'tanh', link: 'v=1&data=var_u&hidden=10,7,5,4,3&act=tanh&k=2&beta=0&lr=4e-4&batch=256&report=64&samples=1&plane=1' },
      { label: 'ReLU', link: 'v=1&data=var_u&hidden=10,7,5,4,3&act=relu&k=2&beta=0&lr=4e-4&batch=256&report=64&samples=1&plane=1' },
    ],
  },
  {
    id: 'mnist',
    title: 'VIB on MNIST (Alemi et al.)',
    text: [
      'The set-up of the Deep Variational Information Bottleneck paper: a 784-1024-1024 ReLU encoder into a 256-dimensional Gaussian code, a linear decoder, Adam (1e-4, β1 0.5) with the rate ×0.97 every two epochs, and the weights averaged (EMA 0.999) for evaluation, which predicts with 12 samples of the code.',
      'The paper reports 1.13 % test error at β = 1e-3 on the full 60,000 images; the deterministic network (β = 0, no noise) 1.38 %. Here the page trains on a 10,000-image subset, so expect higher errors; REPRODUCTIONS.md has the full runs. Watch the rate fall from hundreds of bits while I(Z;Y) stays near log2(10) ≈ 3.3 bits; at β = 0.1 the code keeps too little and the error climbs.',
    ],
    steps: [
      { label: 'β = 1e-3', link: 'v=1&data=mnist&hidden=1024,1024&act=relu&k=256&batch=100&lr=1e-4&b1=0.5&b2=0.999&lr_decay=0.97&decay_steps=200&ema=0.999&samples=12&beta=1e-3&report=100' },
      { label: 'deterministic', link: 'v=1&data=mnist&hidden=1024,1024&act=relu&k=256&batch=100&lr=1e-4&b1=0.5&b2=0.999&lr_decay=0.97&decay_steps=200&ema=0.999&samples=12&beta=0&sample=0&report=100' },
      { label: 'β = 0.1', link: 'v=1&data=mnist&hidden=1024,1024&act=relu&k=256&batch=100&lr=1e-4&b1=0.5&b2=0.999&lr_decay=0.97&decay_steps=200&ema=0.999&samples=12&beta=0.1&report=100' },
    ],
  },
  {
    id: 'pixels',
    title: 'Which pixels matter',
    text: [
      'Each pixel of the 8x8 digits gets its own tiny encoder and its own code, and pays for its own bits. The rate map shows what the bottleneck keeps: the border pixels, which never change, cost nothing once learned; the strokes in the middle carry the class.',
    ],
    steps: [
      { label: 'per-pixel bottleneck', link: 'v=1&data=digits&bottleneck=feature&hidden=4&k=1&beta=0.01&act=relu&lr=0.003&report=100' },
      { label: 'stronger β', link: 'v=1&data=digits&bottleneck=feature&hidden=4&k=1&beta=0.05&act=relu&lr=0.003&report=100' },
    ],
  },
  {
    id: 'exact',
    title: 'The exact IB curve',
    text: [
      'For var_u the label is a function of the input, so the exact IB curve is min(I(X;T), H(Y)): the dashed line in the β sweep panel. Press “Sweep β” to train eight models, β from 1e-5 to 1, at once, and see where the variational family falls below the exact curve.',
      'For your own discrete p(x, y), `ibp ib-curve --pxy FILE.csv` computes the exact curve.',
    ],
    steps: [
      { label: 'var_u', link: 'v=1&data=var_u&hidden=10,7,5&act=tanh&k=2&beta=1e-3&lr=4e-3&batch=256&report=100' },
    ],
  },
  {
    id: 'regenerate',
    title: 'Regenerate from the code',
    text: [
      'The decoder now rebuilds the digit from its code (a β-VAE). As β rises, fewer bits pass the bottleneck and the reconstructions keep only the gist: first the stroke details go, then the identity of the digit.',
    ],
    steps: [
      { label: 'β = 0.01', link: 'v=1&data=digits&objective=vae&hidden=64&k=8&act=relu&beta=0.01&lr=0.003&report=100' },
      { label: 'β = 0.3', link: 'v=1&data=digits&objective=vae&hidden=64&k=8&act=relu&beta=0.3&lr=0.003&report=100' },
      { label: 'β = 3', link: 'v=1&data=digits&objective=vae&hidden=64&k=8&act=relu&beta=3&lr=0.003&report=100' },
    ],
  },
];

/** Shows lesson `id` in `panel`; returns its first link, or null. */
export function mountLesson(panel, id, goTo) {
  const lesson = LESSONS.find((l) => l.id === id);
  if (!lesson) return null;
  const title = document.createElement('h2');
  title.textContent = lesson.title;
  panel.append(title);
  for (const paragraph of lesson.text) {
    const p = document.createElement('p');
    p.textContent = paragraph;
    panel.append(p);
  }
  const row = document.createElement('div');
  row.className = 'lesson-steps';
  for (const step of lesson.steps) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = step.label;
    button.dataset.testid = 'lesson-step';
    button.addEventListener('click', () => goTo(step.link));
    row.append(button);
  }
  panel.append(row);
  panel.hidden = false;
  return lesson.steps[0].link;
}

// The benchmark's three models (issue 7): the same VIB set-up for every
// engine. `link` is this engine's experiment; the TensorFlow.js twin is
// and jax-js twins are
// built from the same numbers (`layers`, `k`, `batch`, `lr`, `beta`).
export const CASES = [
  {
    id: 'a',
    name: '784-1024-1024-512 (K=256), batch 100',
    link: 'data=mnist&hidden=1024,1024&act=relu&k=256&batch=100&lr=1e-4&b1=0.5&b2=0.999&beta=1e-3&seed=1&report=10&plane=0',
    hidden: [1024, 1024], activation: 'relu', k: 256, batch: 100, lr: 1e-4, b1: 0.5, b2: 0.999, beta: 1e-3,
    reportEvery: 10,
  },
  {
    id: 'b',
    name: '2-16-16-2 (K=2), batch 64',
    link: 'data=circle&hidden=16,16&act=tanh&k=2&batch=64&lr=5e-3&b1=0.9&b2=0.999&beta=1e-3&seed=1&report=50&plane=0',
    hidden: [16, 16], activation: 'tanh', k: 2, batch: 64, lr: 5e-3, b1: 0.9, b2: 0.999, beta: 1e-3,
    reportEvery: 50,
  },
  {
    id: 'c',
    name: '12-10-7-5-4-3-2 (K=2), batch 256',
    link: 'data=var_u&hidden=10,7,5,4,3&act=tanh&k=2&batch=256&lr=4e-4&b1=0.9&b2=0.999&beta=1e-3&seed=1&report=50&plane=0',
    hidden: [10, 7, 5, 4, 3], activation: 'tanh', k: 2, batch: 256, lr: 4e-4, b1: 0.9, b2: 0.999, beta: 1e-3,
    reportEvery: 50,
  },
];

/** The engines compared on each device: ours first, then its peers. */
export const PAIRS = [
  { device: 'gpu', ours: 'ours-webgpu', peers: ['tfjs-webgpu', 'jaxjs-webgpu'] },
  { device: 'cpu', ours: 'ours-wasm', peers: ['tfjs-wasm', 'jaxjs-wasm'] },
];

// The benchmark's models: the one case file both benchmarks read
// (cases.json; `ibp bench` includes it too), so each case is the same
// experiment here and on the command line. The TensorFlow.js and jax-js
// twins are built from the numbers the link writes out (`hidden`, `act`,
// `k`, `batch`, `lr`, `b1`, `b2`, `beta`, `report`: a Rust test holds that
// every case names them). Cases with a sweep (replicas at once) are the
// command line's alone: the peers have no such thing.
import file from './cases.json';

/** A case's numbers, read from its link. */
function twin({ id, name, link }) {
  const values = new URLSearchParams(link);
  const number = (key) => Number(values.get(key));
  return {
    id, name, link,
    hidden: values.get('hidden').split(',').map(Number),
    activation: values.get('act'),
    k: number('k'), batch: number('batch'), lr: number('lr'), b1: number('b1'), b2: number('b2'), beta: number('beta'),
    reportEvery: number('report'),
  };
}

export const CASES = file.cases.filter((c) => !c.sweep).map(twin);

/** The engines compared on each device: ours first, then its peers. */
export const PAIRS = [
  { device: 'gpu', ours: 'ours-webgpu', peers: ['tfjs-webgpu', 'jaxjs-webgpu'] },
  { device: 'cpu', ours: 'ours-wasm', peers: ['tfjs-wasm', 'jaxjs-wasm'] },
];

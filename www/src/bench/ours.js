// This engine in the benchmark: the playground's wasm Session on WebGPU or
// on the CPU, driven the way the worker drives it (record N steps, then
// read one number back).
import init, { Session, trainingData } from '../../pkg/ib_playground.js';
import { fetchData } from '../fetch-data.js';

let wasm;
let mnist;

/** The MNIST subset the page trains on (uncompressed bytes). */
export async function mnistBytes() {
  mnist ??= await fetchData(new URL(`../data/${__MNIST_FILE__}`, document.baseURI));
  return mnist;
}

/** The training split of a case as flat arrays (for the peer). */
export async function caseData(c) {
  wasm ??= init();
  await wasm;
  const bytes = c.link.includes('data=mnist') ? await mnistBytes() : undefined;
  return trainingData(c.link, bytes);
}

/** Creates this engine for case `c` on `device` ('gpu' or 'cpu'). */
export async function create(c, device) {
  const t0 = performance.now();
  wasm ??= init();
  await wasm;
  const t1 = performance.now();
  const bytes = c.link.includes('data=mnist') ? await mnistBytes() : undefined;
  const session = await Session.create({ link: c.link, backend: device === 'gpu' ? 'gpu-only' : 'cpu', mnist: bytes, run: 0 });
  const t2 = performance.now();
  return {
    label: session.backend,
    /** Where the start went (ms): the WebAssembly, then the session. */
    phases: { wasm_ms: t1 - t0, session_ms: t2 - t1 },
    /** Trains `n` steps and reads the loss back once. */
    async steps(n) {
      return session.benchSteps(n);
    },
    dispose() { session.free(); },
  };
}

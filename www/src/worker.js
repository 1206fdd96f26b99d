// The training worker: owns the WebAssembly sessions so the page never
// freezes. Messages in: start, play, pause, step, set, snapshot, sweep.
// Messages out: ready, progress, report, snapshot, sweep, error.
//
//   idle --start--> ready --play--> training --pause--> ready
//                     ^  \--step--> (one step, one report) --/
//                     \------ error (GPU lost, bad data) ----/
import init, { Session, checkLink } from '../pkg/ib_playground.js';

/** Milliseconds of training between looks at the message queue. */
const SLICE_MS = 60;
/** Models above this many parameters are not saved for a reload. */
const SAVE_MAX_PARAMETERS = 50_000;
/** Milliseconds between snapshots for the views (per million parameters
 * at least another second: the GPU reads its weights back for them). */
const SNAPSHOT_MS = 400;
/** Milliseconds between checkpoints of the last good state. */
const CHECKPOINT_MS = 5000;

/** The beta sweep: replicas, range, steps, and one noise sample per
 * evaluation (the sweep reports often; eight models share each dispatch). */
const SWEEP = { spec: 'beta=1e-5:1:8', steps: 1000 };

const wasmReady = init();
let session = null;
let sweep = null;
let sweepBackend = 'cpu';
let mnistBytes;
let csvText;
let generation = 0;
let playing = false;
let reportEvery = 100;
let nextReport = 0;
let chunk = 1;
let lastSnapshot = 0;
let lastCheckpoint = 0;
let queue = Promise.resolve();

const post = (message) => self.postMessage(message);

function serial(task) {
  queue = queue.then(task).catch((error) => post({ type: 'error', message: String(error?.message ?? error) }));
  return queue;
}

async function loadMnist() {
  const response = await fetch(new URL('data/mnist-subset.bin.gz', self.location.href.replace(/assets\/.*$/, '')));
  if (!response.ok) throw new Error(`the MNIST subset could not be loaded (HTTP ${response.status})`);
  const stream = response.body.pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Why WebGPU cannot be used (or null), and the adapter's name. */
async function probeGpu() {
  if (!self.navigator?.gpu) return { reason: 'this browser offers no WebGPU (navigator.gpu is missing)' };
  const adapter = await self.navigator.gpu.requestAdapter();
  if (!adapter) return { reason: 'WebGPU offers no adapter on this machine' };
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unnamed adapter';
  return { reason: null, name };
}

async function start({ link, backend, csv, resume }) {
  await wasmReady;
  generation += 1;
  playing = false;
  session?.free();
  session = null;
  sweep?.free();
  sweep = null;
  const checked = checkLink(link);
  const params = new URLSearchParams(checked.link);
  reportEvery = Number(params.get('report')) || 100;
  const mnist = params.get('data') === 'mnist' ? await loadMnist() : undefined;
  mnistBytes = mnist;
  let reason = null;
  let adapterName = null;
  if (backend === 'gpu') {
    ({ reason, name: adapterName } = await probeGpu());
    if (!reason) {
      try {
        session = await Session.create(checked.link, 'gpu', mnist, csv ?? undefined, undefined);
      } catch (error) {
        reason = String(error?.message ?? error).replace(/^gpu: /, '');
      }
    }
  } else {
    reason = 'the CPU was chosen (?backend=cpu)';
  }
  if (!session) session = await Session.create(checked.link, 'cpu', mnist, csv ?? undefined, undefined);
  csvText = csv ?? undefined;
  sweepBackend = session.backend.startsWith('CPU') ? 'cpu' : 'gpu';
  if (resume) {
    try {
      session.loadWeights(resume.weights, resume.step);
    } catch {
      // Weights from another build or experiment: start afresh.
    }
  }
  nextReport = (Math.floor(session.steps / reportEvery) + 1) * reportEvery;
  chunk = 1;
  const onGpu = !session.backend.startsWith('CPU');
  post({
    type: 'ready',
    backend: onGpu ? `WebGPU — ${adapterName}` : session.backend,
    fallback: onGpu ? null : reason,
    link: session.link,
    errors: checked.errors,
    info: session.info(),
  });
  if (session.steps > 0) post({ type: 'resumed', step: session.steps });
  else post({ type: 'report', report: (await session.report())[0] });
  await session.checkpoint();
  lastCheckpoint = performance.now();
  post({ type: 'snapshot', snapshot: await session.snapshot() });
}

/** A report with a loss or rate that is not a finite number. */
const diverged = (report) => !Number.isFinite(report.loss) || !Number.isFinite(report.rate_bits);

/** Trains the beta sweep in slices, posting every replica's report. */
async function runSweep(mine) {
  sweep?.free();
  const link = session.link.replace(/samples=\d+/, 'samples=1');
  sweep = await Session.create(link, sweepBackend, mnistBytes, csvText, SWEEP.spec);
  post({ type: 'sweep', reports: await sweep.report(), done: false });
  let slice = 100;
  while (mine === generation && sweep && sweep.steps < SWEEP.steps) {
    await serial(async () => {
      if (mine !== generation || !sweep) return;
      sweep.train(Math.min(slice, SWEEP.steps - sweep.steps));
      await sweep.finished();
      post({ type: 'sweep', reports: await sweep.report(), done: sweep.steps >= SWEEP.steps });
    });
    slice = Math.min(slice * 2, 500);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/**
 * The GPU device is gone (lost, reset, or destroyed): the session moves to
 * the CPU from its last good checkpoint and training goes on.
 */
function recoverOnCpu(error) {
  const reason = String(error?.message ?? error).replace(/^gpu: /, '');
  const step = session.fallBackToCpu();
  sweepBackend = 'cpu';
  nextReport = (Math.floor(session.steps / reportEvery) + 1) * reportEvery;
  post({ type: 'device-lost', backend: session.backend, reason, step });
}

/** Trains `count` steps, then reports if a report is due. */
async function advance(count) {
  try {
    await advanceOn(count);
  } catch (error) {
    if (!String(error?.message ?? error).startsWith('gpu:')) throw error;
    recoverOnCpu(error);
  }
}

async function advanceOn(count) {
  session.train(count);
  await session.finished();
  const steps = session.steps;
  post({ type: 'progress', steps });
  if (steps >= nextReport) {
    nextReport = (Math.floor(steps / reportEvery) + 1) * reportEvery;
    const report = (await session.report())[0];
    post({ type: 'report', report });
    if (diverged(report)) {
      // Keep the last good state; the page offers to go back to it.
      playing = false;
      post({ type: 'diverged', step: steps });
      return;
    }
    if (performance.now() - lastCheckpoint > CHECKPOINT_MS) {
      lastCheckpoint = performance.now();
      await session.checkpoint();
    }
  }
  const now = performance.now();
  if (now - lastSnapshot > SNAPSHOT_MS + session.parameters / 1000) {
    lastSnapshot = now;
    post({ type: 'snapshot', snapshot: await session.snapshot() });
  }
}

async function loop(mine) {
  while (playing && mine === generation && session) {
    // Slices go through the same queue as every other call on the session.
    await serial(async () => {
      if (!playing || mine !== generation || !session) return;
      const began = performance.now();
      await advance(Math.max(1, Math.min(chunk, nextReport - session.steps)));
      const took = performance.now() - began;
      // Aim each slice at SLICE_MS so pause and beta changes land promptly.
      if (took < SLICE_MS / 2) chunk = Math.min(chunk * 2, 4096);
      else if (took > SLICE_MS * 2) chunk = Math.max(1, chunk >> 1);
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

self.onmessage = ({ data }) => {
  if (data.type === 'play') {
    if (!playing && session) {
      playing = true;
      loop(generation);
    }
    return;
  }
  if (data.type === 'pause') {
    playing = false;
    return;
  }
  serial(async () => {
    if (data.type === 'start') return start(data);
    if (!session) return;
    if (data.type === 'step') {
      playing = false;
      nextReport = session.steps + 1;
      await advance(1);
      nextReport = (Math.floor(session.steps / reportEvery) + 1) * reportEvery;
    } else if (data.type === 'set') {
      if (data.key === 'beta') session.setBeta(Number(data.value));
      if (data.key === 'lr') session.setLr(Number(data.value));
      post({ type: 'relinked', link: session.link });
    } else if (data.type === 'sweep') {
      playing = false;
      const mine = generation;
      setTimeout(() => runSweep(mine).catch((error) => post({ type: 'error', message: String(error?.message ?? error) })), 0);
    } else if (data.type === 'lose-device') {
      // A test hook: what a lost device does to the session.
      session.loseDevice();
    } else if (data.type === 'restore') {
      const step = session.restore();
      nextReport = (Math.floor(session.steps / reportEvery) + 1) * reportEvery;
      post({ type: 'restored', step });
      if (step >= 0) post({ type: 'report', report: (await session.report())[0] });
    } else if (data.type === 'weights') {
      // Saving for a reload keeps the weights of small models only.
      const keep = data.purpose !== 'save' || session.parameters <= SAVE_MAX_PARAMETERS;
      post({ type: 'weights', json: keep ? await session.weights() : null, purpose: data.purpose, step: data.step });
    } else if (data.type === 'snapshot') {
      post({ type: 'snapshot', snapshot: await session.snapshot() });
    }
  });
};

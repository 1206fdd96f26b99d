// The training worker: a message pump around the WebAssembly sessions, so
// the page never freezes. It decides nothing about training: each session
// is one Rust `Run`, which owns the report cadence, the divergence check,
// the checkpoints and the move from a lost GPU to the CPU, and says what
// happened as events stamped with the page's run number.
//
//   messages in -> inbox -> handled one at a time -> events out
//   while playing (and the inbox is empty): one ~60 ms slice per turn
//
// In:  start {run, link, backend, csv, resume}, play, pause, step,
//      set {key, value}, restore, weights {purpose, step},
//      sweep, lose-device, ib-curve {pxy}
// Out: ready or start-failed, the run's events (progress, report, snapshot, diverged,
//      backend-changed, finished), restored, relinked, sweep, weights,
//      ib-curve {result | error}, error
import init, { Session, checkLink, ibCurve } from '../pkg/ib_playground.js';
import { fetchData } from './fetch-data.js';
import { openSession } from './backend-choice.js';

/** Milliseconds of training between looks at the inbox. */
const SLICE_MS = 60;
/** Models above this many parameters are not saved for a reload. */
const SAVE_MAX_PARAMETERS = 50_000;
/** The beta sweep: eight replicas in the same dispatches, one noise sample
 * per evaluation, 1000 steps. */
const SWEEP = { spec: 'beta=1e-5:1:8', steps: 1000 };

const inbox = [];
let wake = null;
let session = null;
let sweep = null;
let playing = false;
let data = {};
/** The backend the visitor asked for ('auto', 'cpu', 'gpu'), and the
 * choices made by timing, per model. */
let choice = 'auto';
const decisions = new Map();

const post = (message) => self.postMessage(message);
const message = (error) => String(error?.message ?? error);

self.onmessage = ({ data: received }) => {
  inbox.push(received);
  wake?.();
};

/** The MNIST subset, next to the page (the worker runs from assets/). */
const loadMnist = () => fetchData(new URL('../data/mnist-subset.bin.gz', self.location.href));

/** Adapter names of GPUs emulated on the CPU. */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/i;

/** The adapter's name and whether it is software, or why WebGPU cannot be used here. */
async function probeGpu() {
  if (!self.navigator?.gpu) return { reason: 'this browser offers no WebGPU (navigator.gpu is missing)' };
  const adapter = await self.navigator.gpu.requestAdapter();
  if (!adapter) return { reason: 'WebGPU offers no adapter on this machine' };
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unnamed adapter';
  // A fallback adapter (SwiftShader in Chromium) is a GPU emulated on the CPU.
  const software = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) || SOFTWARE_ADAPTER.test(name);
  return { name, software };
}

function postEvents(events) {
  for (const event of events) {
    post(event);
    if (event.type === 'diverged' || event.type === 'finished') playing = false;
  }
}

/** An error as the page shows it: Rust's {kind, key, line, column, message}. */
const asError = (error) => (typeof error === 'object' && error?.kind ? error : { kind: 'internal', message: message(error) });

/** A new session for the page's run `run`; the current one stays if it fails. */
async function open({ run, link, backend, csv }) {
  const checked = checkLink(link);
  // A link leaves out its defaults: no `data` key is the circle toy.
  const mnist = new URLSearchParams(checked.link).get('data') === 'mnist' ? await loadMnist() : undefined;
  const inputs = { mnist, csv: csv ?? undefined };
  choice = backend;
  const gpu = backend === 'cpu' ? {} : await probeGpu();
  const create = (kind) => Session.create(checked.link, kind, inputs.mnist, inputs.csv, undefined, run, undefined);
  const opened = await openSession(create, backend, gpu, decisions, 'run');
  return { ...opened, checked, inputs };
}

async function start(request) {
  let opened;
  try {
    opened = await open(request);
  } catch (error) {
    post({ type: 'start-failed', run: request.run, error: asError(error) });
    return;
  }
  const { session: next, backend, why, checked, inputs } = opened;
  playing = false;
  session?.free();
  sweep?.free();
  sweep = null;
  session = next;
  data = inputs;
  if (request.resume) {
    // Weights from another build or experiment: the run starts afresh.
    await session.loadWeights(request.resume.weights, request.resume.step).catch(() => {});
  }
  post({
    type: 'ready',
    run: request.run,
    backend,
    fallback: why,
    link: session.link,
    errors: checked.errors,
    info: session.info(),
    parameters: session.parameters,
    resumed: session.steps,
  });
  postEvents(await session.look());
}

/** The sweep on the faster backend for its replicas (timed apart from the run). */
async function startSweep() {
  playing = false;
  sweep?.free();
  const params = new URLSearchParams(session.link);
  params.set('samples', '1');
  const create = (kind) => Session.create(params.toString(), kind, data.mnist, data.csv, SWEEP.spec, 0, SWEEP.steps);
  const gpu = choice === 'cpu' ? {} : await probeGpu();
  sweep = (await openSession(create, choice, gpu, decisions, 'sweep')).session;
}

/** One slice of the sweep; posts every replica's latest report. */
async function sweepSlice() {
  const events = await sweep.slice(SLICE_MS);
  const last = events.filter((e) => e.type === 'report' || e.type === 'finished').pop();
  const done = events.some((e) => e.type === 'finished' || e.type === 'diverged');
  if (last || done) post({ type: 'sweep', reports: last?.reports ?? [], done });
  if (done) {
    sweep.free();
    sweep = null;
  }
}

/** The exact IB of a p(x, y) table, by the CLI's solver. */
function exactCurve({ pxy }) {
  try {
    post({ type: 'ib-curve', result: ibCurve(pxy) });
  } catch (error) {
    post({ type: 'ib-curve', error: asError(error) });
  }
}

async function handle(received) {
  const { type } = received;
  if (type === 'start') return start(received);
  if (type === 'ib-curve') return exactCurve(received);
  if (type === 'play') playing = Boolean(session);
  else if (type === 'pause') playing = false;
  if (!session) return;
  if (type === 'step') {
    playing = false;
    postEvents(await session.step());
  } else if (type === 'set') {
    post({ type: 'relinked', link: session.set(received.key, String(received.value)) });
    // Paused, the readouts show the new β's loss at once.
    if (!playing) postEvents(await session.look());
  } else if (type === 'sweep') {
    await startSweep();
  } else if (type === 'lose-device') {
    session.loseDevice();
  } else if (type === 'restore') {
    const step = session.restore();
    post({ type: 'restored', step: step ?? -1 });
    if (step !== undefined) postEvents(await session.look());
  } else if (type === 'weights') {
    // Saving for a reload keeps the weights of small models only.
    const keep = received.purpose !== 'save' || session.parameters <= SAVE_MAX_PARAMETERS;
    // A GPU lost since the last slice moves the run to the CPU here, back to
    // its last checkpoint: those weights are not the asked-for step's, so a
    // save skips them (the next save keeps the state trained on the CPU).
    const read = keep ? await session.weights() : { json: null, events: [] };
    postEvents(read.events);
    const stale = received.purpose === 'save' && read.events.length > 0;
    post({ type: 'weights', json: stale ? null : read.json, purpose: received.purpose, step: received.step });
  }
}

async function turn() {
  if (inbox.length) return handle(inbox.shift());
  if (playing && session) return postEvents(await session.slice(SLICE_MS));
  if (sweep) return sweepSlice();
  await new Promise((resolve) => { wake = resolve; });
  wake = null;
}

async function pump() {
  await init();
  for (;;) {
    try {
      await turn();
    } catch (error) {
      playing = false;
      post({ type: 'error', error: asError(error) });
    }
    // Let the next message in.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

pump();

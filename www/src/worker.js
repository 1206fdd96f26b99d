// @ts-check
// The training worker: a message pump around the WebAssembly sessions, so
// the page never freezes. It decides nothing about training: each session
// is one Rust `Run`, which owns the report cadence, the divergence check,
// the checkpoints, live changes and the move from a lost GPU to the CPU,
// and says what happened as events stamped with the page's run number.
// The messages, in and out, are those of protocol.js.
//
//   messages in -> inbox -> handled one at a time -> answers and events out
//   while playing (and the inbox is empty): one ~60 ms slice per turn
//   a start with a newer start behind it in the inbox is skipped
import init, { Session, ibCurve, linkAt } from '../pkg/ib_playground.js';
import { fetchData } from './fetch-data.js';
import { SUPERSEDED, openSession } from './backend-choice.js';
import { SAVE_MAX_PARAMETERS, answer, asError } from './protocol.js';

/** Milliseconds of training between looks at the inbox. */
const SLICE_MS = 60;

/** @type {import('./protocol.js').Command[]} */
const inbox = [];
/** @type {(() => void)|null} */
let wake = null;
/** The session training now, and the page's number for its run. */
/** @type {any} */ let session = null;
/** @type {number|null} */ let sessionRun = null;
/** The β sweep training now: its session, its length in steps, when it
 * began (ms) and its models' latest reports. */
/** @type {{session: any, steps: number, began: number, reports: object[]}|null} */ let sweep = null;
/** Turns taken while both the run and a sweep train: they alternate. */
let turns = 0;
let playing = false;
/** @type {{mnist: Uint8Array|null, csv: Uint8Array|null}} */
let data = { mnist: null, csv: null };
/** The backend the visitor asked for ('auto', 'cpu', 'gpu'), and the
 * choices made by timing, per model. */
/** @type {'auto'|'cpu'|'gpu'} */
let choice = 'auto';
const decisions = new Map();

/** @param {import('./protocol.js').Answer} message */
const post = (message) => self.postMessage(message);

self.onmessage = ({ data: received }) => {
  inbox.push(received);
  wake?.();
};

/** The MNIST subset, next to the page (the worker runs from assets/), under
 * its content-named file (scripts/build-facts.mjs). */
// @ts-ignore: defined by Vite
const loadMnist = () => fetchData(new URL(`../data/${__MNIST_FILE__}`, self.location.href));

/** Adapter names of GPUs emulated on the CPU. */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/i;

/** The adapter's name and whether it is software, or why WebGPU cannot be
 * used here (no WebGPU, no adapter, or an adapter request that fails). */
async function probeGpu() {
  const gpu = /** @type {any} */ (self.navigator)?.gpu;
  if (!gpu) return { reason: 'this browser offers no WebGPU (navigator.gpu is missing)' };
  let adapter;
  try {
    adapter = await gpu.requestAdapter();
  } catch (error) {
    return { reason: `WebGPU's adapter request failed (${asError(error).message})` };
  }
  if (!adapter) return { reason: 'WebGPU offers no adapter on this machine' };
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unnamed adapter';
  // A fallback adapter (SwiftShader in Chromium) is a GPU emulated on the CPU.
  const software = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) || SOFTWARE_ADAPTER.test(name);
  return { name, software };
}

/** @param {Array<{type: string}>} events */
function postEvents(events) {
  for (const event of events) {
    post(/** @type {any} */ (event));
    if (event.type === 'diverged' || event.type === 'finished' || event.type === 'held') playing = false;
  }
}

/** A newer start waits: this one is not worth finishing. */
const superseded = () => inbox.some((m) => m.type === 'start');

/**
 * A new session for the page's run `run`; the current one stays if it fails.
 * @param {import('./protocol.js').Start} request
 */
async function open({ run, link, backend, csv }) {
  // A link leaves out its defaults: no `data` key is the circle toy.
  const mnist = new URLSearchParams(link).get('data') === 'mnist' ? await loadMnist() : null;
  choice = backend;
  const gpu = backend === 'cpu' ? {} : await probeGpu();
  /** @param {'cpu'|'gpu'} kind */
  const create = (kind) => {
    if (superseded()) throw SUPERSEDED;
    return Session.create({ link, backend: kind, run, mnist, csv });
  };
  const opened = await openSession(create, backend, gpu, decisions, 'run');
  return { ...opened, inputs: { mnist, csv } };
}

/** @param {import('./protocol.js').Start} request */
async function start(request) {
  if (superseded()) return;
  let opened;
  try {
    opened = await open(request);
  } catch (error) {
    if (error !== SUPERSEDED) post(answer.startFailed(request.run, asError(error)));
    return;
  }
  playing = false;
  if (sweep) await endSweep();
  session?.free();
  session = opened.session;
  sessionRun = request.run;
  data = opened.inputs;
  /** @type {string|null} */
  let resumeError = null;
  if (request.resume) {
    // Weights that do not fit this experiment: the run starts afresh, and says why.
    await session.loadWeights(request.resume.weights, request.resume.step).catch((/** @type {unknown} */ error) => {
      resumeError = asError(error).message;
    });
  }
  post(answer.ready(request.run, opened, {
    link: session.link,
    info: session.info(),
    parameters: session.parameters,
    resumed: session.steps,
    resume_error: resumeError,
  }));
  postEvents(await session.look());
}

/** The sweep on the faster backend for its replicas (timed apart from the
 * run), from the experiment as it stands now, one noise sample per
 * evaluation; a sweep in flight ends first (its lines are posted).
 * @param {import('./protocol.js').AskSweep} request */
async function startSweep({ grid, steps }) {
  if (sweep) await endSweep();
  const params = new URLSearchParams(linkAt(session.link, session.steps));
  params.set('samples', '1');
  /** @param {'cpu'|'gpu'} kind */
  const create = (kind) => Session.create({
    link: params.toString(), backend: kind, run: 0, mnist: data.mnist, csv: data.csv, sweep: grid, until: steps,
  });
  try {
    const gpu = choice === 'cpu' ? {} : await probeGpu();
    const opened = await openSession(create, choice, gpu, decisions, 'sweep');
    sweep = { session: opened.session, steps, began: performance.now(), reports: [] };
    post(answer.sweep({ reports: [], step: 0, steps }));
  } catch (error) {
    post(answer.sweep({ reports: [], step: 0, steps, done: true, error: asError(error) }));
  }
}

/** One slice of the sweep; posts its progress, or its lines at the end. */
async function sweepSlice() {
  const current = /** @type {NonNullable<typeof sweep>} */ (sweep);
  const events = await current.session.slice(SLICE_MS);
  const last = events.filter((/** @type {any} */ e) => e.type === 'report' || e.type === 'finished').pop();
  if (last) current.reports = last.reports;
  if (events.some((/** @type {any} */ e) => e.type === 'finished' || e.type === 'diverged')) return endSweep();
  post(answer.sweep({ reports: current.reports, step: current.session.steps, steps: current.steps }));
  return undefined;
}

/** Ends the sweep where it stands (its last step, a Stop, a divergence, a
 * new run): its models measured there, its lines posted. */
async function endSweep() {
  const { session: swept, steps, began } = /** @type {NonNullable<typeof sweep>} */ (sweep);
  sweep = null;
  try {
    const lines = await swept.sweepLines((performance.now() - began) / 1000);
    const reports = lines.trim().split('\n').map((/** @type {string} */ line) => JSON.parse(line).metrics).filter(Boolean);
    post(answer.sweep({ reports, step: swept.steps, steps, done: true, lines }));
  } catch (error) {
    post(answer.sweep({ reports: [], step: swept.steps, steps, done: true, error: asError(error) }));
  } finally {
    swept.free();
  }
}

/** The exact IB of a p(x, y) table, by the CLI's solver. @param {string} pxy */
function exactCurve(pxy) {
  try {
    post(answer.ibCurve(ibCurve(pxy), null));
  } catch (error) {
    post(answer.ibCurve(null, asError(error)));
  }
}

/**
 * A live change for run `run`: taken by the session if it trains that run,
 * answered either way, then the model reported at once at the new values.
 * @param {import('./protocol.js').Set} request
 */
async function setLive({ run, seq, key, value }) {
  if (!session || run !== sessionRun) {
    post(answer.setDone(run, seq, null));
    return;
  }
  try {
    post(answer.setDone(run, seq, session.set(key, String(value))));
  } catch (error) {
    post(answer.setDone(run, seq, null, asError(error)));
    return;
  }
  postEvents(await session.look());
}

/** The weights now, with the step they are at. @param {'save'|'export'} purpose */
async function weights(purpose) {
  // Saving for a reload keeps the weights of small models only.
  const keep = purpose !== 'save' || session.parameters <= SAVE_MAX_PARAMETERS;
  // A GPU lost since the last slice moves the run to the CPU here, back to
  // its last checkpoint: those weights are not the asked-for step's, so a
  // save skips them (the next save keeps the state trained on the CPU).
  const read = keep ? await session.weights() : { json: null, events: [] };
  postEvents(read.events);
  const stale = purpose === 'save' && read.events.length > 0;
  post(answer.weights(/** @type {number} */ (sessionRun), stale ? null : read.json, purpose, session.steps));
}

/** @param {import('./protocol.js').Command} received */
async function handle(received) {
  switch (received.type) {
    case 'start': return start(received);
    case 'ib-curve': return exactCurve(received.pxy);
    case 'set': return setLive(received);
    case 'play':
      playing = Boolean(session);
      session?.holdAt(received.until ?? undefined);
      return undefined;
    case 'pause':
      // Every event of the run so far was posted before this answer: the
      // worker handles one message at a time, after the slice in flight.
      playing = false;
      post(answer.paused());
      return undefined;
    default: break;
  }
  if (!session) {
    // The page sends a sweep once its first run is ready; never lost silently.
    if (received.type === 'sweep') post(answer.sweep({ reports: [], step: 0, steps: received.steps, done: true, error: { kind: 'internal', message: 'there is no run to sweep yet: wait until the page has started, then sweep again' } }));
    return undefined;
  }
  switch (received.type) {
    case 'step':
      playing = false;
      return postEvents(await session.step());
    case 'sweep': return startSweep(received);
    case 'sweep-stop': return sweep ? endSweep() : undefined;
    case 'lose-device': return session.loseDevice();
    case 'restore': {
      const step = session.restore() ?? null;
      post(answer.restored(/** @type {number} */ (sessionRun), step, step == null ? null : session.link));
      if (step != null) postEvents(await session.look());
      return undefined;
    }
    case 'weights': return weights(received.purpose);
    default: return undefined;
  }
}

async function turn() {
  const next = inbox.shift();
  if (next) return handle(next);
  // The run and a sweep, both training, take turns.
  const sweepTurn = sweep && !(playing && session && turns++ % 2 === 0);
  if (sweepTurn) return sweepSlice();
  if (playing && session) return postEvents(await session.slice(SLICE_MS));
  await new Promise((resolve) => { wake = () => resolve(undefined); });
  wake = null;
  return undefined;
}

async function pump() {
  try {
    await init();
  } catch (error) {
    // Nothing can train: the page says what failed and what to do.
    post(answer.error(asError(error), true));
    return;
  }
  for (;;) {
    try {
      await turn();
    } catch (error) {
      playing = false;
      post(answer.error(asError(error)));
    }
    // Let the next message in.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

pump();

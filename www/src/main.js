// The controller: wires the experiment link (the URL fragment), the
// controls, the training worker and the views. It holds no tensors and
// edits no query strings: Rust's link codec (`setKey`, `checkLink`) does.
//
// Runs are numbered. Every event the worker posts carries the number of the
// run that produced it, and only the current run's events reach the views,
// so a report from a run being replaced never leaks into the next:
//
//   start(link) -> pending = n --ready(n)--> current = n, history = []
//                              \--start-failed(n)--> current run kept
import init, { checkKernels, checkLink, fullLink, linkSchema, setKey } from '../pkg/ib_playground.js';
import { mountKnobs } from './knobs.js';
import { Views } from './views.js';
import { applyEmbedLayout, listenForEmbedder, mountEmbedDialog } from './embed.js';
import { fragmentLink, shareUrl, showInAddressBar } from './links.js';
import { lessonHref, mountGallery, mountLesson } from './lessons.js';
import { Pins } from './pins.js';
import { mountExact } from './exact.js';
import { mountIntro, mountDrawer } from './chrome.js';
import { registerOffline } from './offline.js';
import { Messages } from './messages.js';
import { showReport, clearReadouts } from './readouts.js';
import * as saved from './persist.js';
import { mountExports } from './export.js';
import { mountDataInput } from './data-input.js';
import { Speed } from './speed.js';
import { linkValue, setDefaults, valuesOf } from './link-values.js';
import { showTableSummary } from './table-summary.js';

/** Reports kept for the curves (older ones are thinned out). */
const HISTORY_LIMIT = 1500;
/** The link a first visit starts from. */
const DEFAULT_LINK = 'v=1&data=circle&hidden=16,16&k=2&beta=1e-3&report=20&plane=1';

const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);
/** `?backend=cpu|gpu` forces a backend; otherwise the page times both. */
const backendChoice = ['cpu', 'gpu'].includes(query.get('backend')) ? query.get('backend') : 'auto';
const embedded = query.get('embed') === '1';
applyEmbedLayout(query);

const state = {
  run: 0, pending: 0, link: '', history: [], info: null, snapshot: null, marks: [], showTest: false,
  label: '', playing: false, diverged: false, csv: null, autoplay: query.get('autoplay') === '1', resume: null,
};
const messages = new Messages($('error'), $('notice'));
const speed = new Speed();
const pins = new Pins();
const views = new Views(messages, (beta) => onKnob('beta', String(beta), { live: true }));
let exact = null;

/** Redraws every view from the state and the pinned runs. */
function redraw() {
  views.draw({ ...state, pins: pins.labelled(state.link) });
}
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
let knobs = null;

/** Shows the views the link names (its `views` key). */
function applyViews(link) {
  const shown = new Set(linkValue(link, 'views').split(','));
  for (const figure of document.querySelectorAll('figure[id^="view-"]')) {
    figure.classList.toggle('link-hidden', !shown.has(figure.id.slice('view-'.length)));
  }
}

function setLink(link) {
  state.link = link;
  applyViews(link);
  showInAddressBar(link);
  $('share-link').value = shareUrl(link, setKey);
  knobs?.update(link);
  state.lessonDrift?.(link);
}

/** Asks the worker for a new run of `link`; the current one stays until it is ready. */
function start(link, { csv = state.csv } = {}) {
  state.pending += 1;
  setPlaying(false);
  $('backend').textContent = 'starting…';
  $('backend').setAttribute('aria-busy', 'true');
  const data = linkValue(checkLink(link).link, 'data') === 'csv' ? csv : null;
  state.pendingCsv = data;
  const resume = state.resume?.weights ? { weights: state.resume.weights, step: state.resume.step } : null;
  worker.postMessage({ type: 'start', run: state.pending, link, backend: backendChoice, csv: data, resume });
}

function setBackendLabel(text) {
  state.label = text;
  $('backend').textContent = text;
  $('backend').removeAttribute('aria-busy');
}

function setPlaying(playing) {
  state.playing = playing;
  $('play').textContent = playing ? 'Pause' : 'Play';
  $('play').setAttribute('aria-pressed', String(playing));
  worker.postMessage({ type: playing ? 'play' : 'pause' });
}

function onReady(data) {
  state.run = data.run;
  state.info = data.info;
  state.diverged = false;
  state.history = state.resume && data.resumed > 0 ? state.resume.reports.slice() : [];
  state.resume = null;
  state.snapshot = null;
  state.marks = [];
  if (state.pendingCsv) state.csv = state.pendingCsv;
  messages.clear();
  clearReadouts();
  setBackendLabel(data.fallback ? `${data.backend} — ${data.fallback}` : data.backend);
  setLink(data.link);
  for (const error of data.errors) messages.error(error.message);
  if (linkValue(data.link, 'data') === 'csv') {
    messages.notice('data=csv: your table stays in this browser and is not in the link; whoever opens the link must load the same CSV.');
  }
  showTableSummary($('table-summary'), data.info.table);
  if (data.resumed > 0) messages.notice(`Restored your last run at step ${data.resumed} (kept in this browser; “Forget” drops it).`);
  views.reset(state.info);
  speed.reset(data.parameters);
  $('speed').textContent = speed.status();
  if (state.autoplay) {
    state.autoplay = false;
    setPlaying(true);
  }
}

/** The current run's events. */
const EVENTS = {
  progress: (e) => {
    $('step-count').textContent = String(e.step);
    speed.progress(e.step, e.train_ms, performance.now());
    $('speed').textContent = speed.status();
    const warning = speed.warning(valuesOf(state.link));
    if (warning) messages.notice(warning);
  },
  report: (e) => {
    speed.report(e.report_ms);
    addReport(e.reports[0]);
  },
  finished: (e) => { addReport(e.reports[0]); setPlaying(false); },
  snapshot: (e) => { state.snapshot = e.snapshot; redraw(); },
  diverged: (e) => {
    state.diverged = true;
    setPlaying(false);
    const good = e.restorable_step ?? e.last_good_step;
    messages.error(`Training diverged at step ${e.step}: the ${e.quantity} is no longer a finite number. The metrics so far are kept${good == null ? '' : ` and the state at step ${good} can be restored`}; then lower the learning rate or β.`,
      good == null ? null : { label: 'Restore the last good state', testid: 'restore', action: () => worker.postMessage({ type: 'restore' }) });
  },
  'backend-changed': (e) => {
    setBackendLabel(`${e.label} — the GPU device was lost (${e.reason}); continuing on the CPU from step ${e.step}`);
    state.history = state.history.filter((r) => r.step <= e.step);
    messages.notice(`The GPU device was lost: ${e.reason}. Training continues on the CPU from the last good state (step ${e.step}); the experiment and its history are kept.`);
  },
};

function addReport(report) {
  // A restored or moved run reports its step again: that report replaces.
  state.history = state.history.filter((r) => r.step < report.step);
  state.history.push(report);
  if (state.history.length > HISTORY_LIMIT) state.history = state.history.filter((_, i) => i % 2 === 0 || i === state.history.length - 1);
  showReport(report, state.info);
  scheduleSave();
  redraw();
}

worker.onmessage = ({ data }) => {
  if (data.type === 'ready') {
    if (data.run === state.pending) onReady(data);
  } else if (data.type === 'start-failed') {
    if (data.run !== state.pending) return;
    messages.error(state.run ? `${data.error.message} The experiment that was running is kept.` : data.error.message);
    setBackendLabel(state.label || 'not started: see the message below');
    if (state.run) setLink(state.link);
  } else if (EVENTS[data.type]) {
    if (data.run === state.run) EVENTS[data.type](data);
  } else if (data.type === 'restored') {
    state.diverged = false;
    messages.clear();
    state.history = state.history.filter((r) => r.step <= data.step);
  } else if (data.type === 'relinked') {
    setLink(data.link);
  } else if (data.type === 'weights') {
    if (data.purpose === 'save') keep(data);
    else exports.weights(data.json);
  } else if (data.type === 'sweep') {
    views.sweep(data, { ...state, pins: pins.labelled(state.link) });
  } else if (data.type === 'ib-curve') {
    if (data.error) exact?.error(data.error.message);
    else exact?.show(data.result);
  } else if (data.type === 'error') {
    setPlaying(false);
    messages.error(data.error.message);
  }
};

/** A control changed: Rust checks the value and writes the new link. */
function onKnob(key, value, spec) {
  let link;
  try {
    link = setKey(state.link, key, value);
  } catch (error) {
    messages.error(error.message, null, 'control');
    knobs.update(state.link);
    return;
  }
  messages.drop('control');
  if (spec.page_only) setLink(link);
  else if (spec.live) {
    worker.postMessage({ type: 'set', key, value });
    if (key === 'beta') state.marks.push({ step: Number($('step-count').textContent), beta: Number(linkValue(link, 'beta')) });
    setLink(link);
    redraw();
  } else start(link);
}

$('play').addEventListener('click', () => setPlaying(!state.playing));
$('step').addEventListener('click', () => {
  setPlaying(false);
  worker.postMessage({ type: 'step' });
});
$('reset').addEventListener('click', () => start(state.link));
$('sweep-button').addEventListener('click', () => {
  setPlaying(false);
  $('sweep-button').disabled = true;
  worker.postMessage({ type: 'sweep' });
});
$('share').addEventListener('click', async () => {
  const input = $('share-link');
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
    $('share').textContent = 'Copied';
  } catch {
    $('share').textContent = 'Select and copy';
  }
  setTimeout(() => { $('share').textContent = 'Share'; }, 1500);
});
window.addEventListener('hashchange', () => {
  const link = fragmentLink();
  if (link && link !== state.link) start(link);
});
mountEmbedDialog(() => state.link);
$('pin').addEventListener('click', () => pinCurrent());
$('unpin').addEventListener('click', () => {
  pins.clear();
  $('unpin').hidden = true;
  redraw();
});
$('map-test').addEventListener('change', () => {
  state.showTest = $('map-test').checked;
  redraw();
});

/** Keeps the current run as a faded, labelled overlay. */
function pinCurrent() {
  if (pins.add({ link: state.link, history: state.history, snapshot: state.snapshot })) {
    $('unpin').hidden = false;
    redraw();
  }
}

const exports = mountExports({ history: () => state.history, link: () => state.link, fullLink, askWeights: () => worker.postMessage({ type: 'weights' }) });
mountDataInput({
  messages,
  use: (bytes) => {
    try {
      start(setKey(state.link, 'data', 'csv'), { csv: bytes });
    } catch (error) {
      messages.error(error.message);
    }
  },
});

listenForEmbedder(query, {
  play: () => setPlaying(true),
  pause: () => setPlaying(false),
  setBeta: (value) => onKnob('beta', value, { live: true }),
  metrics: () => ({ reports: state.history.map((r) => ({ ...r })), link: state.link }),
});

/** Saves the run (throttled): link, reports, and the weights of small models.
 * A run that has not trained is not kept: its link holds all it has. */
let saveTimer = null;
function scheduleSave() {
  if (saveTimer || embedded) return;
  saveTimer = setTimeout(() => {
    saveTimer = null;
    const last = state.history[state.history.length - 1];
    if (last?.step > 0) worker.postMessage({ type: 'weights', purpose: 'save', step: last.step });
  }, 1500);
}

/** Stores the weights the worker sent, unless the run they belong to was
 * replaced or forgotten since they were asked for. */
function keep(data) {
  if (data.step > 0 && state.history.some((r) => r.step === data.step)) {
    saved.save({ link: state.link, step: data.step, reports: state.history, weights: data.json });
  }
}

$('forget').addEventListener('click', () => {
  clearTimeout(saveTimer);
  saveTimer = null;
  saved.forget();
  start(state.link);
});

/** Read-only access for scripts on this page (exports, tests, embedders). */
window.playground = Object.freeze({
  reports: () => state.history.map((r) => ({ ...r })),
  link: () => state.link,
  info: () => state.info,
  /** Destroys the worker's GPU device, as a driver reset would (for tests). */
  loseDevice: () => worker.postMessage({ type: 'lose-device' }),
  /** The pinned runs' links, oldest first. */
  pinned: () => pins.links(),
  /** The exact IB curve on the page: {ixy_bits, hx_bits, points}, or null. */
  ibCurve: () => exact?.result() ?? null,
  /**
   * Checks every matrix-product kernel this browser's WebGPU adapter runs
   * against f64 sums on a fresh device: resolves to {adapter, emulated,
   * wide_tiles, subgroup_size, kernels, checks: [{kernel, shape, trans_a,
   * trans_b, activation, worst}]}; worst <= 1 passes.
   */
  checkKernels: () => checkKernels(),
});

await init();
const schema = linkSchema();
setDefaults(schema);
knobs = mountKnobs($('knobs'), schema, onKnob);
mountGallery($('lesson-list'));
$('start-here').setAttribute('href', lessonHref('beta'));
const lessonId = query.get('lesson');
mountIntro($('intro'), { collapsed: embedded || Boolean(lessonId) });
mountDrawer($('drawer'), $('drawer-toggle'), $('drawer-close'));
const lesson = mountLesson($('lesson'), lessonId, (link, { pin }) => {
  if (pin) pinCurrent();
  location.hash = link;
});
if (lesson?.lesson.exact) exact = mountExact($('lesson'), (pxy) => worker.postMessage({ type: 'ib-curve', pxy }));
const lessonLink = lesson?.link ?? null;
state.lessonDrift = lesson?.drift ?? null;
registerOffline($('offline'));
// A reload (or a visit without a link) picks up the run kept in this browser.
const kept = embedded ? null : saved.load();
const firstLink = fragmentLink() ?? lessonLink ?? kept?.link ?? DEFAULT_LINK;
state.resume = kept && kept.link === firstLink ? kept : null;
start(firstLink);

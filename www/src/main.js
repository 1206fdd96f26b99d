// The controller: wires the experiment link (the URL fragment), the
// controls, the training worker and the views. It holds no tensors: the
// worker sends reports and snapshots as plain objects.
import { mountKnobs } from './knobs.js';
import { fmt } from './plot.js';
import { CurvesView } from './views/curves.js';
import { InfoPlaneView } from './views/info-plane.js';
import { LatentView } from './views/latent.js';
import { DimsView } from './views/dims.js';
import { MapView } from './views/map.js';
import { SweepView } from './views/sweep.js';
import { VIEW_IDS, applyEmbedLayout, embedSnippet, listenForEmbedder } from './embed.js';
import { mountLesson } from './lessons.js';
import * as saved from './persist.js';
import { download, experimentJson, metricsCsv, plotsPng, plotsSvg } from './export.js';

/** Reports kept for the curves (older ones are thinned out). */
const HISTORY_LIMIT = 1500;
/** The link a first visit starts from. */
const DEFAULT_LINK = 'v=1&data=circle&hidden=16,16&k=2&beta=1e-3&report=20&plane=1';

const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);
const backendChoice = query.get('backend') === 'cpu' ? 'cpu' : 'gpu';
applyEmbedLayout(query);

const views = {
  curves: new CurvesView($('curves')),
  plane: new InfoPlaneView($('info-plane')),
  latent: new LatentView($('latent'), $('latent-projection')),
  dims: new DimsView($('dims')),
  map: new MapView($('map'), $('map-caption')),
  sweep: new SweepView($('sweep'), $('sweep-caption')),
};

const state = { diverged: false, link: '', history: [], info: null, snapshot: null, playing: false, redraw: false, problems: [], csv: null, autoplay: query.get('autoplay') === '1' };
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });

function showProblems() {
  const box = $('error');
  box.replaceChildren();
  for (const text of state.problems) {
    const line = document.createElement('p');
    line.textContent = text; // never HTML: links and uploads come from strangers
    box.append(line);
  }
  if (state.diverged) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Restore the last good state';
    button.dataset.testid = 'restore';
    button.addEventListener('click', () => worker.postMessage({ type: 'restore' }));
    box.append(button);
  }
  box.hidden = state.problems.length === 0 && !state.diverged;
}

/** Shows the views the link names (its `views` key). */
function applyViews(link) {
  const shown = new Set((new URLSearchParams(link).get('views') ?? '').split(','));
  for (const [name, id] of Object.entries(VIEW_IDS)) $(id).classList.toggle('link-hidden', !shown.has(name));
}

function setLink(link) {
  state.link = link;
  applyViews(link);
  history.replaceState(null, '', `${location.pathname}${location.search}#${link}`);
  $('share-link').value = `${location.origin}${location.pathname}${location.search.replace(/[?&]embed=1/, '')}#${link}`;
  knobs.update(new URLSearchParams(link));
}

function start(link, problems = []) {
  state.diverged = false;
  state.history = state.resume ? state.resume.reports.slice() : [];
  state.snapshot = null;
  state.problems = problems;
  showProblems();
  setPlaying(false);
  $('backend').textContent = 'starting…';
  const csv = new URLSearchParams(link).get('data') === 'csv' ? state.csv : null;
  const resume = state.resume?.weights ? { weights: state.resume.weights, step: state.resume.step } : null;
  state.resume = null;
  worker.postMessage({ type: 'start', link, backend: backendChoice, csv, resume });
}

function setPlaying(playing) {
  state.playing = playing;
  $('play').textContent = playing ? 'Pause' : 'Play';
  $('play').setAttribute('aria-pressed', String(playing));
  worker.postMessage({ type: playing ? 'play' : 'pause' });
}

function scheduleRedraw() {
  if (state.redraw) return;
  state.redraw = true;
  requestAnimationFrame(() => {
    state.redraw = false;
    try {
      views.curves.update(state.history);
      views.plane.update(state.history, state.info);
      const last = state.history[state.history.length - 1];
      if (last) views.dims.update(last, state.info);
      if (state.snapshot) {
        views.latent.update(state.snapshot.latent);
        views.map.update(state.snapshot);
      }
    } catch (error) {
      state.problems = [`a view failed: ${error.message}`];
      showProblems();
    }
  });
}

function showReport(report) {
  $('step-count').textContent = String(report.step);
  $('loss').textContent = fmt(report.loss, 'bits');
  $('rate').textContent = fmt(report.rate_bits, 'bits');
  // Full precision for whoever compares runs (the shown text is rounded).
  $('loss').dataset.value = String(report.loss);
  $('loss').dataset.step = String(report.step);
  $('rate').dataset.value = String(report.rate_bits);
  $('izy').textContent = fmt(report.izy_bits ?? null, 'bits');
  $('accuracy').textContent = report.test_acc == null ? '–' : `${(100 * report.test_acc).toFixed(1)} % test`;
}

worker.onmessage = ({ data }) => {
  switch (data.type) {
    case 'ready':
      state.info = data.info;
      $('backend').textContent = data.fallback ? `${data.backend} — ${data.fallback}` : data.backend;
      setLink(data.link);
      state.problems = state.problems.concat(data.errors.map((e) => `${e.key}: ${e.message}`));
      if (new URLSearchParams(data.link).get('data') === 'csv') {
        state.problems.push('data=csv: your table stays in this browser and is not in the link; whoever opens the link must load the same CSV');
      }
      showProblems();
      if (state.autoplay) {
        state.autoplay = false;
        setPlaying(true);
      }
      break;
    case 'diverged':
      state.diverged = true;
      setPlaying(false);
      state.problems = state.problems.concat(
        `Training diverged at step ${data.step}: the loss is no longer a finite number. The metrics so far and the last good state are kept; restore it, then lower the learning rate or β.`,
      );
      showProblems();
      break;
    case 'device-lost':
      $('backend').textContent = `${data.backend} — the GPU device was lost (${data.reason}); continuing on the CPU from step ${data.step}`;
      state.history = state.history.filter((r) => r.step <= data.step);
      state.problems = state.problems.concat(`The GPU device was lost: ${data.reason}. Training continues on the CPU from the last good state (step ${data.step}); the experiment and its history are kept.`);
      showProblems();
      break;
    case 'restored':
      state.diverged = false;
      state.problems = state.problems.filter((p) => !p.startsWith('Training diverged'));
      state.history = state.history.filter((r) => r.step <= data.step);
      $('step-count').textContent = String(Math.max(0, data.step));
      showProblems();
      break;
    case 'weights':
      if (data.purpose === 'save') {
        saved.save({ link: state.link, step: data.step, reports: state.history, weights: data.json });
      } else {
        download('weights.json', data.json, 'application/json');
      }
      break;
    case 'resumed':
      state.problems = state.problems.concat(`Restored your last run at step ${data.step} (kept in this browser; “Forget” drops it).`);
      showProblems();
      $('step-count').textContent = String(data.step);
      break;
    case 'progress':
      $('step-count').textContent = String(data.steps);
      break;
    case 'report':
      state.history.push(data.report);
      scheduleSave();
      if (state.history.length > HISTORY_LIMIT) state.history = state.history.filter((_, i) => i % 2 === 0 || i === state.history.length - 1);
      showReport(data.report);
      scheduleRedraw();
      break;
    case 'snapshot':
      state.snapshot = data.snapshot;
      scheduleRedraw();
      break;
    case 'sweep':
      $('view-sweep').hidden = false;
      views.sweep.update(data.reports, state.info);
      $('sweep-button').disabled = !data.done;
      break;
    case 'relinked':
      setLink(data.link);
      break;
    case 'error':
      state.problems = state.problems.concat(data.message);
      showProblems();
      setPlaying(false);
      break;
    default:
      break;
  }
};

const knobs = mountKnobs($('knobs'), (key, value, live, pageOnly) => {
  const params = new URLSearchParams(state.link);
  params.set(key, value);
  const link = params.toString().replaceAll('%2C', ',');
  if (pageOnly) {
    setLink(link);
  } else if (live) {
    worker.postMessage({ type: 'set', key, value });
    setLink(link);
  } else {
    start(link);
  }
});

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
  const link = location.hash.slice(1);
  if (link && link !== state.link) start(link);
});

$('embed-code').addEventListener('click', () => {
  $('embed-snippet').value = embedSnippet(state.link);
  $('embed-dialog').showModal();
});
$('export-button').addEventListener('click', () => $('export-dialog').showModal());
const EXPORTS = {
  'metrics.csv': () => download('metrics.csv', metricsCsv(state.history), 'text/csv'),
  'metrics.json': () => download('metrics.json', JSON.stringify(state.history, null, 1), 'application/json'),
  'experiment.json': () => download('experiment.json', experimentJson(state.link), 'application/json'),
  'weights.json': () => worker.postMessage({ type: 'weights' }),
  'plots.svg': () => download('plots.svg', plotsSvg(), 'image/svg+xml'),
  'plots.png': async () => download('plots.png', await plotsPng(), 'image/png'),
};
for (const button of document.querySelectorAll('[data-export]')) {
  button.addEventListener('click', () => EXPORTS[button.dataset.export]());
}

function useCsv(text) {
  state.csv = text;
  const params = new URLSearchParams(state.link);
  params.set('data', 'csv');
  start(params.toString().replaceAll('%2C', ','));
}
/** Largest CSV the page reads (the Rust parser's own limit). */
const MAX_CSV_BYTES = 16 * 1024 * 1024;
$('csv-file').addEventListener('change', async () => {
  const file = $('csv-file').files[0];
  $('csv-file').value = '';
  if (!file) return;
  if (file.size > MAX_CSV_BYTES) {
    // Refused before it is read whole.
    state.problems = [`CSV is ${file.size} bytes (allowed: at most ${MAX_CSV_BYTES})`];
    showProblems();
    return;
  }
  useCsv(await file.text());
});
$('csv-paste').addEventListener('click', () => $('csv-dialog').showModal());
$('csv-dialog').addEventListener('close', () => {
  if ($('csv-dialog').returnValue === 'use') useCsv($('csv-text').value);
});

listenForEmbedder(query, {
  play: () => setPlaying(true),
  pause: () => setPlaying(false),
  setBeta: (value) => {
    const params = new URLSearchParams(state.link);
    params.set('beta', value);
    worker.postMessage({ type: 'set', key: 'beta', value });
    setLink(params.toString().replaceAll('%2C', ','));
  },
  metrics: () => ({ reports: state.history.map((r) => ({ ...r })), link: state.link }),
});

/** Saves the run (throttled): link, reports, and the weights of small models. */
let saveTimer = null;
function scheduleSave() {
  if (saveTimer || query.get('embed') === '1') return;
  saveTimer = setTimeout(() => {
    saveTimer = null;
    const last = state.history[state.history.length - 1];
    if (!last || !Number.isFinite(last.loss)) return;
    worker.postMessage({ type: 'weights', purpose: 'save', step: last.step });
  }, 1500);
}
$('forget').addEventListener('click', () => {
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
});

const lessonLink = mountLesson($('lesson'), query.get('lesson'), (link) => {
  location.hash = link;
});
// A reload (or a visit without a link) picks up the run kept in this browser.
const kept = query.get('embed') === '1' ? null : saved.load();
const firstLink = location.hash.length > 1 ? location.hash.slice(1) : lessonLink ?? kept?.link ?? DEFAULT_LINK;
state.resume = kept && kept.link === firstLink ? kept : null;
start(firstLink);

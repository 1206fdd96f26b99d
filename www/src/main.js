// The controller: wires the page's state (page-state.js: the experiment
// every control writes and everything shown reads), the training worker
// (protocol.js) and the views. It holds no tensors and edits no query
// strings: Rust's link codec does (`editLink`, `checkLink`, `linkAt`).
//
// Runs are numbered. Every event the worker posts carries the number of the
// run that produced it, and only the current run's events reach the views,
// so a report from a run being replaced never leaks into the next:
//
//   start(link) -> pending = n --ready(n)--> current = n, history = []
//                              \--start-failed(n)--> current run kept
import init, {
  betaSweep, betaSweepOfLink, checkKernels, checkLink, fullLink, linkSchema, metricsCsv, pageFacts, setKey, sweepCsv,
} from '../pkg/ib_playground.js';
import { setFacts } from './facts.js';
import { mountKnobs } from './knobs.js';
import { announceReplay, replacedChanges, restartNote } from './live-notes.js';
import { Views } from './views.js';
import { applyEmbedLayout, embedCommands, listenForEmbedder, mountEmbedDialog } from './embed.js';
import { fragmentLink, shareUrl, showInAddressBar } from './links.js';
import { LESSONS, lessonHref, mountGallery, mountLesson, stepIndex } from './lessons.js';
import { mountExercises, mountInstructor } from './instructor.js';
import { Pins } from './pins.js';
import { mountExact } from './exact.js';
import { mountDialogButtons, mountIntro, mountDrawer } from './chrome.js';
import { registerOffline } from './offline.js';
import { Messages } from './messages.js';
import { showReport, clearReadouts } from './readouts.js';
import { mountExports } from './export.js';
import { mountDataInput } from './data-input.js';
import { Speed } from './speed.js';
import { linkValue, setDefaults, valuesOf } from './link-values.js';
import { showTableSummary } from './table-summary.js';
import { PageState } from './page-state.js';
import { RUN_EVENTS, command } from './protocol.js';
import { Keeping } from './keeping.js';
import { wasmFailure, workerFailure } from './failures.js';
import { describeBackend } from './backend-line.js';
import { betaLabel, describeExperiment } from './describe.js';
import { SweepTool } from './sweep-tool.js';
import { mountLessonPlay } from './lesson-play.js';

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

/** What the views draw and the run's bookkeeping; the experiment is `page`. */
const state = {
  history: [], info: null, snapshot: null,
  /** The run `history` belongs to (a new run is ready before its history is). */
  historyRun: null,
  /** The β sweep's latest reports, one per model (empty before a sweep). */
  sweep: [], showTest: false, label: null, playing: false, diverged: false,
  /** How the first run lands: 'shared' (a line above the plots), 'lesson' (scrolled to it on a phone). */
  landing: null,
  /** The run a lesson paused at its step (a second Play trains on). */
  pausedRun: null,
  csv: null, pendingCsv: null, autoplay: query.get('autoplay') === '1', resume: null, startErrors: [],
  /** Notices for the first run's start (messages before it would be cleared). */
  openingNotices: [],
  /** Training seconds of the run so far (reports carry them into the CSV). */
  seconds: 0,
  /** Step presses made before the first run was ready, taken once it is. */
  earlySteps: 0,
};
/** Pauses sent to the worker and answered: a paused run's last events
 * arrive before the worker's answer (scripts wait for it: `stopped()`). */
const pauses = { sent: 0, answered: 0, waiting: [] };

const page = new PageState(render);
const messages = new Messages($('error'), $('notice'));
const speed = new Speed();
const pins = new Pins();
// A sweep point's β, taken as its label says: two figures (3.7e-2, not
// 0.03727593720314943), a live change of the run on screen (sweep-tool.js).
const views = new Views(messages, (beta) => sweepTool.take(beta));
let exact = null;
let knobs = null;
let lesson = null;
/** The lesson's exercises' check of the run on screen, or null. */
let exercises = null;
/** Shows the run's step beside the lesson's own Play (in a lesson). */
let lessonPlay = null;
/** The exercise the address shows alone (`exercise=N`, 1-based), or null. */
const shownExercise = Number.parseInt(query.get('exercise') ?? '', 10) || null;
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (message) => worker.postMessage(message);
/** This tab's run kept for a reload (not in embeds: a course page's iframe
 * starts from its link every time). */
const keeping = new Keeping({
  send, page, pins, history: () => state.history, notice: (text, action) => messages.notice(text, action), enabled: !embedded,
});

/** The β changes of the experiment, for the curves' dashed lines. */
const betaMarks = () => page.changes.filter((c) => c.key === 'beta').map((c) => ({ step: c.step, beta: Number(c.value) }));

/** Redraws every view from the state and the pinned runs. The views draw
 * the run on screen (its link), which lags the form while a new run starts. */
function redraw() {
  views.draw({ ...state, history: runHistory(), link: page.runLink, marks: betaMarks(), pins: pins.labelled(page.inForce()) });
  checkExercises();
}

/** The reports of the run on screen: none while a new run is ready and
 * its history not yet in (its first redraw comes before). */
function runHistory() {
  return state.historyRun === page.run ? state.history : [];
}

/** Checks the lesson's exercises on the run, the β sweep and the exact curve
 * on screen, never where its β changed mid-way (a change made, or the
 * run's, while a new run starts). */
function checkExercises() {
  exercises?.(runHistory(), page.inForce(), { sweep: state.sweep, curve: exact?.result() ?? null, changes: page.allChanges() });
}

/** Shows the views the link names (its `views` key), and the IB curve
 * while a β sweep is shown. */
function applyViews(link) {
  const shown = new Set(linkValue(link, 'views').split(','));
  if (sweepTool.shown) shown.add('sweep');
  for (const figure of document.querySelectorAll('figure[id^="view-"]')) {
    figure.classList.toggle('link-hidden', !shown.has(figure.id.slice('view-'.length)));
  }
}

/** Everything that shows the experiment, from the page's state. */
function render() {
  const shared = page.shareable();
  applyViews(shared);
  showInAddressBar(shared, sweepTool.shared());
  $('share-link').value = shareUrl(shared, setKey, sweepTool.shared());
  // Share's note speaks of the run it copied: it goes when that changes.
  if ($('share-note').textContent !== (page.caveat() ?? '')) $('share-note').hidden = true;
  knobs?.update(page.inForce());
  sweepTool.mark(Number(linkValue(page.inForce(), 'beta')));
  lesson?.drift(page.last());
  embedDialog?.refresh();
  redraw();
}

/** The address bar and the share box carry the β sweep on screen. */
function showSweepInLinks() {
  const shared = page.shareable();
  showInAddressBar(shared, sweepTool.shared());
  $('share-link').value = shareUrl(shared, setKey, sweepTool.shared());
}

/** Asks the worker for a new run of `link`; the current one stays until it
 * is ready. With `play`, the new run plays as soon as it is. */
function start(link, { csv = state.csv, play = false } = {}) {
  const checked = checkLink(link);
  if (play) state.autoplay = true;
  state.startErrors = checked.errors;
  // The run being replaced stops; before the first run there is none, and
  // a Play pressed while the page loads stands (setPlaying).
  if (page.run != null) setPlaying(false);
  $('backend').textContent = 'starting…';
  $('backend-details').textContent = '';
  $('backend').removeAttribute('tabindex');
  $('backend').setAttribute('aria-busy', 'true');
  const run = page.startRun(checked.link);
  const data = linkValue(checked.link, 'data') === 'csv' ? csv : null;
  state.pendingCsv = data;
  const resume = state.resume?.weights ? { weights: state.resume.weights, step: state.resume.step } : null;
  send(command.start(run, checked.link, backendChoice, data, resume));
}

/** The backend line: a sentence, and the details behind it (hover, focus). */
function setBackendLabel(sentence, details = '') {
  state.label = { sentence, details };
  $('backend').textContent = sentence;
  $('backend-details').textContent = details;
  if (details) $('backend').setAttribute('tabindex', '0');
  else $('backend').removeAttribute('tabindex');
  $('backend').removeAttribute('aria-busy');
}

function describeAndSet(backend, why) {
  const { sentence, details } = describeBackend(backend, why);
  setBackendLabel(sentence, details);
}

function setPlaying(playing) {
  const pausing = state.playing && !playing;
  state.playing = playing;
  // Before the first run is ready the worker has nothing to train: Play or
  // Pause pressed while the page loads is carried out once it is (onReady).
  if (page.run == null) state.autoplay = playing;
  for (const button of [$('play'), document.querySelector('[data-testid=lesson-play]')].filter(Boolean)) {
    button.textContent = playing ? 'Pause' : 'Play';
    button.setAttribute('aria-pressed', String(playing));
  }
  send(playing ? command.play(holdStep()) : command.plain('pause'));
  if (!playing) pauses.sent += 1;
  // Training it: the shared experiment's line has said what it had to, and
  // a lesson's pause is over.
  if (playing) $('shared-banner').hidden = true;
  if (playing) messages.drop('held');
  // A paused run is kept at the step it stopped at, for a reload; the time
  // it stands still is no training time.
  if (pausing) keeping.now();
  if (playing) speed.interrupt();
}

/** True on this tab's first load of the page (a reload keeps sessionStorage;
 * a new tab starts without it); true where storage is blocked. */
function firstInTab() {
  try {
    const first = !sessionStorage.getItem(VISITED_KEY);
    sessionStorage.setItem(VISITED_KEY, '1');
    return first;
  } catch {
    return true;
  }
}

const VISITED_KEY = 'ibp-playground:visited';

/** The first run's landing: a shared experiment's line above the plots;
 * on a phone, a lesson scrolled to its title and first step. Later runs
 * (an edit, another step) take the line down. */
function land(link) {
  const banner = $('shared-banner');
  if (state.landing === 'shared') {
    banner.textContent = `A shared experiment: ${describeExperiment(link)}. Press Play to train it; the intro above explains the views.`;
    banner.hidden = false;
  } else {
    banner.hidden = true;
  }
  if (state.landing === 'lesson') $('lesson').scrollIntoView({ block: 'start' });
  state.landing = null;
}

/** Why a run that just opened cannot be rebuilt from its link, or null. */
function openingCaveat(data) {
  if (linkValue(data.link, 'data') === 'csv') return 'Your table is not in the link: whoever opens it must load the same CSV to train this run.';
  if (data.resumed > 0) return `This run was picked up at step ${data.resumed} from the copy kept in this browser (its optimiser restarted there): the link replays the experiment from step 0, not these exact numbers.`;
  return null;
}

function onReady(data) {
  const before = page.runLink;
  if (!page.ready(data.run, data.link, openingCaveat(data))) return;
  opened();
  // A β sweep stays drawn for a new run of the same data and objective
  // (Reset, or a β taken from it): its models are what the run is compared with.
  const same = (key) => linkValue(before, key) === linkValue(data.link, key);
  const keepSweep = Boolean(before) && same('data') && same('objective');
  if (!keepSweep) {
    state.sweep = [];
    sweepTool.clear();
  }
  state.info = data.info;
  state.diverged = false;
  state.history = state.resume && data.resumed > 0 ? state.resume.reports.slice() : [];
  state.historyRun = page.run;
  if (state.resume && data.resumed > 0 && state.resume.pins?.length) {
    pins.restore(state.resume.pins);
    $('unpin').hidden = false;
  }
  state.seconds = state.history.at(-1)?.seconds ?? 0;
  state.resume = null;
  state.snapshot = null;
  if (state.pendingCsv) state.csv = state.pendingCsv;
  messages.clear();
  clearReadouts();
  describeAndSet(data.backend, data.fallback ?? null);
  for (const error of state.startErrors) messages.error(error.message);
  if (linkValue(data.link, 'data') === 'csv') {
    messages.notice('data=csv: your table stays in this browser and is not in the link; whoever opens the link must load the same CSV.');
  }
  showTableSummary($('table-summary'), data.info.table);
  if (data.resumed > 0) messages.notice(`Restored your last run at step ${data.resumed} (kept in this browser; “Forget” drops it).`);
  if (data.resume_error) messages.notice(`The run kept in this browser could not be continued (${data.resume_error}): this run starts afresh.`);
  for (const notice of state.openingNotices.splice(0)) messages.notice(notice.text, notice.action, notice.key);
  const replay = announceReplay(page.changes);
  if (replay) messages.notice(replay);
  land(data.link);
  keeping.opened(data);
  page.progress(data.resumed);
  $('step-count').textContent = String(data.resumed);
  views.reset(state.info, { keepSweep });
  speed.reset(data.parameters);
  $('speed').textContent = speed.status();
  render();
  if (state.autoplay) {
    state.autoplay = false;
    setPlaying(true);
  }
  for (; state.earlySteps > 0; state.earlySteps -= 1) send(command.plain('step'));
}

/** The current run's events. */
const EVENTS = {
  progress: (e) => {
    page.progress(e.step);
    state.seconds += e.train_ms / 1000;
    $('step-count').textContent = String(e.step);
    speed.progress(e.step, e.train_ms);
    $('speed').textContent = speed.status();
    const warning = speed.warning(valuesOf(page.runLink));
    if (warning) messages.notice(warning);
  },
  report: (e) => {
    speed.report(e.report_ms);
    state.seconds += e.report_ms / 1000;
    addReport(e.reports[0]);
  },
  finished: (e) => { addReport(e.reports[0]); setPlaying(false); },
  held: onHeld,
  snapshot: (e) => { state.snapshot = e.snapshot; redraw(); },
  diverged: (e) => {
    state.diverged = true;
    setPlaying(false);
    const good = e.restorable_step ?? e.last_good_step;
    messages.error(`Training diverged at step ${e.step}: the ${e.quantity} is no longer a finite number. The metrics so far are kept${good == null ? '' : ` and the state at step ${good} can be restored`}; then lower the learning rate or β.`,
      good == null ? null : { label: 'Restore the last good state', testid: 'restore', action: () => send(command.plain('restore')) });
  },
  'backend-changed': (e) => {
    describeAndSet(e.label, `the GPU device was lost (${e.reason}); continuing on the CPU from step ${e.step}`);
    state.history = state.history.filter((r) => r.step <= e.step);
    page.restored(e.step, null);
    page.moved(`The GPU device was lost at step ${e.step} and this run went on on the CPU from its last good state: the link replays the experiment, not these exact numbers.`);
    $('step-count').textContent = String(e.step);
    messages.notice(`The GPU device was lost: ${e.reason}. Training continues on the CPU from the last good state (step ${e.step}); the experiment and its history are kept.`);
  },
};

function addReport(report) {
  // A restored or moved run reports its step again: that report replaces.
  state.history = state.history.filter((r) => r.step < report.step);
  state.history.push({ ...report, seconds: state.seconds });
  if (state.history.length > HISTORY_LIMIT) state.history = state.history.filter((_, i) => i % 2 === 0 || i === state.history.length - 1);
  showReport(report, state.info);
  lessonPlay?.(report.step);
  keeping.soon();
  redraw();
}

/** A lesson that reads its numbers at a step pauses each run there, once:
 * the worker stops at that step exactly (never a slice past it). */
function holdStep() {
  return lesson?.until() != null && state.pausedRun !== page.run ? lesson.until() : null;
}

/** The run stopped where the lesson asked. */
function onHeld(e) {
  state.pausedRun = page.run;
  setPlaying(false);
  // Keyed, so Play takes it away: it says where the run stands only while it stands there.
  messages.add('notice', `Paused at step ${e.step.toLocaleString('en-US')}, where the lesson reads its numbers. Press Play to train on.`, null, 'held');
}

/** The worker's answers (protocol.js), by type. */
const ANSWERS = {
  paused: () => {
    pauses.answered += 1;
    if (pauses.answered >= pauses.sent) pauses.waiting.splice(0).forEach((resolve) => resolve());
  },
  ready: onReady,
  'start-failed': (data) => {
    if (!page.startFailed(data.run)) return;
    messages.error(page.run != null ? `${data.error.message} The experiment that was running is kept.` : data.error.message);
    if (state.label) setBackendLabel(state.label.sentence, state.label.details);
    else setBackendLabel('not started: see the message below');
  },
  'set-done': (data) => {
    page.confirmed(data.run, data.seq, data.link);
    if (data.error) messages.error(data.error.message, null, 'control');
  },
  restored: (data) => {
    if (data.run !== page.run || data.step == null) return;
    // The step the run went back to, shown with the history cut there.
    page.restored(data.step, data.link);
    $('step-count').textContent = String(data.step);
    state.history = state.history.filter((r) => r.step <= data.step);
    state.diverged = false;
    messages.clear();
    redraw();
  },
  weights: (data) => {
    if (data.purpose === 'save') keeping.store(data);
    else exports.weights(data.json);
  },
  sweep: (data) => {
    const reports = sweepTool.answer(data);
    if (data.done) showSweepInLinks();
    if (!reports) return;
    state.sweep = reports;
    views.sweep(reports, { ...state, link: page.runLink, marks: betaMarks(), pins: pins.labelled(page.inForce()) });
    checkExercises();
  },
  'ib-curve': (data) => {
    if (data.error) exact?.error(data.error.message);
    else exact?.show(data.result);
    checkExercises();
  },
  error: (data) => {
    if (data.fatal) {
      fail(wasmFailure(data.error));
      return;
    }
    setPlaying(false);
    messages.error(data.error.message);
  },
};

worker.onmessage = ({ data }) => {
  if (RUN_EVENTS.includes(data.type)) {
    if (data.run === page.run) EVENTS[data.type](data);
  } else {
    ANSWERS[data.type]?.(data);
  }
};

/** A control changed: Rust checks the value and writes the new link.
 * Returns why the value was refused, or null. */
function onKnob(key, value) {
  // An edited experiment is no longer the one the shared link described.
  $('shared-banner').hidden = true;
  const before = page.changes;
  const step = page.editStep();
  let edit;
  try {
    edit = page.edit(key, value);
  } catch (error) {
    messages.error(error.message, null, 'control');
    render();
    knobs.showError(key, error.message);
    return error.message;
  }
  messages.drop('control');
  // "Paused where the lesson reads its numbers" no longer holds once edited.
  messages.drop('held');
  knobs.clearErrors();
  if (edit.restart) {
    // Said after the new run opens (a phone's drawer may hide the run).
    const note = restartNote(key, Math.max(0, ...runHistory().map((r) => r.step)));
    if (note) state.openingNotices.push({ text: note, action: null, key: 'restart' });
    start(page.link, { play: state.playing });
  } else if (edit.live) {
    send(command.set(page.target(), edit.seq, key, value));
    const replaced = replacedChanges(key, before, page.changes, step);
    if (replaced) messages.notice(replaced);
  }
  return null;
}

mountDialogButtons();
$('play').addEventListener('click', () => setPlaying(!state.playing));
/** One training step and its report. */
function stepOnce() {
  setPlaying(false);
  // Before the first run is ready the worker has nothing to step (onReady).
  if (page.run == null) state.earlySteps += 1;
  else send(command.plain('step'));
}
$('step').addEventListener('click', stepOnce);
/** Starts the experiment over from the values the form shows (its live
 * changes folded in, as a restarting edit does). */
const reset = () => start(page.inForce());
$('reset').addEventListener('click', reset);
// The β sweep: its form, progress, table and export (sweep-tool.js).
const sweepTool = new SweepTool({ betaSweep, betaSweepOfLink, sweepCsv }, {
  // The sweep takes the device from the run on screen (Play trains both, in turns).
  send: async (grid, steps) => {
    setPlaying(false);
    // The offer of a shared link's sweep is taken up; the panel shows it.
    messages.drop('sweep-offer');
    applyViews(page.shareable());
    showSweepInLinks();
    $('view-sweep').scrollIntoView({ block: 'nearest' });
    await firstRun;
    send(command.sweep(grid, steps));
    state.sweep = [];
    views.sweep([], { ...state, link: page.runLink, marks: betaMarks(), pins: pins.labelled(page.inForce()) });
  },
  stop: () => send(command.plain('sweep-stop')),
  pick: (beta) => onKnob('beta', beta) === null,
  step: () => state.history.at(-1)?.step ?? 0,
  download: (name, content, type) => exports.file(name, content, type),
  announce: (text) => { $('sweep-status').textContent = text; },
});
$('sweep-button').addEventListener('click', () => sweepTool.start());
$('share').addEventListener('click', async () => {
  // Live changes on their way to the run are in the link it copies.
  await booted;
  await page.settled();
  const input = $('share-link');
  input.value = shareUrl(page.shareable(), setKey, sweepTool.shared());
  input.select();
  const caveat = page.caveat();
  $('share-note').textContent = caveat ?? '';
  $('share-note').hidden = !caveat;
  try {
    await navigator.clipboard.writeText(input.value);
    $('share').textContent = 'Copied';
  } catch {
    // A course page's frame without clipboard-write: say so, the link selected.
    $('share').textContent = 'Select and copy';
    $('share-note').textContent = [caveat, 'This page may not copy here (its frame does not allow the clipboard): the link is selected in the box; press Ctrl+C (⌘C) to copy it.'].filter(Boolean).join(' ');
    $('share-note').hidden = false;
  }
  setTimeout(() => { $('share').textContent = 'Share'; }, 1500);
});

/** The address changed (typed, Back, Forward): its step and its experiment. */
function followAddress() {
  const params = new URLSearchParams(location.search);
  if (lesson && params.get('lesson') === lesson.lesson.id) lesson.at(stepIndex(params.get('step')));
  const link = fragmentLink();
  if (link && checkLink(link).link !== page.shareable()) start(link);
}
window.addEventListener('popstate', followAddress);
window.addEventListener('hashchange', followAddress);
const embedDialog = mountEmbedDialog(
  () => page.shareable(),
  () => (lesson ? { id: lesson.lesson.id, step: lesson.step(), exercise: shownExercise, exercises: Boolean(exercises) } : null),
  async () => { await booted; await page.settled(); },
);
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
  // A run that never trained has nothing to compare.
  if (!(state.history.at(-1)?.step > 0)) return;
  // The run on screen, whose link may differ from the form's (a new run
  // starting).
  if (pins.add({ link: page.runInForce(), history: state.history, snapshot: state.snapshot })) {
    $('unpin').hidden = false;
    redraw();
  }
}

const exports = mountExports({
  history: () => state.history,
  link: () => page.shareable(),
  caveat: () => page.caveat(),
  settled: () => page.settled(),
  fullLink,
  metricsCsv,
  askWeights: () => send(command.weights('export')),
  url: () => shareUrl(page.shareable(), setKey, sweepTool.shared()),
}, { embedded });
mountDataInput({
  messages,
  use: (bytes) => {
    try {
      start(setKey(page.inForce(), 'data', 'csv'), { csv: bytes });
    } catch (error) {
      messages.error(error.message);
    }
  },
});

const embedder = listenForEmbedder(query, embedCommands({
  play: () => setPlaying(true),
  pause: () => setPlaying(false),
  step: () => stepOnce(),
  reset: () => reset(),
  set: (key, value) => onKnob(key, value),
  reports: () => state.history.map((r) => ({ ...r })),
  link: () => page.shareable(),
  url: () => shareUrl(page.shareable(), setKey, sweepTool.shared()),
}));

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') keeping.now();
  speed.interrupt();
});
// A frozen tab (Page Lifecycle) resumes with time that was no training.
document.addEventListener('freeze', () => keeping.now());
document.addEventListener('resume', () => speed.interrupt());

$('forget').addEventListener('click', () => {
  keeping.forget();
  start(page.shareable());
});

/** Read-only access for scripts on this page (exports, tests, embedders). */
window.playground = Object.freeze({
  reports: () => state.history.map((r) => ({ ...r })),
  /** The experiment's link (what Share copies, after the edits made so far). */
  link: () => page.shareable(),
  /** The link of the run on screen as the worker confirmed it: it differs
   * from link() while a new run starts or a live change is on its way. */
  runLink: () => page.runLink,
  info: () => state.info,
  /** Resolves when the run has taken every live change sent to it. */
  settled: () => page.settled(),
  /** Resolves once the worker has answered every pause sent so far: the
   * events of the run before the pause have all arrived. */
  stopped: () => new Promise((resolve) => {
    if (pauses.answered >= pauses.sent) resolve(undefined);
    else pauses.waiting.push(resolve);
  }),
  /** Why the run on screen cannot be rebuilt from its link, or null. */
  caveat: () => page.caveat(),
  /** This tab's run kept for a reload: {link, step, pins}, or null. */
  saved: () => keeping.summary(),
  /** Resolves, once every save asked for so far is answered, to saved(). */
  kept: async () => {
    await keeping.settled();
    return keeping.summary();
  },
  /** Destroys the worker's GPU device, as a driver reset would (for tests). */
  loseDevice: () => send(command.plain('lose-device')),
  /** The pinned runs' links, oldest first. */
  pinned: () => pins.links(),
  /** The β sweep's latest reports, one per model, oldest sweep replaced. */
  sweep: () => state.sweep.map((r) => ({ ...r })),
  /** The β sweep's lines (JSONL, schema ibp-sweep-1) once it ended, or null. */
  sweepLines: () => sweepTool.lines,
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

/** A new tab without a link: the most recent run another tab kept, offered
 * (never opened in place of a link). */
function offerLatest() {
  const latest = keeping.latest();
  if (!latest) return;
  state.openingNotices.push({
    text: `A run is kept in this browser from another tab (${linkValue(latest.link, 'data')}, step ${latest.step}).`,
    action: {
      label: 'Continue that run', testid: 'continue-latest',
      action: () => {
        state.resume = latest;
        start(latest.link);
      },
    },
  });
}

/** A shared link's β sweep: in the form, and offered once the run opens
 * (a link's sweep that Rust refuses is named and left out). */
function offerSweep(grid, steps) {
  try {
    const sweep = sweepTool.offer(grid, steps);
    state.openingNotices.push({
      text: `This link comes with a β sweep: ${sweep.count} models, β from ${betaLabel(sweep.from)} to ${betaLabel(sweep.to)}, ${sweep.steps.toLocaleString('en')} steps each.`,
      action: { label: 'Run the sweep', testid: 'sweep-rerun', action: () => sweepTool.start() },
      key: 'sweep-offer',
    });
  } catch (error) {
    state.openingNotices.push({ text: `The link’s β sweep is left out: ${error.message}` });
  }
}

/** The page cannot go on: say what failed and what to do (boot.js shows
 * it at the top of the page, styled even without the stylesheet). */
function fail({ title, text }) {
  embedder.refuse(title);
  setPlaying(false);
  window.ibpBoot?.fail(title, text);
  messages.error(`${title}: ${text}`);
  setBackendLabel('not started: see the message');
}

worker.addEventListener('error', (event) => {
  // Before any run, the worker did not start; later, one step of it failed.
  if (page.run == null) fail(workerFailure(event.message || 'its script did not load'));
  else messages.error(`The training worker failed: ${event.message}`);
});

/** Resolves once the first run is ready: a sweep asked for before trains
 * the experiment that opened, not nothing. */
let opened;
const firstRun = new Promise((resolve) => { opened = resolve; });

/** Resolves once the page has started its first run. */
let started;
const booted = new Promise((resolve) => { started = resolve; });

/** Where the lesson's exercises go: under its steps, or, for one exercise
 * embedded alone with its controls, at the top of the embed. */
function exercisePanel() {
  if (!embedded || !shownExercise || query.get('controls') === '0') return $('lesson');
  document.body.classList.add('embed-exercise');
  $('exercise-top').hidden = false;
  return $('exercise-top');
}

/** Everything that needs the WebAssembly, then the first run. */
async function boot() {
  try {
    await init();
  } catch (error) {
    fail(wasmFailure(error));
    return;
  }
  const schema = linkSchema();
  setFacts(schema, pageFacts());
  setDefaults(schema);
  knobs = mountKnobs($('knobs'), schema, (key, value) => onKnob(key, value));
  mountGallery($('lesson-list'));
  $('start-here').setAttribute('href', lessonHref('beta'));
  const lessonId = query.get('lesson');
  mountDrawer($('drawer'), $('drawer-toggle'), $('drawer-close'));
  lesson = mountLesson($('lesson'), lessonId, stepIndex(query.get('step')), (link, { pin, step }) => {
    if (pin) pinCurrent();
    // Each step is an entry of the history: Back and Forward walk the lesson.
    const url = new URL(location.href);
    url.searchParams.set('step', String(step + 1));
    url.hash = checkLink(link).link;
    history.pushState(null, '', url.href);
    start(link, { play: state.playing });
  }, { embedded, playing: () => state.playing || state.autoplay });
  if (lesson?.lesson.exact) exact = mountExact($('lesson'), (pxy) => send(command.ibCurve(pxy)));
  if (lesson) lessonPlay = mountLessonPlay($('lesson').querySelector('.lesson-nav'), $('play'), () => lesson.until(), state.history.at(-1)?.step ?? 0);
  // An embed without the controls cannot do an exercise: it links to the
  // lesson's own page instead.
  const elsewhere = embedded && query.get('controls') === '0' && lesson ? lessonHref(lesson.lesson.id) : null;
  if (lesson) exercises = mountExercises(exercisePanel(), lesson.lesson.id, shownExercise, { folded: embedded && !shownExercise, elsewhere });
  if (!lesson && query.get('instructor') === '1') mountInstructor($('lesson'), LESSONS, lessonHref);
  registerOffline($('offline'), $('update'));
  // A reload picks up this tab's run; a new tab opens its link, and without
  // one offers the most recent run kept in this browser.
  const { record: kept, notice } = keeping.load();
  if (notice) state.openingNotices.push({ text: notice });
  const firstLink = checkLink(fragmentLink() ?? lesson?.link ?? kept?.link ?? DEFAULT_LINK).link;
  state.resume = kept && kept.link === firstLink ? kept : null;
  // Someone's experiment opened from a link (not this tab's own run on a
  // reload, kept or not yet trained): its plots first, with a line saying
  // what it is.
  const shared = Boolean(fragmentLink()) && !lesson && !embedded && !state.resume && firstInTab();
  const folded = embedded || Boolean(lessonId) || shared || query.get('instructor') === '1';
  mountIntro($('intro'), { folded });
  // A plain visit with the intro folded (a phone, or folded before): the
  // first lesson one tap away, not inside the closed intro.
  $('start-folded').hidden = folded;
  $('start-folded').querySelector('a').setAttribute('href', lessonHref('beta'));
  state.landing = lesson && !embedded && window.matchMedia('(max-width: 700px)').matches ? 'lesson' : shared ? 'shared' : null;
  if (!kept && !embedded && !fragmentLink() && !lesson) offerLatest();
  if (query.get('sweep')) offerSweep(query.get('sweep'), query.get('sweep_steps') ?? '1000');
  start(fragmentLink() ?? lesson?.link ?? kept?.link ?? DEFAULT_LINK);
  window.ibpBoot?.started();
  started();
  // An embedding page's commands: the queued ones now, in order, then `ready`.
  embedder.accept();
}

boot();

// @ts-check
// The page-worker protocol: every message the page sends the training
// worker and every one the worker sends back, with its fields, in one place.
// Both sides build messages with these functions, so a field cannot be
// renamed on one side only; absent values are `null`, never a sentinel.
//
// Runs are numbered by the page. A command about a run names it, and the
// worker answers for that run only while it is the one it trains; every
// event of a run carries its number, and the page drops events of runs it
// has replaced.
//
//   page --start{run}--> worker --ready{run} | start-failed{run}--> page
//   page --set{run,seq}--> worker --set-done{run,seq,link|null}--> page
//   page --restore--> worker --restored{run,step|null,link|null}--> page
//   worker --progress|report|snapshot|diverged|backend-changed|finished{run}--> page

/**
 * An error as Rust gives it.
 * @typedef {{kind: string, key?: string|null, line?: number|null, column?: number|null, message: string}} ErrorObject
 */

/**
 * Weights kept in this browser, to continue a run after a reload.
 * @typedef {{weights: string, step: number}} Resume
 */

/**
 * The page's commands.
 * @typedef {{type: 'start', run: number, link: string, backend: 'auto'|'cpu'|'gpu', csv: Uint8Array|null, resume: Resume|null}} Start
 * @typedef {{type: 'play', until: number|null}|{type: 'pause'}|{type: 'step'}|{type: 'restore'}|{type: 'sweep-stop'}|{type: 'lose-device'}} Plain
 * @typedef {{type: 'sweep', grid: string, steps: number}} AskSweep
 * @typedef {{type: 'set', run: number, seq: number, key: string, value: string}} Set
 * @typedef {{type: 'weights', purpose: 'save'|'export'}} AskWeights
 * @typedef {{type: 'ib-curve', pxy: string}} AskCurve
 * @typedef {Start|Plain|Set|AskWeights|AskCurve|AskSweep} Command
 */

/**
 * The worker's answers and the runs' events.
 * @typedef {{type: 'ready', run: number, backend: string, fallback: string|null, link: string, info: object, parameters: number, resumed: number, resume_error: string|null}} Ready
 * @typedef {{type: 'start-failed', run: number, error: ErrorObject}} StartFailed
 * @typedef {{type: 'set-done', run: number, seq: number, link: string|null, error: ErrorObject|null}} SetDone
 * @typedef {{type: 'restored', run: number, step: number|null, link: string|null}} Restored
 * @typedef {{type: 'weights', run: number, json: string|null, purpose: 'save'|'export', step: number}} Weights
 * @typedef {{type: 'paused'}} Paused
 * A β sweep's progress: its models' latest reports, the step they are at
 * of `steps`; at its end (`done`: every step, a Stop, a divergence) its
 * lines (schema ibp-sweep-1, JSONL); `error` when it could not start.
 * @typedef {{type: 'sweep', reports: object[], step: number, steps: number, done: boolean, lines: string|null, error: ErrorObject|null}} Sweep
 * @typedef {{type: 'ib-curve', result: object|null, error: ErrorObject|null}} Curve
 * @typedef {{type: 'error', error: ErrorObject, fatal: boolean}} Failure
 * @typedef {{type: 'progress', run: number, step: number, train_ms: number}} Progress
 * @typedef {{type: 'report', run: number, reports: object[], report_ms: number}} Report
 * @typedef {{type: 'finished', run: number, reports: object[]}} Finished
 * @typedef {{type: 'snapshot', run: number, snapshot: object}} Snapshot
 * @typedef {{type: 'diverged', run: number, step: number, replica: number, quantity: string, last_good_step: number|null, restorable_step: number|null}} Diverged
 * @typedef {{type: 'backend-changed', run: number, from: string, to: string, label: string, reason: string, step: number}} BackendChanged
 * @typedef {{type: 'held', run: number, step: number}} Held
 * @typedef {Progress|Report|Finished|Snapshot|Diverged|BackendChanged|Held} RunEvent
 * @typedef {Ready|StartFailed|SetDone|Restored|Weights|Paused|Sweep|Curve|Failure|RunEvent} Answer
 */

/** Models above this many parameters are not kept for a reload (their
 * weights would not fit the browser's storage): the page says so. */
export const SAVE_MAX_PARAMETERS = 50_000;

/** The types of the events a run emits (from Rust's `run::Event`). */
export const RUN_EVENTS = ['progress', 'report', 'finished', 'snapshot', 'diverged', 'backend-changed', 'held'];

export const command = {
  /**
   * A new run of `link`; the run on screen stays until it is ready.
   * @param {number} run @param {string} link @param {'auto'|'cpu'|'gpu'} backend
   * @param {Uint8Array|null} csv @param {Resume|null} resume
   * @returns {Start}
   */
  start: (run, link, backend, csv, resume) => ({ type: 'start', run, link, backend, csv, resume }),
  /**
   * A live key changed (beta, lr) for run `run`; `seq` numbers the page's edits.
   * @param {number} run @param {number} seq @param {string} key @param {string} value
   * @returns {Set}
   */
  set: (run, seq, key, value) => ({ type: 'set', run, seq, key, value }),
  /**
   * The trained weights, to keep for a reload (`save`) or to download.
   * @param {'save'|'export'} purpose
   * @returns {AskWeights}
   */
  weights: (purpose) => ({ type: 'weights', purpose }),
  /** @param {string} pxy @returns {AskCurve} */
  ibCurve: (pxy) => ({ type: 'ib-curve', pxy }),
  /** Play, stopping once at step `until` (a lesson's pause) when given.
   * @param {number|null} until @returns {Plain} */
  play: (until) => ({ type: 'play', until }),
  /** A β sweep of the experiment as it stands: the `ibp sweep` grid
   * `beta=FROM:TO:COUNT`, `steps` each. @param {string} grid @param {number} steps @returns {AskSweep} */
  sweep: (grid, steps) => ({ type: 'sweep', grid, steps }),
  /** @param {'pause'|'step'|'restore'|'sweep-stop'|'lose-device'} type @returns {Plain} */
  plain: (type) => ({ type }),
};

export const answer = {
  /**
   * @param {number} run @param {{backend: string, why: string|null}} opened
   * @param {{link: string, info: object, parameters: number, resumed: number, resume_error: string|null}} session
   * @returns {Ready}
   */
  ready: (run, opened, session) => ({ type: 'ready', run, backend: opened.backend, fallback: opened.why, ...session }),
  /** @param {number} run @param {ErrorObject} error @returns {StartFailed} */
  startFailed: (run, error) => ({ type: 'start-failed', run, error }),
  /** The worker stopped training: every event before it was posted. @returns {Paused} */
  paused: () => ({ type: 'paused' }),
  /**
   * @param {number} run @param {number} seq @param {string|null} link the run's link after the change
   * @param {ErrorObject|null} error
   * @returns {SetDone}
   */
  setDone: (run, seq, link, error = null) => ({ type: 'set-done', run, seq, link, error }),
  /** @param {number} run @param {number|null} step @param {string|null} link @returns {Restored} */
  restored: (run, step, link) => ({ type: 'restored', run, step, link }),
  /**
   * The weights of run `run` at step `step` (null when they could not be
   * read as that step's: a GPU lost meanwhile).
   * @param {number} run @param {string|null} json @param {'save'|'export'} purpose @param {number} step
   * @returns {Weights}
   */
  weights: (run, json, purpose, step) => ({ type: 'weights', run, json, purpose, step }),
  /**
   * @param {{reports: object[], step: number, steps: number, done?: boolean, lines?: string|null, error?: ErrorObject|null}} progress
   * @returns {Sweep}
   */
  sweep: ({ reports, step, steps, done = false, lines = null, error = null }) => ({ type: 'sweep', reports, step, steps, done, lines, error }),
  /** @param {object|null} result @param {ErrorObject|null} error @returns {Curve} */
  ibCurve: (result, error) => ({ type: 'ib-curve', result, error }),
  /**
   * An error; `fatal` when the worker cannot work at all (its WebAssembly
   * did not load).
   * @param {ErrorObject} error @param {boolean} fatal
   * @returns {Failure}
   */
  error: (error, fatal = false) => ({ type: 'error', error, fatal }),
};

/**
 * An error as the page shows it: Rust's {kind, key, line, column, message},
 * or any thrown value wrapped as an internal error.
 * @param {unknown} error
 * @returns {ErrorObject}
 */
export function asError(error) {
  if (typeof error === 'object' && error !== null && 'kind' in error && 'message' in error) {
    return /** @type {ErrorObject} */ (error);
  }
  const message = typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
  return { kind: 'internal', message };
}

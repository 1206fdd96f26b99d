// The run kept for a reload (persist.js stores it): asked for while the run
// trains (at most every SAVE_MS), at once when it pauses, the tab is hidden
// or frozen, and stored with the weights at the step they were read at. It
// says once per run when a run will not be kept (storage full, a model too
// large), and offers a new tab without a link the latest run kept.
import * as saved from './persist.js';
import { SAVE_MAX_PARAMETERS, command } from './protocol.js';

/** Milliseconds between saves while training. */
const SAVE_MS = 1500;

export class Keeping {
  /**
   * @param {{send: (m: object) => void, page: import('./page-state.js').PageState,
   *   history: () => object[], pins: import('./pins.js').Pins,
   *   notice: (text: string, action?: object) => void, enabled: boolean}} parts
   */
  constructor(parts) {
    Object.assign(this, parts);
    this.timer = null;
    this.said = false;
    /** What this tab kept last: {link, step, pins}. */
    this.last = null;
    /** Save requests sent and answered, and who waits for the answers. */
    this.asked = 0;
    this.answered = 0;
    this.waiting = [];
  }

  /** A report came: a save within SAVE_MS. */
  soon() {
    if (this.timer || !this.enabled) return;
    this.timer = setTimeout(() => this.now(), SAVE_MS);
  }

  /** Asks the worker for the weights now (a run that has not trained is
   * not kept: its link holds all it has). */
  now() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.enabled && this.page.run != null && this.history().at(-1)?.step > 0) {
      this.asked += 1;
      this.send(command.weights('save'));
    }
  }

  /** Resolves when every save asked for so far is answered (stored or
   * passed over): after a pause, the run as it stopped is kept. */
  settled() {
    if (this.answered >= this.asked) return Promise.resolve();
    const until = this.asked;
    return new Promise((resolve) => this.waiting.push({ until, resolve }));
  }

  /** Says once per run that it will not be kept for a reload, and why. */
  unkept(why) {
    if (this.said) return;
    this.said = true;
    this.notice(`This run will not be kept for a reload: ${why}. Training goes on; Share keeps the experiment.`);
  }

  /** A run opened: {link, resumed, parameters}. */
  opened({ link, resumed, parameters }) {
    this.said = false;
    this.last = resumed > 0 ? { link, step: resumed, pins: this.pins.links().length } : null;
    if (this.enabled && parameters > SAVE_MAX_PARAMETERS) {
      this.unkept(`this model has ${parameters.toLocaleString('en-US')} parameters, more than the ${SAVE_MAX_PARAMETERS.toLocaleString('en-US')} whose weights fit this browser's storage`);
    }
  }

  /** The worker's answer to a save request: kept, then those waiting told. */
  store(data) {
    this.keep(data);
    this.answered += 1;
    const done = this.waiting.filter((w) => w.until <= this.answered);
    this.waiting = this.waiting.filter((w) => w.until > this.answered);
    for (const w of done) w.resolve();
  }

  /** Stores the weights the worker sent, unless the run they belong to was
   * replaced, or is being replaced or forgotten, since they were asked for. */
  keep(data) {
    const { page, pins } = this;
    if (data.run !== page.run || page.pending != null || data.step <= 0 || data.json == null) return;
    // The same run at the same step is kept already (a tab hidden after a
    // pause): rewriting it would make it look like the latest run trained.
    const link = page.shareable();
    const last = this.last;
    if (last?.link === link && last.step === data.step && last.pins === pins.links().length) return;
    const reports = this.history().filter((r) => r.step <= data.step);
    const kept = saved.save({ link, step: data.step, reports, weights: data.json, pins: pins.saved() });
    if (!kept.bytes) this.unkept(kept.why);
    else this.last = { link, step: data.step, pins: pins.links().length };
  }

  /** Drops this tab's run. */
  forget() {
    clearTimeout(this.timer);
    this.timer = null;
    saved.forget();
  }

  /** This tab's run, and a notice when one was set aside. */
  load() {
    return this.enabled ? saved.load() : { record: null, notice: null };
  }

  /** The most recent run another tab kept, or null (a new tab without a link). */
  latest() {
    return this.enabled ? saved.latest() : null;
  }

  /** This tab's kept run as tests see it. */
  summary() {
    return saved.summary();
  }
}

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
    if (this.enabled && this.page.run != null && this.history().at(-1)?.step > 0) this.send(command.weights('save'));
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

  /** Stores the weights the worker sent, unless the run they belong to was
   * replaced, or is being replaced or forgotten, since they were asked for. */
  store(data) {
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

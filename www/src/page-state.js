// @ts-check
// The page's one state of the experiment. Every control writes it (through
// Rust's `editLink`, at any moment, during a run's start-up too), and the
// address bar, the controls, Share, Embed, the exports and the lesson read
// it. The worker's answers only ever bring it up to date with what the run
// did (the exact step at which a live change was made); they never undo an
// edit made since.
//
//   edit(key, value) --> link ----> address bar, controls, Share, Embed, exports
//     | live key (beta, lr): `set` to the run; its `set-done` carries the
//     |   step the run took it at (the last one sent wins)
//     | restart key: a new run of the link (a newer start supersedes)
//     | page-only key (views, hide): nothing else
//
// Where the run on screen cannot be rebuilt from the link (a run picked up
// from this browser's copy, moved from a lost GPU to the CPU, on a table
// that is not in the link, or with more live changes than a link holds)
// `caveat()` says so in one sentence and the link starts the experiment
// afresh.
import { editLink, linkAt, liveChanges, maxLinkBytes } from '../pkg/ib_playground.js';

/** The step a link can be asked about for its last values. */
const LAST_STEP = 0xffffffff;

export class PageState {
  /** @param {(state: PageState) => void} render called after every change */
  constructor(render) {
    this.render = render;
    /** The experiment: keys, and live changes at the steps the run took them. */
    this.link = '';
    /** Its live changes, `[{step, key, value}]` (Rust's reading of `live`). */
    /** @type {Array<{step: number, key: string, value: string}>} */ this.changes = [];
    /** The link of the run on screen as the worker last confirmed it. */
    this.runLink = '';
    /** The run on screen and the one starting (page numbers), or null. */
    /** @type {number|null} */ this.run = null;
    /** @type {number|null} */ this.pending = null;
    this.lastRun = 0;
    /** The step of the run on screen, as last heard. */
    this.step = 0;
    /** Live edits sent to the worker and not yet answered. */
    /** @type {Set<number>} */ this.unconfirmed = new Set();
    this.lastSeq = 0;
    /** @type {Array<() => void>} */ this.waiting = [];
    /** Why the run on screen cannot be rebuilt from its link (the run's own reasons). */
    /** @type {string|null} */ this.runCaveat = null;
    /** The longest shareable link (Rust's, read with the first link). */
    this.maxBytes = Infinity;
  }

  /** The run that edits go to: the one starting, else the one on screen. */
  target() {
    return this.pending ?? this.run;
  }

  /** The step an edit is made at: 0 for a run that has not started yet. */
  editStep() {
    return this.pending != null ? 0 : this.step;
  }

  /**
   * A control changed `key` to `value`: the new link, and what the worker
   * must do. Throws Rust's error object (key and range) for a refused value.
   * @param {string} key @param {string} value
   * @returns {{restart: boolean, live: boolean, seq: number|null}}
   */
  edit(key, value) {
    const edited = editLink(this.link, key, value, this.editStep());
    const live = edited.live && edited.link !== this.link;
    this.setLink(edited.link);
    const seq = live ? ++this.lastSeq : null;
    if (seq != null) this.unconfirmed.add(seq);
    this.render(this);
    return { restart: edited.restart, live, seq };
  }

  /** The live changes of the link in force and of the run on screen: while
   * a new run starts, the reports on screen are still the old run's. */
  allChanges() {
    return [...this.changes, ...(this.runLink ? liveChanges(this.runLink) : [])];
  }

  /** @param {string} link */
  setLink(link) {
    this.link = link;
    this.changes = liveChanges(link);
    this.maxBytes = maxLinkBytes();
  }

  /**
   * A new run of `link` (normalised by Rust); returns its number.
   * @param {string} link
   */
  startRun(link) {
    this.pending = ++this.lastRun;
    this.setLink(link);
    this.unconfirmed.clear();
    this.settle();
    this.render(this);
    return this.pending;
  }

  /**
   * The worker's run `run` is ready with `link`; false when it is not the
   * one the page waits for (a start superseded since).
   * @param {number} run @param {string} link @param {string|null} caveat
   */
  ready(run, link, caveat) {
    if (run !== this.pending) return false;
    this.run = run;
    this.runLink = link;
    this.pending = null;
    this.step = 0;
    this.runCaveat = caveat;
    // Live edits made while it started are on their way to it: keep them.
    if (this.unconfirmed.size === 0) this.setLink(link);
    this.render(this);
    return true;
  }

  /**
   * Run `run` failed to start: the run on screen and its link stay.
   * @param {number} run
   */
  startFailed(run) {
    if (run !== this.pending) return false;
    this.pending = null;
    this.unconfirmed.clear();
    this.settle();
    if (this.run != null) this.setLink(this.runLink);
    this.render(this);
    return true;
  }

  /**
   * The worker answered live edit `seq` of run `run` with the run's link (or
   * null when that run was replaced or refused it).
   * @param {number} run @param {number} seq @param {string|null} link
   */
  confirmed(run, seq, link) {
    this.unconfirmed.delete(seq);
    if (run === this.run && link != null) this.runLink = link;
    const latest = seq === this.lastSeq && run === this.target();
    if (latest && link != null) this.setLink(link);
    if (this.unconfirmed.size === 0) this.settle();
    this.render(this);
  }

  /**
   * The run went back to `step` (a restored state) with `link`.
   * @param {number} step @param {string|null} link
   */
  restored(step, link) {
    this.step = step;
    if (link != null) this.runLink = link;
    if (link != null && this.unconfirmed.size === 0) this.setLink(link);
    this.render(this);
  }

  /** @param {number} step the run's step now */
  progress(step) {
    const crossed = this.changes.some((c) => c.step > this.step && c.step <= step);
    this.step = step;
    if (crossed) this.render(this);
  }

  /** Says why the run on screen is no longer its link's (a lost GPU). @param {string} why */
  moved(why) {
    this.runCaveat = why;
    this.render(this);
  }

  /** Resolves when every live edit sent has been answered. */
  settled() {
    return this.unconfirmed.size === 0 ? Promise.resolve() : new Promise((resolve) => this.waiting.push(() => resolve(undefined)));
  }

  settle() {
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  /** Whether the link, live changes and all, fits a shareable link. */
  fits() {
    return this.link.length <= this.maxBytes;
  }

  /** The link to share and to keep in the address bar. */
  shareable() {
    return this.fits() ? this.link : this.inForce();
  }

  /** The experiment as it stands now (at the step edits are made at): live
   * keys at their values in force, no schedule. */
  inForce() {
    return linkAt(this.link, this.editStep());
  }

  /** The run on screen's experiment as it stands at its step. */
  runInForce() {
    return linkAt(this.runLink, this.step);
  }

  /** The experiment with the last value of every live key. */
  last() {
    return linkAt(this.link, LAST_STEP);
  }

  /** Why the run on screen cannot be rebuilt from the shared link, or null. */
  caveat() {
    if (!this.fits()) {
      return `The ${this.changes.length} live changes of this run no longer fit in a link (${this.link.length} bytes, at most ${this.maxBytes}): the link starts the experiment afresh with the values in force at step ${this.editStep()}.`;
    }
    return this.runCaveat;
  }
}

// How fast the run trains, said in the status: the parameter count and the
// steps per second, and when a configuration is very slow, which knob makes
// it so (the information plane measured at every report, or the model's
// size), so a visitor is not left waiting without a reason.

/** Below this many steps per second a configuration counts as very slow. */
export const SLOW_STEPS_PER_SECOND = 5;
/** Seconds of playing before the page judges the speed. */
const SETTLE_SECONDS = 3;

export class Speed {
  constructor() {
    this.reset(0);
  }

  /** A new run of `parameters` trainable numbers (per model). */
  reset(parameters) {
    this.parameters = parameters;
    this.window = [];
    this.train_ms = 0;
    this.report_ms = 0;
    this.warned = false;
    this.skip = false;
  }

  /**
   * The run was paused, or the tab hidden or frozen: time from before does
   * not count, and the next progress event (which may hold frozen time) is
   * left out.
   */
  interrupt() {
    this.window = [];
    this.skip = true;
  }

  /** A progress event: `step` reached after `trainMs` of training. The
   * rate is measured in the worker's own time (training and reports), so a
   * pause, a hidden tab or a frozen one reads as no time. */
  progress(step, trainMs) {
    if (this.skip) {
      this.skip = false;
      this.window = [{ step, ms: this.train_ms + this.report_ms }];
      return;
    }
    this.train_ms += trainMs;
    this.window.push({ step, ms: this.train_ms + this.report_ms });
    while (this.window.length > 2 && this.window.at(-1).ms - this.window[0].ms > 5000) this.window.shift();
  }

  report(reportMs) {
    this.report_ms += reportMs;
  }

  /** Steps per second over the last seconds of training, or null. */
  stepsPerSecond() {
    if (this.window.length < 2) return null;
    const [a, b] = [this.window[0], this.window[this.window.length - 1]];
    const seconds = (b.ms - a.ms) / 1000;
    return seconds > 0.5 ? (b.step - a.step) / seconds : null;
  }

  /** "2,306 parameters · 1,450 steps/s" (the speed once it trains). */
  status() {
    const rate = this.stepsPerSecond();
    const count = `${this.parameters.toLocaleString('en-US')} parameters`;
    return rate == null ? count : `${count} · ${rate < 10 ? rate.toFixed(1) : Math.round(rate).toLocaleString('en-US')} steps/s`;
  }

  /**
   * A warning naming what makes the run slow, once per run, or null.
   * @param {(key: string) => string} link the experiment's values
   */
  warning(link) {
    const rate = this.stepsPerSecond();
    const seconds = this.window.length ? (this.window[this.window.length - 1].ms - this.window[0].ms) / 1000 : 0;
    if (this.warned || rate == null || seconds < SETTLE_SECONDS || rate >= SLOW_STEPS_PER_SECOND) return null;
    this.warned = true;
    const measuring = this.report_ms > this.train_ms;
    const speed = `This configuration trains ${rate.toFixed(1)} steps/s.`;
    if (measuring && link('plane') === '1') {
      return `${speed} Most of the time goes to measuring the information plane at every report: turn off “Information plane” (plane), or report less often (report, now every ${link('report')} steps).`;
    }
    if (measuring) return `${speed} Most of the time goes to the reports: report less often (report, now every ${link('report')} steps).`;
    const feature = link('bottleneck') === 'feature' ? ' bottleneck=feature gives every input feature its own encoder of these widths;' : '';
    return `${speed} Each step updates ${this.parameters.toLocaleString('en-US')} parameters:${feature} fewer or narrower hidden layers (hidden, now ${link('hidden') || 'none'}) or a smaller latent size (k) train faster.`;
  }
}

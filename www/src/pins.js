// Pinned runs: a run's history and latent picture kept when the visitor
// presses Pin (or a lesson moves on), drawn dashed beside the current run,
// each in its own colour with its own legend entry, so that runs can be
// compared. A pin's label names what differs from the current run
// ("β = 1e-4", "activation = relu, seed = 3"), keys by their labels,
// numbers written short.
import { linkValue } from './link-values.js';
import { shortNumber } from './describe.js';
import { keyWords } from './facts.js';

/** Keys that tell runs apart, in the order labels list them. */
const TELLING = ['beta', 'act', 'seed', 'objective', 'data', 'hidden', 'k', 'lr', 'bottleneck', 'estimator', 'bins', 'quant', 'init', 'inputs'];
/** At most this many runs are pinned (the oldest goes first). */
export const MAX_PINS = 6;

/** Two values of a key differ (numbers by value: 1e-4 is 0.0001). */
const differs = (a, b) => !(a === b || (a != null && b != null && a !== '' && b !== '' && Number(a) === Number(b)));

/** One colour per pin, apart from the series' colours (the curves' red,
 * blue, greens and violets), readable on white. The first two (the β
 * lesson pins two runs) lie outside the information plane's time scale,
 * whose hues run from purple through blue and green to orange, so a pin is
 * never read as a moment of the run on screen. */
export const PIN_COLOURS = ['#c51b7d', '#525252', '#00838f', '#8c510a', '#4d7c0f', '#5e3c99'];

export class Pins {
  constructor() {
    this.runs = [];
  }

  /** Keeps {link, history, snapshot}; returns false when there is nothing
   * to keep. A run pinned again replaces its pin and keeps its colour. */
  add({ link, history, snapshot }) {
    if (!history.length) return false;
    const colour = this.runs.find((r) => r.link === link)?.colour ?? this.freeColour();
    this.runs = this.runs.filter((r) => r.link !== link);
    this.runs.push({ link, history: history.map((r) => ({ ...r })), snapshot, colour });
    if (this.runs.length > MAX_PINS) this.runs.shift();
    return true;
  }

  /** The first colour no pin has (each pin keeps its colour while kept). */
  freeColour() {
    const used = new Set(this.runs.map((r) => r.colour));
    return PIN_COLOURS.find((c) => !used.has(c)) ?? PIN_COLOURS[this.runs.length % PIN_COLOURS.length];
  }

  clear() {
    this.runs = [];
  }

  /** The pins as a reload keeps them: links and reports (the latent
   * pictures are not kept), at most `perRun` reports each. */
  saved(perRun = 100) {
    return this.runs.map((r) => {
      const every = Math.ceil(r.history.length / perRun);
      const history = r.history.filter((_, i) => i % every === 0 || i === r.history.length - 1);
      return { link: r.link, history };
    });
  }

  /** Takes pins kept by `saved` back (after a reload). */
  restore(runs = []) {
    this.runs = runs.filter((r) => typeof r?.link === 'string' && Array.isArray(r.history))
      .slice(-MAX_PINS).map((r, i) => ({ link: r.link, history: r.history, snapshot: null, colour: PIN_COLOURS[i] }));
  }

  /** The pinned runs' links, oldest first. */
  links() {
    return this.runs.map((r) => r.link);
  }

  /** The pinned runs with their labels and colours, against the current
   * `link`: each named by up to two keys in which it differs from it; a pin
   * of the very experiment on screen is left out (it would say nothing). */
  labelled(link) {
    return this.runs.map((run, i) => ({ ...run, number: i + 1 })).filter((run) => TELLING.some((key) => differs(linkValue(run.link, key), linkValue(link, key)))).map((run) => {
      const differing = TELLING.filter((key) => differs(linkValue(run.link, key), linkValue(link, key))).slice(0, 2);
      const named = differing.map((k) => {
        const value = linkValue(run.link, k);
        return `${keyWords(k)} = ${Number.isFinite(Number(value)) && value !== '' ? shortNumber(value) : value}`;
      });
      return { ...run, label: named.join(', ') };
    });
  }
}

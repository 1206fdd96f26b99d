// Pinned runs: a run's history and latent picture kept when the visitor
// presses Pin (or a lesson moves on), drawn faded and labelled beside the
// current run so that runs can be compared. Labels name the keys in which
// the pinned runs and the current one differ ("β=1e-4").
import { linkValue } from './link-values.js';

/** Keys that tell runs apart, in the order labels list them. */
const TELLING = ['beta', 'act', 'seed', 'objective', 'data', 'hidden', 'k', 'lr', 'bottleneck', 'estimator', 'bins', 'quant'];
/** At most this many runs are pinned (the oldest goes first). */
export const MAX_PINS = 6;

const NAMES = { beta: 'β' };

export class Pins {
  constructor() {
    this.runs = [];
  }

  /** Keeps {link, history, snapshot}; returns false when there is nothing to keep. */
  add({ link, history, snapshot }) {
    if (!history.length) return false;
    this.runs = this.runs.filter((r) => r.link !== link);
    this.runs.push({ link, history: history.map((r) => ({ ...r })), snapshot });
    if (this.runs.length > MAX_PINS) this.runs.shift();
    return true;
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
      .slice(-MAX_PINS).map((r) => ({ link: r.link, history: r.history, snapshot: null }));
  }

  /** The pinned runs' links, oldest first. */
  links() {
    return this.runs.map((r) => r.link);
  }

  /** The pinned runs with their labels, against the current `link`. */
  labelled(link) {
    const all = [...this.runs.map((r) => r.link), link];
    const differing = TELLING.filter((key) => new Set(all.map((l) => linkValue(l, key))).size > 1);
    const keys = differing.length ? differing.slice(0, 2) : ['beta'];
    return this.runs.map((run) => {
      const label = keys.map((k) => `${NAMES[k] ?? k}=${linkValue(run.link, k)}`).join(' ');
      return { ...run, label };
    });
  }
}

// @ts-check
// The β sweep as a tool: the range, the number of models and the steps
// (read by Rust's `betaSweep`: the `ibp sweep` grid beta=FROM:TO:COUNT),
// "k of n" progress with a Stop, a table of the models, their export (the
// lines `ibp sweep` writes, JSONL, and their CSV, `sweepCsv`) and the
// sweep a shared link carries (`?sweep=GRID&sweep_steps=N`), offered
// again on opening it. The models train in the worker (protocol.js).
//
//   form --start--> running (progress k of n, Stop) --done--> table, export
import { betaLabel } from './describe.js';
import { linkValue } from './link-values.js';

/** The page's sweep, as Rust reads it.
 * @typedef {{from: number, to: number, count: number, steps: number, grid: string}} BetaSweep */

/** One row of the table: a model's β, its last report and how it stands.
 * @typedef {{beta: number, report: any, status: string}} Row */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const FIELDS = { sweep_from: 'sweep-from', sweep_to: 'sweep-to', sweep_count: 'sweep-count', sweep_steps: 'sweep-steps' };
const count = (/** @type {number} */ n) => n.toLocaleString('en');

export class SweepTool {
  /**
   * @param {{betaSweep: Function, betaSweepOfLink: Function, sweepCsv: (jsonl: string) => string}} rust
   * @param {{send: (grid: string, steps: number) => void, stop: () => void, pick: (beta: string) => boolean, step: () => number,
   *   download: (name: string, content: string, type: string) => void, announce: (text: string) => void}} actions
   */
  constructor(rust, actions) {
    this.rust = rust;
    this.actions = actions;
    /** @type {BetaSweep|null} the sweep training or shown */
    this.shown = null;
    /** @type {BetaSweep|null} the sweep a link offered, not yet run */
    this.offered = null;
    this.running = false;
    /** @type {string|null} the shown sweep's lines (JSONL), once it ended */
    this.lines = null;
    /** @type {number|null} the step of the reports in the table while it trains */
    this.reportedAt = null;
    /** @type {string|null} the β this model has, as the table writes it */
    this.taken = null;
    // Not a <form>: a course page's sandboxed iframe (no allow-forms) blocks
    // submitting one before any handler runs. The buttons start disabled
    // in the HTML, so no press is lost before this script is wired.
    $('sweep-run').addEventListener('click', () => this.start());
    $('sweep-form').addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && /** @type {HTMLElement} */ (event.target).tagName === 'INPUT') this.start();
    });
    for (const id of ['sweep-run', 'sweep-button']) /** @type {HTMLButtonElement} */ ($(id)).disabled = false;
    $('sweep-stop').addEventListener('click', () => actions.stop());
    $('sweep-jsonl').addEventListener('click', () => this.lines && actions.download('sweep.jsonl', this.lines, 'application/jsonl'));
    $('sweep-csv').addEventListener('click', () => this.lines && actions.download('sweep.csv', rust.sweepCsv(this.lines), 'text/csv'));
    this.describeButton();
    for (const id of Object.values(FIELDS)) $(id).addEventListener('change', () => this.describeButton());
  }

  /** The sweep the form describes, or null with the field at fault marked. */
  read() {
    const value = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ ($(id)).value;
    for (const id of Object.values(FIELDS)) $(id).removeAttribute('aria-invalid');
    $('sweep-error').hidden = true;
    try {
      return /** @type {BetaSweep} */ (this.rust.betaSweep(value('sweep-from'), value('sweep-to'), value('sweep-count'), value('sweep-steps')));
    } catch (error) {
      const field = FIELDS[/** @type {keyof typeof FIELDS} */ (error.key)];
      if (field) $(field).setAttribute('aria-invalid', 'true');
      $('sweep-error').textContent = `Sweep β: ${error.message}`;
      $('sweep-error').hidden = false;
      if (field) $(field).focus();
      return null;
    }
  }

  /** Starts the form's sweep; false when a field is wrong or one is running. */
  start() {
    const sweep = this.running ? null : this.read();
    if (!sweep) return false;
    this.shown = sweep;
    this.offered = null;
    this.running = true;
    this.lines = null;
    this.reportedAt = null;
    $('sweep-status').textContent = '';
    this.actions.send(sweep.grid, sweep.steps);
    this.progress(0, sweep.steps);
    this.table([]);
    return true;
  }

  /**
   * The worker's word on the sweep: progress, or its end with its lines.
   * Returns the reports to draw (null: keep those drawn).
   * @param {import('./protocol.js').Sweep} data
   */
  answer(data) {
    if (data.error) {
      this.running = false;
      this.shown = null;
      this.progress(null);
      this.actions.announce(`The sweep could not run: ${data.error.message}`);
      return null;
    }
    if (!data.done) {
      this.progress(data.step, data.steps);
      // The table and the plot change with a new report, not every slice.
      const at = data.reports[0]?.step ?? null;
      if (at === this.reportedAt) return null;
      this.reportedAt = at;
      this.table(data.reports.map((report) => ({ beta: report.beta, report, status: 'training' })));
      return data.reports.length ? data.reports : null;
    }
    this.reportedAt = null;
    this.running = false;
    this.lines = data.lines;
    this.progress(null);
    const rows = this.rows();
    this.table(rows);
    this.actions.announce(this.ending(data, rows));
    return data.reports;
  }

  /** The table's rows from the sweep's lines (JSONL). @returns {Row[]} */
  rows() {
    return (this.lines ?? '').trim().split('\n').filter(Boolean).map((text) => {
      const line = JSON.parse(text);
      return { beta: line.metrics?.beta ?? Number(linkValue(line.link, 'beta')), report: line.metrics, status: line.status };
    });
  }

  /** How the sweep ended, in a sentence. @param {import('./protocol.js').Sweep} data @param {Row[]} rows */
  ending({ step, steps }, rows) {
    const diverged = rows.find((r) => r.status === 'diverged');
    if (diverged) return `Sweep stopped at step ${count(step)} of ${count(steps)}: the model with β = ${betaLabel(diverged.beta)} diverged; its row shows its last finite report.`;
    if (step < steps) return `Sweep stopped at step ${count(step)} of ${count(steps)}: the table shows the models there.`;
    return `Sweep done: ${rows.length} models, ${count(steps)} steps each. Click a point or a β in the table to give this model that β; Share gives a link that offers this sweep again.`;
  }

  /** Gives the model on screen a sweep model's β, to two digits, and says
   * what happened and what to do next. @param {number} beta */
  take(beta) {
    const label = betaLabel(beta);
    const step = this.actions.step();
    if (!this.actions.pick(label)) return;
    this.actions.announce(`This model now has β = ${label} from step ${count(step)} on (a live change, kept in the link): press Play to train on with it, its training so far kept, and watch its black dot move.`);
  }

  /** Marks the table's row of the β this model has now. @param {number} beta */
  mark(beta) {
    const label = betaLabel(beta);
    this.taken = label;
    for (const button of document.querySelectorAll('#sweep-rows .sweep-take')) {
      const row = /** @type {HTMLElement} */ (button.closest('tr'));
      const current = button.textContent === label;
      row.classList.toggle('taken', current);
      if (current) button.setAttribute('aria-current', 'true');
      else button.removeAttribute('aria-current');
    }
    this.caption();
  }

  /** What the table shows, and what its shaded row means when one is. */
  caption() {
    const step = Number(document.querySelector('#sweep-rows tr')?.dataset.step ?? 0);
    const text = this.running ? 'The models so far (export when the sweep ends)' : `The models at step ${count(step)}`;
    const shaded = document.querySelector('#sweep-rows tr.taken') ? '; shaded: the β this model has now' : '';
    $('sweep-table-caption').textContent = text + shaded;
  }

  /** "k of n steps" while running; hidden with null. @param {number|null} step @param {number} [steps] */
  progress(step, steps = 0) {
    const running = step != null;
    $('sweep-progress').hidden = !running;
    $('sweep-stop').hidden = !running;
    $('sweep-run').hidden = running;
    const button = /** @type {HTMLButtonElement} */ ($('sweep-button'));
    button.disabled = running;
    // The transport's button says how far it is (the panel may be off-screen).
    button.textContent = running ? `Sweeping ${Math.floor((100 * step) / Math.max(1, steps))} %` : 'Sweep β';
    if (!running) return;
    const bar = /** @type {HTMLProgressElement} */ ($('sweep-bar'));
    bar.max = steps;
    bar.value = step;
    $('sweep-progress-text').textContent = `${count(step)} of ${count(steps)} steps · ${this.shown?.count ?? ''} models`;
  }

  /** The models, β ascending: β (a button that takes it), rate, I(Z;Y) bound, test error, status. @param {Row[]} rows */
  table(rows) {
    $('sweep-results').hidden = rows.length === 0;
    const body = /** @type {HTMLTableSectionElement} */ ($('sweep-rows'));
    body.replaceChildren(...rows.slice().sort((a, b) => a.beta - b.beta).map((row) => this.row(row)));
    for (const id of ['sweep-jsonl', 'sweep-csv']) /** @type {HTMLButtonElement} */ ($(id)).disabled = !this.lines;
    this.caption();
  }

  /** @param {Row} row */
  row({ beta, report, status }) {
    const tr = document.createElement('tr');
    const take = document.createElement('button');
    take.type = 'button';
    take.className = 'sweep-take';
    take.textContent = betaLabel(beta);
    take.setAttribute('aria-label', `take β = ${betaLabel(beta)}`);
    take.addEventListener('click', () => this.take(beta));
    const cell = (/** @type {string} */ text) => {
      const td = document.createElement('td');
      td.textContent = text;
      return td;
    };
    const first = document.createElement('th');
    first.scope = 'row';
    first.append(take);
    const fixed = (/** @type {number|undefined|null} */ v, /** @type {number} */ digits) => (Number.isFinite(v) ? Number(v).toFixed(digits) : '–');
    const error = Number.isFinite(report?.test_acc) ? `${(100 * (1 - report.test_acc)).toFixed(1)} %` : '–';
    tr.append(first, cell(fixed(report?.rate_bits, 2)), cell(fixed(report?.izy_bits, 3)), cell(error), cell(status));
    tr.dataset.status = status;
    tr.dataset.step = String(report?.step ?? 0);
    if (betaLabel(beta) === this.taken) {
      tr.classList.add('taken');
      take.setAttribute('aria-current', 'true');
    }
    return tr;
  }

  /** The sweep no longer describes the run on screen (other data): gone. */
  clear() {
    if (this.running) return;
    this.shown = null;
    this.lines = null;
    this.table([]);
  }

  /**
   * A link's sweep (`?sweep=GRID&sweep_steps=N`): put in the form and
   * offered; returns it, or throws Rust's error naming what is wrong.
   * @param {string} grid @param {string} steps @returns {BetaSweep}
   */
  offer(grid, steps) {
    const sweep = /** @type {BetaSweep} */ (this.rust.betaSweepOfLink(grid, steps));
    const set = (/** @type {string} */ id, /** @type {string} */ value) => { /** @type {HTMLInputElement} */ ($(id)).value = value; };
    const [from, to] = sweep.grid.slice('beta='.length).split(':');
    set('sweep-from', from);
    set('sweep-to', to);
    set('sweep-count', String(sweep.count));
    set('sweep-steps', String(sweep.steps));
    this.describeButton();
    this.offered = sweep;
    return sweep;
  }

  /** The sweep a shared link carries: the one shown, else the one offered. */
  shared() {
    const sweep = this.shown ?? this.offered;
    return sweep ? { grid: sweep.grid, steps: sweep.steps } : null;
  }

  /** The transport button says what it will train. */
  describeButton() {
    const value = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ ($(id)).value;
    $('sweep-button').title = `Train ${value('sweep-count')} models with β from ${value('sweep-from')} to ${value('sweep-to')} at once, ${value('sweep-steps')} steps each (set the range under the IB curve)`;
  }
}

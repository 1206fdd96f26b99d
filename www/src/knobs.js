// The controls, declared once: each knob is a share-link key with a widget.
// Rendering reads the link's values; a change reports (key, value, live).
// Live knobs (beta, lr) change the running model; the others restart it.

/** @typedef {{key: string, label: string, kind: 'select'|'number'|'log'|'text'|'check', options?: string[], min?: number, max?: number, step?: number, live?: boolean, unit?: string}} Knob */

/** @type {Knob[]} */
export const KNOBS = [
  { key: 'data', label: 'Dataset', kind: 'select', options: ['circle', 'xor', 'gaussians', 'spiral', 'moons', 'var_u', 'digits', 'mnist'] },
  { key: 'objective', label: 'Objective', kind: 'select', options: ['vib', 'vae', 'sqib'] },
  { key: 'beta', label: 'β', kind: 'log', min: 1e-6, max: 10, live: true },
  { key: 'beta_schedule', label: 'β annealing', kind: 'select', options: ['const', 'linear', 'log'] },
  { key: 'k', label: 'Latent size K', kind: 'number', min: 1, max: 1024, step: 1 },
  { key: 'hidden', label: 'Hidden layers', kind: 'text' },
  { key: 'act', label: 'Activation', kind: 'select', options: ['tanh', 'relu', 'gelu', 'sigmoid', 'linear'] },
  { key: 'bottleneck', label: 'Bottleneck', kind: 'select', options: ['joint', 'feature'] },
  { key: 'lr', label: 'Learning rate', kind: 'log', min: 1e-5, max: 1, live: true },
  { key: 'batch', label: 'Batch size', kind: 'number', min: 1, max: 4096, step: 1 },
  { key: 'train', label: 'Training fraction', kind: 'number', min: 0.05, max: 0.95, step: 0.05 },
  { key: 'noise', label: 'Label noise', kind: 'number', min: 0, max: 0.5, step: 0.05 },
  { key: 'seed', label: 'Seed', kind: 'number', min: 0, max: 4294967295, step: 1 },
  { key: 'plane', label: 'Information plane', kind: 'check' },
  { key: 'estimator', label: 'Plane estimator', kind: 'select', options: ['binning', 'kde'] },
  { key: 'views', label: 'Views', kind: 'set', options: ['plane', 'curves', 'latent', 'dims', 'map', 'sweep'] },
];

/** Knobs that only change the page (no restart, no live change). */
const PAGE_ONLY = new Set(['views']);

/** Slider positions of log knobs. */
const LOG_STEPS = 1000;

function logToSlider(knob, value) {
  const lo = Math.log10(knob.min), hi = Math.log10(knob.max);
  const v = Math.min(Math.max(Number(value), knob.min), knob.max);
  return Math.round(((Math.log10(v) - lo) / (hi - lo)) * LOG_STEPS);
}

function sliderToLog(knob, position) {
  const lo = Math.log10(knob.min), hi = Math.log10(knob.max);
  const v = 10 ** (lo + ((hi - lo) * position) / LOG_STEPS);
  return Number(v.toPrecision(2)).toString();
}

/**
 * Builds the form once; returns {update(values), dispose()}.
 * @param {HTMLFormElement} form
 * @param {(key: string, value: string, live: boolean, pageOnly: boolean) => void} onChange
 */
export function mountKnobs(form, onChange) {
  const inputs = new Map();
  const listeners = [];
  const listen = (el, type, fn) => {
    el.addEventListener(type, fn);
    listeners.push(() => el.removeEventListener(type, fn));
  };
  for (const knob of KNOBS) {
    const row = document.createElement('label');
    row.className = 'knob';
    const name = document.createElement('span');
    name.textContent = knob.label;
    row.append(name);
    let input;
    if (knob.kind === 'select') {
      input = document.createElement('select');
      for (const option of knob.options) {
        const o = document.createElement('option');
        o.value = option;
        o.textContent = option;
        input.append(o);
      }
      listen(input, 'change', () => onChange(knob.key, input.value, Boolean(knob.live), PAGE_ONLY.has(knob.key)));
    } else if (knob.kind === 'log') {
      input = document.createElement('input');
      input.type = 'range';
      input.min = '0';
      input.max = String(LOG_STEPS);
      const shown = document.createElement('output');
      input.shown = shown;
      listen(input, 'input', () => { shown.textContent = sliderToLog(knob, input.value); });
      listen(input, 'change', () => onChange(knob.key, sliderToLog(knob, input.value), Boolean(knob.live), false));
    } else if (knob.kind === 'set') {
      input = document.createElement('span');
      input.className = 'set';
      input.boxes = knob.options.map((option) => {
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.value = option;
        box.dataset.testid = `view-${option}`;
        const label = document.createElement('label');
        label.append(box, option);
        input.append(label);
        listen(box, 'change', () => onChange(knob.key, input.boxes.filter((b) => b.checked).map((b) => b.value).join(','), false, true));
        return box;
      });
    } else if (knob.kind === 'check') {
      input = document.createElement('input');
      input.type = 'checkbox';
      listen(input, 'change', () => onChange(knob.key, input.checked ? '1' : '0', false, false));
    } else {
      input = document.createElement('input');
      input.type = knob.kind === 'number' ? 'number' : 'text';
      if (knob.kind === 'number') {
        input.min = String(knob.min);
        input.max = String(knob.max);
        input.step = String(knob.step);
      }
      listen(input, 'change', () => onChange(knob.key, input.value.trim(), false, false));
    }
    if (knob.kind !== 'set') input.name = knob.key;
    row.dataset.key = knob.key;
    input.dataset.testid = `knob-${knob.key}`;
    row.append(input);
    if (input.shown) row.append(input.shown);
    form.append(row);
    inputs.set(knob.key, { knob, input });
  }
  return {
    /** @param {URLSearchParams} values */
    update(values) {
      // Controls the link hides (`hide=beta,seed`) stay out of sight.
      const hidden = new Set((values.get('hide') ?? '').split(',').filter(Boolean));
      form.querySelectorAll('.knob').forEach((row) => { row.hidden = hidden.has(row.dataset.key); });
      for (const { knob, input } of inputs.values()) {
        const value = values.get(knob.key) ?? '';
        if (knob.kind === 'log') {
          input.value = String(logToSlider(knob, value));
          input.shown.textContent = value;
        } else if (knob.kind === 'set') {
          const chosen = new Set(value.split(','));
          input.boxes.forEach((box) => { box.checked = chosen.has(box.value); });
        } else if (knob.kind === 'check') {
          input.checked = value === '1';
        } else {
          input.value = value;
        }
      }
    },
    dispose() {
      listeners.forEach((off) => off());
      form.replaceChildren();
    },
  };
}

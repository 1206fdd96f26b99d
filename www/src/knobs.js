// The controls, built from the link table's schema (Rust's `linkSchema()`):
// each control is a share-link key, and its widget, options and limits come
// from the schema, never from a table here, their labels too. This file
// only says which keys the page shows, in which order. A change reports
// (key, value); the caller asks Rust (`setKey`) for the new link.

import { numberText } from './describe.js';

/** The keys the page offers, in order; their labels are the key table's
 * (Rust's `label`, in the schema). */
export const SHOWN = [
  'data', 'objective', 'beta', 'beta_schedule', 'k', 'hidden', 'act', 'quant', 'bottleneck',
  'lr', 'batch', 'train', 'noise', 'seed', 'plane', 'estimator', 'bins', 'views',
];

/**
 * Slider positions of a key that spans decades: 1, 2 and 5 in every decade
 * of its log range, and 0 first when 0 is allowed.
 */
export function ladder(key) {
  const [lo, hi] = key.log_slider;
  const steps = key.min === 0 && !key.min_open ? [0] : [];
  for (let decade = Math.floor(Math.log10(lo)); decade <= Math.ceil(Math.log10(hi)); decade += 1) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** decade).toPrecision(1));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) steps.push(v);
    }
  }
  return steps;
}

/** The ladder position nearest to `value` (on a log scale). */
function nearest(steps, value) {
  const v = Number(value);
  let best = 0;
  steps.forEach((s, i) => {
    const d = (a) => (a === 0 || v === 0 ? Math.abs(a - v) * 1e9 : Math.abs(Math.log(a / v)));
    if (d(s) < d(steps[best])) best = i;
  });
  return best;
}

function element(tag, props = {}) {
  return Object.assign(document.createElement(tag), props);
}

/** A select of the key's options; `page_options` leaves out CLI-only ones. */
function selectFor(key, emit) {
  const input = element('select');
  for (const option of key.page_options ?? key.options) input.append(element('option', { value: option, textContent: option }));
  input.addEventListener('change', () => emit(input.value));
  return { input, set: (v) => {
    // A value the menu does not offer (data=csv before a file) is shown too.
    if (![...input.options].some((o) => o.value === v)) input.append(element('option', { value: v, textContent: v }));
    input.value = v;
  } };
}

/** A log slider on the 1-2-5 ladder beside a number box for exact values. */
function ladderFor(key, label, emit) {
  const steps = ladder(key);
  const wrap = element('span', { className: 'ladder' });
  const slider = element('input', { type: 'range', min: '0', max: String(steps.length - 1), step: '1' });
  slider.setAttribute('aria-label', `${label} (slider)`);
  const box = element('input', { type: 'number', step: 'any', min: String(key.min), max: String(key.max) });
  box.setAttribute('aria-label', `${label} (exact value)`);
  box.dataset.testid = `${key.name}-input`;
  const say = (v) => slider.setAttribute('aria-valuetext', `${label} = ${v}`);
  // Written one way whatever wrote it (the slider, a link, a lesson, the
  // box): 1e-3 and 0.2, as the page's labels write them (`numberText`).
  const show = (v) => { box.value = numberText(v); say(box.value); };
  slider.addEventListener('input', () => show(String(steps[slider.value])));
  slider.addEventListener('change', () => emit(String(steps[slider.value])));
  box.addEventListener('change', () => emit(box.value.trim()));
  wrap.append(slider, box);
  return {
    input: wrap,
    slider,
    set: (v) => { slider.value = String(nearest(steps, v)); show(v); },
  };
}

function checksFor(key, emit) {
  const input = element('span', { className: 'set', role: 'group' });
  const boxes = key.options.map((option) => {
    const box = element('input', { type: 'checkbox', value: option });
    box.dataset.testid = `view-${option}`;
    const label = element('label');
    label.append(box, option);
    input.append(label);
    box.addEventListener('change', () => emit(boxes.filter((b) => b.checked).map((b) => b.value).join(',')));
    return box;
  });
  return { input, set: (v) => { const on = new Set(v.split(',')); boxes.forEach((b) => { b.checked = on.has(b.value); }); } };
}

function widgetFor(key, label, emit) {
  if (key.kind === 'choice') return selectFor(key, emit);
  if (key.kind === 'set') return checksFor(key, emit);
  if (key.log_slider) return ladderFor(key, label, emit);
  if (key.kind === 'flag') {
    const input = element('input', { type: 'checkbox' });
    input.addEventListener('change', () => emit(input.checked ? '1' : '0'));
    return { input, set: (v) => { input.checked = v === '1'; } };
  }
  const numeric = key.kind === 'integer' || key.kind === 'real';
  const input = element('input', { type: numeric ? 'number' : 'text' });
  if (numeric) Object.assign(input, { min: String(key.min), max: String(key.max), step: key.kind === 'integer' ? '1' : 'any' });
  input.addEventListener('change', () => emit(input.value.trim()));
  return { input, set: (v) => { input.value = v; } };
}

/**
 * Builds the controls once; returns {update(link), dispose()}.
 * @param {HTMLElement} form
 * @param {Array<object>} schema linkSchema()
 * @param {(key: string, value: string, spec: object) => void} onChange
 */
export function mountKnobs(form, schema, onChange) {
  const byName = new Map(schema.map((k) => [k.name, k]));
  const widgets = [];
  for (const name of SHOWN) {
    const key = byName.get(name);
    if (!key) continue;
    const { label } = key;
    const row = element(key.kind === 'set' ? 'fieldset' : 'label', { className: 'knob' });
    row.dataset.key = name;
    row.title = `${key.description} (${key.allowed})`;
    row.append(element(key.kind === 'set' ? 'legend' : 'span', { textContent: label }));
    const widget = widgetFor(key, label, (value) => onChange(name, value, key));
    const control = widget.slider ?? widget.input;
    if (!widget.slider) control.name = name;
    control.dataset.testid = `knob-${name}`;
    row.append(widget.input);
    form.append(row);
    widgets.push({ name, widget });
  }
  const clearErrors = () => {
    for (const note of form.querySelectorAll('.knob-error')) note.remove();
    for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
  };
  return {
    /** Says beside the control of `key` why its value was refused (the
     * error box may be out of sight on a phone, behind the drawer). */
    showError(key, message) {
      clearErrors();
      const row = form.querySelector(`.knob[data-key="${key}"]`);
      if (!row) return;
      const control = row.querySelector('[data-testid^="knob-"]');
      const note = element('p', { className: 'knob-error', textContent: message });
      note.id = `knob-error-${key}`;
      note.dataset.testid = 'knob-error';
      note.setAttribute('role', 'alert');
      control?.setAttribute('aria-invalid', 'true');
      control?.setAttribute('aria-describedby', note.id);
      row.after(note);
    },
    clearErrors,
    /** Shows the values of `link` (a query string). */
    update(link) {
      const values = new URLSearchParams(link);
      // Controls the link hides (`hide=beta,seed`) stay out of sight.
      const hidden = new Set((values.get('hide') ?? '').split(',').filter(Boolean));
      form.querySelectorAll('.knob').forEach((row) => { row.hidden = hidden.has(row.dataset.key); });
      for (const { name, widget } of widgets) widget.set(values.get(name) ?? byName.get(name).default);
    },
    dispose() {
      form.replaceChildren();
    },
  };
}

// Nothing lost on reload: the current experiment, its metrics, (for small
// models) its weights and the pinned runs are kept in this browser's
// localStorage, within a size bound, and restored when the page opens on the
// same experiment.
// "Forget" drops them.

const KEY = 'ibp-playground:last';
/** Most bytes stored (the weights are dropped first, then older reports). */
export const MAX_BYTES = 1_500_000;
/** Reports kept (evenly thinned). */
const MAX_REPORTS = 400;

function thin(reports) {
  if (reports.length <= MAX_REPORTS) return reports;
  const every = Math.ceil(reports.length / MAX_REPORTS);
  return reports.filter((_, i) => i % every === 0 || i === reports.length - 1);
}

/** Saves {link, step, reports, weights, pins}; returns the bytes stored (0
 * if none). Over the bound, the weights go first, then the pins, then
 * every other report. */
export function save({ link, step, reports, weights, pins = [] }) {
  let record = { version: 1, link, step, reports: thin(reports), weights, pins };
  let text = JSON.stringify(record);
  for (const drop of [{ weights: null }, { pins: [] }]) {
    if (text.length <= MAX_BYTES) break;
    record = { ...record, ...drop };
    text = JSON.stringify(record);
  }
  while (text.length > MAX_BYTES && record.reports.length > 2) {
    record = { ...record, reports: record.reports.filter((_, i) => i % 2 === 0) };
    text = JSON.stringify(record);
  }
  try {
    localStorage.setItem(KEY, text);
    return text.length;
  } catch {
    return 0; // storage full or disabled: the run goes on, unsaved
  }
}

/** The saved record, or null (a damaged record is dropped). */
export function load() {
  try {
    const record = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    if (!record || record.version !== 1 || typeof record.link !== 'string' || !Array.isArray(record.reports)) return null;
    return record;
  } catch {
    forget();
    return null;
  }
}

export function forget() {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // nothing stored, nothing to drop
  }
}

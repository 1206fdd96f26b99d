// The backend line: one short sentence saying where the run trains and, in
// a few words, why; the whole reason (the adapter, the limit it hit, the
// error) is its details, shown on hover and on focus. No timing ratio is
// shown: it changes on every load, the choice it made does not.

/** Short reasons, by what the worker's reason says. */
const REASONS = [
  [/faster than the CPU/, 'faster than the CPU for this model'],
  [/faster than this WebGPU adapter/, 'faster than this GPU for this model'],
  [/\?backend=(cpu|gpu)/, 'this page’s address asks for it'],
  [/device was lost/, 'the GPU was lost, and the run went on here'],
  [/too large for this GPU/, 'the model is too large for this GPU'],
  [/train_samples=/, 'several noise samples per example train only here'],
  [/failed while it was timed/, 'the GPU failed when it was tried'],
];

/**
 * The line for a backend label ('WebGPU — adapter' or 'CPU (WebAssembly)')
 * and the worker's reason (or null).
 * @param {string} backend
 * @param {string|null} why
 * @returns {{sentence: string, details: string}}
 */
export function describeBackend(backend, why) {
  const gpu = backend.startsWith('WebGPU');
  const where = gpu ? 'Training on the GPU' : 'Training on the CPU';
  const found = why ? REASONS.find(([pattern]) => pattern.test(why)) : null;
  // A CPU run for any other reason: the probe found no usable WebGPU.
  const reason = found ? found[1] : why && !gpu ? 'WebGPU is not available here' : '';
  return {
    sentence: reason ? `${where}: ${reason}` : where,
    details: why ? `${backend} — ${why}` : backend,
  };
}

// The readouts beside the transport: step, loss, rate, and what applies to
// the objective (the I(Z;Y) bound and accuracy for label objectives, the
// distortion for the VAE). Full-precision values sit in data-value for
// whoever compares runs; the text is rounded.
import { fmt } from './plot.js';

const $ = (id) => document.getElementById(id);

/** Shows `report`; readouts that do not apply to the objective are hidden. */
export function showReport(report, info) {
  const vae = info?.objective === 'vae';
  $('step-count').textContent = String(report.step);
  setValue('loss', report.loss);
  setValue('rate', report.rate_bits);
  $('loss').dataset.step = String(report.step);
  for (const id of ['izy', 'accuracy']) $(`${id}-row`).hidden = vae;
  $('distortion-row').hidden = !vae;
  if (vae) setValue('distortion', report.distortion_bits);
  else {
    $('izy').textContent = izyText(report.izy_bits);
    $('izy').dataset.value = String(report.izy_bits);
    $('accuracy').textContent = report.test_acc == null ? '–' : `${(100 * report.test_acc).toFixed(1)} % test`;
  }
}

/** The I(Z;Y) bound: "≥ 0.997 bits"; below zero it says only that
 * I(Z;Y) is about 0. */
export function izyText(bits) {
  if (bits == null || !Number.isFinite(bits)) return '–';
  if (bits < 0) return `≈ 0 (bound ${bits.toPrecision(2)} bits)`;
  return `≥ ${fmt(bits, 'bits')}`;
}

function setValue(id, value) {
  $(id).textContent = fmt(value, 'bits');
  $(id).dataset.value = String(value);
}

/** Empties every readout (a new run). */
export function clearReadouts() {
  for (const id of ['loss', 'rate', 'izy', 'accuracy', 'distortion']) {
    $(id).textContent = '–';
    delete $(id).dataset.value;
  }
  $('step-count').textContent = '0';
}

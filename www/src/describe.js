// Experiments in words: the one-line description a shared link opens with,
// and numbers written short (β = 1e-2, not β=0.01) for labels.
import { linkValue } from './link-values.js';

/** A number as people write it in a label: 1e-2 below 0.1, 0.25 above. */
export function shortNumber(text) {
  const v = Number(text);
  if (!Number.isFinite(v) || v === 0) return String(text);
  if (Math.abs(v) >= 0.1 && Math.abs(v) < 1e5) return String(Number(v.toPrecision(6)));
  const [mantissa, exponent] = v.toExponential().split('e');
  return `${Number(Number(mantissa).toPrecision(4))}e${Number(exponent)}`;
}

/** A number as the controls' boxes write it, every digit kept so that it
 * reads back the same: 1e-3, 4.2e-3, 1.23456e-3 below 0.1, as labels and
 * lesson links write them; 0.2, 1, 12 above. Not a number: as it is. */
export function numberText(text) {
  const v = Number(text);
  if (text === '' || !Number.isFinite(v) || v === 0) return String(text);
  if (Math.abs(v) >= 0.1 && Math.abs(v) < 1e5) return String(v);
  const [mantissa, exponent] = v.toExponential().split('e');
  return `${mantissa}e${Number(exponent)}`;
}

/** β in short form with two significant digits, as a sweep labels its
 * models and as a click on one sets it: 1e-3, 3.7e-2 below 0.1; 0.27, 1,
 * 12 from there to 1000. */
export function betaLabel(beta) {
  const v = Number(Number(beta).toPrecision(2));
  if (v >= 0.1 && v < 1000) return String(v);
  const [mantissa, exponent] = v.toExponential().split('e');
  return `${Number(mantissa)}e${Number(exponent)}`;
}

/** "moons data, β = 1e-3, a tanh encoder (16-16 units) into a 2-dimensional code". */
export function describeExperiment(link) {
  const value = (key) => linkValue(link, key);
  const objective = value('objective') === 'vib' ? '' : ` (${value('objective')})`;
  const dims = Number(value('k')) === 1 ? 'a 1-dimensional code' : `a ${value('k')}-dimensional code`;
  const hidden = value('hidden') ? `a ${value('act')} encoder (${value('hidden').split(',').join('-')} units)` : 'a linear encoder';
  return `${value('data')} data, β = ${shortNumber(value('beta'))}, ${hidden} into ${dims}${objective}`;
}

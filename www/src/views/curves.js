// Training curves: loss, rate and the I(Z;Y) bound in bits (top), train and
// test accuracy (bottom), against the step.
import { line } from 'd3-shape';
import { frame, expectArray } from '../plot.js';

const SERIES = [
  { key: 'loss', label: 'loss', colour: '#444' },
  { key: 'rate_bits', label: 'rate', colour: '#d62728' },
  { key: 'izy_bits', label: 'I(Z;Y) ≥', colour: '#1f77b4' },
];
const ACCURACY = [
  { key: 'train_acc', label: 'train', colour: '#2ca02c' },
  { key: 'test_acc', label: 'test', colour: '#9467bd' },
];

export class CurvesView {
  constructor(svg) {
    this.svg = svg;
  }

  /** @param {Array<object>} history reports in step order */
  update(history) {
    expectArray(history, 'curves: report history');
    const steps = history.map((r) => r.step);
    const maxStep = Math.max(1, ...steps);
    const bits = history.flatMap((r) => SERIES.map((s) => r[s.key]).filter(Number.isFinite));
    const top = Math.max(1, ...bits);
    const f = frame(this.svg, { x: [0, maxStep], y: [Math.min(0, ...bits), top], xLabel: 'step', yLabel: 'bits', height: 200 });
    for (const s of SERIES) {
      const points = history.filter((r) => Number.isFinite(r[s.key]));
      if (!points.length) continue;
      const path = line().x((r) => f.x(r.step)).y((r) => f.y(r[s.key]));
      f.g.append('path').attr('d', path(points)).attr('fill', 'none').attr('stroke', s.colour).attr('stroke-width', 1.5);
    }
    SERIES.forEach((s, i) => {
      f.g.append('text').attr('x', f.width - 4).attr('y', 12 + 14 * i).attr('text-anchor', 'end').attr('fill', s.colour).attr('class', 'legend').text(s.label);
    });
    const accuracy = history.filter((r) => Number.isFinite(r.test_acc));
    if (accuracy.length) {
      ACCURACY.forEach((s, i) => {
        const last = accuracy[accuracy.length - 1][s.key];
        f.g.append('text').attr('x', 4).attr('y', 12 + 14 * i).attr('fill', s.colour).attr('class', 'legend').text(`${s.label} accuracy ${(100 * last).toFixed(1)} %`);
      });
    }
  }
}

// The beta sweep: M models with log-spaced betas trained in the same GPU
// dispatches, each drawn at its (rate, I(Z;Y) bound) in bits, coloured by
// beta: one run draws the family's rate / relevance curve. For labels that
// are a function of x the exact IB curve is min(I(X;T), H(Y)), drawn dashed.
import { line } from 'd3-shape';
import { frame, timeColour, expectArray } from '../plot.js';

export class SweepView {
  constructor(svg, caption) {
    this.svg = svg;
    this.caption = caption;
  }

  /**
   * @param {Array<object>} reports the latest report of each replica
   * @param {{hy_bits: number, name: string}} info
   */
  update(reports, info) {
    expectArray(reports, 'sweep: reports');
    const hy = info?.hy_bits ?? 1;
    const rates = reports.map((r) => r.rate_bits);
    const right = Math.max(hy * 1.5, ...rates) * 1.05;
    const f = frame(this.svg, { x: [0, right], y: [Math.min(0, ...reports.map((r) => r.izy_bits ?? 0)), hy * 1.1], xLabel: 'rate (bits)', yLabel: 'I(Z;Y) bound (bits)' });
    f.g.append('line').attr('class', 'reference').attr('x1', 0).attr('x2', f.width).attr('y1', f.y(hy)).attr('y2', f.y(hy));
    if (info?.name === 'var_u') {
      // Deterministic labels: the exact IB curve is min(I(X;T), H(Y)).
      const exact = line().x((p) => f.x(p[0])).y((p) => f.y(p[1]));
      f.g.append('path').attr('class', 'reference exact-ib').attr('d', exact([[0, 0], [hy, hy], [right, hy]])).attr('fill', 'none');
    }
    const ordered = reports.map((r, i) => ({ ...r, i })).sort((a, b) => a.beta - b.beta);
    const curve = line().x((r) => f.x(r.rate_bits)).y((r) => f.y(r.izy_bits ?? 0));
    f.g.append('path').attr('d', curve(ordered)).attr('fill', 'none').attr('stroke', '#999');
    f.g.selectAll(null).data(ordered).join('circle')
      .attr('class', 'sweep-point')
      .attr('cx', (r) => f.x(r.rate_bits)).attr('cy', (r) => f.y(r.izy_bits ?? 0)).attr('r', 3.5)
      .attr('fill', (_, k) => timeColour(k / Math.max(1, ordered.length - 1)));
    const steps = reports[0]?.step ?? 0;
    this.caption.textContent = `β sweep: ${reports.length} models, β ${ordered[0].beta.toPrecision(2)} (purple) to ${ordered[ordered.length - 1].beta.toPrecision(2)} (yellow), step ${steps}`;
  }
}

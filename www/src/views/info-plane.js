// The information plane: every hidden layer's (I(X;T), I(T;Y)) trajectory,
// coloured from early (purple) to late (yellow), with H(X) and I(X;Y) = H(Y)
// (deterministic labels) as reference lines. Units: bits.
import { line } from 'd3-shape';
import { frame, timeColour, expectArray } from '../plot.js';

export class InfoPlaneView {
  constructor(svg) {
    this.svg = svg;
  }

  /**
   * @param {Array<object>} history reports; those with `layers` are drawn
   * @param {{hx_bits: number, hy_bits: number}} info
   */
  update(history, info) {
    expectArray(history, 'information plane: report history');
    const points = history.filter((r) => Array.isArray(r.layers));
    const hx = info?.hx_bits ?? 1;
    const hy = info?.hy_bits ?? 1;
    const f = frame(this.svg, { x: [0, hx * 1.05], y: [0, hy * 1.1], xLabel: 'I(X;T) bits', yLabel: 'I(T;Y) bits' });
    f.g.append('line').attr('class', 'reference').attr('x1', 0).attr('x2', f.width).attr('y1', f.y(hy)).attr('y2', f.y(hy));
    f.g.append('line').attr('class', 'reference').attr('x1', f.x(hx)).attr('x2', f.x(hx)).attr('y1', 0).attr('y2', f.height);
    f.g.append('text').attr('class', 'legend').attr('x', 4).attr('y', f.y(hy) - 4).text(`H(Y) = ${hy.toFixed(3)} bits`);
    if (!points.length) {
      f.g.append('text').attr('class', 'legend').attr('x', f.width / 2).attr('y', f.height / 2).attr('text-anchor', 'middle').text('turn on “Information plane” to measure');
      return;
    }
    const layers = points[0].layers.length;
    const last = points[points.length - 1].step || 1;
    for (let l = 0; l < layers; l += 1) {
      const trajectory = points.map((r) => ({ step: r.step, ...r.layers[l] }));
      const path = line().x((p) => f.x(p.ixt_bits)).y((p) => f.y(p.ity_bits));
      f.g.append('path').attr('d', path(trajectory)).attr('fill', 'none').attr('stroke', '#bbb').attr('stroke-width', 0.8);
      f.g.selectAll(null).data(trajectory).join('circle')
        .attr('class', 'plane-point')
        .attr('cx', (p) => f.x(p.ixt_bits)).attr('cy', (p) => f.y(p.ity_bits)).attr('r', 2.5)
        .attr('fill', (p) => timeColour(p.step / last));
      const end = trajectory[trajectory.length - 1];
      f.g.append('text').attr('class', 'legend').attr('x', f.x(end.ixt_bits) + 4).attr('y', f.y(end.ity_bits) + 3).text(end.layer.replace('encoder ', 'T'));
    }
  }
}

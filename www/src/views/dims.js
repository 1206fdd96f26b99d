// Rate per latent dimension in bits: active dimensions carry the rate,
// collapsed ones sit at ~0. With a per-feature bottleneck on images, the rate
// of each input pixel instead, as a heat map.
import { frame, expectArray } from '../plot.js';

export class DimsView {
  constructor(svg) {
    this.svg = svg;
  }

  /** @param {object} report  @param {{image: number[]|null}} info */
  update(report, info) {
    const perFeature = report.rate_features_bits;
    const raw = perFeature ?? report.rate_dims_bits;
    expectArray(raw, 'rates per dimension');
    // A diverged run reports NaN: draw those bars empty.
    const values = raw.map((v) => (Number.isFinite(v) ? v : 0));
    if (perFeature && info?.image) return this.heatMap(perFeature, info.image);
    const top = Math.max(0.1, ...values);
    const f = frame(this.svg, { x: [0, values.length], y: [0, top], xLabel: perFeature ? 'input feature' : 'latent dimension', yLabel: 'bits', height: 180 });
    const w = Math.max(1, f.width / values.length - 1);
    f.g.selectAll(null).data(values).join('rect')
      .attr('class', 'bar')
      .attr('x', (_, i) => f.x(i)).attr('width', w)
      .attr('y', (v) => f.y(Math.max(v, 0))).attr('height', (v) => f.height - f.y(Math.max(v, 0)))
      .attr('fill', (v) => (v > 0.1 ? '#d62728' : '#bbb'));
  }

  heatMap(values, [rows, cols]) {
    expectArray(values, 'per-pixel rates', rows * cols);
    const top = Math.max(1e-3, ...values);
    const f = frame(this.svg, { x: [0, cols], y: [rows, 0], xLabel: 'pixel column', yLabel: 'pixel row', height: 220 });
    const cw = f.width / cols, ch = f.height / rows;
    f.g.selectAll(null).data(values).join('rect')
      .attr('class', 'pixel')
      .attr('x', (_, i) => (i % cols) * cw).attr('y', (_, i) => Math.floor(i / cols) * ch)
      .attr('width', cw).attr('height', ch)
      .attr('fill', (v) => `rgba(214, 39, 40, ${Math.max(0, v) / top})`);
    f.g.append('text').attr('class', 'legend').attr('x', f.width).attr('y', -2).attr('text-anchor', 'end').text(`max ${top.toFixed(2)} bits`);
  }
}

// Rate per latent dimension in bits, one bar per dimension z1 … zK in
// order: active dimensions carry the rate, collapsed ones sit at ~0. With a
// per-feature bottleneck on images, the rate of each input pixel instead,
// as a square heat map with its own caption and scale.
import { select } from 'd3-selection';
import { axisBottom, axisLeft } from 'd3-axis';
import { scaleBand, scaleLinear } from 'd3-scale';
import { expectArray, tickFormat } from '../plot.js';

/** Dimensions above this many bits count as active. */
const ACTIVE_BITS = 0.1;

export class DimsView {
  constructor(svg, caption) {
    this.svg = svg;
    this.caption = caption;
  }

  /** @param {object} report  @param {{image: number[]|null}} info */
  update(report, info) {
    const perFeature = report.rate_features_bits;
    const raw = perFeature ?? report.rate_dims_bits;
    expectArray(raw, 'rates per dimension');
    const values = raw.map((v) => (Number.isFinite(v) ? v : 0));
    if (perFeature && info?.image) return this.heatMap(perFeature, info.image);
    this.caption.textContent = perFeature ? 'Rate per input feature (bits)' : 'Rate per latent dimension (bits), z1 … zK in order';
    this.bars(values, perFeature ? 'x' : 'z');
  }

  bars(values, prefix) {
    const width = 340;
    const height = 180;
    const margin = { top: 10, right: 14, bottom: 36, left: 44 };
    const root = select(this.svg).attr('viewBox', `0 0 ${width} ${height}`);
    root.selectAll('*').remove();
    const names = values.map((_, i) => `${prefix}${i + 1}`);
    const x = scaleBand().domain(names).range([0, width - margin.left - margin.right]).padding(0.15);
    const innerHeight = height - margin.top - margin.bottom;
    const y = scaleLinear().domain([0, Math.max(0.1, ...values)]).nice().range([innerHeight, 0]);
    const g = root.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
    const every = Math.ceil(values.length / 16);
    g.append('g').attr('class', 'axis').attr('transform', `translate(0,${innerHeight})`)
      .call(axisBottom(x).tickValues(names.filter((_, i) => i % every === 0)));
    g.append('g').attr('class', 'axis').call(axisLeft(y).ticks(4).tickFormat(tickFormat));
    g.append('text').attr('class', 'axis-label').attr('transform', 'rotate(-90)').attr('x', -innerHeight / 2).attr('y', -34).attr('text-anchor', 'middle').text('bits');
    g.selectAll(null).data(values).join('rect')
      .attr('class', 'bar')
      .attr('x', (_, i) => x(names[i])).attr('width', x.bandwidth())
      .attr('y', (v) => y(Math.max(v, 0))).attr('height', (v) => innerHeight - y(Math.max(v, 0)))
      .attr('fill', (v) => (v > ACTIVE_BITS ? '#c0392b' : '#8a8a8a'))
      .append('title').text((v, i) => `${names[i]}: ${v.toFixed(3)} bits${v > ACTIVE_BITS ? '' : ' (collapsed to the prior)'}`);
    const active = values.filter((v) => v > ACTIVE_BITS).length;
    g.append('text').attr('class', 'legend').attr('x', 0).attr('y', innerHeight + 30)
      .text(`${active} of ${values.length} active (> ${ACTIVE_BITS} bits, red)`);
  }

  heatMap(values, [rows, cols]) {
    expectArray(values, 'per-pixel rates', rows * cols);
    this.caption.textContent = 'What the bottleneck keeps: rate of each pixel (bits)';
    const side = 200;
    const cell = side / Math.max(rows, cols);
    const root = select(this.svg).attr('viewBox', `0 0 340 ${side + 30}`);
    root.selectAll('*').remove();
    const top = Math.max(1e-3, ...values);
    const g = root.append('g').attr('transform', 'translate(10,10)');
    g.selectAll(null).data(values).join('rect')
      .attr('class', 'pixel')
      .attr('x', (_, i) => (i % cols) * cell).attr('y', (_, i) => Math.floor(i / cols) * cell)
      .attr('width', cell).attr('height', cell)
      .attr('fill', (v) => `rgba(192, 57, 43, ${Math.max(0, v) / top})`)
      .attr('stroke', '#eee').attr('stroke-width', 0.5)
      .append('title').text((v, i) => `pixel row ${Math.floor(i / cols) + 1}, column ${(i % cols) + 1}: ${v.toFixed(3)} bits`);
    const scale = g.append('g').attr('transform', `translate(${side + 20},0)`);
    for (let i = 0; i < 10; i += 1) {
      scale.append('rect').attr('x', 0).attr('y', (9 - i) * 16).attr('width', 14).attr('height', 16).attr('fill', `rgba(192, 57, 43, ${(i + 0.5) / 10})`);
    }
    scale.append('text').attr('class', 'legend').attr('x', 20).attr('y', 10).text(`${top.toFixed(2)} bits`);
    scale.append('text').attr('class', 'legend').attr('x', 20).attr('y', 160).text('0 bits');
  }
}

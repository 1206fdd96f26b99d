// The model diagram: X → encoder layers T1 … → (μ, σ) → the sampled code
// z → decoder (its hidden layer D1 with decoder=mlp) → Y (or X̂ for the
// VAE), the columns as Rust's model shape gives them (`info.layers`), with
// the bottleneck as the narrow point. Live numbers sit on it: each layer's I(X;T) when the plane is on,
// each latent unit's rate (the ring's thickness) and σ, the I(Z;Y) bound at
// the output. On 2-D data each hidden unit shows its activation over the
// input plane, as the well-known playground does. Hovering or focusing a
// unit shows its numbers. Under it all, information flows from X to Y in
// bands as wide as the live numbers (flowWidth): each hidden layer's
// I(X;T) when the plane measures it, the rate into the code, the I(Z;Y)
// bound out of it; the bands' dashes move (still under
// prefers-reduced-motion).
import { select } from 'd3-selection';
import * as tooltip from '../tooltip.js';

/** The widest layout (a phone gets a narrower one, drawn at its own size,
 * so the text reads at 10 px). */
const MAX_WIDTH = 660;
const MIN_WIDTH = 300;
const HEIGHT = 285;
/** The columns' centre line. */
const MID = 138;
/** Units drawn per column (the rest are counted). */
const SHOWN = 8;
const NODE = 22;

/** A flow band's width in px for `bits` (log-scaled: a 2-bit label and a
 * 200-bit MNIST code both fit; 0 bits is a hairline). */
export function flowWidth(bits) {
  return Math.min(60, 1 + 9 * Math.log2(1 + Math.max(0, bits)));
}

/** The columns of the model: Rust's `info.layers` (from the model's
 * shape, a decoder's hidden layer included), each with its plane id. */
export function columns(info) {
  return info.layers.map((l) => ({ ...l, layer: l.plane }));
}

/** An activation map as a data URL (blue negative, red positive). */
function unitImage(values, size) {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(size, size);
  const top = Math.max(1e-6, ...values.map(Math.abs));
  values.forEach((v, i) => {
    const t = v / top;
    const row = size - 1 - Math.floor(i / size);
    const at = 4 * (row * size + (i % size));
    const [r, g, b] = t >= 0 ? [255, 255 * (1 - t), 255 * (1 - t)] : [255 * (1 + t), 255 * (1 + t), 255];
    image.data.set([r, g, b, 255], at);
  });
  ctx.putImageData(image, 0, 0);
  return canvas.toDataURL();
}

export class DiagramView {
  constructor(svg) {
    this.svg = svg;
    /** The unit that holds the diagram's one Tab stop: [column, unit]. */
    this.current = [0, 0];
    svg.addEventListener('keydown', (event) => this.move(event));
  }

  /** Arrow keys walk the units (left and right across the columns, up and
   * down a column; Home and End: the input and the output), so the whole
   * diagram is one Tab stop. */
  move(event) {
    const [c, u] = this.current;
    const step = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] }[event.key];
    const last = this.svg.querySelectorAll('.diagram-column').length - 1;
    let to = step ? [c + step[0], u + step[1]] : event.key === 'Home' ? [0, 0] : event.key === 'End' ? [last, 0] : null;
    if (!to) return;
    event.preventDefault();
    to = this.clamp(to);
    this.take(to);
    this.unit(...to)?.focus();
  }

  /** Moves the Tab stop to unit `[column, unit]` (a key, a click, a focus). */
  take(to) {
    this.unit(...this.current)?.setAttribute('tabindex', '-1');
    this.current = to;
    this.unit(...to)?.setAttribute('tabindex', '0');
  }

  /** `[column, unit]` moved inside the diagram drawn now. */
  clamp([c, u]) {
    const columns = this.svg.querySelectorAll('.diagram-column');
    const column = Math.min(Math.max(c, 0), Math.max(0, columns.length - 1));
    const units = columns[column]?.querySelectorAll('.diagram-unit').length ?? 1;
    return [column, Math.min(Math.max(u, 0), Math.max(0, units - 1))];
  }

  unit(c, u) {
    return this.svg.querySelector(`.diagram-unit[data-column="${c}"][data-unit="${u}"]`);
  }

  /**
   * @param {string} _link the experiment (its layers are in `info`)
   * @param {object} info dataset and model facts
   * @param {object|undefined} report the latest report
   * @param {object|null} snapshot the latest snapshot
   */
  update(_link, info, report, snapshot) {
    if (!info?.layers) return;
    const cols = columns(info);
    const shown = this.svg.getBoundingClientRect().width || MAX_WIDTH;
    const width = Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, shown)));
    const root = select(this.svg).attr('viewBox', `0 0 ${width} ${HEIGHT}`);
    // A redraw replaces the units: the one a keyboard is on takes the focus back.
    const focused = this.svg.contains(document.activeElement);
    root.selectAll('*').remove();
    const gap = (width - 60) / (cols.length - 1);
    const xs = cols.map((_, i) => 30 + i * gap);
    this.funnel(root, xs, cols);
    this.flow(root, xs, cols, report);
    const nodes = cols.map((c, i) => this.positions(c, xs[i]));
    for (let i = 0; i + 1 < cols.length; i += 1) this.edges(root, nodes[i], nodes[i + 1]);
    cols.forEach((c, i) => this.column(root, c, nodes[i], { report, snapshot, gap, index: i }));
    this.current = this.clamp(this.current);
    const current = this.unit(...this.current);
    current?.setAttribute('tabindex', '0');
    if (focused) current?.focus();
  }

  /** The bottleneck's shape: wide at the input, narrowest at the code. */
  funnel(root, xs, cols) {
    const widths = cols.map((c) => Math.min(SHOWN, c.units) * (NODE + 4) + 12);
    const latent = cols.findIndex((c) => c.kind === 'latent');
    const mid = MID;
    const top = xs.map((x, i) => [x, mid - widths[i] / 2 - (i === latent ? 0 : 6)]);
    const bottom = xs.map((x, i) => [x, mid + widths[i] / 2 + (i === latent ? 0 : 6)]).reverse();
    root.append('path').attr('class', 'diagram-funnel')
      .attr('d', `M${[...top, ...bottom].map((p) => p.join(',')).join('L')}Z`)
      .attr('fill', '#f1f4f8').attr('stroke', '#d5dbe3');
  }

  /** The bands between columns: what flows on, in bits, and its colour. */
  flow(root, xs, cols, report) {
    const g = root.append('g').attr('class', 'diagram-flows').attr('aria-hidden', 'true');
    for (let i = 0; i + 1 < cols.length; i += 1) {
      const to = cols[i + 1];
      const measured = report?.layers?.find((l) => l.layer === to.layer);
      // Into the code: the rate; out of it (through a decoder's hidden
      // layer too): the I(Z;Y) bound; into an encoder layer: its I(X;T).
      const [kind, bits, colour] = to.kind === 'latent' ? ['rate', report?.rate_bits, '#d62728']
        : to.kind === 'output' || to.kind === 'decoder' ? ['izy', report?.izy_bits ?? null, '#1f77b4']
          : ['layer', measured?.ixt_bits, '#8a94a6'];
      if (!Number.isFinite(bits)) continue;
      g.append('line').attr('class', 'diagram-flow').attr('data-flow', kind).attr('data-bits', bits)
        .attr('x1', xs[i]).attr('y1', MID).attr('x2', xs[i + 1]).attr('y2', MID)
        .attr('stroke', colour).attr('stroke-opacity', 0.35).attr('stroke-width', flowWidth(bits))
        .attr('stroke-dasharray', '10 6');
    }
  }

  positions(column, x) {
    const shown = Math.min(SHOWN, column.units);
    const span = shown * (NODE + 4);
    return Array.from({ length: shown }, (_, u) => ({ x, y: MID - span / 2 + u * (NODE + 4) + NODE / 2 + 2, unit: u }));
  }

  edges(root, from, to) {
    const g = root.append('g').attr('class', 'diagram-edges').attr('stroke', '#aab').attr('stroke-opacity', 0.35);
    for (const a of from) for (const b of to) g.append('line').attr('x1', a.x).attr('y1', a.y).attr('x2', b.x).attr('y2', b.y);
  }

  column(root, column, nodes, { report, snapshot, gap, index }) {
    const g = root.append('g').attr('class', `diagram-column diagram-${column.kind}`);
    const layer = report?.layers?.find((l) => l.layer === column.layer);
    const z = report?.layers?.find((l) => l.layer === 'Z');
    g.attr('data-column', index);
    nodes.forEach((p) => this.node(g, column, p, { report, snapshot, index }));
    // Columns closer than this (a deep encoder on a phone) get short texts
    // (the hidden layers' I(X;T) named once, at T1), so that neighbours
    // never run together.
    const narrow = gap < 80;
    if (column.units > nodes.length) {
      const last = nodes[nodes.length - 1];
      const more = column.units - nodes.length;
      // Where the next column is too close for it beside the last unit, the
      // count sits above the first, under the column's name.
      const above = gap < 42;
      g.append('text').attr('class', 'legend diagram-more').attr('x', above ? nodes[0].x : last.x + NODE / 2 + 3)
        .attr('y', above ? nodes[0].y - NODE / 2 - 3 : last.y + 4).attr('text-anchor', above ? 'middle' : 'start')
        .text(narrow ? `+${more}` : `+${more} more`);
    }
    // The code's name shortens as its neighbours close in: z alone, as X and Y.
    const code = gap < 42 ? 'z' : gap < 120 ? 'code z' : column.name;
    const lines = [column.kind === 'latent' ? code : column.name];
    const firstHidden = index === 1;
    if (column.kind === 'hidden' && layer) {
      lines.push(!narrow ? `I(X;T) ${layer.ixt_bits.toFixed(2)}` : firstHidden ? `I(X;T) ${layer.ixt_bits.toFixed(1)}` : layer.ixt_bits.toFixed(1));
    }
    if (column.kind === 'latent' && report) lines.push(`rate ${report.rate_bits.toFixed(2)}`);
    if (column.kind === 'latent' && z) lines.push(`I(X;Z) ${z.ixt_bits.toFixed(2)}`);
    if (column.kind === 'output' && report?.izy_bits != null) lines.push(`I(Z;Y) ≥ ${Math.max(0, report.izy_bits).toFixed(2)}`);
    if (column.kind === 'output' && report?.distortion_bits != null) lines.push(`distortion ${report.distortion_bits.toFixed(1)}`);
    const last = column.kind === 'output';
    // The output's numbers sit a row below the code's two, so on a phone,
    // where the columns are close, the two never run together.
    const first = last ? HEIGHT - 4 : HEIGHT - 28;
    // On a narrow diagram T1's label reaches left, under the input, which
    // has none, and the code's reach right, under the output's units, clear
    // of the last hidden layer's number on their row.
    const leftward = narrow && firstHidden;
    const rightward = narrow && column.kind === 'latent';
    lines.forEach((text, i) => {
      const y = i === 0 ? 16 : first + (i - 1) * 12;
      const end = last || (leftward && i > 0);
      const start = rightward && i > 0;
      const x = nodes[0].x + (end ? 12 : start ? -NODE / 2 : 0);
      g.append('text').attr('class', i === 0 ? 'diagram-name' : 'legend').attr('x', x).attr('y', y)
        .attr('text-anchor', end ? 'end' : start ? 'start' : 'middle').text(text);
    });
  }

  /** One unit: a square (with its activation map on 2-D data) or, for the
   * code, a ring as thick as its rate. */
  node(g, column, p, { report, snapshot, index }) {
    const numbers = this.numbers(column, p.unit, { report, snapshot });
    const node = g.append('g').attr('class', 'diagram-unit').attr('tabindex', -1).attr('role', 'img')
      .attr('data-column', index).attr('data-unit', p.unit)
      .attr('aria-label', numbers.join('; '))
      .on('mouseenter', (event) => tooltip.show(numbers, ...tooltip.at(event)))
      .on('mouseleave', () => tooltip.hide())
      .on('focus', (event) => { this.take([index, p.unit]); tooltip.showAt(event.currentTarget, numbers); })
      .on('blur', () => tooltip.hide());
    const half = NODE / 2;
    if (column.kind === 'latent') {
      const rate = report?.rate_dims_bits?.[p.unit] ?? 0;
      node.append('circle').attr('cx', p.x).attr('cy', p.y).attr('r', half - 1)
        .attr('fill', rate > 0.1 ? '#c0392b' : '#fff').attr('fill-opacity', Math.min(1, 0.15 + rate / 4))
        .attr('stroke', '#7a1f16').attr('stroke-width', 1 + Math.min(5, rate));
      return;
    }
    const map = column.kind === 'hidden' ? snapshot?.map?.units?.[column.index]?.[p.unit] : undefined;
    node.append('rect').attr('x', p.x - half).attr('y', p.y - half).attr('width', NODE).attr('height', NODE)
      .attr('fill', column.kind === 'output' ? '#e8eef6' : '#fff').attr('stroke', '#667').attr('rx', 3);
    if (map) {
      node.append('image').attr('href', unitImage(map, snapshot.map.units_size)).attr('x', p.x - half + 1).attr('y', p.y - half + 1)
        .attr('width', NODE - 2).attr('height', NODE - 2).attr('preserveAspectRatio', 'none').attr('class', 'unit-map');
    }
  }

  /** What a unit's tooltip says. */
  numbers(column, unit, { report, snapshot }) {
    const lines = [column.title];
    if (column.kind === 'hidden') {
      lines[0] = `${column.name} unit ${unit + 1}`;
      const layer = report?.layers?.find((l) => l.layer === column.layer);
      if (layer) lines.push(`layer I(X;T) = ${layer.ixt_bits.toFixed(3)} bits, I(T;Y) = ${layer.ity_bits.toFixed(3)} bits${layer.saturated ? ' (saturated)' : ''}`);
      else lines.push('turn on the information plane for I(X;T)');
      if (snapshot?.map?.units) lines.push('colour: its activation over the input plane (red +, blue −)');
    } else if (column.kind === 'decoder') {
      lines[0] = `${column.name} unit ${unit + 1}`;
      lines.push(column.title);
    } else if (column.kind === 'latent') {
      lines[0] = `code unit z${unit + 1}`;
      const rate = report?.rate_dims_bits?.[unit];
      if (rate != null) lines.push(`rate ${rate.toFixed(3)} bits${rate > 0.1 ? '' : ' (collapsed to the prior)'}`);
      const sigma = snapshot?.sigma_dims?.[unit];
      if (sigma != null) lines.push(`mean σ ${sigma.toFixed(3)}`);
    } else if (column.kind === 'output' && report) {
      if (report.izy_bits != null) lines.push(`I(Z;Y) ≥ ${report.izy_bits.toFixed(3)} bits; test accuracy ${(100 * (report.test_acc ?? 0)).toFixed(1)} %`);
      if (report.distortion_bits != null) lines.push(`distortion ${report.distortion_bits.toFixed(2)} bits`);
    }
    return lines;
  }
}

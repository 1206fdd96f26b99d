// The information plane: every hidden layer's (I(X;T), I(T;Y)) trajectory
// in bits, coloured from early (purple) to late (dark orange) on a labelled
// scale, and Z, the code the model transmits (pairwise-KL estimate of the
// noisy posteriors), drawn as the bottleneck point. The deterministic mean
// μ is labelled as what it is. Reference lines: H(Y), and log2 N, where a
// layer whose every pattern has its own bin sits (saturated: the estimator
// cannot see compression there).
import { line } from 'd3-shape';
import { frame, timeColour, expectArray, legend, legendFontSize } from '../plot.js';
import { placeLabels } from './labels.js';
import { layerShort as shortName } from '../facts.js';

export class InfoPlaneView {
  constructor(svg, caption) {
    this.svg = svg;
    // The caption: a short lead always shown (the axes, and what needs a
    // warning now); what every mark means folds under it, kept open or
    // closed across the redraws of every report.
    this.lead = document.createElement('span');
    this.more = document.createElement('details');
    this.more.className = 'view-more';
    const summary = document.createElement('summary');
    summary.textContent = 'What the marks mean';
    this.rest = document.createElement('span');
    this.more.append(summary, this.rest);
    caption.replaceChildren(this.lead, this.more);
  }

  /** Sets the caption's lead and its folded rest (hidden when empty). */
  note(lead, rest = '') {
    this.lead.textContent = lead;
    this.rest.textContent = rest;
    this.more.hidden = rest === '';
  }

  /**
   * @param {Array<object>} history reports; those with `layers` are drawn
   * @param {{hx_bits: number, hy_bits: number}} info
   */
  update(history, info, { pins = [] } = {}) {
    expectArray(history, 'information plane: report history');
    const points = history.filter((r) => Array.isArray(r.layers));
    const hx = info?.hx_bits ?? 1;
    const hy = info?.hy_bits ?? 1;
    const f = frame(this.svg, { x: [0, hx * 1.05], y: [0, hy * 1.15], xLabel: 'I(X;T) bits', yLabel: 'I(T;Y) bits', height: 250, total: 285 });
    this.references(f, hx, hy);
    if (!points.length) {
      const measuring = history.length === 0;
      f.g.append('text').attr('class', 'legend').attr('x', f.width / 2).attr('y', f.height / 2).attr('text-anchor', 'middle')
        .text(measuring ? 'measuring…' : 'not measured: tick “Information plane” in the controls');
      this.note('');
      return;
    }
    const pinEnds = pins.map((pin) => this.pinned(f, pin, pin.number)).filter(Boolean);
    const first = points[0].step;
    const last = Math.max(first + 1, points[points.length - 1].step);
    const names = points[points.length - 1].layers.map((l) => l.layer);
    const ends = [];
    names.forEach((name) => {
      const trajectory = points.map((r) => ({ step: r.step, ...r.layers.find((l) => l.layer === name) })).filter((p) => p.layer);
      ends.push(this.trajectory(f, trajectory, (p) => (p.step - first) / (last - first)));
    });
    const crosses = this.binnedBeside(f, points[points.length - 1].layers);
    this.label(f, [...ends, ...crosses, ...pinEnds], hx, hy);
    this.scale(f, first, last, pins, crosses.length > 0);
    this.describe(points, info, pinEnds.length > 0);
  }

  /** The layers' and pins' names beside their end points, clear of one
   * another, of every point drawn (a label on a trajectory's dots hides
   * them) and of the reference lines' texts. */
  label(f, ends, hx, hy) {
    // Sizes follow the legend's font (10 px, 11 on a phone).
    const scale = legendFontSize(f.g) / 10;
    const dots = f.g.selectAll('circle.plane-point').nodes().map((c) => {
      const [x, y, r] = ['cx', 'cy', 'r'].map((a) => Number(c.getAttribute(a)));
      return { x: x - r, y: y - r, width: 2 * r, height: 2 * r };
    });
    const avoid = [
      { x: 0, y: f.y(hy) + 2, width: 90 * scale, height: 12 * scale },
      { x: f.x(hx) - 80 * scale, y: 0, width: 80 * scale, height: 12 * scale },
      ...dots,
    ];
    placeLabels(ends, { width: f.width, height: f.height, avoid, charWidth: 6.2 * scale, lineHeight: 11 * scale }).forEach((l, i) => {
      if (l.leader) {
        // From the point to the nearest edge of its label.
        const clamp = (v, lo, size) => Math.min(Math.max(v, lo), lo + size);
        f.g.append('line').attr('class', 'plane-leader').attr('x1', l.anchor.x).attr('y1', l.anchor.y)
          .attr('x2', clamp(l.anchor.x, l.box.x, l.box.width)).attr('y2', clamp(l.anchor.y, l.box.y, l.box.height))
          .attr('stroke', '#999').attr('stroke-width', 0.8);
      }
      const kind = l.name.startsWith('pin') ? ' pin-label' : ends[i].binned ? ' plane-binned-label' : '';
      f.g.append('text').attr('class', `legend plane-label${kind}`).attr('x', l.x).attr('y', l.y).text(l.name);
    });
  }

  references(f, hx, hy) {
    f.g.append('line').attr('class', 'reference').attr('x1', 0).attr('x2', f.width).attr('y1', f.y(hy)).attr('y2', f.y(hy));
    f.g.append('line').attr('class', 'reference').attr('x1', f.x(hx)).attr('x2', f.x(hx)).attr('y1', 0).attr('y2', f.height);
    f.g.append('text').attr('class', 'legend').attr('x', 4).attr('y', f.y(hy) + 12).text(`H(Y) = ${hy.toFixed(2)} bits`);
    f.g.append('text').attr('class', 'legend').attr('x', f.x(hx) - 4).attr('y', 10).attr('text-anchor', 'end').text(`log2 N = ${hx.toFixed(1)}`);
  }

  /** A pinned run's trajectories, dashed in its colour; returns its Z end
   * to be labelled with its number (or null). */
  pinned(f, pin, number) {
    const reports = pin.history.filter((r) => Array.isArray(r.layers));
    if (!reports.length) return null;
    const path = line().x((p) => f.x(p.ixt_bits)).y((p) => f.y(p.ity_bits));
    for (const layer of reports[reports.length - 1].layers) {
      const trajectory = reports.map((r) => r.layers.find((l) => l.layer === layer.layer)).filter(Boolean);
      f.g.append('path').attr('class', 'plane-pinned').attr('d', path(trajectory)).attr('fill', 'none')
        .attr('stroke', pin.colour).attr('stroke-opacity', 0.7).attr('stroke-dasharray', '4 2');
    }
    const z = reports[reports.length - 1].layers.find((l) => l.layer === 'Z');
    if (z) {
      f.g.append('rect').attr('x', f.x(z.ixt_bits) - 4).attr('y', f.y(z.ity_bits) - 4).attr('width', 8).attr('height', 8)
        .attr('fill', 'none').attr('stroke', pin.colour).attr('stroke-width', 1.5);
      return { x: f.x(z.ixt_bits), y: f.y(z.ity_bits), name: `pin ${number}` };
    }
    return null;
  }

  /** One layer's path and points; returns where its label goes. */
  trajectory(f, trajectory, progress) {
    const end = trajectory[trajectory.length - 1];
    const code = end.layer === 'Z';
    const path = line().x((p) => f.x(p.ixt_bits)).y((p) => f.y(p.ity_bits));
    f.g.append('path').attr('d', path(trajectory)).attr('fill', 'none').attr('stroke', code ? '#555' : '#aaa').attr('stroke-width', code ? 1.4 : 0.8);
    f.g.selectAll(null).data(trajectory).join('circle')
      .attr('class', (p, i) => `${code ? 'plane-point plane-code' : 'plane-point'}${i === trajectory.length - 1 ? ' plane-end' : ''}`)
      .attr('cx', (p) => f.x(p.ixt_bits)).attr('cy', (p) => f.y(p.ity_bits))
      .attr('r', code ? 3.5 : 2.5)
      .attr('fill', (p) => (p.saturated ? 'none' : timeColour(progress(p))))
      .attr('stroke', (p) => (p.saturated || code ? timeColour(progress(p)) : 'none'))
      .attr('stroke-width', 1.2)
      .append('title').text((p) => `${shortName(p.layer)} (${p.layer}) at step ${p.step}: I(X;T) ${p.ixt_bits.toFixed(3)} bits, I(T;Y) ${p.ity_bits.toFixed(3)} bits${p.saturated ? ' (saturated)' : ''}`);
    if (code) {
      f.g.append('rect').attr('class', 'plane-bottleneck')
        .attr('x', f.x(end.ixt_bits) - 5).attr('y', f.y(end.ity_bits) - 5).attr('width', 10).attr('height', 10)
        .attr('fill', 'none').attr('stroke', '#111').attr('stroke-width', 1.5);
    }
    return { x: f.x(end.ixt_bits), y: f.y(end.ity_bits), name: shortName(end.layer) };
  }

  /** With `estimator=exact`: each layer's binning estimate now, a cross
   * joined to its exact point by a dotted line (the two planes side by
   * side). Returns the crosses, to be labelled. */
  binnedBeside(f, layers) {
    const beside = layers.filter((l) => Number.isFinite(l.binned_ixt_bits));
    for (const l of beside) {
      const [x, y, bx, by] = [f.x(l.ixt_bits), f.y(l.ity_bits), f.x(l.binned_ixt_bits), f.y(l.binned_ity_bits)];
      f.g.append('line').attr('class', 'plane-binned-link').attr('x1', x).attr('y1', y).attr('x2', bx).attr('y2', by)
        .attr('stroke', '#777').attr('stroke-dasharray', '2 2');
      f.g.append('path').attr('class', 'plane-binned').attr('d', `M${bx - 4},${by - 4}L${bx + 4},${by + 4}M${bx - 4},${by + 4}L${bx + 4},${by - 4}`)
        .attr('stroke', '#333').attr('stroke-width', 1.5)
        .append('title').text(`${shortName(l.layer)} binned: I(X;T) ${l.binned_ixt_bits.toFixed(3)} bits, I(T;Y) ${l.binned_ity_bits.toFixed(3)} bits (exact: ${l.ixt_bits.toFixed(3)}, ${l.ity_bits.toFixed(3)})`);
    }
    return beside.map((l) => ({ x: f.x(l.binned_ixt_bits), y: f.y(l.binned_ity_bits), name: shortName(l.layer), binned: true }));
  }

  /** The colour scale of the steps and the marks' meaning. */
  scale(f, first, last, pins, binned = false) {
    const y = f.height + 46;
    const stops = 24;
    for (let i = 0; i < stops; i += 1) {
      f.g.append('rect').attr('x', i * 4).attr('y', y - 8).attr('width', 4).attr('height', 8).attr('fill', timeColour(i / (stops - 1)));
    }
    f.g.append('text').attr('class', 'legend').attr('x', stops * 4 + 4).attr('y', y).text(`step ${first} → ${last}`);
    const marks = [
      { label: 'Z: the code', colour: '#111', mark: 'outline' },
      { label: 'hollow circle: saturated', colour: '#555', mark: 'ring' },
      ...(binned ? [{ label: 'the same layer binned (dotted: to its exact point)', colour: '#333', mark: 'cross' }] : []),
      ...pins.map((p) => ({ label: `pin ${p.number}: ${p.label}`, colour: p.colour, mark: 'outline' })),
    ];
    legend(f.g, marks, { x: 0, y: y + 15, width: f.width });
  }

  /** The caption under the plot: what the axes, μ, Z, the paths (the
   * pinned runs' too) and the dashed lines are, which layers saturate, and
   * why an untrained layer can already sit at H(Y). */
  describe(points, info, pinned = false) {
    const report = points[points.length - 1];
    const layers = report.layers;
    const saturated = layers.filter((l) => l.saturated).map((l) => shortName(l.layer));
    const estimator = layers[0]?.estimator ?? 'binning';
    const n = info ? Math.round(2 ** info.hx_bits) : 'N';
    const lead = ['Right: bits a layer keeps about the input X; up: bits about the label Y. Each layer’s dots are its path over training, coloured by step.'];
    const parts = [
      `T1, T2…: the hidden layers (${{ binning: `binned, ${n.toLocaleString('en')} training points`, kde: 'KDE', exact: `quantized, counted exactly over ${n.toLocaleString('en')} training points; each cross is the same layer binned, its dotted line the gap between the two` }[estimator] ?? estimator}). Z: the noisy code the decoder receives, placed by the pairwise-KL mixture estimate of I(X;Z) and I(Z;Y). That estimate and the rate are both upper bounds on I(X;Z), the rate loose enough to pass log2 N, and in a trained model the estimate is usually the tighter; the readout's I(Z;Y) is another quantity, a lower bound from the decoder. The layers and Z are read by different estimators, so Z can sit right of the last hidden layer although the true I(X;Z) cannot exceed that layer's. μ: the code's mean without its noise, measured like a hidden layer: not what the decoder receives. A grey line joins each layer's dots; the scale under the plot gives the steps' colours.`,
    ];
    if (pinned) parts.push('Dashed paths in a pin’s colour: the pinned runs, their code Z an outlined square.');
    if (info) parts.push(`Dashed lines: log2 N = ${info.hx_bits.toFixed(1)} bits, the most a layer can keep about X (each of the N = ${n.toLocaleString('en')} training points told apart), and H(Y) = ${info.hy_bits.toFixed(2)} bits, all there is to know about the label.`);
    const first = points[0].layers.filter((l) => l.layer.startsWith('encoder') && l.ity_bits > 0.95 * (info?.hy_bits ?? 1));
    if (estimator === 'binning' && first.length) {
      lead.push(`Even untrained, a wide layer puts nearly every point in a bin of its own (near log2 N), so binning already shows I(T;Y) ≈ H(Y): that says the layer's codes are all different, not that it has learned the label.`);
    }
    if (saturated.length && estimator === 'exact') {
      lead.push(`Hollow circles: ${saturated.join(', ')} ${saturated.length === 1 ? 'keeps' : 'keep'} within 0.05 bits of log2 N: counted exactly, nearly every input has a code of its own there. That is the truth of this network, not an estimator's limit.`);
    } else if (saturated.length) {
      const remedy = estimator === 'kde' ? 'the kernel is narrower than the gaps between the codes' : 'try fewer bins';
      lead.push(`Saturated (hollow circles): ${saturated.join(', ')} ${saturated.length === 1 ? 'sits' : 'sit'} within 0.05 bits of log2 N, so the estimator cannot see compression there; ${remedy}.`);
    }
    this.note(lead.join(' '), parts.join(' '));
  }
}

// Training curves against the step, in panels that each keep their series
// readable: the information quantities in bits (the loss, the rate, and
// the I(Z;Y) bound or, for the VAE, the distortion), split into separate
// panels when their ranges differ by more than 20x, and the accuracies on
// their own 0-100 % axis. Every series has its colour in the legend.
// Dashed verticals mark the steps where the visitor changed β; pinned runs are
// drawn dashed, each in its colour with a legend entry, over the current
// run's steps (the axis follows the run on screen, not the longest pin);
// hovering a panel shows the values at that step.
import { line } from 'd3-shape';
import { frame, expectArray, legend } from '../plot.js';
import * as tooltip from '../tooltip.js';

/** Series whose largest values differ by more than this share no panel. */
export const SPLIT_RATIO = 20;
const PANEL_HEIGHT = 150;
const PANEL_WIDTH = 340;
/** Room below a panel for a legend of one row, and each further row. */
const LEGEND_ROOM = 16;
const LEGEND_ROW = 13;

const LABEL_BITS = [
  { key: 'loss', label: 'loss', colour: '#333333' },
  { key: 'rate_bits', label: 'rate', colour: '#d62728' },
  { key: 'izy_bits', label: 'I(Z;Y) bound', colour: '#1f77b4' },
];
const VAE_BITS = [
  { key: 'loss', label: 'loss', colour: '#333333' },
  { key: 'rate_bits', label: 'rate', colour: '#d62728' },
  { key: 'distortion_bits', label: 'distortion', colour: '#7b3294' },
];
const ACCURACY = [
  { key: 'train_acc', label: 'train accuracy', colour: '#2ca02c', scale: 100 },
  { key: 'test_acc', label: 'test accuracy', colour: '#9467bd', scale: 100 },
];

/** Largest magnitude of a series over the history (0 when it has none). */
function magnitude(history, key) {
  return Math.max(0, ...history.map((r) => r[key]).filter(Number.isFinite).map(Math.abs));
}

/**
 * Groups series so that within a panel no series' largest value is more
 * than SPLIT_RATIO times smaller than the panel's largest.
 */
export function panels(series, history) {
  const sized = series
    .map((s) => ({ ...s, size: magnitude(history, s.key) }))
    .filter((s) => history.some((r) => Number.isFinite(r[s.key])))
    .sort((a, b) => b.size - a.size);
  const groups = [];
  for (const s of sized) {
    const group = groups.find((g) => s.size * SPLIT_RATIO >= g[0].size);
    if (group) group.push(s);
    else groups.push([s]);
  }
  return groups;
}

export class CurvesView {
  constructor(svg) {
    this.svg = svg;
  }

  /**
   * @param {Array<object>} history reports in step order
   * @param {{pins?: Array<{history: object[], label: string, colour: string, number: number}>, marks?: Array<{step: number, beta: number}>}} options
   *   pinned runs, and the steps where the visitor changed β
   */
  update(history, info, { pins = [], marks = [] } = {}) {
    expectArray(history, 'curves: report history');
    this.pins = pins;
    this.marks = marks;
    const bits = info?.objective === 'vae' ? VAE_BITS : LABEL_BITS;
    const groups = panels(bits, history).map((g) => ({ series: g, unit: 'bits' }));
    if (info?.objective !== 'vae' && history.some((r) => Number.isFinite(r.test_acc))) {
      groups.push({ series: ACCURACY, unit: '%', domain: [0, 100] });
    }
    if (!groups.length) groups.push({ series: [], unit: 'bits' });
    const maxStep = Math.max(1, ...history.map((r) => r.step));
    // Each panel starts below the one above and its legend, however many
    // rows that legend took (a pinned run's label can wrap).
    let top = 0;
    groups.forEach((group, i) => {
      const rows = this.panel(group, history, maxStep, { top, total: top + PANEL_HEIGHT + LEGEND_ROOM, clear: i === 0 });
      top += PANEL_HEIGHT + LEGEND_ROOM + LEGEND_ROW * (rows - 1);
    });
    this.svg.setAttribute('viewBox', `0 0 ${PANEL_WIDTH} ${top}`);
  }

  panel({ series, unit, domain }, history, maxStep, place) {
    const within = (runHistory) => runHistory.filter((r) => r.step <= maxStep);
    const runs = [history, ...this.pins.map((p) => within(p.history))];
    const values = runs.flat().flatMap((r) => series.map((s) => (s.scale ?? 1) * r[s.key]).filter(Number.isFinite));
    const yDomain = domain ?? [Math.min(0, ...values), Math.max(1e-3, ...values)];
    const f = frame(this.svg, {
      x: [0, maxStep], y: yDomain, xLabel: 'step', yLabel: unit, height: PANEL_HEIGHT, ...place,
    });
    f.g.attr('class', 'curves-panel');
    const inside = (v) => Math.min(f.height, Math.max(0, v));
    for (const pin of this.pins) {
      for (const s of series) {
        const points = within(pin.history).filter((r) => Number.isFinite(r[s.key]));
        if (!points.length) continue;
        const path = line().x((r) => f.x(r.step)).y((r) => inside(f.y((s.scale ?? 1) * r[s.key])));
        f.g.append('path').attr('class', 'curve-pinned').attr('d', path(points)).attr('fill', 'none')
          .attr('stroke', pin.colour).attr('stroke-opacity', 0.8).attr('stroke-width', 1.3).attr('stroke-dasharray', '4 2')
          .append('title').text(`pinned run ${pin.label}: ${s.label}`);
      }
    }
    for (const change of this.marks) {
      f.g.append('line').attr('class', 'beta-change').attr('x1', f.x(change.step)).attr('x2', f.x(change.step))
        .attr('y1', 0).attr('y2', f.height).attr('stroke', '#555').attr('stroke-dasharray', '2 3')
        .append('title').text(`β changed to ${change.beta} at step ${change.step}`);
    }
    for (const s of series) {
      const points = history.filter((r) => Number.isFinite(r[s.key]));
      if (!points.length) continue;
      const path = line().x((r) => f.x(r.step)).y((r) => f.y((s.scale ?? 1) * r[s.key]));
      f.g.append('path').attr('class', 'curve').attr('data-series', s.key).attr('d', path(points))
        .attr('fill', 'none').attr('stroke', s.colour).attr('stroke-width', 1.6);
    }
    // Before the first step the panels are empty axes: say what fills them.
    if (place.clear && !history.some((r) => r.step > 0)) {
      f.g.append('text').attr('class', 'empty-note').attr('data-testid', 'curves-empty')
        .attr('x', f.width / 2).attr('y', f.height / 2).attr('text-anchor', 'middle')
        .text('Press Play: the curves draw as the run trains');
    }
    this.hover(f, series, history);
    const shown = series.filter((s) => history.some((r) => Number.isFinite(r[s.key])));
    // Each pin's entry names the quantities it draws dashed in this panel.
    for (const p of this.pins) {
      const drawn = series.filter((s) => within(p.history).some((r) => Number.isFinite(r[s.key]))).map((s) => s.label);
      if (drawn.length) shown.push({ label: `pin ${p.number} (dashed ${drawn.join(', ')}): ${p.label}`, colour: p.colour });
    }
    const height = legend(f.g, shown.map((s) => ({ label: s.label, colour: s.colour })), { x: 0, y: f.height + 38 + 10, width: f.width });
    return Math.round(height / LEGEND_ROW);
  }

  /** A transparent layer over the panel: the values at the nearest step. */
  hover(f, series, history) {
    if (!history.length) return;
    const rule = f.g.append('line').attr('class', 'hover-rule').attr('y1', 0).attr('y2', f.height).attr('stroke', '#999').attr('visibility', 'hidden');
    f.g.append('rect').attr('class', 'hover-area').attr('width', f.width).attr('height', f.height).attr('fill', 'transparent')
      .on('mousemove', (event) => {
        const [mx] = pointerIn(event, f.g.node());
        const step = f.x.invert(mx);
        const r = history.reduce((best, q) => (Math.abs(q.step - step) < Math.abs(best.step - step) ? q : best), history[0]);
        rule.attr('x1', f.x(r.step)).attr('x2', f.x(r.step)).attr('visibility', 'visible');
        const value = (s, q) => `${((s.scale ?? 1) * q[s.key]).toPrecision(4)}${s.scale ? ' %' : ' bits'}`;
        const lines = [`step ${r.step}`, ...series.filter((s) => Number.isFinite(r[s.key])).map((s) => `${s.label}: ${value(s, r)}`)];
        // The pinned runs' values at the same step, named by quantity.
        for (const p of this.pins) {
          const q = p.history.find((x) => x.step === r.step);
          if (q) lines.push(...series.filter((s) => Number.isFinite(q[s.key])).map((s) => `pin ${p.number} ${s.label}: ${value(s, q)}`));
        }
        tooltip.show(lines, ...tooltip.at(event));
      })
      .on('mouseleave', () => {
        rule.attr('visibility', 'hidden');
        tooltip.hide();
      });
  }
}

/** Pointer coordinates in the user space of `node`. */
function pointerIn(event, node) {
  const point = node.ownerSVGElement.createSVGPoint();
  point.x = event.clientX;
  point.y = event.clientY;
  const local = point.matrixTransform(node.getScreenCTM().inverse());
  return [local.x, local.y];
}

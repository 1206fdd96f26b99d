// Shared plotting helpers over d3: sized SVG frames with labelled axes, and
// the class colours. Views pass plain arrays and get an error naming the
// shape they expected when they pass something else.
import { select } from 'd3-selection';
import { axisBottom, axisLeft } from 'd3-axis';
import { scaleLinear } from 'd3-scale';

export const CLASS_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export function classColour(c) {
  return CLASS_COLOURS[c % CLASS_COLOURS.length];
}

/** Colour of progress t in [0, 1]: early steps purple, late steps yellow. */
export function timeColour(t) {
  const u = Math.min(Math.max(t, 0), 1);
  return `hsl(${270 - 210 * u}, 70%, ${35 + 20 * u}%)`;
}

/** Throws unless `value` is an array (of `length` when given). */
export function expectArray(value, what, length) {
  if (!Array.isArray(value) || (length !== undefined && value.length !== length)) {
    throw new Error(`${what}: expected an array${length !== undefined ? ` of ${length}` : ''}, got ${JSON.stringify(value)?.slice(0, 60)}`);
  }
}

/**
 * Clears `svg` and draws axes; returns {g, x, y, width, height}.
 * @param {SVGSVGElement} svg
 */
export function frame(svg, { x: xDomain, y: yDomain, xLabel, yLabel, width = 340, height = 220 }) {
  const margin = { top: 10, right: 12, bottom: 38, left: 48 };
  const root = select(svg).attr('viewBox', `0 0 ${width} ${height}`);
  root.selectAll('*').remove();
  const inner = { width: width - margin.left - margin.right, height: height - margin.top - margin.bottom };
  const x = scaleLinear().domain(xDomain).nice().range([0, inner.width]);
  const y = scaleLinear().domain(yDomain).nice().range([inner.height, 0]);
  const g = root.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
  g.append('g').attr('transform', `translate(0,${inner.height})`).call(axisBottom(x).ticks(5));
  g.append('g').call(axisLeft(y).ticks(5));
  g.append('text').attr('class', 'axis-label').attr('x', inner.width / 2).attr('y', inner.height + 32).attr('text-anchor', 'middle').text(xLabel);
  g.append('text').attr('class', 'axis-label').attr('transform', 'rotate(-90)').attr('x', -inner.height / 2).attr('y', -36).attr('text-anchor', 'middle').text(yLabel);
  return { g, x, y, ...inner };
}

/** Formats a number with its unit: 3 significant digits. */
export function fmt(value, unit = '') {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return `${Number(value).toPrecision(3)}${unit ? ` ${unit}` : ''}`;
}

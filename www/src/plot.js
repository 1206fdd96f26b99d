// Shared plotting helpers over d3: sized SVG frames with labelled axes, the
// class colours, the time colour scale, and legends with swatches. Views
// pass plain arrays and get an error naming the shape they expected when
// they pass something else. Every colour here keeps at least 3:1 contrast
// on the white plot background (text is dark, never coloured).
import { select } from 'd3-selection';
import { axisBottom, axisLeft } from 'd3-axis';
import { scaleLinear } from 'd3-scale';
import { format } from 'd3-format';

export const CLASS_COLOURS = ['#1f77b4', '#d95f02', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e7298a', '#666666', '#7a7a00', '#1b9e9e'];

export function classColour(c) {
  return CLASS_COLOURS[c % CLASS_COLOURS.length];
}

/** Colour of progress t in [0, 1]: early steps purple, late steps dark
 * orange; every shade at least 3:1 against white. */
export function timeColour(t) {
  const u = Math.min(Math.max(t, 0), 1);
  return `hsl(${275 - 245 * u}, 75%, ${38 - 6 * u}%)`;
}

/** Throws unless `value` is an array (of `length` when given). */
export function expectArray(value, what, length) {
  if (!Array.isArray(value) || (length !== undefined && value.length !== length)) {
    throw new Error(`${what}: expected an array${length !== undefined ? ` of ${length}` : ''}, got ${JSON.stringify(value)?.slice(0, 60)}`);
  }
}

/** Short tick labels: 12k, 1.5M, 0.25. */
export const tickFormat = (v) => (Math.abs(v) >= 1000 ? format('.3~s')(v) : format('.3~g')(v));

/**
 * Draws axes in `g` (or clears `svg` first); returns {g, x, y, width, height}.
 * `top` offsets a panel within a taller SVG; `y` may be a ready scale.
 * @param {SVGSVGElement} svg
 */
export function frame(svg, { x: xDomain, y: yDomain, xLabel, yLabel, width = 340, height = 220, top = 0, clear = true, total = height, yScale = null, yFormat = tickFormat }) {
  const margin = { top: 10, right: 18, bottom: 38, left: 50 };
  const root = select(svg).attr('viewBox', `0 0 ${width} ${total}`);
  if (clear) root.selectAll('*').remove();
  const inner = { width: width - margin.left - margin.right, height: height - margin.top - margin.bottom };
  const x = scaleLinear().domain(xDomain).nice().range([0, inner.width]);
  const y = (yScale ?? scaleLinear().domain(yDomain).nice()).range([inner.height, 0]);
  const g = root.append('g').attr('transform', `translate(${margin.left},${margin.top + top})`);
  g.append('g').attr('class', 'axis').attr('transform', `translate(0,${inner.height})`).call(axisBottom(x).ticks(4).tickFormat(tickFormat));
  g.append('g').attr('class', 'axis').call(axisLeft(y).ticks(4).tickFormat(yFormat));
  g.append('text').attr('class', 'axis-label').attr('x', inner.width / 2).attr('y', inner.height + 32).attr('text-anchor', 'middle').text(xLabel);
  g.append('text').attr('class', 'axis-label').attr('transform', 'rotate(-90)').attr('x', -inner.height / 2).attr('y', -38).attr('text-anchor', 'middle').text(yLabel);
  return { g, x, y, ...inner };
}

/**
 * A legend of swatches (line, dot, ring, filled or outlined square, cross)
 * with dark text, in a row from
 * (x, y), wrapping within `width`.
 * @param {Array<{label: string, colour: string, mark?: 'line'|'dot'|'ring'|'square'|'outline'|'cross'}>} items
 */
export function legend(g, items, { x = 0, y = 0, width = 270 } = {}) {
  let cx = x;
  let cy = y;
  const group = g.append('g').attr('class', 'legend-group');
  // Widths and rows follow the legend's font (larger on a phone).
  const font = legendFontSize(group);
  const row = Math.round(1.3 * font);
  const widthOf = textWidths(group, font);
  for (const item of items) {
    // Wrapped at the label's own mean character width, laid out at the
    // rows' measured widths, 10 px apart (an estimate let labels touch).
    const char = widthOf(item.label) / Math.max(1, item.label.length);
    const lines = wrapLabel(item.label, Math.floor((width - 25) / char));
    const w = 25 + Math.max(...lines.map(widthOf));
    if (cx + w > x + width && cx > x) {
      cx = x;
      cy += row;
    }
    const mark = item.mark ?? 'line';
    if (mark === 'line') group.append('line').attr('x1', cx).attr('x2', cx + 12).attr('y1', cy - 3).attr('y2', cy - 3).attr('stroke', item.colour).attr('stroke-width', 2.5);
    else if (mark === 'square') group.append('rect').attr('x', cx + 2).attr('y', cy - 8).attr('width', 9).attr('height', 9).attr('fill', item.colour);
    else if (mark === 'outline') group.append('rect').attr('x', cx + 2.5).attr('y', cy - 7.5).attr('width', 8).attr('height', 8).attr('fill', 'none').attr('stroke', item.colour).attr('stroke-width', 1.5);
    else if (mark === 'cross') group.append('path').attr('d', `M${cx + 2},${cy - 7}l8,8m-8,0l8,-8`).attr('stroke', item.colour).attr('stroke-width', 1.5);
    else group.append('circle').attr('cx', cx + 6).attr('cy', cy - 3).attr('r', 4).attr('fill', mark === 'ring' ? 'none' : item.colour).attr('stroke', item.colour).attr('stroke-width', 1.5);
    const text = group.append('text').attr('class', 'legend').attr('x', cx + 15).attr('y', cy);
    if (lines.length === 1) text.text(item.label);
    // (Each row but the last keeps its space: the text reads as one label.)
    else lines.forEach((l, i) => text.append('tspan').attr('x', cx + 15).attr('dy', i ? row : 0).text(i < lines.length - 1 ? `${l} ` : l));
    cx += w;
    // A label that took more than one row ends its row.
    if (lines.length > 1) {
      cy += row * lines.length;
      cx = x;
    }
  }
  widthOf.done();
  fitHeight(group.node());
  return cy - y + row;
}

/** A measure of text widths in px in the legend's font, inside `group`:
 * the rendered length where the page lays text out, else 0.55 em a
 * character. `done()` removes its probe. */
function textWidths(group, font) {
  const probe = group.append('text').attr('class', 'legend').attr('visibility', 'hidden');
  const node = probe.node();
  const widthOf = (text) => {
    probe.text(text);
    const measured = typeof node.getComputedTextLength === 'function' ? node.getComputedTextLength() : 0;
    return measured > 0 ? measured : 0.55 * font * text.length;
  };
  widthOf.done = () => probe.remove();
  return widthOf;
}

/** The font size in px of a `.legend` text inside `g` (the stylesheet
 * sets it: 10 px, 11 on a phone); 10 where nothing is rendered. */
export function legendFontSize(g) {
  const probe = g.append('text').attr('class', 'legend');
  const px = typeof getComputedStyle === 'function' ? Number.parseFloat(getComputedStyle(probe.node()).fontSize) : Number.NaN;
  probe.remove();
  return Number.isFinite(px) && px > 0 ? px : 10;
}

/** `label` in rows of at most `chars` characters, broken at spaces (a
 * single word longer than a row keeps its own row). */
export function wrapLabel(label, chars) {
  const rows = [];
  for (const word of label.split(' ')) {
    const row = rows.at(-1);
    if (row != null && row.length + 1 + word.length <= chars) rows[rows.length - 1] = `${row} ${word}`;
    else rows.push(word);
  }
  return rows;
}

/** Grows the SVG's viewBox downward until `node` fits (a legend that wrapped
 * onto more rows than its frame left room for is not clipped). */
function fitHeight(node) {
  const svg = node?.ownerSVGElement;
  const box = svg?.viewBox?.baseVal;
  if (!box || !svg.getBBox) return;
  // The drawing's extent in the SVG's own units (zero when not rendered).
  const drawn = svg.getBBox();
  const bottom = drawn.y + drawn.height;
  if (drawn.height && bottom + 4 > box.y + box.height) {
    svg.setAttribute('viewBox', `${box.x} ${box.y} ${box.width} ${Math.ceil(bottom + 4 - box.y)}`);
  }
}

/** Formats a number with its unit: 3 significant digits. */
export function fmt(value, unit = '') {
  if (value === null || value === undefined || !Number.isFinite(Number(value))) return '–';
  return `${Number(value).toPrecision(3)}${unit ? ` ${unit}` : ''}`;
}

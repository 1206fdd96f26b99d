// The exact IB in the page (`?lesson=ib-curve`): p(x, y) as CSV text (rows
// x, columns y), solved in the worker by the same Rust solver as
// `ibp ib-curve`, drawn as the hull with the H(X) and I(X;Y) lines and β on
// hover, and the encoder p(t|x) along β, which shows the clusters of x
// splitting at the critical β.
import { select } from 'd3-selection';
import { line } from 'd3-shape';
import { frame } from './plot.js';

/** Tables to start from. */
export const PRESETS = {
  'Doubly symmetric binary source, p = 0.1': '0.45,0.05\n0.05,0.45\n',
  '3x3 example (uniform over 00, 02, 12, 21, 22)': '0.2,0,0.2\n0,0,0.2\n0,0.2,0.2\n',
  'Noisy channel: 4 inputs, 2 outputs': '0.22,0.03\n0.2,0.05\n0.05,0.2\n0.03,0.22\n',
};

function element(tag, props = {}, text = null) {
  const node = Object.assign(document.createElement(tag), props);
  if (text !== null) node.textContent = text;
  return node;
}

/**
 * Builds the panel in `parent`; `solve(text)` asks the worker. Returns
 * {show(result), error(message), result()}.
 */
export function mountExact(parent, solve) {
  const panel = element('div', { className: 'exact' });
  const presets = element('select', { id: 'pxy-preset' });
  presets.setAttribute('aria-label', 'Preset tables');
  for (const name of Object.keys(PRESETS)) presets.append(element('option', { value: name }, name));
  const text = element('textarea', { id: 'pxy', rows: 5, spellcheck: false });
  text.dataset.testid = 'pxy';
  text.setAttribute('aria-label', 'p(x, y): one row per x, one column per y');
  text.value = Object.values(PRESETS)[0];
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.dataset.testid = 'ib-curve';
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'The exact IB curve: I(X;T) against I(T;Y)');
  const status = element('p', { className: 'view-note' });
  status.dataset.testid = 'ib-status';
  const slider = element('input', { type: 'range', min: '0', max: '0', step: '1', value: '0' });
  slider.setAttribute('aria-label', 'β of the encoder shown');
  slider.dataset.testid = 'ib-beta';
  const play = element('button', { type: 'button' }, 'Animate β');
  const encoder = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  encoder.dataset.testid = 'ib-encoder';
  encoder.setAttribute('role', 'img');
  encoder.setAttribute('aria-label', 'The encoder p(t|x) at the β of the slider: one row per x, one column per cluster t, darker is more probable');
  const label = (name, node) => { const l = element('label', { className: 'exact-field' }); l.append(element('span', {}, name), node); return l; };
  panel.append(label('Preset', presets), label('p(x, y), rows x, columns y', text), svg, status, element('h3', {}, 'The encoder p(t|x) along β'), slider, play, encoder);
  parent.append(panel);

  let current = null;
  let timer = null;
  let typing = null;
  const ask = () => {
    status.textContent = 'solving…';
    solve(text.value);
  };
  presets.addEventListener('change', () => { text.value = PRESETS[presets.value]; ask(); });
  text.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(ask, 400); });
  slider.addEventListener('input', () => drawEncoder(encoder, current, Number(slider.value)));
  play.addEventListener('click', () => {
    if (timer) { clearInterval(timer); timer = null; play.textContent = 'Animate β'; return; }
    play.textContent = 'Stop';
    slider.value = '0';
    timer = setInterval(() => {
      const next = Number(slider.value) + 1;
      if (next > Number(slider.max)) { clearInterval(timer); timer = null; play.textContent = 'Animate β'; return; }
      slider.value = String(next);
      drawEncoder(encoder, current, next);
    }, 80);
  });
  ask();
  return {
    show(result) {
      current = result;
      drawCurve(svg, result);
      slider.max = String(result.solutions.length - 1);
      const firstSplit = result.solutions.findIndex((s) => s.ixt_bits > 1e-6);
      slider.value = String(Math.max(0, firstSplit));
      drawEncoder(encoder, result, Number(slider.value));
      status.textContent = `I(X;Y) = ${result.ixy_bits.toFixed(4)} bits, H(X) = ${result.hx_bits.toFixed(4)} bits; ${result.points.length} points on the hull${firstSplit > 0 ? `; the first non-trivial encoder at β ≈ ${result.solutions[firstSplit].beta.toPrecision(3)}` : ''}. Standard β (not scaled by ln 2).`;
    },
    error(message) {
      status.textContent = message;
    },
    result: () => current && { ixy_bits: current.ixy_bits, hx_bits: current.hx_bits, points: current.points.map((p) => ({ ...p })) },
  };
}

function drawCurve(svg, result) {
  const f = frame(svg, { x: [0, result.hx_bits * 1.05], y: [0, result.ixy_bits * 1.15], xLabel: 'I(X;T) bits', yLabel: 'I(T;Y) bits', height: 240 });
  f.g.append('line').attr('class', 'reference').attr('x1', 0).attr('x2', f.width).attr('y1', f.y(result.ixy_bits)).attr('y2', f.y(result.ixy_bits));
  f.g.append('line').attr('class', 'reference').attr('x1', f.x(result.hx_bits)).attr('x2', f.x(result.hx_bits)).attr('y1', 0).attr('y2', f.height);
  f.g.append('text').attr('class', 'legend').attr('x', 4).attr('y', f.y(result.ixy_bits) - 4).text(`I(X;Y) = ${result.ixy_bits.toFixed(3)} bits`);
  f.g.append('text').attr('class', 'legend').attr('x', f.x(result.hx_bits) - 4).attr('y', f.height - 4).attr('text-anchor', 'end').text(`H(X) = ${result.hx_bits.toFixed(3)}`);
  const path = line().x((p) => f.x(p.ixt_bits)).y((p) => f.y(p.ity_bits));
  f.g.append('path').attr('class', 'ib-hull').attr('d', path(result.points)).attr('fill', 'none').attr('stroke', '#1f4e8c').attr('stroke-width', 2);
  f.g.selectAll(null).data(result.points).join('circle').attr('class', 'ib-point')
    .attr('cx', (p) => f.x(p.ixt_bits)).attr('cy', (p) => f.y(p.ity_bits)).attr('r', 3.5).attr('fill', '#1f4e8c')
    .append('title').text((p) => `${p.beta == null ? 'β → ∞ (T = X)' : `β = ${p.beta.toPrecision(4)}`}: I(X;T) ${p.ixt_bits.toFixed(4)} bits, I(T;Y) ${p.ity_bits.toFixed(4)} bits`);
}

/** p(t|x) at solution `index`: rows x, columns the clusters t in use. */
function drawEncoder(svg, result, index) {
  const root = select(svg);
  root.selectAll('*').remove();
  const s = result?.solutions?.[index];
  if (!s) return;
  const used = s.encoder[0].map((_, t) => t).filter((t) => s.encoder.some((row) => row[t] > 1e-3));
  const nx = s.encoder.length;
  const cell = Math.min(28, 260 / Math.max(nx, used.length));
  // Two lines of text above the grid: they fit a phone's width.
  const top = 36;
  const width = Math.max(220, 60 + used.length * cell + 120);
  root.attr('viewBox', `0 0 ${width} ${top + nx * cell + 24}`);
  // Clusters: the x whose encoder rows agree, which T cannot tell apart.
  const rows = new Set(s.encoder.map((row) => used.map((t) => row[t].toFixed(2)).join(',')));
  const clusters = rows.size;
  root.append('text').attr('class', 'legend').attr('x', 0).attr('y', 12).text(`β = ${s.beta.toPrecision(3)}: ${clusters} cluster${clusters === 1 ? '' : 's'} of x`);
  root.append('text').attr('class', 'legend').attr('x', 0).attr('y', 26).text(`I(X;T) ${s.ixt_bits.toFixed(3)}, I(T;Y) ${s.ity_bits.toFixed(3)} bits`);
  s.encoder.forEach((row, x) => {
    root.append('text').attr('class', 'legend').attr('x', 0).attr('y', top + x * cell + cell / 2 + 3).text(`x${x + 1}`);
    used.forEach((t, j) => {
      root.append('rect').attr('x', 40 + j * cell).attr('y', top + x * cell).attr('width', cell - 1).attr('height', cell - 1)
        .attr('fill', `rgba(31, 78, 140, ${row[t]})`).attr('stroke', '#ccd')
        .append('title').text(`p(t${j + 1} | x${x + 1}) = ${row[t].toFixed(3)}`);
    });
  });
  root.append('text').attr('class', 'legend').attr('x', 40).attr('y', top + nx * cell + 14).text('columns: clusters t');
}

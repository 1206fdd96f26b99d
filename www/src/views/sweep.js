// The IB curve panel: the rate (bits kept about the input) against the
// I(Z;Y) bound (bits kept about the label). The current model is a dot
// that moves as it trains and as β changes, with its trail; pinned runs
// keep their last dot, labelled; a β sweep adds its M models, trained in
// the same GPU dispatches, coloured by β; clicking one takes its β. For
// labels that are a function of x the exact IB curve is min(I(X;T), H(Y)),
// drawn dashed.
import { line } from 'd3-shape';
import { betaLabel } from '../describe.js';
import { frame, timeColour, expectArray, legendFontSize } from '../plot.js';

export class SweepView {
  constructor(svg, caption, onPick) {
    this.svg = svg;
    this.caption = caption;
    this.onPick = onPick;
    this.family = [];
  }

  /** A sweep's latest reports (one per replica). */
  setFamily(reports) {
    expectArray(reports, 'sweep: reports');
    this.family = reports;
  }

  /**
   * @param {Array<object>} history the current run's reports
   * @param {{hy_bits: number, name: string}} info
   * @param {{pins?: Array<{history: object[], label: string, colour: string, number: number}>}} options
   */
  update(history, info, { pins = [] } = {}) {
    // Where "this model" goes: placed among the sweep's points when drawn.
    this.current = null;
    const hy = info?.hy_bits ?? 1;
    const current = history.filter((r) => Number.isFinite(r.izy_bits));
    const pinned = pins.map((p) => ({ ...p.history[p.history.length - 1], label: `pin ${p.number}: ${p.label}`, colour: p.colour })).filter((r) => Number.isFinite(r?.izy_bits));
    const all = [...this.family, ...current, ...pinned];
    const right = Math.max(hy * 1.5, ...all.map((r) => r.rate_bits)) * 1.05;
    const bottom = Math.min(0, ...all.map((r) => r.izy_bits));
    const f = frame(this.svg, { x: [0, right], y: [bottom, hy * 1.1], xLabel: 'rate (bits)', yLabel: 'I(Z;Y) bound (bits)' });
    f.g.append('line').attr('class', 'reference').attr('x1', 0).attr('x2', f.width).attr('y1', f.y(hy)).attr('y2', f.y(hy));
    if (info?.name === 'var_u') {
      // Deterministic labels: the exact IB curve is min(I(X;T), H(Y)).
      const exact = line().x((p) => f.x(p[0])).y((p) => f.y(p[1]));
      f.g.append('path').attr('class', 'reference exact-ib').attr('d', exact([[0, 0], [hy, hy], [right, hy]])).attr('fill', 'none');
    }
    this.drawFamily(f, current.at(-1));
    for (const p of pinned) {
      f.g.append('circle').attr('class', 'sweep-pinned').attr('cx', f.x(p.rate_bits)).attr('cy', f.y(p.izy_bits)).attr('r', 4)
        .attr('fill', 'none').attr('stroke', p.colour).attr('stroke-width', 1.5);
      f.g.append('text').attr('class', 'legend pin-label').attr('x', f.x(p.rate_bits)).attr('y', f.y(p.izy_bits) + 14).attr('text-anchor', 'middle').text(p.label);
    }
    this.drawCurrent(f, current);
  }

  drawFamily(f, now) {
    if (!this.family.length) {
      this.caption.textContent = 'The IB curve: this model’s rate against its I(Z;Y) bound';
      return;
    }
    const ordered = this.family.map((r, i) => ({ ...r, i })).sort((a, b) => a.beta - b.beta);
    const curve = line().x((r) => f.x(r.rate_bits)).y((r) => f.y(r.izy_bits ?? 0));
    f.g.append('path').attr('d', curve(ordered)).attr('fill', 'none').attr('stroke', '#999');
    this.labelFamily(f, ordered, now);
    f.g.selectAll(null).data(ordered).join('circle')
      .attr('class', (r) => (now && betaLabel(r.beta) === betaLabel(now.beta) ? 'sweep-point taken' : 'sweep-point'))
      .attr('cx', (r) => f.x(r.rate_bits)).attr('cy', (r) => f.y(r.izy_bits ?? 0)).attr('r', 5)
      .attr('fill', (_, k) => timeColour(k / Math.max(1, ordered.length - 1)))
      .attr('tabindex', 0).attr('role', 'button')
      .attr('aria-label', (r) => `take β = ${betaLabel(r.beta)} (rate ${r.rate_bits.toFixed(2)} bits)`)
      .on('click', (_, r) => this.onPick(r.beta))
      .on('keydown', (event, r) => { if (event.key === 'Enter' || event.key === ' ') this.onPick(r.beta); })
      .append('title').text((r) => `β = ${betaLabel(r.beta)}: rate ${r.rate_bits.toFixed(2)} bits, I(Z;Y) ≥ ${(r.izy_bits ?? 0).toFixed(3)} bits (click to take this β)`);
    const steps = this.family[0]?.step ?? 0;
    this.caption.textContent = `The IB curve: ${this.family.length} models, β = ${betaLabel(ordered[0].beta)} (purple) to ${betaLabel(ordered[ordered.length - 1].beta)} (orange), step ${steps}; click one to take its β`;
  }

  /** Each model's β beside its point, 2 digits (1e-3, 3.7e-2): above or
   * below it, right or left, wherever it overlaps no other label, no point
   * and not "this model"; where none is free the label is left out (the
   * table and the point's title still say it). */
  labelFamily(f, ordered, now) {
    // 0.6 of the font size a character (10 px, 11 on a phone).
    const char = 0.6 * legendFontSize(f.g);
    const box = (x, y, text, anchor) => {
      const width = char * text.length;
      const left = anchor === 'end' ? x - width : x;
      return { left, right: left + width, top: y - 9, bottom: y + 2 };
    };
    const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const taken = ordered.map((r) => ({ left: f.x(r.rate_bits) - 5, right: f.x(r.rate_bits) + 5, top: f.y(r.izy_bits ?? 0) - 5, bottom: f.y(r.izy_bits ?? 0) + 5 }));
    if (now) {
      const [cx, cy] = [f.x(now.rate_bits), f.y(now.izy_bits)];
      this.current = this.currentLabel(f, now, taken);
      taken.push(this.current.box, { left: cx - 5, right: cx + 5, top: cy - 5, bottom: cy + 5 });
    }
    for (const r of ordered) {
      const [px, py] = [f.x(r.rate_bits), f.y(r.izy_bits ?? 0)];
      const text = betaLabel(r.beta);
      const spots = [[7, -7, 'start'], [7, 15, 'start'], [-7, -7, 'end'], [-7, 15, 'end']]
        .map(([dx, dy, anchor]) => ({ x: px + dx, y: py + dy, anchor, box: box(px + dx, py + dy, text, anchor) }))
        .filter((s) => s.box.left >= -4 && s.box.right <= f.width + 4 && s.box.top >= -8);
      const spot = spots.find((s) => !taken.some((t) => overlaps(t, s.box)));
      if (!spot) continue;
      taken.push(spot.box);
      f.g.append('text').attr('class', 'legend sweep-label').attr('pointer-events', 'none')
        .attr('x', spot.x).attr('y', spot.y).attr('text-anchor', spot.anchor).text(text);
    }
  }

  /** Where "this model" is written beside its dot, and the room it takes:
   * above or below, right or left, the first spot clear of `points` (the
   * sweep's), else above and inward. */
  currentLabel(f, now, points = []) {
    const [cx, cy] = [f.x(now.rate_bits), f.y(now.izy_bits)];
    const wide = 6.6 * legendFontSize(f.g);
    const spots = [[7, -7, 'start'], [7, 16, 'start'], [-7, -7, 'end'], [-7, 16, 'end']].map(([dx, dy, anchor]) => {
      const [x, y] = [cx + dx, cy + dy];
      const left = anchor === 'end' ? x - wide : x;
      return { x, y, anchor, box: { left, right: left + wide, top: y - 10, bottom: y + 3 } };
    });
    const inside = spots.filter((s) => s.box.left >= 0 && s.box.right <= f.width && s.box.top >= -8);
    const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    return inside.find((s) => !points.some((p) => overlaps(p, s.box))) ?? inside[0] ?? spots[cx > f.width - 70 ? 2 : 0];
  }

  /** This model: its trail over the last reports and a dot where it is.
   * The sweep's points stay on top and clickable: the trail and the label
   * take no pointer events. */
  drawCurrent(f, current) {
    if (!current.length) return;
    const trail = current.slice(-30);
    const path = line().x((r) => f.x(r.rate_bits)).y((r) => f.y(r.izy_bits));
    f.g.append('path').attr('d', path(trail)).attr('fill', 'none').attr('stroke', '#111').attr('stroke-opacity', 0.35)
      .attr('pointer-events', 'none');
    const now = current[current.length - 1];
    f.g.append('circle').attr('class', 'sweep-current').attr('data-testid', 'ib-current')
      .attr('cx', f.x(now.rate_bits)).attr('cy', f.y(now.izy_bits)).attr('r', 5)
      .attr('fill', '#111')
      .append('title').text(`this model at step ${now.step}, β = ${now.beta}: rate ${now.rate_bits.toFixed(2)} bits, I(Z;Y) ≥ ${now.izy_bits.toFixed(3)} bits`);
    const label = this.current ?? this.currentLabel(f, now);
    f.g.append('text').attr('class', 'legend pin-label').attr('x', label.x).attr('y', label.y)
      .attr('text-anchor', label.anchor).attr('pointer-events', 'none').text('this model');
    f.g.selectAll('.sweep-point').raise();
  }
}

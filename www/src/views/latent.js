// The latent space: means of a sample of test points coloured by class, each
// with its one-sigma ellipse (first two dimensions, or a PCA projection when
// K > 2). Clusters form as the bottleneck distils; as β rises the ellipses
// swell into the prior and the clusters merge. Pinned runs' means are drawn
// faded beneath; hovering a point shows its class and sigma.
import { classColour, expectArray } from '../plot.js';
import * as tooltip from '../tooltip.js';

/** The plot's size in drawing units (the canvas's size in index.html). */
const SIZE = 320;

/** Backing pixels per drawing unit: the device's pixel ratio times how much
 * wider than SIZE the canvas is shown (1 while it is hidden), at most 4. */
function backingScale(canvas) {
  const shown = canvas.getBoundingClientRect().width;
  return Math.min(4, (window.devicePixelRatio || 1) * Math.max(1, shown / SIZE));
}

export class LatentView {
  constructor(canvas, caption, legend) {
    this.canvas = canvas;
    this.caption = caption;
    this.legend = legend;
    this.placed = [];
    canvas.addEventListener('mousemove', (event) => this.hover(event));
    canvas.addEventListener('mouseleave', () => tooltip.hide());
  }

  /**
   * @param {{projection: string, means: number[][], scales: number[][], labels: number[]}} latent
   * @param {{pins?: Array<{snapshot: object, label: string, colour: string, number: number}>, classNames?: string[]}} options
   */
  update(latent, { pins = [], classNames = [] } = {}) {
    expectArray(latent?.means, 'latent: means');
    expectArray(latent.scales, 'latent: scales', latent.means.length);
    expectArray(latent.labels, 'latent: labels', latent.means.length);
    this.caption.textContent = `(${latent.projection})`;
    // Drawn in SIZE x SIZE units on a backing store as fine as the screen's
    // pixels (a phone's 3x, a laptop's wider panel): its text stays sharp.
    const ctx = this.canvas.getContext('2d');
    const fine = backingScale(this.canvas);
    if (this.canvas.width !== Math.round(SIZE * fine)) this.canvas.width = this.canvas.height = Math.round(SIZE * fine);
    ctx.setTransform(fine, 0, 0, fine, 0, 0);
    const [width, height] = [SIZE, SIZE];
    ctx.clearRect(0, 0, width, height);
    const shown = [latent, ...pins.map((p) => p.snapshot?.latent).filter(Boolean)];
    const extent = Math.max(1e-3, ...shown.flatMap((l) => l.means.flatMap(([a, b], i) => [Math.abs(a) + l.scales[i][0], Math.abs(b) + l.scales[i][1]])));
    const scale = (0.45 * Math.min(width, height)) / extent;
    const cx = width / 2;
    const cy = height / 2;
    const place = ([a, b]) => [cx + a * scale, cy - b * scale];
    ctx.strokeStyle = '#ddd';
    ctx.beginPath();
    ctx.moveTo(0, cy); ctx.lineTo(width, cy); ctx.moveTo(cx, 0); ctx.lineTo(cx, height);
    ctx.stroke();
    for (const pin of pins) {
      if (!pin.snapshot?.latent) continue;
      // Each pin's codes: faded squares of their class, outlined in the pin's colour.
      ctx.globalAlpha = 0.35;
      ctx.strokeStyle = pin.colour;
      pin.snapshot.latent.means.forEach((m, i) => {
        ctx.fillStyle = classColour(pin.snapshot.latent.labels[i]);
        const [x, y] = place(m);
        ctx.fillRect(x - 2, y - 2, 4, 4);
        ctx.strokeRect(x - 2.5, y - 2.5, 5, 5);
      });
    }
    this.placed = latent.means.map((m, i) => ({ xy: place(m), label: latent.labels[i], scale: latent.scales[i], mean: m }));
    latent.means.forEach(([a, b], i) => {
      const colour = classColour(latent.labels[i]);
      const [sa, sb] = latent.scales[i];
      const [x, y] = place([a, b]);
      ctx.globalAlpha = 0.12;
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.ellipse(x, y, Math.max(sa * scale, 0.5), Math.max(sb * scale, 0.5), 0, 0, 2 * Math.PI);
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.beginPath();
      ctx.arc(x, y, 2, 0, 2 * Math.PI);
      ctx.fill();
    });
    ctx.fillStyle = '#333';
    ctx.font = '11px sans-serif';
    ctx.fillText(`axes ±${extent.toPrecision(2)}`, 4, 12);
    if (pins.length) ctx.fillText(`outlined squares: ${pins.map((p) => `pin ${p.number}: ${p.label}`).join('; ')}`, 4, height - 6);
    ctx.fillText('ellipses: one σ of noise', width - 130, 12);
    this.classLegend(latent.labels, classNames);
  }

  classLegend(labels, classNames) {
    const classes = [...new Set(labels)].sort((a, b) => a - b);
    this.legend.replaceChildren(...classes.map((c) => {
      const item = document.createElement('span');
      const swatch = document.createElement('i');
      swatch.className = `swatch class-${c % 10}`;
      item.append(swatch, classNames[c] ?? String(c));
      return item;
    }));
  }

  hover(event) {
    const rect = this.canvas.getBoundingClientRect();
    const sx = SIZE / rect.width;
    const x = (event.clientX - rect.left) * sx;
    const y = (event.clientY - rect.top) * sx;
    let best = null;
    for (const p of this.placed) {
      const d = Math.hypot(p.xy[0] - x, p.xy[1] - y);
      if (d < 8 * sx && (!best || d < best.d)) best = { ...p, d };
    }
    if (!best) return tooltip.hide();
    const [s1, s2] = best.scale;
    tooltip.show([`class ${best.label}`, `mean (${best.mean.map((v) => v.toFixed(2)).join(', ')})`, `σ (${s1.toFixed(3)}, ${s2.toFixed(3)})`], ...tooltip.at(event));
  }
}

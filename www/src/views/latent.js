// The latent space: means of a sample of test points coloured by class, each
// with its one-sigma ellipse (first two dimensions, or a PCA projection when
// K > 2). Clusters form as the bottleneck distils.
import { classColour, expectArray } from '../plot.js';

export class LatentView {
  constructor(canvas, caption) {
    this.canvas = canvas;
    this.caption = caption;
  }

  /** @param {{projection: string, means: number[][], scales: number[][], labels: number[]}} latent */
  update(latent) {
    expectArray(latent?.means, 'latent: means');
    expectArray(latent.scales, 'latent: scales', latent.means.length);
    expectArray(latent.labels, 'latent: labels', latent.means.length);
    this.caption.textContent = `(${latent.projection})`;
    const ctx = this.canvas.getContext('2d');
    const { width, height } = this.canvas;
    ctx.clearRect(0, 0, width, height);
    const extent = Math.max(1e-3, ...latent.means.flatMap(([a, b], i) => [Math.abs(a) + latent.scales[i][0], Math.abs(b) + latent.scales[i][1]]));
    const scale = (0.45 * Math.min(width, height)) / extent;
    const cx = width / 2, cy = height / 2;
    ctx.strokeStyle = '#ddd';
    ctx.beginPath();
    ctx.moveTo(0, cy); ctx.lineTo(width, cy); ctx.moveTo(cx, 0); ctx.lineTo(cx, height);
    ctx.stroke();
    latent.means.forEach(([a, b], i) => {
      const colour = classColour(latent.labels[i]);
      const [sa, sb] = latent.scales[i];
      ctx.globalAlpha = 0.12;
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.ellipse(cx + a * scale, cy - b * scale, Math.max(sa * scale, 0.5), Math.max(sb * scale, 0.5), 0, 0, 2 * Math.PI);
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.beginPath();
      ctx.arc(cx + a * scale, cy - b * scale, 2, 0, 2 * Math.PI);
      ctx.fill();
    });
    ctx.fillStyle = '#666';
    ctx.font = '11px sans-serif';
    ctx.fillText(`±${extent.toPrecision(2)}`, 4, 12);
  }
}

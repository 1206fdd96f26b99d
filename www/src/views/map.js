// For 2-D data, the decision map (the predicted class of each cell, shaded by
// its probability) under the training points; for images, a few inputs
// beside their reconstructions (vae) or predicted class probabilities (vib).
import { classColour, expectArray } from '../plot.js';

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export class MapView {
  constructor(canvas, caption) {
    this.canvas = canvas;
    this.caption = caption;
  }

  /** @param {object} snapshot */
  update(snapshot) {
    const ctx = this.canvas.getContext('2d');
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    // The view exists for 2-D data and images only.
    this.canvas.closest('figure').hidden = !snapshot.map && !snapshot.images;
    if (snapshot.map) return this.drawMap(ctx, snapshot.map);
    if (snapshot.images) return this.drawImages(ctx, snapshot.images);
  }

  drawMap(ctx, map) {
    expectArray(map.classes, 'decision map: classes', map.size * map.size);
    this.caption.textContent = 'Decision map and training points';
    const { width, height } = this.canvas;
    const image = ctx.createImageData(map.size, map.size);
    map.classes.forEach((c, i) => {
      const [r, g, b] = hexToRgb(classColour(c));
      const row = map.size - 1 - Math.floor(i / map.size);
      const at = 4 * (row * map.size + (i % map.size));
      image.data.set([r, g, b, Math.round(255 * (map.confidence[i] - 0.4))], at);
    });
    const tile = document.createElement('canvas');
    tile.width = tile.height = map.size;
    tile.getContext('2d').putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(tile, 0, 0, width, height);
    const sx = (v) => ((v - map.x[0]) / (map.x[1] - map.x[0])) * width;
    const sy = (v) => height - ((v - map.y[0]) / (map.y[1] - map.y[0])) * height;
    for (const [x, y, label] of map.points) {
      ctx.fillStyle = classColour(label);
      ctx.strokeStyle = '#fff';
      ctx.beginPath();
      ctx.arc(sx(x), sy(y), 2.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  }

  drawImages(ctx, images) {
    expectArray(images.inputs, 'images: inputs');
    const [rows, cols] = images.side;
    const outputs = images.reconstructions ?? images.probabilities;
    this.caption.textContent = images.reconstructions ? 'Inputs and reconstructions' : 'Inputs and predicted class probabilities';
    const cell = Math.floor(this.canvas.width / 2 / Math.max(rows, cols) / 1.1);
    const gap = Math.floor(this.canvas.height / images.inputs.length);
    images.inputs.forEach((pixels, n) => {
      const top = n * gap;
      drawPixels(ctx, pixels, rows, cols, 0, top, Math.min(cell, gap / rows));
      if (images.reconstructions) {
        drawPixels(ctx, outputs[n], rows, cols, this.canvas.width / 2, top, Math.min(cell, gap / rows));
      } else {
        const probs = outputs[n];
        const bw = (this.canvas.width / 2 - 10) / probs.length;
        probs.forEach((p, c) => {
          ctx.fillStyle = c === images.labels[n] ? '#2ca02c' : '#999';
          ctx.fillRect(this.canvas.width / 2 + c * bw, top + gap * 0.9 * (1 - p), bw - 1, gap * 0.9 * p);
        });
      }
    });
  }
}

function drawPixels(ctx, pixels, rows, cols, left, top, size) {
  pixels.forEach((v, i) => {
    const shade = Math.round(255 * (1 - Math.min(Math.max(v, 0), 1)));
    ctx.fillStyle = `rgb(${shade},${shade},${shade})`;
    ctx.fillRect(left + (i % cols) * size, top + Math.floor(i / cols) * size, Math.ceil(size), Math.ceil(size));
  });
}

// For 2-D data, the decision map (the predicted class of each cell, shaded by
// its probability, with a confidence scale and the axes' ranges) under the
// training points (and, on request, the held-out ones); for images, a few
// inputs beside their reconstructions (vae) or predicted class
// probabilities (vib).
import { classColour, expectArray } from '../plot.js';

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export class MapView {
  constructor(canvas, caption, legend) {
    this.canvas = canvas;
    this.caption = caption;
    this.legend = legend;
  }

  /** @param {object} snapshot  @param {{showTest?: boolean}} options */
  update(snapshot, { showTest = false, classNames = [] } = {}) {
    this.showTest = showTest;
    document.getElementById('map-controls').hidden = !snapshot.map;
    this.classLegend(snapshot.map ? classNames : []);
    const ctx = this.canvas.getContext('2d');
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    // The view exists for 2-D data and images only.
    this.canvas.closest('figure').hidden = !snapshot.map && !snapshot.images;
    if (snapshot.map) return this.drawMap(ctx, snapshot.map);
    if (snapshot.images) return this.drawImages(ctx, snapshot.images);
  }

  drawMap(ctx, map) {
    if (this.canvas.height !== this.canvas.width) this.canvas.height = this.canvas.width;
    expectArray(map.classes, 'decision map: classes', map.size * map.size);
    this.caption.textContent = map.chosen
      ? `Decision map over ${map.axes[0]} and ${map.axes[1]} (${map.chosen})`
      : 'Decision map and training points';
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
    const dots = (points, stroke) => {
      for (const [x, y, label] of points) {
        ctx.fillStyle = classColour(label);
        ctx.strokeStyle = stroke;
        ctx.beginPath();
        ctx.arc(sx(x), sy(y), 2.5, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
      }
    };
    dots(map.points, '#fff');
    if (this.showTest) dots(map.test_points, '#111');
    this.axes(ctx, map);
    this.confidenceScale(ctx);
  }

  /** The class colours, named. */
  classLegend(classNames) {
    this.legend.replaceChildren(...classNames.map((name, c) => {
      const item = document.createElement('span');
      const swatch = document.createElement('i');
      swatch.className = `swatch class-${c % 10}`;
      item.append(swatch, name);
      return item;
    }));
  }

  /** The ranges of the two input features at the edges. */
  axes(ctx, map) {
    const { width, height } = this.canvas;
    ctx.font = '11px sans-serif';
    ctx.fillStyle = '#111';
    ctx.textAlign = 'left';
    const [a, b] = map.axes ?? ['x1', 'x2'];
    ctx.fillText(`${a} ${map.x[0].toFixed(1)}`, 3, height - 4);
    ctx.textAlign = 'right';
    ctx.fillText(`${a} ${map.x[1].toFixed(1)}`, width - 3, height - 4);
    ctx.textAlign = 'left';
    ctx.fillText(`${b} ${map.y[1].toFixed(1)}`, 3, 12);
  }

  /** How sure the model is: the shade of a cell, from 50 % to 100 %. */
  confidenceScale(ctx) {
    const { width } = this.canvas;
    const left = width - 132;
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    ctx.fillRect(left - 4, 2, 134, 28);
    const [r, g, b] = hexToRgb(classColour(0));
    for (let i = 0; i < 10; i += 1) {
      ctx.fillStyle = `rgba(${r},${g},${b},${(0.5 + i / 20 - 0.4) * 1.0})`;
      ctx.fillRect(left + i * 10, 16, 10, 10);
    }
    ctx.fillStyle = '#111';
    ctx.textAlign = 'left';
    ctx.font = '10px sans-serif';
    ctx.fillText('confidence 50% → 100%', left, 12);
  }

  drawImages(ctx, images) {
    expectArray(images.inputs, 'images: inputs');
    const [rows, cols] = images.side;
    if (images.reconstructions) return this.drawReconstructions(ctx, images, rows, cols);
    this.caption.textContent = 'Test images and the predicted class probabilities (true class in green)';
    if (this.canvas.height !== this.canvas.width) this.canvas.height = this.canvas.width;
    const { width, height } = this.canvas;
    const band = Math.floor(height / images.inputs.length);
    const size = band - 14;
    const barsLeft = size + 14;
    const classes = images.probabilities[0].length;
    const barWidth = (width - barsLeft - 4) / classes;
    ctx.font = '10px sans-serif';
    ctx.textAlign = 'center';
    images.inputs.forEach((pixels, n) => {
      const top = n * band + 2;
      drawImage(ctx, pixels, rows, cols, { left: 0, top, size });
      const probs = images.probabilities[n];
      probs.forEach((p, c) => {
        const x = barsLeft + c * barWidth;
        ctx.fillStyle = c === images.labels[n] ? '#2ca02c' : '#777';
        const h = (size - 2) * p;
        ctx.fillRect(x + 1, top + size - 2 - h, barWidth - 2, h);
        ctx.fillStyle = '#222';
        ctx.fillText(String(c), x + barWidth / 2, top + size + 9);
      });
    });
  }

  /** Inputs beside their reconstructions, pairs in a grid, pixelated. */
  drawReconstructions(ctx, images, rows, cols) {
    this.caption.textContent = 'Test images (left) beside their reconstructions from the code (right)';
    const { width } = this.canvas;
    const perRow = 3;
    const pairWidth = width / perRow;
    const size = Math.floor((pairWidth - 12) / 2);
    const aspect = rows / cols;
    // The canvas is as tall as the grid of pairs.
    this.canvas.height = Math.ceil(images.inputs.length / perRow) * (size * aspect + 22) + 16;
    ctx.font = '10px sans-serif';
    ctx.fillStyle = '#222';
    images.inputs.forEach((pixels, n) => {
      const left = (n % perRow) * pairWidth + 2;
      const top = Math.floor(n / perRow) * (size * aspect + 22) + 14;
      if (n < perRow) {
        ctx.fillText('input', left, top - 4);
        ctx.fillText('rebuilt', left + size + 6, top - 4);
      }
      drawImage(ctx, pixels, rows, cols, { left, top, size });
      drawImage(ctx, images.reconstructions[n], rows, cols, { left: left + size + 6, top, size });
    });
  }
}

/** A grey image (values in [0, 1]) `size` pixels wide, its aspect ratio
 * kept, each pixel a sharp block. */
function drawImage(ctx, pixels, rows, cols, { left, top, size }) {
  const image = new ImageData(cols, rows);
  pixels.forEach((v, i) => {
    const shade = Math.round(255 * (1 - Math.min(Math.max(v, 0), 1)));
    image.data.set([shade, shade, shade, 255], 4 * i);
  });
  const tile = document.createElement('canvas');
  tile.width = cols;
  tile.height = rows;
  tile.getContext('2d').putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tile, left, top, size, (size * rows) / cols);
  ctx.strokeStyle = '#bbb';
  ctx.strokeRect(left - 0.5, top - 0.5, size + 1, (size * rows) / cols + 1);
}

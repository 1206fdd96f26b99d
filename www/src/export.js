// Data out: metrics (CSV, JSON), the experiment (link and config, JSON), the
// trained weights (JSON, loadable by `ibp evaluate --weights`), and the plots
// (SVG, or PNG drawn on a canvas). Everything is built in the browser and
// offered as a download.

const METRIC_COLUMNS = ['step', 'epoch', 'loss', 'train_loss', 'rate_bits', 'izy_bits', 'distortion_bits', 'train_acc', 'test_acc', 'beta', 'lr', 'backend'];

export function metricsCsv(reports) {
  const cell = (v) => (v === null || v === undefined ? '' : String(v));
  return [METRIC_COLUMNS.join(','), ...reports.map((r) => METRIC_COLUMNS.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

export function experimentJson(link) {
  const config = Object.fromEntries(new URLSearchParams(link));
  return JSON.stringify({ link, config }, null, 2);
}

/** One SVG holding every visible plot, side by side. */
export function plotsSvg() {
  const svgs = [...document.querySelectorAll('.views figure:not([hidden]) svg')];
  const width = 360;
  const parts = svgs.map((svg, i) => {
    const box = svg.viewBox.baseVal;
    const scale = width / (box.width || width);
    return `<g transform="translate(0,${i * 260}) scale(${scale})"><text x="4" y="12" font-size="11">${svg.getAttribute('aria-label') ?? ''}</text><g transform="translate(0,16)">${svg.innerHTML}</g></g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${svgs.length * 260}" font-family="sans-serif"><style>.axis-label,.legend{font-size:10px}.reference{stroke:#999;stroke-dasharray:4 3}</style>${parts.join('')}</svg>`;
}

/** The plots as a PNG blob (the SVG above drawn on a canvas). */
export async function plotsPng() {
  const svg = plotsSvg();
  const image = new Image();
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(image, 0, 0);
    return await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function download(name, content, type) {
  const blob = content instanceof Blob ? content : new Blob([content], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

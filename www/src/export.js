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

/** Escapes text for SVG markup. */
const escapeXml = (text) => text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);

/**
 * One SVG holding every visible plot, one under the other: the SVG views as
 * vectors, the canvas views (latent space, decision map, images) as images.
 */
export function plotsSvg() {
  const figures = [...document.querySelectorAll('.views figure')].filter((f) => f.offsetParent !== null);
  const width = 360;
  const row = 380;
  const parts = figures.map((figure, i) => {
    const caption = escapeXml(figure.querySelector('figcaption')?.textContent ?? '');
    const svg = figure.querySelector('svg');
    const canvas = figure.querySelector('canvas');
    let body = '';
    if (svg) {
      const box = svg.viewBox.baseVal;
      body = `<g transform="scale(${width / (box.width || width)})">${svg.innerHTML}</g>`;
    } else if (canvas) {
      body = `<image href="${canvas.toDataURL('image/png')}" width="${width}" height="${(width * canvas.height) / canvas.width}"/>`;
    }
    return `<g transform="translate(0,${i * row})"><text x="4" y="12" font-size="11">${caption}</text><g transform="translate(0,16)">${body}</g></g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${figures.length * row}" font-family="sans-serif"><style>.axis-label,.legend{font-size:10px}.reference{stroke:#999;stroke-dasharray:4 3}</style>${parts.join('')}</svg>`;
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

/**
 * Wires the Export… dialog; returns {weights(json)} for the worker's reply.
 * @param {{history: () => object[], link: () => string, askWeights: () => void}} source
 */
export function mountExports(source) {
  const dialog = document.getElementById('export-dialog');
  document.getElementById('export-button').addEventListener('click', () => dialog.showModal());
  const actions = {
    'metrics.csv': () => download('metrics.csv', metricsCsv(source.history()), 'text/csv'),
    'metrics.json': () => download('metrics.json', JSON.stringify(source.history(), null, 1), 'application/json'),
    'experiment.json': () => download('experiment.json', experimentJson(source.link()), 'application/json'),
    'weights.json': () => source.askWeights(),
    'plots.svg': () => download('plots.svg', plotsSvg(), 'image/svg+xml'),
    'plots.png': async () => download('plots.png', await plotsPng(), 'image/png'),
  };
  for (const button of dialog.querySelectorAll('[data-export]')) {
    button.addEventListener('click', () => actions[button.dataset.export]());
  }
  return { weights: (json) => download('weights.json', json, 'application/json') };
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

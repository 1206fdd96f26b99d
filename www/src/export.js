// Data out: metrics (CSV in the columns of `ibp train --log`, JSON), the
// experiment (link, live changes included, and config, JSON), the
// trained weights (JSON, loadable by `ibp evaluate --weights`), and the plots
// (SVG, or PNG drawn on a canvas). Everything is built in the browser and
// offered as a download; in an embed also shown to copy, as a course page's
// sandbox can block downloads without the page knowing.

/** The experiment as JSON: its link, every key's value (`full`, the link
 * with its defaults written out; `live` holds the changes made while it
 * trained) and, when the run on screen is not its link's, why (`caveat`). */
export function experimentJson(link, full = link, caveat = null) {
  const config = Object.fromEntries(new URLSearchParams(full));
  return JSON.stringify(caveat ? { link, config, caveat } : { link, config }, null, 2);
}

/** Escapes text for SVG markup. */
const escapeXml = (text) => text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);

/** The views on screen now. */
export const visibleFigures = () => [...document.querySelectorAll('.views figure')].filter((f) => f.offsetParent !== null);

/**
 * One SVG holding `figures` (default: every visible plot), one under the
 * other: the SVG views as vectors, the canvas views (latent space, decision
 * map, images) as images, each with its caption.
 */
export function plotsSvg(figures = visibleFigures()) {
  const width = 360;
  let y = 0;
  const parts = figures.map((figure) => {
    const caption = escapeXml(figure.querySelector('figcaption')?.textContent ?? '');
    const svg = figure.querySelector('svg');
    const canvas = figure.querySelector('canvas');
    let body = '';
    let height = 0;
    if (svg) {
      const box = svg.viewBox.baseVal;
      const scale = width / (box.width || width);
      height = (box.height || 220) * scale;
      body = `<g transform="scale(${scale})">${svg.innerHTML}</g>`;
    } else if (canvas) {
      height = (width * canvas.height) / canvas.width;
      body = `<image href="${canvas.toDataURL('image/png')}" width="${width}" height="${height}"/>`;
    }
    const part = `<g transform="translate(0,${y})"><text x="4" y="12" font-size="11">${caption}</text><g transform="translate(0,16)">${body}</g></g>`;
    y += height + 24;
    return part;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif"><style>.axis-label,.legend{font-size:10px;fill:#333}.reference{stroke:#999;stroke-dasharray:4 3}</style>${parts.join('')}</svg>`;
}

/** Pixels per SVG unit of the PNG exports: sharp on slides and HiDPI. */
export const PNG_SCALE = 2;

/** An SVG text drawn on a white canvas at `scale`, as a PNG blob. */
export async function svgToPng(svg, scale = PNG_SCALE) {
  const image = new Image();
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(image.width * scale);
    canvas.height = Math.round(image.height * scale);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Every visible plot in one PNG, at twice the size. */
export const plotsPng = () => svgToPng(plotsSvg());

/** One button per visible plot: its PNG at twice the size, through `download`. */
function plotButtons(list, download) {
  list.replaceChildren();
  for (const figure of visibleFigures()) {
    const name = figure.id.replace(/^view-/, '');
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.export = `plot-${name}.png`;
    button.textContent = `${figure.querySelector('figcaption')?.firstChild?.textContent?.trim() || name} (PNG)`;
    button.addEventListener('click', async () => download(`plot-${name}.png`, await svgToPng(plotsSvg([figure])), 'image/png'));
    list.append(button);
  }
}

/**
 * Wires the Export… dialog; returns {weights(json)} for the worker's reply
 * and {file(name, content, type)} for the other exports on the page.
 * The metrics CSV is Rust's (`metricsCsv`: the columns of `ibp train --log`).
 * `embedded`: each export is also shown in the dialog to copy or save, with
 * a link to the page on its own (`url()`).
 * @param {{history: () => object[], link: () => string, caveat: () => string|null, settled: () => Promise<void>,
 *   fullLink: (link: string) => string, metricsCsv: (reports: object[]) => string, askWeights: () => void,
 *   url: () => string}} source
 * @param {{embedded?: boolean}} [options]
 */
export function mountExports(source, { embedded = false } = {}) {
  const dialog = document.getElementById('export-dialog');
  const download = embedded ? (name, content, type) => {
    save(name, content, type);
    offerCopy(name, content, source.url());
  } : save;
  document.getElementById('export-button').addEventListener('click', () => {
    plotButtons(document.getElementById('export-plots'), download);
    document.getElementById('export-copy').hidden = true;
    dialog.showModal();
  });
  const actions = {
    'metrics.csv': () => download('metrics.csv', source.metricsCsv(source.history()), 'text/csv'),
    'metrics.json': () => download('metrics.json', JSON.stringify(source.history(), null, 1), 'application/json'),
    'experiment.json': async () => {
      await source.settled();
      download('experiment.json', experimentJson(source.link(), source.fullLink(source.link()), source.caveat()), 'application/json');
    },
    'weights.json': () => source.askWeights(),
    'plots.svg': () => download('plots.svg', plotsSvg(), 'image/svg+xml'),
    'plots.png': async () => download('plots.png', await plotsPng(), 'image/png'),
  };
  for (const button of dialog.querySelectorAll('.export-list [data-export]')) {
    button.addEventListener('click', () => actions[button.dataset.export]());
  }
  /** A file offered from elsewhere on the page (the sweep's table): in an
   * embed, the dialog opens to show it to copy. */
  const file = (name, content, type) => {
    if (embedded && !dialog.open) {
      plotButtons(document.getElementById('export-plots'), download);
      dialog.showModal();
    }
    download(name, content, type);
  };
  return { weights: (json) => download('weights.json', json, 'application/json'), file };
}

/** The file `name` as a download. */
function save(name, content, type) {
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

/** Shows the export `name` in the dialog: text to copy, an image to save or
 * copy from its menu, and the page on its own, where downloads work. */
function offerCopy(name, content, ownPage) {
  const $ = (id) => document.getElementById(id);
  const image = content instanceof Blob;
  $('export-copy').hidden = false;
  $('export-copy-note').textContent = image
    ? `${name} is downloading, unless the course page blocks downloads (it may not say so): then save or copy the image below from its menu (right-click or long-press).`
    : `${name} is downloading, unless the course page blocks downloads (it may not say so): then copy its content below.`;
  const text = $('export-copy-text');
  const img = $('export-copy-image');
  if (img.src) URL.revokeObjectURL(img.src);
  img.removeAttribute('src');
  text.hidden = image;
  text.value = image ? '' : content;
  if (image) {
    img.src = URL.createObjectURL(content);
    img.alt = name;
  }
  const copy = $('export-copy-button');
  copy.hidden = image;
  copy.textContent = 'Copy';
  copy.onclick = async () => {
    text.select();
    try {
      await navigator.clipboard.writeText(text.value);
      copy.textContent = 'Copied';
    } catch {
      // No clipboard (not allowed by the iframe): the text stays selected.
      copy.textContent = 'Selected: press Ctrl+C (⌘C)';
    }
  };
  $('export-own-page').href = ownPage;
  $('export-copy').scrollIntoView({ block: 'start' });
}

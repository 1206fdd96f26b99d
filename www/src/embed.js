// Embedding in course pages. `?embed=1` gives the compact layout; with it,
// `views=plane,curves,latent,dims,map,sweep` keeps only those views,
// `controls=0` hides the knobs and `autoplay=1` starts training at once.
// The postMessage API, for the page around the iframe:
//   {ibp: 'play'} {ibp: 'pause'} {ibp: 'setBeta', value: 0.01}
//   {ibp: 'getMetrics'} -> reply {ibp: 'metrics', reports: [...], link}
// Messages are accepted only from this page's own origin and the origins
// listed in `parent=` (comma-separated); everything else is ignored.

import { embedSnippet, embedUrl } from './links.js';

/** The element that holds view `name` (plane, curves, latent, ...). */
export const viewElement = (name) => document.getElementById(`view-${name}`);

/** Applies the embed options of the page's query. */
export function applyEmbedLayout(query) {
  if (query.get('embed') !== '1') return;
  document.body.classList.add('embed');
  const views = query.get('views');
  if (views) {
    const keep = new Set(views.split(','));
    for (const figure of document.querySelectorAll('figure[id^="view-"]')) {
      if (!keep.has(figure.id.slice('view-'.length))) figure.classList.add('embed-hidden');
    }
  }
  if (query.get('controls') === '0') document.body.classList.add('embed-no-controls');
}

/**
 * Listens for the API; returns the function that removes the listener.
 * @param {URLSearchParams} query
 * @param {{play: () => void, pause: () => void, setBeta: (v: string) => void, metrics: () => object}} actions
 */
export function listenForEmbedder(query, actions) {
  const allowed = new Set([location.origin, ...(query.get('parent') ?? '').split(',').map((o) => o.trim()).filter(Boolean)]);
  const onMessage = (event) => {
    if (!allowed.has(event.origin)) return;
    const message = event.data;
    if (!message || typeof message !== 'object' || typeof message.ibp !== 'string') return;
    if (message.ibp === 'play') actions.play();
    else if (message.ibp === 'pause') actions.pause();
    else if (message.ibp === 'setBeta' && Number.isFinite(Number(message.value))) actions.setBeta(String(Number(message.value)));
    else if (message.ibp === 'getMetrics') event.source?.postMessage({ ibp: 'metrics', ...actions.metrics() }, event.origin);
  };
  window.addEventListener('message', onMessage);
  return () => window.removeEventListener('message', onMessage);
}

/** The view names, from the page's figures (in page order). */
const viewNames = () => [...document.querySelectorAll('figure[id^="view-"]')].map((f) => f.id.slice('view-'.length));

/**
 * The Embed… dialog: choose the views, the controls and autoplay; the
 * snippet and a live preview follow; Copy puts the snippet on the
 * clipboard. The default shows plots, not knobs.
 * @param {() => string} link the current experiment
 */
export function mountEmbedDialog(link) {
  const $ = (id) => document.getElementById(id);
  const dialog = $('embed-dialog');
  const boxes = viewNames().map((name) => {
    const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: name, checked: ['plane', 'curves', 'diagram'].includes(name) });
    box.dataset.testid = `embed-view-${name}`;
    const label = document.createElement('label');
    label.append(box, name);
    $('embed-views').append(label);
    return box;
  });
  let preview = null;
  const refresh = () => {
    const views = boxes.filter((b) => b.checked).map((b) => b.value).join(',');
    const options = { views, controls: $('embed-controls').checked, autoplay: $('embed-autoplay').checked };
    $('embed-snippet').value = embedSnippet(link(), options);
    clearTimeout(preview);
    // The preview never autoplays: it shows the layout, not a second run.
    preview = setTimeout(() => { $('embed-preview').src = embedUrl(link(), { ...options, autoplay: false }); }, 300);
  };
  for (const input of [...boxes, $('embed-controls'), $('embed-autoplay')]) input.addEventListener('change', refresh);
  $('embed-code').addEventListener('click', () => {
    refresh();
    dialog.showModal();
  });
  dialog.addEventListener('close', () => { $('embed-preview').src = 'about:blank'; });
  $('embed-copy').addEventListener('click', async () => {
    $('embed-snippet').select();
    try {
      await navigator.clipboard.writeText($('embed-snippet').value);
      $('embed-copy').textContent = 'Copied';
    } catch {
      $('embed-copy').textContent = 'Select and copy';
    }
    setTimeout(() => { $('embed-copy').textContent = 'Copy'; }, 1500);
  });
}

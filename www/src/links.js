// The page's URLs, built with URL and URLSearchParams (never by editing
// text): the share link, the embed snippet, and the query options of the
// page itself (`backend`, `embed`, `views`, `controls`, `autoplay`,
// `parent`, `lesson`, and a shared β sweep's `sweep`, `sweep_steps`). The experiment travels in the fragment, as the
// normalised link Rust writes.

/** Query options that only shape an embedded page. */
const EMBED_ONLY = ['embed', 'controls', 'autoplay', 'parent'];

/**
 * The link to share: this page without its embed options, the experiment
 * in the fragment. An embed's chosen views move into the link's `views`.
 * A β sweep on screen travels in the query (`sweep=GRID&sweep_steps=N`),
 * to be offered again.
 * @param {string} link the normalised experiment link
 * @param {(link: string, key: string, value: string) => string} setKey
 * @param {{grid: string, steps: number}|null} [sweep]
 */
export function shareUrl(link, setKey, sweep = null) {
  const url = new URL(location.href);
  const views = url.searchParams.get('views');
  let shared = link;
  if (url.searchParams.get('embed') === '1' && views) {
    try {
      shared = setKey(link, 'views', views);
    } catch {
      // views the link table refuses: the link keeps its own
    }
  }
  for (const option of [...EMBED_ONLY, 'views']) url.searchParams.delete(option);
  withSweep(url, sweep);
  url.hash = shared;
  return url.href;
}

/**
 * The address of an embed of `link` (plots only unless `controls`), with
 * the lesson {id, step} (0-based) and the `parent` origins allowed to drive
 * it (the embed API) when given.
 */
export function embedUrl(link, { views = null, controls = false, autoplay = true, lesson = null, parent = null } = {}) {
  const url = new URL(location.href);
  url.search = '';
  url.searchParams.set('embed', '1');
  if (autoplay) url.searchParams.set('autoplay', '1');
  if (!controls) url.searchParams.set('controls', '0');
  if (views) url.searchParams.set('views', views);
  if (lesson) {
    url.searchParams.set('lesson', lesson.id);
    url.searchParams.set('step', String(lesson.step + 1));
    if (lesson.exercise) url.searchParams.set('exercise', String(lesson.exercise));
  }
  if (parent) url.searchParams.set('parent', parent);
  url.hash = link;
  return url.href;
}

/** The iframe that embeds `link` as it is now (attribute text escaped):
 * titled for screen readers, allowed to copy to the clipboard (Share). */
export function embedSnippet(link, options = {}) {
  const src = embedUrl(link, options).replaceAll('&', '&amp;').replaceAll('"', '&quot;');
  return `<iframe src="${src}" width="360" height="720" style="border:0;max-width:100%" title="Information Bottleneck Playground" allow="clipboard-write" loading="lazy"></iframe>`;
}

/** The experiment link in the page's fragment (as written: Rust's codec
 * decodes each value), or null. */
export function fragmentLink() {
  const link = location.hash.slice(1);
  return link.length ? link : null;
}

/** The query's `sweep` and `sweep_steps` set to `sweep` (removed with null). */
function withSweep(url, sweep) {
  url.searchParams.delete('sweep');
  url.searchParams.delete('sweep_steps');
  if (sweep) {
    url.searchParams.set('sweep', sweep.grid);
    url.searchParams.set('sweep_steps', String(sweep.steps));
  }
}

/** Keeps `link` (and the β sweep on screen, `sweep`) in the address bar
 * without a new history entry: the address copied is the link Share gives. */
export function showInAddressBar(link, sweep = null) {
  const url = new URL(location.href);
  withSweep(url, sweep);
  url.hash = link;
  history.replaceState(null, '', url.href);
}

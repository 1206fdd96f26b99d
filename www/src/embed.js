// Embedding in course pages. `?embed=1` gives the compact layout; with it,
// `views=plane,curves,latent,dims,map,sweep` keeps only those views,
// `controls=0` hides the knobs and `autoplay=1` starts training at once.
// The postMessage API, for the page around the iframe (README, "The embed
// API"): the page posts {ibp: 'loading'} as soon as it exists and {ibp:
// 'ready', version, commands} when it accepts commands; commands sent before
// wait in a queue and are carried out in order after `ready`; every command
// is answered:
//   {ibp: 'play'} {ibp: 'pause'} {ibp: 'step'} {ibp: 'reset'}
//   {ibp: 'setBeta', value: 0.01} {ibp: 'setLr', value: 0.005}  -> {ibp: 'ok', command}
//   {ibp: 'getMetrics'} -> {ibp: 'metrics', reports: [...], link}
//   {ibp: 'getLink'} -> {ibp: 'link', link}
//   anything wrong -> {ibp: 'error', command, message}
// and each reply echoes the command's `id`, if it had one. Messages are
// accepted only from this page's own origin and the origins listed in
// `parent=` (comma-separated); everything else is ignored.

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

/** The embed API's version: `ready` carries it (README, "The embed API"). */
export const EMBED_API_VERSION = 1;

/**
 * The origins listed in `parent=` (comma-separated), normalised: scheme,
 * host and port, in lower case, whatever path or trailing slash was pasted
 * with them; a bare host is taken as https. What is not an origin, and the
 * opaque origin `null`, are left out with a console warning naming them.
 * @param {string|null} text @param {(message: string) => void} warn
 */
export function parentOrigins(text, warn = console.warn) {
  const origins = new Set();
  for (const raw of (text ?? '').split(',').map((o) => o.trim()).filter(Boolean)) {
    if (raw.toLowerCase() === 'null') {
      warn('parent=: "null" (an opaque origin, a sandboxed page) is never trusted: its messages are ignored');
      continue;
    }
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
    let url = null;
    try {
      url = new URL(scheme ? raw : `https://${raw}`);
    } catch {
      // not an address
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || !url.hostname) {
      warn(`parent=: "${raw}" is not an origin (expected e.g. https://lms.example.edu): ignored`);
      continue;
    }
    if (!scheme) warn(`parent=: "${raw}" has no scheme: taken as ${url.origin}`);
    origins.add(url.origin);
  }
  return origins;
}

/** Where `ready` goes: the parent's own origin when the browser tells it
 * (and it may send commands), else every origin that may. */
function readyOrigins(origins) {
  let parent = location.ancestorOrigins?.[0] ?? null;
  if (!parent && document.referrer) {
    try {
      parent = new URL(document.referrer).origin;
    } catch {
      parent = null;
    }
  }
  if (!parent) return [...origins];
  return origins.has(parent) ? [parent] : [];
}

/**
 * The embed API: commands from the page around the iframe, accepted from
 * this page's own origin and the `parent=` origins, each answered. Messages
 * that arrive before the page accepts commands are queued and carried out in
 * order once it does, right after it posts `{ibp: 'ready', version,
 * commands}` to those origins. Returns {accept(), refuse(reason)}.
 * @param {URLSearchParams} query
 * @param {Record<string, (message: object) => object|void>} commands by name:
 *   each returns its reply's fields (or nothing) or throws an Error whose
 *   message the error reply carries
 */
export function listenForEmbedder(query, commands) {
  const origins = new Set([location.origin, ...parentOrigins(query.get('parent'))]);
  const waiting = [];
  let accepting = false;
  /** Why the page cannot carry out commands (it failed to start), or null. */
  let refusal = null;
  const reply = (event, message) => {
    try {
      event.source?.postMessage(message, event.origin);
    } catch {
      // the page around the iframe went away
    }
  };
  const carryOut = (event) => {
    const message = event.data;
    const id = message.id ?? null;
    const name = message.ibp;
    if (refusal) {
      reply(event, { ibp: 'error', command: typeof name === 'string' ? name : null, id, message: refusal });
      return;
    }
    if (typeof name !== 'string' || !Object.hasOwn(commands, name)) {
      reply(event, { ibp: 'error', command: typeof name === 'string' ? name : null, id, message: `unknown command ${JSON.stringify(name)} (known: ${Object.keys(commands).join(', ')})` });
      return;
    }
    try {
      const answer = commands[name](message) ?? { ibp: 'ok', command: name };
      reply(event, { ...answer, id });
    } catch (error) {
      reply(event, { ibp: 'error', command: name, id, message: String(error?.message ?? error) });
    }
  };
  const receive = (event) => {
    const message = event.data;
    // Not for the playground (another script's message).
    if (!message || typeof message !== 'object' || !('ibp' in message)) return;
    if (!origins.has(event.origin)) {
      // A page not named in parent= is told so, and nothing else.
      if (event.origin !== 'null') {
        reply(event, { ibp: 'error', command: typeof message.ibp === 'string' ? message.ibp : null, id: message.id ?? null,
          message: `commands from ${event.origin} are not accepted: add parent=${event.origin} to the embed's address` });
      }
      return;
    }
    if (accepting || refusal) carryOut(event);
    else waiting.push(event);
  };
  // What boot.js kept before this module ran, then everything after.
  for (const event of window.ibpBoot?.takeMessages?.() ?? []) receive(event);
  window.addEventListener('message', receive);
  return {
    /** From now on commands are carried out: the queued ones first, in order. */
    accept() {
      accepting = true;
      if (window.parent !== window) {
        const ready = { ibp: 'ready', version: EMBED_API_VERSION, commands: Object.keys(commands) };
        for (const origin of readyOrigins(origins)) window.parent.postMessage(ready, origin);
      }
      for (const event of waiting.splice(0)) carryOut(event);
    },
    /** The page failed to start: every command, queued or later, is
     * answered with an error saying `reason`. */
    refuse(reason) {
      refusal = `the playground could not start: ${reason}`;
      for (const event of waiting.splice(0)) carryOut(event);
    },
  };
}

/** The `value` of an embedder's command as link text, or an Error naming it. */
function numberIn(message) {
  const value = Number(message.value);
  if (message.value == null || message.value === '' || typeof message.value === 'boolean' || !Number.isFinite(value)) {
    throw new Error(`${message.ibp}: value ${JSON.stringify(message.value)} is not a number`);
  }
  return String(value);
}

/**
 * The embed API's commands (version 1), from what the page does: each
 * returns its reply's fields, or nothing (`{ibp: 'ok'}`), or throws.
 * @param {{play: () => void, pause: () => void, step: () => void, reset: () => void,
 *   set: (key: string, value: string) => string|null, reports: () => object[], link: () => string,
 *   url: () => string}} page
 *   `set` returns why the page refused a value, or null
 */
export function embedCommands(page) {
  const set = (key) => (message) => {
    const refused = page.set(key, numberIn(message));
    if (refused) throw new Error(`${message.ibp}: ${refused}`);
  };
  return {
    play: () => page.play(),
    pause: () => page.pause(),
    step: () => page.step(),
    reset: () => page.reset(),
    setBeta: set('beta'),
    setLr: set('lr'),
    getMetrics: (message) => {
      const since = Number(message.since ?? -1);
      if (!Number.isFinite(since)) throw new Error(`getMetrics: since ${JSON.stringify(message.since)} is not a step`);
      return { ibp: 'metrics', reports: page.reports().filter((r) => r.step > since), link: page.link(), url: page.url() };
    },
    getLink: () => ({ ibp: 'link', link: page.link(), url: page.url() }),
  };
}

/** The view names, from the page's figures (in page order). */
const viewNames = () => [...document.querySelectorAll('figure[id^="view-"]')].map((f) => f.id.slice('view-'.length));

/**
 * The Embed… dialog: choose the views, the controls, autoplay and (from a
 * lesson, on by default) the lesson; the snippet and a live preview of
 * what students will see follow; Copy puts the snippet on the clipboard.
 * The default shows plots, not knobs.
 * @param {() => string} link the current experiment
 * @param {() => {id: string, step: number}|null} lessonNow the lesson open, if any
 * @param {() => Promise<void>} settled resolves when the experiment is the
 *   page's (started, its live changes taken): the dialog opens then
 */
export function mountEmbedDialog(link, lessonNow = () => null, settled = async () => {}) {
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
  /** A lesson's embed shows the views its step chose (its text speaks of them). */
  const viewsOfLesson = () => {
    const chosen = new URLSearchParams(link()).get('views')?.split(',');
    if (lessonNow() && chosen) boxes.forEach((b) => { b.checked = chosen.includes(b.value); });
  };
  const refresh = () => {
    const views = boxes.filter((b) => b.checked).map((b) => b.value).join(',');
    const lesson = lessonNow();
    $('embed-lesson-row').hidden = !lesson;
    $('embed-lesson-text').textContent = lesson?.exercise ? `with the lesson’s text and steps, and exercise ${lesson.exercise}` : 'with the lesson’s text and steps';
    const withExercises = Boolean(lesson?.exercises && $('embed-lesson').checked);
    $('embed-exercise-note').hidden = !withExercises || $('embed-controls').checked;
    const parent = [...parentOrigins($('embed-parent').value)].join(',');
    const options = {
      views, controls: $('embed-controls').checked, autoplay: $('embed-autoplay').checked,
      lesson: lesson && $('embed-lesson').checked ? lesson : null, parent: parent || null,
    };
    const snippet = embedSnippet(link(), options);
    if (snippet === $('embed-snippet').value && dialog.open) return;
    $('embed-snippet').value = snippet;
    clearTimeout(preview);
    // The preview never autoplays: it shows the layout, not a second run.
    preview = setTimeout(() => { $('embed-preview').src = embedUrl(link(), { ...options, autoplay: false }); }, 300);
  };
  for (const input of [...boxes, $('embed-controls'), $('embed-autoplay'), $('embed-lesson'), $('embed-parent')]) input.addEventListener('change', refresh);
  let opened = false;
  $('embed-code').addEventListener('click', async () => {
    await settled();
    if (!opened) {
      viewsOfLesson();
      // An exercise shown alone is embedded to be done: with its controls.
      if (lessonNow()?.exercise) $('embed-controls').checked = true;
    }
    opened = true;
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
  // What the dialog shows follows the experiment while it is open (a run
  // that was starting, a live change the run has confirmed).
  return { refresh: () => { if (dialog.open) refresh(); } };
}

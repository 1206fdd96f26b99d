// Nothing lost on reload: each tab keeps its run (the experiment, its
// metrics, the pinned runs and, for small models, the weights) in this
// browser's localStorage, within a size bound, under the tab's own name, so
// two tabs never overwrite each other and a reload restores that tab's run.
// A new tab opens its link; without one it may offer the most recent run.
//
//   sessionStorage 'ibp-playground:tab'      this tab's name (kept across reloads)
//   localStorage   'ibp-playground:run:NAME' {version, build, savedAt, link, step, reports, weights, pins}
//   localStorage   'ibp-playground:set-aside' the last record that could not be used
//
// Records from another build of the page, or damaged ones, are set aside,
// never thrown on. Storage that is full or refuses is reported once.

const PREFIX = 'ibp-playground:run:';
const TAB_KEY = 'ibp-playground:tab';
const SET_ASIDE_KEY = 'ibp-playground:set-aside';
/** The record of builds before tabs had names. */
const OLD_KEY = 'ibp-playground:last';
/** Most bytes stored per record (the weights are dropped first, then the pins, then older reports). */
export const MAX_BYTES = 1_500_000;
/** Records kept (the most recent tabs' runs). */
const MAX_RECORDS = 4;
/** Reports kept (evenly thinned). */
const MAX_REPORTS = 400;
/** The build that writes records (scripts/build-facts.mjs: a hash of its WebAssembly). */
const BUILD = typeof __BUILD_ID__ === 'string' ? __BUILD_ID__ : 'dev';

function thin(reports) {
  if (reports.length <= MAX_REPORTS) return reports;
  const every = Math.ceil(reports.length / MAX_REPORTS);
  return reports.filter((_, i) => i % every === 0 || i === reports.length - 1);
}

/** localStorage, or null where the browser refuses it (a sandbox, a setting). */
function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** This tab's name, made once and kept by the tab across reloads. */
function tabName() {
  try {
    let name = sessionStorage.getItem(TAB_KEY);
    if (!name) {
      name = crypto.randomUUID();
      sessionStorage.setItem(TAB_KEY, name);
    }
    return name;
  } catch {
    return 'tab';
  }
}

/** Every record key with its time, newest first. */
function records(store) {
  const found = [];
  for (let i = 0; i < store.length; i += 1) {
    const key = store.key(i);
    if (!key?.startsWith(PREFIX) && key !== OLD_KEY) continue;
    let savedAt = 0;
    try {
      savedAt = JSON.parse(store.getItem(key))?.savedAt ?? 0;
    } catch {
      // a damaged record sorts last; reading it sets it aside
    }
    found.push({ key, savedAt });
  }
  return found.sort((a, b) => b.savedAt - a.savedAt);
}

/**
 * Saves this tab's run {link, step, reports, weights, pins}; returns
 * {bytes} stored, or {bytes: 0, why} when the browser refused.
 */
export function save({ link, step, reports, weights, pins = [] }) {
  const store = storage();
  if (!store) return { bytes: 0, why: 'this browser refuses storage to this page' };
  let record = { version: 1, build: BUILD, savedAt: Date.now(), link, step, reports: thin(reports), weights, pins };
  let text = JSON.stringify(record);
  for (const drop of [{ weights: null }, { pins: [] }]) {
    if (text.length <= MAX_BYTES) break;
    record = { ...record, ...drop };
    text = JSON.stringify(record);
  }
  while (text.length > MAX_BYTES && record.reports.length > 2) {
    record = { ...record, reports: record.reports.filter((_, i) => i % 2 === 0) };
    text = JSON.stringify(record);
  }
  try {
    store.setItem(PREFIX + tabName(), text);
  } catch (error) {
    return { bytes: 0, why: `this browser's storage is full or refuses it (${error?.name ?? error})` };
  }
  for (const old of records(store).slice(MAX_RECORDS)) store.removeItem(old.key);
  return { bytes: text.length };
}

/** Reads and checks the record at `key`: {record} or {problem}. */
function read(store, key) {
  let record;
  try {
    record = JSON.parse(store.getItem(key) ?? 'null');
  } catch {
    return { problem: 'it could not be read' };
  }
  if (!record) return {};
  const shaped = record.version === 1 && typeof record.link === 'string' && Array.isArray(record.reports) && Number.isInteger(record.step);
  if (!shaped) return { problem: 'it is not a record this page writes' };
  if (record.build !== BUILD) return { problem: 'another version of the page kept it' };
  return { record };
}

/** Moves the record at `key` aside (the last one set aside is kept to look at). */
function setAside(store, key) {
  try {
    store.setItem(SET_ASIDE_KEY, store.getItem(key) ?? '');
  } catch {
    // no room: it is dropped
  }
  store.removeItem(key);
}

/**
 * This tab's saved run: {record, notice}. `record` is null when there is
 * none; `notice` says why a record was set aside, or is null.
 */
export function load() {
  const store = storage();
  if (!store) return { record: null, notice: null };
  const key = PREFIX + tabName();
  const { record = null, problem } = read(store, key);
  if (!problem) return { record, notice: null };
  setAside(store, key);
  return { record: null, notice: `The run kept in this browser was set aside: ${problem}. This run starts afresh.` };
}

/** The most recent run kept by any tab (to offer in a new tab), or null. */
export function latest() {
  const store = storage();
  if (!store) return null;
  for (const { key } of records(store)) {
    const { record, problem } = read(store, key);
    if (problem) setAside(store, key);
    else if (record) return record;
  }
  return null;
}

/** Drops this tab's run. */
export function forget() {
  try {
    storage()?.removeItem(PREFIX + tabName());
  } catch {
    // nothing stored, nothing to drop
  }
}

/** This tab's saved run as tests see it: {link, step, pins}, or null. */
export function summary() {
  const store = storage();
  const { record } = store ? read(store, PREFIX + tabName()) : {};
  return record ? { link: record.link, step: record.step, pins: record.pins?.length ?? 0 } : null;
}

// What Rust knows and the page must not keep a copy of: each link key's
// label (`linkSchema()`), the views, the CSV reader's size limit and the
// names of the plane's layers (`pageFacts()`). main.js sets them once the
// wasm module has loaded; the knobs, lessons, pins, plane and data input
// read them here. Until then (and in Node tests) names fall back to the
// keys and ids themselves.

/** @type {Array<{name: string, label: string}>} */
let keys = [];
/** @type {{views: string[], max_csv_bytes: number, layer_names: Array<{prefix: string, numbered: boolean, short: string, column: string}>}} */
let page = { views: [], max_csv_bytes: Number.POSITIVE_INFINITY, layer_names: [] };

/** Takes the facts from Rust: the link schema and `pageFacts()`. */
export function setFacts(schema, facts) {
  keys = schema;
  page = facts;
}

/** The views a link can show, in the link's order. */
export const views = () => page.views;

/** The largest CSV file the Rust reader takes, bytes. */
export const maxCsvBytes = () => page.max_csv_bytes;

/** Key `name`'s label, as the controls show it ("Learning rate", "β"). */
export function keyLabel(name) {
  return keys.find((k) => k.name === name)?.label ?? name;
}

/** Key `name` inside a sentence: a symbol as it is ("β"), a label in lower
 * case ("learning rate", "latent size K"). */
export function keyWords(name) {
  const label = keyLabel(name);
  return [...label].length === 1 ? label : label[0].toLowerCase() + label.slice(1);
}

/** The short name of plane layer `id` ("encoder 2" -> "T2", "latent mean
 * (deterministic)" -> "μ", "Z"), by Rust's table; another id as it is. */
export function layerShort(id) {
  for (const name of page.layer_names) {
    if (!id.startsWith(name.prefix)) continue;
    const rest = id.slice(name.prefix.length);
    if (name.numbered && /^\d+$/.test(rest)) return `${name.short}${rest}`;
    if (!name.numbered && (rest === '' || rest.startsWith(' '))) return name.short;
  }
  return id;
}

// Reading a key of a link the way Rust does: links are canonical and
// short (`v=1` and the keys that differ from their defaults), so a missing
// key means its default, which the link table's schema gives.

let defaults = {};

/** Remembers each key's default from `linkSchema()`. */
export function setDefaults(schema) {
  defaults = Object.fromEntries(schema.map((key) => [key.name, key.default]));
}

/** The value of `key` in `link` (its default when the link leaves it out). */
export function linkValue(link, key) {
  return new URLSearchParams(link).get(key) ?? defaults[key] ?? null;
}

/** A getter of `link`'s values. */
export const valuesOf = (link) => (key) => linkValue(link, key);

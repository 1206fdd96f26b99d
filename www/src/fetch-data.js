// Shipped data files, whatever the host does with encodings. The MNIST
// subset is stored gzipped; some hosts (Vite's preview among them) send it
// with `Content-Encoding: gzip`, so the browser has already inflated it.
// The gzip magic bytes decide, never the file name.

/** True when `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes) {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** True when `bytes` look like a web page (`<` after any whitespace). */
const looksLikeHtml = (bytes) => {
  const first = bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0xef && b !== 0xbb && b !== 0xbf);
  return first === 0x3c;
};

/** The uncompressed bytes of the file at `url`; a host's web page (an
 * SPA fallback for a missing file, a login redirect) is refused by name. */
export async function fetchData(url) {
  const response = await fetch(url);
  const name = url.pathname ?? String(url);
  if (!response.ok) throw new Error(`${name} could not be loaded (HTTP ${response.status})`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if ((response.headers.get('content-type') ?? '').includes('text/html') || looksLikeHtml(bytes)) {
    throw new Error(`${name}: the host answered with a web page instead of this data file (the file is missing from the site, or the host redirects it): tell whoever published the page`);
  }
  if (!isGzip(bytes)) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

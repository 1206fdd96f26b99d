// Shipped data files, whatever the host does with encodings. The MNIST
// subset is stored gzipped; some hosts (Vite's preview among them) send it
// with `Content-Encoding: gzip`, so the browser has already inflated it.
// The gzip magic bytes decide, never the file name.

/** True when `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes) {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The uncompressed bytes of the file at `url`. */
export async function fetchData(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname ?? url} could not be loaded (HTTP ${response.status})`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (!isGzip(bytes)) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

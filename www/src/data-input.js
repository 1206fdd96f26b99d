// Data in: a CSV file (the file input, reachable by keyboard) or pasted
// text. The bytes go to the worker, where the Rust table reader decodes and
// checks them (UTF-8 or UTF-16, any line ends, `,` `;` or tab); files over
// the reader's limit are refused before they are read.

const $ = (id) => document.getElementById(id);
/** Largest CSV the page reads (the Rust parser's own limit). */
const MAX_CSV_BYTES = 16 * 1024 * 1024;

/**
 * @param {{messages: import('./messages.js').Messages, use: (bytes: Uint8Array) => void}} options
 */
export function mountDataInput({ messages, use }) {
  $('csv-file').addEventListener('change', async () => {
    const file = $('csv-file').files[0];
    $('csv-file').value = '';
    if (!file) return;
    if (file.size > MAX_CSV_BYTES) {
      messages.error(`${file.name} is ${file.size} bytes (allowed: at most ${MAX_CSV_BYTES}); the experiment that was running is kept.`);
      return;
    }
    use(new Uint8Array(await file.arrayBuffer()));
  });
  $('csv-paste').addEventListener('click', () => $('csv-dialog').showModal());
  $('csv-dialog').addEventListener('close', () => {
    if ($('csv-dialog').returnValue === 'use') use(new TextEncoder().encode($('csv-text').value));
  });
}

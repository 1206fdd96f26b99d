// Data in: a CSV file (the file input, reachable by keyboard) or pasted
// text. The table goes to the worker, where the Rust parser checks it;
// files over the parser's limit are refused before they are read.

const $ = (id) => document.getElementById(id);
/** Largest CSV the page reads (the Rust parser's own limit). */
const MAX_CSV_BYTES = 16 * 1024 * 1024;

/**
 * @param {{messages: import('./messages.js').Messages, use: (text: string) => void}} options
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
    use(await file.text());
  });
  $('csv-paste').addEventListener('click', () => $('csv-dialog').showModal());
  $('csv-dialog').addEventListener('close', () => {
    if ($('csv-dialog').returnValue === 'use') use($('csv-text').value);
  });
}

// Data in: a CSV file (the file input, reachable by keyboard) or pasted
// text. The bytes go to the worker, where the Rust table reader decodes and
// checks them (UTF-8 or UTF-16, any line ends, `,` `;` or tab); files over
// the reader's limit are refused before they are read.

import { maxCsvBytes } from './facts.js';

const $ = (id) => document.getElementById(id);

/**
 * @param {{messages: import('./messages.js').Messages, use: (bytes: Uint8Array) => void}} options
 */
export function mountDataInput({ messages, use }) {
  $('csv-file').addEventListener('change', async () => {
    const file = $('csv-file').files[0];
    $('csv-file').value = '';
    if (!file) return;
    // The Rust reader's own limit, so a larger file is refused unread.
    if (file.size > maxCsvBytes()) {
      messages.error(`${file.name} is ${file.size} bytes (allowed: at most ${maxCsvBytes()}); the experiment that was running is kept.`);
      return;
    }
    use(new Uint8Array(await file.arrayBuffer()));
  });
  $('csv-paste').addEventListener('click', () => $('csv-dialog').showModal());
  $('csv-dialog').addEventListener('close', () => {
    if ($('csv-dialog').returnValue === 'use') use(new TextEncoder().encode($('csv-text').value));
  });
}

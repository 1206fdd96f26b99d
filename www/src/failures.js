// What the page says when it cannot start: which part failed and what to do,
// in a sentence a student can act on (the technical reason in brackets).

/** The page's WebAssembly could not be fetched or compiled: title and text. */
export function wasmFailure(error) {
  const reason = String(error?.message ?? error);
  if (/failed to fetch Wasm|Failed to fetch|NetworkError|Load failed/i.test(reason)) {
    return {
      title: 'The page could not load its WebAssembly',
      text: `The model's code (a .wasm file) did not arrive (${reason}). Reload the page; if it happens again the site is missing that file or its host blocks it: tell whoever published the page.`,
    };
  }
  if (/magic word|expected magic/i.test(reason)) {
    return {
      title: 'The page\'s WebAssembly is not WebAssembly',
      text: `The host answered the request for the model's code (a .wasm file) with something else, often a web page for a missing file (${reason}). Reload; if it happens again, tell whoever published the page that the .wasm file is missing.`,
    };
  }
  return {
    title: 'This browser could not run the page\'s WebAssembly',
    text: `Compiling the model's code failed (${reason}). The playground needs a recent browser (WebAssembly with SIMD: Chrome or Edge 91+, Firefox 89+, Safari 16.4+) and a page allowed to run WebAssembly.`,
  };
}

/** The training worker could not start: title and text. */
export function workerFailure(reason) {
  return {
    title: 'The page could not start its training worker',
    text: `${reason}. Reload the page; if it happens again the site is missing a file or this browser blocks workers here: open the playground on its own page.`,
  };
}

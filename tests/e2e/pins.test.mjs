// A pin's label names what differs from the run on screen (Node, no page:
// keys by their link names, as the page's facts fall back to before the
// wasm module loads).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pins } from '../../www/src/pins.js';

const MNIST = 'v=1&data=mnist&hidden=1024,1024&act=relu&k=256&beta=1e-3';

test('a pin that differs only in its input or its initial weights is shown and named by them', () => {
  const pins = new Pins();
  pins.add({ link: `${MNIST}&inputs=centered&init=glorot`, history: [{ step: 0 }], snapshot: null });
  pins.add({ link: `${MNIST}&seed=2`, history: [{ step: 0 }], snapshot: null });
  pins.add({ link: MNIST, history: [{ step: 0 }], snapshot: null });
  const labels = pins.labelled(MNIST).map((p) => p.label);
  assert.deepEqual(labels, ['init = glorot, inputs = centered', 'seed = 2'], 'the pin of the run on screen says nothing and is left out');
});

// Plane labels (www/src/views/labels.js): beside their points, never on one
// another, on a named point or on text already drawn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { placeLabels } from '../../www/src/views/labels.js';

const overlaps = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test('labels of points piled on one spot spread out with leader lines, clear of every point', () => {
  // Z, mu, T1..T5 and three pins ending within a few px of each other,
  // under the H(Y) line's text, as on a trained plane.
  const anchors = ['Z', 'μ', 'T1', 'T2', 'T3', 'T4', 'T5', 'pin 1', 'pin 2', 'pin 3'].map((name, i) => ({ name, x: 200 + (i % 3), y: 40 + (i % 2) }));
  const avoid = [{ x: 0, y: 30, width: 90, height: 12 }];
  const placed = placeLabels(anchors, { width: 320, height: 250, avoid });
  assert.equal(placed.length, 10);
  for (const [i, a] of placed.entries()) {
    for (const b of placed.slice(i + 1)) assert.ok(!overlaps(a.box, b.box), `${a.name} and ${b.name} overlap`);
    for (const p of anchors) {
      assert.ok(!overlaps(a.box, { x: p.x - 5, y: p.y - 5, width: 10, height: 10 }), `${a.name} covers the point of ${p.name}`);
    }
    assert.ok(!overlaps(a.box, avoid[0]), `${a.name} covers the H(Y) text`);
    assert.ok(a.box.x >= 0 && a.box.y >= 0 && a.box.x + a.box.width <= 320, `${a.name} inside the plot`);
  }
  // The first sits right beside its point; some needed a leader line.
  assert.equal(placed[0].leader, false);
  assert.ok(placed.some((p) => p.leader));
});

test('a lone point keeps its label to its right; at the right edge it goes left', () => {
  const [right] = placeLabels([{ name: 'Z', x: 100, y: 100 }], { width: 320, height: 250 });
  assert.ok(right.box.x > 100 && !right.leader, JSON.stringify(right));
  const [left] = placeLabels([{ name: 'T5', x: 318, y: 100 }], { width: 320, height: 250 });
  assert.ok(left.box.x + left.box.width < 318, JSON.stringify(left));
});

// Experiments in words (www/src/describe.js): numbers written short in
// labels, and the line a shared link opens with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeExperiment, numberText, shortNumber } from '../../www/src/describe.js';
import { setDefaults } from '../../www/src/link-values.js';

test('numbers are written short: exponents below 0.1, decimals above', () => {
  assert.deepEqual(
    ['0.01', '0.001', '1e-4', '0.00025', '0.05', '0.5', '2', '0', '1e-06', '123456'].map(shortNumber),
    ['1e-2', '1e-3', '1e-4', '2.5e-4', '5e-2', '0.5', '2', '0', '1e-6', '1.235e5'],
  );
});

test('the controls\' boxes write numbers one way and keep every digit', () => {
  const texts = ['0.01', '0.001', '1e-3', '0.0042', '0.00123456', '0.2', '1e+0', '12', '0', '', 'abc'];
  assert.deepEqual(texts.map(numberText), ['1e-2', '1e-3', '1e-3', '4.2e-3', '1.23456e-3', '0.2', '1', '12', '0', '', 'abc']);
  for (const t of texts.slice(0, 9)) assert.equal(Number(numberText(t)), Number(t), `${t} reads back the same`);
});

test('a link is described by its data, β, encoder and code', () => {
  setDefaults([
    { name: 'data', default: 'circle' }, { name: 'beta', default: '0.001' }, { name: 'hidden', default: '16,16' },
    { name: 'act', default: 'tanh' }, { name: 'k', default: '2' }, { name: 'objective', default: 'vib' },
  ]);
  assert.equal(describeExperiment('v=1&data=moons&hidden=8&k=3&beta=1e-3'), 'moons data, β = 1e-3, a tanh encoder (8 units) into a 3-dimensional code');
  assert.equal(describeExperiment('v=1&act=relu&k=1&beta=0.5&objective=sqib'), 'circle data, β = 0.5, a relu encoder (16-16 units) into a 1-dimensional code (sqib)');
});

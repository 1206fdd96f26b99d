// The benchmark page cannot rot: one step of each engine on each case and
// device (this engine, TensorFlow.js and jax-js; WebGPU and WebAssembly), and a cold
// first step. The figures themselves are never asserted: only that every
// engine trained, read a finite loss back and got a rate.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from './harness.mjs';
import { benchPage } from './bench.mjs';

let server;
before(async () => { server = await serve(); });
after(async () => { await server?.close(); });

test('the benchmark page runs every case on every engine and device', async () => {
  const result = await benchPage(server.url, '?quick=1');
  assert.equal(result.error, undefined, result.error);
  assert.deepEqual(result.console_errors, []);
  const failed = result.results.filter((r) => r.error);
  assert.deepEqual(failed, [], JSON.stringify(failed));
  const seen = result.results.map((r) => `${r.case}/${r.engine}`).sort();
  const want = [];
  for (const c of ['a', 'b', 'c']) {
    for (const e of ['ours-wasm', 'ours-webgpu', 'tfjs-wasm', 'tfjs-webgpu', 'jaxjs-wasm', 'jaxjs-webgpu']) want.push(`${c}/${e}`);
  }
  assert.deepEqual(seen, want.sort());
  for (const r of result.results) {
    assert.ok(Number.isFinite(r.steps_per_s) && r.steps_per_s > 0, `${r.case}/${r.engine}: ${r.steps_per_s}`);
    if (r.engine.startsWith('ours')) {
      for (const peer of ['tfjs', 'jaxjs']) {
        const ratio = r.ratios?.[peer];
        assert.ok(Number.isFinite(ratio) && ratio > 0, `${r.case}/${r.engine} ratio to ${peer}: ${ratio}`);
      }
    }
  }
  const labels = new Set(result.results.map((r) => r.label));
  assert.ok([...labels].some((l) => l.startsWith('TensorFlow.js 4.22')), [...labels].join(', '));
  assert.ok([...labels].some((l) => l.startsWith('jax-js 0.1.25')), [...labels].join(', '));
});

test('a cold page times its first step', async () => {
  const result = await benchPage(server.url, '?cold=ours-webgpu&case=b');
  assert.equal(result.error, undefined, result.error);
  const [cold] = result.results;
  assert.equal(cold.engine, 'ours-webgpu');
  assert.ok(cold.first_step_after_load_ms > 0 && cold.first_step_after_load_ms < 120_000, String(cold.first_step_after_load_ms));
  // The start's phases took time (a cold page compiles its WebAssembly and
  // builds a session) and both lie within the time to the first step.
  const { wasm_ms: wasm, session_ms: session } = cold.phases;
  assert.ok(wasm > 0 && session > 0, `phases ${JSON.stringify(cold.phases)}`);
  assert.ok(wasm + session < cold.first_step_after_load_ms, `phases ${wasm} + ${session} ms within ${cold.first_step_after_load_ms} ms`);
});

// The page's backend choice with stand-in sessions: which backend wins for
// given measured rates, what the status line says, what is remembered and
// what is freed. The page test covers the real thing on SwiftShader, where
// the CPU wins; this covers a real GPU winning and the forced cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSession } from '../../www/src/backend-choice.js';

function sessions(rates, { gpuError } = {}) {
  const made = [];
  const create = async (kind) => {
    if (kind === 'gpu' && gpuError) throw new Error(gpuError);
    const session = {
      kind,
      parameters: 1234,
      freed: false,
      timed: 0,
      info: () => ({ name: 'circle' }),
      stepsPerSecond: async () => { session.timed += 1; return rates[kind]; },
      free: () => { session.freed = true; },
    };
    made.push(session);
    return session;
  };
  return { create, made };
}

const GPU = { name: 'nvidia h200' };

test('a faster GPU wins, the CPU session is freed, and the reason says so in words', async () => {
  const { create, made } = sessions({ gpu: 900, cpu: 60 });
  const chosen = await openSession(create, 'auto', GPU, new Map(), 'run');
  assert.equal(chosen.session.kind, 'gpu');
  assert.equal(chosen.backend, 'WebGPU — nvidia h200');
  assert.equal(chosen.why, 'faster than the CPU for this model (both timed)');
  assert.deepEqual(made.map((s) => [s.kind, s.freed]), [['cpu', true], ['gpu', false]]);
});

test('a slower GPU loses: the CPU trains and the reason names the adapter', async () => {
  const { create, made } = sessions({ gpu: 40, cpu: 100 });
  const chosen = await openSession(create, 'auto', GPU, new Map(), 'run');
  assert.equal(chosen.session.kind, 'cpu');
  assert.equal(chosen.why, 'faster than this WebGPU adapter (nvidia h200) for this model (both timed)');
  assert.deepEqual(made.map((s) => [s.kind, s.freed]), [['cpu', false], ['gpu', true]]);
});

test('an emulated adapter is called one, so the choice is not read as a slow GPU', async () => {
  const { create } = sessions({ gpu: 40, cpu: 840 });
  const chosen = await openSession(create, 'auto', { name: 'google swiftshader', software: true }, new Map(), 'run');
  assert.equal(chosen.why, 'faster than this WebGPU adapter (google swiftshader, a GPU emulated on the CPU) for this model (both timed)');
});

test('a decision is remembered per model and kind: the second open times nothing', async () => {
  const decisions = new Map();
  const first = sessions({ gpu: 40, cpu: 100 });
  await openSession(first.create, 'auto', GPU, decisions, 'run');
  const again = sessions({ gpu: 40, cpu: 100 });
  const chosen = await openSession(again.create, 'auto', GPU, decisions, 'run');
  assert.equal(chosen.session.kind, 'cpu');
  assert.equal(again.made.length, 1, 'only the CPU session is made');
  assert.equal(again.made[0].timed, 0);
  // A sweep of the same model is a different question.
  const sweep = sessions({ gpu: 400, cpu: 100 });
  const swept = await openSession(sweep.create, 'auto', GPU, decisions, 'sweep');
  assert.equal(swept.session.kind, 'gpu');
  assert.equal(swept.why, 'faster than the CPU for this model (both timed)');
});

test('?backend=cpu and ?backend=gpu are obeyed without timing', async () => {
  const cpu = sessions({ gpu: 900, cpu: 1 });
  const forcedCpu = await openSession(cpu.create, 'cpu', GPU, new Map(), 'run');
  assert.equal(forcedCpu.session.kind, 'cpu');
  assert.equal(forcedCpu.why, 'the CPU was chosen (?backend=cpu)');
  const gpu = sessions({ gpu: 1, cpu: 900 });
  const forcedGpu = await openSession(gpu.create, 'gpu', GPU, new Map(), 'run');
  assert.equal(forcedGpu.session.kind, 'gpu');
  assert.equal(gpu.made.length, 1);
  assert.equal(gpu.made[0].timed, 0);
});

test('a GPU that cannot hold the model or is missing leaves the CPU with the reason', async () => {
  const tooLarge = sessions({ cpu: 10 }, { gpuError: 'the model is too large for this GPU: it needs max_buffer_size >= 999' });
  const chosen = await openSession(tooLarge.create, 'auto', GPU, new Map(), 'run');
  assert.equal(chosen.session.kind, 'cpu');
  assert.match(chosen.why, /too large for this GPU: it needs max_buffer_size >= 999/);
  const forced = await openSession(tooLarge.create, 'gpu', GPU, new Map(), 'run');
  assert.equal(forced.session.kind, 'cpu');
  const none = sessions({ cpu: 10 });
  const missing = await openSession(none.create, 'auto', { reason: 'this browser has no WebGPU' }, new Map(), 'run');
  assert.equal(missing.session.kind, 'cpu');
  assert.equal(missing.why, 'this browser has no WebGPU');
  assert.equal(none.made.length, 1);
});

// The benchmark page: each case, on each device, trains this engine,
// TensorFlow.js and jax-js in turn (A B C A B C) after a warm-up, and
// reports the median training steps per second and our ratio to each. Query:
//   ?cases=a,b,c   which cases (default all)
//   ?rounds=N      alternations after the warm-up (default 3)
//   ?block_ms=MS   target length of one timed block (default 1500)
//   ?quick=1       one step per engine per case (the CI smoke test)
//   ?link=LINK     this engine alone on any experiment (steps/s on both
//                  devices; no peer): for finding where the time goes
//   ?peers=tfjs,jaxjs  which peers (default both)
//   ?cold=ENGINE&case=ID  time from page load to the first step (and its
//                  loss) of one engine alone: ours-webgpu, ours-wasm,
//                  tfjs-webgpu, tfjs-wasm, jaxjs-webgpu or jaxjs-wasm
// Results: the table, and JSON in #json and window.benchResult.
import { CASES, PAIRS } from './cases.js';

const query = new URLSearchParams(location.search);
const quick = query.get('quick') === '1';
const rounds = quick ? 1 : Math.max(1, Number(query.get('rounds') ?? 3));
const blockMs = Number(query.get('block_ms') ?? 1500);
const wanted = (query.get('cases') ?? 'a,b,c').split(',');
const peers = (query.get('peers') ?? 'tfjs,jaxjs').split(',');
const status = document.getElementById('status');
const body = document.querySelector('#table tbody');

const say = (text) => { status.textContent = text; };

async function engine(name, c) {
  const ours = await import('./ours.js');
  if (name.startsWith('ours')) return ours.create(c, name === 'ours-webgpu' ? 'gpu' : 'cpu');
  const data = await ours.caseData(c);
  const peer = name.startsWith('jaxjs') ? await import('./jaxjs.js') : await import('./tfjs.js');
  return peer.create(c, name.endsWith('webgpu') ? 'webgpu' : 'wasm', data);
}

/** Trains `n` steps, reading the loss back every report interval; ms. */
async function timed(e, n, every) {
  const t0 = performance.now();
  let loss = NaN;
  for (let done = 0; done < n;) {
    const count = Math.min(every, n - done);
    loss = await e.steps(count);
    done += count;
  }
  const ms = performance.now() - t0;
  if (!Number.isFinite(loss)) throw new Error(`the loss is ${loss}`);
  return ms;
}

/** Warm-up: the first step, then a second one to size a ~blockMs block. */
async function warmUp(e) {
  const t0 = performance.now();
  await timed(e, 1, 1);
  const firstMs = performance.now() - t0;
  const oneMs = await timed(e, 1, 1);
  const steps = quick ? 1 : Math.max(1, Math.min(20_000, Math.round(blockMs / Math.max(oneMs, 1e-3))));
  return { firstMs, steps };
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

function row(cells) {
  const tr = document.createElement('tr');
  for (const cell of cells) {
    const td = document.createElement('td');
    td.textContent = cell;
    tr.append(td);
  }
  body.append(tr);
}

async function comparePair(c, pair) {
  const names = [pair.ours, ...pair.peers.filter((n) => peers.includes(n.split('-')[0]))];
  const engines = [];
  const results = [];
  for (const name of names) {
    say(`case ${c.id}: starting ${name}…`);
    const t0 = performance.now();
    const e = await engine(name, c);
    const createdMs = performance.now() - t0;
    const { firstMs: stepMs, steps } = await warmUp(e);
    const firstMs = createdMs + stepMs;
    engines.push(e);
    results.push({ case: c.id, model: c.name, device: pair.device, engine: name, label: e.label, warm_first_step_ms: firstMs, block_steps: steps, rates: [] });
  }
  for (let r = 0; r < rounds; r += 1) {
    for (let i = 0; i < engines.length; i += 1) {
      say(`case ${c.id} ${pair.device}: round ${r + 1} of ${rounds}, ${names[i]}`);
      const n = results[i].block_steps;
      const ms = await timed(engines[i], n, Math.min(c.reportEvery, n));
      results[i].rates.push(n / (ms / 1000));
    }
  }
  for (const e of engines) e.dispose();
  for (const res of results) res.steps_per_s = median(res.rates);
  const [ours, ...others] = results;
  // ratio: ours / TensorFlow.js (as before); ratios: ours / each peer.
  ours.ratios = Object.fromEntries(others.map((o) => [o.engine.split('-')[0], ours.steps_per_s / o.steps_per_s]));
  ours.ratio = ours.ratios.tfjs;
  for (const res of results) {
    const ratios = res.ratios ? Object.entries(res.ratios).map(([k, r]) => `${r.toFixed(2)}x ${k}`).join(', ') : '';
    row([
      `(${c.id}) ${c.name}`, pair.device, res.label, res.steps_per_s.toPrecision(4),
      res.rates.map((v) => v.toPrecision(3)).join(' '), res.warm_first_step_ms.toFixed(0), ratios,
    ]);
  }
  return results;
}

async function cold(name, id) {
  const c = CASES.find((x) => x.id === id);
  if (!c) throw new Error(`no case '${id}' (cases: ${CASES.map((x) => x.id).join(', ')})`);
  const e = await engine(name, c);
  await timed(e, 1, 1);
  // performance.now() counts from navigation start: page load to first step.
  const result = { case: c.id, engine: name, label: e.label, first_step_after_load_ms: performance.now(), phases: e.phases };
  e.dispose();
  row([`(${c.id}) ${c.name}`, name.includes('webgpu') ? 'gpu' : 'cpu', result.label, '', '', result.first_step_after_load_ms.toFixed(0), '']);
  return [result];
}

/** This engine alone on the experiment of `link`, on both devices. */
async function custom(link) {
  const params = new URLSearchParams(link);
  const c = { id: 'link', name: link, link, reportEvery: Number(params.get('report')) || 100 };
  const results = [];
  for (const name of ['ours-webgpu', 'ours-wasm']) {
    const e = await engine(name, c);
    const { steps: n } = await warmUp(e);
    const rates = [];
    for (let r = 0; r < rounds; r += 1) rates.push(n / ((await timed(e, n, Math.min(c.reportEvery, n))) / 1000));
    e.dispose();
    const res = { case: 'link', model: link, device: name.includes('webgpu') ? 'gpu' : 'cpu', engine: name, label: e.label, rates, steps_per_s: median(rates) };
    row([link, res.device, res.label, res.steps_per_s.toPrecision(4), rates.map((v) => v.toPrecision(3)).join(' '), '', '']);
    results.push(res);
  }
  return results;
}

async function run() {
  if (query.get('link')) return custom(query.get('link'));
  const coldEngine = query.get('cold');
  if (coldEngine) return cold(coldEngine, query.get('case') ?? 'b');
  const all = [];
  for (const c of CASES.filter((x) => wanted.includes(x.id))) {
    for (const pair of PAIRS) {
      try {
        all.push(...(await comparePair(c, pair)));
      } catch (error) {
        const message = String(error?.message ?? error);
        all.push({ case: c.id, device: pair.device, error: message });
        row([`(${c.id}) ${c.name}`, pair.device, 'failed', message, '', '', '']);
      }
    }
  }
  return all;
}

run().then((results) => {
  window.benchResult = { userAgent: navigator.userAgent, date: new Date().toISOString(), quick, rounds, results };
  document.getElementById('json').textContent = JSON.stringify(window.benchResult, null, 1);
  say('done');
}, (error) => {
  window.benchResult = { error: String(error?.message ?? error) };
  say(`failed: ${window.benchResult.error}`);
});

// The figures and tables of REPRODUCTIONS.md, from the runs' JSON lines:
//   node scripts/figures.mjs plane   results/plane/*.jsonl -> docs/figures/var_u-plane.png
//                                    and the start / peak / end table
//   node scripts/figures.mjs ib      runs `ibp ib-curve` -> docs/figures/exact-ib.png
//   node scripts/figures.mjs mnist   results/mnist/*.jsonl -> the error-vs-beta
//                                    table and docs/figures/mnist-vib.png
//   node scripts/figures.mjs mnist-epochs  results/mnist/*.csv (the long runs'
//                                    per-epoch logs) -> docs/figures/mnist-epochs.csv,
//                                    docs/figures/mnist-epochs.png and their table
// Plots are SVG drawn here and rendered to PNG by headless Chromium.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { launch } from '../tests/e2e/harness.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = `${ROOT}docs/figures`;
const COLORS = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#444444', '#e6ab02'];

const jsonl = (file) => readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

/** A chart: axes with ticks and labels, series of polylines or points. */
let clips = 0;
function chart({ x, y, width = 460, height = 340, title, xLabel, yLabel, series, logX = false, legendAt = 'br', yTicks = 5 }) {
  const m = { l: 56, r: 12, t: 28, b: 44 };
  const w = width - m.l - m.r;
  const h = height - m.t - m.b;
  const fx = logX ? Math.log10 : (v) => v;
  const sx = (v) => m.l + ((fx(v) - fx(x[0])) / (fx(x[1]) - fx(x[0]))) * w;
  const sy = (v) => m.t + h - ((v - y[0]) / (y[1] - y[0])) * h;
  const ticks = (lo, hi, n, log) => {
    if (log) {
      const out = [];
      for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e += 1) out.push(10 ** e);
      return out;
    }
    const step = (hi - lo) / n;
    return Array.from({ length: n + 1 }, (_, i) => lo + i * step);
  };
  const fmt = (v, log) => (log ? `1e${Math.round(Math.log10(v))}` : Number(v.toFixed(2)).toString());
  let svg = `<g font-family="sans-serif" font-size="11">`;
  svg += `<text x="${m.l + w / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${title}</text>`;
  svg += `<rect x="${m.l}" y="${m.t}" width="${w}" height="${h}" fill="none" stroke="#999"/>`;
  for (const t of ticks(x[0], x[1], 5, logX)) {
    svg += `<line x1="${sx(t)}" x2="${sx(t)}" y1="${m.t + h}" y2="${m.t + h + 4}" stroke="#333"/>`;
    svg += `<text x="${sx(t)}" y="${m.t + h + 16}" text-anchor="middle">${fmt(t, logX)}</text>`;
  }
  for (const t of ticks(y[0], y[1], yTicks, false)) {
    svg += `<line x1="${m.l - 4}" x2="${m.l}" y1="${sy(t)}" y2="${sy(t)}" stroke="#333"/>`;
    svg += `<text x="${m.l - 6}" y="${sy(t) + 4}" text-anchor="end">${fmt(t, false)}</text>`;
  }
  svg += `<text x="${m.l + w / 2}" y="${height - 8}" text-anchor="middle">${xLabel}</text>`;
  svg += `<text transform="translate(14 ${m.t + h / 2}) rotate(-90)" text-anchor="middle">${yLabel}</text>`;
  // Series stay inside the axes (a run's first epochs may start off the scale).
  clips += 1;
  svg += `<clipPath id="axes${clips}"><rect x="${m.l}" y="${m.t}" width="${w}" height="${h}"/></clipPath><g clip-path="url(#axes${clips})">`;
  for (const s of series) {
    const pts = s.points.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
    if (s.dots) {
      for (const [a, b] of pts) svg += `<circle cx="${sx(a)}" cy="${sy(b)}" r="${s.r ?? 2.5}" fill="${s.color}" opacity="${s.opacity ?? 1}"/>`;
    } else {
      const d = pts.map(([a, b], i) => `${i ? 'L' : 'M'}${sx(a).toFixed(1)},${sy(b).toFixed(1)}`).join('');
      svg += `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1.2}" opacity="${s.opacity ?? 1}" ${s.dash ? `stroke-dasharray="${s.dash}"` : ''}/>`;
    }
  }
  svg += '</g>';
  const legends = series.filter((q) => q.legend);
  let ly = legendAt === 'br' ? m.t + h - 14 * legends.length + 4 : m.t + 12;
  const lx = legendAt.endsWith('r') ? m.l + w - 170 : m.l + 10;
  for (const s of legends) {
    svg += `<rect x="${lx}" y="${ly - 8}" width="10" height="10" fill="${s.color}"/><text x="${lx + 14}" y="${ly + 1}">${s.legend}</text>`;
    ly += 14;
  }
  return { svg: `${svg}</g>`, width, height };
}

/** Charts side by side, rendered to a PNG by Chromium. */
async function render(file, charts) {
  mkdirSync(OUT, { recursive: true });
  const width = charts.reduce((s, c) => s + c.width, 0);
  const height = Math.max(...charts.map((c) => c.height));
  let x = 0;
  const body = charts.map((c) => { const g = `<g transform="translate(${x} 0)">${c.svg}</g>`; x += c.width; return g; }).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" style="background:#fff">${body}</svg>`;
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 2 });
    await page.setContent(`<html><body style="margin:0;background:#fff">${svg}</body></html>`);
    await page.locator('svg').screenshot({ path: `${OUT}/${file}` });
  } finally {
    await browser.close();
  }
  console.log(`wrote docs/figures/${file}`);
}

async function plane() {
  const dir = `${ROOT}results/plane`;
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const runs = files.map((f) => {
    const [act, seed] = f.replace('.jsonl', '').split('-seed');
    return { act, seed: Number(seed), reports: jsonl(`${dir}/${f}`).filter((r) => !r.final && r.layers) };
  });
  const charts = [];
  for (const act of ['tanh', 'relu']) {
    const mine = runs.filter((r) => r.act === act);
    if (!mine.length) continue;
    const series = [];
    const names = mine[0].reports[0].layers.map((l) => l.layer);
    names.forEach((name, li) => {
      mine.forEach((run, ri) => {
        series.push({
          color: COLORS[li % COLORS.length], opacity: 0.75, width: 1,
          points: run.reports.map((r) => [r.layers[li].ixt_bits, r.layers[li].ity_bits]),
          legend: ri === 0 ? name.replace('encoder ', 'T') : undefined,
        });
        // The end of training, as a dot.
        const last = run.reports[run.reports.length - 1].layers[li];
        series.push({ color: COLORS[li % COLORS.length], dots: true, r: 3, points: [[last.ixt_bits, last.ity_bits]] });
      });
    });
    charts.push(chart({
      title: `var_u, ${act}: ${mine.length} seeds, 1000 epochs (dots: the end)`, x: [0, 12], y: [0, 1.02], legendAt: 'tl',
      xLabel: 'I(X;T) bits (binning, 30 bins)', yLabel: 'I(T;Y) bits', series,
    }));
  }
  await render('var_u-plane.png', charts);
  console.log('\n| run | T4 I(X;T): start -> peak (epoch) -> end | T5 I(X;T): start -> peak (epoch) -> end | I(T5;Y) at the end |');
  console.log('|---|---|---|---|');
  const summary = { tanh: { t4: [], t5: [] }, relu: { t4: [], t5: [] } };
  for (const run of runs) {
    const cell = (li) => {
      const v = run.reports.map((r) => [r.layers[li].ixt_bits, r.epoch]);
      const peak = v.reduce((b, c) => (c[0] > b[0] ? c : b));
      const [start, end] = [v[0][0], v[v.length - 1][0]];
      return { text: `${start.toFixed(2)} -> ${peak[0].toFixed(2)} (${Math.round(peak[1])}) -> ${end.toFixed(2)}`, drop: peak[0] - end };
    };
    const [t4, t5] = [cell(3), cell(4)];
    summary[run.act]?.t4.push(t4.drop);
    summary[run.act]?.t5.push(t5.drop);
    const last = run.reports[run.reports.length - 1];
    console.log(`| ${run.act}, seed ${run.seed} | ${t4.text} | ${t5.text} | ${last.layers[4].ity_bits.toFixed(2)} |`);
  }
  for (const [act, s] of Object.entries(summary)) {
    if (!s.t5.length) continue;
    const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
    console.log(`\n${act}: peak - end of I(X;T), mean over seeds: T4 ${mean(s.t4).toFixed(2)} bits, T5 ${mean(s.t5).toFixed(2)} bits; runs whose T5 lost > 0.2 bits: ${s.t5.filter((d) => d > 0.2).length} of ${s.t5.length}`);
  }
}

async function ib() {
  const ibp = `${ROOT}target/release/ibp`;
  const tmp = `${ROOT}results/ib`;
  mkdirSync(tmp, { recursive: true });
  writeFileSync(`${tmp}/dsbs.csv`, '0.45,0.05\n0.05,0.45\n');
  writeFileSync(`${tmp}/three.csv`, '1,0,1\n0,0,1\n0,1,1\n');
  const curve = (file) => JSON.parse(execFileSync(ibp, ['ib-curve', '--pxy', file, '--betas', '1.01:200:60']));
  const dsbs = curve(`${tmp}/dsbs.csv`);
  const three = curve(`${tmp}/three.csv`);
  const h = (p) => (p <= 0 || p >= 1 ? 0 : -p * Math.log2(p) - (1 - p) * Math.log2(1 - p));
  const hInv = (v) => { let lo = 0; let hi = 0.5; for (let i = 0; i < 60; i += 1) { const mid = (lo + hi) / 2; if (h(mid) < v) lo = mid; else hi = mid; } return (lo + hi) / 2; };
  const p = 0.1;
  const conv = (a, b) => a * (1 - b) + b * (1 - a);
  const analytic = Array.from({ length: 101 }, (_, i) => { const ixt = i / 100; return [ixt, 1 - h(conv(p, hInv(1 - ixt)))]; });
  const a = chart({
    title: 'Doubly symmetric binary source, p = 0.1', x: [0, 1], y: [0, 0.6], xLabel: 'I(X;T) bits', yLabel: 'I(T;Y) bits',
    series: [
      { color: '#999', width: 3, points: analytic, legend: 'analytic' },
      { color: '#d95f02', dots: true, points: dsbs.points.map((q) => [q.ixt_bits, q.ity_bits]), legend: 'ibp ib-curve' },
    ],
  });
  const published = [[0.8, 0.4], [1.5129, 0.5702], [1.5219, 0.5710]];
  const b = chart({
    title: 'The 3x3 example (uniform over 5 cells)', x: [0, 1.6], y: [0, 0.6], xLabel: 'I(X;T) bits', yLabel: 'I(T;Y) bits',
    series: [
      { color: '#7570b3', width: 1.5, points: three.points.map((q) => [q.ixt_bits, q.ity_bits]), legend: 'ibp ib-curve hull' },
      { color: '#e7298a', dots: true, r: 4, points: published, legend: 'published points' },
    ],
  });
  await render('exact-ib.png', [a, b]);
}

async function mnist() {
  const dir = `${ROOT}results/mnist`;
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl') && !f.includes('-seed-'));
  const rows = files.map((f) => {
    const reports = jsonl(`${dir}/${f}`);
    const last = reports.filter((r) => !r.final).pop() ?? reports.pop();
    return { beta: Number(f.replace('beta-', '').replace('.jsonl', '')), last, reports };
  }).filter((r) => r.last).sort((x, y) => x.beta - y.beta);
  console.log('| beta | epochs | test error, 12 samples | test error, 1 sample | rate (bits) | I(Z;Y) bound (bits) | train accuracy |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const { beta, last } of rows) {
    const pct = (acc) => `${((1 - acc) * 100).toFixed(2)} %`;
    console.log(`| ${beta === 0 ? '0 (no noise)' : beta} | ${last.epoch.toFixed(0)} | ${pct(last.test_acc)} | ${pct(last.test_acc_single)} | ${last.rate_bits.toFixed(1)} | ${last.izy_bits.toFixed(3)} | ${(last.train_acc * 100).toFixed(2)} % |`);
  }
  const noisy = rows.filter((r) => r.beta > 0);
  if (!noisy.length) return;
  const errors = (key) => noisy.map((r) => [r.beta, (1 - r.last[key]) * 100]);
  const top = Math.max(5, ...errors('test_acc_single').map(([, e]) => e)) * 1.1;
  const err = chart({
    title: 'VIB on MNIST: test error vs beta', x: [1e-6, 1e-1], y: [0, top], logX: true, legendAt: 'tl',
    xLabel: 'beta', yLabel: 'test error %',
    series: [
      { color: '#d95f02', points: errors('test_acc'), legend: '12 samples' },
      { color: '#d95f02', dots: true, points: errors('test_acc') },
      { color: '#7570b3', points: errors('test_acc_single'), legend: '1 sample' },
      { color: '#7570b3', dots: true, points: errors('test_acc_single') },
      { color: '#1b9e77', dots: true, r: 4, points: [[1e-3, 1.13]], legend: 'paper (200 epochs)' },
    ],
  });
  const rate = chart({
    title: 'Rate vs beta', x: [1e-6, 1e-1], y: [0, 3.2], logX: true, legendAt: 'br',
    xLabel: 'beta', yLabel: 'log10 of the rate in bits',
    series: [
      { color: '#7570b3', points: noisy.map((r) => [r.beta, Math.log10(r.last.rate_bits)]), legend: 'rate (upper bound on I(X;Z))' },
      { color: '#7570b3', dots: true, points: noisy.map((r) => [r.beta, Math.log10(r.last.rate_bits)]) },
    ],
  });
  const izy = chart({
    title: 'I(Z;Y) bound vs beta', x: [1e-6, 1e-1], y: [2.5, 3.4], logX: true, legendAt: 'br',
    xLabel: 'beta', yLabel: 'bits',
    series: [
      { color: '#e7298a', points: noisy.map((r) => [r.beta, r.last.izy_bits]), legend: 'I(Z;Y) lower bound' },
      { color: '#e7298a', dots: true, points: noisy.map((r) => [r.beta, r.last.izy_bits]) },
      { color: '#999', dash: '4 3', points: [[1e-6, Math.log2(10)], [1e-1, Math.log2(10)]], legend: 'H(Y) = log2 10' },
    ],
  });
  await render('mnist-vib.png', [err, rate, izy]);
}

/** The long runs' logs (`ibp train --log`): one run per file, a row per epoch. */
function epochLogs(dir) {
  const files = readdirSync(dir).filter((f) => /^beta-.*\.csv$/.test(f)).sort();
  return files.map((f) => {
    const [, beta, seed] = f.match(/^beta-(.+?)(?:-seed-(\d+))?\.csv$/);
    const [head, ...lines] = readFileSync(`${dir}/${f}`, 'utf8').trim().split('\n');
    const keys = head.split(',');
    const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i], v])))
      .filter((r) => r.final !== 'true' && r.step !== '0')
      .map((r) => ({
        epoch: Number(r.epoch), step: Number(r.step), lr: Number(r.lr),
        err: Number(r.test_error_pct), err1: Number(r.test_error_single_pct),
        rate: r.rate_bits === '' ? NaN : Number(r.rate_bits), izy: Number(r.izy_bits),
        trainAcc: Number(r.train_acc), seconds: Number(r.seconds),
      }));
    return { name: f.replace('.csv', ''), beta: Number(beta), seed: Number(seed ?? 1), rows };
  }).filter((r) => r.rows.length).sort((a, b) => (a.beta - b.beta) || (a.seed - b.seed));
}

async function mnistEpochs() {
  const runs = epochLogs(`${ROOT}results/mnist`);
  mkdirSync(OUT, { recursive: true });
  const csv = ['run,beta,seed,epoch,step,test_error_pct,test_error_single_pct,rate_bits,izy_bits,train_acc,lr,seconds'];
  for (const r of runs) {
    for (const q of r.rows) {
      csv.push([r.name, r.beta, r.seed, q.epoch, q.step, q.err, q.err1, Number.isNaN(q.rate) ? '' : q.rate, q.izy, q.trainAcc, q.lr, q.seconds].join(','));
    }
  }
  writeFileSync(`${OUT}/mnist-epochs.csv`, `${csv.join('\n')}\n`);
  console.log('wrote docs/figures/mnist-epochs.csv');
  console.log('| run | epochs | test error, 12 samples | mean of its last 10 epochs | 1 sample | rate (bits) | I(Z;Y) bound (bits) | train accuracy | hours |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  const tail = (r) => r.rows.slice(-10).reduce((s, q) => s + q.err, 0) / Math.min(10, r.rows.length);
  for (const r of runs) {
    const q = r.rows.at(-1);
    const rate = Number.isNaN(q.rate) || r.beta === 0 ? '(no noise)' : q.rate.toFixed(1);
    console.log(`| beta ${r.beta}, seed ${r.seed} | ${q.epoch} | ${q.err.toFixed(2)} % | ${tail(r).toFixed(2)} % | ${q.err1.toFixed(2)} % | ${rate} | ${q.izy.toFixed(3)} | ${(q.trainAcc * 100).toFixed(2)} % | ${(q.seconds / 3600).toFixed(2)} |`);
  }
  const seeds = runs.filter((r) => r.beta === 1e-3);
  if (seeds.length > 1) {
    const epoch = Math.min(...seeds.map((r) => r.rows.at(-1).epoch));
    const at = seeds.map((r) => r.rows.find((q) => q.epoch === epoch));
    const mean = (f) => at.reduce((s, q) => s + f(q), 0) / at.length;
    console.log(`| beta 0.001, mean of ${seeds.length} seeds at epoch ${epoch} | ${epoch} | ${mean((q) => q.err).toFixed(2)} % | | ${mean((q) => q.err1).toFixed(2)} % | ${mean((q) => q.rate).toFixed(1)} | ${mean((q) => q.izy).toFixed(3)} | | |`);
  }
  const last = Math.max(...runs.map((r) => r.rows.at(-1).epoch));
  const x = [0, Math.max(200, last)];
  const line = (r, f) => r.rows.map((q) => [q.epoch, f(q)]);
  const label = (r) => (r.beta === 0 ? 'baseline (z = mu)' : `beta ${r.beta}, seed ${r.seed}`);
  const err = chart({
    title: 'Test error (12 samples) by epoch', x, y: [0.8, 2.4], yTicks: 8, legendAt: 'tr', xLabel: 'epoch', yLabel: 'test error %',
    series: [
      ...runs.map((r, i) => ({ color: COLORS[i], points: line(r, (q) => q.err), legend: label(r) })),
      { color: '#444', dash: '5 3', points: [[0, 1.13], [200, 1.13]], legend: 'paper, beta 1e-3: 1.13 %' },
      { color: COLORS[0], dash: '5 3', points: [[0, 1.38], [200, 1.38]], legend: 'paper, baseline: 1.38 %' },
      { color: '#999', dash: '2 3', points: [[0, 1.3], [200, 1.3]], legend: 'target: 1.30 %' },
    ],
  });
  const noisy = runs.filter((r) => r.beta > 0);
  const rate = chart({
    title: 'Rate by epoch', x, y: [0, 100], legendAt: 'tr', xLabel: 'epoch', yLabel: 'rate, bits',
    series: [
      ...noisy.map((r) => ({ color: COLORS[runs.indexOf(r)], points: line(r, (q) => q.rate), legend: label(r) })),
      { color: '#444', dash: '5 3', points: [[0, 22.2], [200, 22.2]], legend: "authors' notebook: 22.2" },
    ],
  });
  const izy = chart({
    title: 'I(Z;Y) bound by epoch', x, y: [3.0, 3.4], legendAt: 'br', xLabel: 'epoch', yLabel: 'bits',
    series: [
      ...runs.map((r, i) => ({ color: COLORS[i], points: line(r, (q) => q.izy), legend: label(r) })),
      { color: '#999', dash: '4 3', points: [[0, Math.log2(10)], [200, Math.log2(10)]], legend: 'H(Y) = log2 10' },
    ],
  });
  await render('mnist-epochs.png', [err, rate, izy]);
}

const what = process.argv[2];
const jobs = { plane, ib, mnist, 'mnist-epochs': mnistEpochs };
if (!jobs[what]) {
  console.error('usage: node scripts/figures.mjs plane|ib|mnist|mnist-epochs');
  process.exit(2);
}
if (what.startsWith('mnist') && !existsSync(`${ROOT}results/mnist`)) {
  console.error('no results/mnist: run scripts/reproduce-mnist.sh first');
  process.exit(2);
}
await jobs[what]();

// The matrix-product kernels on the browser's WebGPU adapter (SwiftShader
// here), which the page never picks for training on an emulated GPU, so
// this is where they are checked in a browser:
// - `window.playground.checkKernels()` runs every product kernel the engine
//   offers on the adapter against f64 sums, as `tests/gpu_parity.rs` does on
//   lavapipe: SwiftShader's 32 KiB of workgroup memory brings the wide tiles.
// - wgpu 30's WebGPU backend does not pass the `subgroups` feature through
//   (its feature table lacks it), so the engine cannot run
//   `matmul_subgroup.wgsl` in a browser yet; the second test runs that
//   shader by the browser's own WebGPU API on SwiftShader's 4-lane subgroups,
//   so its text passes the browser's compiler and uniformity rules and sums
//   right before the engine can reach it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { openPage, ready, servePageAndBrowser } from './harness.mjs';

const SHADERS = new URL('../../shaders/', import.meta.url);

let server;
let browser;
servePageAndBrowser((s, b) => { server = s; browser = b; });

test('every product kernel of the WebGPU adapter matches f64 sums', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu`);
  await ready(page);
  const report = await page.evaluate(() => window.playground.checkKernels());
  assert.equal(report.emulated, true, `adapter ${JSON.stringify(report.adapter)}`);
  // Chromium 156's SwiftShader: both optional kernels are offered (CI runs
  // this browser; a failure here means a kernel went unchecked).
  assert.equal(report.wide_tiles, true);
  // Through wgpu 30 the page gets no subgroups (above); when a wgpu release
  // passes them, this fails and the subgroup kernel joins the list.
  assert.equal(report.subgroup_size, null);
  assert.deepEqual(report.kernels, ['matmul', 'matmul_small', 'matmul_wide']);
  // 5 sizes x 3 kernels x 3 transposes.
  assert.equal(report.checks.length, 45);
  for (const check of report.checks) {
    assert.ok(check.worst <= 1, `${JSON.stringify(check)}`);
  }
  const wide = report.checks.filter((c) => c.kernel === 'matmul_wide').map((c) => c.shape);
  assert.ok(wide.includes('261x130x47'), `wide tiles checked on ${wide}`);
  assert.deepEqual(errors, []);
  await page.close();
});

/** The subgroup kernel's module as the engine builds it in a browser
 * (`Kernel::source` in src/gpu/kernels.rs): the directive, the libraries,
 * the kernel. */
async function subgroupModule() {
  const parts = ['math.wgsl', 'matmul_io.wgsl', 'matmul_subgroup.wgsl'];
  const texts = await Promise.all(parts.map((f) => readFile(new URL(f, SHADERS), 'utf8')));
  return `enable subgroups;\n${texts.join('')}`;
}

/** Runs matmul_subgroup on each case by the WebGPU API and returns, per
 * case, the largest error over the tolerance of `gpu::selfcheck` against
 * f64 sums (seeded values; a bias where A is not transposed). */
function runSubgroupProducts({ code, cases }) {
  return (async () => {
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter.features.has('subgroups')) return { subgroups: false };
    const size = adapter.info.subgroupMinSize;
    const device = await adapter.requestDevice({ requiredFeatures: ['subgroups'] });
    const module = device.createShaderModule({ label: 'matmul_subgroup', code });
    const messages = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
    if (messages.length) return { compile: messages.map((m) => m.message) };
    const storage = (usage) => ({ buffer: { type: usage } });
    const layout = device.createBindGroupLayout({
      label: 'matmul_subgroup check',
      entries: ['read-only-storage', 'read-only-storage', 'storage', 'storage'].map((type, binding) => (
        { binding, visibility: GPUShaderStage.COMPUTE, ...storage(type) }
      )).concat([{ binding: 4, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } }]),
    });
    let seed = 12345;
    const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 1073741824 - 1; };
    const worst = [];
    for (const { m, n, k, transA, transB } of cases) {
      const bias = !transA;
      const a = Float32Array.from({ length: m * k }, random);
      const b = Float32Array.from({ length: k * n + (bias ? n : 0) }, random);
      const make = (label, data, usage) => {
        const buffer = device.createBuffer({ label, size: Math.max(16, data.byteLength), usage, mappedAtCreation: true });
        new data.constructor(buffer.getMappedRange()).set(data);
        buffer.unmap();
        return buffer;
      };
      const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
      const buffers = [
        make('a', a, STORAGE), make('b', b, STORAGE),
        make('c', new Float32Array(m * n), STORAGE), make('post', new Float32Array(m * n), STORAGE),
        make('params', Uint32Array.from([m, n, k, 0, 0, 0, 0, 0, 0, k * n, 0, 0]), GPUBufferUsage.UNIFORM),
      ];
      const pipeline = device.createComputePipeline({
        label: 'matmul_subgroup check',
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: {
          module,
          entryPoint: 'matmul_subgroup',
          constants: { TRANS_A: Number(transA), TRANS_B: Number(transB), HAS_BIAS: Number(bias), ACT: 0, SUBGROUP_SIZE: size },
        },
      });
      const group = device.createBindGroup({
        label: 'matmul_subgroup check', layout,
        entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      const read = device.createBuffer({ label: 'read', size: 4 * m * n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const encoder = device.createCommandEncoder({ label: 'matmul_subgroup check' });
      const pass = encoder.beginComputePass({ label: 'matmul_subgroup check' });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(Math.ceil(m / 4) * Math.ceil(n / 8), 1, 1);
      pass.end();
      encoder.copyBufferToBuffer(buffers[2], 0, read, 0, 4 * m * n);
      device.queue.submit([encoder.finish()]);
      await read.mapAsync(GPUMapMode.READ);
      const c = new Float32Array(read.getMappedRange().slice(0));
      let ratio = 0;
      for (let i = 0; i < m; i += 1) {
        for (let j = 0; j < n; j += 1) {
          let sum = bias ? b[k * n + j] : 0;
          let magnitude = 0;
          for (let p = 0; p < k; p += 1) {
            const av = transA ? a[p * m + i] : a[i * k + p];
            const bv = transB ? b[j * k + p] : b[p * n + j];
            sum += av * bv;
            magnitude += Math.abs(av * bv);
          }
          const tol = 2 * k * 1.1920929e-7 * (magnitude + 1) + 1e-6;
          const r = Math.abs(c[i * n + j] - sum) / tol;
          ratio = Number.isNaN(r) ? Infinity : Math.max(ratio, r);
        }
      }
      worst.push(ratio);
    }
    device.destroy();
    return { subgroups: true, size, worst };
  })();
}

test('the subgroup product kernel compiles and sums right in the browser', async () => {
  const { page, errors } = await openPage(browser, `${server.url}?backend=cpu`);
  await ready(page);
  const cases = [];
  for (const [m, n, k] of [[1, 7, 63], [7, 65, 1], [63, 257, 65], [100, 64, 200], [13, 9, 4]]) {
    for (const [transA, transB] of [[false, false], [true, false], [false, true]]) {
      cases.push({ m, n, k, transA, transB });
    }
  }
  const result = await page.evaluate(runSubgroupProducts, { code: await subgroupModule(), cases });
  assert.equal(result.compile, undefined, `compile errors: ${result.compile}`);
  assert.equal(result.subgroups, true, 'SwiftShader offers subgroups');
  assert.equal(result.size, 4);
  assert.equal(result.worst.length, cases.length);
  result.worst.forEach((w, i) => assert.ok(w <= 1, `${JSON.stringify(cases[i])}: ${w}`));
  assert.deepEqual(errors, []);
  await page.close();
});

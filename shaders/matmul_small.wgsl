// matmul_small.wgsl: C = op(A) op(B) (+ bias) with the activation beside it,
// like matmul.wgsl (same bindings, parameters and override constants), with
// no workgroup memory and no barriers: each invocation keeps a 4 x 4 block
// of C in four vec4 accumulators and walks k directly, reading 4 values of
// op(A) and 4 of op(B) per step. Training computes its products with it on
// every adapter (`ops::matmul::training_kernel`; on a real GPU, tiny outputs
// over a long k go to matmul_subgroup.wgsl): on adapters that emulate a
// GPU on the CPU (SwiftShader, the browser's fallback adapter; lavapipe),
// where barriers are costly, it computes the 784-1024-1024 products 3.5-4x
// faster than the tiled kernel, and on an NVIDIA H200 (Vulkan) 14-31x
// faster than the tiled and 3-5x faster than the wide one (BENCHMARKS.md).
// Each element sums over k in order, as the tiled kernel's does. Rows and
// columns past the edge read a clamped (valid) address and are never stored.
// Bindings (f32, row-major, replica r at offset + r * stride):
//   0 a: op(A) is (m, k); stored (m, k), or (k, m) when TRANS_A
//   1 b: op(B) is (k, n); stored (k, n), or (n, k) when TRANS_B; the bias
//        (n) is read from b at bias_offset when HAS_BIAS
//   2 c: (m, n) output
//   3 post: (m, n) activation of c when ACT != 0 (same offsets as c)
//   4 p: MatmulParams
// Workgroup: 64 threads, one 4 x 4 block of C each (blocks row-major over
// ceil(m / 4) x ceil(n / 4)).
// Dispatch: (ceil(ceil(m / 4) * ceil(n / 4) / 64), 1, replicas).

// Overrides, MatmulParams, bindings and store_c: matmul_io.wgsl.

@compute @workgroup_size(64, 1, 1)
fn matmul_small(@builtin(global_invocation_id) id: vec3<u32>) {
    let blocks_n = (p.n + 3u) / 4u;
    let blocks_m = (p.m + 3u) / 4u;
    if (id.x >= blocks_m * blocks_n) {
        return;
    }
    let row0 = (id.x / blocks_n) * 4u;
    let col0 = (id.x % blocks_n) * 4u;
    let replica = id.z;
    let a_base = p.a_offset + replica * p.a_stride;
    let b_base = p.b_offset + replica * p.b_stride;
    let r0 = row0;
    let r1 = min(row0 + 1u, p.m - 1u);
    let r2 = min(row0 + 2u, p.m - 1u);
    let r3 = min(row0 + 3u, p.m - 1u);
    let c0 = col0;
    let c1 = min(col0 + 1u, p.n - 1u);
    let c2 = min(col0 + 2u, p.n - 1u);
    let c3 = min(col0 + 3u, p.n - 1u);
    var a_step = 1u;
    var a0 = a_base + r0 * p.k;
    var a1 = a_base + r1 * p.k;
    var a2 = a_base + r2 * p.k;
    var a3 = a_base + r3 * p.k;
    if (TRANS_A) {
        a_step = p.m;
        a0 = a_base + r0;
        a1 = a_base + r1;
        a2 = a_base + r2;
        a3 = a_base + r3;
    }
    var b_step = p.n;
    var b0 = b_base + c0;
    var b1 = b_base + c1;
    var b2 = b_base + c2;
    var b3 = b_base + c3;
    if (TRANS_B) {
        b_step = 1u;
        b0 = b_base + c0 * p.k;
        b1 = b_base + c1 * p.k;
        b2 = b_base + c2 * p.k;
        b3 = b_base + c3 * p.k;
    }
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    for (var kk = 0u; kk < p.k; kk++) {
        let bv = vec4<f32>(b[b0], b[b1], b[b2], b[b3]);
        acc0 += a[a0] * bv;
        acc1 += a[a1] * bv;
        acc2 += a[a2] * bv;
        acc3 += a[a3] * bv;
        a0 += a_step;
        a1 += a_step;
        a2 += a_step;
        a3 += a_step;
        b0 += b_step;
        b1 += b_step;
        b2 += b_step;
        b3 += b_step;
    }
    let c_base = p.c_offset + replica * p.c_stride;
    let bias_base = p.bias_offset + replica * p.bias_stride;
    store_row(c_base, bias_base, row0, col0, acc0);
    store_row(c_base, bias_base, row0 + 1u, col0, acc1);
    store_row(c_base, bias_base, row0 + 2u, col0, acc2);
    store_row(c_base, bias_base, row0 + 3u, col0, acc3);
}

fn store_row(c_base: u32, bias_base: u32, row: u32, col0: u32, acc: vec4<f32>) {
    for (var j = 0u; j < 4u; j++) {
        store_c(c_base, bias_base, row, col0 + j, acc[j]);
    }
}

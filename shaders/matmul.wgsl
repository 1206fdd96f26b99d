// matmul.wgsl: C = op(A) op(B) (+ bias) for each replica, with the
// activation of the result written beside it. One kernel serves the forward
// pass (X W + b, activation), the weight gradient (X^T dY) and the input
// gradient (dY W^T), chosen by override constants. Timed by `ibp bench` and
// parity-tested; training uses matmul_small.wgsl (BENCHMARKS.md).
// Bindings (f32, row-major, replica r at offset + r * stride):
//   0 a: op(A) is (m, k); stored (m, k), or (k, m) when TRANS_A
//   1 b: op(B) is (k, n); stored (k, n), or (n, k) when TRANS_B; the bias
//        (n) is read from b at bias_offset when HAS_BIAS
//   2 c: (m, n) output
//   3 post: (m, n) activation of c when ACT != 0 (same offsets as c)
//   4 p: MatmulParams
// Workgroup: 16 x 16 threads, each a 4 x 4 block of a 64 x 64 output tile;
// k is walked in slices of 16 through workgroup memory. Edges of any size are
// handled by zero-filled loads and guarded stores.
// Dispatch: (ceil(n / 64), ceil(m / 64), replicas).

// Overrides, MatmulParams, bindings, load_a / load_b and store_c:
// matmul_io.wgsl.

const TILE_M: u32 = 64u;
const TILE_N: u32 = 64u;
const TILE_K: u32 = 16u;
const THREADS: u32 = 256u;

var<workgroup> tile_a: array<f32, 1024>; // [TILE_K][TILE_M]
var<workgroup> tile_b: array<f32, 1024>; // [TILE_K][TILE_N]

@compute @workgroup_size(16, 16, 1)
fn matmul(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(local_invocation_id) local: vec3<u32>,
    @builtin(local_invocation_index) thread: u32,
) {
    let replica = group.z;
    let a_base = p.a_offset + replica * p.a_stride;
    let b_base = p.b_offset + replica * p.b_stride;
    let row0 = group.y * TILE_M;
    let col0 = group.x * TILE_N;
    var acc: array<f32, 16>;
    for (var k0 = 0u; k0 < p.k; k0 += TILE_K) {
        for (var i = 0u; i < 4u; i++) {
            let e = thread + i * THREADS;
            // Map threads so that neighbours read neighbouring addresses.
            var ka: u32;
            var ra: u32;
            if (TRANS_A) {
                ka = e / TILE_M;
                ra = e % TILE_M;
            } else {
                ra = e / TILE_K;
                ka = e % TILE_K;
            }
            tile_a[ka * TILE_M + ra] = load_a(a_base, row0 + ra, k0 + ka);
            var kb: u32;
            var cb: u32;
            if (TRANS_B) {
                cb = e / TILE_K;
                kb = e % TILE_K;
            } else {
                kb = e / TILE_N;
                cb = e % TILE_N;
            }
            tile_b[kb * TILE_N + cb] = load_b(b_base, k0 + kb, col0 + cb);
        }
        workgroupBarrier();
        for (var kk = 0u; kk < TILE_K; kk++) {
            var av: array<f32, 4>;
            var bv: array<f32, 4>;
            for (var i = 0u; i < 4u; i++) {
                av[i] = tile_a[kk * TILE_M + local.y + i * 16u];
                bv[i] = tile_b[kk * TILE_N + local.x + i * 16u];
            }
            for (var i = 0u; i < 4u; i++) {
                for (var j = 0u; j < 4u; j++) {
                    acc[i * 4u + j] += av[i] * bv[j];
                }
            }
        }
        workgroupBarrier();
    }
    let c_base = p.c_offset + replica * p.c_stride;
    let bias_base = p.bias_offset + replica * p.bias_stride;
    for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) {
            let row = row0 + local.y + i * 16u;
            let col = col0 + local.x + j * 16u;
            store_c(c_base, bias_base, row, col, acc[i * 4u + j]);
        }
    }
}

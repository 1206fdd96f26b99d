// matmul_wide.wgsl: C = op(A) op(B) (+ bias, activation) for each replica,
// in 128 x 128 tiles for large products on adapters with at least 32 KiB of
// workgroup storage (real GPUs). Same interface as matmul.wgsl. Timed by
// `ibp bench` and parity-tested; training uses matmul_small.wgsl, which ran
// 3-5x faster on an NVIDIA H200 (BENCHMARKS.md).
// Bindings (f32, row-major, replica r at offset + r * stride):
//   0 a: op(A) is (m, k); stored (m, k), or (k, m) when TRANS_A
//   1 b: op(B) is (k, n); stored (k, n), or (n, k) when TRANS_B; the bias
//        (n) is read from b at bias_offset when HAS_BIAS
//   2 c: (m, n) output
//   3 post: (m, n) activation of c when ACT != 0 (same offsets as c)
//   4 p: MatmulParams
// Workgroup: 16 x 16 threads, each an 8 x 8 block of a 128 x 128 output
// tile: rows 4 ty..4 ty+3 and 64+4 ty..64+4 ty+3, the same for columns with
// tx, so that every read of the tiles is one vec4. k is walked in slices of
// 16, double-buffered in workgroup memory (2 x 2 x 16 x 128 f32 = 32 KiB):
// the next slice loads while this one is used, one barrier per slice. Each
// element sums its k products in ascending order. Edges of any size:
// zero-filled loads, guarded stores.
// Dispatch: (ceil(n / 128), ceil(m / 128), replicas).

// Overrides, MatmulParams, bindings and store_c: matmul_io.wgsl.

const WIDE: u32 = 128u;
const SLICE: u32 = 16u;
// vec4s in one slice of one operand: SLICE rows of WIDE / 4.
const SLICE_VEC4: u32 = 512u;

var<workgroup> wide_a: array<vec4<f32>, 1024>; // [stage][SLICE][WIDE / 4]
var<workgroup> wide_b: array<vec4<f32>, 1024>; // [stage][SLICE][WIDE / 4]

// Loads slice k0 of both operands into `stage`: 2048 values of each, eight
// per thread, neighbouring threads reading neighbouring addresses.
fn wide_fill(stage: u32, thread: u32, a_base: u32, b_base: u32, row0: u32, col0: u32, k0: u32) {
    for (var i = 0u; i < 8u; i++) {
        let e = thread + i * 256u;
        var ka = e % SLICE;
        var ra = e / SLICE;
        if (TRANS_A) {
            ka = e / WIDE;
            ra = e % WIDE;
        }
        let va = load_a(a_base, row0 + ra, k0 + ka);
        wide_a[stage * SLICE_VEC4 + ka * 32u + ra / 4u][ra % 4u] = va;
        var kb = e / WIDE;
        var cb = e % WIDE;
        if (TRANS_B) {
            kb = e % SLICE;
            cb = e / SLICE;
        }
        let vb = load_b(b_base, k0 + kb, col0 + cb);
        wide_b[stage * SLICE_VEC4 + kb * 32u + cb / 4u][cb % 4u] = vb;
    }
}

@compute @workgroup_size(16, 16, 1)
fn matmul_wide(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(local_invocation_id) local: vec3<u32>,
    @builtin(local_invocation_index) thread: u32,
) {
    let replica = group.z;
    let a_base = p.a_offset + replica * p.a_stride;
    let b_base = p.b_offset + replica * p.b_stride;
    let row0 = group.y * WIDE;
    let col0 = group.x * WIDE;
    // acc[2 r + h]: row r of the thread's eight, columns of half h.
    var acc: array<vec4<f32>, 16>;
    let slices = (p.k + SLICE - 1u) / SLICE;
    wide_fill(0u, thread, a_base, b_base, row0, col0, 0u);
    workgroupBarrier();
    for (var s = 0u; s < slices; s++) {
        let stage = s % 2u;
        if (s + 1u < slices) {
            // The other stage was last read before the previous barrier.
            wide_fill(1u - stage, thread, a_base, b_base, row0, col0, (s + 1u) * SLICE);
        }
        for (var kk = 0u; kk < SLICE; kk++) {
            let at = stage * SLICE_VEC4 + kk * 32u;
            let a_lo = wide_a[at + local.y];
            let a_hi = wide_a[at + 16u + local.y];
            let b_lo = wide_b[at + local.x];
            let b_hi = wide_b[at + 16u + local.x];
            for (var r = 0u; r < 4u; r++) {
                acc[2u * r] += a_lo[r] * b_lo;
                acc[2u * r + 1u] += a_lo[r] * b_hi;
                acc[8u + 2u * r] += a_hi[r] * b_lo;
                acc[8u + 2u * r + 1u] += a_hi[r] * b_hi;
            }
        }
        workgroupBarrier();
    }
    let c_base = p.c_offset + replica * p.c_stride;
    let bias_base = p.bias_offset + replica * p.bias_stride;
    for (var r = 0u; r < 8u; r++) {
        let row = row0 + (r / 4u) * 64u + local.y * 4u + r % 4u;
        for (var h = 0u; h < 2u; h++) {
            let sums = acc[2u * r + h];
            for (var j = 0u; j < 4u; j++) {
                store_c(c_base, bias_base, row, col0 + h * 64u + local.x * 4u + j, sums[j]);
            }
        }
    }
}

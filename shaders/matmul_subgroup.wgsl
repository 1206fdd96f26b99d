// matmul_subgroup.wgsl: C = op(A) op(B) (+ bias) for each replica, with the
// activation of the result written beside it, for products with few output
// tiles (batch-sized m): one subgroup computes a 4 x 8 block of C, its lanes
// splitting k between them (lane l sums k = l, l + S, l + 2S, ...), and
// subgroupAdd gives each element's total. On a large GPU the 64 x 64 tiles
// of a 100 x 1024 product make 32 workgroups for 132 multiprocessors (H100);
// here the same product makes 3,200 subgroups, with no workgroup memory and
// no barriers. Training uses it on real GPUs for tiny outputs over a long k
// (var_u's 12 x 10 weight gradient over a batch of 256:
// `ops::matmul::training_kernel`), and matmul_small.wgsl, faster on an H200
// in four of the five large products, elsewhere (BENCHMARKS.md). Needs the
// `subgroups` feature (the module starts with `enable subgroups;`, added by
// kernels.rs) and a fixed subgroup size.
// Bindings (f32, row-major, replica r at offset + r * stride):
//   0 a: op(A) is (m, k); stored (m, k), or (k, m) when TRANS_A
//   1 b: op(B) is (k, n); stored (k, n), or (n, k) when TRANS_B; the bias
//        (n) is read from b at bias_offset when HAS_BIAS
//   2 c: (m, n) output
//   3 post: (m, n) activation of c when ACT != 0 (same offsets as c)
//   4 p: MatmulParams
// Workgroup: SUBGROUP_SIZE threads (an override: the adapter's subgroup size,
// so one workgroup is one subgroup); workgroup x = one 4 x 8 block, blocks
// in row-major order. Edges of any size are handled by zero-filled loads and
// guarded stores.
// Dispatch: (ceil(m / 4) * ceil(n / 8), 1, replicas).

// Overrides, MatmulParams, bindings, load_a / load_b and store_c:
// matmul_io.wgsl.

override SUBGROUP_SIZE: u32 = 32u;

const BLOCK_M: u32 = 4u;
const BLOCK_N: u32 = 8u;

@compute @workgroup_size(SUBGROUP_SIZE, 1, 1)
fn matmul_subgroup(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(local_invocation_index) lane: u32,
) {
    let replica = group.z;
    let a_base = p.a_offset + replica * p.a_stride;
    let b_base = p.b_offset + replica * p.b_stride;
    let blocks_n = (p.n + BLOCK_N - 1u) / BLOCK_N;
    let row0 = (group.x / blocks_n) * BLOCK_M;
    let col0 = (group.x % blocks_n) * BLOCK_N;
    var acc: array<f32, 32>; // [BLOCK_M][BLOCK_N]
    // The trip count is the same on every lane (subgroupAdd below needs
    // uniform control flow); lanes past k load zeros.
    for (var k0 = 0u; k0 < p.k; k0 += SUBGROUP_SIZE) {
        let kk = k0 + lane;
        var av: array<f32, 4>;
        var bv: array<f32, 8>;
        for (var i = 0u; i < BLOCK_M; i++) {
            av[i] = load_a(a_base, row0 + i, kk);
        }
        for (var j = 0u; j < BLOCK_N; j++) {
            bv[j] = load_b(b_base, kk, col0 + j);
        }
        for (var i = 0u; i < BLOCK_M; i++) {
            for (var j = 0u; j < BLOCK_N; j++) {
                acc[i * BLOCK_N + j] += av[i] * bv[j];
            }
        }
    }
    let c_base = p.c_offset + replica * p.c_stride;
    let bias_base = p.bias_offset + replica * p.bias_stride;
    for (var e = 0u; e < BLOCK_M * BLOCK_N; e++) {
        let total = subgroupAdd(acc[e]);
        // Lanes take turns storing, so a subgroup of 32 stores the block at once.
        if (lane == e % SUBGROUP_SIZE) {
            store_c(c_base, bias_base, row0 + e / BLOCK_N, col0 + e % BLOCK_N, total);
        }
    }
}

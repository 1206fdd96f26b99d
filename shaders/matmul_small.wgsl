// matmul_small.wgsl: C = op(A) op(B) (+ bias) with the activation beside it,
// like matmul.wgsl (same bindings, parameters and override constants), for
// products whose output is small or thin (a few columns, a few rows): one
// invocation per output element walks k directly, with no workgroup memory
// and no barriers, so a 12 x 10 weight gradient does not pay for a 64 x 64
// tile. The sum runs over k in order, as the tiled kernel's does.
// Bindings (f32, row-major, replica r at offset + r * stride):
//   0 a: op(A) is (m, k); stored (m, k), or (k, m) when TRANS_A
//   1 b: op(B) is (k, n); stored (k, n), or (n, k) when TRANS_B; the bias
//        (n) is read from b at bias_offset when HAS_BIAS
//   2 c: (m, n) output
//   3 post: (m, n) activation of c when ACT != 0 (same offsets as c)
//   4 p: MatmulParams
// Workgroup: 64 threads, one output element each (row-major over m x n).
// Dispatch: (ceil(m * n / 64), 1, replicas).

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override ACT: u32 = 0u;

struct MatmulParams {
    m: u32,
    n: u32,
    k: u32,
    a_offset: u32,
    a_stride: u32,
    b_offset: u32,
    b_stride: u32,
    c_offset: u32,
    c_stride: u32,
    bias_offset: u32,
    bias_stride: u32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<storage, read_write> post: array<f32>;
@group(0) @binding(4) var<uniform> p: MatmulParams;

@compute @workgroup_size(64, 1, 1)
fn matmul_small(@builtin(global_invocation_id) id: vec3<u32>) {
    if (id.x >= p.m * p.n) {
        return;
    }
    let row = id.x / p.n;
    let col = id.x % p.n;
    let replica = id.z;
    let a_base = p.a_offset + replica * p.a_stride;
    let b_base = p.b_offset + replica * p.b_stride;
    // Element (row, kk) of op(A) and (kk, col) of op(B): start and step.
    var a_at = a_base + row * p.k;
    var a_step = 1u;
    if (TRANS_A) {
        a_at = a_base + row;
        a_step = p.m;
    }
    var b_at = b_base + col;
    var b_step = p.n;
    if (TRANS_B) {
        b_at = b_base + col * p.k;
        b_step = 1u;
    }
    var acc = 0.0;
    for (var kk = 0u; kk < p.k; kk++) {
        acc += a[a_at] * b[b_at];
        a_at += a_step;
        b_at += b_step;
    }
    if (HAS_BIAS) {
        acc += b[p.bias_offset + replica * p.bias_stride + col];
    }
    let at = p.c_offset + replica * p.c_stride + id.x;
    c[at] = acc;
    if (ACT != 0u) {
        post[at] = activate(ACT, acc);
    }
}

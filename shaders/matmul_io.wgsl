// matmul_io.wgsl: what the matrix kernels (matmul, matmul_small,
// matmul_wide) share, so the products keep one interface: the override
// constants, the parameters, the bindings, the zero-filled loads of A and B
// and the store of one output element (bias, activation). A library,
// prepended to each kernel.
// Bindings (f32, row-major, replica r at offset + r * stride):
//   0 a: op(A) is (m, k); stored (m, k), or (k, m) when TRANS_A
//   1 b: op(B) is (k, n); stored (k, n), or (n, k) when TRANS_B; the bias
//        (n) is read from b at bias_offset when HAS_BIAS
//   2 c: (m, n) output
//   3 post: (m, n) activation of c when ACT != 0 (same offsets as c),
//        rounded to QUANT_LEVELS levels over [QUANT_LO, QUANT_HI] when
//        QUANT_LEVELS != 0 (a quantized encoder, link key `quant`)
//   4 p: MatmulParams
// Workgroup: n/a (the kernels'). Dispatch: n/a.

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override ACT: u32 = 0u;
override QUANT_LEVELS: u32 = 0u;
override QUANT_LO: f32 = 0.0;
override QUANT_HI: f32 = 1.0;

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

// A[row, col] and B[row, col] of a replica (base: its offset), op() applied;
// 0 past the edge.
fn load_a(base: u32, row: u32, col: u32) -> f32 {
    if (row >= p.m || col >= p.k) {
        return 0.0;
    }
    if (TRANS_A) {
        return a[base + col * p.m + row];
    }
    return a[base + row * p.k + col];
}

fn load_b(base: u32, row: u32, col: u32) -> f32 {
    if (row >= p.k || col >= p.n) {
        return 0.0;
    }
    if (TRANS_B) {
        return b[base + col * p.k + row];
    }
    return b[base + row * p.n + col];
}

// Stores C[row, col] of a replica (c_base, bias_base: its offsets) = sum
// (+ bias), and its activation; elements past the edge are not stored.
fn store_c(c_base: u32, bias_base: u32, row: u32, col: u32, sum: f32) {
    if (row >= p.m || col >= p.n) {
        return;
    }
    var value = sum;
    if (HAS_BIAS) {
        value += b[bias_base + col];
    }
    let at = c_base + row * p.n + col;
    c[at] = value;
    if (ACT != 0u) {
        var activation = activate(ACT, value);
        if (QUANT_LEVELS != 0u) {
            activation = quantize(activation, QUANT_LEVELS, QUANT_LO, QUANT_HI);
        }
        post[at] = activation;
    }
}

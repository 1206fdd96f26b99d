// math.wgsl: scalar functions shared by kernels, twins of src/model.rs.
// A library, not a kernel: prepended to matmul, act_backward, reparameterize,
// reparam_backward and reconstruction. Written to stay finite for any finite
// input (no exp overflow in tanh/softplus/sigmoid); large finite constants
// stand in for infinities, which WGSL lets implementations assume away.
// Bindings: none. Workgroup size: n/a. Dispatch: n/a.

const ACT_NONE: u32 = 0u;
const ACT_TANH: u32 = 1u;
const ACT_RELU: u32 = 2u;
const ACT_GELU: u32 = 3u;
const ACT_SIGMOID: u32 = 4u;
const ACT_LINEAR: u32 = 5u;
const SIGMA_SHIFT: f32 = 5.0;
const GELU_C: f32 = 0.7978845608028654;
const GELU_A: f32 = 0.044715;

fn safe_tanh(x: f32) -> f32 {
    let t = exp(-2.0 * abs(x));
    return sign(x) * (1.0 - t) / (1.0 + t);
}

fn sigmoid(x: f32) -> f32 {
    if (x >= 0.0) {
        return 1.0 / (1.0 + exp(-x));
    }
    let e = exp(x);
    return e / (1.0 + e);
}

// log(1 + t) for t in [0, 1], to a few ulp on any device: 2 atanh(s) with
// s = t / (2 + t) <= 1/3, summed as a series (9 terms: the next is < 1e-10
// relative). WGSL's log is only absolutely accurate near 1, which would cost
// softplus its relative accuracy for large negative inputs.
fn log1p_unit(t: f32) -> f32 {
    let s = t / (2.0 + t);
    let s2 = s * s;
    var term = s;
    var sum = s;
    for (var n = 3.0; n < 19.0; n += 2.0) {
        term *= s2;
        sum += term / n;
    }
    return 2.0 * sum;
}

fn softplus(x: f32) -> f32 {
    return max(x, 0.0) + log1p_unit(exp(-abs(x)));
}

fn activate(code: u32, x: f32) -> f32 {
    switch code {
        case ACT_TANH: { return safe_tanh(x); }
        case ACT_RELU: { return max(x, 0.0); }
        case ACT_GELU: {
            // 0.5 x (1 + tanh u) = x sigmoid(2u): no cancellation for u << 0.
            return x * sigmoid(2.0 * GELU_C * (x + GELU_A * x * x * x));
        }
        case ACT_SIGMOID: { return sigmoid(x); }
        default: { return x; }
    }
}

// The level nearest to a among `levels` evenly spaced values over [lo, hi]
// (a clamped first; ties round up), in f32 as model::Quantizer::apply.
fn quantize(a: f32, levels: u32, lo: f32, hi: f32) -> f32 {
    let step = (hi - lo) / f32(levels - 1u);
    let clamped = min(max(a, lo), hi);
    return lo + floor((clamped - lo) / step + 0.5) * step;
}

// d activation / dx at pre-activation x whose activation is y.
fn activate_derivative(code: u32, x: f32, y: f32) -> f32 {
    switch code {
        case ACT_TANH: { return 1.0 - y * y; }
        case ACT_RELU: { return select(0.0, 1.0, x > 0.0); }
        case ACT_GELU: {
            let u2 = 2.0 * GELU_C * (x + GELU_A * x * x * x);
            let s = sigmoid(u2);
            return s + x * s * sigmoid(-u2) * 2.0 * GELU_C * (1.0 + 3.0 * GELU_A * x * x);
        }
        case ACT_SIGMOID: { return y * (1.0 - y); }
        default: { return 1.0; }
    }
}

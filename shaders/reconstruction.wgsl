// reconstruction.wgsl: the `vae` data term per element and its gradient:
// Bernoulli (LIKELIHOOD 0): softplus(o) - x o, gradient sigmoid(o) - x;
// Gaussian (1): 0.5 (o - x)^2 + 0.5 ln(2 pi), gradient o - x; the gradient
// is divided by the batch size. In evaluation (EVAL) terms accumulate over
// samples (written when `first` is set) and no gradient is written.
// Bindings (f32, replica r at r * its stride):
//   0 out: (rows, width) decoder output
//   1 inputs: (rows, width) the inputs x, at r * label_stride
//   2 terms: (rows, width) per-element negative log-likelihood, nats
//   3 grad: (rows, width) d out
//   4 p: HeadParams
// Workgroup: 256 threads, one element each.
// Dispatch: (ceil(rows * width / 256), replicas, 1).

override LIKELIHOOD: u32 = 0u;
override EVAL: bool = false;

const HALF_LN_TAU: f32 = 0.9189385332046728;

struct HeadParams {
    rows: u32,
    width: u32,
    out_stride: u32,
    label_stride: u32,
    term_stride: u32,
    first: u32,
    inv_batch: f32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read> out: array<f32>;
@group(0) @binding(1) var<storage, read> inputs: array<f32>;
@group(0) @binding(2) var<storage, read_write> terms: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;
@group(0) @binding(4) var<uniform> p: HeadParams;

@compute @workgroup_size(256, 1, 1)
fn reconstruction(@builtin(global_invocation_id) id: vec3<u32>) {
    let element = id.x;
    let replica = id.y;
    if (element >= p.rows * p.width) {
        return;
    }
    let o = out[replica * p.out_stride + element];
    let x = inputs[replica * p.label_stride + element];
    var term: f32;
    var slope: f32;
    if (LIKELIHOOD == 0u) {
        term = softplus(o) - x * o;
        slope = sigmoid(o) - x;
    } else {
        let diff = o - x;
        term = 0.5 * diff * diff + HALF_LN_TAU;
        slope = diff;
    }
    let term_at = replica * p.term_stride + element;
    if (EVAL) {
        if (p.first == 0u) {
            terms[term_at] += term;
        } else {
            terms[term_at] = term;
        }
    } else {
        terms[term_at] = term;
        grad[replica * p.out_stride + element] = slope * p.inv_batch;
    }
}

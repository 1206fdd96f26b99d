// softmax_ce.wgsl: softmax cross-entropy of each row with a max-shifted
// log-sum-exp, and its gradient (softmax - onehot) / B, fused.
// In evaluation (EVAL) the cross-entropy is added to `terms` and the softmax
// to `out` (the averaged prediction), or written when `first` is set.
// Bindings (replica r at r * its stride):
//   0 logits: (rows, classes) f32
//   1 labels: (rows) u32
//   2 terms: (rows) f32 cross-entropy in nats
//   3 out: (rows, classes) f32: d logits (training) or summed softmax (EVAL)
//   4 p: HeadParams
// Workgroup: 64 threads, one row each.
// Dispatch: (ceil(rows / 64), replicas, 1).

override EVAL: bool = false;

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

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<u32>;
@group(0) @binding(2) var<storage, read_write> terms: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> p: HeadParams;

@compute @workgroup_size(64, 1, 1)
fn softmax_ce(@builtin(global_invocation_id) id: vec3<u32>) {
    let row = id.x;
    let replica = id.y;
    if (row >= p.rows) {
        return;
    }
    let base = replica * p.out_stride + row * p.width;
    var top = -1e30;
    for (var c = 0u; c < p.width; c++) {
        top = max(top, logits[base + c]);
    }
    var total = 0.0;
    for (var c = 0u; c < p.width; c++) {
        total += exp(logits[base + c] - top);
    }
    let label = labels[replica * p.label_stride + row];
    let ce = top + log(total) - logits[base + label];
    let term_at = replica * p.term_stride + row;
    if (EVAL && p.first == 0u) {
        terms[term_at] += ce;
    } else {
        terms[term_at] = ce;
    }
    for (var c = 0u; c < p.width; c++) {
        let prob = exp(logits[base + c] - top) / total;
        if (EVAL) {
            if (p.first == 0u) {
                out[base + c] += prob;
            } else {
                out[base + c] = prob;
            }
        } else {
            out[base + c] = (prob - select(0.0, 1.0, c == label)) * p.inv_batch;
        }
    }
}

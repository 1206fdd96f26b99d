// accuracy.wgsl: 1 where the argmax of the summed softmax (the first on
// ties) equals the label, else 0 (the CPU twin is cpu::eval::argmax).
// Bindings (replica r at r * its stride):
//   0 probs: (rows, classes) f32
//   1 labels: (rows) u32
//   2 correct: (rows) f32 output
//   3 p: HeadParams (inv_batch and first unused)
// Workgroup: 64 threads, one row each.
// Dispatch: (ceil(rows / 64), replicas, 1).

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

@group(0) @binding(0) var<storage, read> probs: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<u32>;
@group(0) @binding(2) var<storage, read_write> correct: array<f32>;
@group(0) @binding(3) var<uniform> p: HeadParams;

@compute @workgroup_size(64, 1, 1)
fn accuracy(@builtin(global_invocation_id) id: vec3<u32>) {
    let row = id.x;
    let replica = id.y;
    if (row >= p.rows) {
        return;
    }
    let base = replica * p.out_stride + row * p.width;
    var best = 0u;
    for (var c = 1u; c < p.width; c++) {
        if (probs[base + c] > probs[base + best]) {
            best = c;
        }
    }
    let hit = best == labels[replica * p.label_stride + row];
    correct[replica * p.term_stride + row] = select(0.0, 1.0, hit);
}

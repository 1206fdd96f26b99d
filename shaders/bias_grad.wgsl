// bias_grad.wgsl: column sums of a (rows, cols) matrix: the bias gradient
// (the column sums of a layer's delta),
// grad[bias_offset + r * grad_stride + col] = sum over rows of delta[row, col],
// or, with ACCUMULATE, added to what is there (the KL of each latent
// dimension summed over evaluation chunks).
// Bindings:
//   0 delta: (rows, cols) f32, replica r at r * delta_stride
//   1 grad: parameter gradients, f32
//   2 p: BiasGradParams
// Workgroup: 256 threads, one column each, looping over the rows.
// Dispatch: (ceil(cols / 256), replicas, 1).

override ACCUMULATE: bool = false;

struct BiasGradParams {
    rows: u32,
    cols: u32,
    delta_stride: u32,
    bias_offset: u32,
    grad_stride: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read> delta: array<f32>;
@group(0) @binding(1) var<storage, read_write> grad: array<f32>;
@group(0) @binding(2) var<uniform> p: BiasGradParams;

@compute @workgroup_size(256, 1, 1)
fn bias_grad(@builtin(global_invocation_id) id: vec3<u32>) {
    let col = id.x;
    if (col >= p.cols) {
        return;
    }
    let base = id.y * p.delta_stride + col;
    var sum = 0.0;
    for (var row = 0u; row < p.rows; row++) {
        sum += delta[base + row * p.cols];
    }
    let at = p.bias_offset + id.y * p.grad_stride + col;
    if (ACCUMULATE) {
        grad[at] += sum;
    } else {
        grad[at] = sum;
    }
}

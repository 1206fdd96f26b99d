// gather.wgsl: the minibatch of the current step, drawn on the device.
// Row j of replica r is training row perm_e(q mod n) with q = position + j,
// e = epoch + q / n, perm_e the seeded Feistel permutation of epoch e
// (rng.wgsl; CpuTrainer::batch_indices is the twin).
// Bindings:
//   0 data_x: (n, features) f32 training inputs
//   1 data_y: (n) u32 training labels
//   2 batch_x: (batch, features) f32 per replica, at r * x_stride
//   3 batch_y: (batch) u32 per replica, at r * y_stride
//   4 schedule: u32 words (schedule.wgsl): epoch, position, seeds
//   5 p: GatherParams
// Workgroup: 64 threads, one batch row each, copying its features.
// Dispatch: (ceil(batch / 64), replicas, 1).

struct GatherParams {
    n: u32,
    features: u32,
    batch: u32,
    x_stride: u32,
    y_stride: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read> data_x: array<f32>;
@group(0) @binding(1) var<storage, read> data_y: array<u32>;
@group(0) @binding(2) var<storage, read_write> batch_x: array<f32>;
@group(0) @binding(3) var<storage, read_write> batch_y: array<u32>;
@group(0) @binding(4) var<storage, read> schedule: array<u32>;
@group(0) @binding(5) var<uniform> p: GatherParams;

@compute @workgroup_size(64, 1, 1)
fn gather(@builtin(global_invocation_id) id: vec3<u32>) {
    let j = id.x;
    let replica = id.y;
    if (j >= p.batch) {
        return;
    }
    let q = current_position() + j;
    let epoch = current_epoch() + q / p.n;
    let order = permutation_new(replica_seed(replica), STREAM_BATCH, epoch, p.n);
    let row = permutation_apply(order, q % p.n);
    let src = row * p.features;
    let dst = replica * p.x_stride + j * p.features;
    for (var f = 0u; f < p.features; f++) {
        batch_x[dst + f] = data_x[src + f];
    }
    batch_y[replica * p.y_stride + j] = data_y[row];
}

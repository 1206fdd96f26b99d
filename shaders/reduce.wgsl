// reduce.wgsl: the sum of `count` values of each replica, by a workgroup
// tree reduction (any count: threads stride over the values, then halve),
// scaled and stored or added into that replica's metric slot:
// metrics[r * slots + slot] (+)= scale * (beta_r if USE_BETA) * sum
// (sum^2 with SQUARE: the sqib objective's beta * KL^2).
// Bindings:
//   0 values: f32, replica r's values at offset + r * stride
//   1 metrics: (replicas, slots) f32
//   2 schedule: u32 words (schedule.wgsl): beta of the current step
//   3 p: ReduceParams
// Workgroup: 256 threads, one workgroup per replica.
// Dispatch: (1, replicas, 1).

override USE_BETA: bool = false;
override ACCUMULATE: bool = true;
override SQUARE: bool = false;

struct ReduceParams {
    count: u32,
    stride: u32,
    offset: u32,
    slot: u32,
    slots: u32,
    scale: f32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<storage, read> values: array<f32>;
@group(0) @binding(1) var<storage, read_write> metrics: array<f32>;
@group(0) @binding(2) var<storage, read> schedule: array<u32>;
@group(0) @binding(3) var<uniform> p: ReduceParams;

const THREADS: u32 = 256u;
var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(256, 1, 1)
fn reduce(@builtin(local_invocation_index) thread: u32, @builtin(workgroup_id) group: vec3<u32>) {
    let replica = group.y;
    let base = p.offset + replica * p.stride;
    var sum = 0.0;
    for (var i = thread; i < p.count; i += THREADS) {
        sum += values[base + i];
    }
    partial[thread] = sum;
    workgroupBarrier();
    for (var half = THREADS / 2u; half > 0u; half /= 2u) {
        if (thread < half) {
            partial[thread] += partial[thread + half];
        }
        workgroupBarrier();
    }
    if (thread == 0u) {
        var scale = p.scale;
        if (USE_BETA) {
            scale *= current_beta(replica);
        }
        var total = partial[0];
        if (SQUARE) {
            total *= total;
        }
        let at = replica * p.slots + p.slot;
        if (ACCUMULATE) {
            metrics[at] += scale * total;
        } else {
            metrics[at] = scale * total;
        }
    }
}

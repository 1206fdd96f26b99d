// geco.wgsl: adaptive beta (beta_mode=target), the twin of src/geco.rs. At
// the start of each training step after the first, the previous step's batch
// statistic gives the constraint c (rate - target in bits, MODE 0; or
// 100 (accuracy - target), MODE 1), its moving average a = 0.99 a + 0.01 c
// (a = c the first time), and beta = clamp(beta exp(lr a)). The beta is then
// written into the schedule's row for this step, where every kernel reads it.
// Bindings:
//   0 stats: (replicas, 2) f32: batch mean KL (nats), batch accuracy
//   1 state: (replicas, 4) f32: beta, average, has average, unused
//   2 schedule: u32 words (schedule.wgsl), read_write
//   3 p: GecoParams
// Workgroup: 64 threads, one replica each.
// Dispatch: (ceil(replicas / 64), 1, 1).

override MODE: u32 = 0u;

struct GecoParams {
    replicas: u32,
    goal: f32,
    lr: f32,
    decay: f32,
    beta_floor: f32,
    beta_max: f32,
    accuracy_scale: f32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read> stats: array<f32>;
@group(0) @binding(1) var<storage, read_write> state: array<f32>;
@group(0) @binding(2) var<storage, read_write> schedule: array<u32>;
@group(0) @binding(3) var<uniform> p: GecoParams;

@compute @workgroup_size(64, 1, 1)
fn geco(@builtin(global_invocation_id) id: vec3<u32>) {
    let r = id.x;
    if (r >= p.replicas) {
        return;
    }
    var beta = state[4u * r];
    if (current_step() > 0u) {
        var c: f32;
        if (MODE == 0u) {
            c = stats[2u * r] / 0.6931472 - p.goal;
        } else {
            c = p.accuracy_scale * (stats[2u * r + 1u] - p.goal);
        }
        var average = c;
        if (state[4u * r + 2u] != 0.0) {
            average = p.decay * state[4u * r + 1u] + (1.0 - p.decay) * c;
        }
        beta = clamp(beta * exp(p.lr * average), p.beta_floor, p.beta_max);
        state[4u * r] = beta;
        state[4u * r + 1u] = average;
        state[4u * r + 2u] = 1.0;
    }
    let m = sched_replicas();
    let base = SCHEDULE_HEADER + m + schedule[2] * SCHEDULE_ROW_WORDS;
    schedule[base + schedule[0] * m + r] = bitcast<u32>(beta);
}

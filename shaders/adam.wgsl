// adam.wgsl: one Adam update of every parameter of every replica in one
// dispatch: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
// p -= lr (m / c1) / (sqrt(v / c2) + eps), with lr, c1 = 1 - b1^t and
// c2 = 1 - b2^t of the current step (computed on the CPU in f64, as the CPU
// backend does, and passed through the schedule).
// With MASKED, parameters whose mask is 0 (weights across features of a
// per-feature bottleneck) are left alone. With EMA, the moving average of
// the weights follows: ema += w (params - ema), w the schedule's EMA weight
// (1 - d) / (1 - d^t) (CPU twin: cpu::ema::update).
// Bindings (f32, replica r at r * count):
//   0 params, 1 grads, 2 m, 3 v: (count)
//   4 schedule: u32 words (schedule.wgsl)
//   5 mask: (count) f32, 1 or 0, shared by the replicas
//   6 ema: (count) averaged weights (read only with EMA)
//   7 p: AdamParams
// Workgroup: 256 threads; each updates parameters id.x, id.x + stride, ...
// (stride = 256 x the workgroups along x), so a model of more than
// 65535 x 256 parameters needs no more workgroups than a device allows.
// Dispatch: (min(ceil(count / 256), 65535), replicas, 1).

override MASKED: bool = false;
override EMA: bool = false;

struct AdamParams {
    count: u32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
}

@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<storage, read> schedule: array<u32>;
@group(0) @binding(5) var<storage, read> mask: array<f32>;
@group(0) @binding(6) var<storage, read_write> ema: array<f32>;
@group(0) @binding(7) var<uniform> p: AdamParams;

@compute @workgroup_size(256, 1, 1)
fn adam(
    @builtin(global_invocation_id) id: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let stride = groups.x * 256u;
    for (var i = id.x; i < p.count; i += stride) {
        update(i, id.y * p.count + i);
    }
}

// Parameter i (shared mask index) of a replica, at `at` in the buffers.
fn update(i: u32, at: u32) {
    if (MASKED && mask[i] == 0.0) {
        return;
    }
    let g = grads[at];
    let m_new = p.beta1 * m[at] + (1.0 - p.beta1) * g;
    let v_new = p.beta2 * v[at] + (1.0 - p.beta2) * g * g;
    m[at] = m_new;
    v[at] = v_new;
    let step = current_lr() * (m_new / current_correction1()) / (sqrt(v_new / current_correction2()) + p.epsilon);
    let updated = params[at] - step;
    params[at] = updated;
    if (EMA) {
        ema[at] = ema[at] + current_ema_weight() * (updated - ema[at]);
    }
}

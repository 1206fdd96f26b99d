// act_backward.wgsl: delta *= f'(pre, post), turning the gradient with
// respect to a hidden layer's activation into the gradient with respect to
// its pre-activation, for every activation the config offers. With
// QUANT_LEVELS != 0 (post rounded over [QUANT_LO, QUANT_HI]) the
// straight-through gradient: f' at the unrounded activation, 0 where it
// lies above QUANT_HI (a clipped ReLU), as cpu::layers::hidden_derivative.
// Bindings (f32, replica r at r * stride):
//   0 delta: (count) gradient, updated in place
//   1 pre: (count) pre-activations
//   2 post: (count) activations
//   3 p: ElementwiseParams
// Workgroup: 256 threads, one element each.
// Dispatch: (ceil(count / 256), replicas, 1).

override ACT: u32 = 1u;
override QUANT_LEVELS: u32 = 0u;
override QUANT_HI: f32 = 1.0;

struct ElementwiseParams {
    count: u32,
    stride: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<storage, read_write> delta: array<f32>;
@group(0) @binding(1) var<storage, read> pre: array<f32>;
@group(0) @binding(2) var<storage, read> post: array<f32>;
@group(0) @binding(3) var<uniform> p: ElementwiseParams;

@compute @workgroup_size(256, 1, 1)
fn act_backward(@builtin(global_invocation_id) id: vec3<u32>) {
    if (id.x >= p.count) {
        return;
    }
    let at = id.y * p.stride + id.x;
    if (QUANT_LEVELS == 0u) {
        delta[at] = delta[at] * activate_derivative(ACT, pre[at], post[at]);
        return;
    }
    let unrounded = activate(ACT, pre[at]);
    let through = select(0.0, activate_derivative(ACT, pre[at], unrounded), unrounded <= QUANT_HI);
    delta[at] = delta[at] * through;
}

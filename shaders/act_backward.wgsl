// act_backward.wgsl: delta *= f'(pre, post), turning the gradient with
// respect to a hidden layer's activation into the gradient with respect to
// its pre-activation, for every activation the config offers.
// Bindings (f32, replica r at r * stride):
//   0 delta: (count) gradient, updated in place
//   1 pre: (count) pre-activations
//   2 post: (count) activations
//   3 p: ElementwiseParams
// Workgroup: 256 threads, one element each.
// Dispatch: (ceil(count / 256), replicas, 1).

override ACT: u32 = 1u;

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
    delta[at] = delta[at] * activate_derivative(ACT, pre[at], post[at]);
}

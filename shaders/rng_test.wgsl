// rng_test.wgsl: writes the device's RNG outputs for comparison with
// src/rng.rs: per index i, the uniform's bits, the normal's bits and the
// image of i under the permutation of 0..n.
// Bindings:
//   0 out: (count, 3) u32
//   1 p: RngTestParams
// Workgroup: 64 threads, one index each.
// Dispatch: (ceil(count / 64), 1, 1).

struct RngTestParams {
    seed: u32,
    stream: u32,
    draw: u32,
    count: u32,
    n: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<uniform> p: RngTestParams;

@compute @workgroup_size(64, 1, 1)
fn rng_test(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if (i >= p.count) {
        return;
    }
    out[3u * i] = bitcast<u32>(rng_uniform(p.seed, p.stream, i, p.draw));
    out[3u * i + 1u] = bitcast<u32>(rng_normal(p.seed, p.stream, i, p.draw));
    var image = 0u;
    if (i < p.n) {
        image = permutation_apply(permutation_new(p.seed, p.stream, p.draw, p.n), i);
    }
    out[3u * i + 2u] = image;
}

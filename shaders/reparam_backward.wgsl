// reparam_backward.wgsl: the encoder-output gradient from dL/dz and the KL:
// d mu = dz + beta mu / B; d sigma = dz eps + beta (sigma - 1/sigma) / B;
// d rho = d sigma * sigmoid(rho - 5). Beta is the replica's for this step;
// with SQUARED (sqib, loss + beta KL^2) it is 2 beta KL, KL the batch mean.
// Bindings (f32, replica r at r * enc_stride or r * latent_stride):
//   0 dz, 1 eps, 2 sigma: (rows, K)
//   3 enc: (rows, 2K) encoder output (mu, rho)
//   4 d_enc: (rows, 2K) output
//   5 schedule: u32 words (schedule.wgsl): beta per replica
//   6 stats: (replicas, 2) f32 batch statistics; [r * 2] is the batch mean KL
//   7 p: ReparamParams (row_offset and sample unused)
// Workgroup: 256 threads, one latent element each.
// Dispatch: (ceil(rows * K / 256), replicas, 1).

override SQUARED: bool = false;

struct ReparamParams {
    rows: u32,
    latent: u32,
    enc_stride: u32,
    latent_stride: u32,
    row_offset: u32,
    sample: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<storage, read> dz: array<f32>;
@group(0) @binding(1) var<storage, read> eps: array<f32>;
@group(0) @binding(2) var<storage, read> sigma: array<f32>;
@group(0) @binding(3) var<storage, read> enc: array<f32>;
@group(0) @binding(4) var<storage, read_write> d_enc: array<f32>;
@group(0) @binding(5) var<storage, read> schedule: array<u32>;
@group(0) @binding(6) var<storage, read> stats: array<f32>;
@group(0) @binding(7) var<uniform> p: ReparamParams;

@compute @workgroup_size(256, 1, 1)
fn reparam_backward(@builtin(global_invocation_id) id: vec3<u32>) {
    let element = id.x;
    let replica = id.y;
    if (element >= p.rows * p.latent) {
        return;
    }
    let j = element / p.latent;
    let k = element % p.latent;
    let at = replica * p.latent_stride + element;
    let enc_at = replica * p.enc_stride + j * 2u * p.latent;
    var beta = current_beta(replica);
    if (SQUARED) {
        beta = 2.0 * beta * stats[2u * replica];
    }
    let scale = beta * (1.0 / f32(p.rows));
    let s = sigma[at];
    let g = dz[at];
    d_enc[enc_at + k] = g + scale * enc[enc_at + k];
    let d_sigma = g * eps[at] + scale * (s - 1.0 / s);
    d_enc[enc_at + p.latent + k] = d_sigma * sigmoid(enc[enc_at + p.latent + k] - SIGMA_SHIFT);
}

// reparameterize.wgsl: sigma = softplus(rho - 5), z = mu + sigma * eps, and
// the KL terms 0.5 (mu^2 + sigma^2 - 1) - ln sigma, fused in one pass.
// Noise: training draws Key(seed, Noise).normal(j * K + k, step); evaluation
// (EVAL) draws Key(seed, Eval).normal((row_offset + j) * K + k, sample).
// Bindings (f32, replica r at r * enc_stride or r * latent_stride):
//   0 enc: (rows, 2K) encoder output, mu in columns 0..K, rho in K..2K
//   1 z, 2 sigma, 3 eps, 4 kl: (rows, K) outputs
//   5 schedule: u32 words (schedule.wgsl): step and seeds
//   6 p: ReparamParams
// Workgroup: 256 threads, one latent element each.
// Dispatch: (ceil(rows * K / 256), replicas, 1).

override EVAL: bool = false;
// 1, or 0 for z = mu (the deterministic baseline, `noise=0`).
override NOISE_SCALE: f32 = 1.0;

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

@group(0) @binding(0) var<storage, read> enc: array<f32>;
@group(0) @binding(1) var<storage, read_write> z: array<f32>;
@group(0) @binding(2) var<storage, read_write> sigma: array<f32>;
@group(0) @binding(3) var<storage, read_write> eps: array<f32>;
@group(0) @binding(4) var<storage, read_write> kl: array<f32>;
@group(0) @binding(5) var<storage, read> schedule: array<u32>;
@group(0) @binding(6) var<uniform> p: ReparamParams;

@compute @workgroup_size(256, 1, 1)
fn reparameterize(@builtin(global_invocation_id) id: vec3<u32>) {
    let element = id.x;
    let replica = id.y;
    if (element >= p.rows * p.latent) {
        return;
    }
    let j = element / p.latent;
    let k = element % p.latent;
    let enc_at = replica * p.enc_stride + j * 2u * p.latent;
    let mu = enc[enc_at + k];
    let rho = enc[enc_at + p.latent + k];
    let s = softplus(rho - SIGMA_SHIFT);
    var noise: f32;
    if (EVAL) {
        noise = NOISE_SCALE * rng_normal(replica_seed(replica), STREAM_EVAL, (p.row_offset + j) * p.latent + k, p.sample);
    } else {
        noise = NOISE_SCALE * rng_normal(replica_seed(replica), STREAM_NOISE, element, current_step());
    }
    let at = replica * p.latent_stride + element;
    z[at] = mu + s * noise;
    sigma[at] = s;
    eps[at] = noise;
    kl[at] = 0.5 * (mu * mu + s * s - 1.0) - log(s);
}

//! The reparameterisation and its backward (`reparameterize.wgsl`, `reparam_backward.wgsl`).

use super::{groups, u32_of};
use crate::gpu::GpuContext;
use crate::gpu::kernels::Kernel;
use crate::gpu::params::*;
use crate::gpu::plan::Plan;

/// Geometry of the latent tensors.
#[derive(Clone, Copy, Debug)]
pub struct Latent {
    pub rows: usize,
    pub latent: usize,
    /// Elements between replicas of the encoder output (rows capacity x 2K).
    pub enc_stride: usize,
    /// Elements between replicas of z, sigma, eps, kl (rows capacity x K).
    pub latent_stride: usize,
}

impl Latent {
    fn params(&self, row_offset: usize, sample: usize) -> ReparamParams {
        ReparamParams {
            rows: u32_of(self.rows, "rows"),
            latent: u32_of(self.latent, "latent"),
            enc_stride: u32_of(self.enc_stride, "enc stride"),
            latent_stride: u32_of(self.latent_stride, "latent stride"),
            row_offset: u32_of(row_offset, "row offset"),
            sample: u32_of(sample, "sample"),
            ..Default::default()
        }
    }
}

/// The latent buffers of one model.
pub struct LatentBuffers<'a> {
    pub enc: &'a wgpu::Buffer,
    pub z: &'a wgpu::Buffer,
    pub sigma: &'a wgpu::Buffer,
    pub eps: &'a wgpu::Buffer,
    pub kl: &'a wgpu::Buffer,
}

/// sigma, z and the KL terms; `eval` = Some((row_offset, sample)) draws the
/// evaluation noise. CPU twin: `cpu::objective::{encode, reparameterize,
/// kl_per_example}` with `CpuTrainer::step_noise` / `cpu::eval` noise.
#[allow(clippy::too_many_arguments)]
pub fn reparameterize(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    geometry: Latent,
    buffers: &LatentBuffers,
    schedule: &wgpu::Buffer,
    eval: Option<(usize, usize)>,
    noise_scale: f32,
    replicas: usize,
) {
    let (row_offset, sample) = eval.unwrap_or((0, 0));
    let params = geometry.params(row_offset, sample);
    let constants = [
        ("EVAL", eval.is_some() as u32 as f64),
        ("NOISE_SCALE", noise_scale as f64),
    ];
    let b = buffers;
    plan.dispatch(
        ctx,
        label,
        Kernel::Reparameterize,
        &constants,
        &[b.enc, b.z, b.sigma, b.eps, b.kl, schedule],
        Some(&params),
        [
            groups(geometry.rows * geometry.latent, 256),
            replicas as u32,
            1,
        ],
    );
}

/// The encoder-output gradient from dz and the KL; `squared` (sqib) takes
/// the batch mean KL from `stats`. CPU twin: the middle of
/// `cpu::objective::loss_and_grads`.
#[allow(clippy::too_many_arguments)]
pub fn reparam_backward(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    geometry: Latent,
    dz: &wgpu::Buffer,
    buffers: &LatentBuffers,
    d_enc: &wgpu::Buffer,
    schedule: &wgpu::Buffer,
    stats: &wgpu::Buffer,
    squared: bool,
    replicas: usize,
) {
    let params = geometry.params(0, 0);
    plan.dispatch(
        ctx,
        label,
        Kernel::ReparamBackward,
        &[("SQUARED", squared as u32 as f64)],
        &[
            dz,
            buffers.eps,
            buffers.sigma,
            buffers.enc,
            d_enc,
            schedule,
            stats,
        ],
        Some(&params),
        [
            groups(geometry.rows * geometry.latent, 256),
            replicas as u32,
            1,
        ],
    );
}

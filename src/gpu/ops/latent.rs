//! The reparameterisation and its backward (`reparameterize.wgsl`, `reparam_backward.wgsl`).

use super::{groups, u32_of};
use crate::gpu::kernels::Kernel;
use crate::gpu::params::*;
use crate::gpu::plan::PlanBuilder;

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

/// Which noise the reparameterisation draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Noise {
    /// The training step's (from the schedule's step).
    Train,
    /// Evaluation sample `sample` of rows from `row_offset` of a split.
    Eval { row_offset: usize, sample: usize },
}

/// How the KL enters the encoder gradient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KlGradient {
    /// beta * KL (vib, vae).
    Linear,
    /// beta * rate^2 (sqib): scaled by the batch mean KL.
    Squared,
}

/// The gradient buffers of the reparameterisation's backward: dz in, the
/// encoder output's gradient out, and the batch statistics (sqib's KL).
pub struct LatentGrads<'a> {
    pub dz: &'a wgpu::Buffer,
    pub d_enc: &'a wgpu::Buffer,
    pub stats: &'a wgpu::Buffer,
}

impl PlanBuilder<'_> {
    /// sigma, z and the KL terms, with `noise_scale` times the noise of
    /// `noise`. CPU twin: `cpu::objective::{encode, reparameterize,
    /// kl_per_example}` with `CpuTrainer::step_noise` / `cpu::eval` noise.
    pub fn reparameterize(
        &mut self,
        label: &str,
        geometry: Latent,
        b: &LatentBuffers,
        noise: Noise,
        noise_scale: f32,
    ) {
        let (row_offset, sample) = match noise {
            Noise::Train => (0, 0),
            Noise::Eval { row_offset, sample } => (row_offset, sample),
        };
        let params = geometry.params(row_offset, sample);
        let constants = [
            ("EVAL", matches!(noise, Noise::Eval { .. }) as u32 as f64),
            ("NOISE_SCALE", noise_scale as f64),
        ];
        let buffers = [b.enc, b.z, b.sigma, b.eps, b.kl, self.schedule];
        let workgroups = [
            groups(geometry.rows * geometry.latent, 256),
            self.replica_groups(),
            1,
        ];
        self.dispatch(
            label,
            Kernel::Reparameterize,
            &constants,
            &buffers,
            Some(&params),
            workgroups,
        );
    }

    /// The encoder-output gradient from dz and the KL. CPU twin: the middle
    /// of `cpu::objective::loss_and_grads`.
    pub fn reparam_backward(
        &mut self,
        label: &str,
        geometry: Latent,
        b: &LatentBuffers,
        g: &LatentGrads,
        kl: KlGradient,
    ) {
        let params = geometry.params(0, 0);
        let squared = (kl == KlGradient::Squared) as u32 as f64;
        let buffers = [g.dz, b.eps, b.sigma, b.enc, g.d_enc, self.schedule, g.stats];
        let workgroups = [
            groups(geometry.rows * geometry.latent, 256),
            self.replica_groups(),
            1,
        ];
        self.dispatch(
            label,
            Kernel::ReparamBackward,
            &[("SQUARED", squared)],
            &buffers,
            Some(&params),
            workgroups,
        );
    }
}

//! The loss heads and accuracy (`softmax_ce.wgsl`, `reconstruction.wgsl`, `accuracy.wgsl`).

use super::{groups, u32_of};
use crate::data::Likelihood;
use crate::gpu::GpuContext;
use crate::gpu::kernels::Kernel;
use crate::gpu::params::*;
use crate::gpu::plan::Plan;

/// Geometry of a head (loss) dispatch: `rows` x `width` outputs.
#[derive(Clone, Copy, Debug)]
pub struct Head {
    pub rows: usize,
    pub width: usize,
    pub out_stride: usize,
    pub label_stride: usize,
    pub term_stride: usize,
    /// The training batch size (the gradient's divisor).
    pub batch: usize,
}

impl Head {
    fn params(&self, first: bool) -> HeadParams {
        HeadParams {
            rows: u32_of(self.rows, "rows"),
            width: u32_of(self.width, "width"),
            out_stride: u32_of(self.out_stride, "out stride"),
            label_stride: u32_of(self.label_stride, "label stride"),
            term_stride: u32_of(self.term_stride, "term stride"),
            first: first as u32,
            inv_batch: 1.0 / self.batch as f32,
            _pad: 0,
        }
    }
}

/// Softmax cross-entropy terms and gradient (training), or accumulated
/// terms and softmax (`eval` = Some(first sample?)). CPU twin:
/// `cpu::objective::data_term` for `vib`, and `cpu::eval::evaluate`.
#[allow(clippy::too_many_arguments)]
pub fn softmax_ce(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    head: Head,
    logits: &wgpu::Buffer,
    labels: &wgpu::Buffer,
    terms: &wgpu::Buffer,
    out: &wgpu::Buffer,
    eval: Option<bool>,
    replicas: usize,
) {
    let params = head.params(eval.unwrap_or(true));
    let constants = [("EVAL", eval.is_some() as u32 as f64)];
    plan.dispatch(
        ctx,
        label,
        Kernel::SoftmaxCe,
        &constants,
        &[logits, labels, terms, out],
        Some(&params),
        [groups(head.rows, 64), replicas as u32, 1],
    );
}

/// Reconstruction terms and gradient of the `vae` objective. CPU twin:
/// `cpu::objective::data_term` for `vae`.
#[allow(clippy::too_many_arguments)]
pub fn reconstruction(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    head: Head,
    likelihood: Likelihood,
    out: &wgpu::Buffer,
    inputs: &wgpu::Buffer,
    terms: &wgpu::Buffer,
    grad: &wgpu::Buffer,
    eval: Option<bool>,
    replicas: usize,
) {
    let params = head.params(eval.unwrap_or(true));
    let code = match likelihood {
        Likelihood::Bernoulli => 0.0,
        Likelihood::Gaussian => 1.0,
    };
    let constants = [("LIKELIHOOD", code), ("EVAL", eval.is_some() as u32 as f64)];
    plan.dispatch(
        ctx,
        label,
        Kernel::Reconstruction,
        &constants,
        &[out, inputs, terms, grad],
        Some(&params),
        [groups(head.rows * head.width, 256), replicas as u32, 1],
    );
}

/// 1/0 per row: argmax of the summed softmax equals the label. CPU twin:
/// `cpu::eval::argmax`.
#[allow(clippy::too_many_arguments)]
pub fn accuracy(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    head: Head,
    probs: &wgpu::Buffer,
    labels: &wgpu::Buffer,
    correct: &wgpu::Buffer,
    replicas: usize,
) {
    let params = head.params(false);
    plan.dispatch(
        ctx,
        label,
        Kernel::Accuracy,
        &[],
        &[probs, labels, correct],
        Some(&params),
        [groups(head.rows, 64), replicas as u32, 1],
    );
}

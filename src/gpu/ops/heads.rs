//! The loss heads and accuracy (`softmax_ce.wgsl`, `reconstruction.wgsl`, `accuracy.wgsl`).

use super::{groups, u32_of};
use crate::data::Likelihood;
use crate::gpu::kernels::Kernel;
use crate::gpu::params::*;
use crate::gpu::plan::PlanBuilder;

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

/// Which pass a head runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    /// Training: the terms and the gradient of the batch.
    Train,
    /// Evaluation: terms added up over noise samples, and the softmax (or
    /// reconstruction) summed into the output; the first sample starts the
    /// sums.
    Eval { first_sample: bool },
}

impl Pass {
    fn first(self) -> bool {
        match self {
            Pass::Train => true,
            Pass::Eval { first_sample } => first_sample,
        }
    }

    fn code(self) -> f64 {
        matches!(self, Pass::Eval { .. }) as u32 as f64
    }
}

/// A head's buffers: the decoder output, what it is scored against (the
/// labels, or the inputs for `vae`), the per-element terms, and the
/// gradient (training) or summed probabilities (evaluation).
pub struct HeadBuffers<'a> {
    pub out: &'a wgpu::Buffer,
    pub target: &'a wgpu::Buffer,
    pub terms: &'a wgpu::Buffer,
    pub grad: &'a wgpu::Buffer,
}

impl PlanBuilder<'_> {
    /// Softmax cross-entropy terms and gradient (training), or accumulated
    /// terms and softmax (evaluation). CPU twin: `cpu::objective::data_term`
    /// for `vib`, and `cpu::eval::evaluate`.
    pub fn softmax_ce(&mut self, label: &str, head: Head, b: &HeadBuffers, pass: Pass) {
        let params = head.params(pass.first());
        let workgroups = [groups(head.rows, 64), self.replica_groups(), 1];
        self.dispatch(
            label,
            Kernel::SoftmaxCe,
            &[("EVAL", pass.code())],
            &[b.out, b.target, b.terms, b.grad],
            Some(&params),
            workgroups,
        );
    }

    /// Reconstruction terms and gradient of the `vae` objective. CPU twin:
    /// `cpu::objective::data_term` for `vae`.
    pub fn reconstruction(
        &mut self,
        label: &str,
        head: Head,
        likelihood: Likelihood,
        b: &HeadBuffers,
        pass: Pass,
    ) {
        let params = head.params(pass.first());
        let code = match likelihood {
            Likelihood::Bernoulli => 0.0,
            Likelihood::Gaussian => 1.0,
        };
        let workgroups = [
            groups(head.rows * head.width, 256),
            self.replica_groups(),
            1,
        ];
        self.dispatch(
            label,
            Kernel::Reconstruction,
            &[("LIKELIHOOD", code), ("EVAL", pass.code())],
            &[b.out, b.target, b.terms, b.grad],
            Some(&params),
            workgroups,
        );
    }

    /// 1/0 per row: argmax of the summed softmax equals the label. CPU twin:
    /// `cpu::eval::argmax`.
    pub fn accuracy(
        &mut self,
        label: &str,
        head: Head,
        probs: &wgpu::Buffer,
        labels: &wgpu::Buffer,
        correct: &wgpu::Buffer,
    ) {
        let params = head.params(false);
        let workgroups = [groups(head.rows, 64), self.replica_groups(), 1];
        self.dispatch(
            label,
            Kernel::Accuracy,
            &[],
            &[probs, labels, correct],
            Some(&params),
            workgroups,
        );
    }
}

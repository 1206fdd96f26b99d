//! Activation backward and column sums (`act_backward.wgsl`, `bias_grad.wgsl`).

use super::Nonlinearity;
use super::{Place, groups, u32_of};
use crate::gpu::kernels::Kernel;
use crate::gpu::params::*;
use crate::gpu::plan::PlanBuilder;

/// Whether column sums replace or add to their output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sums {
    Store,
    /// Added (the per-dimension KL summed over evaluation chunks).
    Accumulate,
}

/// A layer's buffers for the activation backward: the gradient (updated in
/// place), the pre-activation and the activation, `stride` apart.
pub struct ActBuffers<'a> {
    pub delta: &'a wgpu::Buffer,
    pub pre: &'a wgpu::Buffer,
    pub post: &'a wgpu::Buffer,
    pub stride: usize,
}

impl PlanBuilder<'_> {
    /// delta *= f'(pre, post) over `count` elements per replica. CPU twin:
    /// the activation step of `cpu::layers::backward`.
    pub fn act_backward(
        &mut self,
        label: &str,
        nonlinearity: impl Into<Nonlinearity>,
        b: &ActBuffers,
        count: usize,
    ) {
        let params = ElementwiseParams {
            count: u32_of(count, "count"),
            stride: u32_of(b.stride, "stride"),
            ..Default::default()
        };
        let [act, levels, _, hi] = nonlinearity.into().constants();
        let constants = [act, levels, hi];
        let workgroups = [groups(count, 256), self.replica_groups(), 1];
        self.dispatch(
            label,
            Kernel::ActBackward,
            &constants,
            &[b.delta, b.pre, b.post],
            Some(&params),
            workgroups,
        );
    }

    /// Column sums of a (rows, cols) delta into the bias gradient at
    /// `grad.offset`. CPU twin: `delta.sum_axis(Axis(0))`.
    pub fn bias_grad(&mut self, label: &str, delta: Place, shape: (usize, usize), grad: Place) {
        self.column_sums(label, delta, shape, grad, Sums::Store);
    }

    /// Column sums of a (rows, cols) matrix into `out`. CPU twin:
    /// `sum_axis(Axis(0))`.
    pub fn column_sums(
        &mut self,
        label: &str,
        values: Place,
        (rows, cols): (usize, usize),
        out: Place,
        sums: Sums,
    ) {
        let params = BiasGradParams {
            rows: u32_of(rows, "rows"),
            cols: u32_of(cols, "cols"),
            delta_stride: u32_of(values.stride, "values stride"),
            bias_offset: u32_of(out.offset, "out offset"),
            grad_stride: u32_of(out.stride, "out stride"),
            ..Default::default()
        };
        let constants = [("ACCUMULATE", (sums == Sums::Accumulate) as u32 as f64)];
        let workgroups = [groups(cols, 256), self.replica_groups(), 1];
        self.dispatch(
            label,
            Kernel::BiasGrad,
            &constants,
            &[values.buffer, out.buffer],
            Some(&params),
            workgroups,
        );
    }
}

//! Activation backward and column sums (`act_backward.wgsl`, `bias_grad.wgsl`).

use super::activation_code;
use super::{Place, groups, u32_of};
use crate::config::Activation;
use crate::gpu::GpuContext;
use crate::gpu::kernels::Kernel;
use crate::gpu::params::*;
use crate::gpu::plan::Plan;

/// delta *= f'(pre, post) over `count` elements per replica. CPU twin: the
/// activation step of `cpu::layers::backward`.
#[allow(clippy::too_many_arguments)]
pub fn act_backward(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    activation: Activation,
    delta: &wgpu::Buffer,
    pre: &wgpu::Buffer,
    post: &wgpu::Buffer,
    count: usize,
    stride: usize,
    replicas: usize,
) {
    let params = ElementwiseParams {
        count: u32_of(count, "count"),
        stride: u32_of(stride, "stride"),
        ..Default::default()
    };
    let constants = [("ACT", activation_code(activation) as f64)];
    plan.dispatch(
        ctx,
        label,
        Kernel::ActBackward,
        &constants,
        &[delta, pre, post],
        Some(&params),
        [groups(count, 256), replicas as u32, 1],
    );
}

/// Column sums of a (rows, cols) delta into the bias gradient at
/// `grad.offset`. CPU twin: `delta.sum_axis(Axis(0))`.
#[allow(clippy::too_many_arguments)]
pub fn bias_grad(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    delta: Place,
    rows: usize,
    cols: usize,
    grad: Place,
    replicas: usize,
) {
    column_sums(plan, ctx, label, delta, rows, cols, grad, false, replicas);
}

/// Column sums of a (rows, cols) matrix, stored into or (`accumulate`)
/// added to `out` (the per-dimension KL summed over evaluation chunks).
/// CPU twin: `sum_axis(Axis(0))`.
#[allow(clippy::too_many_arguments)]
pub fn column_sums(
    plan: &mut Plan,
    ctx: &GpuContext,
    label: &str,
    values: Place,
    rows: usize,
    cols: usize,
    out: Place,
    accumulate: bool,
    replicas: usize,
) {
    let params = BiasGradParams {
        rows: u32_of(rows, "rows"),
        cols: u32_of(cols, "cols"),
        delta_stride: u32_of(values.stride, "values stride"),
        bias_offset: u32_of(out.offset, "out offset"),
        grad_stride: u32_of(out.stride, "out stride"),
        ..Default::default()
    };
    let constants = [("ACCUMULATE", accumulate as u32 as f64)];
    plan.dispatch(
        ctx,
        label,
        Kernel::BiasGrad,
        &constants,
        &[values.buffer, out.buffer],
        Some(&params),
        [groups(cols, 256), replicas as u32, 1],
    );
}

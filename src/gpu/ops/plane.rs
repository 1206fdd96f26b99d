//! The information plane's kernels (`value_range.wgsl`, `pairwise.wgsl`).

use super::{groups, u32_of};
use crate::gpu::kernels::Kernel;
use crate::gpu::params::*;
use crate::gpu::plan::PlanBuilder;

/// Rows of a layer for the information plane: `n` rows of `width` values,
/// `row_stride` apart, replica r's starting at r * `replica_stride`.
#[derive(Clone, Copy, Debug)]
pub struct PlaneRows<'a> {
    pub buffer: &'a wgpu::Buffer,
    pub n: usize,
    pub width: usize,
    pub row_stride: usize,
    pub replica_stride: usize,
}

impl PlanBuilder<'_> {
    /// The binning range of a layer into `bounds` (2 per replica). CPU twin:
    /// `info::plane::Range::resolve`.
    pub fn value_range(
        &mut self,
        label: &str,
        rows: PlaneRows,
        range: crate::info::plane::Range,
        bounds: &wgpu::Buffer,
    ) {
        use crate::info::plane::Range;
        let (mode, lo, hi) = match range {
            Range::Observed => (0.0, 0.0, 0.0),
            Range::ZeroToMax => (1.0, 0.0, 0.0),
            Range::Fixed(lo, hi) => (2.0, lo, hi),
        };
        let params = RangeParams {
            n: u32_of(rows.n, "rows"),
            width: u32_of(rows.width, "width"),
            row_stride: u32_of(rows.row_stride, "row stride"),
            values_stride: u32_of(rows.replica_stride, "replica stride"),
            bounds_offset: 0,
            fixed_lo: lo,
            fixed_hi: hi,
            _pad: 0,
        };
        let workgroups = [1, self.replica_groups(), 1];
        self.dispatch(
            label,
            Kernel::ValueRange,
            &[("MODE", mode)],
            &[rows.buffer, bounds],
            Some(&params),
            workgroups,
        );
    }
}

/// Which k(i, j) the pairwise reduction sums.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PairwiseKernel {
    /// `bins` equal bins in every unit (the bounds come from `value_range`).
    Binning { bins: u32 },
    /// Gaussian kernel with noise variance s^2.
    Kde { noise_variance: f64 },
    /// exp(-KL) between the rows' Gaussians (rows hold [mu | rho]).
    PairwiseKl,
    /// 1 where two rows are equal value for value (a quantized layer):
    /// the exact plane.
    Exact,
}

impl PlanBuilder<'_> {
    /// Per pattern, log means of k(i, j) over all j and over same-label j,
    /// into `out` ((n, 2) per replica); binning reads its bounds from
    /// `bounds`. CPU twin: `info::plane::pairwise_log_means`.
    pub fn pairwise(
        &mut self,
        label: &str,
        rows: PlaneRows,
        labels: &wgpu::Buffer,
        kernel: PairwiseKernel,
        (bounds, out): (&wgpu::Buffer, &wgpu::Buffer),
    ) {
        let (mode, scale, bins) = match kernel {
            PairwiseKernel::Binning { bins } => (0.0, 0.0, bins),
            PairwiseKernel::Kde { noise_variance } => {
                (1.0, (1.0 / (2.0 * noise_variance)) as f32, 0)
            }
            PairwiseKernel::PairwiseKl => (2.0, 0.0, 0),
            PairwiseKernel::Exact => (3.0, 0.0, 0),
        };
        let params = PairwiseParams {
            n: u32_of(rows.n, "rows"),
            width: u32_of(rows.width, "width"),
            row_stride: u32_of(rows.row_stride, "row stride"),
            values_offset: 0,
            values_stride: u32_of(rows.replica_stride, "replica stride"),
            out_stride: u32_of(2 * rows.n, "out stride"),
            scale,
            bins,
        };
        let workgroups = [groups(rows.n, 64), self.replica_groups(), 1];
        self.dispatch(
            label,
            Kernel::Pairwise,
            &[("MODE", mode)],
            &[rows.buffer, labels, bounds, out],
            Some(&params),
            workgroups,
        );
    }
}

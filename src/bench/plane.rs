//! The information plane's N x N estimators for N = 4096 (var_u's largest
//! plane: every training pattern of a 10-unit layer): the CPU reference
//! (`info::plane`) and the WGSL kernel (`pairwise.wgsl`).

use super::KernelRow;
use super::kernels::time_plan;
use crate::gpu::ops::{self, PairwiseKernel};
use crate::gpu::plan::PlanBuilder;
use crate::gpu::{GpuContext, GpuError, Requirements, block_on};
use crate::info::plane;
use crate::rng::{Key, Stream};
use ndarray::Array2;
use std::time::Instant;

const PLANE_PATTERNS: usize = 4096;
const PLANE_WIDTH: usize = 10;

/// The layer measured: tanh of Gaussian numbers, and two balanced labels.
fn layer() -> (Array2<f32>, Vec<u32>) {
    let key = Key::new(7, Stream::Data);
    let values = Array2::from_shape_fn((PLANE_PATTERNS, PLANE_WIDTH), |(i, j)| {
        key.normal((i * PLANE_WIDTH + j) as u32, 0).tanh()
    });
    (values, (0..PLANE_PATTERNS as u32).map(|i| i % 2).collect())
}

fn row(name: &str, ms: f64) -> KernelRow {
    KernelRow {
        kernel: name.into(),
        size: format!("N={PLANE_PATTERNS} d={PLANE_WIDTH}"),
        ms,
        gflops: 0.0,
        gbps: 0.0,
    }
}

fn timed(f: &dyn Fn()) -> f64 {
    let start = Instant::now();
    f();
    start.elapsed().as_secs_f64() * 1e3
}

/// The CPU reference's three estimators, once each.
fn cpu_rows(values: &Array2<f32>, labels: &[u32]) -> Vec<KernelRow> {
    let pairwise_kl = || {
        let mu = values.slice(ndarray::s![.., ..5]);
        let sigma = values.slice(ndarray::s![.., 5..]).mapv(|v| v.abs() + 0.1);
        plane::pairwise_kl(mu, sigma.view(), labels);
    };
    vec![
        row(
            "plane cpu: binning (hash)",
            timed(&|| {
                plane::binning(values.view(), labels, (-1.0, 1.0), 30);
            }),
        ),
        row(
            "plane cpu: kde",
            timed(&|| {
                plane::kde(values.view(), labels, plane::KDE_NOISE_VARIANCE);
            }),
        ),
        row("plane cpu: pairwise kl (K=5)", timed(&pairwise_kl)),
    ]
}

/// The WGSL kernel's three estimators, each recorded twice in one
/// submission.
fn gpu_rows(values: &Array2<f32>, labels: &[u32]) -> Result<Vec<KernelRow>, GpuError> {
    let need = Requirements {
        storage_buffer_bytes: 1 << 20,
        workgroups_per_dimension: 65_535,
    };
    let ctx = block_on(GpuContext::new(need))?;
    let flat: Vec<f32> = values.iter().copied().collect();
    let buffer = ctx.storage_with("plane bench values", &flat);
    let label_buffer = ctx.storage_with("plane bench labels", labels);
    let bounds = ctx.storage_with("plane bench bounds", &[-1.0f32, 1.0]);
    let out = ctx.storage("plane bench out", 4 * 2 * PLANE_PATTERNS as u64);
    let kernels = [
        ("plane gpu: binning", PairwiseKernel::Binning { bins: 30 }),
        (
            "plane gpu: kde",
            PairwiseKernel::Kde {
                noise_variance: plane::KDE_NOISE_VARIANCE,
            },
        ),
        ("plane gpu: pairwise kl (K=5)", PairwiseKernel::PairwiseKl),
    ];
    let mut rows = Vec::new();
    for (name, kernel) in kernels {
        let rows_spec = ops::PlaneRows {
            buffer: &buffer,
            n: PLANE_PATTERNS,
            width: PLANE_WIDTH,
            row_stride: PLANE_WIDTH,
            replica_stride: 0,
        };
        let mut builder = PlanBuilder::new(&ctx, 1, &bounds, &bounds);
        builder.pairwise(name, rows_spec, &label_buffer, kernel, (&bounds, &out));
        rows.push(row(name, time_plan(&ctx, &builder.finish(), 2)?));
    }
    Ok(rows)
}

/// The plane's estimators on the CPU and, with `gpu`, on the GPU.
pub fn plane_estimators(gpu: bool) -> Result<Vec<KernelRow>, GpuError> {
    let (values, labels) = layer();
    let mut rows = cpu_rows(&values, &labels);
    if gpu {
        rows.extend(gpu_rows(&values, &labels)?);
    }
    Ok(rows)
}

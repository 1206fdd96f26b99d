//! The GPU kernels' achieved throughput on the default adapter: the matrix
//! products (GFLOP/s) of the MNIST and var_u models' shapes in every
//! product kernel the adapter offers, and the memory-bound reduction and
//! Adam update (GB/s).

use super::KernelRow;
use crate::gpu::kernels::Kernel;
use crate::gpu::ops::{AdamBuffers, MatmulShape, Place, Product, Slot};
use crate::gpu::plan::{Plan, PlanBuilder};
use crate::gpu::{GpuContext, GpuError, Requirements, block_on};
use std::time::Instant;

/// Times `plan` recorded `repeats` times in one submission, after one
/// alone (pipelines compiled, buffers resident); ms per repeat.
pub(super) fn time_plan(ctx: &GpuContext, plan: &Plan, repeats: usize) -> Result<f64, GpuError> {
    let run = |count: usize| -> Result<f64, GpuError> {
        let mut encoder = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("kernel bench"),
            });
        for _ in 0..count {
            plan.record(&mut encoder, "kernel bench");
        }
        let start = Instant::now();
        ctx.queue.submit([encoder.finish()]);
        ctx.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| GpuError::Device(e.to_string()))?;
        Ok(start.elapsed().as_secs_f64() * 1e3 / count as f64)
    };
    run(1)?;
    let ms = run(repeats)?;
    // A command wgpu refused ran nothing: no figure for it.
    match ctx.take_error() {
        Some(error) => Err(GpuError::Device(error)),
        None => Ok(ms),
    }
}

/// A product timed: its name and (m, n, k, A transposed, B transposed).
pub type ProductCase = (&'static str, usize, usize, usize, bool, bool);

/// The products of one MNIST and one var_u training step, and two squares.
const PRODUCTS: [ProductCase; 7] = [
    ("forward X W + b, relu", 100, 1024, 784, false, false),
    ("weight gradient X^T dY", 784, 1024, 100, true, false),
    ("input gradient dY W^T", 100, 784, 1024, false, true),
    ("square", 1024, 1024, 1024, false, false),
    ("large square", 4096, 4096, 4096, false, false),
    ("var_u layer X W + b", 256, 10, 12, false, false),
    ("var_u weight gradient", 12, 10, 256, true, false),
];

/// The product kernels this adapter runs, with their short names.
fn product_kernels(ctx: &GpuContext) -> Vec<(Kernel, &'static str)> {
    let mut kernels = vec![(Kernel::Matmul, "tiled"), (Kernel::MatmulSmall, "direct")];
    if ctx.wide_tiles {
        kernels.push((Kernel::MatmulWide, "wide"));
    }
    if ctx.subgroup_size.is_some() {
        kernels.push((Kernel::MatmulSubgroup, "subgroup"));
    }
    kernels
}

/// One product in one kernel, timed; a `GpuError::Limit` without running
/// it where the kernel would dispatch more workgroups along one dimension
/// than the device allows (the subgroup kernel's 4 x 8 blocks of a 4096 x
/// 4096 product: 524,288), which wgpu would refuse and the device skip,
/// leaving a time of nothing.
pub fn product_row(
    ctx: &GpuContext,
    (name, m, n, k, trans_a, trans_b): ProductCase,
    (kernel, kind): (Kernel, &str),
    repeats: usize,
) -> Result<KernelRow, GpuError> {
    let a = ctx.storage("bench a", 4 * (m * k) as u64);
    let b = ctx.storage("bench b", 4 * (k * n + n) as u64);
    let c = ctx.storage("bench c", 4 * (m * n) as u64);
    let post = ctx.storage("bench post", 4 * (m * n) as u64);
    let dummy = ctx.storage("bench dummy", 4);
    let mut builder = PlanBuilder::new(ctx, 1, &dummy, &dummy);
    let bias = (!trans_a && !trans_b).then_some((k * n, 0));
    let product = Product {
        shape: MatmulShape {
            m,
            n,
            k,
            trans_a,
            trans_b,
        },
        a: Place::new(&a, 0, 0),
        b: Place::new(&b, 0, 0),
        bias,
        c: Place::new(&c, 0, 0),
        post: bias.map(|_| (&post, crate::config::Activation::Relu.into())),
    };
    builder.matmul_with(kernel, name, product);
    let plan = builder.finish();
    let available = ctx.limits.max_compute_workgroups_per_dimension;
    if plan.largest_dispatch() > available {
        return Err(GpuError::Limit {
            name: "max_compute_workgroups_per_dimension".into(),
            needed: plan.largest_dispatch().into(),
            available: available.into(),
        });
    }
    let ms = time_plan(ctx, &plan, repeats)?;
    let flop = 2.0 * (m * n * k) as f64;
    let bytes = 4.0 * (m * k + k * n + m * n) as f64;
    Ok(KernelRow {
        kernel: format!("matmul ({kind}): {name}"),
        size: format!("{m}x{n}x{k}"),
        ms,
        gflops: flop / ms / 1e6,
        gbps: bytes / ms / 1e6,
    })
}

/// The sum of 2^20 numbers into one metric slot.
fn reduce_row(
    ctx: &GpuContext,
    schedule: &wgpu::Buffer,
    repeats: usize,
) -> Result<KernelRow, GpuError> {
    let count = 1 << 20;
    let values = ctx.storage("bench values", 4 * count as u64);
    let metrics = ctx.storage("bench metrics", 32);
    let mut builder = PlanBuilder::new(ctx, 1, schedule, schedule);
    let slot = Slot {
        square: false,
        slot: 0,
        slots: 8,
        scale: 1.0,
        use_beta: false,
        accumulate: false,
    };
    builder.reduce(
        "bench reduce",
        Place::new(&values, 0, 0),
        count,
        &metrics,
        slot,
    );
    let ms = time_plan(ctx, &builder.finish(), repeats)?;
    Ok(KernelRow {
        kernel: "reduce (sum)".into(),
        size: format!("{count}"),
        ms,
        gflops: 0.0,
        gbps: 4.0 * count as f64 / ms / 1e6,
    })
}

/// One Adam update of the MNIST model's 2,380,810 parameters.
fn adam_row(
    ctx: &GpuContext,
    schedule: &wgpu::Buffer,
    repeats: usize,
) -> Result<KernelRow, GpuError> {
    let parameters = 2_380_810;
    let state: Vec<wgpu::Buffer> = (0..4)
        .map(|_| ctx.storage("bench adam", 4 * parameters as u64))
        .collect();
    let mut builder = PlanBuilder::new(ctx, 1, schedule, &state[0]);
    let adam = AdamBuffers {
        params: &state[0],
        grads: &state[1],
        m: &state[2],
        v: &state[3],
        mask: None,
        ema: None,
    };
    builder.adam("bench adam", &adam, parameters, (0.9, 0.999));
    let ms = time_plan(ctx, &builder.finish(), repeats)?;
    // Reads p, g, m, v and writes p, m, v.
    Ok(KernelRow {
        kernel: "adam".into(),
        size: format!("{parameters}"),
        ms,
        gflops: 0.0,
        gbps: 28.0 * parameters as f64 / ms / 1e6,
    })
}

/// Achieved throughput of the main kernels on the default adapter.
pub fn gpu_kernels(quick: bool) -> Result<Vec<KernelRow>, GpuError> {
    let need = Requirements {
        // The large square's B and its bias: 4096 x 4097 f32.
        storage_buffer_bytes: 80 << 20,
        workgroups_per_dimension: 65_535,
    };
    let ctx = block_on(GpuContext::new(need))?;
    let repeats = if quick { 2 } else { 10 };
    // 137 GFLOP: minutes on a CPU-emulated adapter, milliseconds on a GPU.
    let sized = |p: &&ProductCase| !(ctx.emulated && p.1 >= 4096);
    let mut rows = Vec::new();
    for product in PRODUCTS.iter().filter(sized) {
        for kernel in product_kernels(&ctx) {
            match product_row(&ctx, *product, kernel, repeats) {
                Ok(row) => rows.push(row),
                Err(GpuError::Limit { name, needed, .. }) => eprintln!(
                    "ibp bench: matmul ({}) {} {}x{}x{} not timed: it needs {name} >= {needed}",
                    kernel.1, product.0, product.1, product.2, product.3
                ),
                // wgpu refused the product: the other rows still tell.
                Err(other) => eprintln!(
                    "ibp bench: matmul ({}) {} {}x{}x{} not timed: {other}",
                    kernel.1, product.0, product.1, product.2, product.3
                ),
            }
        }
    }
    let schedule = ctx.storage("bench schedule", 4 * crate::gpu::schedule::words(1) as u64);
    rows.push(reduce_row(&ctx, &schedule, repeats)?);
    rows.push(adam_row(&ctx, &schedule, repeats)?);
    Ok(rows)
}

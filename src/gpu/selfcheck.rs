//! The matrix-product kernels checked on this device against f64 sums on the
//! CPU: every kernel the device offers (the tiled, direct, wide and subgroup
//! products), three transposes, two replicas at offsets, a bias and an
//! activation. The native parity test (`tests/gpu_parity.rs`, lavapipe) and
//! the page's `window.playground.checkKernels()` (SwiftShader in the browser
//! tests, or a visitor's GPU) both run it.
//!
//! Tolerance: an f32 sum of k products carries a rounding error of at most
//! about k * eps_f32 * sum |a b| (eps_f32 = 1.2e-7, Higham, *Accuracy and
//! Stability of Numerical Algorithms*, 2002, section 3.1); the check allows
//! twice that plus 1e-6, and 1e-6 relative for the activation (tanh, exp and
//! log differ by a few ulp between WGSL and Rust).

use super::kernels::Kernel;
use super::ops::{MatmulShape, Place, Product};
use super::plan::PlanBuilder;
use super::readback::read_f32;
use super::{GpuContext, GpuError};
use crate::config::Activation;
use crate::rng::{Key, Stream};

/// One product checked on the device.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ProductCheck {
    /// The kernel's file stem, e.g. "matmul_subgroup".
    pub kernel: &'static str,
    /// "m x n x k" of op(A) (m, k) times op(B) (k, n).
    pub shape: String,
    pub trans_a: bool,
    pub trans_b: bool,
    pub activation: String,
    /// The largest error over its tolerance, over both replicas' C and its
    /// activation: at most 1 passes.
    pub worst: f64,
}

/// The product kernels this device runs: the tiled and direct ones always,
/// the wide tiles with 32 KiB of workgroup memory, the subgroup kernel with
/// a fixed subgroup size.
pub fn offered_kernels(ctx: &GpuContext) -> Vec<Kernel> {
    let mut kernels = vec![Kernel::Matmul, Kernel::MatmulSmall];
    if ctx.wide_tiles {
        kernels.push(Kernel::MatmulWide);
    }
    if ctx.subgroup_size.is_some() {
        kernels.push(Kernel::MatmulSubgroup);
    }
    kernels
}

/// Seeded normal values times `scale` (the data stream of `seed`).
pub fn test_values(seed: u32, count: usize, scale: f32) -> Vec<f32> {
    let key = Key::new(seed, Stream::Data);
    (0..count as u32)
        .map(|i| scale * key.normal(i, 0))
        .collect()
}

/// op(A) op(B) in f64 and, per element, sum |a b| (for the tolerance).
/// `a` is stored (m, k) or (k, m) when trans_a; `b` (k, n) or (n, k).
pub fn reference_product(a: &[f32], b: &[f32], shape: MatmulShape) -> (Vec<f64>, Vec<f64>) {
    let (m, n, k) = (shape.m, shape.n, shape.k);
    let mut out = vec![0f64; m * n];
    let mut magnitude = vec![0f64; m * n];
    for i in 0..m {
        for j in 0..n {
            for p in 0..k {
                let av = if shape.trans_a {
                    a[p * m + i]
                } else {
                    a[i * k + p]
                } as f64;
                let bv = if shape.trans_b {
                    b[j * k + p]
                } else {
                    b[p * n + j]
                } as f64;
                out[i * n + j] += av * bv;
                magnitude[i * n + j] += (av * bv).abs();
            }
        }
    }
    (out, magnitude)
}

/// Every offered kernel on every (m, n, k) of `sizes`, each with the three
/// transposes (a bias where A is not transposed; activations in turn).
pub async fn check_products(
    ctx: &GpuContext,
    sizes: &[(usize, usize, usize)],
) -> Result<Vec<ProductCheck>, GpuError> {
    let mut checks = Vec::new();
    for (case, &(m, n, k)) in sizes.iter().enumerate() {
        for kernel in offered_kernels(ctx) {
            for (trans_a, trans_b) in [(false, false), (true, false), (false, true)] {
                let shape = MatmulShape {
                    m,
                    n,
                    k,
                    trans_a,
                    trans_b,
                };
                let activation = Activation::ALL[case % Activation::ALL.len()];
                checks.push(check_product(ctx, kernel, case as u32, shape, activation).await?);
            }
        }
    }
    Ok(checks)
}

/// Replicas per check, and the operands' leading offsets (as in the
/// trainer, where a replica's parameters sit at an offset in a shared buffer).
const REPLICAS: usize = 2;
const A_OFFSET: usize = 3;
const B_OFFSET: usize = 5;

/// One product by `kernel` on two replicas, against `reference_product`.
pub async fn check_product(
    ctx: &GpuContext,
    kernel: Kernel,
    seed: u32,
    shape: MatmulShape,
    activation: Activation,
) -> Result<ProductCheck, GpuError> {
    let (m, n, k) = (shape.m, shape.n, shape.k);
    let (a_len, b_len) = operand_lengths(shape);
    let a_all = test_values(seed, A_OFFSET + REPLICAS * a_len, 1.0);
    let b_all = test_values(1000 + seed, B_OFFSET + REPLICAS * b_len, 0.5);
    let (c, post) = run_product(ctx, kernel, shape, activation, &a_all, &b_all).await?;
    let mut worst = 0f64;
    for r in 0..REPLICAS {
        let a = &a_all[A_OFFSET + r * a_len..][..a_len];
        let b = &b_all[B_OFFSET + r * b_len..][..b_len];
        let out = r * m * n..(r + 1) * m * n;
        let replica = replica_worst(shape, activation, a, b, &c[out.clone()], &post[out]);
        worst = worst.max(replica);
    }
    Ok(ProductCheck {
        kernel: kernel.name(),
        shape: format!("{m}x{n}x{k}"),
        trans_a: shape.trans_a,
        trans_b: shape.trans_b,
        activation: activation.to_string(),
        worst,
    })
}

/// Elements per replica of A and of B (B holds the bias after op(B) where
/// A is not transposed).
fn operand_lengths(shape: MatmulShape) -> (usize, usize) {
    let bias = if shape.trans_a { 0 } else { shape.n };
    (shape.m * shape.k, shape.k * shape.n + bias)
}

/// Runs the product on the device and reads back C and its activation, all
/// replicas.
async fn run_product(
    ctx: &GpuContext,
    kernel: Kernel,
    shape: MatmulShape,
    activation: Activation,
    a_all: &[f32],
    b_all: &[f32],
) -> Result<(Vec<f32>, Vec<f32>), GpuError> {
    let (a_len, b_len) = operand_lengths(shape);
    let outputs = REPLICAS * shape.m * shape.n;
    let a_buf = ctx.storage_with("check a", a_all);
    let b_buf = ctx.storage_with("check b", b_all);
    let c_buf = ctx.storage("check c", 4 * outputs as u64);
    let post_buf = ctx.storage("check post", 4 * outputs as u64);
    let dummy = ctx.storage("check dummy", 4);
    let mut builder = PlanBuilder::new(ctx, REPLICAS, &dummy, &dummy);
    let product = Product {
        shape,
        a: Place::new(&a_buf, A_OFFSET, a_len),
        b: Place::new(&b_buf, B_OFFSET, b_len),
        bias: (!shape.trans_a).then_some((B_OFFSET + shape.k * shape.n, b_len)),
        c: Place::new(&c_buf, 0, shape.m * shape.n),
        post: Some((&post_buf, activation.into())),
    };
    builder.matmul_with(kernel, "product check", product);
    let mut encoder = ctx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("product check"),
        });
    builder.finish().record(&mut encoder, "product check");
    ctx.queue.submit([encoder.finish()]);
    let c = read_f32(ctx, &c_buf, 0, outputs).await?;
    let post = read_f32(ctx, &post_buf, 0, outputs).await?;
    Ok((c, post))
}

/// The largest error over its tolerance of one replica's C (`got`) and its
/// activation (`activated`), given that replica's operands.
fn replica_worst(
    shape: MatmulShape,
    activation: Activation,
    a: &[f32],
    b: &[f32],
    got: &[f32],
    activated: &[f32],
) -> f64 {
    let (n, k) = (shape.n, shape.k);
    let (mut want, magnitude) = reference_product(a, &b[..k * n], shape);
    if !shape.trans_a {
        for (i, w) in want.iter_mut().enumerate() {
            *w += b[k * n + i % n] as f64;
        }
    }
    let mut worst = 0f64;
    for i in 0..want.len() {
        let tol = 2.0 * k as f64 * f32::EPSILON as f64 * (magnitude[i] + 1.0) + 1e-6;
        worst = worse(worst, (got[i] as f64 - want[i]).abs() / tol);
        let expected = activation.apply(got[i] as f64);
        let post_tol = 1e-6 * (1.0 + expected.abs());
        worst = worse(worst, (activated[i] as f64 - expected).abs() / post_tol);
    }
    worst
}

/// The larger ratio, where a NaN (a value that is not a number) counts as
/// infinitely wrong.
fn worse(worst: f64, ratio: f64) -> f64 {
    if ratio.is_nan() {
        f64::INFINITY
    } else {
        worst.max(ratio)
    }
}

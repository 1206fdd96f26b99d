//! The quantized encoder on the GPU against its CPU twins (link key
//! `quant`): the rounded activation in the products' epilogue, the
//! straight-through gradient, and the exact plane's counting kernel.
mod common;

use common::{assert_close, read, run, values};
use ib_playground::config::Activation;
use ib_playground::gpu::GpuContext;
use ib_playground::gpu::ops::{
    ActBuffers, MatmulShape, Nonlinearity, PairwiseKernel, Place, PlaneRows, Product,
};
use ib_playground::gpu::plan::PlanBuilder;
use ib_playground::gpu::selfcheck::offered_kernels;
use ib_playground::info::plane;
use ib_playground::model::{Quantizer, RELU_CLIP};

const SIZES: [usize; 5] = [1, 7, 63, 65, 257];

/// The quantizer of `activation` at `bits` (as `Quantizer::of` builds it).
fn quantizer(activation: Activation, bits: u32) -> Quantizer {
    let (lo, hi) = match activation {
        Activation::Tanh => (-1.0, 1.0),
        Activation::Sigmoid => (0.0, 1.0),
        _ => (0.0, RELU_CLIP),
    };
    Quantizer {
        levels: 1 << bits,
        lo,
        hi,
    }
}

const QUANTIZABLE: [Activation; 3] = [Activation::Tanh, Activation::Relu, Activation::Sigmoid];

/// C = A B + bias on the device with the quantized activation into post:
/// (C, post), `replicas` of them.
fn product(
    ctx: &GpuContext,
    kernel: ib_playground::gpu::kernels::Kernel,
    shape: MatmulShape,
    hidden: Nonlinearity,
) -> (Vec<f32>, Vec<f32>) {
    let (a_len, b_len) = (shape.m * shape.k, shape.k * shape.n + shape.n);
    let a = values(11, 2 * a_len, 1.0);
    // Weights of scale 3 / sqrt(k): pre-activations of order 3, past the
    // ReLU clip and into tanh's saturation, so every level is reached.
    let b = values(12, 2 * b_len, 3.0 / (shape.k as f32).sqrt());
    let (a_buf, b_buf) = (ctx.storage_with("a", &a), ctx.storage_with("b", &b));
    let outputs = 2 * shape.m * shape.n;
    let c_buf = ctx.storage("c", 4 * outputs as u64);
    let post_buf = ctx.storage("post", 4 * outputs as u64);
    let dummy = ctx.storage("dummy", 4);
    let mut builder = PlanBuilder::new(ctx, 2, &dummy, &dummy);
    builder.matmul_with(
        kernel,
        "quantized product",
        Product {
            shape,
            a: Place::new(&a_buf, 0, a_len),
            b: Place::new(&b_buf, 0, b_len),
            bias: Some((shape.k * shape.n, b_len)),
            c: Place::new(&c_buf, 0, shape.m * shape.n),
            post: Some((&post_buf, hidden)),
        },
    );
    run(ctx, &builder.finish());
    (read(ctx, &c_buf, outputs), read(ctx, &post_buf, outputs))
}

#[test]
fn quantized_products_round_like_the_cpu() {
    let Some(ctx) = common::device() else { return };
    for kernel in offered_kernels(&ctx) {
        for &m in &SIZES {
            let shape = MatmulShape {
                m,
                n: 65,
                k: 7,
                trans_a: false,
                trans_b: false,
            };
            for activation in QUANTIZABLE {
                for bits in [2, 8] {
                    let q = quantizer(activation, bits);
                    let hidden = Nonlinearity {
                        activation,
                        quant: Some(q),
                    };
                    let (c, post) = product(&ctx, kernel, shape, hidden);
                    let step = (q.hi - q.lo) / (q.levels - 1) as f32;
                    let mut levels_seen = std::collections::BTreeSet::new();
                    for (i, (&c, &got)) in c.iter().zip(&post).enumerate() {
                        // The CPU twin on the device's own C.
                        let unrounded = activation.apply(c);
                        let want = q.apply(unrounded);
                        let at = format!("{kernel:?} {activation} quant={bits} m={m} index {i}");
                        // WGSL and Rust's tanh and exp differ by an ulp or two:
                        // a value that close to a rounding boundary may take
                        // the next level, nothing else may differ.
                        let to_boundary = ((unrounded - q.lo) / step + 0.5)
                            .fract()
                            .min(1.0 - ((unrounded - q.lo) / step + 0.5).fract());
                        assert!(
                            got == want
                                || ((got - want).abs() - step).abs() < 1e-6 && to_boundary < 1e-5,
                            "{at}: gpu {got} cpu {want} (from {unrounded})"
                        );
                        levels_seen.insert(((got - q.lo) / step).round() as i64);
                    }
                    if m >= 63 {
                        // Rounding happened: the post values sit on the grid, at
                        // both ends of the range too.
                        assert!(
                            levels_seen.contains(&0)
                                && levels_seen.contains(&(q.levels as i64 - 1)),
                            "{activation} quant={bits} m={m}: levels {levels_seen:?}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn the_straight_through_gradient_matches() {
    let Some(ctx) = common::device() else { return };
    let count = 257;
    for activation in QUANTIZABLE {
        let q = quantizer(activation, 3);
        let pre = values(21, 2 * count, 4.0);
        let post: Vec<f32> = pre.iter().map(|&x| q.apply(activation.apply(x))).collect();
        let delta = values(22, 2 * count, 1.0);
        let d_buf = ctx.storage_with("delta", &delta);
        let (pre_buf, post_buf) = (
            ctx.storage_with("pre", &pre),
            ctx.storage_with("post", &post),
        );
        let mut b = PlanBuilder::new(&ctx, 2, &d_buf, &d_buf);
        let act = ActBuffers {
            delta: &d_buf,
            pre: &pre_buf,
            post: &post_buf,
            stride: count,
        };
        b.act_backward(
            "straight-through test",
            Nonlinearity {
                activation,
                quant: Some(q),
            },
            &act,
            count,
        );
        run(&ctx, &b.finish());
        let got = read(&ctx, &d_buf, 2 * count);
        // cpu::layers::hidden_derivative: f' at the unrounded activation, 0
        // above the clip.
        let want: Vec<f64> = (0..2 * count)
            .map(|i| {
                let a = activation.apply(pre[i] as f64);
                let through = if q.passes(a) {
                    activation.derivative(pre[i] as f64, a)
                } else {
                    0.0
                };
                delta[i] as f64 * through
            })
            .collect();
        assert_close(
            &format!("straight-through {activation}"),
            &got,
            &want,
            |i| 1e-6 + 1e-6 * want[i].abs(),
        );
        if activation == Activation::Relu {
            let clipped = (0..2 * count).filter(|&i| pre[i] > RELU_CLIP).count();
            assert!(clipped > 5, "the inputs reach past the clip ({clipped})");
            assert!(
                (0..2 * count)
                    .filter(|&i| pre[i] > RELU_CLIP)
                    .all(|i| got[i] == 0.0)
            );
        }
    }
}

#[test]
fn the_exact_plane_kernel_counts_like_the_cpu() {
    let Some(ctx) = common::device() else { return };
    // 300 rows of 3 units on 4 levels with many repeated codes, -0 and +0
    // among them; labels in 3 classes.
    let (n, width) = (300, 3);
    let q = quantizer(Activation::Tanh, 2);
    let raw = values(31, n * width, 1.0);
    let mut rows: Vec<f32> = raw.iter().map(|&v| q.apply(v)).collect();
    rows[0] = -0.0;
    rows[width] = 0.0;
    let labels: Vec<u32> = (0..n as u32).map(|i| (i * 7 + i / 5) % 3).collect();
    let values_buf = ctx.storage_with("rows", &rows);
    let labels_buf = ctx.storage_with("labels", &labels);
    let bounds = ctx.storage_with("bounds", &[-1.0f32, 1.0]);
    let out = ctx.storage("out", 4 * 2 * n as u64);
    let mut b = PlanBuilder::new(&ctx, 1, &out, &out);
    let plane_rows = PlaneRows {
        buffer: &values_buf,
        n,
        width,
        row_stride: width,
        replica_stride: n * width,
    };
    b.pairwise(
        "exact test",
        plane_rows,
        &labels_buf,
        PairwiseKernel::Exact,
        (&bounds, &out),
    );
    run(&ctx, &b.finish());
    let means = read(&ctx, &out, 2 * n);
    let all: Vec<f64> = means.iter().step_by(2).map(|&v| v as f64).collect();
    let label: Vec<f64> = means.iter().skip(1).step_by(2).map(|&v| v as f64).collect();
    let (ixt, ity) = plane::from_log_means(&all, &label);
    let view = ndarray::ArrayView2::from_shape((n, width), &rows).unwrap();
    let (want_ixt, want_ity) = plane::exact(view, &labels);
    // Counts up to 300 are exact in f32; the logs agree to ~1e-7 relative.
    assert!(
        (ixt - want_ixt).abs() < 1e-5,
        "I(X;T): gpu {ixt} cpu {want_ixt}"
    );
    assert!(
        (ity - want_ity).abs() < 1e-5,
        "I(T;Y): gpu {ity} cpu {want_ity}"
    );
    // 3 units on 4 levels: at most 6 bits, and fewer than log2 300 here.
    assert!(want_ixt > 3.0 && want_ixt < 6.0, "{want_ixt}");
}

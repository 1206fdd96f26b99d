//! Every GPU kernel against its CPU twin, on seeded inputs of awkward sizes.
//! Tolerances: f32 sums of k products carry a rounding error of at most about
//! k * eps_f32 * sum|a b| (eps_f32 = 1.2e-7); the bounds below use twice that
//! plus 1e-6 for transcendental functions (tanh, exp, log differ by a few ulp
//! between WGSL and Rust's libm).
mod common;

use common::{assert_close, read, run, schedule_words, values};
use ib_playground::bench::kernels::product_row;
use ib_playground::config::Activation;
use ib_playground::gpu::ops::{
    ActBuffers, KlGradient, Latent, LatentBuffers, LatentGrads, MatmulShape, Noise, Place, Product,
    SUBGROUP_MAX_OUTPUTS, training_kernel,
};
use ib_playground::gpu::params::RngTestParams;
use ib_playground::gpu::plan::{Command, PlanBuilder, groups};
use ib_playground::gpu::readback::read_u32;
use ib_playground::gpu::selfcheck::{check_products, offered_kernels, reference_product};
use ib_playground::gpu::{GpuError, block_on, kernels::Kernel};
use ib_playground::model::{kl_term, sigma_of_rho, sigmoid};
use ib_playground::rng::{Key, Permutation, Stream};

const SIZES: [usize; 6] = [1, 7, 63, 65, 257, 100];

#[test]
fn rng_matches_the_cpu_bit_for_bit() {
    let Some(ctx) = common::device() else { return };
    for (seed, stream, draw, count, n) in [
        (42u32, 4u32, 7u32, 4099usize, 1000u32),
        (0, 6, 0, 257, 1),
        (u32::MAX, 5, 123_456, 65, 65),
    ] {
        let out = ctx.storage("rng out", 12 * count as u64);
        let params = RngTestParams {
            seed,
            stream,
            draw,
            count: count as u32,
            n,
            ..Default::default()
        };
        let mut plan = PlanBuilder::new(&ctx, 1, &out, &out);
        plan.dispatch(
            "rng test",
            Kernel::RngTest,
            &[],
            &[&out],
            Some(&params),
            [groups(count, 64), 1, 1],
        );
        run(&ctx, &plan.finish());
        let words = block_on(read_u32(&ctx, &out, 0, 3 * count)).unwrap();
        let key = ib_playground::rng::Key { seed, stream };
        let perm = Permutation::new(key, draw, n);
        for i in 0..count {
            let uniform = key.uniform(i as u32, draw);
            assert_eq!(
                words[3 * i],
                uniform.to_bits(),
                "uniform {i}: gpu {} cpu {uniform}",
                f32::from_bits(words[3 * i])
            );
            let normal = key.normal(i as u32, draw);
            let gpu_normal = f32::from_bits(words[3 * i + 1]);
            // Same polynomials on both sides; sqrt and fused multiply-adds
            // may differ by an ulp or two (ulp(4) = 4.8e-7).
            assert!(
                (gpu_normal - normal).abs() <= 1e-6 * normal.abs().max(1.0),
                "normal {i}: gpu {gpu_normal} cpu {normal}"
            );
            if (i as u32) < n {
                assert_eq!(words[3 * i + 2], perm.apply(i as u32), "permutation {i}");
            }
        }
    }
}

#[test]
fn matmul_matches_for_every_transpose_size_and_activation() {
    let Some(ctx) = common::device() else { return };
    let mut sizes = vec![];
    for &m in &SIZES {
        for &(n, k) in &[(7usize, 63usize), (65, 1), (257, 65)] {
            sizes.push((m, n, k));
        }
    }
    sizes.push((100, 1024, 784));
    // Several 128 x 128 tiles, ragged edges, k neither a multiple of the
    // 16-deep slices nor one slice.
    sizes.push((261, 389, 47));
    // Every kernel on every case (the trainer picks one by shape and
    // adapter): the wide tiles where the device has their 32 KiB, the
    // subgroup kernel where it has one subgroup size (lavapipe: 8 lanes, so
    // k = 1, 47 and 63 leave lanes without terms).
    let kernels = offered_kernels(&ctx);
    if std::env::var_os("CI").is_some() {
        assert!(
            kernels.contains(&Kernel::MatmulWide),
            "CI's adapter (lavapipe) should offer 32 KiB of workgroup memory"
        );
        assert!(
            kernels.contains(&Kernel::MatmulSubgroup),
            "CI's adapter (lavapipe) should offer subgroups of one size"
        );
    }
    let checks = block_on(check_products(&ctx, &sizes)).unwrap();
    assert_eq!(checks.len(), sizes.len() * kernels.len() * 3);
    for check in &checks {
        assert!(check.worst <= 1.0, "{check:?}");
    }
}

#[test]
fn the_reference_product_is_the_plain_sum() {
    // The reference the kernels are checked against (here and on the page),
    // for one element of a transposed-B product, written out.
    let shape = MatmulShape {
        m: 3,
        n: 2,
        k: 5,
        trans_a: false,
        trans_b: true,
    };
    let a = values(1, 15, 1.0);
    let b = values(2, 10, 1.0);
    let (want, magnitude) = reference_product(&a, &b, shape);
    // Row 1 of A times row 0 of B (stored (n, k) when trans_b).
    let direct: f64 = (0..5).map(|p| a[5 + p] as f64 * b[p] as f64).sum();
    assert!((want[2] - direct).abs() < 1e-12);
    let abs: f64 = (0..5).map(|p| (a[5 + p] as f64 * b[p] as f64).abs()).sum();
    assert!((magnitude[2] - abs).abs() < 1e-12);
}

/// (m, n, k, A transposed, B transposed) of the MNIST-sized model's
/// products, a square, and var_u's layer and weight gradient.
const TRAINING_PRODUCTS: [(usize, usize, usize, bool, bool); 6] = [
    (100, 1024, 784, false, false),
    (784, 1024, 100, true, false),
    (100, 784, 1024, false, true),
    (1024, 1024, 1024, false, false),
    (256, 10, 12, false, false),
    (12, 10, 256, true, false),
];

fn shape_of((m, n, k, trans_a, trans_b): (usize, usize, usize, bool, bool)) -> MatmulShape {
    MatmulShape {
        m,
        n,
        k,
        trans_a,
        trans_b,
    }
}

#[test]
fn training_takes_the_direct_kernel_but_for_tiny_outputs_over_a_long_k() {
    // On an H200 the direct kernel beat the tiles 3-31x and the subgroup
    // kernel in four of the five large products; the subgroup kernel won
    // var_u's 12 x 10 weight gradient over k = 256 (BENCHMARKS.md).
    let kernels: Vec<Kernel> = TRAINING_PRODUCTS
        .iter()
        .map(|&p| training_kernel(&shape_of(p), Some(32)))
        .collect();
    let direct = Kernel::MatmulSmall;
    assert_eq!(
        kernels,
        [
            direct,
            direct,
            direct,
            direct,
            direct,
            Kernel::MatmulSubgroup
        ]
    );
    // No subgroups (or an emulated adapter, whose caller passes None): direct.
    for p in TRAINING_PRODUCTS {
        assert_eq!(training_kernel(&shape_of(p), None), direct);
    }
    // The edges: 1,024 outputs and k = 4 lanes' worth take subgroups.
    let edge = |m, n, k| training_kernel(&shape_of((m, n, k, false, false)), Some(32));
    assert_eq!(edge(32, 32, 128), Kernel::MatmulSubgroup);
    assert_eq!(32 * 32, SUBGROUP_MAX_OUTPUTS);
    assert_eq!(edge(32, 33, 128), direct);
    assert_eq!(edge(32, 32, 127), direct);
    assert_eq!(
        training_kernel(&shape_of((12, 10, 32, true, false)), Some(8)),
        Kernel::MatmulSubgroup
    );
}

#[test]
fn a_training_plan_computes_each_product_with_its_training_kernel() {
    // The plan's pipelines are the ones `training_kernel` names for this
    // adapter (lavapipe is emulated: the direct kernel throughout), alone
    // and in a sweep of 8.
    let Some(ctx) = common::device() else { return };
    let subgroups = ctx.subgroup_size.filter(|_| !ctx.emulated);
    let buffer = ctx.storage("selection test", 4 * 1024 * 1024 * 8);
    for replicas in [1, 8] {
        let mut b = PlanBuilder::new(&ctx, replicas, &buffer, &buffer);
        for p in TRAINING_PRODUCTS {
            let place = Place::new(&buffer, 0, 0);
            let product = Product {
                shape: shape_of(p),
                a: place,
                b: place,
                bias: None,
                c: place,
                post: None,
            };
            b.matmul("selection test", product);
        }
        let plan = b.finish();
        assert_eq!(plan.dispatches(), TRAINING_PRODUCTS.len());
        for (command, p) in plan.commands.iter().zip(TRAINING_PRODUCTS) {
            let Command::Dispatch { pipeline, .. } = command else {
                panic!("a copy in a product's plan")
            };
            let expected = training_kernel(&shape_of(p), subgroups).name();
            assert!(
                pipeline.label.starts_with(&format!("{expected}.")),
                "{replicas} replicas, {p:?}: {}",
                pipeline.label
            );
            if ctx.emulated {
                assert!(
                    pipeline.label.starts_with("matmul_small."),
                    "{}",
                    pipeline.label
                );
            }
        }
    }
}

#[test]
fn the_bench_times_no_product_the_device_cannot_dispatch() {
    // The subgroup kernel's 4 x 8 blocks of a 4096 x 1024 product make
    // 131,072 workgroups along x: refused before it runs (on the H200 the
    // 4096 square was "timed" at 0.0015 ms, 89 PFLOP/s, having run nothing).
    let Some(ctx) = common::device() else { return };
    if ctx.subgroup_size.is_none() {
        return common::skipped("no fixed subgroup size");
    }
    let case = ("test product", 4096, 1024, 8, false, false);
    match product_row(&ctx, case, (Kernel::MatmulSubgroup, "subgroup"), 1) {
        Err(GpuError::Limit { name, needed, .. }) => {
            assert_eq!(name, "max_compute_workgroups_per_dimension");
            assert_eq!(needed, 1024 * 128);
        }
        Err(other) => panic!("expected a limit, got {other}"),
        Ok(row) => panic!("timed: {} ms", row.ms),
    }
    // The direct kernel covers it in 4,096 workgroups of 64 blocks: timed.
    let row = product_row(&ctx, case, (Kernel::MatmulSmall, "direct"), 1).unwrap();
    assert!(row.ms > 0.0 && row.gflops.is_finite(), "{} ms", row.ms);
}

#[test]
fn act_backward_and_bias_grad_match() {
    let Some(ctx) = common::device() else { return };
    let replicas = 3;
    for &rows in &SIZES {
        let cols = 65;
        let count = rows * cols;
        for &activation in Activation::ALL {
            let pre = values(1, replicas * count, 2.0);
            let post: Vec<f32> = pre.iter().map(|&x| activation.apply(x)).collect();
            let delta = values(2, replicas * count, 1.0);
            let (d_buf, pre_buf, post_buf) = (
                ctx.storage_with("delta", &delta),
                ctx.storage_with("pre", &pre),
                ctx.storage_with("post", &post),
            );
            let grad_buf = ctx.storage("grad", 4 * (replicas * (cols + 9)) as u64);
            let mut b = PlanBuilder::new(&ctx, replicas, &d_buf, &d_buf);
            let act = ActBuffers {
                delta: &d_buf,
                pre: &pre_buf,
                post: &post_buf,
                stride: count,
            };
            b.act_backward("act backward test", activation, &act, count);
            let grad = Place::new(&grad_buf, 9, cols + 9);
            b.bias_grad(
                "bias grad test",
                Place::new(&d_buf, 0, count),
                (rows, cols),
                grad,
            );
            run(&ctx, &b.finish());
            let got = read(&ctx, &d_buf, replicas * count);
            let want: Vec<f64> = (0..replicas * count)
                .map(|i| delta[i] as f64 * activation.derivative(pre[i] as f64, post[i] as f64))
                .collect();
            assert_close(
                &format!("act backward {activation} rows {rows}"),
                &got,
                &want,
                |i| 1e-6 * (1.0 + want[i].abs()),
            );
            let grads = read(&ctx, &grad_buf, replicas * (cols + 9));
            for r in 0..replicas {
                let sums: Vec<f64> = (0..cols)
                    .map(|c| {
                        (0..rows)
                            .map(|row| got[r * count + row * cols + c] as f64)
                            .sum()
                    })
                    .collect();
                let tol =
                    |_: usize| 2.0 * rows as f64 * f32::EPSILON as f64 * 4.0 * rows as f64 + 1e-6;
                assert_close(
                    &format!("bias grad rows {rows} replica {r}"),
                    &grads[r * (cols + 9) + 9..(r + 1) * (cols + 9)],
                    &sums,
                    tol,
                );
            }
        }
    }
}

#[test]
fn reparameterization_and_its_backward_match() {
    let Some(ctx) = common::device() else { return };
    let (seeds, betas) = ([11u32, 12], [1e-3, 0.5]);
    let step = 17;
    let schedule = ctx.storage_with("schedule", &schedule_words(step, &seeds, &betas));
    for &rows in &[1usize, 7, 65] {
        for &k in &[1usize, 2, 63, 257] {
            let capacity = rows + 3;
            let geometry = Latent {
                rows,
                latent: k,
                enc_stride: capacity * 2 * k,
                latent_stride: capacity * k,
            };
            let enc = values(rows as u32, 2 * geometry.enc_stride, 1.5);
            let dz = values(99, 2 * geometry.latent_stride, 1.0);
            let enc_buf = ctx.storage_with("enc", &enc);
            let dz_buf = ctx.storage_with("dz", &dz);
            let made = |l: &str| ctx.storage(l, 4 * (2 * geometry.latent_stride) as u64);
            let (z, sigma, eps, kl) = (made("z"), made("sigma"), made("eps"), made("kl"));
            let d_enc = ctx.storage("d enc", 4 * (2 * geometry.enc_stride) as u64);
            let buffers = LatentBuffers {
                enc: &enc_buf,
                z: &z,
                sigma: &sigma,
                eps: &eps,
                kl: &kl,
            };
            // Batch mean KL of each replica, read by the sqib gradient.
            let batch_kl = [0.7f32, 0.0, 1.3, 0.0];
            let stats = ctx.storage_with("stats", &batch_kl);
            for (eval, squared) in [
                (None, false),
                (None, true),
                (Some((300usize, 4usize)), false),
            ] {
                let mut b = PlanBuilder::new(&ctx, 2, &schedule, &schedule);
                let noise = match eval {
                    None => Noise::Train,
                    Some((row_offset, sample)) => Noise::Eval { row_offset, sample },
                };
                b.reparameterize("reparameterize test", geometry, &buffers, noise, 1.0);
                if eval.is_none() {
                    let grads = LatentGrads {
                        dz: &dz_buf,
                        d_enc: &d_enc,
                        stats: &stats,
                    };
                    let kl = if squared {
                        KlGradient::Squared
                    } else {
                        KlGradient::Linear
                    };
                    b.reparam_backward("reparam backward test", geometry, &buffers, &grads, kl);
                }
                run(&ctx, &b.finish());
                let n = 2 * geometry.latent_stride;
                let (gz, gs, ge, gk) = (
                    read(&ctx, &z, n),
                    read(&ctx, &sigma, n),
                    read(&ctx, &eps, n),
                    read(&ctx, &kl, n),
                );
                let gd = read(&ctx, &d_enc, 2 * geometry.enc_stride);
                for r in 0..2 {
                    for j in 0..rows {
                        for d in 0..k {
                            let at = r * geometry.latent_stride + j * k + d;
                            let mu = enc[r * geometry.enc_stride + j * 2 * k + d];
                            let rho = enc[r * geometry.enc_stride + j * 2 * k + k + d];
                            let s = sigma_of_rho(rho);
                            let noise = match eval {
                                None => Key::new(seeds[r], Stream::Noise)
                                    .normal((j * k + d) as u32, step),
                                Some((offset, sample)) => Key::new(seeds[r], Stream::Eval)
                                    .normal(((offset + j) * k + d) as u32, sample as u32),
                            };
                            let what = format!(
                                "rows {rows} k {k} eval {eval:?} replica {r} row {j} dim {d}"
                            );
                            // WGSL's exp may be off by 3 + 2|x| ulp: ~2e-6 relative at x = -7.
                            assert!(
                                (gs[at] - s).abs() <= 4e-6 * s,
                                "{what}: sigma {} vs {s}",
                                gs[at]
                            );
                            assert!(
                                (ge[at] - noise).abs() <= 1e-6 * noise.abs().max(1.0),
                                "{what}: eps {} vs {noise}",
                                ge[at]
                            );
                            let zc = mu + s * noise;
                            assert!(
                                (gz[at] - zc).abs() < 1e-5 * (1.0 + zc.abs()),
                                "{what}: z {} vs {zc}",
                                gz[at]
                            );
                            let klc = kl_term(mu as f64, s as f64);
                            assert!(
                                (gk[at] as f64 - klc).abs() < 1e-5 * (1.0 + klc.abs()),
                                "{what}: kl {} vs {klc}",
                                gk[at]
                            );
                            if eval.is_none() {
                                let mut beta = betas[r] as f32;
                                if squared {
                                    beta = 2.0 * beta * batch_kl[2 * r];
                                }
                                let scale = beta * (1.0 / rows as f32);
                                let g = dz[at];
                                let d_mu = g + scale * mu;
                                let d_rho =
                                    (g * noise + scale * (s - 1.0 / s)) * sigmoid(rho - 5.0);
                                let e_at = r * geometry.enc_stride + j * 2 * k;
                                assert!(
                                    (gd[e_at + d] - d_mu).abs() < 1e-5 * (1.0 + d_mu.abs()),
                                    "{what}: d mu {} vs {d_mu}",
                                    gd[e_at + d]
                                );
                                let got = gd[e_at + k + d];
                                assert!(
                                    (got - d_rho).abs() < 1e-4 * (1.0 + d_rho.abs()),
                                    "{what}: d rho {got} vs {d_rho}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}

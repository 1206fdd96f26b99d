//! Every GPU kernel against its CPU twin, on seeded inputs of awkward sizes.
//! Tolerances: f32 sums of k products carry a rounding error of at most about
//! k * eps_f32 * sum|a b| (eps_f32 = 1.2e-7); the bounds below use twice that
//! plus 1e-6 for transcendental functions (tanh, exp, log differ by a few ulp
//! between WGSL and Rust's libm).
mod common;

use ib_playground::config::Activation;
use ib_playground::cpu::adam::{Adam, AdamStep};
use ib_playground::data::Likelihood;
use ib_playground::gpu::ops::{self, Head, Latent, LatentBuffers, MatmulShape, Place, Slot};
use ib_playground::gpu::params::RngTestParams;
use ib_playground::gpu::plan::{Plan, groups};
use ib_playground::gpu::readback::{read_f32, read_u32};
use ib_playground::gpu::schedule;
use ib_playground::gpu::{GpuContext, block_on, kernels::Kernel};
use ib_playground::model::{Params, Shape, kl_term, sigma_of_rho, sigmoid, softplus};
use ib_playground::rng::{Key, Permutation, Stream};

const SIZES: [usize; 6] = [1, 7, 63, 65, 257, 100];

fn run(ctx: &GpuContext, plan: &Plan) {
    let mut encoder = ctx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("test"),
        });
    plan.record(&mut encoder, "test");
    ctx.queue.submit([encoder.finish()]);
}

fn read(ctx: &GpuContext, buffer: &wgpu::Buffer, count: usize) -> Vec<f32> {
    block_on(read_f32(ctx, buffer, 0, count)).unwrap()
}

fn values(seed: u32, count: usize, scale: f32) -> Vec<f32> {
    let key = Key::new(seed, Stream::Data);
    (0..count as u32)
        .map(|i| scale * key.normal(i, 0))
        .collect()
}

fn assert_close(what: &str, got: &[f32], want: &[f64], tolerance: impl Fn(usize) -> f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let tol = tolerance(i);
        assert!(
            (g as f64 - w).abs() <= tol,
            "{what}: index {i}: gpu {g} cpu {w} (tolerance {tol:.3e})"
        );
    }
}

/// A schedule for step `step` of a default experiment with these replicas.
fn schedule_words(step: u32, seeds: &[u32], betas: &[f64]) -> Vec<u32> {
    let experiment = ib_playground::config::Experiment::default();
    schedule::build(&experiment, 1000, seeds, betas, step, 1)
}

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
        let mut plan = Plan::default();
        plan.dispatch(
            &ctx,
            "rng test",
            Kernel::RngTest,
            &[],
            &[&out],
            Some(&params),
            [groups(count, 64), 1, 1],
        );
        run(&ctx, &plan);
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

fn cpu_matmul(a: &[f32], b: &[f32], shape: MatmulShape) -> (Vec<f64>, Vec<f64>) {
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

#[test]
fn matmul_matches_for_every_transpose_size_and_activation() {
    let Some(ctx) = common::device() else { return };
    let dummy = ctx.storage("dummy", 4);
    let replicas = 2;
    let mut cases = vec![];
    for &m in &SIZES {
        for &(n, k) in &[(7usize, 63usize), (65, 1), (257, 65)] {
            cases.push((m, n, k));
        }
    }
    cases.push((100, 1024, 784));
    for (case, &(m, n, k)) in cases.iter().enumerate() {
        for (trans_a, trans_b) in [(false, false), (true, false), (false, true)] {
            let shape = MatmulShape {
                m,
                n,
                k,
                trans_a,
                trans_b,
            };
            let activation = Activation::ALL[case % Activation::ALL.len()];
            let with_bias = !trans_a;
            // Operands with a leading offset, replicas apart, as in the trainer.
            let (a_off, b_off) = (3, 5);
            let a_len = m * k;
            let b_len = k * n + if with_bias { n } else { 0 };
            let a_all = values(case as u32, a_off + replicas * a_len, 1.0);
            let b_all = values(1000 + case as u32, b_off + replicas * b_len, 0.5);
            let a_buf = ctx.storage_with("a", &a_all);
            let b_buf = ctx.storage_with("b", &b_all);
            let c_buf = ctx.storage("c", 4 * (replicas * m * n) as u64);
            let post_buf = ctx.storage("post", 4 * (replicas * m * n) as u64);
            let mut plan = Plan::default();
            ops::matmul(
                &mut plan,
                &ctx,
                "matmul test",
                shape,
                Place::new(&a_buf, a_off, a_len),
                Place::new(&b_buf, b_off, b_len),
                with_bias.then_some((b_off + k * n, b_len)),
                Place::new(&c_buf, 0, m * n),
                Some((&post_buf, activation)),
                &dummy,
                replicas,
            );
            run(&ctx, &plan);
            let c = read(&ctx, &c_buf, replicas * m * n);
            let post = read(&ctx, &post_buf, replicas * m * n);
            for r in 0..replicas {
                let a = &a_all[a_off + r * a_len..a_off + (r + 1) * a_len];
                let b = &b_all[b_off + r * b_len..b_off + (r + 1) * b_len];
                let (mut want, magnitude) = cpu_matmul(a, &b[..k * n], shape);
                if with_bias {
                    for (i, w) in want.iter_mut().enumerate() {
                        *w += b[k * n + i % n] as f64;
                    }
                }
                let tol =
                    |i: usize| 2.0 * k as f64 * f32::EPSILON as f64 * (magnitude[i] + 1.0) + 1e-6;
                let what = format!("matmul {m}x{n}x{k} trans {trans_a}/{trans_b} replica {r}");
                let got = &c[r * m * n..(r + 1) * m * n];
                assert_close(&what, got, &want, tol);
                let activated: Vec<f64> = got.iter().map(|&v| activation.apply(v as f64)).collect();
                let post_tol = |i: usize| 1e-6 * (1.0 + activated[i].abs());
                assert_close(
                    &format!("{what} {activation}"),
                    &post[r * m * n..(r + 1) * m * n],
                    &activated,
                    post_tol,
                );
            }
        }
    }
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
            let mut plan = Plan::default();
            ops::act_backward(
                &mut plan,
                &ctx,
                "act backward test",
                activation,
                &d_buf,
                &pre_buf,
                &post_buf,
                count,
                count,
                replicas,
            );
            ops::bias_grad(
                &mut plan,
                &ctx,
                "bias grad test",
                Place::new(&d_buf, 0, count),
                rows,
                cols,
                Place::new(&grad_buf, 9, cols + 9),
                replicas,
            );
            run(&ctx, &plan);
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
                let mut plan = Plan::default();
                ops::reparameterize(
                    &mut plan,
                    &ctx,
                    "reparameterize test",
                    geometry,
                    &buffers,
                    &schedule,
                    eval,
                    2,
                );
                if eval.is_none() {
                    ops::reparam_backward(
                        &mut plan,
                        &ctx,
                        "reparam backward test",
                        geometry,
                        &dz_buf,
                        &buffers,
                        &d_enc,
                        &schedule,
                        &stats,
                        squared,
                        2,
                    );
                }
                run(&ctx, &plan);
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

#[test]
fn heads_match_the_cpu_losses_and_gradients() {
    let Some(ctx) = common::device() else { return };
    let replicas = 2;
    for &rows in &[1usize, 7, 65] {
        for &width in &[2usize, 10, 63] {
            let capacity = rows + 1;
            let logits = values(rows as u32 + 7, replicas * capacity * width, 3.0);
            let labels: Vec<u32> = (0..(replicas * capacity) as u32)
                .map(|i| (i * 7 + 3) % width as u32)
                .collect();
            let targets: Vec<f32> = values(5, replicas * capacity * width, 1.0)
                .iter()
                .map(|v| sigmoid(*v))
                .collect();
            let (l_buf, y_buf, t_buf) = (
                ctx.storage_with("logits", &logits),
                ctx.storage_with("labels", &labels),
                ctx.storage_with("targets", &targets),
            );
            let terms = ctx.storage("terms", 4 * (replicas * capacity * width) as u64);
            let out = ctx.storage("out", 4 * (replicas * capacity * width) as u64);
            let correct = ctx.storage("correct", 4 * (replicas * capacity) as u64);
            let batch = 64;
            let vib = Head {
                rows,
                width,
                out_stride: capacity * width,
                label_stride: capacity,
                term_stride: capacity,
                batch,
            };
            // Training: terms and gradient.
            let mut plan = Plan::default();
            ops::softmax_ce(
                &mut plan, &ctx, "ce test", vib, &l_buf, &y_buf, &terms, &out, None, replicas,
            );
            run(&ctx, &plan);
            let (gt, gg) = (
                read(&ctx, &terms, replicas * capacity),
                read(&ctx, &out, replicas * capacity * width),
            );
            for r in 0..replicas {
                for j in 0..rows {
                    let row = &logits[(r * capacity + j) * width..(r * capacity + j + 1) * width];
                    let label = labels[r * capacity + j] as usize;
                    let max = row.iter().fold(f64::MIN, |m, &v| m.max(v as f64));
                    let total: f64 = row.iter().map(|&v| (v as f64 - max).exp()).sum();
                    let ce = max + total.ln() - row[label] as f64;
                    let what = format!("ce rows {rows} width {width} replica {r} row {j}");
                    assert!(
                        (gt[r * capacity + j] as f64 - ce).abs() < 1e-5 * (1.0 + ce),
                        "{what}: {} vs {ce}",
                        gt[r * capacity + j]
                    );
                    for c in 0..width {
                        let p = (row[c] as f64 - max).exp() / total;
                        let want = (p - (c == label) as u8 as f64) / batch as f64;
                        let got = gg[(r * capacity + j) * width + c] as f64;
                        assert!(
                            (got - want).abs() < 1e-7,
                            "{what} class {c}: grad {got} vs {want}"
                        );
                    }
                }
            }
            // Evaluation: two samples of the same logits accumulate, then accuracy.
            let mut plan = Plan::default();
            ops::softmax_ce(
                &mut plan,
                &ctx,
                "ce eval 0",
                vib,
                &l_buf,
                &y_buf,
                &terms,
                &out,
                Some(true),
                replicas,
            );
            ops::softmax_ce(
                &mut plan,
                &ctx,
                "ce eval 1",
                vib,
                &l_buf,
                &y_buf,
                &terms,
                &out,
                Some(false),
                replicas,
            );
            ops::accuracy(
                &mut plan,
                &ctx,
                "accuracy test",
                vib,
                &out,
                &y_buf,
                &correct,
                replicas,
            );
            run(&ctx, &plan);
            let (gt2, probs, hits) = (
                read(&ctx, &terms, replicas * capacity),
                read(&ctx, &out, replicas * capacity * width),
                read(&ctx, &correct, replicas * capacity),
            );
            for r in 0..replicas {
                for j in 0..rows {
                    let at = r * capacity + j;
                    assert!(
                        (gt2[at] - 2.0 * gt[at]).abs() < 1e-5 * (1.0 + gt[at]),
                        "eval ce row {at}"
                    );
                    let sum: f32 = probs[at * width..(at + 1) * width].iter().sum();
                    assert!((sum - 2.0).abs() < 1e-5, "eval probabilities sum {sum}");
                    let row = &logits[at * width..(at + 1) * width];
                    let hit = ib_playground::cpu::eval::argmax(row) == labels[at] as usize;
                    assert_eq!(hits[at], hit as u8 as f32, "accuracy row {at}");
                }
            }
            // Reconstruction, both likelihoods.
            let vae = Head {
                rows,
                width,
                out_stride: capacity * width,
                label_stride: capacity * width,
                term_stride: capacity * width,
                batch,
            };
            for likelihood in [Likelihood::Bernoulli, Likelihood::Gaussian] {
                let mut plan = Plan::default();
                ops::reconstruction(
                    &mut plan,
                    &ctx,
                    "reconstruction test",
                    vae,
                    likelihood,
                    &l_buf,
                    &t_buf,
                    &terms,
                    &out,
                    None,
                    replicas,
                );
                run(&ctx, &plan);
                let (gt, gg) = (
                    read(&ctx, &terms, replicas * capacity * width),
                    read(&ctx, &out, replicas * capacity * width),
                );
                for r in 0..replicas {
                    for e in 0..rows * width {
                        let at = r * capacity * width + e;
                        let (o, x) = (logits[at] as f64, targets[at] as f64);
                        let (term, slope) = match likelihood {
                            Likelihood::Bernoulli => (softplus(o) - x * o, sigmoid(o) - x),
                            Likelihood::Gaussian => {
                                (0.5 * (o - x) * (o - x) + 0.918_938_533_204_672_8, o - x)
                            }
                        };
                        let what = format!("{likelihood:?} rows {rows} width {width} element {at}");
                        assert!(
                            (gt[at] as f64 - term).abs() < 2e-6 * (1.0 + term.abs()),
                            "{what}: term {} vs {term}",
                            gt[at]
                        );
                        let want = slope / batch as f64;
                        assert!(
                            (gg[at] as f64 - want).abs() < 2e-7 * (1.0 + want.abs()),
                            "{what}: grad {} vs {want}",
                            gg[at]
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn reduce_sums_any_count() {
    let Some(ctx) = common::device() else { return };
    let (seeds, betas) = ([1u32, 2, 3], [0.25, 0.5, 2.0]);
    let schedule = ctx.storage_with("schedule", &schedule_words(0, &seeds, &betas));
    for &count in &[1usize, 7, 63, 65, 255, 256, 257, 1000, 100_003] {
        let stride = count + 5;
        let data = values(count as u32, 2 + 3 * stride, 1.0);
        let buffer = ctx.storage_with("values", &data);
        let metrics = ctx.storage_with("metrics", &[1.0f32; 3 * 4]);
        let mut plan = Plan::default();
        let store = Slot::store(1, 4, 0.5);
        ops::reduce(
            &mut plan,
            &ctx,
            "reduce test",
            Place::new(&buffer, 2, stride),
            count,
            &metrics,
            store,
            &schedule,
            3,
        );
        let add = Slot {
            use_beta: true,
            ..Slot::add(3, 4, 1.0)
        };
        let square = Slot {
            use_beta: true,
            square: true,
            ..Slot::store(2, 4, 0.25)
        };
        ops::reduce(
            &mut plan,
            &ctx,
            "reduce square test",
            Place::new(&buffer, 2, stride),
            count,
            &metrics,
            square,
            &schedule,
            3,
        );
        ops::reduce(
            &mut plan,
            &ctx,
            "reduce beta test",
            Place::new(&buffer, 2, stride),
            count,
            &metrics,
            add,
            &schedule,
            3,
        );
        run(&ctx, &plan);
        let got = read(&ctx, &metrics, 12);
        for r in 0..3 {
            let part = &data[2 + r * stride..2 + r * stride + count];
            let sum: f64 = part.iter().map(|&v| v as f64).sum();
            let magnitude: f64 = part.iter().map(|&v| (v as f64).abs()).sum();
            // Tree summation: error ~ log2(count) * eps * sum|v|; use count^0.5 for margin.
            let tol = 4.0 * (count as f64).sqrt() * f32::EPSILON as f64 * magnitude + 1e-6;
            let what = format!("count {count} replica {r}");
            assert!(
                (got[r * 4 + 1] as f64 - 0.5 * sum).abs() < tol,
                "{what}: {} vs {}",
                got[r * 4 + 1],
                0.5 * sum
            );
            let squared = 0.25 * betas[r] * sum * sum;
            assert!(
                (got[r * 4 + 2] as f64 - squared).abs() < 2.0 * tol * (sum.abs() + 1.0) * betas[r],
                "{what}: square slot {} vs {squared}",
                got[r * 4 + 2]
            );
            assert!(
                (got[r * 4 + 3] as f64 - (1.0 + betas[r] * sum)).abs() < tol * 3.0,
                "{what}: beta slot {}",
                got[r * 4 + 3]
            );
            assert_eq!(got[r * 4], 1.0, "{what}: neighbouring slot touched");
        }
    }
}

#[test]
fn adam_matches_the_cpu_update() {
    let Some(ctx) = common::device() else { return };
    let shape = Shape {
        input: 7,
        hidden: vec![63],
        latent: 2,
        decoder_hidden: None,
        output: 3,
        features: None,
    };
    let layout = ib_playground::gpu::layout::ParamLayout::new(&shape);
    let experiment = ib_playground::config::Experiment {
        lr: 3e-3,
        adam_beta1: 0.5,
        ..Default::default()
    };
    let mut cpu_params: Params<f32> = Params::init(&shape, Activation::Relu, 4);
    let mut adam = Adam::<f32>::new(&shape);
    let mut flat = Vec::new();
    layout.flatten_into(&cpu_params, &mut flat);
    let buffers: Vec<wgpu::Buffer> = ["p", "g", "m", "v"]
        .iter()
        .map(|l| {
            if *l == "p" {
                ctx.storage_with(l, &flat)
            } else {
                ctx.storage(l, 4 * flat.len() as u64)
            }
        })
        .collect();
    let schedule_buffer = ctx.storage("schedule", 4 * schedule::words(1) as u64);
    // Every third parameter is masked out: the GPU skips it, the CPU sees a
    // zero gradient (as a per-feature bottleneck's cross weights get).
    let mask: Vec<f32> = (0..flat.len()).map(|i| (i % 3 != 0) as u8 as f32).collect();
    let mask_buffer = ctx.storage_with("mask", &mask);
    for step in 0..3u32 {
        let grads_flat = values(50 + step, flat.len(), 0.1);
        let masked: Vec<f32> = grads_flat.iter().zip(&mask).map(|(g, m)| g * m).collect();
        let grads = layout.unflatten(&masked);
        ctx.queue
            .write_buffer(&buffers[1], 0, bytemuck::cast_slice(&grads_flat));
        let words = schedule::build(&experiment, 100, &[4], &[1e-3], step, 1);
        ctx.queue
            .write_buffer(&schedule_buffer, 0, bytemuck::cast_slice(&words));
        let mut plan = Plan::default();
        ops::adam(
            &mut plan,
            &ctx,
            "adam test",
            [&buffers[0], &buffers[1], &buffers[2], &buffers[3]],
            &schedule_buffer,
            Some(&mask_buffer),
            flat.len(),
            0.5,
            0.999,
            1,
        );
        run(&ctx, &plan);
        let adam_step = AdamStep {
            lr: experiment.lr_at(step),
            beta1: 0.5,
            beta2: 0.999,
        };
        adam.update(&mut cpu_params, &grads, adam_step);
    }
    let got = read(&ctx, &buffers[0], flat.len());
    let mut want = Vec::new();
    layout.flatten_into(&cpu_params, &mut want);
    for i in (0..flat.len()).step_by(3) {
        assert_eq!(got[i], flat[i], "masked parameter {i} moved");
    }
    // Each update moves a parameter by at most ~lr; the f32 arithmetic of
    // three updates differs by a few ulp of lr.
    assert_close(
        "adam",
        &got,
        &want.iter().map(|&v| v as f64).collect::<Vec<_>>(),
        |_| 1e-7,
    );
}

#[test]
fn gather_draws_the_cpu_minibatch() {
    let Some(ctx) = common::device() else { return };
    let experiment =
        ib_playground::config::Experiment::from_link("data=circle&points=263&batch=100&seed=5")
            .unwrap();
    let dataset = ib_playground::data::load(&experiment, &Default::default()).unwrap();
    let n = dataset.train.len();
    let x: Vec<f32> = dataset.train.x.iter().copied().collect();
    let (x_buf, y_buf) = (
        ctx.storage_with("x", &x),
        ctx.storage_with("y", &dataset.train.y),
    );
    let (bx, by) = (
        ctx.storage("batch x", 4 * 2 * 100 * 2),
        ctx.storage("batch y", 4 * 2 * 100),
    );
    let seeds = [5u32, 6];
    let mut cpu = [
        ib_playground::cpu::CpuTrainer::new(experiment.clone(), dataset.clone()),
        ib_playground::cpu::CpuTrainer::new(
            ib_playground::config::Experiment {
                seed: 6,
                ..experiment.clone()
            },
            dataset.clone(),
        ),
    ];
    let schedule_buffer = ctx.storage("schedule", 4 * schedule::words(2) as u64);
    for step in [0u32, 1, 2, 3, 7, 1000] {
        let words = schedule::build(&experiment, n, &seeds, &[1e-3, 1e-3], step, 1);
        ctx.queue
            .write_buffer(&schedule_buffer, 0, bytemuck::cast_slice(&words));
        let mut plan = Plan::default();
        ops::gather(
            &mut plan,
            &ctx,
            "gather test",
            [&x_buf, &y_buf],
            [Place::new(&bx, 0, 200), Place::new(&by, 0, 100)],
            n,
            2,
            100,
            &schedule_buffer,
            2,
        );
        run(&ctx, &plan);
        let gx = read(&ctx, &bx, 400);
        let gy = block_on(read_u32(&ctx, &by, 0, 200)).unwrap();
        for (r, trainer) in cpu.iter_mut().enumerate() {
            let rows = trainer.batch_indices(step);
            for (j, &row) in rows.iter().enumerate() {
                assert_eq!(
                    gy[r * 100 + j],
                    dataset.train.y[row],
                    "step {step} replica {r} row {j}"
                );
                assert_eq!(
                    gx[r * 200 + 2 * j],
                    dataset.train.x[[row, 0]],
                    "step {step} replica {r} row {j} x"
                );
            }
        }
    }
}

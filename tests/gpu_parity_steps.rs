//! The loss heads, reductions, Adam and the minibatch gather against their
//! CPU twins (tolerances as in gpu_parity.rs: f32 sums of k terms carry about
//! k * eps_f32 of rounding; transcendental functions a few ulp).
mod common;

use common::{assert_close, read, run, schedule_words, values};
use ib_playground::config::{Activation, Init};
use ib_playground::cpu::adam::{Adam, AdamStep};
use ib_playground::data::Likelihood;
use ib_playground::gpu::block_on;
use ib_playground::gpu::ops::{AdamBuffers, Gather, Head, HeadBuffers, Pass, Place, Slot};
use ib_playground::gpu::plan::PlanBuilder;
use ib_playground::gpu::readback::read_u32;
use ib_playground::gpu::schedule;
use ib_playground::model::{Params, Shape, sigmoid, softplus};

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
            let unused = ctx.storage("unused", 4);
            let head = HeadBuffers {
                out: &l_buf,
                target: &y_buf,
                terms: &terms,
                grad: &out,
            };
            let mut b = PlanBuilder::new(&ctx, replicas, &unused, &unused);
            b.softmax_ce("ce test", vib, &head, Pass::Train);
            run(&ctx, &b.finish());
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
            let mut b = PlanBuilder::new(&ctx, replicas, &unused, &unused);
            b.softmax_ce("ce eval 0", vib, &head, Pass::Eval { first_sample: true });
            b.softmax_ce(
                "ce eval 1",
                vib,
                &head,
                Pass::Eval {
                    first_sample: false,
                },
            );
            b.accuracy("accuracy test", vib, &out, &y_buf, &correct);
            run(&ctx, &b.finish());
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
                let head = HeadBuffers {
                    out: &l_buf,
                    target: &t_buf,
                    terms: &terms,
                    grad: &out,
                };
                let mut b = PlanBuilder::new(&ctx, replicas, &unused, &unused);
                b.reconstruction("reconstruction test", vae, likelihood, &head, Pass::Train);
                run(&ctx, &b.finish());
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
        let mut b = PlanBuilder::new(&ctx, 3, &schedule, &schedule);
        let store = Slot::store(1, 4, 0.5);
        let values = Place::new(&buffer, 2, stride);
        b.reduce("reduce test", values, count, &metrics, store);
        let add = Slot {
            use_beta: true,
            ..Slot::add(3, 4, 1.0)
        };
        let square = Slot {
            use_beta: true,
            square: true,
            ..Slot::store(2, 4, 0.25)
        };
        b.reduce("reduce square test", values, count, &metrics, square);
        b.reduce("reduce beta test", values, count, &metrics, add);
        run(&ctx, &b.finish());
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
        ema: 0.9,
        ..Default::default()
    };
    let mut cpu_params: Params<f32> = Params::init(&shape, Activation::Relu, Init::Auto, 4);
    let mut cpu_ema = cpu_params.clone();
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
    let ema_buffer = ctx.storage_with("ema", &flat);
    let unused = ctx.storage("unused", 4);
    for step in 0..3u32 {
        let grads_flat = values(50 + step, flat.len(), 0.1);
        let masked: Vec<f32> = grads_flat.iter().zip(&mask).map(|(g, m)| g * m).collect();
        let grads = layout.unflatten(&masked);
        ctx.queue
            .write_buffer(&buffers[1], 0, bytemuck::cast_slice(&grads_flat));
        let words = schedule::build(&experiment, 100, &[4], &[1e-3], step, 1);
        ctx.queue
            .write_buffer(&schedule_buffer, 0, bytemuck::cast_slice(&words));
        let mut b = PlanBuilder::new(&ctx, 1, &schedule_buffer, &unused);
        // Step 1 in one workgroup: each invocation strides over the
        // parameters, as models past 65535 x 256 parameters do.
        if step == 1 {
            b.max_workgroups_x = 1;
        }
        let state = AdamBuffers {
            params: &buffers[0],
            grads: &buffers[1],
            m: &buffers[2],
            v: &buffers[3],
            mask: Some(&mask_buffer),
            ema: Some(&ema_buffer),
        };
        b.adam("adam test", &state, flat.len(), (0.5, 0.999));
        run(&ctx, &b.finish());
        let adam_step = AdamStep {
            lr: experiment.lr_at(step),
            beta1: 0.5,
            beta2: 0.999,
        };
        adam.update(&mut cpu_params, &grads, adam_step);
        let weight = experiment.ema_weight(adam.t) as f32;
        ib_playground::cpu::ema::update(&mut cpu_ema, &cpu_params, weight);
    }
    let got_ema = read(&ctx, &ema_buffer, flat.len());
    let mut want_ema = Vec::new();
    layout.flatten_into(&cpu_ema, &mut want_ema);
    assert_close(
        "ema",
        &got_ema,
        &want_ema.iter().map(|&v| v as f64).collect::<Vec<_>>(),
        |_| 1e-7,
    );
    let got = read(&ctx, &buffers[0], flat.len());
    let mut want = Vec::new();
    layout.flatten_into(&cpu_params, &mut want);
    for i in (0..flat.len()).step_by(3) {
        assert_eq!(got[i], flat[i], "masked parameter {i} moved");
    }
    // The average lags the weights: after three updates it differs from
    // them wherever a parameter moved.
    let lagging = (0..flat.len())
        .filter(|&i| i % 3 != 0 && (got_ema[i] - want[i]).abs() > 1e-5)
        .count();
    assert!(
        lagging * 10 > flat.len() * 6,
        "only {lagging} averaged weights lag the weights"
    );
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
        let mut b = PlanBuilder::new(&ctx, 2, &schedule_buffer, &schedule_buffer);
        let gather = Gather {
            data: [&x_buf, &y_buf],
            batch: [Place::new(&bx, 0, 200), Place::new(&by, 0, 100)],
            n,
            features: 2,
            batch_size: 100,
        };
        b.gather("gather test", &gather);
        run(&ctx, &b.finish());
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

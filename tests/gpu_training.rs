//! Whole training runs on the GPU backend against the CPU reference.
mod common;

use ib_playground::config::Experiment;
use ib_playground::data::{self, Sources};
use ib_playground::gpu::trainer::{GpuTrainer, Replica, requirements, single};
use ib_playground::gpu::{GpuError, Requirements, block_on, context::limits_for};
use ib_playground::report::Report;
use ib_playground::run::{CpuReplicas, Run};
use std::sync::Arc;

fn setup(link: &str) -> (Experiment, data::Dataset) {
    let experiment = Experiment::from_link(link).unwrap();
    let dataset = data::load(&experiment, &Sources::default()).unwrap();
    (experiment, dataset)
}

fn cpu_reports(experiment: &Experiment, dataset: &data::Dataset, steps: u32) -> Vec<Report> {
    let dataset = Arc::new(dataset.clone());
    let replicas = single(experiment);
    let backend = CpuReplicas::new(experiment, dataset.clone(), &replicas);
    let mut run = Run::new(Box::new(backend), experiment.clone(), dataset, replicas).until(steps);
    common::reports_of(&mut run).into_iter().flatten().collect()
}

fn gpu_reports(
    experiment: &Experiment,
    dataset: &data::Dataset,
    replicas: Vec<Replica>,
    steps: u32,
) -> Option<Vec<Vec<Report>>> {
    let ctx = common::device()?;
    let trainer = GpuTrainer::new(ctx, experiment.clone(), dataset, replicas.clone()).unwrap();
    let dataset = Arc::new(dataset.clone());
    let mut run = Run::new(Box::new(trainer), experiment.clone(), dataset, replicas).until(steps);
    Some(common::reports_of(&mut run))
}

/// Relative agreement of GPU and CPU metrics at every report. Measured on
/// lavapipe: at most ~5e-7 relative after 200 steps (rounding order in tiles
/// and tree sums, fused multiply-adds); 1e-5 leaves a 20x margin while any
/// kernel error shows up at 1e-3 or more. Accuracies may differ by one
/// borderline example.
const RELATIVE: f64 = 1e-5;

fn close_within(what: &str, cpu: f64, gpu: f64, relative: f64) {
    assert!(
        (cpu - gpu).abs() <= relative * cpu.abs().max(1.0),
        "{what}: cpu {cpu} gpu {gpu}"
    );
}

fn compare(link: &str, steps: u32) {
    compare_within(link, steps, RELATIVE);
}

/// An adaptive beta is a product of one f32 exp per step, and the devices'
/// exp may differ by an ulp: after 200 steps up to ~200 ulp = 2.4e-5
/// relative; such runs are compared to 2e-4.
const ADAPTIVE_RELATIVE: f64 = 2e-4;

fn compare_within(link: &str, steps: u32, relative: f64) {
    let close = |what: &str, a: f64, b: f64| close_within(what, a, b, relative);
    let (experiment, dataset) = setup(link);
    let cpu = cpu_reports(&experiment, &dataset, steps);
    let Some(gpu) = gpu_reports(&experiment, &dataset, single(&experiment), steps) else {
        return;
    };
    assert_eq!(cpu.len(), gpu.len(), "{link}: number of reports");
    let one_example = 1.0 / dataset.test.len().min(dataset.train.len()) as f64 + 1e-12;
    for (c, g) in cpu.iter().zip(&gpu) {
        let g = &g[0];
        let at = format!("{link} step {}", c.step);
        assert_eq!(
            (c.step, c.is_final, g.backend.as_str()),
            (g.step, g.is_final, "gpu"),
            "{at}"
        );
        close(&format!("{at} loss"), c.loss, g.loss);
        match (c.train_loss, g.train_loss) {
            (Some(c), Some(g)) => close(&format!("{at} train loss"), c, g),
            (c, g) => assert_eq!(c.is_some(), g.is_some(), "{at} train loss"),
        }
        close(&format!("{at} rate"), c.rate_bits, g.rate_bits);
        for (name, a, b) in [
            ("izy", c.izy_bits, g.izy_bits),
            ("distortion", c.distortion_bits, g.distortion_bits),
        ] {
            assert_eq!(a.is_some(), b.is_some(), "{at} {name}");
            if let (Some(a), Some(b)) = (a, b) {
                close(&format!("{at} {name}"), a, b);
            }
        }
        for (name, a, b) in [
            ("train acc", c.train_acc, g.train_acc),
            ("test acc", c.test_acc, g.test_acc),
            (
                "single-sample test acc",
                c.test_acc_single,
                g.test_acc_single,
            ),
        ] {
            assert_eq!(a.is_some(), b.is_some(), "{at} {name}");
            if let (Some(a), Some(b)) = (a, b) {
                assert!((a - b).abs() <= one_example, "{at} {name}: cpu {a} gpu {b}");
            }
        }
        assert_eq!(c.lr, g.lr, "{at} learning rate");
        // A scheduled beta is computed on the CPU for both; an adaptive one
        // evolves in f32 on the device.
        close(&format!("{at} beta"), c.beta, g.beta);
        assert_eq!(
            c.target_gap.is_some(),
            g.target_gap.is_some(),
            "{at} target gap"
        );
        if let (Some(a), Some(b)) = (c.target_gap, g.target_gap) {
            close(&format!("{at} target gap"), a, b);
        }
        assert_eq!(c.rate_dims_bits.len(), g.rate_dims_bits.len());
        assert_eq!(
            c.rate_features_bits.is_some(),
            g.rate_features_bits.is_some(),
            "{at} per-feature rates"
        );
        for (d, (a, b)) in c.rate_dims_bits.iter().zip(&g.rate_dims_bits).enumerate() {
            close(&format!("{at} rate of dimension {d}"), *a, *b);
        }
        assert_eq!(
            c.layers.is_some(),
            g.layers.is_some(),
            "{at} information plane"
        );
        if let (Some(cl), Some(gl)) = (&c.layers, &g.layers) {
            assert_eq!(cl.len(), gl.len());
            for (a, b) in cl.iter().zip(gl) {
                assert_eq!(
                    (&a.layer, a.units, &a.range),
                    (&b.layer, b.units, &b.range),
                    "{at}"
                );
                // Sums of up to 4096 kernel values in f32 on the device:
                // ~1e-4 relative on a log-mean, so 1e-3 bits.
                assert!(
                    (a.ixt_bits - b.ixt_bits).abs() < 1e-3,
                    "{at} {} I(X;T): cpu {} gpu {}",
                    a.layer,
                    a.ixt_bits,
                    b.ixt_bits
                );
                assert!(
                    (a.ity_bits - b.ity_bits).abs() < 1e-3,
                    "{at} {} I(T;Y): cpu {} gpu {}",
                    a.layer,
                    a.ity_bits,
                    b.ity_bits
                );
                // The exact plane's binning beside each layer.
                for (name, c, g) in [
                    ("binned I(X;T)", a.binned_ixt_bits, b.binned_ixt_bits),
                    ("binned I(T;Y)", a.binned_ity_bits, b.binned_ity_bits),
                ] {
                    assert_eq!(c.is_some(), g.is_some(), "{at} {} {name}", a.layer);
                    if let (Some(c), Some(g)) = (c, g) {
                        assert!(
                            (c - g).abs() < 1e-3,
                            "{at} {} {name}: cpu {c} gpu {g}",
                            a.layer
                        );
                    }
                }
            }
            let (a, b) = (c.izx_pairwise_bits.unwrap(), g.izx_pairwise_bits.unwrap());
            assert!((a - b).abs() < 1e-3, "{at} pairwise KL: cpu {a} gpu {b}");
        }
    }
}

#[test]
fn circle_runs_agree_for_200_steps() {
    compare(
        "data=circle&hidden=16,16&k=2&beta=1e-3&seed=1&report=20",
        200,
    );
}

#[test]
fn gelu_mlp_decoder_and_annealing_agree() {
    compare(
        "data=moons&hidden=8&k=3&beta=1e-2&seed=2&report=20&act=gelu&decoder=mlp&dec_hidden=5&beta_schedule=log&beta_start=1e-5&anneal_steps=150&lr_decay=0.5&decay_steps=70&samples=3",
        200,
    );
}

#[test]
fn vae_runs_agree_for_both_likelihoods() {
    compare(
        "data=digits&objective=vae&hidden=32&k=4&beta=0.5&seed=3&report=20&act=relu",
        200,
    );
    compare(
        "data=spiral&objective=vae&hidden=17&k=1&beta=0.1&seed=4&report=50&act=tanh&batch=7",
        200,
    );
}

#[test]
fn averaged_weights_and_the_noiseless_baseline_agree() {
    // Reports measure the moving average of the weights (ema=0.99); with
    // sample=0 the latent is its mean in training and evaluation.
    compare(
        "data=moons&hidden=12,8&act=relu&k=3&beta=1e-3&seed=6&report=40&ema=0.99&samples=4",
        200,
    );
    compare(
        "data=digits&hidden=24&act=relu&k=5&beta=0&sample=0&seed=2&report=50&ema=0.9",
        200,
    );
}

#[test]
fn the_vib_notebooks_inputs_and_weights_agree() {
    // inputs=centered (2x - 1) and init=glorot, as the authors' notebooks.
    compare(
        "data=digits&hidden=24&act=relu&k=5&beta=1e-3&seed=4&report=50&ema=0.9&init=glorot&inputs=centered",
        200,
    );
}

#[test]
fn deep_var_u_run_agrees() {
    compare(
        "data=var_u&hidden=10,7,5,4,3&k=2&beta=1e-4&seed=3&report=20&batch=256&act=sigmoid",
        200,
    );
    compare(
        "data=var_u&hidden=&k=5&beta=1e-4&seed=3&report=100&batch=1&act=linear",
        200,
    );
}

#[test]
fn sqib_and_adaptive_beta_agree() {
    compare(
        "data=var_u&hidden=10,7,5&act=tanh&k=2&objective=sqib&beta=1e-3&batch=256&lr=4e-3&seed=3&report=50",
        200,
    );
    compare_within(
        "data=gaussians&hidden=16,16&k=2&seed=1&beta_mode=target&target_rate=1&report=50",
        200,
        ADAPTIVE_RELATIVE,
    );
    compare_within(
        "data=moons&hidden=16,16&k=2&seed=1&beta_mode=target&target_acc=0.9&report=50&geco_lr=0.01",
        200,
        ADAPTIVE_RELATIVE,
    );
}

#[test]
fn per_feature_bottleneck_agrees() {
    compare(
        "data=digits&bottleneck=feature&hidden=4&k=1&beta=1e-2&act=relu&seed=1&report=50&lr=3e-3",
        100,
    );
    compare(
        "data=moons&bottleneck=feature&hidden=3,2&k=2&beta=1e-3&seed=2&report=50&objective=vae",
        100,
    );
}

#[test]
fn information_planes_agree() {
    compare(
        "data=var_u&hidden=10,7,5&k=2&beta=1e-4&seed=3&report=50&batch=256&act=tanh&plane=1",
        100,
    );
    compare(
        "data=circle&hidden=12,6&k=3&beta=1e-3&seed=4&report=50&act=relu&plane=1&estimator=kde&points=300",
        100,
    );
    compare(
        "data=moons&hidden=5&k=2&seed=5&report=50&act=gelu&plane=1&points=200&bins=7",
        50,
    );
}

#[test]
fn quantized_encoders_and_their_exact_planes_agree() {
    // 8 levels a unit: a pre-activation within an ulp of a rounding
    // boundary, where the two backends could round apart, is rare enough
    // that 100 steps of three layers never meet one.
    compare(
        "data=var_u&hidden=10,7,5&k=2&beta=1e-4&seed=3&report=50&batch=256&act=tanh&quant=3&estimator=exact&plane=1",
        100,
    );
    compare(
        "data=circle&hidden=12,6&k=3&beta=1e-3&seed=4&report=50&act=relu&quant=2&estimator=exact&plane=1&points=300",
        100,
    );
}

#[test]
fn gpu_trains_the_circle_to_95_percent() {
    let (experiment, dataset) =
        setup("data=circle&objective=vib&hidden=16,16&k=2&beta=1e-3&seed=1");
    let Some(reports) = gpu_reports(&experiment, &dataset, single(&experiment), 3000) else {
        return;
    };
    let last = &reports.last().unwrap()[0];
    assert!(last.is_final && last.step == 3000);
    assert!(
        last.test_acc.unwrap() >= 0.95,
        "test accuracy {:?}",
        last.test_acc
    );
}

#[test]
fn a_beta_sweep_trains_16_replicas_whose_rates_fall() {
    let (experiment, dataset) = setup("data=circle&hidden=16,16&k=2&seed=1&report=500");
    let betas: Vec<f64> = (0..16)
        .map(|i| 10f64.powf(-4.0 + 4.0 * i as f64 / 15.0))
        .collect();
    let replicas: Vec<Replica> = betas
        .iter()
        .map(|&beta| Replica {
            seed: 1,
            beta,
            own_beta: true,
        })
        .collect();
    let Some(reports) = gpu_reports(&experiment, &dataset, replicas, 1500) else {
        return;
    };
    let last = reports.last().unwrap();
    assert_eq!(last.len(), 16);
    let rates: Vec<f64> = last.iter().map(|r| r.rate_bits).collect();
    for (r, report) in last.iter().enumerate() {
        assert_eq!(report.beta, betas[r]);
    }
    // The rate falls with beta: from several bits at 1e-4 to ~0 at 1.
    assert!(rates[0] > 4.0 && rates[15] < 0.05, "rates {rates:?}");
    let falls = rates.windows(2).filter(|w| w[1] <= w[0] + 0.1).count();
    assert_eq!(falls, 15, "rates not falling: {rates:?}");
    // Replica 0 of the sweep is exactly the single run with its beta.
    let single_run = Experiment {
        beta: betas[0],
        ..experiment.clone()
    };
    let cpu = cpu_reports(&single_run, &dataset, 1500);
    close_within(
        "sweep replica 0 loss",
        cpu.last().unwrap().loss,
        last[0].loss,
        RELATIVE,
    );
}

#[test]
fn a_model_too_large_names_the_limit() {
    // 16 replicas of a 2-4096-4096 model: 16 x 16.8M parameters = 1.07 GB.
    let (experiment, dataset) = setup("data=circle&hidden=4096,4096&k=2");
    let need = requirements(&experiment, &dataset, 16);
    assert_eq!(need.storage_buffer_bytes, 16 * 4 * 16_809_994);
    let mut adapter = wgpu::Limits::downlevel_defaults();
    adapter.max_storage_buffer_binding_size = 128 << 20;
    adapter.max_storage_buffers_per_shader_stage = 8;
    let err = limits_for(&adapter, need).unwrap_err();
    assert_eq!(
        err,
        GpuError::Limit {
            name: "max_storage_buffer_binding_size".into(),
            needed: need.storage_buffer_bytes,
            available: 128 << 20
        }
    );
    assert!(
        err.to_string().contains(
            "too large for this GPU: it needs max_storage_buffer_binding_size >= 1075839616"
        ),
        "{err}"
    );
    adapter.max_storage_buffers_per_shader_stage = 4;
    let small = Requirements {
        storage_buffer_bytes: 1 << 20,
        workgroups_per_dimension: 100,
    };
    assert!(
        limits_for(&adapter, small)
            .unwrap_err()
            .to_string()
            .contains("max_storage_buffers_per_shader_stage >= 8")
    );
    // On the real device a sweep of this model one replica past the adapter's
    // own binding limit is refused before anything is allocated. The count
    // comes from the adapter: a fixed 16 replicas (1.07 GB) fitted an H200,
    // whose binding limit is 2 GiB.
    if let Some(ctx) = common::device() {
        let per_replica = requirements(&experiment, &dataset, 1).storage_buffer_bytes;
        let limits = ctx.adapter.limits();
        let most = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size);
        let count = (most / per_replica + 1) as usize;
        let need = requirements(&experiment, &dataset, count).storage_buffer_bytes;
        assert!(
            need > most,
            "{count} replicas need {need} bytes, the adapter binds {most}"
        );
        let replicas = vec![
            Replica {
                seed: 1,
                beta: 1e-3,
                own_beta: false,
            };
            count
        ];
        drop(ctx);
        match block_on(GpuTrainer::open(experiment, &dataset, replicas)) {
            Err(GpuError::Limit { name, .. }) => assert!(name.starts_with("max_"), "{name}"),
            Err(other) => panic!("expected a limit error, got {other}"),
            Ok(_) => panic!("{count} replicas ({need} bytes) were accepted"),
        }
    }
}

#[test]
fn a_gpu_checkpoint_restores_the_run() {
    let (experiment, dataset) =
        setup("data=moons&hidden=8&k=2&seed=4&report=50&beta_mode=target&target_rate=2");
    let Some(ctx) = common::device() else { return };
    let mut trainer = GpuTrainer::new(
        ctx,
        experiment,
        &dataset,
        vec![Replica {
            seed: 4,
            beta: 1e-3,
            own_beta: false,
        }],
    )
    .unwrap();
    trainer.submit_steps(100);
    let saved = block_on(trainer.checkpoint()).unwrap();
    trainer.submit_steps(100);
    let first = block_on(trainer.report(false)).unwrap().remove(0);
    trainer.restore(&saved);
    assert_eq!(trainer.steps_done(), 100);
    trainer.submit_steps(100);
    let again = block_on(trainer.report(false)).unwrap().remove(0);
    assert_eq!(
        (again.step, again.loss, again.rate_bits, again.beta),
        (first.step, first.loss, first.rate_bits, first.beta)
    );
}

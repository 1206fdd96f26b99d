//! Benchmarks that print figures (never asserted in tests).
//! Training steps, ms per step on the CPU and the GPU backends:
//! (a) the Alemi et al. MNIST model 784-1024-1024-2K (K = 256), batch 100;
//! (b) a 2-16-16 toy, batch 64; (c) the var_u network 12-10-7-5-4-3 (K = 2),
//! batch 256; (d) 16 replicas of the toy (a beta sweep) at once.
//! Kernels: achieved GFLOP/s (matmul) or GB/s (memory-bound kernels).

use crate::config::{DataName, Experiment};
use crate::cpu::CpuTrainer;
use crate::data::{self, Dataset, Likelihood, Sources, Split};
use crate::gpu::ops::{self, AdamBuffers, MatmulShape, Place, Product, Slot};
use crate::gpu::plan::{Plan, PlanBuilder};
use crate::gpu::{GpuContext, GpuError, GpuTrainer, Requirements, block_on};
use crate::model::Shape;
use crate::rng::{Key, Stream};
use crate::run::{Backend, CpuReplicas, Run};
use crate::sweep::Replica;
use ndarray::Array2;
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;

/// Synthetic rows for the MNIST-shaped case: timing does not depend on pixel
/// values, and the benchmark must not need the MNIST files.
const SYNTHETIC_ROWS: usize = 1000;
const WARMUP_STEPS: u32 = 2;

/// One benchmark case.
pub struct Case {
    pub name: &'static str,
    pub link: &'static str,
    pub replicas: usize,
    /// Steps timed (full run / `--quick`).
    pub steps: (u32, u32),
}

pub const CASES: &[Case] = &[
    Case {
        name: "a: mnist 784-1024-1024-512 (K=256), batch 100",
        link: "data=mnist&hidden=1024,1024&k=256&act=relu&batch=100&lr=1e-4&b1=0.5&samples=1",
        replicas: 1,
        steps: (20, 3),
    },
    Case {
        name: "b: toy 2-16-16-2, batch 64",
        link: "data=circle&hidden=16,16&k=2&batch=64",
        replicas: 1,
        steps: (1000, 50),
    },
    Case {
        name: "c: var_u 12-10-7-5-4-3 (K=2), batch 256",
        link: "data=var_u&hidden=10,7,5,4,3&k=2&batch=256",
        replicas: 1,
        steps: (500, 30),
    },
    Case {
        name: "d: 16 toy replicas 2-16-16-2, batch 64",
        link: "data=circle&hidden=16,16&k=2&batch=64",
        replicas: 16,
        steps: (200, 20),
    },
];

/// One measured training row.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub case: String,
    pub backend: String,
    pub parameters: usize,
    pub steps: u32,
    /// Milliseconds per step (of all replicas): the median single step on the
    /// CPU, the mean over submitted batches of steps on the GPU.
    pub ms_per_step: f64,
    /// Floating-point work of one step (forward 2, backward 4 flops per
    /// weight and example; no input gradient for the first layer).
    pub gflop_per_step: f64,
    pub gflops: f64,
    /// GPU dispatches recorded per training step (the GPU rows).
    pub dispatches: Option<usize>,
}

/// One measured kernel.
#[derive(Clone, Debug, Serialize)]
pub struct KernelRow {
    pub kernel: String,
    pub size: String,
    pub ms: f64,
    /// GFLOP/s for compute-bound kernels, else 0.
    pub gflops: f64,
    /// GB/s of memory traffic (reads + writes of the minimal data).
    pub gbps: f64,
}

fn dataset_for(experiment: &Experiment) -> Dataset {
    if experiment.data != DataName::Mnist {
        return data::load(experiment, &Sources::default()).expect("generated data load");
    }
    let key = Key::new(experiment.seed, Stream::Data);
    let x = Array2::from_shape_fn((SYNTHETIC_ROWS, 784), |(i, j)| {
        key.uniform((i * 784 + j) as u32, 0)
    });
    let y: Vec<u32> = (0..SYNTHETIC_ROWS as u32).map(|i| i % 10).collect();
    let split = Split { x, y };
    Dataset {
        name: DataName::Mnist,
        input_dim: 784,
        classes: 10,
        class_names: (0..10).map(|c| c.to_string()).collect(),
        image: Some((28, 28)),
        likelihood: Likelihood::Bernoulli,
        train: split.clone(),
        test: split,
        table: None,
    }
}

/// Floating-point operations of one training step.
pub fn flop_per_step(shape: &Shape, batch: usize) -> f64 {
    let layers: Vec<(usize, usize)> = [shape.encoder_widths(), shape.decoder_widths()]
        .iter()
        .flat_map(|w| w.windows(2).map(|p| (p[0], p[1])).collect::<Vec<_>>())
        .collect();
    let macs: f64 = layers.iter().map(|&(i, o)| (i * o) as f64).sum();
    let first = (layers[0].0 * layers[0].1) as f64;
    batch as f64 * (6.0 * macs - 2.0 * first)
}

fn row(case: &Case, backend: &str, shape: &Shape, batch: usize, steps: u32, ms: f64) -> Row {
    let flop = flop_per_step(shape, batch) * case.replicas as f64;
    Row {
        case: case.name.into(),
        backend: backend.into(),
        parameters: shape.parameter_count() * case.replicas,
        steps,
        ms_per_step: ms,
        gflop_per_step: flop / 1e9,
        gflops: flop / 1e9 / (ms / 1e3),
        dispatches: None,
    }
}

fn replicas_for(case: &Case, experiment: &Experiment) -> Vec<Replica> {
    (0..case.replicas)
        .map(|i| Replica {
            seed: experiment.seed,
            beta: experiment.beta * 10f64.powi(i as i32 % 4),
            own_beta: true,
        })
        .collect()
}

/// Times training steps of every case on the CPU backend (replicas one
/// after the other, as the CLI trains a sweep on the CPU).
pub fn cpu_training_steps(quick: bool) -> Vec<Row> {
    CASES
        .iter()
        .map(|case| {
            let experiment = Experiment::from_link(case.link).expect("benchmark links are valid");
            let dataset = dataset_for(&experiment);
            let mut trainers: Vec<CpuTrainer> = replicas_for(case, &experiment)
                .iter()
                .map(|r| {
                    CpuTrainer::new(
                        Experiment {
                            beta: r.beta,
                            ..experiment.clone()
                        },
                        dataset.clone(),
                    )
                })
                .collect();
            for trainer in &mut trainers {
                (0..WARMUP_STEPS).for_each(|_| {
                    trainer.train_step();
                });
            }
            let steps = if quick { case.steps.1 } else { case.steps.0 };
            let mut times: Vec<f64> = (0..steps)
                .map(|_| {
                    let start = Instant::now();
                    trainers.iter_mut().for_each(|t| {
                        t.train_step();
                    });
                    start.elapsed().as_secs_f64() * 1e3
                })
                .collect();
            times.sort_by(f64::total_cmp);
            row(
                case,
                "cpu",
                &trainers[0].model.shape,
                experiment.batch,
                steps,
                times[times.len() / 2],
            )
        })
        .collect()
}

/// Times training steps of every case on the GPU backend: steps are
/// submitted in batches (as the trainer does) and the device is waited on.
pub fn gpu_training_steps(quick: bool) -> Result<(Vec<Row>, String), GpuError> {
    let mut rows = Vec::new();
    let mut adapter = String::new();
    for case in CASES {
        let experiment = Experiment::from_link(case.link).expect("benchmark links are valid");
        let dataset = dataset_for(&experiment);
        let mut trainer = block_on(GpuTrainer::open(
            experiment.clone(),
            &dataset,
            replicas_for(case, &experiment),
        ))?;
        adapter = format!(
            "{} ({}, {})",
            trainer.ctx.summary.name, trainer.ctx.summary.backend, trainer.ctx.summary.device_type
        );
        trainer.submit_steps(WARMUP_STEPS);
        trainer.wait()?;
        let steps = if quick { case.steps.1 } else { case.steps.0 };
        let start = Instant::now();
        trainer.submit_steps(steps);
        trainer.wait()?;
        let ms = start.elapsed().as_secs_f64() * 1e3 / steps as f64;
        rows.push(Row {
            dispatches: Some(trainer.dispatches_per_step()),
            ..row(
                case,
                "gpu",
                &trainer.model.shape,
                experiment.batch,
                steps,
                ms,
            )
        });
    }
    Ok((rows, adapter))
}

/// Times `plan` recorded `repeats` times in one submission; ms per repeat.
fn time_plan(ctx: &GpuContext, plan: &Plan, repeats: usize) -> Result<f64, GpuError> {
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
    run(repeats)
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
    let dummy = ctx.storage("bench dummy", 4);
    let mut rows = Vec::new();
    let matmuls = [
        ("forward X W + b, relu", 100, 1024, 784, false, false),
        ("weight gradient X^T dY", 784, 1024, 100, true, false),
        ("input gradient dY W^T", 100, 784, 1024, false, true),
        ("square", 1024, 1024, 1024, false, false),
        ("large square", 4096, 4096, 4096, false, false),
        ("var_u layer X W + b", 256, 10, 12, false, false),
        ("var_u weight gradient", 12, 10, 256, true, false),
    ];
    let mut kernels = vec![
        (crate::gpu::kernels::Kernel::Matmul, "tiled"),
        (crate::gpu::kernels::Kernel::MatmulSmall, "direct"),
    ];
    if ctx.wide_tiles {
        kernels.push((crate::gpu::kernels::Kernel::MatmulWide, "wide"));
    }
    if ctx.subgroup_size.is_some() {
        kernels.push((crate::gpu::kernels::Kernel::MatmulSubgroup, "subgroup"));
    }
    // 137 GFLOP: minutes on a CPU-emulated adapter, milliseconds on a GPU.
    let sized = |s: &(&str, usize, usize, usize, bool, bool)| !(ctx.emulated && s.1 >= 4096);
    for ((name, m, n, k, trans_a, trans_b), &(kernel, kind)) in matmuls
        .into_iter()
        .filter(sized)
        .flat_map(|shape| kernels.iter().map(move |kernel| (shape, kernel)))
    {
        let a = ctx.storage("bench a", 4 * (m * k) as u64);
        let b = ctx.storage("bench b", 4 * (k * n + n) as u64);
        let c = ctx.storage("bench c", 4 * (m * n) as u64);
        let post = ctx.storage("bench post", 4 * (m * n) as u64);
        let mut builder = PlanBuilder::new(&ctx, 1, &dummy, &dummy);
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
        let ms = time_plan(&ctx, &builder.finish(), repeats)?;
        let flop = 2.0 * (m * n * k) as f64;
        let bytes = 4.0 * (m * k + k * n + m * n) as f64;
        rows.push(KernelRow {
            kernel: format!("matmul ({kind}): {name}"),
            size: format!("{m}x{n}x{k}"),
            ms,
            gflops: flop / ms / 1e6,
            gbps: bytes / ms / 1e6,
        });
    }
    let count = 1 << 20;
    let values = ctx.storage("bench values", 4 * count as u64);
    let metrics = ctx.storage("bench metrics", 32);
    let schedule = ctx.storage("bench schedule", 4 * crate::gpu::schedule::words(1) as u64);
    let mut builder = PlanBuilder::new(&ctx, 1, &schedule, &schedule);
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
    let ms = time_plan(&ctx, &builder.finish(), repeats)?;
    rows.push(KernelRow {
        kernel: "reduce (sum)".into(),
        size: format!("{count}"),
        ms,
        gflops: 0.0,
        gbps: 4.0 * count as f64 / ms / 1e6,
    });
    let parameters = 2_380_810;
    let state: Vec<wgpu::Buffer> = (0..4)
        .map(|_| ctx.storage("bench adam", 4 * parameters as u64))
        .collect();
    let mut builder = PlanBuilder::new(&ctx, 1, &schedule, &state[0]);
    let adam = AdamBuffers {
        params: &state[0],
        grads: &state[1],
        m: &state[2],
        v: &state[3],
        mask: None,
        ema: None,
    };
    builder.adam("bench adam", &adam, parameters, (0.9, 0.999));
    let ms = time_plan(&ctx, &builder.finish(), repeats)?;
    // Reads p, g, m, v and writes p, m, v.
    rows.push(KernelRow {
        kernel: "adam".into(),
        size: format!("{parameters}"),
        ms,
        gflops: 0.0,
        gbps: 28.0 * parameters as f64 / ms / 1e6,
    });
    Ok(rows)
}

/// Patterns and width of the information-plane benchmark (var_u's largest
/// plane: every training pattern of a 10-unit layer).
const PLANE_PATTERNS: usize = 4096;
const PLANE_WIDTH: usize = 10;

/// Time of the information plane's N x N estimators for N = 4096: the CPU
/// reference (`info::plane`) and the WGSL kernel (`pairwise.wgsl`).
pub fn plane_estimators(gpu: bool) -> Result<Vec<KernelRow>, GpuError> {
    use crate::info::plane;
    let n = PLANE_PATTERNS;
    let key = Key::new(7, Stream::Data);
    let values = Array2::from_shape_fn((n, PLANE_WIDTH), |(i, j)| {
        key.normal((i * PLANE_WIDTH + j) as u32, 0).tanh()
    });
    let labels: Vec<u32> = (0..n as u32).map(|i| i % 2).collect();
    let row = |name: &str, ms: f64| KernelRow {
        kernel: name.into(),
        size: format!("N={n} d={PLANE_WIDTH}"),
        ms,
        gflops: 0.0,
        gbps: 0.0,
    };
    let timed = |f: &dyn Fn()| {
        let start = Instant::now();
        f();
        start.elapsed().as_secs_f64() * 1e3
    };
    let mut rows = vec![
        row(
            "plane cpu: binning (hash)",
            timed(&|| {
                plane::binning(values.view(), &labels, (-1.0, 1.0), 30);
            }),
        ),
        row(
            "plane cpu: kde",
            timed(&|| {
                plane::kde(values.view(), &labels, plane::KDE_NOISE_VARIANCE);
            }),
        ),
        row(
            "plane cpu: pairwise kl (K=5)",
            timed(&|| {
                let (mu, sigma) = (
                    values.slice(ndarray::s![.., ..5]),
                    values.slice(ndarray::s![.., 5..]).mapv(|v| v.abs() + 0.1),
                );
                plane::pairwise_kl(mu, sigma.view(), &labels);
            }),
        ),
    ];
    if gpu {
        let need = Requirements {
            storage_buffer_bytes: 1 << 20,
            workgroups_per_dimension: 65_535,
        };
        let ctx = block_on(GpuContext::new(need))?;
        let flat: Vec<f32> = values.iter().copied().collect();
        let buffer = ctx.storage_with("plane bench values", &flat);
        let label_buffer = ctx.storage_with("plane bench labels", &labels);
        let bounds = ctx.storage_with("plane bench bounds", &[-1.0f32, 1.0]);
        let out = ctx.storage("plane bench out", 4 * 2 * n as u64);
        let kernels = [
            (
                "plane gpu: binning",
                ops::PairwiseKernel::Binning { bins: 30 },
            ),
            (
                "plane gpu: kde",
                ops::PairwiseKernel::Kde {
                    noise_variance: plane::KDE_NOISE_VARIANCE,
                },
            ),
            (
                "plane gpu: pairwise kl (K=5)",
                ops::PairwiseKernel::PairwiseKl,
            ),
        ];
        for (name, kernel) in kernels {
            let rows_spec = ops::PlaneRows {
                buffer: &buffer,
                n,
                width: PLANE_WIDTH,
                row_stride: PLANE_WIDTH,
                replica_stride: 0,
            };
            let mut builder = PlanBuilder::new(&ctx, 1, &bounds, &bounds);
            builder.pairwise(name, rows_spec, &label_buffer, kernel, (&bounds, &out));
            rows.push(row(name, time_plan(&ctx, &builder.finish(), 2)?));
        }
    }
    Ok(rows)
}

/// One point of a soak run.
#[derive(Clone, Debug, Serialize)]
pub struct SoakRow {
    pub backend: String,
    pub step: u32,
    /// Resident memory of this process, MiB (Linux; 0 elsewhere).
    pub rss_mib: f64,
    /// Mean milliseconds per step since the previous row (reports included).
    pub ms_per_step: f64,
}

fn resident_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Trains the toy for `steps` steps with a report every 100 and a
/// checkpoint every 1000 (as the page does), printing memory as it goes:
/// buffers are allocated once, so resident memory must stay flat.
pub fn soak(steps: u32, gpu: bool) -> Result<Vec<SoakRow>, GpuError> {
    let experiment =
        Experiment::from_link("data=circle&hidden=16,16&k=2&report=100").expect("valid link");
    let dataset = Arc::new(data::load(&experiment, &Sources::default()).expect("toy data"));
    let replicas = crate::sweep::single(&experiment);
    let backend: Box<dyn Backend> = if gpu {
        Box::new(block_on(GpuTrainer::open(
            experiment.clone(),
            &dataset,
            replicas.clone(),
        ))?)
    } else {
        Box::new(CpuReplicas::new(&experiment, dataset.clone(), &replicas))
    };
    let label = if gpu { "gpu" } else { "cpu" };
    // The run checkpoints at every report, as the page does for small models.
    let mut run = Run::new(backend, experiment, dataset, replicas).until(steps);
    let rows_every = (steps / 10).max(1);
    let mut rows = Vec::new();
    let mut last = Instant::now();
    while !run.is_finished() {
        block_on(run.advance(u32::MAX)).map_err(|e| GpuError::Device(e.message))?;
        if run.steps().is_multiple_of(rows_every) {
            let ms = last.elapsed().as_secs_f64() * 1e3 / rows_every as f64;
            last = Instant::now();
            rows.push(SoakRow {
                backend: label.into(),
                step: run.steps(),
                rss_mib: resident_mib(),
                ms_per_step: ms,
            });
        }
    }
    Ok(rows)
}

/// The CPU's ways to run a step, compared in one run, rounds taken in turn
/// (A B C A B C ...) so that a noisy machine affects each alike: the
/// portable product on one thread, the AVX2 product on one thread, and the
/// AVX2 product on every thread. Results are the same bits in all three.
pub fn cpu_variants(quick: bool) -> Vec<Row> {
    let threads = crate::cpu::parallel::threads();
    let variants: [(&str, bool, usize); 3] = [
        ("cpu portable, 1 thread", true, 1),
        ("cpu avx2, 1 thread", false, 1),
        ("cpu avx2, all threads", false, threads),
    ];
    let (rounds, per_round) = if quick { (2, 2) } else { (5, 4) };
    CASES
        .iter()
        .filter(|c| c.replicas == 1)
        .flat_map(|case| {
            let experiment = Experiment::from_link(case.link).expect("benchmark links are valid");
            let dataset = dataset_for(&experiment);
            let per_round = if case.name.starts_with("a:") {
                per_round
            } else {
                per_round * 50
            };
            let mut trainer = CpuTrainer::new(experiment.clone(), dataset);
            (0..WARMUP_STEPS).for_each(|_| {
                trainer.train_step();
            });
            let mut times = vec![Vec::new(); variants.len()];
            for _ in 0..rounds {
                for (v, &(_, portable, n)) in variants.iter().enumerate() {
                    crate::cpu::matmul::set_portable_only(portable);
                    crate::cpu::parallel::set_threads(n);
                    let start = Instant::now();
                    (0..per_round).for_each(|_| {
                        trainer.train_step();
                    });
                    times[v].push(start.elapsed().as_secs_f64() * 1e3 / per_round as f64);
                }
            }
            crate::cpu::matmul::set_portable_only(false);
            crate::cpu::parallel::set_threads(0);
            let shape = trainer.model.shape.clone();
            variants
                .iter()
                .zip(times)
                .map(|(&(name, _, n), mut t)| {
                    t.sort_by(f64::total_cmp);
                    let label = name.replace("all threads", &format!("{n} threads"));
                    row(
                        case,
                        &label,
                        &shape,
                        experiment.batch,
                        rounds * per_round,
                        t[t.len() / 2],
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A plain-text table of training rows.
pub fn table(rows: &[Row]) -> String {
    let mut out = format!(
        "{:<44} {:>24} {:>10} {:>6} {:>11} {:>10} {:>8} {:>10}\n",
        "training step",
        "backend",
        "params",
        "steps",
        "ms/step",
        "GFLOP/step",
        "GFLOP/s",
        "dispatches"
    );
    for r in rows {
        let dispatches = r.dispatches.map(|d| d.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "{:<44} {:>24} {:>10} {:>6} {:>11.4} {:>10.4} {:>8.2} {:>10}\n",
            r.case,
            r.backend,
            r.parameters,
            r.steps,
            r.ms_per_step,
            r.gflop_per_step,
            r.gflops,
            dispatches
        ));
    }
    out
}

/// The device's peaks, for the roofline columns (given on the command line:
/// wgpu does not report them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Peaks {
    /// FP32 GFLOP/s.
    pub gflops: Option<f64>,
    /// Memory bandwidth, GB/s.
    pub gbps: Option<f64>,
}

impl Peaks {
    /// Percent of the peak that bounds a row: compute for products, memory
    /// for the rest; None where that peak is unknown.
    pub fn percent(&self, row: &KernelRow) -> Option<f64> {
        if row.gflops > 0.0 {
            self.gflops.map(|p| 100.0 * row.gflops / p)
        } else {
            self.gbps.map(|p| 100.0 * row.gbps / p)
        }
    }
}

/// A plain-text table of kernel rows, with the roofline column: the percent
/// of the device's FP32 peak (products) or bandwidth (the rest).
pub fn kernel_table(rows: &[KernelRow], peaks: Peaks) -> String {
    let mut out = format!(
        "{:<44} {:>16} {:>10} {:>9} {:>8} {:>7}\n",
        "kernel", "size", "ms", "GFLOP/s", "GB/s", "% peak"
    );
    for r in rows {
        let percent = match peaks.percent(r) {
            Some(p) => format!("{p:.2}"),
            None => "?".into(),
        };
        out.push_str(&format!(
            "{:<44} {:>16} {:>10.4} {:>9.2} {:>8.2} {:>7}\n",
            r.kernel, r.size, r.ms, r.gflops, r.gbps, percent
        ));
    }
    out
}

//! Benchmarks that print figures (never asserted in tests): milliseconds per
//! training step for the reference models of the performance issue.
//! (a) the Alemi et al. MNIST model 784-1024-1024-2K (K = 256), batch 100;
//! (b) a 2-16-16 toy, batch 64; (c) the var_u network 12-10-7-5-4-3, batch 256.

use crate::config::{DataName, Experiment};
use crate::cpu::CpuTrainer;
use crate::data::{self, Dataset, Likelihood, Sources, Split};
use crate::model::Shape;
use crate::rng::{Key, Stream};
use ndarray::Array2;
use serde::Serialize;
use std::time::Instant;

/// Synthetic rows for the MNIST-shaped case: timing does not depend on pixel
/// values, and the benchmark must not need the MNIST files.
const SYNTHETIC_ROWS: usize = 1000;
const WARMUP_STEPS: u32 = 2;

/// One benchmark case.
pub struct Case {
    pub name: &'static str,
    pub link: &'static str,
    /// Steps timed (full run / `--quick`).
    pub steps: (u32, u32),
}

pub const CASES: &[Case] = &[
    Case {
        name: "a: mnist 784-1024-1024-512 (K=256), batch 100",
        link: "data=mnist&hidden=1024,1024&k=256&act=relu&batch=100&lr=1e-4&b1=0.5&samples=1",
        steps: (20, 3),
    },
    Case {
        name: "b: toy 2-16-16-2, batch 64",
        link: "data=circle&hidden=16,16&k=2&batch=64",
        steps: (2000, 50),
    },
    Case {
        name: "c: var_u 12-10-7-5-4-3 (K=2), batch 256",
        link: "data=var_u&hidden=10,7,5,4,3&k=2&batch=256",
        steps: (1000, 30),
    },
];

/// One measured row.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub case: String,
    pub backend: String,
    pub parameters: usize,
    pub steps: u32,
    /// Median milliseconds per step.
    pub ms_per_step: f64,
    /// Floating-point work of one step (forward 2, backward 4 flops per
    /// weight and example; no input gradient for the first layer).
    pub gflop_per_step: f64,
    pub gflops: f64,
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

/// Times training steps of every case on the CPU backend.
pub fn cpu_training_steps(quick: bool) -> Vec<Row> {
    CASES
        .iter()
        .map(|case| {
            let experiment = Experiment::from_link(case.link).expect("benchmark links are valid");
            let dataset = dataset_for(&experiment);
            let mut trainer = CpuTrainer::new(experiment.clone(), dataset);
            for _ in 0..WARMUP_STEPS {
                trainer.train_step();
            }
            let steps = if quick { case.steps.1 } else { case.steps.0 };
            let mut times: Vec<f64> = (0..steps)
                .map(|_| {
                    let start = Instant::now();
                    trainer.train_step();
                    start.elapsed().as_secs_f64() * 1e3
                })
                .collect();
            times.sort_by(f64::total_cmp);
            let ms = times[times.len() / 2];
            let flop = flop_per_step(&trainer.model.shape, experiment.batch);
            Row {
                case: case.name.into(),
                backend: "cpu".into(),
                parameters: trainer.model.shape.parameter_count(),
                steps,
                ms_per_step: ms,
                gflop_per_step: flop / 1e9,
                gflops: flop / 1e9 / (ms / 1e3),
            }
        })
        .collect()
}

/// A plain-text table of rows.
pub fn table(rows: &[Row]) -> String {
    let mut out = format!(
        "{:<48} {:>7} {:>10} {:>7} {:>12} {:>10} {:>8}\n",
        "case", "backend", "params", "steps", "ms/step", "GFLOP/step", "GFLOP/s"
    );
    for r in rows {
        out.push_str(&format!(
            "{:<48} {:>7} {:>10} {:>7} {:>12.4} {:>10.4} {:>8.2}\n",
            r.case, r.backend, r.parameters, r.steps, r.ms_per_step, r.gflop_per_step, r.gflops
        ));
    }
    out
}

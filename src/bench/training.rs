//! Training steps timed through the `Backend` a `Run` drives: the CPU's
//! `CpuReplicas` (replicas one after the other, as the CLI trains a sweep
//! on the CPU) and the GPU's `GpuTrainer` (every replica in the same
//! dispatches), and the CPU's ways to run a step compared in one run.

use super::{Case, Row, dataset_for, row};
use crate::gpu::{GpuError, GpuTrainer, block_on};
use crate::model::Shape;
use crate::run::{Backend, CpuReplicas};
use std::sync::Arc;
use std::time::Instant;

/// Steps trained before timing starts (allocations, the GPU's pipelines).
const WARMUP_STEPS: u32 = 2;

/// Milliseconds for each of `rounds` calls of `train(per_round)`, per step.
fn timed_rounds(backend: &mut dyn Backend, rounds: u32, per_round: u32) -> Vec<f64> {
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            backend.train(per_round);
            start.elapsed().as_secs_f64() * 1e3 / per_round as f64
        })
        .collect()
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// A case's replicas on the CPU backend.
fn cpu_backend(case: &Case) -> CpuReplicas {
    let experiment = case.experiment();
    let dataset = Arc::new(dataset_for(&experiment));
    CpuReplicas::new(&experiment, dataset, &case.replicas())
}

/// The shape of one replica of `case`.
fn shape_of(case: &Case) -> Shape {
    let experiment = case.experiment();
    let dataset = dataset_for(&experiment);
    Shape::new(&experiment, dataset.input_dim, dataset.classes)
}

/// Times training steps of every case on the CPU backend: the median of
/// single steps (all replicas).
pub fn cpu_training_steps(cases: &[Case], quick: bool) -> Vec<Row> {
    cases
        .iter()
        .map(|case| {
            let mut backend = cpu_backend(case);
            backend.train(WARMUP_STEPS);
            let steps = case.steps(quick);
            let ms = median(timed_rounds(&mut backend, steps, 1));
            row(case, "cpu", &shape_of(case), steps, ms)
        })
        .collect()
}

/// Times training steps of every case on the GPU backend: the steps are
/// submitted together (as a run does) and the device waited on; the mean.
/// Also names the adapter.
pub fn gpu_training_steps(cases: &[Case], quick: bool) -> Result<(Vec<Row>, String), GpuError> {
    let mut rows = Vec::new();
    let mut adapter = String::new();
    for case in cases {
        let experiment = case.experiment();
        let dataset = dataset_for(&experiment);
        let trainer = block_on(GpuTrainer::open(experiment, &dataset, case.replicas()))?;
        let summary = &trainer.ctx.summary;
        adapter = format!(
            "{} ({}, {})",
            summary.name, summary.backend, summary.device_type
        );
        let dispatches = trainer.dispatches_per_step();
        let mut backend: Box<dyn Backend> = Box::new(trainer);
        let finished = |backend: &dyn Backend| {
            block_on(backend.finished()).map_err(|e| GpuError::Device(e.message))
        };
        backend.train(WARMUP_STEPS);
        finished(backend.as_ref())?;
        let steps = case.steps(quick);
        let start = Instant::now();
        backend.train(steps);
        finished(backend.as_ref())?;
        let ms = start.elapsed().as_secs_f64() * 1e3 / steps as f64;
        rows.push(Row {
            dispatches: Some(dispatches),
            ..row(case, "gpu", &shape_of(case), steps, ms)
        });
    }
    Ok((rows, adapter))
}

/// The CPU's ways to run a step: the portable product on one thread, the
/// AVX2 product on one thread, and the AVX2 product on every thread.
const VARIANTS: [(&str, bool, Option<usize>); 3] = [
    ("cpu portable, 1 thread", true, Some(1)),
    ("cpu avx2, 1 thread", false, Some(1)),
    ("cpu avx2, all threads", false, None),
];

/// The CPU's ways to run a step compared in one run, rounds taken in turn
/// (A B C A B C ...) so that a noisy machine affects each alike, on every
/// one-model case. Results are the same bits in all three.
pub fn cpu_variants(cases: &[Case], quick: bool) -> Vec<Row> {
    let threads = crate::cpu::parallel::threads();
    let (rounds, per_round) = if quick { (2, 2) } else { (5, 4) };
    cases
        .iter()
        .filter(|case| case.sweep.is_none())
        .flat_map(|case| {
            // The MNIST-sized case takes seconds a round; the toys 50x more.
            let per_round = if case.id == "a" {
                per_round
            } else {
                per_round * 50
            };
            let mut backend = cpu_backend(case);
            backend.train(WARMUP_STEPS);
            let mut times = vec![Vec::new(); VARIANTS.len()];
            for _ in 0..rounds {
                for (v, &(_, portable, n)) in VARIANTS.iter().enumerate() {
                    crate::cpu::matmul::set_portable_only(portable);
                    crate::cpu::parallel::set_threads(n.unwrap_or(threads));
                    times[v].extend(timed_rounds(&mut backend, 1, per_round));
                }
            }
            crate::cpu::matmul::set_portable_only(false);
            crate::cpu::parallel::set_threads(0);
            let shape = shape_of(case);
            VARIANTS
                .iter()
                .zip(times)
                .map(|(&(name, _, n), t)| {
                    let n = n.unwrap_or(threads);
                    let label = name.replace("all threads", &format!("{n} threads"));
                    row(case, &label, &shape, rounds * per_round, median(t))
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

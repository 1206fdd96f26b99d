//! The memory soak: the toy trained through a `Run` with a report every
//! 100 steps and a checkpoint at each (as the page does for small models),
//! resident memory printed as it goes. Buffers are allocated once, so it
//! must stay flat.

use crate::config::Experiment;
use crate::data::{self, Sources};
use crate::gpu::{GpuError, GpuTrainer, block_on};
use crate::run::{Backend, CpuReplicas, Run};
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;

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

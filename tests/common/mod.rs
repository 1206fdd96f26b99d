//! Shared by the GPU tests: a device, or a printed reason to skip (never in
//! CI, where a missing adapter fails the run).
#![allow(dead_code)]

use ib_playground::gpu::{GpuContext, Requirements, block_on};

/// Generous requirements for op-level tests.
pub const TEST_NEEDS: Requirements = Requirements {
    storage_buffer_bytes: 64 << 20,
    workgroups_per_dimension: 65535,
};

/// Says on the terminal that the calling test was skipped and why. Written
/// to the process's stderr directly: the test harness captures `eprintln!`
/// of a passing test, and a skip must not pass silently.
pub fn skipped(why: &str) {
    use std::io::Write;
    let name = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    let _ = writeln!(std::io::stderr(), "SKIPPED {name}: {why}");
}

/// A device, or None (with the reason printed) when this machine has no
/// adapter and CI is not set.
pub fn device() -> Option<GpuContext> {
    match block_on(GpuContext::new(TEST_NEEDS)) {
        Ok(ctx) => Some(ctx),
        Err(e) if std::env::var_os("CI").is_none() => {
            skipped(&format!("no GPU adapter: {e}"));
            None
        }
        Err(e) => panic!("CI needs a GPU adapter (mesa-vulkan-drivers gives lavapipe): {e}"),
    }
}

// Helpers of the kernel parity tests.
use ib_playground::gpu::plan::Plan;
use ib_playground::gpu::readback::read_f32;
use ib_playground::gpu::schedule;

pub fn run(ctx: &GpuContext, plan: &Plan) {
    let mut encoder = ctx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("test"),
        });
    plan.record(&mut encoder, "test");
    ctx.queue.submit([encoder.finish()]);
}

pub fn read(ctx: &GpuContext, buffer: &wgpu::Buffer, count: usize) -> Vec<f32> {
    block_on(read_f32(ctx, buffer, 0, count)).unwrap()
}

/// Seeded normal values (the library's, which the product check uses).
#[allow(unused_imports)]
pub use ib_playground::gpu::selfcheck::test_values as values;

pub fn assert_close(what: &str, got: &[f32], want: &[f64], tolerance: impl Fn(usize) -> f64) {
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
pub fn schedule_words(step: u32, seeds: &[u32], betas: &[f64]) -> Vec<u32> {
    let experiment = ib_playground::config::Experiment::default();
    schedule::build(&experiment, 1000, seeds, betas, step, 1)
}

// Whole runs, through the same `Run` the CLI and the page use.
use ib_playground::report::Report;
use ib_playground::run::{Event, Run};

/// Trains `run` to its end: the reports of every report event in order,
/// the final ones last (one inner vector per event, one report per replica).
pub fn reports_of(run: &mut Run) -> Vec<Vec<Report>> {
    let mut reports = Vec::new();
    block_on(run.run_to_end(|event| {
        if let Event::Report { reports: r, .. } | Event::Finished { reports: r } = event {
            reports.push(r.clone());
        }
    }))
    .unwrap();
    reports
}

/// The CPU run of `link` for `steps` steps, as the CLI builds it.
pub fn cpu_run(link: &str, steps: u32) -> Run {
    use ib_playground::config::Experiment;
    use ib_playground::data::{self, Sources};
    use ib_playground::run::CpuReplicas;
    let experiment = Experiment::from_link(link).unwrap();
    let dataset = std::sync::Arc::new(data::load(&experiment, &Sources::default()).unwrap());
    let replicas = ib_playground::sweep::single(&experiment);
    let backend = CpuReplicas::new(&experiment, dataset.clone(), &replicas);
    Run::new(Box::new(backend), experiment, dataset, replicas).until(steps)
}

/// The binary entropy in bits, as the library computes it.
#[allow(unused_imports)]
pub use ib_playground::info::dsbs::binary_entropy_bits;

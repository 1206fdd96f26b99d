//! Benchmarks that print figures (never asserted in tests), all through
//! the `Backend` a `Run` drives, so a figure is what a user's run costs:
//! - training steps (`training.rs`): ms per step of each case of the one
//!   case file, www/src/bench/cases.json, which `make bench-web` reads too,
//!   on the CPU and GPU backends, and the CPU's ways to run a step;
//! - kernels (`kernels.rs`): achieved GFLOP/s (products) or GB/s (the
//!   memory-bound kernels) on the GPU;
//! - the information plane's N x N estimators (`plane.rs`);
//! - the memory soak (`soak.rs`).

pub mod kernels;
mod plane;
mod soak;
mod training;

pub use kernels::gpu_kernels;
pub use plane::plane_estimators;
pub use soak::{SoakRow, soak};
pub use training::{cpu_training_steps, cpu_variants, gpu_training_steps};

use crate::config::{DataName, Experiment};
use crate::data::{self, Dataset, Likelihood, Sources, Split};
use crate::model::Shape;
use crate::rng::{Key, Stream};
use crate::sweep::Replica;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// Synthetic rows for the MNIST-shaped case: timing does not depend on pixel
/// values, and the benchmark must not need the MNIST files.
const SYNTHETIC_ROWS: usize = 1000;

/// One benchmark case, as www/src/bench/cases.json writes it.
#[derive(Clone, Debug, Deserialize)]
pub struct Case {
    /// "a", "b", ...: the page's benchmark names cases by it.
    pub id: String,
    pub name: String,
    /// The experiment, every key the page's peer engines need written out.
    pub link: String,
    /// Replicas trained at once (`--sweep` syntax); none: one model.
    #[serde(default)]
    pub sweep: Option<String>,
    /// Steps timed: the full run, `--quick`.
    pub steps: (u32, u32),
}

impl Case {
    /// "a: mnist 784-1024-1024-512 (K=256), batch 100".
    pub fn title(&self) -> String {
        format!("{}: {}", self.id, self.name)
    }

    pub fn experiment(&self) -> Experiment {
        Experiment::from_link(&self.link).expect("the case file's links are valid")
    }

    /// The case's replicas: its sweep, or the one model.
    pub fn replicas(&self) -> Vec<Replica> {
        let experiment = self.experiment();
        match &self.sweep {
            Some(spec) => crate::sweep::parse(spec, &experiment).expect("valid sweeps"),
            None => crate::sweep::single(&experiment),
        }
    }

    pub fn steps(&self, quick: bool) -> u32 {
        if quick { self.steps.1 } else { self.steps.0 }
    }
}

#[derive(Deserialize)]
struct CaseFile {
    cases: Vec<Case>,
}

/// The cases of www/src/bench/cases.json, in the file's order.
pub fn cases() -> Vec<Case> {
    read_cases(include_str!("../../www/src/bench/cases.json"))
        .expect("www/src/bench/cases.json is a case file")
}

/// The cases of a case file in the format of www/src/bench/cases.json
/// (`ibp bench --cases FILE`): errors name the case and what is wrong.
pub fn read_cases(text: &str) -> Result<Vec<Case>, crate::error::Error> {
    let file: CaseFile = serde_json::from_str(text)
        .map_err(|e| crate::error::Error::data(format!("not a case file: {e}")))?;
    for case in &file.cases {
        let experiment = Experiment::from_link(&case.link)
            .map_err(|e| crate::error::Error::data(format!("case {}: {e}", case.id)))?;
        if let Some(spec) = &case.sweep {
            crate::sweep::parse(spec, &experiment)
                .map_err(|e| crate::error::Error::data(format!("case {}: {e}", case.id)))?;
        }
        if case.steps.0 == 0 || case.steps.1 == 0 {
            let why = "steps must be two counts above 0, [full, quick]";
            return Err(crate::error::Error::data(format!(
                "case {}: {why}",
                case.id
            )));
        }
    }
    Ok(file.cases)
}

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

pub(crate) fn dataset_for(experiment: &Experiment) -> Dataset {
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

fn row(case: &Case, backend: &str, shape: &Shape, steps: u32, ms: f64) -> Row {
    let replicas = case.replicas().len();
    let flop = flop_per_step(shape, case.experiment().batch) * replicas as f64;
    Row {
        case: case.title(),
        backend: backend.into(),
        parameters: shape.parameter_count() * replicas,
        steps,
        ms_per_step: ms,
        gflop_per_step: flop / 1e9,
        gflops: flop / 1e9 / (ms / 1e3),
        dispatches: None,
    }
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

#[cfg(test)]
mod tests {
    use super::cases;

    /// The page's peer engines build their twins from the link's numbers
    /// (www/src/bench/cases.js), so every case writes them out.
    #[test]
    fn every_case_is_one_experiment_for_both_benchmarks() {
        let cases = cases();
        let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c", "d"]);
        for case in &cases {
            let keys: Vec<&str> = case
                .link
                .split('&')
                .filter_map(|p| p.split('=').next())
                .collect();
            for key in [
                "data", "hidden", "act", "k", "batch", "lr", "b1", "b2", "beta", "seed", "report",
            ] {
                assert!(keys.contains(&key), "case {} lacks {key}", case.id);
            }
            let experiment = case.experiment();
            assert!(
                case.steps.0 > case.steps.1 && case.steps.1 > 0,
                "case {}",
                case.id
            );
            let replicas = case.replicas();
            assert_eq!(replicas.len(), if case.sweep.is_some() { 16 } else { 1 });
            assert!(replicas.iter().all(|r| r.seed == experiment.seed));
        }
        assert_eq!(cases[3].link, cases[1].link, "d is b's toy, 16 at once");
    }
}

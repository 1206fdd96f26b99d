//! Sweeps at research scale: a grid of runs over link keys, its share for
//! one task of many, and the merge of the tasks' lines. Each run is one
//! experiment (a canonical link) trained alone; `ibp sweep` runs them and
//! writes one JSON line per run in the versioned schema `ibp-sweep-1`
//! (docs/sweeps.md, docs/sweep-schema.json). Nothing here trains or knows a
//! file: the CLI does both.
//!
//! Grid syntax: axes joined by `&`, each `KEY=VALUES`:
//! - `beta=LO:HI:N`: N betas log-spaced from LO to HI (both above 0);
//! - `seed=FIRST:N`: N consecutive seeds;
//! - `KEY=A|B|...`: the alternatives, for any link key
//!   (`hidden=8,8|16,16`, `act=tanh|relu`, `beta=1e-3|1e-2`).
//!
//! Runs are the axes' product, the first axis slowest, each validated as a
//! whole link (an error names the key and the value).

use crate::config::{Experiment, with_key};
use crate::error::Error;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The schema of a sweep's lines; a new version if a field changes meaning.
pub const SCHEMA: &str = "ibp-sweep-1";

/// Most runs one grid may hold.
pub const MAX_RUNS: usize = 1_000_000;

/// One axis: a link key and the values it takes, as link text.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub key: String,
    pub values: Vec<String>,
}

/// A grid of runs over link keys.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    pub axes: Vec<Axis>,
}

fn grid_error(why: String) -> Error {
    Error::link("grid", why)
}

/// `LO:HI:N` log-spaced, as link text (shortest round-trip decimals).
fn log_spaced(key: &str, lo: &str, hi: &str, n: &str) -> Result<Vec<String>, Error> {
    let number = |t: &str| {
        t.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v > 0.0)
    };
    let count = n.trim().parse::<usize>().ok().filter(|&c| c >= 1);
    let (Some(lo), Some(hi), Some(n)) = (number(lo), number(hi), count) else {
        return Err(grid_error(format!(
            "{key}={lo}:{hi}:{n}: expected LO:HI:N, LO and HI above 0, N at least 1"
        )));
    };
    // The ends exactly as written (a link says beta=0.001, not
    // 0.0010000000000000002): the spacing of the page's sweep too.
    let values = crate::sweep::log_spaced(lo, hi, n);
    Ok(values.iter().map(|v| format!("{v}")).collect())
}

/// `FIRST:N` consecutive seeds.
fn consecutive(key: &str, first: &str, n: &str) -> Result<Vec<String>, Error> {
    let first = first.trim().parse::<u64>().ok();
    let n = n.trim().parse::<u64>().ok().filter(|&n| n >= 1);
    match (first, n) {
        (Some(first), Some(n)) if first + n <= u32::MAX as u64 + 1 => {
            Ok((first..first + n).map(|s| s.to_string()).collect())
        }
        _ => Err(grid_error(format!(
            "{key}: expected FIRST:N (N at least 1, seeds below 2^32)"
        ))),
    }
}

/// One `KEY=VALUES` axis.
fn axis(text: &str) -> Result<Axis, Error> {
    let (key, spec) = text
        .split_once('=')
        .ok_or_else(|| grid_error(format!("'{text}' has no '=' (expected KEY=VALUES)")))?;
    let key = key.trim().to_string();
    let parts: Vec<&str> = spec.split(':').collect();
    let values = match (key.as_str(), parts.as_slice()) {
        (_, _) if spec.contains('|') || parts.len() == 1 => {
            spec.split('|').map(|v| v.trim().to_string()).collect()
        }
        ("beta", [lo, hi, n]) => log_spaced(&key, lo, hi, n)?,
        ("seed", [first, n]) => consecutive(&key, first, n)?,
        _ => {
            return Err(grid_error(format!(
                "{key}={spec}: ranges are beta=LO:HI:N and seed=FIRST:N; other keys take A|B|..."
            )));
        }
    };
    Ok(Axis { key, values })
}

/// Reads a grid, e.g. `beta=1e-4:1:10&seed=1:100&hidden=8,8|16,16`.
pub fn parse(grid: &str) -> Result<Grid, Error> {
    let axes = grid
        .split('&')
        .filter(|a| !a.trim().is_empty())
        .map(axis)
        .collect::<Result<Vec<_>, _>>()?;
    if axes.is_empty() {
        return Err(grid_error(
            "the grid has no axis (e.g. beta=1e-4:1:10)".into(),
        ));
    }
    let mut keys = BTreeSet::new();
    if let Some(again) = axes.iter().find(|a| !keys.insert(a.key.clone())) {
        return Err(grid_error(format!("{} is an axis twice", again.key)));
    }
    let runs = axes
        .iter()
        .try_fold(1usize, |n, a| n.checked_mul(a.values.len()));
    match runs {
        Some(n) if n <= MAX_RUNS => Ok(Grid { axes }),
        _ => Err(grid_error(format!("more than {MAX_RUNS} runs"))),
    }
}

impl Grid {
    /// How many runs the grid holds.
    pub fn len(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `index`-th run (0 to len - 1): `base` with each axis's value,
    /// the first axis slowest. Errors name the key and value.
    pub fn run(&self, base: &Experiment, index: usize) -> Result<Experiment, Error> {
        let mut rest = index;
        let mut picks = Vec::with_capacity(self.axes.len());
        for axis in self.axes.iter().rev() {
            picks.push((axis, &axis.values[rest % axis.values.len()]));
            rest /= axis.values.len();
        }
        picks
            .iter()
            .rev()
            .try_fold(base.clone(), |e, (axis, value)| {
                with_key(&e, &axis.key, value).map_err(|err| {
                    Error::link(&axis.key, format!("grid value {}={value}: {err}", axis.key))
                })
            })
    }

    /// Every run, in grid order.
    pub fn runs(&self, base: &Experiment) -> Result<Vec<Experiment>, Error> {
        (0..self.len()).map(|i| self.run(base, i)).collect()
    }
}

/// The runs of task `index` of `tasks`: every `tasks`-th run from `index`
/// (a mix of the grid's values in each task), in grid order.
pub fn share(runs: usize, tasks: usize, index: usize) -> Result<Vec<usize>, Error> {
    if tasks == 0 || index >= tasks {
        return Err(Error::link(
            "task-index",
            format!("task index {index} of {tasks} tasks: it counts from 0 to tasks - 1"),
        ));
    }
    Ok((index..runs).step_by(tasks).collect())
}

/// What a line names its sweep by: the base link, the grid and the steps.
/// Lines of one sweep share it; merge expects the grid's every run.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SweepId {
    pub base: String,
    pub grid: String,
    pub steps: u32,
}

/// The build that wrote a line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Build {
    pub version: String,
    pub commit: String,
}

impl Build {
    /// This build: the crate's version and the commit it was built from.
    pub fn this() -> Build {
        Build {
            version: env!("CARGO_PKG_VERSION").into(),
            commit: option_env!("IBP_COMMIT").unwrap_or("unknown").into(),
        }
    }
}

/// One run's line (schema `ibp-sweep-1`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub schema: String,
    /// The run's canonical link: its identity in merges.
    pub link: String,
    pub sweep: SweepId,
    pub build: Build,
    /// "cpu" or "gpu": where the run trained (after a fallback, the CPU).
    pub backend: String,
    /// "done"; "diverged" (the metrics are the last finite report's); or
    /// "stopped" before the last step (`Ending::Stopped`).
    pub status: String,
    /// The step the metrics were measured at.
    pub step: u32,
    /// The final report (`ibp train`'s fields) without the plane.
    pub metrics: serde_json::Value,
    /// With the plane on (`plane=1`): the final plane, one point per layer.
    #[serde(default)]
    pub plane: Option<serde_json::Value>,
    /// A diverged run: the step and the quantity that was not finite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diverged: Option<Divergence>,
    /// Seconds the run took, data and start-up included.
    pub wall_s: f64,
}

/// How a run's line ends.
#[derive(Clone, Debug, PartialEq)]
pub enum Ending {
    /// Trained to the sweep's last step.
    Done,
    /// A report was not finite: where, and which quantity.
    Diverged(Divergence),
    /// Stopped before the last step: the page's Stop, or another model
    /// trained in the same dispatches diverged.
    Stopped,
}

impl Line {
    /// The line of `experiment`, one run of sweep `id`, trained on
    /// `backend` ("cpu" or "gpu") in `wall_s` seconds: its last finite
    /// report (`last`; the plane goes to `plane`) and how it ended.
    pub fn new(
        experiment: &Experiment,
        id: &SweepId,
        backend: &str,
        last: Option<&crate::report::Report>,
        ending: Ending,
        wall_s: f64,
    ) -> Line {
        let mut metrics = match last {
            Some(report) => serde_json::to_value(report).expect("reports serialise"),
            None => serde_json::Value::Null,
        };
        let plane = metrics.as_object_mut().and_then(|m| m.remove("layers"));
        let (status, diverged) = match ending {
            Ending::Done => ("done", None),
            Ending::Diverged(at) => ("diverged", Some(at)),
            Ending::Stopped => ("stopped", None),
        };
        Line {
            schema: SCHEMA.into(),
            link: experiment.to_link(),
            sweep: id.clone(),
            build: Build::this(),
            backend: backend.into(),
            status: status.into(),
            step: metrics["step"].as_u64().unwrap_or(0) as u32,
            metrics,
            plane,
            diverged,
            wall_s,
        }
    }

    /// The line's last report (its metrics with the plane put back), or
    /// None when the run stopped before its first report.
    pub fn report(&self) -> Option<crate::report::Report> {
        let mut metrics = self.metrics.clone();
        let object = metrics.as_object_mut()?;
        if let Some(plane) = &self.plane {
            object.insert("layers".into(), plane.clone());
        }
        serde_json::from_value(metrics).ok()
    }
}

/// Where a run diverged: the step and the quantity ("loss", "rate").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Divergence {
    pub step: u32,
    pub quantity: String,
}

/// The lines of a JSONL text (a task file, the page's export): one per
/// non-empty line; a last line cut off by a kill (no final newline) is
/// left out. Errors name the line (1-based) and what is wrong.
pub fn parse_lines(text: &str) -> Result<Vec<Line>, Error> {
    let count = text.lines().count();
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Line>(line) {
            Ok(line) => lines.push(line),
            Err(_) if i + 1 == count && !text.ends_with('\n') => {}
            Err(e) => {
                let mut error = Error::data(format!(
                    "line {}: not a sweep line (schema {SCHEMA}, docs/sweeps.md): {e}",
                    i + 1
                ));
                error.line = Some(i + 1);
                return Err(error);
            }
        }
    }
    Ok(lines)
}

/// The merge of sweep lines: one per link, sorted; what is missing of each
/// sweep's grid and which links came more than once.
#[derive(Debug, Default, PartialEq)]
pub struct Merged {
    pub lines: Vec<Line>,
    pub missing: Vec<String>,
    pub duplicates: Vec<String>,
}

/// Merges `lines` (the tasks' files read in any order): the first line of
/// each link is kept; a sweep's runs with no line are `missing` (a grid
/// that no longer parses is an error).
pub fn merge(lines: Vec<Line>) -> Result<Merged, Error> {
    let mut by_link: BTreeMap<String, Line> = BTreeMap::new();
    let mut duplicates = BTreeSet::new();
    let mut sweeps = BTreeSet::new();
    for line in lines {
        sweeps.insert(line.sweep.clone());
        if by_link.contains_key(&line.link) {
            duplicates.insert(line.link.clone());
        } else {
            by_link.insert(line.link.clone(), line);
        }
    }
    let mut missing = BTreeSet::new();
    for sweep in sweeps {
        let base = Experiment::from_link(&sweep.base)?;
        for run in parse(&sweep.grid)?.runs(&base)? {
            if !by_link.contains_key(&run.to_link()) {
                missing.insert(run.to_link());
            }
        }
    }
    Ok(Merged {
        lines: by_link.into_values().collect(),
        missing: missing.into_iter().collect(),
        duplicates: duplicates.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_expand_in_order_first_axis_slowest() {
        let grid = parse("beta=1e-3:1e-1:3&act=tanh|relu").unwrap();
        assert_eq!(grid.len(), 6);
        assert_eq!(grid.axes[0].values, ["0.001", "0.01", "0.1"]);
        let base = Experiment::from_link("data=circle&hidden=4").unwrap();
        let links: Vec<String> = grid
            .runs(&base)
            .unwrap()
            .iter()
            .map(|e| e.to_link())
            .collect();
        // Circle, tanh and beta 1e-3 are defaults: a canonical link omits them.
        assert_eq!(links[0], "v=1&hidden=4");
        assert_eq!(links[1], "v=1&hidden=4&act=relu");
        assert_eq!(links[5], "v=1&beta=0.1&hidden=4&act=relu");
        let seeds = parse("seed=1:100&hidden=8,8|16,16").unwrap();
        assert_eq!(seeds.len(), 200, "counts beyond one dispatch's 64");
    }

    #[test]
    fn bad_grids_name_what_is_wrong() {
        for (grid, says) in [
            ("beta=1:0:3", "LO:HI:N"),
            ("seed=1", ""),
            ("lr=1e-3:1e-1:3", "ranges are beta=LO:HI:N and seed=FIRST:N"),
            ("beta", "no '='"),
            ("beta=1|2&beta=3", "an axis twice"),
            ("", "no axis"),
        ] {
            match parse(grid) {
                Ok(g) if says.is_empty() => assert_eq!(g.len(), 1),
                Ok(g) => panic!("{grid} parsed: {g:?}"),
                Err(e) => assert!(e.message.contains(says), "{grid}: {e}"),
            }
        }
        let base = Experiment::default();
        let wrong = parse("act=tanh|swish").unwrap().runs(&base).unwrap_err();
        assert_eq!(wrong.key.as_deref(), Some("act"));
        assert!(wrong.message.contains("grid value act=swish"), "{wrong}");
    }

    #[test]
    fn shares_cover_the_grid_once() {
        let mut all: Vec<usize> = (0..3).flat_map(|i| share(10, 3, i).unwrap()).collect();
        all.sort();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert_eq!(share(10, 3, 1).unwrap(), [1, 4, 7]);
        assert!(share(10, 3, 3).is_err());
    }
}

//! Long runs of `ibp train`: `--checkpoint FILE` keeps the whole training
//! state every `--checkpoint-every N` steps and at the end, `--resume FILE`
//! continues from it, and `--log FILE.csv` appends one row per report.

use ib_playground::config::Experiment;
use ib_playground::metrics_csv;
use ib_playground::report::Report;
use ib_playground::run::Run;
use ib_playground::run::saved::{CheckpointFile, SavedRun};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The long-run flags of `ibp train`.
#[derive(Default)]
pub struct LongRun {
    pub checkpoint: Option<PathBuf>,
    /// Steps between checkpoints (default: one epoch).
    pub every: Option<u32>,
    pub resume: Option<PathBuf>,
    pub log: Option<PathBuf>,
}

/// A checkpoint file read for `--resume`, with the link and sweep it ran.
pub struct Resumed {
    pub file: CheckpointFile,
    pub experiment: Experiment,
}

/// Reads `--resume FILE`; `link` and `sweep`, when given too, must be the
/// file's.
pub fn read_resume(
    path: &Path,
    link: Option<&str>,
    sweep: &mut Option<String>,
) -> Result<Resumed, String> {
    let named = |e: String| format!("--resume {}: {e}", path.display());
    let bytes = std::fs::read(path).map_err(|e| named(e.to_string()))?;
    let file = CheckpointFile::parse(&bytes).map_err(|e| named(e.to_string()))?;
    let experiment = Experiment::from_link(&file.header.link).map_err(|e| named(e.to_string()))?;
    if let Some(link) = link {
        let given = Experiment::from_link(link).map_err(|e| e.to_string())?;
        if given.to_link() != experiment.to_link() {
            return Err(named(format!(
                "it was saved from --link '{}', not this link (leave --link out to resume it)",
                file.header.link
            )));
        }
    }
    match (sweep.as_deref(), file.header.sweep.as_deref()) {
        (Some(given), saved) if Some(given) != saved => {
            return Err(named(format!(
                "it was saved from --sweep {}, not {given} (leave --sweep out to resume it)",
                saved.unwrap_or("(none)")
            )));
        }
        _ => *sweep = file.header.sweep.clone(),
    }
    Ok(Resumed { file, experiment })
}

/// Writes checkpoints and the CSV log as a run goes.
pub struct Keeper {
    flags: LongRun,
    link: String,
    sweep: Option<String>,
    every: u32,
    next_save: u32,
    /// Seconds of training before this process (from the resumed file).
    earlier_s: f64,
    began: std::time::Instant,
    logged_step: Option<u32>,
}

impl Keeper {
    pub fn new(
        flags: LongRun,
        experiment: &Experiment,
        sweep: Option<String>,
        start_step: u32,
        steps_per_epoch: u32,
        earlier_s: f64,
    ) -> Keeper {
        let every = flags.every.unwrap_or(steps_per_epoch).max(1);
        Keeper {
            flags,
            link: experiment.to_link(),
            sweep,
            every,
            next_save: (start_step / every + 1) * every,
            earlier_s,
            began: std::time::Instant::now(),
            logged_step: None,
        }
    }

    /// Whether `--log` was given.
    pub fn logs(&self) -> bool {
        self.flags.log.is_some()
    }

    /// Training seconds so far, earlier parts included.
    pub fn seconds(&self) -> f64 {
        self.earlier_s + self.began.elapsed().as_secs_f64()
    }

    /// After each stretch of training: a checkpoint when one is due or the
    /// run has finished. A diverged run writes none: the file keeps the
    /// last state saved before it.
    pub fn after(&mut self, run: &Run) -> Result<(), String> {
        let Some(path) = &self.flags.checkpoint else {
            return Ok(());
        };
        let step = run.steps();
        if run.diverged() || (step < self.next_save && !run.is_finished()) {
            return Ok(());
        }
        self.next_save = (step / self.every + 1) * self.every;
        let states = ib_playground::gpu::block_on(run.state()).map_err(|e| e.to_string())?;
        let saved = SavedRun {
            link: self.link.clone(),
            sweep: self.sweep.clone(),
            seconds: self.seconds(),
            checkpoints: states,
        };
        saved
            .write(path)
            .map_err(|e| format!("--checkpoint: {}", e.message))
    }

    /// Appends reports to `--log`, one row per replica, in the columns of
    /// `ib_playground::metrics_csv` (the page's export has the same); a
    /// final report at the step of the last row is not repeated. A file
    /// that exists keeps its header: its columns are filled by name.
    pub fn log(&mut self, reports: &[Report]) -> Result<(), String> {
        let Some(path) = self.flags.log.clone() else {
            return Ok(());
        };
        let Some(first) = reports.first() else {
            return Ok(());
        };
        if first.is_final && self.logged_step == Some(first.step) {
            return Ok(());
        }
        self.logged_step = Some(first.step);
        let named = |e: String| format!("--log {}: {e}", path.display());
        let existing = read_header(&path).map_err(|e| named(e.to_string()))?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| named(e.to_string()))?;
        let mut out = csv::Writer::from_writer(file);
        let row_error = |e: csv::Error| named(e.to_string());
        let header = match existing {
            Some(header) => header,
            None => {
                let header = metrics_csv::header(&metrics_csv::layer_names(reports));
                out.write_record(&header).map_err(row_error)?;
                header
            }
        };
        let seconds = Some(self.seconds());
        for (replica, report) in reports.iter().enumerate() {
            let row = metrics_csv::Row {
                report,
                replica,
                seconds,
            };
            out.write_record(metrics_csv::fields(&row, &header))
                .map_err(row_error)?;
        }
        out.flush().map_err(|e| named(e.to_string()))?;
        let mut inner = out.into_inner().map_err(|e| named(e.to_string()))?;
        inner.flush().map_err(|e| named(e.to_string()))
    }
}

/// The header of a log file that has one (None for a new or empty file).
fn read_header(path: &Path) -> std::io::Result<Option<Vec<String>>> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(file);
    match reader.records().next() {
        Some(record) => Ok(Some(record?.iter().map(String::from).collect())),
        None => Ok(None),
    }
}

/// Keeps stdout's lines flowing while a long run prints (a pipe into a
/// file sees every report as it happens).
pub fn flush_stdout() {
    let _ = std::io::stdout().flush();
}

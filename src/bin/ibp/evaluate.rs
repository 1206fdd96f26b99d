//! `ibp evaluate`: the report of weights exported by the page, or of the
//! raw or averaged weights in a training checkpoint.

use crate::flags::{Threads, read_limited};
use crate::train::sources_for;
use ib_playground::config::{self, Experiment};
use ib_playground::cpu::CpuTrainer;
use ib_playground::run::saved::CheckpointFile;
use ib_playground::{data, weights};

/// How `ibp evaluate` is called (its usage line in `ibp --help` and
/// `ibp evaluate --help`).
pub const SYNOPSIS: &str = "ibp evaluate --weights FILE [--csv FILE] [--threads N]
ibp evaluate --checkpoint FILE [--raw] [--csv FILE] [--threads N]";

/// What `ibp evaluate` does, its flags and output, for both helps.
pub const HELP: &str = "Loads weights exported by the page (format ibp-weights-1: the link, and
per layer W as rows and b) and prints the model's report on the link's
data, as a final summary line. --checkpoint: the same for the state
`ibp train --checkpoint` kept (one run, not a sweep), measured on its
averaged weights (ema > 0; what the run's reports measure) or, with
--raw, on the parameters Adam trained; the line adds \"weights\":
\"averaged\" or \"raw\".";

/// `ibp evaluate --weights FILE [--csv FILE] [--threads N]`: loads exported weights and
/// prints the model's report on its link's data. `ibp evaluate --checkpoint
/// FILE [--raw] [--csv FILE]`: the same for the state `ibp train
/// --checkpoint` kept, measured on its averaged weights (what the run's
/// reports measure) or, with `--raw`, on the parameters Adam trained.
/// `ibp evaluate`'s flags.
#[derive(clap::Args, Debug)]
#[command(override_usage = SYNOPSIS, about = "The report of exported weights or of a checkpoint", long_about = HELP)]
pub struct Args {
    /// Weights exported by the page (ibp-weights-1).
    #[arg(long, value_name = "FILE")]
    weights: Option<String>,
    /// A checkpoint kept by ibp train --checkpoint.
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<String>,
    /// With --checkpoint: the parameters Adam trained, not the average.
    #[arg(long)]
    raw: bool,
    /// The table of a data=csv link.
    #[arg(long, value_name = "FILE")]
    csv: Option<String>,
    #[command(flatten)]
    threads: Threads,
}

pub fn command(args: Args) -> Result<(), String> {
    args.threads.apply()?;
    let Args {
        weights,
        checkpoint,
        raw,
        csv,
        ..
    } = args;
    let line = match (weights, checkpoint) {
        (Some(path), None) if !raw => exported(&path, csv)?,
        (None, Some(path)) => kept(&path, raw, csv)?,
        (Some(_), None) => return Err("--raw goes with --checkpoint FILE".into()),
        (Some(_), Some(_)) => {
            return Err("give --weights FILE or --checkpoint FILE, not both".into());
        }
        (None, None) => {
            return Err(
                "evaluate needs --weights FILE (exported by the page) or --checkpoint FILE \
                 (kept by ibp train)"
                    .into(),
            );
        }
    };
    println!("{line}");
    Ok(())
}

/// The report of weights exported by the page, as a JSON line.
fn exported(path: &str, csv: Option<String>) -> Result<String, String> {
    let bytes = read_limited("--weights", path, weights::MAX_WEIGHTS_BYTES as usize)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("--weights {path}: not UTF-8 text (a weights file is JSON)"))?;
    let loaded = weights::Weights::parse(&text).map_err(|e| format!("--weights {path}: {e}"))?;
    // The page writes its run's link, whose live changes may be longer than
    // a shareable link.
    let experiment = config::parse_bounded(&loaded.link, config::MAX_HELD_LINK_BYTES)
        .map_err(|e| format!("--weights {path}: link: {e}"))?;
    let mut trainer = trainer_for(experiment, csv)?;
    trainer.params = loaded
        .to_params(&trainer.model.shape)
        .map_err(|e| format!("--weights {path}: {e}"))?;
    Ok(serde_json::to_string(&trainer.report(true)).expect("reports serialise"))
}

/// The report of a checkpoint's averaged (or, `raw`, trained) weights at
/// its step, with "weights": "averaged" or "raw".
fn kept(path: &str, raw: bool, csv: Option<String>) -> Result<String, String> {
    let named = |e: String| format!("--checkpoint {path}: {e}");
    let bytes = std::fs::read(path).map_err(|e| named(e.to_string()))?;
    let file = CheckpointFile::parse(&bytes).map_err(|e| named(e.to_string()))?;
    if let Some(sweep) = &file.header.sweep {
        return Err(named(format!(
            "it holds the {} replicas of --sweep {sweep}; evaluate reads a single run's checkpoint",
            file.header.replicas.len()
        )));
    }
    let mut experiment =
        Experiment::from_link(&file.header.link).map_err(|e| named(e.to_string()))?;
    let averaged = experiment.ema > 0.0;
    let mut trainer = trainer_for(experiment.clone(), csv)?;
    let states = file
        .states(&trainer.model.shape, averaged)
        .map_err(|e| named(e.to_string()))?;
    let state = states
        .into_iter()
        .next()
        .ok_or_else(|| named("it holds no run".into()))?;
    if raw {
        // The same model without the average: reports measure `params`.
        experiment.ema = 0.0;
        trainer.experiment = experiment;
    }
    trainer.restore(&state);
    let mut report = serde_json::to_value(trainer.report(true)).expect("reports serialise");
    let which = if averaged && !raw { "averaged" } else { "raw" };
    report["weights"] = which.into();
    Ok(report.to_string())
}

/// A CPU trainer for `experiment` on its data, ready to measure weights.
fn trainer_for(experiment: Experiment, csv: Option<String>) -> Result<CpuTrainer, String> {
    let sources = sources_for(&experiment, csv)?;
    let dataset = data::load(&experiment, &sources).map_err(|e| e.to_string())?;
    Ok(CpuTrainer::new(experiment, dataset))
}
